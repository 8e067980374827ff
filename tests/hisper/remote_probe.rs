//! `hisper probe` over a dataset with remote servers, against a local fake MCP endpoint on
//! 127.0.0.1: every record's remotes are probed (templated URLs only when their defaults make
//! them concrete), private addresses are refused without `--allow-private-hosts`, the records
//! land in `remote_probes` and tonight's health, and sharded runs plus `--merge` give the same
//! result as one run.

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use dataset::{Argument, Dataset, Install, Kind, Outcome, RemoteOutcome, Server, Transport};
use serde_json::{json, Value};

/// A tiny Streamable HTTP server answering JSON; counts the requests it got.
fn fake() -> (String, Arc<Mutex<u32>>) {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let addr = server.server_addr().to_ip().unwrap();
    let hits = Arc::new(Mutex::new(0u32));
    let h = hits.clone();
    std::thread::spawn(move || {
        for mut req in server.incoming_requests() {
            *h.lock().unwrap() += 1;
            let mut body = String::new();
            let _ = req.as_reader().read_to_string(&mut body);
            let msg: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            let ct = "Content-Type: application/json"
                .parse::<tiny_http::Header>()
                .unwrap();
            let Some(id) = msg.get("id").cloned() else {
                let _ = req.respond(tiny_http::Response::empty(202));
                continue;
            };
            let result = match msg["method"].as_str().unwrap_or("") {
                "initialize" => {
                    json!({"protocolVersion": "2025-06-18", "capabilities": {"tools": {}},
                    "serverInfo": {"name": "remote-fake", "version": "9"}})
                }
                "tools/list" => {
                    json!({"tools": [{"name": "lookup", "inputSchema": {"type": "object"}}]})
                }
                "prompts/list" => json!({"prompts": []}),
                "resources/list" => json!({"resources": []}),
                "resources/templates/list" => json!({"resourceTemplates": []}),
                _ => json!({}),
            };
            let out = json!({"jsonrpc": "2.0", "id": id, "result": result}).to_string();
            let _ = req.respond(tiny_http::Response::from_string(out).with_header(ct));
        }
    });
    (format!("http://{addr}/mcp"), hits)
}

fn remote_server(id: &str, t: Transport) -> Server {
    Server {
        id: id.into(),
        name: id.into(),
        kind: Kind::Server,
        install: Install {
            packages: vec![],
            remotes: vec![t],
        },
        first_seen: "2026-11-01T00:00:00Z".into(),
        last_seen: "2026-12-01T00:00:00Z".into(),
        last_changed: "2026-12-01T00:00:00Z".into(),
        ..Server::default()
    }
}

fn dataset(url: &str) -> Dataset {
    let mut d = Dataset::new("2026-12-01T00:00:00Z");
    d.servers.push(remote_server(
        "mcp-registry:example/direct",
        Transport {
            kind: "streamable-http".into(),
            url: Some(url.into()),
            ..Transport::default()
        },
    ));
    // `{path}` has a default: probed; `{tenant}` has none: needs_config, never requested
    let base = url.trim_end_matches("/mcp");
    let mut vars = std::collections::BTreeMap::new();
    vars.insert(
        "path".to_string(),
        Argument {
            default: Some("mcp".into()),
            ..Argument::default()
        },
    );
    d.servers.push(remote_server(
        "mcp-registry:example/templated",
        Transport {
            kind: "streamable-http".into(),
            url: Some(format!("{base}/{{path}}")),
            variables: vars,
            ..Transport::default()
        },
    ));
    d.servers.push(remote_server(
        "mcp-registry:example/tenant",
        Transport {
            kind: "streamable-http".into(),
            url: Some("https://{tenant}.example.com/mcp".into()),
            ..Transport::default()
        },
    ));
    d.normalize();
    d
}

fn hisper(data: &Path, args: &[&str]) -> i32 {
    Command::new(env!("CARGO_BIN_EXE_hisper"))
        .arg("--data")
        .arg(data)
        .arg("--quiet")
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1764892800") // 2025-12-05
        .env("HISPER_LOG", "warn")
        .status()
        .expect("running hisper")
        .code()
        .unwrap_or(-1)
}

fn remote_of<'a>(d: &'a Dataset, id: &str) -> &'a dataset::ProbeRecord {
    let s = d.get(id).unwrap();
    assert_eq!(s.remote_probes.len(), 1, "{id}: {:?}", s.remote_probes);
    &s.remote_probes[0]
}

#[test]
fn probe_records_every_remote_and_its_health() {
    let (url, hits) = fake();
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("one");
    std::fs::create_dir_all(&data).unwrap();
    dataset::save(&data.join("servers.json"), &dataset(&url)).unwrap();

    // without the flag, the loopback fake is refused before any request
    assert_eq!(hisper(&data, &["probe", "--no-sandbox"]), 0);
    let d = dataset::load(&data.join("servers.json")).unwrap();
    let r = remote_of(&d, "mcp-registry:example/direct");
    assert_eq!(r.remote.as_ref().unwrap().outcome, RemoteOutcome::Blocked);
    assert_eq!(*hits.lock().unwrap(), 0, "no request reached the fake");
    assert!(
        d.get("mcp-registry:example/direct")
            .unwrap()
            .health
            .is_empty(),
        "a blocked endpoint was not checked: no health entry"
    );

    assert_eq!(
        hisper(&data, &["probe", "--no-sandbox", "--allow-private-hosts"]),
        0
    );
    let d = dataset::load(&data.join("servers.json")).unwrap();
    for id in [
        "mcp-registry:example/direct",
        "mcp-registry:example/templated",
    ] {
        let r = remote_of(&d, id);
        assert_eq!(
            r.remote.as_ref().unwrap().outcome,
            RemoteOutcome::Ok,
            "{id}: {r:#?}"
        );
        assert_eq!(r.tool_names().collect::<Vec<_>>(), ["lookup"]);
        let s = d.get(id).unwrap();
        assert_eq!(s.health.last().unwrap().date, "2025-12-05");
        assert_eq!(s.health.last().unwrap().outcome, Some(Outcome::Ok), "{id}");
        assert_eq!(s.probe.as_ref().unwrap().outcome, Outcome::NoStdio);
    }
    let t = remote_of(&d, "mcp-registry:example/tenant");
    assert_eq!(
        t.remote.as_ref().unwrap().outcome,
        RemoteOutcome::NeedsConfig
    );
    assert_eq!(t.needs, ["tenant"]);

    // the same night in two shards, then merged: the same remote records
    let sharded = tmp.path().join("sharded");
    std::fs::create_dir_all(&sharded).unwrap();
    dataset::save(&sharded.join("servers.json"), &dataset(&url)).unwrap();
    for sh in ["1/2", "2/2"] {
        assert_eq!(
            hisper(
                &sharded,
                &[
                    "probe",
                    "--no-sandbox",
                    "--allow-private-hosts",
                    "--shard",
                    sh
                ]
            ),
            0
        );
    }
    assert_eq!(hisper(&sharded, &["probe", "--merge"]), 0);
    let m = dataset::load(&sharded.join("servers.json")).unwrap();
    for id in [
        "mcp-registry:example/direct",
        "mcp-registry:example/templated",
        "mcp-registry:example/tenant",
    ] {
        let (a, b) = (remote_of(&d, id), remote_of(&m, id));
        assert_eq!(
            a.remote.as_ref().unwrap().outcome,
            b.remote.as_ref().unwrap().outcome,
            "{id}"
        );
        assert_eq!(a.tools, b.tools, "{id}");
        assert_eq!(
            d.get(id).unwrap().health.last(),
            m.get(id).unwrap().health.last(),
            "{id}"
        );
    }
}
