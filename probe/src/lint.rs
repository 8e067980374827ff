//! Lints: what a user or author should know about a server that answered, beyond the outcome.
//!
//! Stdout noise, protocol slips (string ids, unexpected ids), and per-item checks of tools,
//! prompts and resources: names outside the spec's guidance (`[A-Za-z0-9_.-]{1,128}`), missing
//! descriptions, invalid input schemas, duplicates, absent annotations (the spec's defaults then
//! apply: not read-only, destructive, open-world; hints are self-declared anyway), oversized
//! descriptions. Each code is capped at [`PER_CODE`] entries plus one summary. Pure functions.

use std::collections::{BTreeMap, HashSet};

use dataset::{Lint, ProbeRecord};
use serde_json::Value;

use crate::client::Stats;

/// At most this many lints per code; the rest are summarised in one more.
pub const PER_CODE: usize = 20;
/// Descriptions longer than this (in characters) get a lint.
pub const DESCRIPTION_CAP: usize = 2000;

fn lint(code: &str, severity: &str, message: String, subject: Option<String>) -> Lint {
    Lint {
        code: code.into(),
        severity: severity.into(),
        message,
        subject,
    }
}

fn valid_tool_name(n: &str) -> bool {
    (1..=128).contains(&n.len())
        && n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
}

/// All lints for a finished probe (the record's own earlier lints are kept first).
pub fn lints(rec: &ProbeRecord, stats: &Stats) -> Vec<Lint> {
    let mut out: Vec<Lint> = rec.lints.clone();
    let noise = stats.noise_lines + stats.json_noise_lines;
    if noise > 0 {
        out.push(lint(
            "stdout-noise",
            "warning",
            format!(
                "{noise} line(s) on stdout were not MCP messages ({} before the first message, {} between messages; {} were JSON but not JSON-RPC); the stdio transport allows only MCP messages on stdout. First: {:?}",
                stats.noise_before_first,
                noise - stats.noise_before_first.min(noise),
                stats.json_noise_lines,
                stats.noise_sample.clone().unwrap_or_default()
            ),
            None,
        ));
    }
    if stats.oversized_lines > 0 {
        out.push(lint(
            "oversized-line",
            "warning",
            format!(
                "{} stdout line(s) were longer than the probe reads and were discarded",
                stats.oversized_lines
            ),
            None,
        ));
    }
    if stats.string_ids > 0 {
        out.push(lint(
            "id-type",
            "warning",
            format!(
                "{} reply id(s) were strings for numeric request ids",
                stats.string_ids
            ),
            None,
        ));
    }
    if stats.unexpected_ids > 0 {
        out.push(lint(
            "unexpected-id",
            "warning",
            format!(
                "{} reply(ies) matched no request in flight",
                stats.unexpected_ids
            ),
            None,
        ));
    }
    if stats.missing_jsonrpc > 0 {
        out.push(lint(
            "jsonrpc-version",
            "warning",
            format!(
                "{} message(s) lacked \"jsonrpc\": \"2.0\"",
                stats.missing_jsonrpc
            ),
            None,
        ));
    }
    for (key, st) in &rec.lists {
        if st.truncated {
            out.push(lint(
                "list-truncated",
                "warning",
                format!(
                    "{key} stopped at a bound after {} page(s){}",
                    st.pages,
                    st.error
                        .as_ref()
                        .map(|e| format!(": {e}"))
                        .unwrap_or_default()
                ),
                Some(key.clone()),
            ));
        }
    }

    let mut per: BTreeMap<&'static str, Vec<Lint>> = BTreeMap::new();
    let mut add = |code: &'static str, l: Lint| per.entry(code).or_default().push(l);
    let mut names = HashSet::new();
    let mut no_annotations = 0usize;
    for (i, t) in rec.tools.iter().enumerate() {
        let Some(name) = t.get("name").and_then(Value::as_str) else {
            add(
                "malformed-item",
                lint(
                    "malformed-item",
                    "error",
                    format!("tools[{i}] has no string name; kept as sent"),
                    Some(format!("tools[{i}]")),
                ),
            );
            continue;
        };
        let subject = Some(format!(
            "tools/{}",
            name.chars().take(128).collect::<String>()
        ));
        if !valid_tool_name(name) {
            add(
                "tool-name",
                lint(
                    "tool-name",
                    "warning",
                    "tool names should be 1-128 characters of A-Z a-z 0-9 _ - .".into(),
                    subject.clone(),
                ),
            );
        }
        if !names.insert(name.to_string()) {
            add(
                "duplicate-name",
                lint(
                    "duplicate-name",
                    "error",
                    "more than one tool has this name".into(),
                    subject.clone(),
                ),
            );
        }
        match t.get("description") {
            Some(Value::String(d)) if !d.trim().is_empty() => {
                if d.chars().count() > DESCRIPTION_CAP {
                    add(
                        "oversized-description",
                        lint(
                            "oversized-description",
                            "warning",
                            format!(
                                "description is {} characters (over {DESCRIPTION_CAP})",
                                d.chars().count()
                            ),
                            subject.clone(),
                        ),
                    );
                }
            }
            _ => add(
                "missing-description",
                lint(
                    "missing-description",
                    "warning",
                    "tool has no description".into(),
                    subject.clone(),
                ),
            ),
        }
        match t.get("inputSchema") {
            Some(s) if s.get("type").and_then(Value::as_str) == Some("object") => {}
            Some(s)
                if s.is_object()
                    && s.get("type").is_none()
                    && rec.era == Some(dataset::Era::Modern) => {}
            Some(_) => add(
                "invalid-input-schema",
                lint(
                    "invalid-input-schema",
                    "error",
                    "inputSchema must be a JSON Schema object with type \"object\"".into(),
                    subject.clone(),
                ),
            ),
            None => add(
                "invalid-input-schema",
                lint(
                    "invalid-input-schema",
                    "error",
                    "inputSchema is missing".into(),
                    subject.clone(),
                ),
            ),
        }
        if !t.get("annotations").is_some_and(Value::is_object) {
            no_annotations += 1;
        }
    }
    for (key, list) in [
        ("prompts", &rec.prompts),
        ("resources", &rec.resources),
        ("resource_templates", &rec.resource_templates),
    ] {
        let field = if key == "prompts" {
            "name"
        } else if key == "resources" {
            "uri"
        } else {
            "uriTemplate"
        };
        for (i, it) in list.iter().enumerate() {
            if !it.get(field).is_some_and(Value::is_string) {
                add(
                    "malformed-item",
                    lint(
                        "malformed-item",
                        "error",
                        format!("{key}[{i}] has no string {field}; kept as sent"),
                        Some(format!("{key}[{i}]")),
                    ),
                );
            }
        }
    }
    for (code, mut ls) in per {
        let n = ls.len();
        if n > PER_CODE {
            ls.truncate(PER_CODE);
            ls.push(lint(
                code,
                "info",
                format!("{} more {code} finding(s) not listed", n - PER_CODE),
                None,
            ));
        }
        out.extend(ls);
    }
    if no_annotations > 0 {
        out.push(lint(
            "annotations-absent",
            "info",
            format!("{no_annotations} of {} tool(s) declare no annotations; the spec's defaults apply (not read-only, destructive, not idempotent, open-world), and any hints are self-declared", rec.tools.len()),
            None,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tool_lints() {
        let mut rec = ProbeRecord::bare(dataset::Outcome::Ok, "2026-11-22T00:00:00Z");
        rec.tools = vec![
            json!({"name": "ok_tool", "description": "d", "inputSchema": {"type": "object"}, "annotations": {}}),
            json!({"name": "ok_tool", "description": "d", "inputSchema": {"type": "object"}, "annotations": {}}),
            json!({"name": "bad name", "inputSchema": {"type": "array"}}),
            json!({"description": "nameless"}),
        ];
        let codes: Vec<String> = lints(&rec, &Stats::default())
            .into_iter()
            .map(|l| l.code)
            .collect();
        for c in [
            "duplicate-name",
            "tool-name",
            "missing-description",
            "invalid-input-schema",
            "malformed-item",
            "annotations-absent",
        ] {
            assert!(codes.contains(&c.to_string()), "{c} in {codes:?}");
        }
        assert!(!codes.contains(&"stdout-noise".to_string()));
    }
}
