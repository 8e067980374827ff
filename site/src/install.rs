//! The install plan of a server: whether it can be launched as published, which inputs it needs
//! (declared by the package or remote, or learned by the probe), and the snippets and one-click
//! links for MCP clients (Claude Desktop, Claude Code, VS Code, Cursor, Windsurf, LM Studio and a
//! plain command line), generated from the record's `install` data in the official `server.json`
//! shapes.
//!
//! Snippets are plain text (the pages escape them); values that came from packages are
//! shell-quoted in command lines and JSON-encoded in config files and links, so a hostile package
//! name cannot turn a copied command into a different one. Secrets are never filled in: every
//! required input gets a named `<NAME>` placeholder (VS Code prompts for it instead). A package the
//! probe found has nothing to run (no `bin`, no console script) or does not install on the probe's
//! platform gets an explanation, not a snippet. It does not check that a package exists.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use dataset::{Argument, Kind, Outcome, Package, Server, Source, Transport};

/// One snippet: a tab on the server page.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Snippet {
    /// Short stable id, used in element ids: `claude-desktop`, `claude-code`, `vscode`, `cursor`,
    /// `windsurf`, `lmstudio`, `cli`.
    pub id: &'static str,
    pub label: &'static str,
    /// Where the snippet goes.
    pub hint: String,
    pub code: String,
}

/// A one-click install link for a client that registers a URL scheme.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DeepLink {
    /// `vscode`, `cursor` or `lmstudio`.
    pub id: &'static str,
    /// Button text, e.g. `Install in VS Code`.
    pub label: &'static str,
    pub url: String,
}

/// Whether the server can be launched as published.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The snippets run as they are.
    Ready,
    /// The snippets run once the named placeholders are filled in.
    NeedsInputs,
    /// Snippets are given, but the package failed when Hisper last ran it (see the notes).
    Failing,
    /// Nothing known launches it: [`Plan::explanation`] says why.
    NotRunnable,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ready => "ready",
            Status::NeedsInputs => "needs_inputs",
            Status::Failing => "failing",
            Status::NotRunnable => "not_runnable",
        }
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Status::Ready => "Ready to install",
            Status::NeedsInputs => "Needs your values",
            Status::Failing => "Failed when Hisper ran it",
            Status::NotRunnable => "Nothing to launch",
        }
    }
}

/// What an input is.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    /// An environment variable.
    Env,
    /// A command-line argument (`--flag VALUE` or a positional value).
    Argument,
    /// An HTTP header of a remote.
    Header,
    /// A variable of a remote's URL template.
    UrlVariable,
}

impl InputKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InputKind::Env => "environment variable",
            InputKind::Argument => "argument",
            InputKind::Header => "header",
            InputKind::UrlVariable => "URL variable",
        }
    }
}

/// One value the user supplies.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Input {
    /// `BRAVE_API_KEY`, `--token`, `database-url`, `Authorization`, `tenant`.
    pub name: String,
    pub kind: InputKind,
    pub required: bool,
    pub secret: bool,
    pub description: String,
    /// What stands for it in the snippets: `<BRAVE_API_KEY>`.
    pub placeholder: String,
    /// Learned by the probe (the server asked for it), not declared by the publisher.
    pub learned: bool,
}

/// Everything the server page says about installing one server.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Plan {
    pub status: Status,
    /// Why there is no snippet (only with [`Status::NotRunnable`]).
    pub explanation: Option<String>,
    /// The record to install instead (a platform binary's parent), by id.
    pub install_instead: Option<String>,
    /// Things to know before running it (what the probe saw, which launch was picked).
    pub notes: Vec<String>,
    pub inputs: Vec<Input>,
    pub snippets: Vec<Snippet>,
    pub links: Vec<DeepLink>,
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

/// `<name>` with only `[A-Za-z0-9_.-]` inside (spaces become `-`), so a placeholder is visibly a
/// placeholder and never a working value.
fn bracket(name: &str) -> String {
    let mut inner: String = name
        .trim()
        .trim_start_matches('-')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_.-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    while inner.contains("--") {
        inner = inner.replace("--", "-");
    }
    let inner = inner.trim_matches('-');
    let inner: String = inner.chars().take(60).collect();
    if inner.is_empty() {
        "<value>".into()
    } else {
        format!("<{inner}>")
    }
}

/// `{var}` in a declared value becomes `<var>`; returns the value and the variables it used.
fn template(v: &str) -> (String, Vec<String>) {
    let mut out = String::with_capacity(v.len());
    let mut vars = Vec::new();
    let mut rest = v;
    while let Some(i) = rest.find('{') {
        let Some(j) = rest[i..].find('}') else { break };
        let name = &rest[i + 1..i + j];
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
        {
            out.push_str(&rest[..i + 1]);
            rest = &rest[i + 1..];
            continue;
        }
        out.push_str(&rest[..i]);
        out.push_str(&bracket(name));
        vars.push(name.to_string());
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    (out, vars)
}

/// Whether a name looks like it holds a credential.
pub fn looks_secret(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "key",
        "token",
        "secret",
        "password",
        "passwd",
        "credential",
        "auth",
        "cookie",
        "session",
        "pat",
        "private",
        "dsn",
        "connection",
        "database",
    ]
    .iter()
    .any(|w| {
        n.split(|c: char| !c.is_ascii_alphanumeric())
            .any(|part| part == *w || (w.len() > 3 && part.contains(w)))
    })
}

/// `FOO_API_KEY`, `TOKEN`: a name a server reads from its environment.
pub fn is_env_name(n: &str) -> bool {
    n.len() >= 2
        && n.len() <= 64
        && n.starts_with(|c: char| c.is_ascii_uppercase())
        && n.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// Collects inputs while a launch is built; dedups by (kind, name).
#[derive(Default)]
struct Inputs(Vec<Input>);

impl Inputs {
    fn add(&mut self, i: Input) -> String {
        let ph = i.placeholder.clone();
        if !self.0.iter().any(|x| x.kind == i.kind && x.name == i.name) {
            self.0.push(i);
        }
        ph
    }

    fn has(&self, kind: InputKind, name: &str) -> bool {
        self.0
            .iter()
            .any(|x| x.kind == kind && x.name.eq_ignore_ascii_case(name))
    }

    /// The value for a declared argument, env var or header: its fixed value (with `{var}`
    /// placeholders), its non-secret default when required, else a named placeholder.
    fn value_of(&mut self, a: &Argument, kind: InputKind, label: &str) -> String {
        let desc = a.description.clone().unwrap_or_default();
        if let Some(v) = a.value.as_deref().filter(|v| !v.is_empty()) {
            let (v, vars) = template(v);
            for var in vars {
                self.add(Input {
                    name: var.clone(),
                    kind,
                    required: true,
                    secret: a.is_secret || looks_secret(&var) || looks_secret(label),
                    description: if desc.is_empty() {
                        format!("Part of the value of {label}.")
                    } else {
                        desc.clone()
                    },
                    placeholder: bracket(&var),
                    learned: false,
                });
            }
            return v;
        }
        if !a.is_secret {
            if let Some(d) = a.default.as_deref().filter(|v| !v.is_empty()) {
                return d.to_string();
            }
        }
        let name = match kind {
            InputKind::Argument if a.kind.as_deref() != Some("named") => a
                .value_hint
                .as_deref()
                .or(a.name.as_deref())
                .unwrap_or("value")
                .to_string(),
            _ => label.to_string(),
        };
        self.add(Input {
            name: name.clone(),
            kind,
            required: a.is_required,
            secret: a.is_secret,
            description: desc,
            placeholder: bracket(&name),
            learned: false,
        })
    }
}

fn push_args(out: &mut Vec<String>, args: &[Argument], inputs: &mut Inputs) {
    for a in args {
        let is_named = a.kind.as_deref() == Some("named");
        if !a.is_required && a.value.is_none() && a.default.is_none() {
            continue;
        }
        if is_named {
            let Some(n) = &a.name else { continue };
            out.push(n.clone());
            if a.format.as_deref() != Some("boolean") || a.value.is_some() {
                out.push(inputs.value_of(a, InputKind::Argument, n));
            }
        } else {
            let label = a
                .value_hint
                .as_deref()
                .or(a.name.as_deref())
                .unwrap_or("value");
            out.push(inputs.value_of(a, InputKind::Argument, label));
        }
    }
}

fn package_launch_inner(p: &Package, inputs: &mut Inputs) -> Launch {
    let versioned = |sep: &str| match p.version.as_deref() {
        Some(v) if !v.is_empty() && dataset::export::is_exact_version(v) => {
            format!("{}{sep}{v}", p.identifier)
        }
        _ => p.identifier.clone(),
    };
    let mut args = Vec::new();
    let env_decl: Vec<&Argument> = p
        .environment_variables
        .iter()
        .filter(|e| e.is_required || e.value.is_some())
        .filter(|e| e.name.is_some())
        .collect();
    let command = match (p.registry_type.as_str(), p.runtime_hint.as_deref()) {
        (_, Some(hint)) if !p.runtime_arguments.is_empty() => {
            push_args(&mut args, &p.runtime_arguments, inputs);
            let target = match p.registry_type.as_str() {
                "npm" => versioned("@"),
                "pypi" => versioned("=="),
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
            for e in &env_decl {
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
    push_args(&mut args, &p.package_arguments, inputs);
    let env = env_decl
        .into_iter()
        .filter_map(|e| {
            let n = e.name.clone()?;
            let v = inputs.value_of(e, InputKind::Env, &n);
            Some((n, v))
        })
        .collect();
    Launch::Command { command, args, env }
}

/// The launch of one package.
pub fn package_launch(p: &Package) -> Launch {
    package_launch_inner(p, &mut Inputs::default())
}

fn remote_launch_inner(t: &Transport, inputs: &mut Inputs) -> Option<Launch> {
    let raw = t.url.clone()?;
    let lower = raw.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://"))
        || raw.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return None;
    }
    let (url, vars) = template(&raw);
    for v in vars {
        let decl = t.variables.get(&v);
        inputs.add(Input {
            name: v.clone(),
            kind: InputKind::UrlVariable,
            required: true,
            secret: decl.is_some_and(|d| d.is_secret),
            description: decl.and_then(|d| d.description.clone()).unwrap_or_default(),
            placeholder: bracket(&v),
            learned: false,
        });
    }
    let headers = t
        .headers
        .iter()
        .filter(|h| h.is_required || h.value.is_some())
        .filter_map(|h| {
            let n = h.name.clone()?;
            let v = inputs.value_of(h, InputKind::Header, &n);
            Some((n, v))
        })
        .collect();
    Some(Launch::Remote {
        kind: t.kind.clone(),
        url,
        headers,
    })
}

/// The launch of one remote.
pub fn remote_launch(t: &Transport) -> Option<Launch> {
    remote_launch_inner(t, &mut Inputs::default())
}

/// The package a client would launch: a stdio npm or PyPI package, then any stdio package with a
/// known way to run it; without declared packages, the npm or PyPI source run as `npx`/`uvx`
/// would (as the probe does).
fn pick_package(s: &Server) -> Option<Package> {
    let launchable = |p: &&Package| {
        p.transport.kind == "stdio"
            && (matches!(p.registry_type.as_str(), "npm" | "pypi" | "oci" | "nuget")
                || p.runtime_hint.is_some())
    };
    let pkgs = &s.install.packages;
    if let Some(p) = pkgs
        .iter()
        .filter(launchable)
        .find(|p| matches!(p.registry_type.as_str(), "npm" | "pypi"))
        .or_else(|| pkgs.iter().find(launchable))
    {
        return Some(p.clone());
    }
    if !pkgs.is_empty() || !s.install.remotes.is_empty() {
        return None;
    }
    s.sources.iter().find_map(|e| {
        let kind = match e.source {
            Source::Npm => "npm",
            Source::Pypi => "pypi",
            _ => return None,
        };
        Some(Package {
            registry_type: kind.into(),
            identifier: e.identifier.clone(),
            version: e.version.clone(),
            transport: Transport::stdio(),
            ..Default::default()
        })
    })
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

/// What the last probe says about launching the picked package.
enum Verdict {
    /// The package has nothing to run (no `bin`, no console script).
    NothingToRun(String),
    /// It does not install on the platform the probe ran on.
    WrongPlatform(String),
    Usable,
}

fn one_line(s: &str, max: usize) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::markdown::clean_text(&crate::markdown::shorten(&s, max))
}

/// Whether install output says the package is for another OS, CPU or interpreter.
fn platform_signal(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    [
        "ebadplatform",
        "unsupported platform",
        "not a supported wheel on this platform",
        "requires a different python",
        "unsupported engine",
    ]
    .iter()
    .any(|w| t.contains(w))
}

/// `wanted {"os":"win32","cpu":"x64"}` from npm's EBADPLATFORM output, as `win32 x64`.
fn wanted_platform(text: &str) -> Option<String> {
    let i = text.find("wanted {")?;
    let rest = &text[i + "wanted ".len()..];
    let j = rest.find('}')?;
    let v: Value = serde_json::from_str(&rest[..=j]).ok()?;
    let part = |k: &str| match v.get(k) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Array(a)) => Some(
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("/"),
        ),
        _ => None,
    };
    let s = [part("os"), part("cpu")]
        .into_iter()
        .flatten()
        .filter(|x| !x.is_empty() && x != "any")
        .collect::<Vec<_>>()
        .join(" ");
    (!s.is_empty()).then(|| one_line(&s, 60))
}

fn verdict(s: &Server) -> Verdict {
    let Some(p) = &s.probe else {
        return Verdict::Usable;
    };
    let detail = p.detail.as_deref().unwrap_or("");
    match p.outcome {
        Outcome::NoStdio if p.phase.as_deref() == Some("install") => {
            Verdict::NothingToRun(one_line(detail, 200))
        }
        Outcome::InstallFailed => {
            let all = format!("{detail}\n{}", p.stderr_tail.as_deref().unwrap_or(""));
            if platform_signal(&all) {
                Verdict::WrongPlatform(match wanted_platform(&all) {
                    Some(w) => format!("its installer says it is built for {w} only"),
                    None => format!("the installer refused it: {}", one_line(detail, 200)),
                })
            } else {
                Verdict::Usable
            }
        }
        _ => Verdict::Usable,
    }
}

/// The most telling line of a failed probe's stderr: the last one that is not a stack frame,
/// a caret, a runtime banner or a usage dump.
fn telling_line(stderr: &str) -> Option<String> {
    stderr
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| {
            l.len() > 8
                && !l.starts_with("at ")
                && !l.starts_with('^')
                && !l.starts_with("Node.js v")
                && !l.starts_with("npm notice")
                && !l.starts_with('}')
                && !l.starts_with('{')
                && !l.starts_with("code:")
                && !l.starts_with("requireStack")
        })
        .map(|l| one_line(l, 200))
}

/// The inputs the probe learned (the names the server asked for), as inputs not already declared.
fn learned_inputs(s: &Server, inputs: &Inputs) -> Vec<Input> {
    let Some(p) = &s.probe else {
        return Vec::new();
    };
    let mut out: Vec<Input> = Vec::new();
    for n in &p.needs {
        let n = n.trim();
        if n.is_empty() || n.len() > 80 {
            continue;
        }
        let (kind, name) = if n.starts_with('-') {
            (InputKind::Argument, n.to_string())
        } else if is_env_name(n) {
            (InputKind::Env, n.to_string())
        } else {
            (
                InputKind::Argument,
                n.trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_lowercase(),
            )
        };
        let declared = inputs.has(kind, &name)
            || inputs.has(kind, bracket(&name).trim_matches(['<', '>']))
            || inputs
                .0
                .iter()
                .any(|i| i.placeholder.eq_ignore_ascii_case(&bracket(&name)));
        if declared || out.iter().any(|i| i.kind == kind && i.name == name) {
            continue;
        }
        out.push(Input {
            placeholder: bracket(&name),
            secret: looks_secret(&name),
            description: "The server asked for this when Hisper ran it without configuration."
                .into(),
            name,
            kind,
            required: true,
            learned: true,
        });
    }
    out
}

/// Adds learned inputs to a command launch: env vars to its environment (and to `docker -e`),
/// flags and positional values after its arguments.
fn apply_learned(launch: &mut Launch, learned: &[Input], image: Option<&str>) {
    let Launch::Command { command, args, env } = launch else {
        return;
    };
    for i in learned {
        match i.kind {
            InputKind::Env => {
                env.push((i.name.clone(), i.placeholder.clone()));
                if command == "docker" {
                    if let Some(pos) = image.and_then(|im| args.iter().rposition(|a| a == im)) {
                        args.insert(pos, i.name.clone());
                        args.insert(pos, "-e".into());
                    }
                }
            }
            InputKind::Argument if i.name.starts_with('-') => {
                args.push(i.name.clone());
                args.push(i.placeholder.clone());
            }
            _ => args.push(i.placeholder.clone()),
        }
    }
}

/// The install plan of a server.
pub fn plan(s: &Server) -> Plan {
    let mut notes = Vec::new();
    let mut inputs = Inputs::default();
    let not_runnable = |explanation: String, notes: Vec<String>, instead: Option<String>| Plan {
        status: Status::NotRunnable,
        explanation: Some(explanation),
        install_instead: instead,
        notes,
        inputs: Vec::new(),
        snippets: Vec::new(),
        links: Vec::new(),
    };
    if let Some(parent) = &s.platform_of {
        return not_runnable(
            "This is a platform-specific binary that another package installs for you on the \
             systems it is built for; install that package instead."
                .into(),
            notes,
            Some(parent.clone()),
        );
    }
    let picked = pick_package(s);
    let mut launch = None;
    let mut package_problem = None;
    if let Some(p) = &picked {
        let what = format!(
            "The {} package {}",
            p.registry_type,
            one_line(&p.identifier, 120)
        );
        match verdict(s) {
            Verdict::NothingToRun(d) => {
                package_problem = Some(format!(
                    "{what} has nothing to launch: when Hisper installed it, it found no \
                     executable ({d}). It is most likely a library for building MCP servers or \
                     clients, used from code rather than run as a server."
                ));
            }
            Verdict::WrongPlatform(d) => {
                package_problem = Some(format!(
                    "{what} does not install on Linux x64, where Hisper ran it: {d}. A \
                     platform-specific package like this is usually installed for you by its \
                     parent package."
                ));
            }
            Verdict::Usable => {
                let mut l = package_launch_inner(p, &mut inputs);
                let learned = learned_inputs(s, &inputs);
                apply_learned(&mut l, &learned, Some(&p.identifier));
                inputs.0.extend(learned);
                launch = Some(l);
            }
        }
    }
    if launch.is_none() {
        let mut remote_inputs = Inputs::default();
        if let Some(l) = s
            .install
            .remotes
            .iter()
            .find_map(|t| remote_launch_inner(t, &mut remote_inputs))
        {
            if let Some(why) = package_problem.take() {
                notes.push(format!(
                    "{why} The snippets connect to its remote endpoint instead."
                ));
            }
            inputs = remote_inputs;
            launch = Some(l);
        }
    }
    let Some(launch) = launch else {
        let explanation = package_problem.unwrap_or_else(|| {
            let kinds: Vec<String> = s
                .install
                .packages
                .iter()
                .map(|p| {
                    format!(
                        "{} ({})",
                        one_line(&p.registry_type, 20),
                        one_line(&p.transport.kind, 20)
                    )
                })
                .collect();
            if kinds.is_empty() {
                "No package or remote endpoint is known for this record, so there is nothing to \
                 install from here; its repository may say how to run it."
                    .into()
            } else {
                format!(
                    "Its published packages ({}) have no launch Hisper knows how to write for a \
                     client; its repository may say how to run it.",
                    kinds.join(", ")
                )
            }
        });
        return not_runnable(explanation, notes, None);
    };
    probe_notes(s, &launch, &mut notes);
    let inputs = inputs.0;
    let failed = matches!(launch, Launch::Command { .. })
        && s.probe.as_ref().is_some_and(|p| {
            !matches!(
                p.outcome,
                Outcome::Ok | Outcome::NeedsConfig | Outcome::NoStdio
            )
        });
    // It stopped asking for configuration, even when the probe could not tell which.
    let asked = matches!(launch, Launch::Command { .. })
        && s.probe
            .as_ref()
            .is_some_and(|p| p.outcome == Outcome::NeedsConfig);
    let status = if inputs.iter().any(|i| i.required) || asked {
        // A server that crashed without its required values may well run with them.
        Status::NeedsInputs
    } else if failed {
        Status::Failing
    } else {
        Status::Ready
    };
    let key = config_key(&s.name);
    let (mut snippets, links) = render(&key, &launch, &inputs);
    // Direction overrides in a copied command would hide what it runs: make them visible.
    for sn in &mut snippets {
        sn.code = crate::markdown::clean_multiline(&sn.code);
    }
    Plan {
        status,
        explanation: None,
        install_instead: None,
        notes,
        inputs,
        snippets,
        links,
    }
}

fn probe_notes(s: &Server, launch: &Launch, notes: &mut Vec<String>) {
    if !matches!(s.kind, Kind::Server) {
        notes.push(format!(
            "Hisper classifies this record as {} {}, not a server: the launch below may not start \
             an MCP server.",
            if s.kind == Kind::Other { "an" } else { "a" },
            match s.kind {
                Kind::Sdk => "SDK",
                Kind::Framework => "framework",
                Kind::Client => "client",
                _ => "other MCP project",
            }
        ));
    }
    let Some(p) = &s.probe else {
        return;
    };
    if matches!(launch, Launch::Remote { .. }) && p.outcome == Outcome::NoStdio {
        return;
    }
    let date = p.probed_at.get(..10).unwrap_or("");
    // `<database url>` is how the probe writes a positional value it was asked for.
    let asked: Vec<String> = p
        .needs
        .iter()
        .take(8)
        .map(
            |n| match n.strip_prefix('<').and_then(|x| x.strip_suffix('>')) {
                Some(inner) => format!("a {inner} argument"),
                None => n.clone(),
            },
        )
        .collect();
    match p.outcome {
        Outcome::Ok => {
            let tools = p.tool_names().count();
            let mut n = format!(
                "Hisper ran this package on {date} and it answered with {tools} tool{}",
                if tools == 1 { "" } else { "s" }
            );
            if p.config_mode == dataset::ConfigMode::Placeholder && !asked.is_empty() {
                n.push_str(&format!(
                    ", given placeholder values for {}",
                    one_line(&asked.join(", "), 200)
                ));
            }
            n.push('.');
            notes.push(n);
        }
        Outcome::NeedsConfig => {
            let mut n = format!(
                "When Hisper ran it without configuration on {date}, it stopped asking for "
            );
            if asked.is_empty() {
                n.push_str("configuration");
                if let Some(l) = p.stderr_tail.as_deref().and_then(telling_line) {
                    n.push_str(&format!(": “{l}”"));
                }
            } else {
                n.push_str(&one_line(&asked.join(", "), 200));
            }
            n.push('.');
            notes.push(n);
        }
        Outcome::NoStdio => {}
        other => {
            let mut n = format!(
                "When Hisper ran it on {date}, it failed ({})",
                crate::view::outcome_label(other)
            );
            if let Some(d) = p.detail.as_deref().filter(|d| !d.is_empty()) {
                n.push_str(&format!(": {}", one_line(d, 200)));
            }
            if let Some(l) = p.stderr_tail.as_deref().and_then(telling_line) {
                n.push_str(&format!(" (“{l}”)"));
            }
            n.push_str(". It may need configuration, or work on another system.");
            notes.push(n);
        }
    }
}

fn pretty(v: &impl Serialize) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// One client config entry, fields in the order people expect to read them.
#[derive(Serialize, Clone, Default, Debug, PartialEq)]
struct Entry {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    command: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    args: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(rename = "serverUrl", skip_serializing_if = "Option::is_none")]
    server_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    env: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    headers: Option<BTreeMap<String, String>>,
}

impl Entry {
    fn map_strings(&mut self, f: &dyn Fn(&str) -> String) {
        for a in self.args.iter_mut().flatten() {
            *a = f(a);
        }
        for u in self.url.iter_mut().chain(self.server_url.iter_mut()) {
            *u = f(u);
        }
        for m in self.env.iter_mut().chain(self.headers.iter_mut()) {
            for v in m.values_mut() {
                *v = f(v);
            }
        }
    }
}

/// A VS Code input: a prompt for one value, hidden for secrets.
#[derive(Serialize, Clone, Debug, PartialEq)]
struct VsInput {
    #[serde(rename = "type")]
    kind: &'static str,
    id: String,
    description: String,
    password: bool,
}

/// `.vscode/mcp.json`.
#[derive(Serialize)]
struct VsFile<'a> {
    #[serde(skip_serializing_if = "<[VsInput]>::is_empty")]
    inputs: &'a [VsInput],
    servers: BTreeMap<&'a str, &'a Entry>,
}

/// What `vscode:mcp/install?` carries: the entry with its name and inputs.
#[derive(Serialize)]
struct VsLink<'a> {
    name: &'a str,
    #[serde(flatten)]
    entry: &'a Entry,
    #[serde(skip_serializing_if = "<[VsInput]>::is_empty")]
    inputs: &'a [VsInput],
}

/// `{ "<outer>": { "<key>": entry } }`.
fn wrap<'a, T: Serialize>(
    outer: &'a str,
    key: &'a str,
    e: &'a T,
) -> BTreeMap<&'a str, BTreeMap<&'a str, &'a T>> {
    [(outer, [(key, e)].into_iter().collect())]
        .into_iter()
        .collect()
}

fn map(pairs: &[(String, String)]) -> BTreeMap<String, String> {
    pairs.iter().cloned().collect()
}

/// The config entry most clients share (`mcpServers` notation of Claude Desktop, Cursor and LM
/// Studio); `server_url` puts a remote's URL under `serverUrl`, as Windsurf wants it.
fn entry(launch: &Launch, server_url: bool) -> Entry {
    match launch {
        Launch::Command { command, args, env } => Entry {
            command: Some(command.clone()),
            args: Some(args.clone()),
            env: (!env.is_empty()).then(|| map(env)),
            ..Entry::default()
        },
        Launch::Remote { url, headers, .. } => Entry {
            url: (!server_url).then(|| url.clone()),
            server_url: server_url.then(|| url.clone()),
            headers: (!headers.is_empty()).then(|| map(headers)),
            ..Entry::default()
        },
    }
}

/// The `mcp-remote` bridge arguments for clients that only launch stdio servers.
fn bridge_args(url: &str, headers: &[(String, String)]) -> Vec<String> {
    let mut a = vec!["-y".to_string(), "mcp-remote".into(), url.to_string()];
    for (k, v) in headers {
        a.push("--header".into());
        a.push(format!("{k}: {v}"));
    }
    a
}

/// VS Code's entry: its `type`, and `${input:id}` (a prompt, hidden for secrets) in place of
/// each placeholder, with the `inputs` that declare them.
fn vscode(key: &str, launch: &Launch, inputs: &[Input]) -> (Entry, Vec<VsInput>) {
    let mut e = entry(launch, false);
    e.kind = Some(match launch {
        Launch::Command { .. } => "stdio",
        Launch::Remote { kind, .. } if kind == "sse" => "sse",
        Launch::Remote { .. } => "http",
    });
    let mut decl = Vec::new();
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    for i in inputs {
        let id: String = format!("{key}_{}", i.placeholder.trim_matches(['<', '>']))
            .to_ascii_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        if ids.insert(i.placeholder.clone(), id.clone()).is_none() {
            let description = if i.description.is_empty() {
                format!("{} ({})", i.name, i.kind.as_str())
            } else {
                format!("{}: {}", i.name, one_line(&i.description, 160))
            };
            decl.push(VsInput {
                kind: "promptString",
                id,
                description,
                password: i.secret,
            });
        }
    }
    e.map_strings(&|s: &str| {
        let mut s = s.to_string();
        for (ph, id) in &ids {
            s = s.replace(ph, &format!("${{input:{id}}}"));
        }
        s
    });
    (e, decl)
}

/// `encodeURIComponent` without its unescaped punctuation: everything but `A-Za-z0-9-_.~` is
/// `%XX`-encoded.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Standard base64 with padding (RFC 4648 §4).
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for k in 0..4 {
            if k <= c.len() {
                out.push(A[(n >> (18 - 6 * k) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn render(key: &str, launch: &Launch, inputs: &[Input]) -> (Vec<Snippet>, Vec<DeepLink>) {
    let mut out = Vec::new();
    let shared = entry(launch, false);
    let (vs_entry, vs_inputs) = vscode(key, launch, inputs);
    match launch {
        Launch::Command { command, args, env } => {
            out.push(Snippet {
                id: "claude-desktop",
                label: "Claude Desktop",
                hint: "Add to claude_desktop_config.json (Settings → Developer → Edit Config), then restart Claude Desktop.".into(),
                code: pretty(&wrap("mcpServers", key, &shared)),
            });
            // The name goes before `-e`: `-e` takes several values and would swallow it.
            let mut cc = vec![
                "claude".to_string(),
                "mcp".into(),
                "add".into(),
                shell_quote(key),
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
        }
        Launch::Remote { kind, url, headers } => {
            let bridge = Entry {
                command: Some("npx".into()),
                args: Some(bridge_args(url, headers)),
                ..Entry::default()
            };
            out.push(Snippet {
                id: "claude-desktop",
                label: "Claude Desktop",
                hint: "Add to claude_desktop_config.json; mcp-remote bridges the remote server to stdio. (Or add its URL under Settings → Connectors.)".into(),
                code: pretty(&wrap("mcpServers", key, &bridge)),
            });
            let http_kind = if kind == "sse" { "sse" } else { "http" };
            let mut cc = vec![
                "claude".to_string(),
                "mcp".into(),
                "add".into(),
                "--transport".into(),
                http_kind.into(),
                shell_quote(key),
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
        }
    }
    out.push(Snippet {
        id: "vscode",
        label: "VS Code",
        hint: if vs_inputs.is_empty() {
            "Add to .vscode/mcp.json in your workspace (or run “MCP: Add Server”).".into()
        } else {
            "Add to .vscode/mcp.json in your workspace; VS Code asks for each value when the server first starts.".into()
        },
        code: pretty(&VsFile {
            inputs: &vs_inputs,
            servers: [(key, &vs_entry)].into_iter().collect(),
        }),
    });
    out.push(Snippet {
        id: "cursor",
        label: "Cursor",
        hint: "Add to ~/.cursor/mcp.json (or .cursor/mcp.json in a project).".into(),
        code: pretty(&wrap("mcpServers", key, &shared)),
    });
    out.push(Snippet {
        id: "windsurf",
        label: "Windsurf",
        hint: "Add to ~/.codeium/windsurf/mcp_config.json, then refresh the MCP servers.".into(),
        code: pretty(&wrap("mcpServers", key, &entry(launch, true))),
    });
    out.push(Snippet {
        id: "lmstudio",
        label: "LM Studio",
        hint: "Add to mcp.json (Program tab → Install → Edit mcp.json).".into(),
        code: pretty(&wrap("mcpServers", key, &shared)),
    });
    out.push(match launch {
        Launch::Command { command, args, env } => {
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
            Snippet {
                id: "cli",
                label: "Command line",
                hint: "Runs the server on stdio, for testing or for other clients.".into(),
                code: cli.join(" "),
            }
        }
        Launch::Remote { url, headers, .. } => Snippet {
            id: "cli",
            label: "Command line",
            hint: "Connects to the remote server through a local stdio bridge.".into(),
            code: std::iter::once("npx".to_string())
                .chain(bridge_args(url, headers).iter().map(|a| shell_quote(a)))
                .collect::<Vec<_>>()
                .join(" "),
        },
    });

    // One-click links carry the same configuration as the snippets.
    let vs_link = compact(&VsLink {
        name: key,
        entry: &vs_entry,
        inputs: &vs_inputs,
    });
    let b64 = percent_encode(&base64(compact(&shared).as_bytes()));
    let links = vec![
        DeepLink {
            id: "vscode",
            label: "Install in VS Code",
            url: format!("vscode:mcp/install?{}", percent_encode(&vs_link)),
        },
        DeepLink {
            id: "cursor",
            label: "Install in Cursor",
            url: format!(
                "cursor://anysphere.cursor-deeplink/mcp/install?name={}&config={b64}",
                percent_encode(key)
            ),
        },
        DeepLink {
            id: "lmstudio",
            label: "Add to LM Studio",
            url: format!(
                "lmstudio://add_mcp?name={}&config={b64}",
                percent_encode(key)
            ),
        },
    ];
    (out, links)
}

/// Compact JSON.
fn compact(v: &impl Serialize) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// Every snippet for a server, or none when nothing launches it (see [`plan`]).
pub fn snippets(s: &Server) -> Vec<Snippet> {
    plan(s).snippets
}

#[cfg(test)]
mod tests {
    use super::*;
    use dataset::ProbeRecord;
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

    fn server(name: &str, packages: Vec<Package>, remotes: Vec<Transport>) -> Server {
        Server {
            id: format!("npm:{name}"),
            name: name.into(),
            install: dataset::Install { packages, remotes },
            ..Default::default()
        }
    }

    fn probed(mut s: Server, outcome: Outcome, phase: Option<&str>, detail: &str) -> Server {
        let mut p = ProbeRecord::bare(outcome, "2026-11-22T03:00:00Z");
        p.phase = phase.map(str::to_string);
        p.detail = Some(detail.into());
        s.probe = Some(p);
        s
    }

    fn code<'a>(p: &'a Plan, id: &str) -> &'a str {
        &p.snippets.iter().find(|x| x.id == id).unwrap().code
    }

    fn percent_decode(s: &str) -> String {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    }

    fn base64_decode(s: &str) -> Vec<u8> {
        let val = |c: u8| match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        };
        let mut out = Vec::new();
        for chunk in s.as_bytes().chunks(4) {
            let data: Vec<u8> = chunk.iter().copied().filter(|&c| c != b'=').collect();
            let mut n = 0u32;
            for (k, &c) in data.iter().enumerate() {
                n |= (val(c) as u32) << (18 - 6 * k);
            }
            for k in 0..data.len().saturating_sub(1) {
                out.push((n >> (16 - 8 * k)) as u8);
            }
        }
        out
    }

    /// The query parameters of a deep link, decoded.
    fn query(url: &str) -> BTreeMap<String, String> {
        let q = url.split_once('?').unwrap().1;
        q.split('&')
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap();
                (k.to_string(), percent_decode(v))
            })
            .collect()
    }

    #[test]
    fn base64_matches_the_rfc_vectors() {
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), enc);
            assert_eq!(base64_decode(enc), plain.as_bytes());
        }
    }

    #[test]
    fn npm_package_gives_npx_with_pinned_version_and_named_secret_placeholder() {
        let s = server("@acme/weather-mcp", vec![npm("@acme/weather-mcp")], vec![]);
        let p = plan(&s);
        assert_eq!(p.status, Status::NeedsInputs);
        let ids: Vec<&str> = p.snippets.iter().map(|x| x.id).collect();
        assert_eq!(
            ids,
            [
                "claude-desktop",
                "claude-code",
                "vscode",
                "cursor",
                "windsurf",
                "lmstudio",
                "cli"
            ]
        );
        assert_eq!(p.inputs.len(), 1);
        assert_eq!(p.inputs[0].name, "API_KEY");
        assert!(p.inputs[0].secret && p.inputs[0].required && !p.inputs[0].learned);
        assert_eq!(
            code(&p, "cli"),
            "API_KEY='<API_KEY>' npx -y @acme/weather-mcp@1.2.3"
        );
        let desktop: Value = serde_json::from_str(code(&p, "claude-desktop")).unwrap();
        assert_eq!(
            desktop["mcpServers"]["weather-mcp"]["args"],
            json!(["-y", "@acme/weather-mcp@1.2.3"])
        );
        assert_eq!(
            desktop["mcpServers"]["weather-mcp"]["env"]["API_KEY"],
            "<API_KEY>"
        );
        assert_eq!(
            code(&p, "claude-code"),
            "claude mcp add weather-mcp -e 'API_KEY=<API_KEY>' -- npx -y @acme/weather-mcp@1.2.3"
        );
        // VS Code prompts for the secret instead of a placeholder.
        let vs: Value = serde_json::from_str(code(&p, "vscode")).unwrap();
        let id = vs["inputs"][0]["id"].as_str().unwrap();
        assert_eq!(vs["inputs"][0]["password"], true);
        assert_eq!(
            vs["servers"]["weather-mcp"]["env"]["API_KEY"],
            format!("${{input:{id}}}")
        );
        assert_eq!(vs["servers"]["weather-mcp"]["type"], "stdio");
    }

    #[test]
    fn what_the_probe_learned_becomes_named_inputs_in_every_snippet() {
        let mut pkg = npm("@brave/brave-search-mcp-server");
        pkg.environment_variables.clear();
        let unnamed = probed(
            server("@brave/brave-search-mcp-server", vec![pkg.clone()], vec![]),
            Outcome::NeedsConfig,
            Some("initialize"),
            "exited before the handshake, asking for configuration",
        );
        assert_eq!(
            plan(&unnamed).status,
            Status::NeedsInputs,
            "it asked, if not by name"
        );
        let mut s = probed(
            server("@brave/brave-search-mcp-server", vec![pkg], vec![]),
            Outcome::NeedsConfig,
            Some("initialize"),
            "exited before the handshake, asking for configuration",
        );
        s.probe.as_mut().unwrap().needs = vec!["BRAVE_API_KEY".into()];
        let p = plan(&s);
        assert_eq!(p.status, Status::NeedsInputs);
        assert_eq!(p.inputs.len(), 1);
        assert!(p.inputs[0].learned && p.inputs[0].secret);
        assert_eq!(p.inputs[0].kind, InputKind::Env);
        for id in ["claude-desktop", "cursor", "windsurf", "lmstudio"] {
            let v: Value = serde_json::from_str(code(&p, id)).unwrap();
            assert_eq!(
                v["mcpServers"]["brave-search-mcp-server"]["env"]["BRAVE_API_KEY"],
                "<BRAVE_API_KEY>",
                "{id}"
            );
        }
        assert!(code(&p, "claude-code").contains("-e 'BRAVE_API_KEY=<BRAVE_API_KEY>' --"));
        assert!(code(&p, "cli").starts_with("BRAVE_API_KEY='<BRAVE_API_KEY>' npx"));
        assert!(
            p.notes
                .iter()
                .any(|n| n.contains("asking for BRAVE_API_KEY")),
            "{:?}",
            p.notes
        );

        // A positional value it asked for (postgres's database URL) goes after the arguments.
        let mut pg = probed(
            server(
                "@modelcontextprotocol/server-postgres",
                vec![Package {
                    registry_type: "npm".into(),
                    identifier: "@modelcontextprotocol/server-postgres".into(),
                    version: Some("0.6.2".into()),
                    transport: Transport::stdio(),
                    ..Default::default()
                }],
                vec![],
            ),
            Outcome::NeedsConfig,
            Some("initialize"),
            "exited before the handshake, asking for configuration",
        );
        pg.probe.as_mut().unwrap().needs = vec!["<database url>".into(), "--read-only".into()];
        let p = plan(&pg);
        assert_eq!(
            code(&p, "cli"),
            "npx -y @modelcontextprotocol/server-postgres@0.6.2 '<database-url>' --read-only '<read-only>'"
        );
        let names: Vec<&str> = p.inputs.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["database url", "--read-only"]);
        assert!(p.inputs[0].secret, "a database URL carries credentials");
        assert!(
            p.notes[0].contains("asking for a database url argument, --read-only"),
            "{:?}",
            p.notes
        );
    }

    #[test]
    fn declared_inputs_are_not_repeated_from_the_probe() {
        let mut s = probed(
            server("@acme/weather-mcp", vec![npm("@acme/weather-mcp")], vec![]),
            Outcome::Ok,
            None,
            "",
        );
        s.probe.as_mut().unwrap().needs = vec!["API_KEY".into()];
        s.probe.as_mut().unwrap().config_mode = dataset::ConfigMode::Placeholder;
        let p = plan(&s);
        assert_eq!(p.inputs.len(), 1);
        assert_eq!(code(&p, "cli").matches("API_KEY=").count(), 1);
        assert!(
            p.notes[0].contains("placeholder values for API_KEY"),
            "{:?}",
            p.notes
        );
    }

    #[test]
    fn a_package_without_a_bin_gets_an_explanation_not_npx() {
        let s = probed(
            server("@acme/mcp-utils", vec![npm("@acme/mcp-utils")], vec![]),
            Outcome::NoStdio,
            Some("install"),
            "@acme/mcp-utils has no bin to run",
        );
        let p = plan(&s);
        assert_eq!(p.status, Status::NotRunnable);
        assert!(p.snippets.is_empty() && p.links.is_empty() && p.inputs.is_empty());
        let e = p.explanation.unwrap();
        assert!(
            e.contains("nothing to launch") && e.contains("no bin to run"),
            "{e}"
        );
        // With a remote endpoint, that is offered instead.
        let mut s2 = s.clone();
        s2.install.remotes.push(Transport {
            kind: "streamable-http".into(),
            url: Some("https://mcp.example.com/mcp".into()),
            ..Default::default()
        });
        let p2 = plan(&s2);
        assert_eq!(p2.status, Status::Ready);
        assert!(code(&p2, "claude-code").contains("--transport http"));
        assert!(p2
            .notes
            .iter()
            .any(|n| n.contains("remote endpoint instead")));
    }

    #[test]
    fn a_package_for_another_platform_gets_an_explanation() {
        let mut s = probed(
            server(
                "@acme/tool-win32-x64",
                vec![npm("@acme/tool-win32-x64")],
                vec![],
            ),
            Outcome::InstallFailed,
            Some("install"),
            "install failed: npm exited with exit status: 1: npm error code EBADPLATFORM",
        );
        s.probe.as_mut().unwrap().stderr_tail = Some(
            "npm error notsup Unsupported platform for @acme/tool-win32-x64@2.0.5: wanted {\"os\":\"win32\",\"cpu\":\"x64\"} (current: {\"os\":\"linux\",\"cpu\":\"x64\"})".into(),
        );
        let p = plan(&s);
        assert_eq!(p.status, Status::NotRunnable);
        assert!(p.snippets.is_empty());
        assert!(p.explanation.unwrap().contains("built for win32 x64 only"));
        // An install that failed for another reason still gets a snippet, with a warning.
        s.probe.as_mut().unwrap().stderr_tail = Some("npm error code E404".into());
        s.probe.as_mut().unwrap().detail = Some("install failed: npm error code E404".into());
        let p = plan(&s);
        assert_eq!(p.status, Status::NeedsInputs);
        assert!(
            p.notes.iter().any(|n| n.contains("Install failed")),
            "{:?}",
            p.notes
        );
        let mut plain = s.clone();
        plain.install.packages[0].environment_variables.clear();
        assert_eq!(plan(&plain).status, Status::Failing);
        // A platform binary points at its parent.
        s.platform_of = Some("npm:@acme/tool".into());
        let p = plan(&s);
        assert_eq!(p.install_instead.as_deref(), Some("npm:@acme/tool"));
        assert!(p.snippets.is_empty());
    }

    #[test]
    fn hostile_values_are_quoted_and_encoded() {
        let s = server(
            "x",
            vec![Package {
                registry_type: "pypi".into(),
                identifier: "evil; rm -rf ~".into(),
                transport: Transport::stdio(),
                environment_variables: vec![Argument {
                    name: Some("A$(id)".into()),
                    value: Some("'; reboot".into()),
                    ..Default::default()
                }],
                ..Default::default()
            }],
            vec![],
        );
        let p = plan(&s);
        assert_eq!(
            code(&p, "cli"),
            r"env 'A$(id)='\''; reboot' uvx 'evil; rm -rf ~'"
        );
        for l in &p.links {
            // Exactly the parameters we wrote, whatever the values hold.
            if l.id != "vscode" {
                let q = query(&l.url);
                assert_eq!(q.keys().collect::<Vec<_>>(), ["config", "name"]);
            }
            assert!(!l.url.contains(' ') && !l.url.contains('\'') && !l.url.contains('"'));
        }
    }

    #[test]
    fn deep_links_decode_back_to_the_snippet_configs() {
        let mut s = server("@acme/weather-mcp", vec![npm("@acme/weather-mcp")], vec![]);
        s.install.packages[0].package_arguments.push(Argument {
            kind: Some("named".into()),
            name: Some("--units".into()),
            is_required: true,
            default: Some("metric".into()),
            ..Default::default()
        });
        for s in [
            s,
            server(
                "io.example/remote",
                vec![],
                vec![Transport {
                    kind: "streamable-http".into(),
                    url: Some("https://{tenant}.example.com/mcp".into()),
                    headers: vec![Argument {
                        name: Some("Authorization".into()),
                        value: Some("Bearer {token}".into()),
                        is_required: true,
                        is_secret: true,
                        ..Default::default()
                    }],
                    ..Default::default()
                }],
            ),
        ] {
            let p = plan(&s);
            let key = config_key(&s.name);
            let link = |id: &str| p.links.iter().find(|l| l.id == id).unwrap().url.clone();
            let cursor: Value = serde_json::from_str(code(&p, "cursor")).unwrap();
            for id in ["cursor", "lmstudio"] {
                let q = query(&link(id));
                assert_eq!(q["name"], key);
                let config: Value = serde_json::from_slice(&base64_decode(&q["config"])).unwrap();
                assert_eq!(config, cursor["mcpServers"][&key], "{id}");
            }
            let url = link("vscode");
            let vs_json = url.strip_prefix("vscode:mcp/install?").unwrap();
            let vs_link: Value = serde_json::from_str(&percent_decode(vs_json)).unwrap();
            let vs_file: Value = serde_json::from_str(code(&p, "vscode")).unwrap();
            let mut expected = vs_file["servers"][&key].clone();
            expected["name"] = json!(key);
            if let Some(i) = vs_file.get("inputs") {
                expected["inputs"] = i.clone();
            }
            assert_eq!(vs_link, expected);
        }
    }

    #[test]
    fn remotes_use_http_with_templated_url_and_header_inputs() {
        let s = server(
            "io.example/remote",
            vec![],
            vec![Transport {
                kind: "streamable-http".into(),
                url: Some("https://{tenant}.example.com/mcp".into()),
                headers: vec![Argument {
                    name: Some("Authorization".into()),
                    value: Some("Bearer {token}".into()),
                    is_required: true,
                    is_secret: true,
                    ..Default::default()
                }],
                ..Default::default()
            }],
        );
        let p = plan(&s);
        assert_eq!(p.status, Status::NeedsInputs);
        let names: Vec<&str> = p.inputs.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["tenant", "token"]);
        assert_eq!(
            code(&p, "claude-code"),
            "claude mcp add --transport http remote 'https://<tenant>.example.com/mcp' --header 'Authorization: Bearer <token>'"
        );
        let ws: Value = serde_json::from_str(code(&p, "windsurf")).unwrap();
        assert_eq!(
            ws["mcpServers"]["remote"]["serverUrl"],
            "https://<tenant>.example.com/mcp"
        );
        let vs: Value = serde_json::from_str(code(&p, "vscode")).unwrap();
        assert_eq!(vs["servers"]["remote"]["type"], "http");
        assert!(vs["servers"]["remote"]["headers"]["Authorization"]
            .as_str()
            .unwrap()
            .starts_with("Bearer ${input:"));
        let bad = server(
            "x",
            vec![],
            vec![Transport {
                kind: "sse".into(),
                url: Some("javascript:alert(1)".into()),
                ..Default::default()
            }],
        );
        let p = plan(&bad);
        assert_eq!(p.status, Status::NotRunnable);
        assert!(p.snippets.is_empty());
    }

    #[test]
    fn a_listed_package_without_declarations_runs_as_npx_would() {
        let mut s = server("plain-mcp", vec![], vec![]);
        let mut e = dataset::SourceEntry::new(Source::Npm, "plain-mcp", "2026-11-22T03:00:00Z");
        e.version = Some("0.1.0".into());
        s.sources.push(e);
        let p = plan(&s);
        assert_eq!(p.status, Status::Ready);
        assert_eq!(code(&p, "cli"), "npx -y plain-mcp@0.1.0");
        let none = plan(&server("nothing", vec![], vec![]));
        assert_eq!(none.status, Status::NotRunnable);
        assert!(none.explanation.unwrap().contains("No package or remote"));
    }

    #[test]
    fn placeholders_never_look_like_values() {
        assert_eq!(bracket("database URL"), "<database-URL>");
        assert_eq!(bracket("--token"), "<token>");
        assert_eq!(bracket("a\"b<c>"), "<a-b-c>");
        assert_eq!(template("Bearer {token}").0, "Bearer <token>");
        assert_eq!(template("{not a var}").0, "{not a var}");
    }
}
