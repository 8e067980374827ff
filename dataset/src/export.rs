//! Export of a record to the official MCP `server.json` (schema 2025-12-11), and the official
//! required-field rules to check one.
//!
//! The export maps Hisper's record onto the publisher file: a reverse-DNS `name`, a `description`
//! of at most 100 characters, a `version` without ranges, `packages`, `remotes` and `repository`,
//! with everything Hisper adds (id, kind, probe outcome, tool names, score) under one namespaced
//! `_meta` key, [`META_KEY`]. It does not publish anything.

use serde_json::{json, Map, Value};

use crate::{Server, Source};

/// The `$schema` of the exported files.
pub const SCHEMA_URL: &str =
    "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json";
/// The `_meta` key that holds Hisper's own data.
pub const META_KEY: &str = "dev.hisper/registry";

/// Turns a string into the allowed character set of one side of a `server.json` name.
fn clean(s: &str, allowed: impl Fn(char) -> bool) -> String {
    let mut out: String = s
        .chars()
        .map(|c| if allowed(c) { c } else { '-' })
        .collect::<String>()
        .trim_matches(|c| c == '-' || c == '.')
        .to_string();
    while out.contains("--") {
        out = out.replace("--", "-");
    }
    if out.is_empty() {
        out.push('x');
    }
    out
}

fn ns_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '.' || c == '-'
}

fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-'
}

/// The reverse-DNS name of a record: the MCP Registry's own name when it is listed there,
/// `io.github.<owner>/<repo>[-<subfolder>]` when the GitHub repository is known, else a name
/// under Hisper's namespace (`dev.hisper.npm/<package>`, `dev.hisper.pypi/<package>`).
pub fn server_json_name(s: &Server) -> String {
    if let Some(e) = s.source(Source::McpRegistry) {
        if is_valid_name(&e.identifier) {
            return e.identifier.clone();
        }
    }
    if let Some(r) = s.repository.as_ref().filter(|r| r.forge == "github") {
        let mut name = r.name.clone();
        if let Some(sub) = &r.subfolder {
            name = format!("{name}-{}", sub.rsplit('/').next().unwrap_or(sub));
        }
        return format!(
            "io.github.{}/{}",
            clean(&r.owner, ns_char),
            clean(&name, name_char)
        );
    }
    let ns = match s.sources.first().map(|e| e.source) {
        Some(Source::Npm) => "dev.hisper.npm",
        Some(Source::Pypi) => "dev.hisper.pypi",
        _ => "dev.hisper",
    };
    let n = clean(s.name.trim_start_matches('@'), name_char);
    let mut full = format!("{ns}/{n}");
    full.truncate(200);
    full
}

/// The official name pattern `^[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+$`, 3–200 characters.
pub fn is_valid_name(name: &str) -> bool {
    let Some((ns, n)) = name.split_once('/') else {
        return false;
    };
    (3..=200).contains(&name.len())
        && !ns.is_empty()
        && !n.is_empty()
        && ns.chars().all(ns_char)
        && n.chars().all(name_char)
}

/// Whether a version is an exact one (no range, not `latest`).
pub fn is_exact_version(v: &str) -> bool {
    let v = v.trim();
    !v.is_empty()
        && v.len() <= 255
        && v != "latest"
        && !v.starts_with(['^', '~', '>', '<', '=', '*'])
        && !v.contains(['*', ' ', '|'])
        && !v.split('.').any(|p| p.eq_ignore_ascii_case("x"))
}

/// Cuts a description to the official 100-character limit on a word boundary, with an ellipsis.
pub fn short_description(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() <= 100 {
        return s;
    }
    let cut: String = s.chars().take(99).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > 60 => cut[..i].to_string(),
        _ => cut,
    };
    format!("{}…", cut.trim_end_matches([',', '.', ';', ':', ' ']))
}

/// The official `server.json` of a record.
pub fn to_server_json(s: &Server) -> Value {
    let mut o = Map::new();
    o.insert("$schema".into(), json!(SCHEMA_URL));
    o.insert("name".into(), json!(server_json_name(s)));
    let desc = s
        .description
        .as_deref()
        .filter(|d| !d.trim().is_empty())
        .map(short_description)
        .unwrap_or_else(|| short_description(&format!("MCP server {}", s.name)));
    o.insert("description".into(), json!(desc));
    if let Some(t) = s.title.as_deref().filter(|t| !t.trim().is_empty()) {
        let t: String = t.chars().take(100).collect();
        o.insert("title".into(), json!(t));
    }
    let version = s
        .version()
        .filter(|v| is_exact_version(v))
        .unwrap_or("0.0.0");
    o.insert("version".into(), json!(version));
    if let Some(r) = &s.repository {
        let mut repo = Map::new();
        repo.insert("url".into(), json!(r.url));
        repo.insert("source".into(), json!(r.forge));
        if let Some(id) = r.forge_id {
            repo.insert("id".into(), json!(id.to_string()));
        }
        if let Some(sub) = &r.subfolder {
            repo.insert("subfolder".into(), json!(sub));
        }
        o.insert("repository".into(), Value::Object(repo));
    }
    let packages: Vec<Value> = s
        .install
        .packages
        .iter()
        .map(|p| {
            let mut p = p.clone();
            if p.version.as_deref().is_some_and(|v| !is_exact_version(v)) {
                p.version = None;
            }
            serde_json::to_value(p).expect("packages serialize")
        })
        .collect();
    if !packages.is_empty() {
        o.insert("packages".into(), Value::Array(packages));
    }
    if !s.install.remotes.is_empty() {
        o.insert(
            "remotes".into(),
            serde_json::to_value(&s.install.remotes).expect("remotes serialize"),
        );
    }
    let mut meta = Map::new();
    meta.insert("id".into(), json!(s.id));
    meta.insert("kind".into(), json!(s.kind.as_str()));
    meta.insert(
        "sources".into(),
        json!(s
            .sources
            .iter()
            .map(|e| json!({"source": e.source.as_str(), "identifier": e.identifier}))
            .collect::<Vec<_>>()),
    );
    if let Some(p) = &s.probe {
        meta.insert(
            "probe".into(),
            json!({
                "outcome": p.outcome.as_str(),
                "probed_at": p.probed_at,
                "protocol_version": p.protocol_version,
                "tools": p.tool_names().collect::<Vec<_>>(),
            }),
        );
    }
    if let Some(score) = &s.score {
        meta.insert("score".into(), json!(score.total));
    }
    if !s.categories.is_empty() {
        meta.insert(
            "categories".into(),
            json!(s
                .categories
                .iter()
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>()),
        );
    }
    o.insert("_meta".into(), json!({ META_KEY: Value::Object(meta) }));
    Value::Object(o)
}

/// The official rules for a publisher `server.json`; returns one message per broken rule.
pub fn check_server_json(v: &Value) -> Vec<String> {
    let mut errs = Vec::new();
    let Some(o) = v.as_object() else {
        return vec!["not an object".into()];
    };
    match o.get("name").and_then(Value::as_str) {
        None => errs.push("name: required".into()),
        Some(n) if !is_valid_name(n) => {
            errs.push(format!("name: {n:?} is not reverse-DNS namespace/name"))
        }
        _ => {}
    }
    match o.get("description").and_then(Value::as_str) {
        None => errs.push("description: required".into()),
        Some(d) if d.is_empty() || d.chars().count() > 100 => errs.push(format!(
            "description: {} characters, must be 1–100",
            d.chars().count()
        )),
        _ => {}
    }
    match o.get("version").and_then(Value::as_str) {
        None => errs.push("version: required".into()),
        Some(ver) if !is_exact_version(ver) => {
            errs.push(format!("version: {ver:?} is a range or not exact"))
        }
        _ => {}
    }
    if let Some(t) = o.get("title").and_then(Value::as_str) {
        if t.is_empty() || t.chars().count() > 100 {
            errs.push("title: must be 1–100 characters".into());
        }
    }
    if let Some(r) = o.get("repository") {
        if r.get("url").and_then(Value::as_str).is_none()
            || r.get("source").and_then(Value::as_str).is_none()
        {
            errs.push("repository: url and source are required".into());
        }
    }
    for (i, p) in o
        .get("packages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        for req in ["registryType", "identifier", "transport"] {
            if p.get(req).is_none() {
                errs.push(format!("packages[{i}].{req}: required"));
            }
        }
        if let Some(ver) = p.get("version").and_then(Value::as_str) {
            if !is_exact_version(ver) {
                errs.push(format!(
                    "packages[{i}].version: {ver:?} is a range or not exact"
                ));
            }
        }
        if p.pointer("/transport/type")
            .and_then(Value::as_str)
            .is_none()
        {
            errs.push(format!("packages[{i}].transport.type: required"));
        }
    }
    for (i, r) in o
        .get("remotes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        if !matches!(
            r.get("type").and_then(Value::as_str),
            Some("streamable-http" | "sse")
        ) {
            errs.push(format!("remotes[{i}].type: must be streamable-http or sse"));
        }
        if r.get("url").and_then(Value::as_str).is_none() {
            errs.push(format!("remotes[{i}].url: required"));
        }
    }
    if let Some(meta) = o.get("_meta") {
        if meta.to_string().len() > 4096 {
            errs.push("_meta: over 4 KB".into());
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remotes_are_exported_exactly_as_the_registry_declared_them() {
        // A Registry `remotes` entry with every field a remote can carry: a templated URL, its
        // variables, and headers (a secret one among them).
        let declared = json!([
            {"type": "streamable-http", "url": "https://{tenant}.example.com/mcp",
             "variables": {"tenant": {"description": "Your tenant", "isRequired": true,
                                       "default": "acme", "choices": ["acme", "beta"]}},
             "headers": [
                {"name": "Authorization", "description": "Bearer token", "isRequired": true,
                 "isSecret": true, "value": "Bearer {token}"},
                {"name": "X-Region", "default": "eu", "format": "string"}
             ]},
            {"type": "sse", "url": "https://example.com/sse"}
        ]);
        let mut s = crate::synthetic::catalogue(1, 5).servers.remove(0);
        s.install.remotes = serde_json::from_value(declared.clone()).unwrap();
        let out = to_server_json(&s);
        assert_eq!(out["remotes"], declared);
        assert!(check_server_json(&out)
            .iter()
            .all(|e| !e.starts_with("remotes")));
    }

    #[test]
    fn versions() {
        for ok in ["1.2.3", "0.1.0-beta.1", "2025.1.1"] {
            assert!(is_exact_version(ok), "{ok}");
        }
        for bad in ["^1.2.3", "~1", ">=1", "1.x", "1.*", "latest", "", "1 || 2"] {
            assert!(!is_exact_version(bad), "{bad}");
        }
    }

    #[test]
    fn descriptions_are_cut() {
        let long = "word ".repeat(60);
        let d = short_description(&long);
        assert!(d.chars().count() <= 100, "{}", d.chars().count());
        assert!(d.ends_with('…'));
    }

    #[test]
    fn names() {
        assert!(is_valid_name("io.github.owner/repo"));
        assert!(!is_valid_name("owner repo"));
        assert!(!is_valid_name("noslash"));
    }
}
