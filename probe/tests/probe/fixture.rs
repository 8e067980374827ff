//! The prober against the Rust fixture server (`mcp-fixture-server`), one mode per test, in the
//! bubblewrap sandbox when it works here and unsandboxed otherwise (and for the modes that test
//! the bare process handling). After every probe, no process of the probe's is left.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use dataset::{ConfigMode, Era, Outcome, ProbeRecord};
use probe::{procs, Options, Sandbox, Spawn, Target};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_mcp-fixture-server"))
}

fn sandbox() -> Sandbox {
    match probe::detect_bwrap() {
        Ok(p) => Sandbox::Bwrap(p),
        Err(e) => {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("bubblewrap must work in CI: {e}");
            }
            eprintln!("SKIPPED sandbox (running unsandboxed): {e}");
            Sandbox::None
        }
    }
}

fn tag(name: &str) -> String {
    format!("hisper-test-{name}-{}", std::process::id())
}

fn target(mode: &str, tag: &str, extra: &[&str]) -> Target {
    let mut args = vec![mode.to_string(), "--tag".into(), tag.to_string()];
    args.extend(extra.iter().map(|s| s.to_string()));
    Target {
        spawn: Spawn {
            program: fixture(),
            args,
            ..Spawn::default()
        },
        ..Target::default()
    }
}

fn opts(sb: Sandbox, timeout: f64) -> Options {
    let mut o = Options::with_timeout(timeout);
    o.sandbox = sb;
    o.shutdown_grace = Duration::from_millis(300);
    o
}

fn run(mode: &str, sb: Sandbox, timeout: f64, extra: &[&str]) -> ProbeRecord {
    let t = tag(mode);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let rec = rt.block_on(probe::probe(&target(mode, &t, extra), &opts(sb, timeout)));
    assert_no_leftovers(&t);
    rec
}

fn assert_no_leftovers(tag: &str) {
    // killed processes disappear from the table within moments
    let until = Instant::now() + Duration::from_secs(3);
    loop {
        let left = procs::with_cmdline_containing(tag);
        if left.is_empty() {
            return;
        }
        if Instant::now() > until {
            panic!("processes left behind: {left:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn names(r: &ProbeRecord) -> Vec<&str> {
    r.tool_names().collect()
}

fn codes(r: &ProbeRecord) -> Vec<&str> {
    r.lints.iter().map(|l| l.code.as_str()).collect()
}

#[test]
fn normal_server_is_ok_with_lossless_lists() {
    let r = run("normal", sandbox(), 10.0, &[]);
    assert_eq!(r.outcome, Outcome::Ok, "{r:#?}");
    assert_eq!(r.era, Some(Era::Legacy));
    assert_eq!(r.protocol_version.as_deref(), Some("2025-11-25"));
    assert_eq!(names(&r), ["echo", "add", "get_time"]);
    // unknown fields are kept
    assert_eq!(r.tools[0]["x-vendor"]["kept"], true);
    assert_eq!(r.server_info.as_ref().unwrap()["x-extra"], 1);
    assert_eq!(r.prompts.len(), 1);
    assert_eq!(r.resources.len(), 1);
    assert_eq!(r.lists["resource_templates"].status, "unsupported");
    assert_eq!(r.lists["tools"].status, "ok");
    assert!(r.timings.ping_ms.is_some());
    assert!(r.timings.first_reply_ms.is_some());
    assert!(r.peak_rss_kb.unwrap_or(0) > 0);
    assert!(r.bytes_read > 0);
    assert!(codes(&r).contains(&"annotations-absent"));
    assert!(!codes(&r).contains(&"stdout-noise"));
}

#[test]
fn legacy_2024_and_2025_06_versions_are_recorded() {
    let r = run("v2024", sandbox(), 10.0, &[]);
    assert_eq!(r.outcome, Outcome::Ok);
    assert_eq!(r.protocol_version.as_deref(), Some("2024-11-05"));
    assert_eq!(r.lists["prompts"].status, "unsupported");
    let r = run("v2025-06", sandbox(), 10.0, &[]);
    assert_eq!(r.outcome, Outcome::Ok);
    assert_eq!(r.protocol_version.as_deref(), Some("2025-06-18"));
}

#[test]
fn modern_only_server_falls_forward() {
    let r = run("modern", sandbox(), 10.0, &[]);
    assert_eq!(r.outcome, Outcome::Ok, "{r:#?}");
    assert_eq!(r.era, Some(Era::Modern));
    assert_eq!(r.protocol_version.as_deref(), Some("2026-07-28"));
    assert_eq!(r.server_info.as_ref().unwrap()["name"], "fixture-modern");
    // the fixture rejects lists without _meta, so tools prove _meta was sent
    assert_eq!(names(&r), ["echo", "add", "get_time"]);
    assert!(r.timings.ping_ms.is_none(), "no ping in the modern era");
}

#[test]
fn dual_era_server_locks_the_era_it_was_asked_first() {
    let r = run("dual", sandbox(), 10.0, &[]);
    assert_eq!(r.outcome, Outcome::Ok);
    assert_eq!(r.era, Some(Era::Legacy));
    let mut o = opts(sandbox(), 10.0);
    o.era_policy = probe::EraPolicy::DiscoverFirst;
    let t = tag("dual-discover");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let r = rt.block_on(probe::probe(&target("dual", &t, &[]), &o));
    assert_no_leftovers(&t);
    assert_eq!(r.outcome, Outcome::Ok, "{r:#?}");
    assert_eq!(r.era, Some(Era::Modern));
    // discover-first against a legacy-only server falls back to initialize
    let t = tag("normal-discover");
    let r = rt.block_on(probe::probe(&target("normal", &t, &[]), &o));
    assert_no_leftovers(&t);
    assert_eq!(r.outcome, Outcome::Ok);
    assert_eq!(r.era, Some(Era::Legacy));
}

#[test]
fn banner_and_log_lines_on_stdout_are_linted_not_fatal() {
    let r = run("banner", sandbox(), 10.0, &[]);
    assert_eq!(r.outcome, Outcome::Ok, "{r:#?}");
    assert_eq!(names(&r).len(), 3);
    let l = r
        .lints
        .iter()
        .find(|l| l.code == "stdout-noise")
        .expect("noise lint");
    assert!(
        l.message.contains("3 before the first message"),
        "{}",
        l.message
    );
    assert!(
        l.message.contains("were JSON but not JSON-RPC"),
        "{}",
        l.message
    );
}

#[test]
fn silent_server_times_out_in_initialize() {
    let t0 = Instant::now();
    let r = run("silent", sandbox(), 1.0, &[]);
    assert_eq!(r.outcome, Outcome::Timeout);
    assert_eq!(r.phase.as_deref(), Some("initialize"));
    assert!(t0.elapsed() < Duration::from_secs(6), "{:?}", t0.elapsed());
}

#[test]
fn missing_api_key_is_needs_config_with_name_and_redacted_stderr() {
    let t0 = Instant::now();
    let r = run("needs-key", sandbox(), 10.0, &[]);
    assert_eq!(r.outcome, Outcome::NeedsConfig, "{r:#?}");
    assert!(t0.elapsed() < Duration::from_secs(5), "fails fast on exit");
    assert_eq!(r.needs, ["FIXTURE_API_KEY"]);
    assert_eq!(r.exit_status.as_deref(), Some("exit 1"));
    let tail = r.stderr_tail.as_deref().unwrap();
    assert!(
        tail.contains("FIXTURE_API_KEY environment variable is required"),
        "{tail}"
    );
    assert!(!tail.contains("ghp_abcdef"), "token redacted: {tail}");
}

#[test]
fn placeholder_config_lets_it_start() {
    let t = tag("placeholder");
    let mut target = target("needs-key", &t, &[]);
    target.spawn.env = vec![("FIXTURE_API_KEY".into(), probe::install::PLACEHOLDER.into())];
    target.config_mode = ConfigMode::Placeholder;
    target.needs = vec!["FIXTURE_API_KEY".into()];
    let rt = tokio::runtime::Runtime::new().unwrap();
    let r = rt.block_on(probe::probe(&target, &opts(sandbox(), 10.0)));
    assert_no_leftovers(&t);
    assert_eq!(r.outcome, Outcome::Ok);
    assert_eq!(r.config_mode, ConfigMode::Placeholder);
}

#[test]
fn stubborn_server_is_killed_sandboxed_and_not() {
    for sb in [sandbox(), Sandbox::None] {
        let t0 = Instant::now();
        let r = run("stubborn", sb, 10.0, &[]);
        assert_eq!(r.outcome, Outcome::Ok);
        assert!(t0.elapsed() < Duration::from_secs(8));
        assert!(
            r.exit_status.as_deref().unwrap_or("").starts_with("signal"),
            "{:?}",
            r.exit_status
        );
    }
}

#[test]
fn grandchild_does_not_survive_sandboxed_and_not() {
    for sb in [sandbox(), Sandbox::None] {
        let r = run("grandchild", sb, 10.0, &[]);
        assert_eq!(r.outcome, Outcome::Ok);
    }
}

#[test]
fn flood_of_100_mb_on_stdout_and_stderr_is_drained() {
    let r = run("flood", sandbox(), 30.0, &[]);
    assert_eq!(r.outcome, Outcome::Ok, "{:?} {:?}", r.outcome, r.detail);
    assert!(r.bytes_read >= 200 * 1024 * 1024, "{}", r.bytes_read);
    assert!(r.stderr_tail.as_deref().unwrap_or("").len() <= 4096);
    assert!(codes(&r).contains(&"stdout-noise"));
}

#[test]
fn one_20_mb_line_is_discarded() {
    let r = run("huge-line", sandbox(), 30.0, &[]);
    assert_eq!(r.outcome, Outcome::Ok);
    assert!(codes(&r).contains(&"oversized-line"), "{:?}", codes(&r));
}

#[test]
fn ten_thousand_tools_over_a_hundred_pages() {
    let r = run("many-tools", sandbox(), 30.0, &[]);
    assert_eq!(r.outcome, Outcome::Ok);
    assert_eq!(r.tools.len(), 10_000);
    assert_eq!(r.lists["tools"].pages, 100);
    assert!(!r.lists["tools"].truncated);
    assert_eq!(r.tools[9_999]["name"], "tool_09999");
    // lints are capped, not one per tool
    assert!(r.lints.len() < 50, "{}", r.lints.len());
}

#[test]
fn repeated_cursor_stops_the_loop() {
    let r = run("repeat-cursor", sandbox(), 10.0, &[]);
    assert_eq!(r.outcome, Outcome::Ok);
    let st = &r.lists["tools"];
    assert!(st.truncated);
    assert_eq!(st.pages, 2);
    assert!(st.error.as_deref().unwrap().contains("repeated cursor"));
    assert!(codes(&r).contains(&"list-truncated"));
}

#[test]
fn malformed_tool_is_kept_raw_with_lints() {
    let r = run("malformed", sandbox(), 10.0, &[]);
    assert_eq!(r.outcome, Outcome::Ok);
    assert_eq!(r.tools.len(), 8, "nothing dropped");
    assert_eq!(r.tools[1]["name"], 42);
    let c = codes(&r);
    for want in [
        "malformed-item",
        "tool-name",
        "duplicate-name",
        "missing-description",
        "invalid-input-schema",
        "oversized-description",
    ] {
        assert!(c.contains(&want), "{want} in {c:?}");
    }
}

#[test]
fn out_of_order_replies_and_interleaved_notifications() {
    let r = run("out-of-order", sandbox(), 10.0, &[]);
    assert_eq!(r.outcome, Outcome::Ok, "{r:#?}");
    assert_eq!(names(&r), ["echo", "add", "get_time"]);
    assert_eq!(r.prompts.len(), 1);
    assert_eq!(r.notifications.get("notifications/message"), Some(&4));
}

#[test]
fn server_to_client_requests_get_correct_replies() {
    let r = run("server-request", sandbox(), 10.0, &[]);
    assert_eq!(r.outcome, Outcome::Ok);
    assert!(names(&r).contains(&"got_replies_ok"), "{:?}", names(&r));
    assert_eq!(r.server_requests.get("roots/list"), Some(&1));
    assert_eq!(r.server_requests.get("sampling/createMessage"), Some(&1));
}

#[test]
fn no_secret_of_the_prober_reaches_the_server() {
    // the prober's own environment holds the secrets: this test runs in a child process
    let secrets = [
        ("GITHUB_TOKEN", "ghp_SECRETSECRETSECRETSECRET0123456789"),
        ("HISPER_SECRET_CANARY", "canary-value-7731"),
    ];
    if !crate::common::in_child_with_env(
        module_path!(),
        "no_secret_of_the_prober_reaches_the_server",
        &secrets,
    ) {
        return;
    }
    for sb in [sandbox(), Sandbox::None] {
        let sandboxed = sb != Sandbox::None;
        let r = run("env-echo", sb, 10.0, &[]);
        assert_eq!(r.outcome, Outcome::Ok);
        let all = serde_json::to_string(&r).unwrap();
        assert!(!all.contains("SECRETSECRET"), "{all}");
        assert!(!all.contains("canary-value-7731"), "{all}");
        let env = r.tools[0]["description"].as_str().unwrap();
        let keys: Vec<&str> = env
            .split(';')
            .map(|kv| kv.split('=').next().unwrap())
            .collect();
        assert!(
            keys.iter()
                .all(|k| ["PATH", "HOME", "LANG", "TMPDIR", "PWD"].contains(k)),
            "{keys:?}"
        );
        if sandboxed {
            assert!(env.contains("HOME=/home/probe"), "{env}");
        }
        // bubblewrap's own pid 1 must not carry the prober's environment either
        let proc1 = r.tools[1]["description"].as_str().unwrap();
        assert!(
            !proc1.contains("SECRETSECRET") && !proc1.contains("canary"),
            "{proc1}"
        );
        // rlimits reach the server
        let limits = r.tools[2]["description"].as_str().unwrap();
        let line = |name: &str| {
            limits
                .lines()
                .find(|l| l.starts_with(name))
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                .unwrap_or_default()
        };
        assert!(line("Max open files").contains("1024 1024"), "{limits}");
        assert!(line("Max file size").contains("104857600"), "{limits}");
        assert!(line("Max cpu time").contains("120 120"), "{limits}");
        assert!(line("Max core file size").contains("0 0"), "{limits}");
        assert!(
            line("Max data size").contains("1073741824 1073741824"),
            "{limits}"
        );
    }
}

#[test]
fn sandboxed_server_cannot_reach_a_local_listener() {
    let Sandbox::Bwrap(bw) = sandbox() else {
        eprintln!("SKIPPED: no bubblewrap here");
        return;
    };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let r = run("net", Sandbox::Bwrap(bw), 10.0, &["--port", &port]);
    assert_eq!(r.outcome, Outcome::Ok);
    assert!(
        r.stderr_tail.as_deref().unwrap_or("").contains("failed"),
        "{:?}",
        r.stderr_tail
    );
    assert!(
        listener.accept().is_err(),
        "a connection arrived from the sandbox"
    );
}

#[test]
fn not_mcp_program() {
    let r = run("not-mcp", sandbox(), 2.0, &[]);
    assert_eq!(r.outcome, Outcome::NotMcp, "{r:#?}");
}

#[test]
fn missing_program_is_reported() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let t = Target {
        spawn: Spawn {
            program: "/nonexistent/server".into(),
            ..Spawn::default()
        },
        ..Target::default()
    };
    let r = rt.block_on(probe::probe(&t, &opts(Sandbox::None, 2.0)));
    assert_eq!(r.outcome, Outcome::Crashed);
    assert_eq!(r.phase.as_deref(), Some("spawn"));
}

#[test]
fn late_tools_are_listed_again_after_list_changed() {
    let r = run("late-tools", sandbox(), 10.0, &[]);
    assert_eq!(r.outcome, Outcome::Ok);
    assert_eq!(names(&r), ["echo", "add", "get_time", "late_tool"]);
    assert!(codes(&r).contains(&"tools-list-changed"));
    assert_eq!(
        r.notifications.get("notifications/tools/list_changed"),
        Some(&1)
    );
}
