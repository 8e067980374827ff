//! Cross-check of our MCP client against the official Rust SDK (`rmcp`, a dev-dependency only).
//!
//! For each fixture mode the fixture server runs twice: once with `rmcp` as the client and once
//! with ours. Where `rmcp` succeeds, our tool names are the same set and every field `rmcp` sees
//! is in our record with the same value, plus the unknown fields `rmcp` drops. Where `rmcp` fails
//! (a malformed tool fails its whole list) or loops (a repeated cursor; bounded here by a
//! timeout), our client still returns the good items and a lint. This is why the prober has its
//! own client. Both runs are unsandboxed (the comparison is about the protocol, not isolation),
//! and after each run no process of the fixture's is left.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use dataset::{Outcome, ProbeRecord};
use probe::{procs, Options, Sandbox, Spawn, Target};
use rmcp::transport::{ConfigureCommandExt, TokioChildProcess};
use rmcp::ServiceExt;
use serde_json::Value;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_mcp-fixture-server"))
}

fn tag(mode: &str, who: &str) -> String {
    format!("hisper-rmcp-{mode}-{who}-{}", std::process::id())
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn assert_no_leftovers(tag: &str) {
    let until = Instant::now() + Duration::from_secs(5);
    loop {
        let left = procs::with_cmdline_containing(tag);
        if left.is_empty() {
            return;
        }
        assert!(
            Instant::now() < until,
            "processes left behind by {tag}: {left:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// What rmcp made of the server's tool list.
enum RmcpTools {
    /// Every tool, as rmcp's typed model serializes it back.
    Listed(Vec<Value>),
    /// The handshake or the list failed.
    Failed(String),
    /// Still paging when the bound ran out.
    TimedOut,
}

fn with_rmcp(mode: &str, bound: Duration) -> RmcpTools {
    let t = tag(mode, "rmcp");
    let out = rt().block_on(async {
        let cmd = tokio::process::Command::new(fixture()).configure(|c| {
            c.args([mode, "--tag", &t]);
        });
        let (transport, _) = TokioChildProcess::builder(cmd)
            .stderr(Stdio::null())
            .spawn()
            .expect("rmcp spawns the fixture");
        let client = match tokio::time::timeout(bound, ().serve(transport)).await {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => return RmcpTools::Failed(format!("initialize: {e}")),
            Err(_) => return RmcpTools::TimedOut,
        };
        let listed = tokio::time::timeout(bound, client.list_all_tools()).await;
        let out = match listed {
            Ok(Ok(tools)) => RmcpTools::Listed(
                tools
                    .iter()
                    .map(|t| serde_json::to_value(t).expect("rmcp tools serialize"))
                    .collect(),
            ),
            Ok(Err(e)) => RmcpTools::Failed(e.to_string()),
            Err(_) => RmcpTools::TimedOut,
        };
        let _ = tokio::time::timeout(Duration::from_secs(5), client.cancel()).await;
        out
    });
    assert_no_leftovers(&t);
    out
}

fn with_ours(mode: &str) -> ProbeRecord {
    let t = tag(mode, "ours");
    let target = Target {
        spawn: Spawn {
            program: fixture(),
            args: vec![mode.into(), "--tag".into(), t.clone()],
            ..Spawn::default()
        },
        ..Target::default()
    };
    let mut opts = Options::with_timeout(10.0);
    opts.sandbox = Sandbox::None;
    opts.shutdown_grace = Duration::from_millis(300);
    let rec = rt().block_on(probe::probe(&target, &opts));
    assert_no_leftovers(&t);
    rec
}

fn name_of(v: &Value) -> Option<&str> {
    v.get("name").and_then(Value::as_str)
}

fn codes(r: &ProbeRecord) -> Vec<&str> {
    r.lints.iter().map(|l| l.code.as_str()).collect()
}

/// rmcp lists the tools: ours has the same names and keeps every field rmcp sees, and more.
fn agree(mode: &str, expect_tools: usize) -> ProbeRecord {
    let theirs = match with_rmcp(mode, Duration::from_secs(20)) {
        RmcpTools::Listed(t) => t,
        RmcpTools::Failed(e) => panic!("rmcp failed on {mode}: {e}"),
        RmcpTools::TimedOut => panic!("rmcp timed out on {mode}"),
    };
    let ours = with_ours(mode);
    assert_eq!(ours.outcome, Outcome::Ok, "{mode}: {:?}", ours.detail);
    assert_eq!(theirs.len(), expect_tools, "{mode}: rmcp's count");
    assert_eq!(ours.tools.len(), expect_tools, "{mode}: our count");
    let their_names: BTreeSet<&str> = theirs.iter().filter_map(name_of).collect();
    let our_names: BTreeSet<&str> = ours.tool_names().collect();
    assert_eq!(their_names, our_names, "{mode}: same tool names");

    let by_name: std::collections::HashMap<&str, &Value> = ours
        .tools
        .iter()
        .filter_map(|o| Some((name_of(o)?, o)))
        .collect();
    let mut dropped_by_rmcp = 0;
    for t in &theirs {
        let name = name_of(t).expect("rmcp tools have names");
        let mine = by_name.get(name).expect("listed by both");
        let (Some(t), Some(m)) = (t.as_object(), mine.as_object()) else {
            panic!("{mode}: tools are objects");
        };
        for (k, v) in t {
            assert_eq!(m.get(k), Some(v), "{mode}: {name}.{k} kept as rmcp sees it");
        }
        // the fixture's vendor extension: we keep it, rmcp's typed model drops it
        assert!(!t.contains_key("x-vendor"), "{mode}: rmcp drops x-vendor");
        assert_eq!(
            m.get("x-vendor"),
            Some(&serde_json::json!({"kept": true})),
            "{mode}: {name} keeps the unknown field"
        );
        dropped_by_rmcp += m.keys().filter(|k| !t.contains_key(*k)).count();
    }
    assert!(
        dropped_by_rmcp >= expect_tools,
        "{mode}: our records hold fields rmcp dropped"
    );
    ours
}

#[test]
fn normal_server_same_tools_and_we_keep_unknown_fields() {
    let ours = agree("normal", 3);
    assert_eq!(ours.protocol_version.as_deref(), Some("2025-11-25"));
}

#[test]
fn protocol_2025_06_18_same_tools() {
    let ours = agree("v2025-06", 3);
    assert_eq!(ours.protocol_version.as_deref(), Some("2025-06-18"));
}

#[test]
fn ten_thousand_tools_over_pages_same_set() {
    let ours = agree("many-tools", 10_000);
    assert_eq!(ours.lists["tools"].pages, 100);
    assert!(!ours.lists["tools"].truncated);
}

#[test]
fn malformed_tool_fails_rmcp_but_we_keep_the_good_ones() {
    match with_rmcp("malformed", Duration::from_secs(10)) {
        RmcpTools::Failed(_) => {}
        RmcpTools::Listed(t) => panic!(
            "rmcp now lists a list with a malformed tool ({} tools): revisit this check",
            t.len()
        ),
        RmcpTools::TimedOut => panic!("rmcp hung on a malformed tool"),
    }
    let ours = with_ours("malformed");
    assert_eq!(ours.outcome, Outcome::Ok);
    let names: BTreeSet<&str> = ours.tool_names().collect();
    assert!(
        names.contains("good_one") && names.contains("good_two"),
        "{names:?}"
    );
    assert_eq!(ours.tools.len(), 8, "the malformed items are kept raw too");
    assert!(
        codes(&ours).contains(&"malformed-item"),
        "{:?}",
        codes(&ours)
    );
}

#[test]
fn repeated_cursor_loops_rmcp_but_we_stop_with_a_lint() {
    match with_rmcp("repeat-cursor", Duration::from_secs(2)) {
        RmcpTools::TimedOut => {}
        RmcpTools::Listed(t) => panic!(
            "rmcp now stops on a repeated cursor ({} tools): revisit this check",
            t.len()
        ),
        RmcpTools::Failed(e) => panic!("rmcp failed instead of looping: {e}"),
    }
    let ours = with_ours("repeat-cursor");
    assert_eq!(ours.outcome, Outcome::Ok);
    assert_eq!(ours.tool_names().collect::<Vec<_>>(), ["loop", "loop"]);
    assert!(ours.lists["tools"].truncated);
    assert!(
        codes(&ours).contains(&"list-truncated"),
        "{:?}",
        codes(&ours)
    );
}
