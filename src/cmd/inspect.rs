//! `hisper inspect [--json] [--timeout S] [--env NAME=VALUE]… -- COMMAND [ARGS…]` probes one
//! local stdio server, and `hisper inspect [--json] [--timeout S] [--header NAME=VALUE]…
//! [--allow-private-hosts] URL` one remote server (a positional `http://` or `https://` URL),
//! exactly as the nightly probe would. It prints the probe record (a table, or the dataset's
//! probe JSON with `--json`) and the trust layer's security findings on what it listed (the
//! table's `findings` section, the JSON's `trust` key); see [`report`]. Exit 0 when the outcome
//! is `ok`, 1 otherwise.

use std::path::PathBuf;

use anyhow::Context;
use dataset::{Outcome, ProbeRecord};
use serde_json::Value;

use crate::{Global, Status};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Print the probe record as JSON (the dataset's `probe` field).
    #[arg(long)]
    pub json: bool,
    /// Seconds to wait for the handshake (and for each later request, at most 15).
    #[arg(long, default_value_t = 30.0, value_name = "S")]
    pub timeout: f64,
    /// Give the server this environment variable (repeatable); nothing else is passed through.
    #[arg(long = "env", value_name = "NAME=VALUE")]
    pub env: Vec<String>,
    /// Run without bubblewrap (recorded as unsandboxed).
    #[arg(long)]
    pub no_sandbox: bool,
    /// Try the modern `server/discover` first instead of `initialize`.
    #[arg(long)]
    pub discover_first: bool,
    /// Remote: send this HTTP header (repeatable), e.g. a token you own; nothing else is sent.
    #[arg(long = "header", value_name = "NAME=VALUE")]
    pub header: Vec<String>,
    /// Remote: the transport, `streamable-http` (falls back to the legacy SSE transport when
    /// the server answers like one) or `sse`.
    #[arg(long, default_value = "streamable-http", value_parser = ["streamable-http", "sse"])]
    pub transport: String,
    /// Remote: allow loopback, private, link-local, CGNAT and multicast addresses. For local
    /// testing only.
    #[arg(long)]
    pub allow_private_hosts: bool,
    /// A remote server's endpoint (`http://` or `https://`).
    #[arg(value_name = "URL", conflicts_with = "command")]
    pub url: Option<String>,
    /// The server's command line (stdio).
    #[arg(last = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

pub fn run(args: Args, _g: &Global) -> anyhow::Result<Status> {
    let rec = match &args.url {
        Some(url) => remote(&args, url)?,
        None => stdio(&args)?,
    };
    report(&rec, args.json)?;
    Ok(if rec.outcome == Outcome::Ok {
        Status::Ok
    } else {
        Status::ItemFailures
    })
}

/// Prints the record (JSON in the dataset's `probe` shape, or the table) with the trust
/// layer's findings on what the server listed (`trust`, as in the dataset).
pub fn report(rec: &ProbeRecord, json: bool) -> anyhow::Result<()> {
    let trust = enrich::trust::inspect(rec);
    if json {
        let mut v = serde_json::to_value(rec)?;
        if let (Some(t), Some(o)) = (&trust, v.as_object_mut()) {
            o.insert("trust".into(), serde_json::to_value(t)?);
        }
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        print!("{}", table(rec));
        if let Some(t) = &trust {
            print!("{}", findings_table(t));
        }
    }
    Ok(())
}

/// Probes one remote endpoint.
fn remote(args: &Args, url: &str) -> anyhow::Result<ProbeRecord> {
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        anyhow::bail!("{url:?} is not an http:// or https:// URL (a stdio command goes after --)");
    }
    let mut headers = Vec::new();
    for h in &args.header {
        let (k, v) = h
            .split_once('=')
            .with_context(|| format!("--header {h:?} is not NAME=VALUE"))?;
        headers.push((k.trim().to_string(), v.to_string()));
    }
    let mut opts = probe::remote::RemoteOptions::with_timeout(args.timeout);
    opts.policy.allow_private = args.allow_private_hosts;
    if args.discover_first {
        opts.session.era_policy = probe::EraPolicy::DiscoverFirst;
    }
    let target = probe::remote::RemoteTarget {
        url: url.to_string(),
        transport: args.transport.clone(),
        headers,
        ..Default::default()
    };
    Ok(probe::runtime()?.block_on(probe::remote::probe(&target, &opts)))
}

/// Probes one local stdio server.
fn stdio(args: &Args) -> anyhow::Result<ProbeRecord> {
    let (program, rest) = args
        .command
        .split_first()
        .context("a URL, or a command to run after --, is required")?;
    let program: PathBuf =
        probe::sandbox::which(program).with_context(|| format!("{program}: not found on PATH"))?;
    let program = std::path::absolute(&program).unwrap_or(program);
    let mut env = Vec::new();
    for e in &args.env {
        let (k, v) = e
            .split_once('=')
            .with_context(|| format!("--env {e:?} is not NAME=VALUE"))?;
        env.push((k.to_string(), v.to_string()));
    }
    let mut opts = probe::Options::with_timeout(args.timeout);
    opts.sandbox = if args.no_sandbox {
        probe::Sandbox::None
    } else {
        probe::Sandbox::Bwrap(probe::detect_bwrap()?)
    };
    if args.discover_first {
        opts.era_policy = probe::EraPolicy::DiscoverFirst;
    }
    let target = probe::Target {
        spawn: probe::Spawn {
            program,
            args: rest.to_vec(),
            env,
            cwd: std::env::current_dir().ok(),
            ..Default::default()
        },
        ..Default::default()
    };
    Ok(probe::runtime()?.block_on(probe::probe(&target, &opts)))
}

/// The findings, worst first, one line each.
fn findings_table(t: &dataset::Trust) -> String {
    let mut all: Vec<(String, &dataset::Finding)> = t.all_findings().collect();
    all.sort_by(|a, b| b.1.severity.cmp(&a.1.severity).then(a.0.cmp(&b.0)));
    let mut out = format!("\nfindings ({})\n", all.len());
    for (subject, f) in all {
        out.push_str(&format!(
            "  {:<8} {:<20} [{subject}{}] {} «{}»\n",
            f.severity.as_str(),
            f.rule,
            f.field
                .as_ref()
                .map(|x| format!(" {x}"))
                .unwrap_or_default(),
            f.message,
            one_line(&f.evidence, 120)
        ));
    }
    out
}

fn one_line(s: &str, max: usize) -> String {
    let line = s.lines().next().unwrap_or("").trim();
    if line.chars().count() > max {
        format!("{}…", line.chars().take(max).collect::<String>())
    } else {
        line.to_string()
    }
}

fn items(out: &mut String, title: &str, list: &[Value], key: &str) {
    if list.is_empty() {
        return;
    }
    out.push_str(&format!("\n{title} ({})\n", list.len()));
    for it in list.iter().take(200) {
        let name = match it.get(key) {
            Some(Value::String(s)) => s.clone(),
            Some(v) => v.to_string(),
            None => "(no name)".into(),
        };
        let desc = it.get("description").and_then(Value::as_str).unwrap_or("");
        out.push_str(&format!(
            "  {:<32} {}\n",
            one_line(&name, 32),
            one_line(desc, 80)
        ));
    }
    if list.len() > 200 {
        out.push_str(&format!("  … {} more\n", list.len() - 200));
    }
}

/// The human-readable view of a probe record.
pub fn table(r: &ProbeRecord) -> String {
    let mut out = String::new();
    let mut row = |k: &str, v: String| {
        if !v.is_empty() {
            out.push_str(&format!("{k:<14} {v}\n"));
        }
    };
    match &r.remote {
        Some(i) => {
            row("outcome", i.outcome.as_str().to_string());
            row("endpoint", format!("{} ({})", i.url, i.transport));
            row(
                "http",
                match (i.http_status, &i.content_type) {
                    (Some(s), Some(c)) => format!("{s} {c}"),
                    (Some(s), None) => s.to_string(),
                    _ => String::new(),
                },
            );
            row("error kind", i.error_kind.clone().unwrap_or_default());
            row("redirects", i.redirects.join(" -> "));
            if let Some(a) = &i.auth {
                row("auth", auth_words(a));
            }
            row(
                "latency",
                format!(
                    "first byte {} ms, tools {} ms",
                    i.first_byte_ms.map(|v| v.to_string()).unwrap_or("-".into()),
                    i.tools_ms.map(|v| v.to_string()).unwrap_or("-".into())
                ),
            );
        }
        None => row("outcome", r.outcome.as_str().to_string()),
    }
    row("phase", r.phase.clone().unwrap_or_default());
    row("detail", r.detail.clone().unwrap_or_default());
    row("needs", r.needs.join(", "));
    let info = r.server_info.as_ref();
    let name = info
        .and_then(|i| i.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let version = info
        .and_then(|i| i.get("version"))
        .and_then(Value::as_str)
        .unwrap_or("");
    row("server", format!("{name} {version}").trim().to_string());
    row(
        "protocol",
        match (r.era, &r.protocol_version) {
            (Some(e), Some(v)) => format!("{v} ({})", format!("{e:?}").to_lowercase()),
            _ => String::new(),
        },
    );
    if let Some(f) = &r.features {
        let mut v: Vec<String> = Vec::new();
        v.extend(f.extensions.iter().cloned());
        if f.mcp_apps {
            v.push(format!(
                "MCP Apps ({} UI resource(s))",
                f.ui_resources.len()
            ));
        }
        if f.tasks {
            v.push("tasks".into());
        }
        if f.tools_with_output_schema > 0 {
            v.push(format!(
                "{} tool(s) with output schema",
                f.tools_with_output_schema
            ));
        }
        if f.icons {
            v.push("icons".into());
        }
        row("features", v.join(", "));
        row("deprecated", f.deprecated.join(", "));
    }
    if r.remote.is_none() {
        row(
            "sandboxed",
            if r.sandboxed {
                "yes (bubblewrap)"
            } else {
                "no"
            }
            .to_string(),
        );
    }
    row("command", r.command.join(" "));
    row(
        "timings",
        format!(
            "first reply {} ms, ping {} ms, total {} ms",
            r.timings
                .first_reply_ms
                .map(|v| v.to_string())
                .unwrap_or("-".into()),
            r.timings
                .ping_ms
                .map(|v| v.to_string())
                .unwrap_or("-".into()),
            r.timings.total_ms
        ),
    );
    row(
        "peak rss",
        r.peak_rss_kb
            .map(|k| format!("{:.1} MiB", k as f64 / 1024.0))
            .unwrap_or_default(),
    );
    row("bytes read", r.bytes_read.to_string());
    row("exit", r.exit_status.clone().unwrap_or_default());
    let lists: Vec<String> = r
        .lists
        .iter()
        .map(|(k, s)| {
            format!(
                "{k}: {}{}",
                s.status,
                if s.truncated { " (truncated)" } else { "" }
            )
        })
        .collect();
    row("lists", lists.join(", "));
    items(&mut out, "tools", &r.tools, "name");
    items(&mut out, "prompts", &r.prompts, "name");
    items(&mut out, "resources", &r.resources, "uri");
    items(
        &mut out,
        "resource templates",
        &r.resource_templates,
        "uriTemplate",
    );
    if !r.lints.is_empty() {
        out.push_str(&format!("\nlints ({})\n", r.lints.len()));
        for l in &r.lints {
            out.push_str(&format!(
                "  {:<8} {:<22} {}{}\n",
                l.severity,
                l.code,
                l.subject
                    .as_ref()
                    .map(|s| format!("[{s}] "))
                    .unwrap_or_default(),
                one_line(&l.message, 160)
            ));
        }
    }
    if let Some(t) = &r.stderr_tail {
        out.push_str("\nstderr (tail)\n");
        for l in t.lines() {
            out.push_str(&format!("  {l}\n"));
        }
    }
    out
}

/// An auth wall in words: who to sign in with, and the scopes.
pub fn auth_words(a: &dataset::AuthInfo) -> String {
    let who = a.issuer.as_ref().or(a.authorization_servers.first());
    let mut s = match who {
        Some(w) => format!("needs OAuth sign-in with {w}"),
        None => format!(
            "needs authentication (HTTP {}{})",
            a.status,
            a.scheme
                .as_ref()
                .map(|s| format!(", {s}"))
                .unwrap_or_default()
        ),
    };
    if !a.scopes.is_empty() {
        s.push_str(&format!("; scopes {}", a.scopes.join(" ")));
    }
    let mut reg = Vec::new();
    if a.cimd {
        reg.push("client ID metadata documents");
    }
    if a.dcr {
        reg.push("dynamic client registration");
    }
    if !reg.is_empty() {
        s.push_str(&format!("; supports {}", reg.join(" and ")));
    }
    s
}
