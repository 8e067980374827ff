//! The quality checklist: what a server's author could fix, collected from the crawl (description,
//! license, README, repository, install data) and from the probe (tool and parameter descriptions,
//! tool names against the spec's guidance, the probe's own lints).
//!
//! Every check has a stable id and a message that says what was found. Checks that need tools are
//! only listed when the probe recorded tools; nothing is marked failed for lack of a probe.

use std::collections::BTreeSet;

use dataset::{Check, Checklist, Server};
use serde_json::Value;

/// Longest description the official `server.json` accepts.
pub const DESCRIPTION_MAX: usize = 100;

/// Descriptions that templates and generators leave behind.
pub fn is_placeholder(d: &str) -> bool {
    let d = d.trim().trim_end_matches('.').to_ascii_lowercase();
    matches!(
        d.as_str(),
        "" | "add your description here"
            | "todo"
            | "tbd"
            | "description"
            | "a short description"
            | "my mcp server"
            | "mcp server"
            | "an mcp server"
            | "a mcp server"
            | "none"
            | "unknown"
    )
}

/// Whether `name` follows the spec's guidance for tool names: 1–128 characters from
/// `A-Z a-z 0-9 _ - .`.
pub fn tool_name_ok(name: &str) -> bool {
    (1..=128).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

fn check(id: &str, passed: bool, message: impl Into<String>) -> Check {
    Check {
        id: id.into(),
        passed,
        message: message.into(),
    }
}

fn list(items: &[String]) -> String {
    let mut s = items.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > 5 {
        s.push_str(&format!(" and {} more", items.len() - 5));
    }
    s
}

/// The checklist of one server, in a fixed order.
pub fn checklist(s: &Server) -> Checklist {
    let mut out = Vec::new();
    let desc = s.description.as_deref().map(str::trim).unwrap_or("");
    out.push(if is_placeholder(desc) {
        check(
            "description",
            false,
            "no description (or a template placeholder)",
        )
    } else if desc.chars().count() > DESCRIPTION_MAX {
        check(
            "description",
            false,
            format!(
                "description is {} characters; server.json allows {DESCRIPTION_MAX}",
                desc.chars().count()
            ),
        )
    } else {
        check(
            "description",
            true,
            "description present and short enough for server.json",
        )
    });

    if let Some(p) = s.probe.as_ref().filter(|p| !p.tools.is_empty()) {
        let name_of = |i: usize, t: &Value| {
            t.get("name")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| format!("#{i}"))
        };
        let described = |v: Option<&Value>| {
            v.and_then(Value::as_str)
                .is_some_and(|d| !d.trim().is_empty())
        };
        let undocumented: Vec<String> = p
            .tools
            .iter()
            .enumerate()
            .filter(|(_, t)| !described(t.get("description")))
            .map(|(i, t)| name_of(i, t))
            .collect();
        out.push(if undocumented.is_empty() {
            check(
                "tool-descriptions",
                true,
                format!("all {} tools are described", p.tools.len()),
            )
        } else {
            check(
                "tool-descriptions",
                false,
                format!("tools without a description: {}", list(&undocumented)),
            )
        });
        let mut bare_params = Vec::new();
        for (i, t) in p.tools.iter().enumerate() {
            if let Some(props) = t
                .get("inputSchema")
                .and_then(|x| x.get("properties"))
                .and_then(Value::as_object)
            {
                for (k, v) in props {
                    if !described(v.get("description")) {
                        bare_params.push(format!("{}.{k}", name_of(i, t)));
                    }
                }
            }
        }
        out.push(if bare_params.is_empty() {
            check(
                "parameter-descriptions",
                true,
                "every parameter is described",
            )
        } else {
            check(
                "parameter-descriptions",
                false,
                format!("parameters without a description: {}", list(&bare_params)),
            )
        });
        let mut seen = BTreeSet::new();
        let mut bad_names = Vec::new();
        for (i, t) in p.tools.iter().enumerate() {
            let n = name_of(i, t);
            if !tool_name_ok(&n) || !seen.insert(n.clone()) {
                bad_names.push(n);
            }
        }
        out.push(if bad_names.is_empty() {
            check("tool-names", true, "tool names follow the spec's guidance")
        } else {
            check(
                "tool-names",
                false,
                format!(
                    "tool names outside 1–128 characters of A-Z a-z 0-9 _ - . or repeated: {}",
                    list(&bad_names)
                ),
            )
        });
    }
    if let Some(p) = &s.probe {
        let serious: BTreeSet<String> = p
            .lints
            .iter()
            .filter(|l| l.severity == "error" || l.severity == "warning")
            .map(|l| l.code.clone())
            .collect();
        let serious: Vec<String> = serious.into_iter().collect();
        out.push(if serious.is_empty() {
            check("probe-lints", true, "the probe raised no warnings")
        } else {
            check(
                "probe-lints",
                false,
                format!("the probe warned: {}", list(&serious)),
            )
        });
    }

    // The repository's license, else the one the package declares.
    out.push(match s.license() {
        Some(l) => check("license", true, format!("license: {l}")),
        None => check("license", false, "no license found"),
    });
    out.push(match s.readme.as_deref().map(str::trim) {
        Some(r) if r.len() >= 300 => check("readme", true, "README present"),
        Some(r) if !r.is_empty() => check("readme", false, "README is very short"),
        _ => check("readme", false, "no README found"),
    });
    out.push(match &s.repository {
        Some(r) => check("repository", true, format!("repository: {}", r.url)),
        None => check("repository", false, "no repository link"),
    });
    let complete_pkg =
        s.install.packages.iter().any(|p| {
            !p.identifier.is_empty() && p.version.as_deref().is_some_and(|v| !v.is_empty())
        });
    let complete_remote = s
        .install
        .remotes
        .iter()
        .any(|r| r.url.as_deref().is_some_and(|u| !u.is_empty()));
    out.push(if complete_pkg || complete_remote {
        check(
            "install",
            true,
            "install data complete (package with version, or remote URL)",
        )
    } else if s.install.is_empty() {
        check("install", false, "no install data (no package or remote)")
    } else {
        check(
            "install",
            false,
            "install data incomplete (package without a version)",
        )
    });
    Checklist(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dataset::{Outcome, ProbeRecord};
    use serde_json::json;

    fn by_id<'a>(c: &'a Checklist, id: &str) -> Option<&'a Check> {
        c.0.iter().find(|x| x.id == id)
    }

    #[test]
    fn checks_report_what_they_found() {
        let mut s = Server {
            description: Some("x".repeat(150)),
            ..Default::default()
        };
        let c = checklist(&s);
        assert!(!by_id(&c, "description").unwrap().passed);
        assert!(by_id(&c, "description").unwrap().message.contains("150"));
        assert!(by_id(&c, "tool-descriptions").is_none());
        let mut p = ProbeRecord::bare(Outcome::Ok, "2026-11-22T00:00:00Z");
        p.tools = vec![
            json!({"name": "ok_tool", "description": "Does a thing",
                   "inputSchema": {"type": "object", "properties": {"a": {"type": "string"}}}}),
            json!({"name": "bad name!"}),
        ];
        s.probe = Some(p);
        let c = checklist(&s);
        let td = by_id(&c, "tool-descriptions").unwrap();
        assert!(!td.passed && td.message.contains("bad name!"));
        let pd = by_id(&c, "parameter-descriptions").unwrap();
        assert!(!pd.passed && pd.message.contains("ok_tool.a"));
        assert!(!by_id(&c, "tool-names").unwrap().passed);
        assert!(by_id(&c, "probe-lints").unwrap().passed);
    }

    #[test]
    fn placeholders_are_not_descriptions() {
        assert!(is_placeholder("Add your description here"));
        assert!(!is_placeholder("Query Postgres"));
        assert!(tool_name_ok("git.status-2_x"));
        assert!(!tool_name_ok(""));
        assert!(!tool_name_ok(&"a".repeat(129)));
    }
}
