//! Install snippets for MCP clients (Claude Desktop, Claude Code, VS Code, Cursor and a plain
//! command line), generated from a record's `install` data in the official `server.json` shapes.
//!
//! Snippets are plain text (the templates escape them); values that came from packages are
//! shell-quoted in command lines and JSON-encoded in config files, so a hostile package name
//! cannot turn a copied command into a different one. Secrets are never filled in: required
//! inputs get a `<NAME>` placeholder. It does not check that a package exists.

use serde::Serialize;
use serde_json::{Map, Value};

use dataset::{Argument, Package, Server, Transport};

/// One snippet: a tab on the server page.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Snippet {
    /// Short stable id, used in element ids: `claude-desktop`, `claude-code`, `vscode`, `cursor`, `cli`.
    pub id: &'static str,
    pub label: &'static str,
    /// Where the snippet goes.
    pub hint: String,
    pub code: String,
}

/// How a server is launched: a local command or a remote URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Launch {
    Command {
        command: String,
        args: Vec<String>,
        env: Vec<(String, String)>,
    },
    Remote {
        kind: String,
        url: String,
        headers: Vec<(String, String)>,
    },
}

/// Whether `s` can go in a shell command line unquoted.
fn shell_safe(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "@%+=:,./-_".contains(c))
}

/// POSIX shell quoting.
pub fn shell_quote(s: &str) -> String {
    if shell_safe(s) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

fn placeholder(a: &Argument) -> String {
    if let Some(v) = a.value.as_deref().filter(|v| !v.is_empty()) {
        return v.to_string();
    }
    if !a.is_secret {
        if let Some(d) = a.default.as_deref().filter(|v| !v.is_empty()) {
            return d.to_string();
        }
    }
    let name = a
        .value_hint
        .as_deref()
        .or(a.name.as_deref())
        .unwrap_or("value")
        .trim_start_matches('-');
    format!("<{name}>")
}

fn push_args(out: &mut Vec<String>, args: &[Argument]) {
    for a in args {
        let is_named = a.kind.as_deref() == Some("named");
        if !a.is_required && a.value.is_none() && a.default.is_none() {
            continue;
        }
        if is_named {
            if let Some(n) = &a.name {
                out.push(n.clone());
            }
            if a.format.as_deref() != Some("boolean") || a.value.is_some() {
                out.push(placeholder(a));
            }
        } else {
            out.push(placeholder(a));
        }
    }
}

/// The launch of one package.
pub fn package_launch(p: &Package) -> Launch {
    let versioned = |sep: &str| match p.version.as_deref() {
        Some(v) if !v.is_empty() && dataset::export::is_exact_version(v) => {
            format!("{}{sep}{v}", p.identifier)
        }
        _ => p.identifier.clone(),
    };
    let mut args = Vec::new();
    let command = match (p.registry_type.as_str(), p.runtime_hint.as_deref()) {
        (_, Some(hint)) if !p.runtime_arguments.is_empty() => {
            push_args(&mut args, &p.runtime_arguments);
            let target = match p.registry_type.as_str() {
                "npm" => versioned("@"),
                "pypi" => versioned("=="),
                "oci" => p.identifier.clone(),
                _ => p.identifier.clone(),
            };
            args.push(target);
            hint.to_string()
        }
        ("npm", _) => {
            args.push("-y".into());
            args.push(versioned("@"));
            "npx".into()
        }
        ("pypi", _) => {
            args.push(versioned("=="));
            "uvx".into()
        }
        ("oci", _) => {
            args.extend(["run", "-i", "--rm"].map(String::from));
            for e in &p.environment_variables {
                if let Some(n) = &e.name {
                    args.push("-e".into());
                    args.push(n.clone());
                }
            }
            args.push(p.identifier.clone());
            "docker".into()
        }
        ("nuget", _) => {
            args.push(versioned("@"));
            args.push("--yes".into());
            "dnx".into()
        }
        (_, Some(hint)) => {
            args.push(p.identifier.clone());
            hint.to_string()
        }
        _ => p.identifier.clone(),
    };
    push_args(&mut args, &p.package_arguments);
    let env = p
        .environment_variables
        .iter()
        .filter(|e| e.is_required || e.value.is_some())
        .filter_map(|e| e.name.clone().map(|n| (n, placeholder(e))))
        .collect();
    Launch::Command { command, args, env }
}

/// The launch of one remote.
pub fn remote_launch(t: &Transport) -> Option<Launch> {
    let url = t.url.clone()?;
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return None;
    }
    let headers = t
        .headers
        .iter()
        .filter(|h| h.is_required || h.value.is_some())
        .filter_map(|h| h.name.clone().map(|n| (n, placeholder(h))))
        .collect();
    Some(Launch::Remote {
        kind: t.kind.clone(),
        url,
        headers,
    })
}

/// The preferred launch of a server: a stdio npm or PyPI package, then any package, then a remote.
pub fn preferred_launch(s: &Server) -> Option<Launch> {
    let pkgs = &s.install.packages;
    let pick = pkgs
        .iter()
        .find(|p| p.transport.kind == "stdio" && matches!(p.registry_type.as_str(), "npm" | "pypi"))
        .or_else(|| pkgs.iter().find(|p| p.transport.kind == "stdio"))
        .or_else(|| pkgs.first());
    if let Some(p) = pick {
        return Some(package_launch(p));
    }
    s.install.remotes.iter().find_map(remote_launch)
}

/// The key a server gets in a client's config: the last part of its name, `[a-z0-9-_]` only.
pub fn config_key(name: &str) -> String {
    let last = name.rsplit('/').next().unwrap_or(name);
    let mut key: String = last
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    key = key.trim_matches('-').to_string();
    if key.is_empty() {
        key = "server".into();
    }
    key.truncate(60);
    key
}

fn pretty(v: &impl Serialize) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// One client config entry, fields in the order people expect to read them.
#[derive(Serialize, Clone, Default)]
struct Entry {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    command: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    args: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    env: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    headers: Option<Map<String, Value>>,
}

/// `{ "<outer>": { "<key>": entry } }`, pretty-printed.
fn wrap(outer: &str, key: &str, e: Entry) -> String {
    let inner: std::collections::BTreeMap<&str, Entry> = [(key, e)].into_iter().collect();
    let top: std::collections::BTreeMap<&str, _> = [(outer, inner)].into_iter().collect();
    pretty(&top)
}

fn env_obj(env: &[(String, String)]) -> Map<String, Value> {
    env.iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect()
}

/// Every snippet for a server, or none when nothing says how to launch it.
pub fn snippets(s: &Server) -> Vec<Snippet> {
    let Some(launch) = preferred_launch(s) else {
        return Vec::new();
    };
    let key = config_key(&s.name);
    let mut out = Vec::new();
    match &launch {
        Launch::Command { command, args, env } => {
            let entry = Entry {
                command: Some(command.clone()),
                args: Some(args.clone()),
                env: (!env.is_empty()).then(|| env_obj(env)),
                ..Entry::default()
            };
            out.push(Snippet {
                id: "claude-desktop",
                label: "Claude Desktop",
                hint: "Add to claude_desktop_config.json (Settings → Developer → Edit Config)."
                    .into(),
                code: wrap("mcpServers", &key, entry.clone()),
            });
            let mut cc = vec![
                "claude".to_string(),
                "mcp".into(),
                "add".into(),
                shell_quote(&key),
            ];
            for (k, v) in env {
                cc.push("-e".into());
                cc.push(shell_quote(&format!("{k}={v}")));
            }
            cc.push("--".into());
            cc.push(shell_quote(command));
            cc.extend(args.iter().map(|a| shell_quote(a)));
            out.push(Snippet {
                id: "claude-code",
                label: "Claude Code",
                hint: "Run in a terminal.".into(),
                code: cc.join(" "),
            });
            out.push(Snippet {
                id: "vscode",
                label: "VS Code",
                hint: "Add to .vscode/mcp.json in your workspace.".into(),
                code: wrap(
                    "servers",
                    &key,
                    Entry {
                        kind: Some("stdio"),
                        ..entry.clone()
                    },
                ),
            });
            out.push(Snippet {
                id: "cursor",
                label: "Cursor",
                hint: "Add to ~/.cursor/mcp.json (or .cursor/mcp.json in a project).".into(),
                code: wrap("mcpServers", &key, entry),
            });
            let valid_name = |k: &str| {
                !k.is_empty()
                    && !k.starts_with(|c: char| c.is_ascii_digit())
                    && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            };
            let mut cli: Vec<String> = Vec::new();
            if env.iter().any(|(k, _)| !valid_name(k)) {
                // Not a shell assignment: let env(1) set it.
                cli.push("env".into());
                cli.extend(env.iter().map(|(k, v)| shell_quote(&format!("{k}={v}"))));
            } else {
                cli.extend(env.iter().map(|(k, v)| format!("{k}={}", shell_quote(v))));
            }
            cli.push(shell_quote(command));
            cli.extend(args.iter().map(|a| shell_quote(a)));
            out.push(Snippet {
                id: "cli",
                label: "Command line",
                hint: "Runs the server on stdio, for testing or other clients.".into(),
                code: cli.join(" "),
            });
        }
        Launch::Remote { kind, url, headers } => {
            let http_kind: &'static str = if kind == "sse" { "sse" } else { "http" };
            let mut remote_args = vec!["-y".to_string(), "mcp-remote".into(), url.clone()];
            for (k, v) in headers {
                remote_args.push("--header".into());
                remote_args.push(format!("{k}: {v}"));
            }
            out.push(Snippet {
                id: "claude-desktop",
                label: "Claude Desktop",
                hint: "Add to claude_desktop_config.json; mcp-remote bridges the remote server to stdio."
                    .into(),
                code: wrap(
                    "mcpServers",
                    &key,
                    Entry {
                        command: Some("npx".into()),
                        args: Some(remote_args.clone()),
                        ..Entry::default()
                    },
                ),
            });
            let mut cc = vec![
                "claude".to_string(),
                "mcp".into(),
                "add".into(),
                "--transport".into(),
                http_kind.into(),
                shell_quote(&key),
                shell_quote(url),
            ];
            for (k, v) in headers {
                cc.push("--header".into());
                cc.push(shell_quote(&format!("{k}: {v}")));
            }
            out.push(Snippet {
                id: "claude-code",
                label: "Claude Code",
                hint: "Run in a terminal.".into(),
                code: cc.join(" "),
            });
            let hdrs = (!headers.is_empty()).then(|| env_obj(headers));
            out.push(Snippet {
                id: "vscode",
                label: "VS Code",
                hint: "Add to .vscode/mcp.json in your workspace.".into(),
                code: wrap(
                    "servers",
                    &key,
                    Entry {
                        kind: Some(http_kind),
                        url: Some(url.clone()),
                        headers: hdrs.clone(),
                        ..Entry::default()
                    },
                ),
            });
            out.push(Snippet {
                id: "cursor",
                label: "Cursor",
                hint: "Add to ~/.cursor/mcp.json.".into(),
                code: wrap(
                    "mcpServers",
                    &key,
                    Entry {
                        url: Some(url.clone()),
                        headers: hdrs,
                        ..Entry::default()
                    },
                ),
            });
            out.push(Snippet {
                id: "cli",
                label: "Command line",
                hint: "Connects to the remote server through a local stdio bridge.".into(),
                code: format!(
                    "npx -y mcp-remote {}",
                    remote_args[2..]
                        .iter()
                        .map(|a| shell_quote(a))
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
            });
        }
    }
    // Direction overrides in a copied command would hide what it runs: make them visible.
    for sn in &mut out {
        sn.code = crate::markdown::clean_multiline(&sn.code);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn npm(id: &str) -> Package {
        Package {
            registry_type: "npm".into(),
            identifier: id.into(),
            version: Some("1.2.3".into()),
            transport: Transport::stdio(),
            environment_variables: vec![Argument {
                name: Some("API_KEY".into()),
                is_required: true,
                is_secret: true,
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    #[test]
    fn npm_package_gives_npx_with_pinned_version_and_env_placeholder() {
        let s = Server {
            name: "@acme/weather-mcp".into(),
            install: dataset::Install {
                packages: vec![npm("@acme/weather-mcp")],
                remotes: vec![],
            },
            ..Default::default()
        };
        let sn = snippets(&s);
        assert_eq!(sn.len(), 5);
        let cli = sn.iter().find(|x| x.id == "cli").unwrap();
        assert_eq!(
            cli.code,
            "API_KEY='<API_KEY>' npx -y @acme/weather-mcp@1.2.3"
        );
        let desktop: Value = serde_json::from_str(&sn[0].code).unwrap();
        assert_eq!(
            desktop["mcpServers"]["weather-mcp"]["args"],
            json!(["-y", "@acme/weather-mcp@1.2.3"])
        );
        assert_eq!(
            desktop["mcpServers"]["weather-mcp"]["env"]["API_KEY"],
            "<API_KEY>"
        );
        let code = sn.iter().find(|x| x.id == "claude-code").unwrap();
        assert_eq!(
            code.code,
            "claude mcp add weather-mcp -e 'API_KEY=<API_KEY>' -- npx -y @acme/weather-mcp@1.2.3"
        );
    }

    #[test]
    fn hostile_identifiers_are_quoted() {
        let s = Server {
            name: "x".into(),
            install: dataset::Install {
                packages: vec![Package {
                    registry_type: "pypi".into(),
                    identifier: "evil; rm -rf ~".into(),
                    transport: Transport::stdio(),
                    ..Default::default()
                }],
                remotes: vec![],
            },
            ..Default::default()
        };
        let cli = snippets(&s).into_iter().find(|x| x.id == "cli").unwrap();
        assert_eq!(cli.code, "uvx 'evil; rm -rf ~'");
    }

    #[test]
    fn remote_only_uses_http_transport() {
        let s = Server {
            name: "io.example/remote".into(),
            install: dataset::Install {
                packages: vec![],
                remotes: vec![Transport {
                    kind: "streamable-http".into(),
                    url: Some("https://mcp.example.com/mcp".into()),
                    ..Default::default()
                }],
            },
            ..Default::default()
        };
        let sn = snippets(&s);
        let cc = sn.iter().find(|x| x.id == "claude-code").unwrap();
        assert_eq!(
            cc.code,
            "claude mcp add --transport http remote https://mcp.example.com/mcp"
        );
        let bad = Server {
            install: dataset::Install {
                packages: vec![],
                remotes: vec![Transport {
                    kind: "sse".into(),
                    url: Some("javascript:alert(1)".into()),
                    ..Default::default()
                }],
            },
            ..Default::default()
        };
        assert!(snippets(&bad).is_empty());
    }
}
