//! Tool safety: a risk level for every tool a probe recorded, and a per-server summary.
//!
//! Two readings are combined. What the server *declared* in its tool annotations (`readOnlyHint`,
//! `destructiveHint`, `openWorldHint`, with the spec's defaults applied when a hint is missing:
//! not read-only, destructive, open world), which is self-declared and untrusted; and what the
//! tool's *name and description* say (verbs like read/list/search vs write/create/send vs
//! delete/drop/kill vs exec/eval/shell). The stored risk is the higher of the two whenever the name
//! or description gives evidence, and a disagreement in the unsafe direction ("says read-only, name
//! says delete") is recorded as a conflict. It never runs a tool.

use std::collections::BTreeMap;

use dataset::{Risk, SafetySummary, Server, ToolSafety};
use serde_json::Value;

use crate::text;

/// Risk given to a tool when neither its annotations nor its words say anything.
pub const FALLBACK: Risk = Risk::ReadOnly;

const CODE_WORDS: &[&str] = &[
    "exec",
    "execute",
    "eval",
    "evaluate",
    "shell",
    "bash",
    "zsh",
    "powershell",
    "terminal",
    "repl",
    "spawn",
    "applescript",
    "osascript",
    "interpreter",
    "sandbox",
    "subprocess",
    "cmd",
];
/// Objects that turn `run`/`start`/`launch` into code execution.
const CODE_OBJECTS: &[&str] = &[
    "code",
    "command",
    "script",
    "python",
    "javascript",
    "js",
    "notebook",
    "cell",
    "program",
    "process",
    "snippet",
    "shell",
    "container",
];
/// Objects that make `execute`/`run` a database statement (it writes), not code.
const QUERY_OBJECTS: &[&str] = &["sql", "query", "statement", "cypher", "mutation", "graphql"];
const DESTRUCTIVE_WORDS: &[&str] = &[
    "delete",
    "remove",
    "rm",
    "drop",
    "kill",
    "terminate",
    "destroy",
    "purge",
    "truncate",
    "erase",
    "wipe",
    "uninstall",
    "unlink",
    "rmdir",
    "clear",
    "flush",
    "prune",
    "reset",
    "revoke",
    "overwrite",
    "discard",
    "ban",
    "deletion",
    "permanently",
];
const WRITE_WORDS: &[&str] = &[
    "write",
    "create",
    "update",
    "edit",
    "set",
    "add",
    "put",
    "post",
    "send",
    "insert",
    "modify",
    "move",
    "rename",
    "upload",
    "commit",
    "push",
    "merge",
    "publish",
    "append",
    "patch",
    "save",
    "apply",
    "assign",
    "close",
    "comment",
    "reply",
    "invite",
    "schedule",
    "fill",
    "click",
    "type",
    "press",
    "drag",
    "install",
    "deploy",
    "start",
    "stop",
    "restart",
    "enable",
    "disable",
    "toggle",
    "transition",
    "approve",
    "reject",
    "submit",
    "book",
    "order",
    "pay",
    "transfer",
    "buy",
    "sell",
    "trade",
    "fork",
    "clone",
    "checkout",
    "init",
    "mark",
    "star",
    "follow",
    "like",
    "label",
    "archive",
    "import",
    "sync",
    "store",
    "remember",
    "register",
    "copy",
    "restore",
    "rollback",
    "scale",
    "upsert",
    "attach",
    "trigger",
    "invoke",
    "notify",
    "share",
    "react",
    "pin",
    "unpin",
    "lock",
    "unlock",
    "mute",
    "accept",
    "decline",
    "complete",
    "reopen",
    "cancel",
    "replace",
    "change",
    "configure",
    "generate",
    "make",
    "build",
    "mutate",
    "swap",
    "mint",
    "deposit",
    "withdraw",
    "stake",
    "record",
    "track",
    "resize",
    "select",
    "manage",
    "forward",
    "upgrade",
    "bump",
    "release",
    "rebase",
    "stage",
    "unstage",
    "tag",
    "transcribe",
    "handle",
    "pull",
    "link",
    "finalize",
];
const READ_WORDS: &[&str] = &[
    "read",
    "get",
    "list",
    "search",
    "find",
    "fetch",
    "query",
    "describe",
    "show",
    "view",
    "lookup",
    "count",
    "check",
    "status",
    "diff",
    "inspect",
    "explain",
    "analyze",
    "analyse",
    "summarize",
    "retrieve",
    "browse",
    "scrape",
    "screenshot",
    "snapshot",
    "info",
    "detail",
    "history",
    "preview",
    "validate",
    "verify",
    "compare",
    "calculate",
    "convert",
    "estimate",
    "tree",
    "open",
    "ping",
    "echo",
    "health",
    "resolve",
    "translate",
    "extract",
    "parse",
    "current",
    "navigate",
    "geocode",
    "lookup",
    "look",
    "download",
    "export",
    "load",
    "watch",
    "monitor",
    "poll",
    "wait",
    "think",
    "reason",
    "plan",
    "recommend",
    "suggest",
    "predict",
    "test",
    "diagnose",
    "audit",
    "scan",
    "print",
    "render",
    "format",
    "visualize",
    "crawl",
    "map",
    "explore",
    "discover",
    "research",
    "ask",
    "answer",
    "whoami",
    "version",
    "help",
];
/// Words that say a tool reaches the network by itself.
const NETWORK_WORDS: &[&str] = &[
    "fetch", "http", "https", "url", "web", "internet", "download", "upload", "browser",
    "navigate", "online", "remote", "webhook", "api", "scrape", "crawl", "website", "webpage",
];

/// What the words of a tool say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inferred {
    pub risk: Risk,
    /// `name` or `description`.
    pub from: &'static str,
    /// The word that decided it.
    pub word: String,
}

fn class_of(tokens: &[String], i: usize) -> Option<Risk> {
    let w = tokens[i].as_str();
    let next: Vec<&str> = tokens[i + 1..].iter().take(3).map(String::as_str).collect();
    if matches!(w, "exec" | "execute" | "run" | "eval" | "evaluate")
        && next.iter().any(|n| QUERY_OBJECTS.contains(n))
    {
        return Some(Risk::Writes);
    }
    if CODE_WORDS.contains(&w) {
        return Some(Risk::RunsCode);
    }
    if matches!(w, "run" | "start" | "launch" | "call")
        && next.iter().any(|n| CODE_OBJECTS.contains(n))
    {
        return Some(Risk::RunsCode);
    }
    if DESTRUCTIVE_WORDS.contains(&w) {
        return Some(Risk::Destructive);
    }
    if WRITE_WORDS.contains(&w) {
        return Some(Risk::Writes);
    }
    if READ_WORDS.contains(&w) {
        return Some(Risk::ReadOnly);
    }
    None
}

/// Reads the risk off a tool's name: the first verb decides, unless the name joins several
/// (`create_or_update`, `search_and_replace`), where the riskiest counts; words for running code or
/// destroying things count wherever they appear.
pub fn from_name(name: &str) -> Option<Inferred> {
    let toks = text::tokens(name);
    let mut first: Option<(Risk, &str)> = None;
    let mut strongest: Option<(Risk, &str)> = None;
    for i in 0..toks.len() {
        if let Some(r) = class_of(&toks, i) {
            if first.is_none() {
                first = Some((r, &toks[i]));
            }
            if strongest.is_none_or(|(s, _)| r > s) {
                strongest = Some((r, &toks[i]));
            }
        }
    }
    let joined = toks.iter().any(|t| t == "or" || t == "and");
    let pick = match (first, strongest) {
        (Some(f), Some(s)) if joined || s.0 >= Risk::Destructive => {
            if s.0 > f.0 {
                s
            } else {
                f
            }
        }
        (Some(f), _) => f,
        _ => return None,
    };
    Some(Inferred {
        risk: pick.0,
        from: "name",
        word: pick.1.to_string(),
    })
}

/// Reads the risk off a description's first sentence: the first verb among its first words, raised
/// by any destructive or code-running word in the sentence that is not negated ("does not delete").
pub fn from_description(desc: &str) -> Option<Inferred> {
    let d = text::capped(desc);
    let sentence = d
        .split(". ")
        .next()
        .unwrap_or(d)
        .split('\n')
        .next()
        .unwrap_or(d);
    let toks = text::tokens(sentence);
    let mut first: Option<(Risk, String)> = None;
    let mut strongest: Option<(Risk, String)> = None;
    for i in 0..toks.len() {
        let negated = toks[i.saturating_sub(3)..i].iter().any(|t| {
            matches!(
                t.as_str(),
                "not" | "never" | "no" | "without" | "t" | "cannot"
            )
        });
        let Some(r) = class_of(&toks, i) else {
            continue;
        };
        if first.is_none() && i < 8 && !negated {
            first = Some((r, toks[i].clone()));
        }
        if r >= Risk::Destructive && !negated && strongest.as_ref().is_none_or(|(s, _)| r > *s) {
            strongest = Some((r, toks[i].clone()));
        }
    }
    let pick = match (first, strongest) {
        (Some(f), Some(s)) => {
            if s.0 > f.0 {
                s
            } else {
                f
            }
        }
        (Some(f), None) => f,
        (None, Some(s)) => s,
        (None, None) => return None,
    };
    Some(Inferred {
        risk: pick.0,
        from: "description",
        word: pick.1,
    })
}

/// What a tool's annotations declare, with the spec's defaults for missing hints:
/// (risk, open world, whether any annotation hint was present).
fn declared(tool: &Value) -> (Risk, bool, bool) {
    let ann = tool.get("annotations").and_then(Value::as_object);
    let hint = |k: &str| ann.and_then(|a| a.get(k)).and_then(Value::as_bool);
    let present = [
        "readOnlyHint",
        "destructiveHint",
        "openWorldHint",
        "idempotentHint",
    ]
    .iter()
    .any(|k| hint(k).is_some());
    let read_only = hint("readOnlyHint").unwrap_or(false);
    let destructive = hint("destructiveHint").unwrap_or(true);
    let open_world = hint("openWorldHint").unwrap_or(true);
    let risk = if read_only {
        Risk::ReadOnly
    } else if destructive {
        Risk::Destructive
    } else {
        Risk::Writes
    };
    (risk, open_world, present)
}

fn risk_words(r: Risk) -> &'static str {
    match r {
        Risk::ReadOnly => "read-only",
        Risk::Writes => "it writes",
        Risk::Destructive => "destructive",
        Risk::RunsCode => "runs code",
    }
}

/// Assesses one tool. `server_network` says whether the server as a whole talks to a remote
/// service (it needs API keys or has remotes), which every tool then inherits unless its
/// annotations say otherwise.
pub fn assess_tool(tool: &Value, server_network: bool) -> ToolSafety {
    let name = tool.get("name").and_then(Value::as_str).unwrap_or("");
    let desc = tool
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or("");
    let by_name = from_name(name);
    let by_desc = from_description(desc);
    let inferred = match (&by_name, &by_desc) {
        (Some(n), Some(d)) if d.risk > n.risk && d.risk >= Risk::Destructive => Some(d.clone()),
        (Some(n), _) => Some(n.clone()),
        (None, Some(d)) => Some(d.clone()),
        (None, None) => None,
    };
    let (declared_risk, open_world, present) = declared(tool);
    let risk = match (&inferred, present) {
        (Some(i), true) => i.risk.max(explicit_floor(tool)),
        (Some(i), false) => i.risk,
        (None, true) => declared_risk,
        (None, false) => FALLBACK,
    };
    let conflict = match &inferred {
        // Only a declaration that is less cautious than the words is worth a flag.
        Some(i) if present && i.risk > declared_risk && declared_risk < Risk::Destructive => {
            Some(format!(
                "says {}, {} says {}",
                match declared_risk {
                    Risk::ReadOnly => "read-only",
                    Risk::Writes => "not destructive",
                    _ => risk_words(declared_risk),
                },
                i.from,
                i.word
            ))
        }
        _ => None,
    };
    let explicit_world = tool
        .get("annotations")
        .and_then(|a| a.get("openWorldHint"))
        .and_then(Value::as_bool);
    let worded = text::tokens(name)
        .iter()
        .chain(text::tokens(text::capped(desc)).iter().take(40))
        .any(|t| NETWORK_WORDS.contains(&t.as_str()));
    let network = explicit_world.unwrap_or(server_network || worded);
    let _ = open_world;
    ToolSafety {
        risk,
        network,
        declared: Some(declared_risk),
        defaults_applied: !present,
        conflict,
        level: None,
        note: None,
    }
}

/// The least risk the explicitly set hints allow: `destructiveHint: true` with `readOnlyHint`
/// not true means at least destructive; `readOnlyHint: false` means at least writes.
fn explicit_floor(tool: &Value) -> Risk {
    let ann = tool.get("annotations");
    let hint = |k: &str| ann.and_then(|a| a.get(k)).and_then(Value::as_bool);
    match (hint("readOnlyHint"), hint("destructiveHint")) {
        (Some(true), _) => Risk::ReadOnly,
        (_, Some(true)) => Risk::Destructive,
        (Some(false), _) => Risk::Writes,
        _ => Risk::ReadOnly,
    }
}

/// Whether the server talks to a remote service: it has remote transports, its description says it
/// wraps an API, or it asks for secrets, tokens, API keys or URLs.
pub fn server_reaches_network(s: &Server) -> bool {
    if !s.install.remotes.is_empty() {
        return true;
    }
    // "MCP server for using the GitHub API": a server that wraps a web API reaches the network.
    if s.description
        .as_deref()
        .is_some_and(|d| text::words(d).iter().any(|w| w == "api" || w == "apis"))
    {
        return true;
    }
    let mut names: Vec<String> = Vec::new();
    for p in &s.install.packages {
        for a in &p.environment_variables {
            if a.is_secret {
                return true;
            }
            names.extend(a.name.clone());
        }
    }
    if let Some(p) = &s.probe {
        names.extend(p.needs.iter().cloned());
    }
    names.iter().any(|n| {
        let n = n.to_ascii_uppercase();
        [
            "API_KEY",
            "TOKEN",
            "SECRET",
            "_URL",
            "APIKEY",
            "ACCESS_KEY",
            "PASSWORD",
        ]
        .iter()
        .any(|k| n.contains(k))
    })
}

/// The safety summary of a server, or `None` when no tools were recorded.
pub fn summarize(s: &Server) -> Option<SafetySummary> {
    let probe = s.probe.as_ref()?;
    if probe.tools.is_empty() {
        return None;
    }
    let net = server_reaches_network(s);
    let mut tools = BTreeMap::new();
    for (i, t) in probe.tools.iter().enumerate() {
        let name = t
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("#{i}"));
        tools.entry(name).or_insert_with(|| assess_tool(t, net));
    }
    let any = |f: &dyn Fn(&ToolSafety) -> bool| tools.values().any(f);
    Some(SafetySummary {
        read_only: tools.values().all(|t| t.risk == Risk::ReadOnly),
        writes: any(&|t| t.risk >= Risk::Writes),
        destructive: any(&|t| t.risk >= Risk::Destructive),
        runs_code: any(&|t| t.risk == Risk::RunsCode),
        network: any(&|t| t.network),
        tools,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_decide_when_annotations_are_missing() {
        let t = assess_tool(
            &json!({"name": "read_file", "description": "Read a file"}),
            false,
        );
        assert_eq!(t.risk, Risk::ReadOnly);
        assert!(t.defaults_applied);
        assert_eq!(t.declared, Some(Risk::Destructive));
        assert!(t.conflict.is_none());
        let t = assess_tool(&json!({"name": "delete_entities"}), false);
        assert_eq!(t.risk, Risk::Destructive);
        let t = assess_tool(&json!({"name": "execute_command"}), false);
        assert_eq!(t.risk, Risk::RunsCode);
        let t = assess_tool(&json!({"name": "create_or_delete_branch"}), false);
        assert_eq!(t.risk, Risk::Destructive);
    }

    #[test]
    fn a_read_only_claim_on_a_delete_tool_is_flagged() {
        let t = assess_tool(
            &json!({"name": "delete_repo", "annotations": {"readOnlyHint": true}}),
            false,
        );
        assert_eq!(t.risk, Risk::Destructive);
        assert_eq!(t.declared, Some(Risk::ReadOnly));
        assert_eq!(
            t.conflict.as_deref(),
            Some("says read-only, name says delete")
        );
    }

    #[test]
    fn negated_words_do_not_count() {
        let d = from_description("Lists files. This never deletes anything");
        assert_eq!(d.map(|d| d.risk), Some(Risk::ReadOnly));
        let d = from_description("Does not delete files, only lists them");
        assert_eq!(d.map(|d| d.risk), Some(Risk::ReadOnly));
    }

    #[test]
    fn open_world_hint_wins_over_words() {
        let t = assess_tool(
            &json!({"name": "fetch", "annotations": {"readOnlyHint": true, "openWorldHint": false}}),
            true,
        );
        assert!(!t.network);
        let t = assess_tool(&json!({"name": "fetch_url"}), false);
        assert!(t.network);
    }
}
