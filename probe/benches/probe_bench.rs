//! Prober benchmark (`cargo bench -p hisper-probe --bench probe_bench`), printing a table:
//!
//! 1. the probe's own overhead per server over the server's bare start-up (target < 50 ms):
//!    bare = spawn the fixture directly, send `initialize`, read the reply; probe = the full
//!    probe (sandbox, handshake, four lists, ping, shutdown) of the same server;
//! 2. probes per second for 200 probes of the fast fixture at concurrency 1, 2 and 4;
//! 3. peak memory (VmHWM) of the prober process for the 10,000-tool and the 100 MB-flood
//!    fixtures (target: bounded, < 100 MB), each measured in a fresh child process.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use probe::{Options, Sandbox, Spawn, Target};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_mcp-fixture-server"))
}

fn target(mode: &str) -> Target {
    Target {
        spawn: Spawn {
            program: fixture(),
            args: vec![mode.into()],
            ..Spawn::default()
        },
        ..Target::default()
    }
}

fn sandbox() -> Sandbox {
    probe::detect_bwrap()
        .map(Sandbox::Bwrap)
        .unwrap_or(Sandbox::None)
}

fn opts(sb: Sandbox) -> Options {
    let mut o = Options::with_timeout(30.0);
    o.sandbox = sb;
    o
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Spawn, initialize, first reply, close stdin, wait: the server's own start-up and exit.
fn bare_ms() -> f64 {
    let t = Instant::now();
    let mut c = Command::new(fixture())
        .arg("normal")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("fixture runs");
    let mut stdin = c.stdin.take().unwrap();
    writeln!(stdin, r#"{{"jsonrpc":"2.0","id":1,"method":"initialize","params":{{"protocolVersion":"2025-11-25","capabilities":{{}},"clientInfo":{{"name":"b","version":"0"}}}}}}"#).unwrap();
    let mut line = String::new();
    BufReader::new(c.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    drop(stdin);
    c.wait().unwrap();
    t.elapsed().as_secs_f64() * 1000.0
}

fn mem_child(mode: &str) {
    let rt = probe::runtime().unwrap();
    let r = rt.block_on(probe::probe(&target(mode), &opts(sandbox())));
    let hwm = probe::procs::status_kb(std::process::id() as i32, "VmHWM").unwrap_or(0);
    println!(
        "{} {} {} {}",
        hwm,
        r.outcome.as_str(),
        r.tools.len(),
        r.bytes_read
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--mem-child") {
        mem_child(&args[i + 1]);
        return;
    }
    let rt = probe::runtime().unwrap();
    let sb = sandbox();
    println!(
        "prober benchmark (sandbox: {})",
        if sb == Sandbox::None {
            "none"
        } else {
            "bubblewrap"
        }
    );
    println!();

    // 1. overhead
    let n = 30;
    let bare: Vec<f64> = (0..n).map(|_| bare_ms()).collect();
    let mut rows = Vec::new();
    for (label, s) in [("unsandboxed", Sandbox::None), ("bubblewrap", sb.clone())] {
        if label == "bubblewrap" && s == Sandbox::None {
            continue;
        }
        let o = opts(s);
        let v: Vec<f64> = (0..n)
            .map(|_| {
                let t = Instant::now();
                let r = rt.block_on(probe::probe(&target("normal"), &o));
                assert_eq!(r.outcome, dataset::Outcome::Ok);
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        rows.push((label, median(v)));
    }
    let b = median(bare);
    println!("| overhead per server (median of {n}) | ms |");
    println!("|---|---|");
    println!("| bare start-up: spawn, initialize, exit | {b:.1} |");
    for (label, m) in &rows {
        println!(
            "| full probe, {label} | {m:.1} (overhead {:.1}, target < 50) |",
            m - b
        );
    }
    println!();

    // 2. throughput
    println!("| 200 probes of the fast fixture | probes/s | wall s |");
    println!("|---|---|---|");
    for c in [1usize, 2, 4] {
        let o = opts(sb.clone());
        let t = Instant::now();
        let ok = rt.block_on(async {
            use futures::StreamExt;
            futures::stream::iter(0..200)
                .map(|_| {
                    let o = o.clone();
                    async move { probe::probe(&target("normal"), &o).await }
                })
                .buffer_unordered(c)
                .filter(|r| futures::future::ready(r.outcome == dataset::Outcome::Ok))
                .count()
                .await
        });
        let s = t.elapsed().as_secs_f64();
        assert_eq!(ok, 200);
        println!("| concurrency {c} | {:.1} | {s:.2} |", 200.0 / s);
    }
    println!();

    // 3. memory
    println!("| prober peak memory (VmHWM, own process) | MiB | outcome | tools | bytes read |");
    println!("|---|---|---|---|---|");
    let me = std::env::current_exe().unwrap();
    for mode in ["normal", "many-tools", "flood", "huge-line"] {
        let out = Command::new(&me)
            .args(["--mem-child", mode])
            .output()
            .expect("bench re-exec");
        let text = String::from_utf8_lossy(&out.stdout);
        let f: Vec<&str> = text.split_whitespace().collect();
        if f.len() < 4 {
            println!(
                "| {mode} | failed: {} |",
                String::from_utf8_lossy(&out.stderr)
            );
            continue;
        }
        let kb: f64 = f[0].parse().unwrap_or(0.0);
        println!(
            "| {mode} | {:.1} | {} | {} | {} |",
            kb / 1024.0,
            f[1],
            f[2],
            f[3]
        );
    }
    let _ = Duration::ZERO;
}
