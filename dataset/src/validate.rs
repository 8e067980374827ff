//! The checks behind `hisper validate`: the schema and the dataset's invariants, every problem
//! located by file, record and field.
//!
//! Each problem prints as `FILE: record <id> (index N): field <path>: <reason>`; problems with the
//! file as a whole (not UTF-8, not JSON, truncated, empty, too large) print as one line
//! `FILE: <reason>`. Memory is bounded: a file over [`crate::io::MAX_FILE_BYTES`] is refused
//! before it is read. This module reports; it never repairs or rewrites a file.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use serde_json::Value;

use crate::time::{is_date, is_rfc3339};
use crate::{Server, DESCRIPTION_CAP, HEALTH_CAP, NAME_CAP, README_CAP, SCHEMA_VERSION};

/// One problem found in a dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file, when known.
    pub file: Option<String>,
    /// `(id, index)` of the record, when the problem is inside one.
    pub record: Option<(String, usize)>,
    /// JSON path of the field, when the problem is about one.
    pub field: Option<String>,
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if let Some(file) = &self.file {
            parts.push(file.clone());
        }
        if let Some((id, index)) = &self.record {
            parts.push(format!("record {} (index {index})", printable(id)));
        }
        // Field paths (map keys) and reasons (serde quotes the offending value) can carry
        // untrusted text: escape control characters so a problem is always one terminal line.
        if let Some(field) = &self.field {
            parts.push(format!("field {}", escape_line(field, 300)));
        }
        parts.push(escape_line(&self.reason, 600));
        f.write_str(&parts.join(": "))
    }
}

/// Makes untrusted text safe to print on one terminal line: control characters escaped, capped.
pub fn printable(s: &str) -> String {
    let out = escape_line(s, 120);
    if out.is_empty() {
        "\"\"".to_string()
    } else {
        out
    }
}

/// Escapes control and direction-override characters and caps the length at `cap` characters.
pub fn escape_line(s: &str, cap: usize) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i >= cap {
            out.push('…');
            break;
        }
        if c.is_control() || is_bidi_control(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// Unicode direction overrides and isolates, which can make text display as something else.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

fn file_problem(reason: String) -> Problem {
    Problem {
        file: None,
        record: None,
        field: None,
        reason,
    }
}

/// Validates a dataset file. Reads at most [`crate::io::MAX_FILE_BYTES`].
pub fn validate_file(path: &Path) -> Vec<Problem> {
    let name = path.display().to_string();
    let mut problems = match std::fs::metadata(path) {
        Err(e) => vec![file_problem(format!("cannot read: {e}"))],
        Ok(m) if m.is_dir() => vec![file_problem("is a directory, not a dataset file".into())],
        Ok(m) if m.len() > crate::io::MAX_FILE_BYTES => vec![file_problem(format!(
            "file is {} bytes, over the {}-byte limit for a dataset",
            m.len(),
            crate::io::MAX_FILE_BYTES
        ))],
        Ok(_) => match std::fs::read(path) {
            Err(e) => vec![file_problem(format!("cannot read: {e}"))],
            Ok(bytes) => validate_bytes(&bytes),
        },
    };
    for p in &mut problems {
        p.file = Some(name.clone());
    }
    problems
}

/// Validates dataset bytes. Returns every problem found; empty means valid.
pub fn validate_bytes(bytes: &[u8]) -> Vec<Problem> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return vec![file_problem(
            "file is empty, expected a JSON dataset object".into(),
        )];
    }
    if let Err(e) = std::str::from_utf8(bytes) {
        return vec![file_problem(format!(
            "not UTF-8 (invalid byte at offset {})",
            e.valid_up_to()
        ))];
    }
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        Err(e) if e.is_eof() => {
            return vec![file_problem(format!(
                "truncated JSON: the file ends in the middle of a value (line {}, column {})",
                e.line(),
                e.column()
            ))]
        }
        Err(e) => return vec![file_problem(format!("not valid JSON: {e}"))],
    };
    validate_value(&value)
}

fn top(field: &str, reason: impl Into<String>) -> Problem {
    Problem {
        file: None,
        record: None,
        field: Some(field.into()),
        reason: reason.into(),
    }
}

/// Validates a parsed dataset.
pub fn validate_value(value: &Value) -> Vec<Problem> {
    let Some(obj) = value.as_object() else {
        return vec![file_problem(format!(
            "expected a JSON object at the top level, found {}",
            kind_of(value)
        ))];
    };
    let mut problems = Vec::new();
    match obj.get("schema_version") {
        None => problems.push(top("schema_version", "missing")),
        Some(v) if v.as_u64() == Some(SCHEMA_VERSION as u64) => {}
        Some(v) => problems.push(top(
            "schema_version",
            format!("unknown schema version {v} (this build reads {SCHEMA_VERSION})"),
        )),
    }
    match obj.get("generated_at") {
        None => problems.push(top("generated_at", "missing")),
        Some(Value::String(s)) if is_rfc3339(s) => {}
        Some(v) => problems.push(top(
            "generated_at",
            format!("not an RFC 3339 date-time: {}", short(v)),
        )),
    }
    if let Some(crawl) = obj.get("crawl") {
        if let Err(e) = serde_json::from_value::<
            std::collections::BTreeMap<String, crate::SourceSummary>,
        >(crawl.clone())
        {
            problems.push(top("crawl", e.to_string()));
        }
    }
    let servers = match obj.get("servers") {
        None => {
            problems.push(top("servers", "missing"));
            return problems;
        }
        Some(Value::Array(a)) => a,
        Some(v) => {
            problems.push(top(
                "servers",
                format!("expected an array, found {}", kind_of(v)),
            ));
            return problems;
        }
    };

    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut prev_id: Option<&str> = None;
    for (index, record) in servers.iter().enumerate() {
        let id = record.get("id").and_then(Value::as_str);
        let label = id.map(str::to_string).unwrap_or_else(|| "<no id>".into());
        let at = |field: &str, reason: String| Problem {
            file: None,
            record: Some((label.clone(), index)),
            field: Some(field.into()),
            reason,
        };
        if !record.is_object() {
            problems.push(at(
                "",
                format!("expected an object, found {}", kind_of(record)),
            ));
            continue;
        }
        if let Some(id) = id {
            if let Some(first) = seen.insert(id, index) {
                problems.push(at("id", format!("duplicate id, first at index {first}")));
            }
            if let Some(prev) = prev_id {
                if prev > id {
                    problems.push(at(
                        "id",
                        format!(
                            "records are not sorted by id: comes after {}",
                            printable(prev)
                        ),
                    ));
                }
            }
            prev_id = Some(id);
        }
        match serde_path_to_error::deserialize::<_, Server>(record) {
            Err(e) => problems.push(at(&e.path().to_string(), e.inner().to_string())),
            Ok(server) => {
                for (field, reason) in check_server(&server) {
                    problems.push(at(&field, reason));
                }
            }
        }
    }
    problems
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    printable(&s)
}

/// Whether `s` looks like an absolute http(s) URL with a host and no whitespace or control chars.
pub fn is_http_url(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    let Some(rest) = rest else { return false };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or("");
    !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']' | '_'))
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn has_control(s: &str) -> bool {
    s.chars().any(|c| c.is_control() || is_bidi_control(c))
}

/// Invariants of one typed record, as (field path, reason).
pub fn check_server(s: &Server) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut push = |f: &str, r: String| out.push((f.to_string(), r));
    const ID_PREFIXES: [&str; 4] = ["github:", "npm:", "pypi:", "mcp-registry:"];
    if s.id.is_empty() {
        push("id", "empty".into());
    } else if !ID_PREFIXES
        .iter()
        .any(|p| s.id.starts_with(p) && s.id.len() > p.len())
    {
        push(
            "id",
            format!(
                "must start with one of {}: {}",
                ID_PREFIXES.join(", "),
                printable(&s.id)
            ),
        );
    }
    if has_control(&s.id) || s.id.chars().any(char::is_whitespace) {
        push("id", "contains whitespace or control characters".into());
    }
    if s.name.trim().is_empty() {
        push("name", "empty".into());
    }
    if has_control(&s.name) {
        push(
            "name",
            format!("contains control characters: {}", printable(&s.name)),
        );
    }
    if let Some(t) = &s.title {
        if has_control(t) {
            push(
                "title",
                format!("contains control characters: {}", printable(t)),
            );
        }
    }
    for (field, v) in [
        ("first_seen", &s.first_seen),
        ("last_seen", &s.last_seen),
        ("last_changed", &s.last_changed),
    ] {
        if !is_rfc3339(v) {
            push(
                field,
                format!("not an RFC 3339 date-time: {}", printable(v)),
            );
        }
    }
    if s.sources.is_empty() {
        push("sources", "a record needs at least one source".into());
    }
    for (i, e) in s.sources.iter().enumerate() {
        let f = |name: &str| format!("sources[{i}].{name}");
        if e.identifier.trim().is_empty() {
            push(&f("identifier"), "empty".into());
        }
        if has_control(&e.identifier) {
            push(&f("identifier"), "contains control characters".into());
        }
        for (name, v) in [("url", &e.url), ("homepage", &e.homepage)] {
            if let Some(u) = v {
                if !is_http_url(u) {
                    push(&f(name), format!("not an http(s) URL: {}", printable(u)));
                }
            }
        }
        if let Some(l) = &e.license {
            if l.trim().is_empty() || has_control(l) {
                push(
                    &f("license"),
                    format!("empty or control characters: {}", printable(l)),
                );
            }
        }
        for (name, v) in [
            ("first_seen", Some(&e.first_seen)),
            ("last_seen", Some(&e.last_seen)),
            ("published_at", e.published_at.as_ref()),
            ("updated_at", e.updated_at.as_ref()),
        ] {
            if let Some(v) = v {
                if !is_rfc3339(v) {
                    push(
                        &f(name),
                        format!("not an RFC 3339 date-time: {}", printable(v)),
                    );
                }
            }
        }
    }
    if let Some(r) = &s.repository {
        if !is_http_url(&r.url) {
            push(
                "repository.url",
                format!("not an http(s) URL: {}", printable(&r.url)),
            );
        }
        if let Some(sub) = &r.subfolder {
            if sub
                .split('/')
                .any(|p| p == ".." || p == "." || p.is_empty())
                || sub.starts_with('/')
            {
                push(
                    "repository.subfolder",
                    format!("not a clean relative path: {}", printable(sub)),
                );
            }
        }
        if let Some(p) = &r.pushed_at {
            if !is_rfc3339(p) {
                push(
                    "repository.pushed_at",
                    format!("not an RFC 3339 date-time: {}", printable(p)),
                );
            }
        }
    }
    for (i, p) in s.install.packages.iter().enumerate() {
        if p.registry_type.is_empty() {
            push(
                &format!("install.packages[{i}].registryType"),
                "empty".into(),
            );
        }
        if p.identifier.is_empty() {
            push(&format!("install.packages[{i}].identifier"), "empty".into());
        }
        if !matches!(
            p.transport.kind.as_str(),
            "stdio" | "streamable-http" | "sse"
        ) {
            push(
                &format!("install.packages[{i}].transport.type"),
                format!("unknown transport {}", printable(&p.transport.kind)),
            );
        }
    }
    for (i, r) in s.install.remotes.iter().enumerate() {
        if !matches!(r.kind.as_str(), "streamable-http" | "sse") {
            push(
                &format!("install.remotes[{i}].type"),
                format!(
                    "a remote is streamable-http or sse, not {}",
                    printable(&r.kind)
                ),
            );
        }
        match &r.url {
            None => push(&format!("install.remotes[{i}].url"), "missing".into()),
            Some(u) if !(is_http_url(u) || u.starts_with('{')) => push(
                &format!("install.remotes[{i}].url"),
                format!("not an http(s) URL: {}", printable(u)),
            ),
            _ => {}
        }
    }
    if s.categories.len() > 3 {
        push(
            "categories",
            format!("{} categories, at most 3", s.categories.len()),
        );
    }
    let over = |v: &str, cap: usize| v.chars().nth(cap).is_some();
    if over(&s.name, NAME_CAP) || s.title.as_deref().is_some_and(|t| over(t, NAME_CAP)) {
        push("name", format!("name or title over {NAME_CAP} chars"));
    }
    if s.description
        .as_deref()
        .is_some_and(|d| over(d, DESCRIPTION_CAP))
    {
        push("description", format!("over {DESCRIPTION_CAP} chars"));
    }
    for (i, e) in s.sources.iter().enumerate() {
        if e.summary
            .as_deref()
            .is_some_and(|d| over(d, DESCRIPTION_CAP))
        {
            push(
                &format!("sources[{i}].summary"),
                format!("over {DESCRIPTION_CAP} chars"),
            );
        }
    }
    if let Some(readme) = &s.readme {
        if readme.len() > README_CAP {
            push(
                "readme",
                format!("{} bytes, over the {README_CAP}-byte cap", readme.len()),
            );
        }
    }
    if s.health.len() > HEALTH_CAP {
        push(
            "health",
            format!("{} entries, at most {HEALTH_CAP}", s.health.len()),
        );
    }
    for (i, h) in s.health.iter().enumerate() {
        if !is_date(&h.date) {
            push(
                &format!("health[{i}].date"),
                format!("not a YYYY-MM-DD day: {}", printable(&h.date)),
            );
        }
        if i > 0 && s.health[i - 1].date >= h.date {
            push(
                &format!("health[{i}].date"),
                "health history is not in increasing date order".into(),
            );
        }
    }
    if let Some(p) = &s.probe {
        if !is_rfc3339(&p.probed_at) {
            push(
                "probe.probed_at",
                format!("not an RFC 3339 date-time: {}", printable(&p.probed_at)),
            );
        }
    }
    if let Some(score) = &s.score {
        if !(0.0..=100.0).contains(&score.total) {
            push("score.total", format!("{} is outside 0–100", score.total));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(is_http_url("https://github.com/a/b"));
        assert!(is_http_url("http://127.0.0.1:8080/x?y#z"));
        assert!(!is_http_url("javascript:alert(1)"));
        assert!(!is_http_url("https://"));
        assert!(!is_http_url("https://a b/"));
        assert!(!is_http_url("ftp://x/"));
    }

    #[test]
    fn problems_with_untrusted_keys_stay_on_one_line() {
        let p = Problem {
            file: None,
            record: Some(("a\nb".into(), 0)),
            field: Some("probe.lists.x\ny".into()),
            reason: "bad\r\nvalue".into(),
        };
        assert!(!p.to_string().contains(['\n', '\r']), "{p}");
    }

    #[test]
    fn source_homepage_and_license_are_checked() {
        let mut s = crate::synthetic::catalogue(1, 20_000).servers.remove(0);
        assert!(check_server(&s).is_empty(), "{:?}", check_server(&s));
        s.sources[0].homepage = Some("javascript:alert(1)".into());
        s.sources[0].license = Some("MIT\u{7}".into());
        let fields: Vec<String> = check_server(&s).into_iter().map(|(f, _)| f).collect();
        assert!(
            fields.contains(&"sources[0].homepage".to_string()),
            "{fields:?}"
        );
        assert!(
            fields.contains(&"sources[0].license".to_string()),
            "{fields:?}"
        );
    }

    #[test]
    fn printable_escapes_controls() {
        assert_eq!(printable("a\nb"), "a\\u{a}b");
        assert_eq!(printable("x\u{202E}y"), "x\\u{202e}y");
        assert!(printable(&"z".repeat(1000)).chars().count() <= 121);
    }
}
