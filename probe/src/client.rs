//! Our own MCP client transport: newline-delimited JSON-RPC over a child's stdin and stdout,
//! on tokio and `serde_json::Value`, lossless and bounded.
//!
//! It reads lines with a length cap (longer lines are discarded and counted), ignores and counts
//! stdout noise (text, and JSON that is not JSON-RPC), answers server-to-client requests
//! (`roots/list` with no roots, `ping` with `{}`, anything else with -32601), records
//! notifications, and matches replies to requests by id in any order. It does not know the MCP
//! lifecycle (see `session`) and never spawns or kills processes.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A JSON-RPC error object.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

impl std::fmt::Display for RpcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

/// One reply: the result, or the error.
pub type Reply = Result<Value, RpcError>;

/// Why waiting for replies stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitError {
    /// The deadline passed.
    Timeout,
    /// stdout reached end of file (the server exited or closed it).
    Closed,
    /// stdout carried more than the byte budget.
    Flood,
    /// Reading failed.
    Io(String),
}

/// Bounds of the transport.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// Longest line kept, in bytes.
    pub max_line: usize,
    /// Total stdout bytes read before giving up.
    pub max_stdout: u64,
}

/// What the transport saw on stdout besides replies.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub bytes_read: u64,
    /// Non-JSON lines (banners, logs).
    pub noise_lines: u64,
    /// JSON lines that are not JSON-RPC messages.
    pub json_noise_lines: u64,
    /// Lines over the length cap (discarded).
    pub oversized_lines: u64,
    /// Noise seen before the first JSON-RPC message.
    pub noise_before_first: u64,
    /// A sample of the first noise line (cleaned, truncated).
    pub noise_sample: Option<String>,
    /// Messages received (replies, requests, notifications).
    pub messages: u64,
    /// Replies whose id did not match a request in flight.
    pub unexpected_ids: u64,
    /// Replies whose id was a string holding our numeric id.
    pub string_ids: u64,
    /// Messages without `"jsonrpc": "2.0"`.
    pub missing_jsonrpc: u64,
    pub first_message_at: Option<Instant>,
    pub notifications: BTreeMap<String, u64>,
    pub server_requests: BTreeMap<String, u64>,
}

enum Line {
    Text(Vec<u8>),
    Oversized,
}

/// The transport-independent half of a client connection: request ids, the replies received
/// (by id, in any order), the answers to server-to-client requests, and what was seen. The stdio
/// [`Conn`] and the HTTP transports (`remote`) both feed their messages through it.
#[derive(Debug)]
pub struct Dispatch {
    next_id: u64,
    inbox: HashMap<u64, Reply>,
    pub stats: Stats,
}

impl Default for Dispatch {
    fn default() -> Self {
        Dispatch {
            next_id: 1,
            inbox: HashMap::new(),
            stats: Stats::default(),
        }
    }
}

impl Dispatch {
    /// A new request message and its id (small integers, from 1).
    pub fn request(&mut self, method: &str, params: Value) -> (u64, Value) {
        let id = self.next_id;
        self.next_id += 1;
        let mut msg = json!({"jsonrpc": "2.0", "id": id, "method": method});
        if !params.is_null() {
            msg["params"] = params;
        }
        (id, msg)
    }

    /// A notification message.
    pub fn notification(method: &str, params: Value) -> Value {
        let mut msg = json!({"jsonrpc": "2.0", "method": method});
        if !params.is_null() {
            msg["params"] = params;
        }
        msg
    }

    /// Whether every id in `ids` has a reply.
    pub fn has_all(&self, ids: &[u64]) -> bool {
        ids.iter().all(|id| self.inbox.contains_key(id))
    }

    /// Whether `id` has a reply.
    pub fn has(&self, id: u64) -> bool {
        self.inbox.contains_key(&id)
    }

    /// Removes and returns the reply to `id`, if it arrived.
    pub fn take(&mut self, id: u64) -> Option<Reply> {
        self.inbox.remove(&id)
    }

    /// Counts a line or body that is not a JSON-RPC message (`json`: it was JSON).
    pub fn noise(&mut self, line: &[u8], json: bool) {
        if json {
            self.stats.json_noise_lines += 1;
        } else {
            self.stats.noise_lines += 1;
        }
        if self.stats.messages == 0 {
            self.stats.noise_before_first += 1;
        }
        if self.stats.noise_sample.is_none() {
            let s = String::from_utf8_lossy(&line[..line.len().min(200)]);
            self.stats.noise_sample = Some(crate::redact::clean(s.trim()));
        }
    }

    /// Parses one line or body: a message, a batch, or noise (counted). Returns the answers to
    /// server-to-client requests, to be sent back.
    pub fn handle_text(&mut self, line: &[u8]) -> Vec<Value> {
        let mut t = line;
        if t.last() == Some(&b'\r') {
            t = &t[..t.len() - 1];
        }
        if t.starts_with(b"\xef\xbb\xbf") {
            t = &t[3..];
        }
        if t.iter().all(u8::is_ascii_whitespace) {
            return Vec::new();
        }
        let Ok(v) = serde_json::from_slice::<Value>(t) else {
            self.noise(t, false);
            return Vec::new();
        };
        match v {
            Value::Array(items) if !items.is_empty() && items.iter().all(is_jsonrpc) => items
                .into_iter()
                .filter_map(|item| self.handle_message(item))
                .collect(),
            v if is_jsonrpc(&v) => self.handle_message(v).into_iter().collect(),
            _ => {
                self.noise(t, true);
                Vec::new()
            }
        }
    }

    /// Files one message: a reply goes to the inbox, a notification is counted, a request is
    /// counted and answered (the answer is returned).
    pub fn handle_message(&mut self, mut v: Value) -> Option<Value> {
        self.stats.messages += 1;
        if self.stats.first_message_at.is_none() {
            self.stats.first_message_at = Some(Instant::now());
        }
        if v.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
            self.stats.missing_jsonrpc += 1;
        }
        let method = v.get("method").and_then(Value::as_str).map(str::to_string);
        let id = v.get("id").cloned().filter(|i| !i.is_null());
        match (method, id) {
            (Some(m), Some(id)) => {
                bump(&mut self.stats.server_requests, &m);
                Some(match m.as_str() {
                    "roots/list" => json!({"jsonrpc": "2.0", "id": id, "result": {"roots": []}}),
                    "ping" => json!({"jsonrpc": "2.0", "id": id, "result": {}}),
                    _ => json!({"jsonrpc": "2.0", "id": id,
                        "error": {"code": -32601, "message": format!("the Hisper probe does not support {m}")}}),
                })
            }
            (Some(m), None) => {
                bump(&mut self.stats.notifications, &m);
                None
            }
            (None, Some(id)) => {
                let num = match &id {
                    Value::Number(n) => n.as_u64(),
                    Value::String(s) => {
                        let n = s.parse::<u64>().ok();
                        if n.is_some() {
                            self.stats.string_ids += 1;
                        }
                        n
                    }
                    _ => None,
                };
                let Some(num) = num.filter(|n| *n > 0 && *n < self.next_id) else {
                    self.stats.unexpected_ids += 1;
                    return None;
                };
                let reply = if let Some(e) = v.get_mut("error").map(Value::take) {
                    Err(RpcError {
                        code: e.get("code").and_then(Value::as_i64).unwrap_or(0),
                        message: e
                            .get("message")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string(),
                        data: e.get("data").cloned(),
                    })
                } else {
                    Ok(v.get_mut("result").map(Value::take).unwrap_or(Value::Null))
                };
                self.inbox.insert(num, reply);
                None
            }
            (None, None) => {
                self.stats.unexpected_ids += 1;
                None
            }
        }
    }
}

/// A client transport the session logic (`session`) talks through: stdio ([`Conn`]) or HTTP
/// (`remote`). Requests are sent, replies waited for by id in any order.
#[allow(async_fn_in_trait)]
pub trait Wire {
    /// Sends a request and returns its id.
    async fn request(&mut self, method: &str, params: Value) -> std::io::Result<u64>;
    /// Sends a notification.
    async fn notify(&mut self, method: &str, params: Value) -> std::io::Result<()>;
    /// Waits until every id in `ids` has a reply, or the deadline or a transport failure.
    async fn wait(&mut self, ids: &[u64], deadline: Instant) -> Result<(), WaitError>;
    /// Removes and returns the reply to `id`, if it arrived.
    fn take(&mut self, id: u64) -> Option<Reply>;
    /// What was seen besides replies.
    fn stats(&self) -> &Stats;
    /// The session settled on a protocol version (HTTP sends it in a header from now on).
    fn negotiated(&mut self, _version: &str) {}
    /// The handshake is complete (HTTP opens the optional server-to-client stream).
    async fn ready(&mut self) {}
}

/// The client end of one stdio connection.
pub struct Conn<R, W> {
    reader: BufReader<R>,
    writer: Option<W>,
    bounds: Bounds,
    cur: Vec<u8>,
    overflow: bool,
    pub dispatch: Dispatch,
}

impl<R, W> Wire for Conn<R, W>
where
    R: tokio::io::AsyncRead + Unpin,
    W: tokio::io::AsyncWrite + Unpin,
{
    async fn request(&mut self, method: &str, params: Value) -> std::io::Result<u64> {
        Conn::request(self, method, params).await
    }
    async fn notify(&mut self, method: &str, params: Value) -> std::io::Result<()> {
        Conn::notify(self, method, params).await
    }
    async fn wait(&mut self, ids: &[u64], deadline: Instant) -> Result<(), WaitError> {
        Conn::wait(self, ids, deadline).await
    }
    fn take(&mut self, id: u64) -> Option<Reply> {
        Conn::take(self, id)
    }
    fn stats(&self) -> &Stats {
        &self.dispatch.stats
    }
}

impl<R, W> Conn<R, W>
where
    R: tokio::io::AsyncRead + Unpin,
    W: tokio::io::AsyncWrite + Unpin,
{
    pub fn new(stdout: R, stdin: W, bounds: Bounds) -> Self {
        Conn {
            reader: BufReader::with_capacity(64 * 1024, stdout),
            writer: Some(stdin),
            bounds,
            cur: Vec::new(),
            overflow: false,
            dispatch: Dispatch::default(),
        }
    }

    /// What was seen on stdout besides replies.
    pub fn stats(&self) -> &Stats {
        &self.dispatch.stats
    }

    /// Closes the server's stdin (the first step of a stdio shutdown).
    pub async fn close_stdin(&mut self) {
        if let Some(mut w) = self.writer.take() {
            let _ = w.shutdown().await;
        }
    }

    async fn send(&mut self, msg: &Value) -> std::io::Result<()> {
        let Some(w) = self.writer.as_mut() else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::BrokenPipe,
                "stdin closed",
            ));
        };
        let mut line = serde_json::to_vec(msg).map_err(std::io::Error::other)?;
        line.push(b'\n');
        w.write_all(&line).await?;
        w.flush().await
    }

    /// Sends a request and returns its id (small integers, from 1).
    pub async fn request(&mut self, method: &str, params: Value) -> std::io::Result<u64> {
        let (id, msg) = self.dispatch.request(method, params);
        self.send(&msg).await?;
        Ok(id)
    }

    /// Sends a notification.
    pub async fn notify(&mut self, method: &str, params: Value) -> std::io::Result<()> {
        self.send(&Dispatch::notification(method, params)).await
    }

    /// Waits until every id in `ids` has a reply, or the deadline, EOF or the byte budget.
    /// Replies that arrived are returned even on error, via [`Self::take`].
    pub async fn wait(&mut self, ids: &[u64], deadline: Instant) -> Result<(), WaitError> {
        loop {
            if self.dispatch.has_all(ids) {
                return Ok(());
            }
            let line = match tokio::time::timeout_at(deadline.into(), self.next_line()).await {
                Err(_) => return Err(WaitError::Timeout),
                Ok(Err(e)) => return Err(WaitError::Io(e.to_string())),
                Ok(Ok(None)) => return Err(WaitError::Closed),
                Ok(Ok(Some(l))) => l,
            };
            if self.dispatch.stats.bytes_read > self.bounds.max_stdout {
                return Err(WaitError::Flood);
            }
            match line {
                Line::Oversized => self.dispatch.stats.oversized_lines += 1,
                Line::Text(t) => {
                    for reply in self.dispatch.handle_text(&t) {
                        let _ = self.send(&reply).await;
                    }
                }
            }
        }
    }

    /// Removes and returns the reply to `id`, if it arrived.
    pub fn take(&mut self, id: u64) -> Option<Reply> {
        self.dispatch.take(id)
    }

    async fn next_line(&mut self) -> std::io::Result<Option<Line>> {
        loop {
            // fill_buf is cancel-safe and the partial line lives in `self`, so a timeout never
            // loses bytes.
            let buf = self.reader.fill_buf().await?;
            if buf.is_empty() {
                if self.cur.is_empty() && !self.overflow {
                    return Ok(None);
                }
                return Ok(Some(self.finish_line()));
            }
            let (chunk, found) = match buf.iter().position(|b| *b == b'\n') {
                Some(i) => (&buf[..i], Some(i + 1)),
                None => (buf, None),
            };
            if !self.overflow {
                if self.cur.len() + chunk.len() > self.bounds.max_line {
                    self.overflow = true;
                    self.cur = Vec::new();
                } else {
                    self.cur.extend_from_slice(chunk);
                }
            }
            let used = found.unwrap_or(buf.len());
            self.reader.consume(used);
            self.dispatch.stats.bytes_read += used as u64;
            if found.is_some() {
                return Ok(Some(self.finish_line()));
            }
            if self.dispatch.stats.bytes_read > self.bounds.max_stdout {
                return Ok(Some(self.finish_line()));
            }
        }
    }

    fn finish_line(&mut self) -> Line {
        if std::mem::take(&mut self.overflow) {
            self.cur = Vec::new();
            Line::Oversized
        } else {
            Line::Text(std::mem::take(&mut self.cur))
        }
    }
}

fn bump(map: &mut BTreeMap<String, u64>, key: &str) {
    if map.len() < 64 || map.contains_key(key) {
        *map.entry(key.chars().take(100).collect()).or_default() += 1;
    }
}

fn is_jsonrpc(v: &Value) -> bool {
    let Some(o) = v.as_object() else {
        return false;
    };
    o.contains_key("method") || o.contains_key("result") || o.contains_key("error")
}
