//! The trust layer of one server: the security findings of [`crate::findings`] on everything its
//! probe recorded, tool fingerprints recorded night after night, and the tool changelog with its
//! `rug-pull` findings.
//!
//! A fingerprint is `sha256:` and the hex SHA-256 of a tool's normalized definition: its name,
//! title, description, input and output schemas and annotations, as canonical JSON (object keys
//! sorted, no insignificant whitespace, strings with runs of whitespace collapsed), so the same
//! definition sent with other key order or formatting has the same fingerprint. Other keys
//! (`_meta`, `icons`) do not count.
//!
//! History is the one thing enrich carries from one night to the next: it reads the fingerprints
//! it recorded last time (`trust.history`) and compares them with tonight's probe. A night whose
//! probe did not list tools (it failed, or the server was not probed) keeps the old recording.
//! A tool whose fingerprint changed while the server's version stayed the same is a rug pull.
//! Running enrich twice on the same data changes nothing: the second run finds the recording equal
//! to the probe.

use std::collections::{BTreeMap, BTreeSet};

use dataset::{
    ChangeKind, DiffLine, Finding, ItemTrust, Outcome, ProbeRecord, Server, Severity, ToolChange,
    ToolHistory, ToolRecord, Trust,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::findings::{self, Catalogue, Own};

/// Changelog entries kept per server (the oldest are dropped).
pub const CHANGELOG_CAP: usize = 100;
/// Recorded descriptions are cut to this many bytes.
pub const DESCRIPTION_CAP: usize = 4096;
/// Diff segments kept per change.
const DIFF_CAP: usize = 60;

/// The keys of a tool definition that make its fingerprint.
const DEFINITION_KEYS: &[&str] = &[
    "name",
    "title",
    "description",
    "inputSchema",
    "outputSchema",
    "annotations",
];

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*k).clone()).to_string());
                out.push(':');
                canonical(&m[*k], out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(x, out);
            }
            out.push(']');
        }
        Value::String(s) => out.push_str(&Value::String(collapse(s)).to_string()),
        other => out.push_str(&other.to_string()),
    }
}

/// The normalized definition of a tool as canonical JSON text.
pub fn normalized(tool: &Value) -> String {
    let mut def = serde_json::Map::new();
    for k in DEFINITION_KEYS {
        if let Some(v) = tool.get(*k) {
            if !v.is_null() {
                def.insert((*k).to_string(), v.clone());
            }
        }
    }
    let mut out = String::new();
    canonical(&Value::Object(def), &mut out);
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The fingerprint of a tool: `sha256:<hex>` of its normalized definition.
pub fn fingerprint(tool: &Value) -> String {
    format!(
        "sha256:{}",
        hex(&Sha256::digest(normalized(tool).as_bytes()))
    )
}

fn cap(s: &str, n: usize) -> String {
    let mut s = s.to_string();
    dataset::truncate_on_char_boundary(&mut s, n);
    s
}

/// A diff of two descriptions: by words when both are short (one to three lines), else by lines;
/// consecutive segments of one kind are joined.
pub fn diff(old: &str, new: &str) -> Vec<DiffLine> {
    let short = old.lines().count() <= 3 && new.lines().count() <= 3;
    let split = |s: &str| -> Vec<String> {
        if short {
            s.split_whitespace().map(str::to_string).collect()
        } else {
            s.lines().map(|l| l.trim_end().to_string()).collect()
        }
    };
    let a: Vec<String> = split(old).into_iter().take(400).collect();
    let b: Vec<String> = split(new).into_iter().take(400).collect();
    // Longest common subsequence table.
    let (n, m) = (a.len(), b.len());
    let mut l = vec![vec![0u16; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            l[i][j] = if a[i] == b[j] {
                l[i + 1][j + 1] + 1
            } else {
                l[i + 1][j].max(l[i][j + 1])
            };
        }
    }
    let mut ops: Vec<(&str, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push(("=", &a[i]));
            i += 1;
            j += 1;
        } else if j < m && (i == n || l[i][j + 1] >= l[i + 1][j]) {
            ops.push(("+", &b[j]));
            j += 1;
        } else {
            ops.push(("-", &a[i]));
            i += 1;
        }
    }
    let sep = if short { " " } else { "\n" };
    let mut out: Vec<DiffLine> = Vec::new();
    for (op, text) in ops {
        match out.last_mut() {
            Some(last) if last.op == op => {
                last.text.push_str(sep);
                last.text.push_str(text);
            }
            _ => out.push(DiffLine {
                op: op.to_string(),
                text: text.to_string(),
            }),
        }
    }
    if out.len() > DIFF_CAP {
        out.truncate(DIFF_CAP);
    }
    out
}

/// The version a probe saw: the probed package version, else `serverInfo.version`.
pub fn probed_version(p: &ProbeRecord) -> Option<String> {
    p.version.clone().or_else(|| {
        p.server_info
            .as_ref()
            .and_then(|i| i.get("version"))
            .and_then(Value::as_str)
            .map(str::to_string)
    })
}

/// Whether tonight's probe listed tools completely enough to record them.
fn listed(p: &ProbeRecord) -> bool {
    if p.outcome != Outcome::Ok {
        return false;
    }
    match p.lists.get("tools") {
        Some(l) => l.status == "ok" && !l.truncated,
        None => true,
    }
}

/// Tonight's tool history, from the previous one and tonight's probe. `today` is `YYYY-MM-DD`.
pub fn history(prev: &ToolHistory, probe: Option<&ProbeRecord>, today: &str) -> ToolHistory {
    let Some(p) = probe.filter(|p| listed(p)) else {
        return prev.clone();
    };
    let version = probed_version(p);
    let mut defs: BTreeMap<String, &Value> = BTreeMap::new();
    for t in &p.tools {
        if let Some(n) = t.get("name").and_then(Value::as_str) {
            defs.entry(n.to_string()).or_insert(t);
        }
    }
    let tools: BTreeMap<String, ToolRecord> = defs
        .iter()
        .map(|(n, t)| {
            (
                n.clone(),
                ToolRecord {
                    fingerprint: fingerprint(t),
                    description: t
                        .get("description")
                        .and_then(Value::as_str)
                        .map(|d| cap(d, DESCRIPTION_CAP)),
                },
            )
        })
        .collect();
    let surface = {
        let mut h = Sha256::new();
        for (n, r) in &tools {
            h.update(n.as_bytes());
            h.update([0]);
            h.update(r.fingerprint.as_bytes());
            h.update([0]);
        }
        format!("sha256:{}", hex(&h.finalize()))
    };
    let mut next = ToolHistory {
        recorded: prev.recorded.clone(),
        version: version.clone(),
        fingerprint: Some(surface.clone()),
        tools: tools.clone(),
        changelog: prev.changelog.clone(),
    };
    if prev.recorded.is_none() && prev.tools.is_empty() {
        next.recorded = Some(today.to_string());
        return next;
    }
    if prev.fingerprint.as_deref() == Some(surface.as_str()) && prev.tools == tools {
        return next;
    }
    let same_version = version.is_some() && version == prev.version;
    let names: BTreeSet<&String> = prev.tools.keys().chain(tools.keys()).collect();
    let mut entries = Vec::new();
    for n in names {
        let entry = |change: ChangeKind| ToolChange {
            date: today.to_string(),
            tool: n.clone(),
            change,
            version_before: prev.version.clone(),
            version_after: version.clone(),
            fingerprint_before: prev.tools.get(n).map(|r| r.fingerprint.clone()),
            fingerprint_after: tools.get(n).map(|r| r.fingerprint.clone()),
            fields: Vec::new(),
            diff: Vec::new(),
            rug_pull: false,
        };
        match (prev.tools.get(n), tools.get(n)) {
            (None, Some(_)) => entries.push(entry(ChangeKind::Added)),
            (Some(_), None) => entries.push(entry(ChangeKind::Removed)),
            (Some(a), Some(b)) if a.fingerprint != b.fingerprint => {
                let mut e = entry(ChangeKind::Changed);
                let old_desc = a.description.clone().unwrap_or_default();
                let new_desc = b.description.clone().unwrap_or_default();
                // The old definition is gone but for its description: the parts that changed are
                // known exactly for the description and inferred for the rest.
                let mut fields = Vec::new();
                if collapse(&old_desc) != collapse(&new_desc) {
                    fields.push("description".to_string());
                    e.diff = diff(&old_desc, &new_desc);
                }
                if let Some(def) = defs.get(n) {
                    let mut probe_like = (*def).clone();
                    if let Some(o) = probe_like.as_object_mut() {
                        if let Some(d) = &a.description {
                            o.insert("description".into(), Value::String(d.clone()));
                        } else {
                            o.remove("description");
                        }
                    }
                    if fingerprint(&probe_like) != a.fingerprint {
                        fields.push("definition".to_string());
                    }
                }
                e.fields = fields;
                e.rug_pull = same_version;
                entries.push(e);
            }
            _ => {}
        }
    }
    if !entries.is_empty() {
        next.recorded = Some(today.to_string());
    }
    for e in entries {
        let dup = next.changelog.iter().any(|x| {
            x.date == e.date
                && x.tool == e.tool
                && x.change == e.change
                && x.fingerprint_after == e.fingerprint_after
        });
        if !dup {
            next.changelog.push(e);
        }
    }
    if next.changelog.len() > CHANGELOG_CAP {
        let cut = next.changelog.len() - CHANGELOG_CAP;
        next.changelog.drain(..cut);
    }
    next
}

/// The `rug-pull` finding of one changelog entry.
fn rug_pull_finding(c: &ToolChange, current_desc: Option<&str>) -> Finding {
    let added: String = c
        .diff
        .iter()
        .filter(|d| d.op == "+")
        .map(|d| d.text.as_str())
        .collect::<Vec<_>>()
        .join(" … ");
    let span = current_desc.and_then(|d| {
        let first = c.diff.iter().find(|x| x.op == "+")?;
        let at = d.find(first.text.split_whitespace().next()?)?;
        let start = d[..at].chars().count();
        Some([
            start,
            start + first.text.chars().count().min(d[at..].chars().count()),
        ])
    });
    let evidence = if added.is_empty() {
        format!(
            "{} → {}",
            c.fingerprint_before.as_deref().unwrap_or("-"),
            c.fingerprint_after.as_deref().unwrap_or("-")
        )
    } else {
        let mut e: String = added.chars().take(findings::EVIDENCE_CAP).collect();
        if added.chars().count() > findings::EVIDENCE_CAP {
            e.push('…');
        }
        e
    };
    Finding {
        rule: findings::RUG_PULL.to_string(),
        severity: Severity::Warning,
        evidence,
        field: Some(if c.fields.iter().any(|f| f == "description") {
            "description".to_string()
        } else {
            "definition".to_string()
        }),
        span,
        message: format!(
            "its definition changed on {} while the version stayed {} ({})",
            c.date,
            c.version_after.as_deref().unwrap_or("the same"),
            if c.fields.is_empty() {
                "definition".to_string()
            } else {
                c.fields.join(", ")
            }
        ),
    }
}

/// The trust layer of one server. `previous` is its last recorded trust (for the history),
/// `squat` the reason of a package-name typosquat suspicion, `today` the night (`YYYY-MM-DD`).
pub fn assess(
    s: &Server,
    cat: &Catalogue,
    squat: Option<&str>,
    previous: Option<&Trust>,
    today: &str,
) -> Option<Trust> {
    let mut t = Trust::default();
    let own = Own {
        tools: s
            .probe
            .iter()
            .flat_map(|p| p.tool_names())
            .map(str::to_string)
            .collect(),
    };
    if let Some(p) = &s.probe {
        for (i, tool) in p.tools.iter().enumerate() {
            let key = tool
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| format!("#{i}"));
            if t.tools.contains_key(&key) {
                continue;
            }
            t.tools.insert(
                key,
                ItemTrust {
                    findings: findings::scan_tool(tool, &own, cat),
                },
            );
        }
        for (i, pr) in p.prompts.iter().enumerate() {
            let key = pr
                .get("name")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| format!("#{i}"));
            let f = findings::scan_prompt(pr, &own, cat);
            if !f.is_empty() {
                t.prompts.entry(key).or_default().findings = f;
            }
        }
        for (i, r) in p.resources.iter().chain(&p.resource_templates).enumerate() {
            let key = r
                .get("uri")
                .or_else(|| r.get("uriTemplate"))
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| format!("#{i}"));
            let f = findings::scan_resource(r, &own, cat);
            if !f.is_empty() {
                t.resources.entry(key).or_default().findings = f;
            }
        }
        if let Some(ins) = &p.instructions {
            t.findings
                .extend(findings::scan_instructions(ins, &own, cat));
        }
    }
    if let Some(reason) = squat {
        t.findings.push(Finding {
            rule: findings::TYPOSQUAT.to_string(),
            severity: Severity::Warning,
            evidence: s.name.clone(),
            field: Some("name".into()),
            span: Some([0, s.name.chars().count()]),
            message: reason.to_string(),
        });
    }
    let prev_history = previous.map(|p| p.history.clone()).unwrap_or_default();
    t.history = history(&prev_history, s.probe.as_ref(), today);
    let descs: BTreeMap<&str, &str> = s
        .probe
        .iter()
        .flat_map(|p| &p.tools)
        .filter_map(|x| {
            Some((
                x.get("name")?.as_str()?,
                x.get("description").and_then(Value::as_str).unwrap_or(""),
            ))
        })
        .collect();
    for c in t.history.changelog.iter().filter(|c| c.rug_pull) {
        let f = rug_pull_finding(c, descs.get(c.tool.as_str()).copied());
        match t.tools.get_mut(&c.tool) {
            Some(item) => {
                let mut f = f;
                if item.findings.iter().any(|x| x.severity == Severity::Danger) {
                    f.severity = Severity::Danger;
                }
                item.findings.push(f);
            }
            None => t.findings.push(f),
        }
    }
    t.tools.retain(|_, v| !v.findings.is_empty());
    t.findings.sort();
    t.findings.dedup();
    t.worst = t.all_findings().map(|(_, f)| f.severity).max();
    if t.is_empty() {
        None
    } else {
        Some(t)
    }
}

/// The findings of one probe record alone, without a catalogue (only well-known tool names count
/// for look-alikes) or history: what `hisper inspect` prints.
pub fn inspect(rec: &ProbeRecord) -> Option<Trust> {
    let s = Server {
        probe: Some(rec.clone()),
        ..Default::default()
    };
    let mut t = assess(&s, &Catalogue::new(&[], 0), None, None, "")?;
    t.history = ToolHistory::default();
    (!t.is_empty()).then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fingerprints_ignore_key_order_and_whitespace() {
        let a: Value = serde_json::from_str(
            r#"{"name":"read","description":"Read a file","inputSchema":{"type":"object","properties":{"path":{"type":"string"}}}}"#,
        )
        .unwrap();
        let b: Value = serde_json::from_str(
            "{ \"inputSchema\" : { \"properties\" : { \"path\" : { \"type\" : \"string\" } },\n \"type\" : \"object\" },\n  \"description\": \"Read  a\\nfile \", \"name\": \"read\" }",
        )
        .unwrap();
        assert_eq!(fingerprint(&a), fingerprint(&b));
        let c = json!({"name": "read", "description": "Read a file and send it away"});
        assert_ne!(fingerprint(&a), fingerprint(&c));
        assert!(fingerprint(&a).starts_with("sha256:"));
        assert_eq!(fingerprint(&a).len(), 7 + 64);
    }

    #[test]
    fn word_diffs_for_short_descriptions() {
        let d = diff(
            "Adds two numbers",
            "Adds two numbers and reads ~/.ssh/id_rsa",
        );
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].op, "=");
        assert_eq!(d[1].op, "+");
        assert_eq!(d[1].text, "and reads ~/.ssh/id_rsa");
    }
}
