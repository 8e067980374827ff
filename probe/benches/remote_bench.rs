//! Remote prober benchmark (`cargo bench -p hisper-probe --bench remote_bench`), printing a
//! table: 1,000 local fake remotes with mixed outcomes probed through `batch::run_remotes` (the
//! path `hisper probe` takes: one shared client, one probe at a time per host, a global limit),
//! remotes per second, p50/p95 per probe, and the prober's peak memory (VmHWM) under the 50 MB
//! floods among them. Target: at least 50 remotes per second on 2 cores, memory bounded.
//!
//! The fakes run in a child process (this binary with `HISPER_BENCH_FAKE=1`) so the memory
//! figure is the prober's alone. Every remote has its own host name (`rN.bench.test`, a fixed
//! answer to 127.0.0.1), so the per-host limit does not serialize the run.
//! `HISPER_BENCH_REMOTES` (default 1000) and `HISPER_BENCH_CONCURRENCY` (default 16) tune it.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use dataset::{Dataset, Install, Kind, RemoteOutcome, Server, Transport};
use probe::remote::RemoteOptions;

const KINDS: [&str; 7] = [
    "ok-json", "ok-sse", "auth", "html", "flood", "slow", "closed",
];

fn kind_of(i: usize) -> &'static str {
    match i % 100 {
        0..=59 => "ok-json",
        60..=69 => "ok-sse",
        70..=84 => "auth",
        85..=89 => "html",
        90..=92 => "flood",
        93..=94 => "slow",
        _ => "closed",
    }
}

fn answer(body: &str) -> Option<String> {
    let req: serde_json::Value = serde_json::from_str(body).ok()?;
    let id = req.get("id")?.clone();
    let result = match req["method"].as_str().unwrap_or("") {
        "initialize" => serde_json::json!({"protocolVersion": "2025-11-25",
            "capabilities": {"tools": {}}, "serverInfo": {"name": "bench", "version": "1"}}),
        "tools/list" => {
            let tools: Vec<_> = (0..20)
                .map(|t| {
                    serde_json::json!({"name": format!("tool_{t}"), "description": "a tool",
                    "inputSchema": {"type": "object", "properties": {"q": {"type": "string"}}}})
                })
                .collect();
            serde_json::json!({"tools": tools})
        }
        "prompts/list" => serde_json::json!({"prompts": []}),
        "resources/list" => serde_json::json!({"resources": []}),
        "resources/templates/list" => serde_json::json!({"resourceTemplates": []}),
        _ => serde_json::json!({}),
    };
    Some(serde_json::json!({"jsonrpc": "2.0", "id": id, "result": result}).to_string())
}

fn serve(kind: &'static str, conn: TcpStream) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut out = conn;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let path = parts.next().unwrap_or("").to_string();
        let mut len = 0usize;
        let mut host = String::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                match k.trim().to_ascii_lowercase().as_str() {
                    "content-length" => len = v.trim().parse().unwrap_or(0),
                    "host" => host = v.trim().to_string(),
                    _ => {}
                }
            }
        }
        let mut body = vec![0u8; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let body = String::from_utf8_lossy(&body).into_owned();
        let (status, ct, extra, payload): (u16, &str, String, Vec<u8>) = match (kind, method.as_str()) {
            (_, "DELETE") => (200, "text/plain", String::new(), Vec::new()),
            ("auth", "GET") if path.starts_with("/.well-known/oauth-protected-resource") => (
                200,
                "application/json",
                String::new(),
                format!("{{\"resource\":\"http://{host}/mcp\",\"authorization_servers\":[\"http://{host}/as\"],\"scopes_supported\":[\"read\"]}}").into_bytes(),
            ),
            ("auth", "GET") if path.starts_with("/.well-known/oauth-authorization-server") => (
                200,
                "application/json",
                String::new(),
                format!("{{\"issuer\":\"http://{host}/as\",\"authorization_endpoint\":\"http://{host}/as/authorize\",\"token_endpoint\":\"http://{host}/as/token\",\"client_id_metadata_document_supported\":true}}").into_bytes(),
            ),
            ("auth", _) => (
                401,
                "application/json",
                format!("WWW-Authenticate: Bearer resource_metadata=\"http://{host}/.well-known/oauth-protected-resource/mcp\"\r\n"),
                b"{\"error\":\"invalid_token\"}".to_vec(),
            ),
            ("html", _) => (200, "text/html", String::new(), b"<!doctype html><h1>hello</h1>".to_vec()),
            ("flood", "POST") => {
                let n = 50usize << 20;
                let head = format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {n}\r\n\r\n");
                if out.write_all(head.as_bytes()).is_err() {
                    return;
                }
                let chunk = vec![b' '; 1 << 16];
                for _ in 0..(n >> 16) {
                    if out.write_all(&chunk).is_err() {
                        return;
                    }
                }
                continue;
            }
            ("slow", _) => {
                std::thread::sleep(Duration::from_secs(30));
                return;
            }
            (_, "GET") => (405, "text/plain", String::new(), Vec::new()),
            (_, "POST") => match answer(&body) {
                None => (202, "text/plain", String::new(), Vec::new()),
                Some(a) if kind == "ok-sse" => (
                    200,
                    "text/event-stream",
                    "Mcp-Session-Id: bench-session\r\n".into(),
                    format!("event: message\ndata: {a}\n\n").into_bytes(),
                ),
                Some(a) => (200, "application/json", "Mcp-Session-Id: bench-session\r\n".into(), a.into_bytes()),
            },
            _ => (405, "text/plain", String::new(), Vec::new()),
        };
        let head = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: {ct}\r\n{extra}Content-Length: {}\r\n\r\n",
            payload.len()
        );
        if out
            .write_all(head.as_bytes())
            .and_then(|_| out.write_all(&payload))
            .is_err()
        {
            return;
        }
    }
}

/// The fake side: one listener per kind, ports printed on stdout as `kind port`.
fn fake_main() {
    let mut ports = Vec::new();
    for kind in KINDS {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        if kind == "closed" {
            drop(l);
        } else {
            std::thread::spawn(move || {
                for c in l.incoming().flatten() {
                    std::thread::spawn(move || serve(kind, c));
                }
            });
        }
        ports.push(format!("{kind} {port}"));
    }
    println!("{}", ports.join("\n"));
    println!("ready");
    std::io::stdout().flush().unwrap();
    // until the parent closes our stdin
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
}

fn pct(v: &[u64], p: f64) -> u64 {
    if v.is_empty() {
        return 0;
    }
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn main() {
    if std::env::var_os("HISPER_BENCH_FAKE").is_some() {
        return fake_main();
    }
    let n: usize = std::env::var("HISPER_BENCH_REMOTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let conc: usize = std::env::var("HISPER_BENCH_CONCURRENCY")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16);
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env("HISPER_BENCH_FAKE", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("starting the fakes");
    let mut ports = BTreeMap::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for l in lines.by_ref() {
        let l = l.unwrap();
        if l == "ready" {
            break;
        }
        let (k, p) = l.split_once(' ').unwrap();
        ports.insert(k.to_string(), p.parse::<u16>().unwrap());
    }
    let mut d = Dataset::new("2026-12-01T00:00:00Z");
    let mut opts = RemoteOptions::with_timeout(2.0);
    opts.policy.allow_private = true;
    for i in 0..n {
        let host = format!("r{i}.bench.test");
        opts.policy
            .hosts
            .insert(host.clone(), vec!["127.0.0.1".parse().unwrap()]);
        let kind = kind_of(i);
        d.servers.push(Server {
            id: format!("mcp-registry:bench/{i:05}"),
            name: format!("bench-{i}"),
            kind: Kind::Server,
            install: Install {
                packages: vec![],
                remotes: vec![Transport {
                    kind: "streamable-http".into(),
                    url: Some(format!("http://{host}:{}/mcp", ports[kind])),
                    ..Transport::default()
                }],
            },
            ..Server::default()
        });
    }
    let ids: Vec<String> = d.servers.iter().map(|s| s.id.clone()).collect();
    let rt = probe::runtime().unwrap();
    let t = Instant::now();
    let recs = rt.block_on(probe::batch::run_remotes(
        &d,
        &ids,
        &opts,
        conc,
        &indicatif::ProgressBar::hidden(),
    ));
    let wall = t.elapsed().as_secs_f64();
    let hwm = probe::procs::status_kb(std::process::id() as i32, "VmHWM").unwrap_or(0);
    drop(child.stdin.take());
    let _ = child.kill();
    let _ = child.wait();

    let all: Vec<&dataset::ProbeRecord> = recs.values().flatten().collect();
    let mut per: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &all {
        let o = r
            .remote
            .as_ref()
            .map(|i| i.outcome)
            .unwrap_or(RemoteOutcome::ProtocolError);
        *per.entry(o.as_str()).or_default() += 1;
    }
    let mut ms: Vec<u64> = all.iter().map(|r| r.timings.total_ms).collect();
    ms.sort();
    println!("| remotes | concurrency | wall s | remotes/s | p50 ms | p95 ms | peak MiB (VmHWM) |");
    println!("|---|---|---|---|---|---|---|");
    println!(
        "| {} | {conc} | {wall:.2} | {:.1} | {} | {} | {:.1} |",
        all.len(),
        all.len() as f64 / wall,
        pct(&ms, 0.5),
        pct(&ms, 0.95),
        hwm as f64 / 1024.0
    );
    println!();
    println!("| outcome | remotes |");
    println!("|---|---|");
    for (o, c) in per {
        println!("| {o} | {c} |");
    }
}
