//! The remote prober against local fakes on 127.0.0.1: Streamable HTTP answered as JSON and as
//! SSE streams, the legacy HTTP+SSE transport, session ids, pagination, an OAuth wall with its
//! metadata, HTML, endless streams, huge bodies, redirects into private networks and names that
//! resolve to private addresses. Each fake logs every request it got, so the tests can assert
//! what was (and was not) sent.

use std::collections::BTreeMap;
use std::io::Read;
use std::net::SocketAddr;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dataset::{Era, Outcome, ProbeRecord, RemoteOutcome};
use probe::guard::Policy;
use probe::remote::{self, RemoteOptions, RemoteTarget};
use serde_json::{json, Value};

#[derive(Debug, Clone)]
struct Logged {
    method: String,
    path: String,
    headers: BTreeMap<String, String>,
    body: String,
}

impl Logged {
    fn header(&self, k: &str) -> Option<&str> {
        self.headers.get(k).map(String::as_str)
    }
    fn rpc(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

enum Reply {
    /// status, extra headers, content type, body
    Body(
        u16,
        Vec<(String, String)>,
        String,
        Box<dyn Read + Send>,
        Option<usize>,
    ),
}

fn json_reply(status: u16, headers: Vec<(String, String)>, v: &Value) -> Reply {
    let b = serde_json::to_vec(v).unwrap();
    let n = b.len();
    Reply::Body(
        status,
        headers,
        "application/json".into(),
        Box::new(std::io::Cursor::new(b)),
        Some(n),
    )
}

fn text_reply(status: u16, ct: &str, body: &str) -> Reply {
    let b = body.as_bytes().to_vec();
    let n = b.len();
    Reply::Body(
        status,
        vec![],
        ct.into(),
        Box::new(std::io::Cursor::new(b)),
        Some(n),
    )
}

fn sse_reply(headers: Vec<(String, String)>, msgs: &[Value]) -> Reply {
    let mut s = String::from(": opening\n\n");
    for m in msgs {
        s.push_str(&format!("event: message\ndata: {}\n\n", m));
    }
    Reply::Body(
        200,
        headers,
        "text/event-stream".into(),
        Box::new(std::io::Cursor::new(s.into_bytes())),
        None,
    )
}

type Handler = dyn Fn(&Logged) -> Reply + Send + Sync;

struct Fake {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<Logged>>>,
}

impl Fake {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
    fn log(&self) -> Vec<Logged> {
        self.log.lock().unwrap().clone()
    }
}

fn fake(handler: impl Fn(&Logged) -> Reply + Send + Sync + 'static) -> Fake {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("listen");
    let addr = listener.local_addr().unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let handler: Arc<Handler> = Arc::new(handler);
    let l = log.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { continue };
            let (l, h) = (l.clone(), handler.clone());
            // one thread per connection: an SSE stream must not hold up the POSTs beside it
            std::thread::spawn(move || serve(conn, &l, &*h));
        }
    });
    Fake { addr, log }
}

/// A bare HTTP/1.1 server loop for one connection: keep-alive for sized bodies, streamed
/// (flushed per chunk, closed at the end) for unsized ones.
fn serve(conn: std::net::TcpStream, log: &Mutex<Vec<Logged>>, handler: &Handler) {
    use std::io::{BufRead, BufReader, Write};
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
        let mut headers = BTreeMap::new();
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
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let len: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0u8; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let logged = Logged {
            method,
            path,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        };
        log.lock().unwrap().push(logged.clone());
        let Reply::Body(status, extra, ct, mut body, size) = handler(&logged);
        let mut head = format!("HTTP/1.1 {status} X\r\nContent-Type: {ct}\r\n");
        for (k, v) in extra {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        match size {
            Some(n) => head.push_str(&format!("Content-Length: {n}\r\n\r\n")),
            None => head.push_str("Connection: close\r\n\r\n"),
        }
        if out.write_all(head.as_bytes()).is_err() {
            return;
        }
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match body.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if out.write_all(&buf[..n]).and_then(|_| out.flush()).is_err() {
                        return;
                    }
                }
            }
        }
        if size.is_none() {
            return;
        }
    }
}

/// A small MCP server's answers: two pages of tools, prompts unsupported.
fn answer(req: &Value) -> Value {
    let id = req.get("id").cloned().unwrap_or(Value::Null);
    let method = req.get("method").and_then(Value::as_str).unwrap_or("");
    let result = match method {
        "initialize" => json!({
            "protocolVersion": "2025-11-25",
            "capabilities": {"tools": {}, "logging": {}, "extensions": {"io.modelcontextprotocol/ui": {}}},
            "serverInfo": {"name": "fake-remote", "version": "1.2.3"}
        }),
        "tools/list" => {
            if req.pointer("/params/cursor").and_then(Value::as_str) == Some("page2") {
                json!({"tools": [
                    {"name": "second", "inputSchema": {"type": "object"}, "outputSchema": {"type": "object"}},
                    {"name": "view", "inputSchema": {"type": "object"}, "_meta": {"ui": {"resourceUri": "ui://fake/view"}}}
                ]})
            } else {
                json!({"tools": [{"name": "first", "description": "one", "inputSchema": {"type": "object"}}],
                       "nextCursor": "page2"})
            }
        }
        "prompts/list" => {
            return json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32601, "message": "no prompts"}})
        }
        "resources/list" => json!({"resources": []}),
        "resources/templates/list" => json!({"resourceTemplates": []}),
        "resources/read" => {
            json!({"contents": [{"uri": "ui://fake/view", "mimeType": "text/html;profile=mcp-app",
            "text": "<html>secret markup</html>",
            "_meta": {"ui": {"csp": {"connectDomains": ["https://api.fake.example"]}, "permissions": {"clipboardWrite": {}}}}}]})
        }
        "ping" => json!({}),
        _ => {
            return json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32601, "message": "unknown"}})
        }
    };
    json!({"jsonrpc": "2.0", "id": id, "result": result})
}

const SESSION: &str = "sess-7f3a";

/// A Streamable HTTP server; `sse` answers every request as an SSE stream.
fn streamable(sse: bool) -> Fake {
    fake(move |r| {
        if r.method == "DELETE" {
            return text_reply(200, "text/plain", "");
        }
        if r.method != "POST" {
            return text_reply(405, "text/plain", "method not allowed");
        }
        let msg = r.rpc();
        if msg.get("id").is_none() {
            return text_reply(202, "text/plain", "");
        }
        let is_init = msg["method"] == "initialize";
        if !is_init && r.header("mcp-session-id") != Some(SESSION) {
            return json_reply(
                400,
                vec![],
                &json!({"jsonrpc": "2.0", "id": msg["id"], "error": {"code": -32000, "message": "missing session"}}),
            );
        }
        let headers = vec![
            ("Mcp-Session-Id".to_string(), SESSION.to_string()),
            ("Set-Cookie".to_string(), "tracker=1; Path=/".to_string()),
        ];
        if sse {
            sse_reply(
                headers,
                &[
                    json!({"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "info", "data": "hi"}}),
                    answer(&msg),
                ],
            )
        } else {
            json_reply(200, headers, &answer(&msg))
        }
    })
}

fn opts_for(addrs: &[SocketAddr], timeout: f64) -> RemoteOptions {
    let mut o = RemoteOptions::with_timeout(timeout);
    o.policy = Policy {
        exempt: addrs.to_vec(),
        ..Policy::default()
    };
    o
}

fn run(url: &str, transport: &str, opts: &RemoteOptions) -> ProbeRecord {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let t = RemoteTarget {
        url: url.into(),
        transport: transport.into(),
        ..RemoteTarget::default()
    };
    rt.block_on(remote::probe(&t, opts))
}

fn remote_outcome(r: &ProbeRecord) -> RemoteOutcome {
    r.remote.as_ref().expect("a remote record").outcome
}

fn assert_listed(r: &ProbeRecord) {
    assert_eq!(r.outcome, Outcome::Ok, "{r:#?}");
    assert_eq!(remote_outcome(r), RemoteOutcome::Ok);
    assert_eq!(r.era, Some(Era::Legacy));
    assert_eq!(r.protocol_version.as_deref(), Some("2025-11-25"));
    assert_eq!(
        r.tool_names().collect::<Vec<_>>(),
        ["first", "second", "view"]
    );
    assert_eq!(r.lists["tools"].pages, 2);
    assert_eq!(r.lists["prompts"].status, "unsupported");
    assert_eq!(r.server_info.as_ref().unwrap()["name"], "fake-remote");
}

fn check_session_discipline(log: &[Logged]) {
    let posts: Vec<&Logged> = log.iter().filter(|l| l.method == "POST").collect();
    assert_eq!(posts[0].rpc()["method"], "initialize");
    assert!(posts[0].header("mcp-session-id").is_none());
    assert!(
        posts[0].header("mcp-protocol-version").is_none(),
        "no version header before negotiation"
    );
    for p in &posts[1..] {
        assert_eq!(p.header("mcp-session-id"), Some(SESSION), "{p:?}");
        assert_eq!(
            p.header("mcp-protocol-version"),
            Some("2025-11-25"),
            "{p:?}"
        );
    }
    assert!(posts
        .iter()
        .any(|p| p.rpc()["method"] == "notifications/initialized"));
    for l in log {
        assert!(
            l.header("user-agent")
                .is_some_and(|u| u.starts_with("Hisper/")),
            "{l:?}"
        );
        assert!(l.header("cookie").is_none(), "cookies are never sent back");
        assert!(l.header("authorization").is_none());
    }
    let del = log
        .iter()
        .filter(|l| l.method == "DELETE")
        .collect::<Vec<_>>();
    assert_eq!(del.len(), 1, "the session is deleted at the end");
    assert_eq!(del[0].header("mcp-session-id"), Some(SESSION));
    assert_eq!(log.last().unwrap().method, "DELETE");
}

#[test]
fn streamable_http_json_answers_with_session_and_pagination() {
    let f = streamable(false);
    let r = run(&f.url("/mcp"), "streamable-http", &opts_for(&[f.addr], 5.0));
    assert_listed(&r);
    let info = r.remote.as_ref().unwrap();
    assert!(info.session);
    assert!(!info.sse_responses);
    assert_eq!(info.http_status, Some(200));
    assert_eq!(info.content_type.as_deref(), Some("application/json"));
    assert!(info.first_byte_ms.is_some() && info.tools_ms.is_some());
    check_session_discipline(&f.log());
    // MCP Apps: the one UI resource a tool points to was read; its CSP kept, its HTML not
    let feats = r.features.as_ref().unwrap();
    assert!(feats.mcp_apps);
    assert_eq!(feats.tools_with_output_schema, 1);
    assert_eq!(feats.ui_resources.len(), 1);
    assert_eq!(feats.ui_resources[0].tools, ["view"]);
    assert_eq!(
        feats.ui_resources[0].csp,
        Some(json!({"connectDomains": ["https://api.fake.example"]}))
    );
    assert!(!serde_json::to_string(&r).unwrap().contains("secret markup"));
    let reads: Vec<Value> = f
        .log()
        .iter()
        .map(Logged::rpc)
        .filter(|m| m["method"] == "resources/read")
        .collect();
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0]["params"]["uri"], "ui://fake/view");
    assert!(feats.deprecated.contains(&"logging".to_string()));
}

#[test]
fn streamable_http_sse_answers_give_the_same_record() {
    let f = streamable(true);
    let r = run(&f.url("/mcp"), "streamable-http", &opts_for(&[f.addr], 5.0));
    assert_listed(&r);
    assert!(r.remote.as_ref().unwrap().sse_responses);
    assert!(r.notifications.contains_key("notifications/message"));
    check_session_discipline(&f.log());
    let j = run(
        &streamable(false).url("/mcp"),
        "streamable-http",
        &RemoteOptions {
            policy: Policy {
                allow_private: true,
                ..Policy::default()
            },
            ..RemoteOptions::with_timeout(5.0)
        },
    );
    assert_eq!(
        j.tools, r.tools,
        "JSON and SSE answers record the same tools"
    );
}

/// A legacy HTTP+SSE server: GET /sse opens the stream (endpoint event first), POSTs to
/// /messages answer 202 and the replies go down the stream.
fn legacy() -> Fake {
    let streams: Arc<Mutex<Vec<mpsc::Sender<Vec<u8>>>>> = Arc::new(Mutex::new(Vec::new()));
    fake(move |r| {
        if r.method == "GET" && r.path == "/sse" {
            let (tx, rx) = mpsc::channel::<Vec<u8>>();
            tx.send(b"event: endpoint\ndata: /messages?sessionId=abc\n\n".to_vec())
                .unwrap();
            streams.lock().unwrap().push(tx);
            return Reply::Body(
                200,
                vec![],
                "text/event-stream".into(),
                Box::new(ChanReader(rx, Vec::new())),
                None,
            );
        }
        if r.method == "POST" && r.path.starts_with("/messages") {
            let msg = r.rpc();
            if msg.get("id").is_some() {
                let a = answer(&msg);
                for tx in streams.lock().unwrap().iter() {
                    let _ = tx.send(format!("event: message\ndata: {a}\n\n").into_bytes());
                }
            }
            return text_reply(202, "text/plain", "Accepted");
        }
        text_reply(404, "text/plain", "not found")
    })
}

struct ChanReader(mpsc::Receiver<Vec<u8>>, Vec<u8>);

impl Read for ChanReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.1.is_empty() {
            match self.0.recv_timeout(Duration::from_secs(20)) {
                Ok(b) => self.1 = b,
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.1.len());
        buf[..n].copy_from_slice(&self.1[..n]);
        self.1.drain(..n);
        Ok(n)
    }
}

#[test]
fn legacy_sse_transport_lists_through_the_endpoint_event() {
    let f = legacy();
    let r = run(&f.url("/sse"), "sse", &opts_for(&[f.addr], 5.0));
    assert_listed(&r);
    assert_eq!(r.remote.as_ref().unwrap().transport, "sse");
    assert!(r
        .features
        .as_ref()
        .unwrap()
        .deprecated
        .contains(&"sse-transport".to_string()));
    let log = f.log();
    assert_eq!(log[0].method, "GET");
    assert!(log[1..]
        .iter()
        .all(|l| l.method == "POST" && l.path == "/messages?sessionId=abc"));
}

#[test]
fn streamable_url_that_is_really_legacy_falls_back_to_sse() {
    let f = legacy();
    let r = run(&f.url("/sse"), "streamable-http", &opts_for(&[f.addr], 5.0));
    assert_listed(&r);
    assert_eq!(r.remote.as_ref().unwrap().transport, "sse");
}

#[test]
fn auth_wall_is_described_from_its_metadata_without_logging_in() {
    let auth_server = fake(|r| {
        if r.method == "GET" && r.path == "/.well-known/oauth-authorization-server/tenant" {
            return json_reply(
                200,
                vec![],
                &json!({
                    "issuer": "https://login.fake.example/tenant",
                    "authorization_endpoint": "https://login.fake.example/tenant/authorize",
                    "token_endpoint": "https://login.fake.example/tenant/token",
                    "client_id_metadata_document_supported": true,
                    "code_challenge_methods_supported": ["S256"],
                    "scopes_supported": ["openid"]
                }),
            );
        }
        text_reply(404, "text/plain", "nope")
    });
    let as_url = auth_server.url("/tenant");
    let mcp = fake(move |r| {
        let host = r.header("host").unwrap_or("").to_string();
        if r.method == "GET" && r.path == "/.well-known/oauth-protected-resource/mcp" {
            return json_reply(
                200,
                vec![],
                &json!({
                    "resource": format!("http://{host}/mcp"),
                    "authorization_servers": [as_url],
                    "scopes_supported": ["files:read", "files:write"]
                }),
            );
        }
        json_reply(
            401,
            vec![(
                "WWW-Authenticate".into(),
                format!("Bearer resource_metadata=\"http://{host}/.well-known/oauth-protected-resource/mcp\""),
            )],
            &json!({"error": "invalid_token"}),
        )
    });
    let r = run(
        &mcp.url("/mcp"),
        "streamable-http",
        &opts_for(&[mcp.addr, auth_server.addr], 5.0),
    );
    assert_eq!(remote_outcome(&r), RemoteOutcome::NeedsAuth, "{r:#?}");
    assert_eq!(
        r.outcome,
        Outcome::NeedsConfig,
        "an auth wall is up, wanting credentials"
    );
    let a = r.remote.as_ref().unwrap().auth.as_ref().unwrap();
    assert_eq!(a.status, 401);
    assert_eq!(a.scheme.as_deref(), Some("Bearer"));
    assert_eq!(
        a.issuer.as_deref(),
        Some("https://login.fake.example/tenant")
    );
    assert_eq!(a.scopes, ["files:read", "files:write"]);
    assert!(a.cimd, "CIMD advertised");
    assert!(!a.dcr, "no registration endpoint");
    assert_eq!(a.pkce_methods, ["S256"]);
    assert!(r
        .detail
        .as_deref()
        .unwrap()
        .contains("needs OAuth sign-in with https://login.fake.example/tenant"));
    // never a login: only GETs of metadata at the authorization server, no credentials anywhere
    for l in auth_server.log().iter().chain(mcp.log().iter()) {
        assert!(l.header("authorization").is_none(), "{l:?}");
    }
    assert!(auth_server.log().iter().all(|l| l.method == "GET"));
    assert_eq!(
        mcp.log().iter().filter(|l| l.method == "POST").count(),
        1,
        "one initialize, no retries"
    );
}

#[test]
fn html_page_is_not_mcp() {
    let f = fake(|_| {
        text_reply(
            200,
            "text/html; charset=utf-8",
            "<!doctype html><title>Welcome</title>",
        )
    });
    let r = run(&f.url("/"), "streamable-http", &opts_for(&[f.addr], 5.0));
    assert_eq!(remote_outcome(&r), RemoteOutcome::NotMcp, "{r:#?}");
    assert_eq!(
        r.remote.as_ref().unwrap().content_type.as_deref(),
        Some("text/html")
    );
}

#[test]
fn json_that_is_not_json_rpc_is_not_mcp() {
    let f = fake(|_| json_reply(200, vec![], &json!({"status": "healthy"})));
    let r = run(&f.url("/"), "streamable-http", &opts_for(&[f.addr], 5.0));
    assert_eq!(remote_outcome(&r), RemoteOutcome::NotMcp, "{r:#?}");
}

#[test]
fn a_result_without_protocol_version_is_a_protocol_error() {
    let f = fake(|r| {
        let m = r.rpc();
        json_reply(
            200,
            vec![],
            &json!({"jsonrpc": "2.0", "id": m["id"], "result": {"serverInfo": {"name": "x"}}}),
        )
    });
    let r = run(&f.url("/"), "streamable-http", &opts_for(&[f.addr], 5.0));
    assert_eq!(remote_outcome(&r), RemoteOutcome::ProtocolError, "{r:#?}");
}

/// An SSE stream that never ends and never answers (a keep-alive comment every 50 ms).
struct Endless;
impl Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        std::thread::sleep(Duration::from_millis(50));
        let b = b": keepalive\n\n";
        let n = buf.len().min(b.len());
        buf[..n].copy_from_slice(&b[..n]);
        Ok(n)
    }
}

#[test]
fn a_stream_that_never_ends_times_out_within_the_bound() {
    let f = fake(|_| {
        Reply::Body(
            200,
            vec![],
            "text/event-stream".into(),
            Box::new(Endless),
            None,
        )
    });
    let t = Instant::now();
    let r = run(&f.url("/"), "streamable-http", &opts_for(&[f.addr], 1.0));
    assert_eq!(remote_outcome(&r), RemoteOutcome::Timeout, "{r:#?}");
    assert!(t.elapsed() < Duration::from_secs(6), "{:?}", t.elapsed());
}

#[test]
fn an_endless_stream_of_events_hits_the_event_cap() {
    struct Events(u64);
    impl Read for Events {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.0 += 1;
            let s = format!("event: message\ndata: {{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{{\"n\":{}}}}}\n\n", self.0);
            let n = buf.len().min(s.len());
            buf[..n].copy_from_slice(&s.as_bytes()[..n]);
            Ok(n)
        }
    }
    let f = fake(|_| {
        Reply::Body(
            200,
            vec![],
            "text/event-stream".into(),
            Box::new(Events(0)),
            None,
        )
    });
    let mut o = opts_for(&[f.addr], 10.0);
    o.max_events = 500;
    let r = run(&f.url("/"), "streamable-http", &o);
    assert_eq!(remote_outcome(&r), RemoteOutcome::ProtocolError, "{r:#?}");
    assert_eq!(
        r.remote.as_ref().unwrap().error_kind.as_deref(),
        Some("too-many-events")
    );
}

/// 200 MB of a JSON string, generated on the fly.
struct Huge(usize);
impl Read for Huge {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.0 == 0 {
            return Ok(0);
        }
        let n = buf.len().min(self.0);
        buf[..n].fill(b' ');
        self.0 -= n;
        Ok(n)
    }
}

#[test]
fn a_200_mb_body_is_cut_at_the_cap() {
    const SIZE: usize = 200 << 20;
    let f = fake(|_| {
        Reply::Body(
            200,
            vec![],
            "application/json".into(),
            Box::new(Huge(SIZE)),
            Some(SIZE),
        )
    });
    let r = run(&f.url("/"), "streamable-http", &opts_for(&[f.addr], 20.0));
    assert_eq!(remote_outcome(&r), RemoteOutcome::ProtocolError, "{r:#?}");
    assert_eq!(
        r.remote.as_ref().unwrap().error_kind.as_deref(),
        Some("body-too-large")
    );
    assert!(
        r.bytes_read <= (16 << 20) + (1 << 20),
        "read {} bytes",
        r.bytes_read
    );
}

fn redirector(to: String) -> Fake {
    fake(move |_| text_reply_with(307, &[("Location", &to)]))
}

fn text_reply_with(status: u16, headers: &[(&str, &str)]) -> Reply {
    Reply::Body(
        status,
        headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        "text/plain".into(),
        Box::new(std::io::Cursor::new(Vec::new())),
        Some(0),
    )
}

#[test]
fn redirect_to_cloud_metadata_is_blocked() {
    let f = redirector("http://169.254.169.254/latest/meta-data/".into());
    let r = run(&f.url("/mcp"), "streamable-http", &opts_for(&[f.addr], 5.0));
    assert_eq!(remote_outcome(&r), RemoteOutcome::Blocked, "{r:#?}");
    assert_eq!(
        r.remote.as_ref().unwrap().error_kind.as_deref(),
        Some("private-address")
    );
    assert_eq!(f.log().len(), 1);
}

#[test]
fn redirect_to_loopback_is_blocked_and_never_reaches_the_target() {
    let target = streamable(false);
    let f = redirector(target.url("/mcp"));
    let r = run(&f.url("/mcp"), "streamable-http", &opts_for(&[f.addr], 5.0));
    assert_eq!(remote_outcome(&r), RemoteOutcome::Blocked, "{r:#?}");
    assert!(target.log().is_empty(), "the target got {:?}", target.log());
    // with the flag (local testing only) the same redirect is followed
    let mut o = opts_for(&[], 5.0);
    o.policy.allow_private = true;
    let r = run(&f.url("/mcp"), "streamable-http", &o);
    assert_eq!(remote_outcome(&r), RemoteOutcome::Ok, "{r:#?}");
    assert_eq!(r.remote.as_ref().unwrap().redirects, [target.url("/mcp")]);
}

#[test]
fn redirect_chains_are_capped_and_never_downgrade() {
    let f = fake(|r| {
        let n: u32 = r.path.trim_start_matches("/r").parse().unwrap_or(0);
        text_reply_with(302, &[("Location", &format!("/r{}", n + 1))])
    });
    let r = run(&f.url("/r0"), "streamable-http", &opts_for(&[f.addr], 5.0));
    assert_eq!(remote_outcome(&r), RemoteOutcome::Blocked, "{r:#?}");
    assert_eq!(
        r.remote.as_ref().unwrap().error_kind.as_deref(),
        Some("redirect")
    );
    assert_eq!(f.log().len(), 4, "the first request and 3 redirects");
    let g = redirector("ftp://files.example/mcp".into());
    let r = run(&g.url("/"), "streamable-http", &opts_for(&[g.addr], 5.0));
    assert_eq!(
        r.remote.as_ref().unwrap().error_kind.as_deref(),
        Some("redirect"),
        "{r:#?}"
    );
}

#[test]
fn names_that_resolve_to_private_addresses_are_blocked() {
    let target = streamable(false);
    let port = target.addr.port();
    // `localhost` resolves to loopback through the system resolver
    let r = run(
        &format!("http://localhost:{port}/mcp"),
        "streamable-http",
        &opts_for(&[], 5.0),
    );
    assert_eq!(remote_outcome(&r), RemoteOutcome::Blocked, "{r:#?}");
    // a name whose DNS answer is a private address (a fixed answer stands in for DNS)
    let mut o = opts_for(&[], 5.0);
    o.policy.hosts.insert(
        "internal.fake.example".into(),
        vec!["10.11.12.13".parse().unwrap()],
    );
    let r = run("http://internal.fake.example/mcp", "streamable-http", &o);
    assert_eq!(remote_outcome(&r), RemoteOutcome::Blocked, "{r:#?}");
    assert!(r.detail.as_deref().unwrap().contains("10.11.12.13"));
    // IPv6 loopback and the IPv4-mapped form of it, as literals
    for u in [
        format!("http://[::1]:{port}/"),
        format!("http://[::ffff:127.0.0.1]:{port}/"),
    ] {
        let r = run(&u, "streamable-http", &opts_for(&[], 5.0));
        assert_eq!(remote_outcome(&r), RemoteOutcome::Blocked, "{u}: {r:#?}");
    }
    assert!(target.log().is_empty());
    // and the pinned connection goes to the checked address: with the flag, the fixed answer
    // is what is connected to
    let mut o = opts_for(&[], 5.0);
    o.policy.allow_private = true;
    o.policy.hosts.insert(
        "pinned.fake.example".into(),
        vec!["127.0.0.1".parse().unwrap()],
    );
    let r = run(
        &format!("http://pinned.fake.example:{port}/mcp"),
        "streamable-http",
        &o,
    );
    assert_eq!(remote_outcome(&r), RemoteOutcome::Ok, "{r:#?}");
    assert_eq!(
        target.log()[0].header("host"),
        Some(format!("pinned.fake.example:{port}").as_str())
    );
}

#[test]
fn unreachable_hosts_say_why() {
    // a port nobody listens on
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    let r = run(
        &format!("http://{addr}/mcp"),
        "streamable-http",
        &opts_for(&[addr], 5.0),
    );
    assert_eq!(remote_outcome(&r), RemoteOutcome::Unreachable, "{r:#?}");
    assert_eq!(
        r.remote.as_ref().unwrap().error_kind.as_deref(),
        Some("connect")
    );
    // a name without an address
    let mut o = opts_for(&[], 5.0);
    o.policy.hosts.insert("gone.fake.example".into(), vec![]);
    let r = run("http://gone.fake.example/mcp", "streamable-http", &o);
    assert_eq!(remote_outcome(&r), RemoteOutcome::Unreachable, "{r:#?}");
    assert_eq!(
        r.remote.as_ref().unwrap().error_kind.as_deref(),
        Some("dns")
    );
}

#[test]
fn a_server_that_never_answers_times_out() {
    let f = fake(|_| {
        std::thread::sleep(Duration::from_secs(8));
        text_reply(200, "application/json", "{}")
    });
    let t = Instant::now();
    let r = run(&f.url("/"), "streamable-http", &opts_for(&[f.addr], 1.0));
    assert_eq!(remote_outcome(&r), RemoteOutcome::Timeout, "{r:#?}");
    assert!(t.elapsed() < Duration::from_secs(6));
}

#[test]
fn server_errors_are_unreachable_and_404_is_not_mcp() {
    let f = fake(|_| text_reply(503, "text/plain", "down for maintenance"));
    let r = run(&f.url("/"), "streamable-http", &opts_for(&[f.addr], 5.0));
    assert_eq!(remote_outcome(&r), RemoteOutcome::Unreachable, "{r:#?}");
    assert_eq!(
        r.remote.as_ref().unwrap().error_kind.as_deref(),
        Some("http-503")
    );
    let g = fake(|_| text_reply(404, "text/plain", "no such page"));
    let r = run(&g.url("/"), "streamable-http", &opts_for(&[g.addr], 5.0));
    assert_eq!(remote_outcome(&r), RemoteOutcome::NotMcp, "{r:#?}");
}
