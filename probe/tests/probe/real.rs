//! Real MCP servers, installed by `.ci/setup/probe.sh` into `target/probe-cache/fixtures/`:
//! npm `@modelcontextprotocol/server-everything` and `server-filesystem`, PyPI `mcp-server-time`.
//! Probed in the sandbox with no network; outcomes `ok` and tool names as a superset check.
//! Outside CI they skip loudly when not installed; under `CI=true` they fail instead.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use dataset::{Era, Outcome, ProbeRecord};
use probe::{procs, Options, Sandbox, Spawn, Target};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/probe-cache/fixtures")
}

fn require(p: &std::path::Path) -> bool {
    if p.exists() {
        return true;
    }
    let msg = format!("{} is not installed; run .ci/setup/probe.sh", p.display());
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{msg}");
    }
    eprintln!("SKIPPED: {msg}");
    false
}

fn sandbox() -> Sandbox {
    match probe::detect_bwrap() {
        Ok(p) => Sandbox::Bwrap(p),
        Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => panic!("{e}"),
        Err(e) => {
            eprintln!("SKIPPED sandbox: {e}");
            Sandbox::None
        }
    }
}

fn run(program: PathBuf, args: Vec<String>, bind: PathBuf) -> ProbeRecord {
    let mut o = Options::with_timeout(30.0);
    o.sandbox = sandbox();
    let t = Target {
        spawn: Spawn {
            program,
            args,
            ro_binds: vec![bind.clone()],
            ..Spawn::default()
        },
        ..Target::default()
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let rec = rt.block_on(probe::probe(&t, &o));
    // nothing of the probe's is left: no process runs from the install directory
    let needle = bind
        .canonicalize()
        .unwrap_or(bind)
        .to_string_lossy()
        .into_owned();
    let until = Instant::now() + Duration::from_secs(3);
    while !procs::with_cmdline_containing(&needle).is_empty() {
        assert!(Instant::now() < until, "leftover processes from {needle}");
        std::thread::sleep(Duration::from_millis(50));
    }
    rec
}

fn assert_superset(r: &ProbeRecord, want: &[&str]) {
    let names: Vec<&str> = r.tool_names().collect();
    for w in want {
        assert!(names.contains(w), "{w} missing from {names:?}");
    }
}

fn node() -> PathBuf {
    probe::sandbox::which("node").expect("node on PATH")
}

#[test]
fn server_everything() {
    let dir = fixtures().join("npm");
    let pkg = dir.join("node_modules/@modelcontextprotocol/server-everything");
    if !require(&pkg) {
        return;
    }
    let r = run(
        node(),
        vec![pkg.join("dist/index.js").to_string_lossy().into()],
        dir,
    );
    assert_eq!(r.outcome, Outcome::Ok, "{r:#?}");
    assert_eq!(r.era, Some(Era::Legacy));
    assert_superset(&r, &["echo", "get-sum", "get-tiny-image", "get-env"]);
    assert!(
        r.prompts.len() >= 3 && r.resources.len() >= 3,
        "{:?}",
        r.lists
    );
}

#[test]
fn server_filesystem_with_a_temp_directory() {
    let dir = fixtures().join("npm");
    let pkg = dir.join("node_modules/@modelcontextprotocol/server-filesystem");
    if !require(&pkg) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let r = run(
        node(),
        vec![
            pkg.join("dist/index.js").to_string_lossy().into(),
            tmp.path().to_string_lossy().into(),
        ],
        dir,
    );
    assert_eq!(r.outcome, Outcome::Ok, "{r:#?}");
    assert_superset(
        &r,
        &[
            "read_text_file",
            "write_file",
            "list_directory",
            "search_files",
        ],
    );
    assert_eq!(r.lists["prompts"].status, "unsupported");
}

#[test]
fn mcp_server_time_from_a_venv() {
    let venv = fixtures().join("time-venv");
    let bin = venv.join("bin/mcp-server-time");
    if !require(&bin) {
        return;
    }
    let r = run(bin, Vec::new(), venv);
    assert_eq!(r.outcome, Outcome::Ok, "{r:#?}");
    assert_superset(&r, &["get_current_time", "convert_time"]);
}
