//! The shared HTTP layer against a local fake: rate limits, retries, bad bodies, the disk
//! cache, and per-host spacing and concurrency measured from the fake's request log.

use std::io::{Read, Write};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::fake::{Fake, Resp};
use crawler::http::{Http, HttpConfig, HttpError, SourceHttp};

fn config() -> HttpConfig {
    let mut c = HttpConfig::new("hisper/test (+http://contact.invalid)");
    c.min_spacing = Duration::ZERO;
    c.per_host_concurrency = 8;
    c.base_backoff = Duration::from_millis(5);
    c.timeout = Duration::from_secs(5);
    c
}

fn client(c: HttpConfig) -> SourceHttp {
    SourceHttp::new(Http::new(c).unwrap())
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A fake that answers `script[i]` to the i-th request and `last` afterwards.
fn scripted(script: Vec<Resp>, last: Resp) -> Fake {
    let n = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    Fake::start(move |_| {
        let i = n.fetch_add(1, Ordering::SeqCst);
        script.get(i).cloned().unwrap_or_else(|| last.clone())
    })
}

fn ok() -> Resp {
    Resp::json(&serde_json::json!({"ok": true}))
}

#[test]
fn retry_after_and_ratelimit_reset_wait_then_succeed() {
    let fake = scripted(
        vec![
            Resp::text(429, "text/html", "<html>slow down</html>").with("Retry-After", "1"),
            Resp::status(403)
                .with("X-RateLimit-Remaining", "0")
                .with("X-RateLimit-Reset", &(now_secs() + 1).to_string()),
        ],
        ok(),
    );
    let h = client(config());
    let t = Instant::now();
    let r = rt()
        .block_on(h.get_json::<serde_json::Value>(&format!("{}/x", fake.base), "application/json"));
    assert!(r.is_ok(), "{r:?}");
    assert!(
        t.elapsed() >= Duration::from_millis(1500),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(h.counters.rate_limit_waits.load(Ordering::SeqCst), 2);
    assert_eq!(fake.requests().len(), 3);
    let ua = fake.requests()[0]
        .headers
        .iter()
        .find(|(k, _)| k == "user-agent")
        .map(|(_, v)| v.clone());
    assert_eq!(ua.as_deref(), Some("hisper/test (+http://contact.invalid)"));
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn bare_403_does_not_loop() {
    let fake = scripted(
        vec![],
        Resp::text(403, "application/json", "{\"message\":\"Forbidden\"}"),
    );
    let h = client(config());
    let r = rt().block_on(h.get(&format!("{}/x", fake.base), "application/json"));
    assert!(
        matches!(r, Err(HttpError::Status { status: 403, .. })),
        "{r:?}"
    );
    assert_eq!(fake.requests().len(), 1);
}

#[test]
fn reset_beyond_the_deadline_stops_at_once() {
    let fake = scripted(
        vec![],
        Resp::status(403)
            .with("X-RateLimit-Remaining", "0")
            .with("X-RateLimit-Reset", &(now_secs() + 3600).to_string()),
    );
    let mut c = config();
    c.deadline = Some(crawler::deadline_after(Duration::from_secs(30)));
    let h = client(c);
    let t = Instant::now();
    let r = rt().block_on(h.get(&format!("{}/x", fake.base), "application/json"));
    match r {
        Err(e @ HttpError::RateLimited { .. }) => assert!(e.is_stop()),
        other => panic!("{other:?}"),
    }
    assert!(t.elapsed() < Duration::from_secs(5));
    assert_eq!(fake.requests().len(), 1);
}

#[test]
fn secondary_rate_limit_waits() {
    let fake = scripted(
        vec![Resp::text(
            403,
            "application/json",
            "{\"message\":\"You have exceeded a secondary rate limit.\"}",
        )
        .with("Retry-After", "1")],
        ok(),
    );
    let h = client(config());
    assert!(rt()
        .block_on(h.get(&format!("{}/x", fake.base), "application/json"))
        .is_ok());
    assert_eq!(h.counters.rate_limit_waits.load(Ordering::SeqCst), 1);
}

#[test]
fn server_errors_and_timeouts_are_retried_with_backoff() {
    let fake = scripted(
        vec![
            Resp::status(503),
            Resp::status(502),
            ok().delayed(Duration::from_millis(800)),
            Resp::status(500),
        ],
        ok(),
    );
    let mut c = config();
    c.timeout = Duration::from_millis(300);
    let h = client(c);
    let r = rt().block_on(h.get(&format!("{}/x", fake.base), "application/json"));
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(h.counters.retries.load(Ordering::SeqCst), 4);
    // Out of retries: the last status is the error.
    let fake = scripted(vec![], Resp::status(500));
    let mut c = config();
    c.max_retries = 2;
    let h = client(c);
    let r = rt().block_on(h.get(&format!("{}/x", fake.base), "application/json"));
    assert!(
        matches!(r, Err(HttpError::Status { status: 500, .. })),
        "{r:?}"
    );
    assert_eq!(fake.requests().len(), 3);
}

#[test]
fn connection_reset_is_retried() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for (i, conn) in listener.incoming().enumerate() {
            let Ok(mut s) = conn else { continue };
            let mut buf = [0u8; 2048];
            let _ = s.read(&mut buf);
            if i == 0 {
                drop(s); // close without an answer
                continue;
            }
            let body = "{\"ok\":true}";
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            if i >= 3 {
                break;
            }
        }
    });
    let h = client(config());
    let r = rt()
        .block_on(h.get_json::<serde_json::Value>(&format!("http://{addr}/x"), "application/json"));
    assert!(r.is_ok(), "{r:?}");
    assert!(h.counters.retries.load(Ordering::SeqCst) >= 1);
}

#[test]
fn html_and_truncated_json_are_request_errors() {
    let fake = scripted(
        vec![
            Resp::text(
                200,
                "text/html",
                "<!DOCTYPE html><html>Just a moment...</html>",
            ),
            Resp::text(
                200,
                "application/json",
                "{\"objects\": [{\"package\": {\"na",
            ),
        ],
        ok(),
    );
    let h = client(config());
    let rt = rt();
    let url = format!("{}/x", fake.base);
    let a = rt.block_on(h.get_json::<serde_json::Value>(&url, "application/json"));
    assert!(matches!(a, Err(HttpError::Html { .. })), "{a:?}");
    let b = rt.block_on(h.get_json::<serde_json::Value>(&url, "application/json"));
    assert!(matches!(b, Err(HttpError::Json { .. })), "{b:?}");
    assert!(rt
        .block_on(h.get_json::<serde_json::Value>(&url, "application/json"))
        .is_ok());
}

#[test]
fn etag_cache_answers_304_and_survives_corruption() {
    let fake = Fake::start(|r| {
        if r.header("if-none-match") == Some("\"v1\"") {
            Resp::status(304).with("ETag", "\"v1\"")
        } else {
            Resp::json(&serde_json::json!({"n": 1})).with("ETag", "\"v1\"")
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let mut c = config();
    c.cache_dir = Some(dir.path().to_path_buf());
    let h = client(c);
    let rt = rt();
    let url = format!("{}/pkg", fake.base);
    let (a, r1) = rt
        .block_on(h.get_json::<serde_json::Value>(&url, "application/json"))
        .unwrap();
    let (b, r2) = rt
        .block_on(h.get_json::<serde_json::Value>(&url, "application/json"))
        .unwrap();
    assert_eq!(a, b);
    assert!(!r1.from_cache && r2.from_cache);
    assert_eq!(h.counters.not_modified.load(Ordering::SeqCst), 1);
    // Corrupt every cached body: the next request is unconditional and succeeds.
    for e in walk(dir.path()) {
        if e.to_string_lossy().ends_with(".body") {
            std::fs::write(&e, b"garbage").unwrap();
        }
    }
    let (c2, r3) = rt
        .block_on(h.get_json::<serde_json::Value>(&url, "application/json"))
        .unwrap();
    assert_eq!(c2, a);
    assert!(!r3.from_cache);
    let last = fake.requests().last().unwrap().clone();
    assert!(last.headers.iter().all(|(k, _)| k != "if-none-match"));
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn per_host_spacing_and_concurrency_hold() {
    let fake = Fake::start(|_| ok().delayed(Duration::from_millis(60)));
    let mut c = config();
    c.per_host_concurrency = 2;
    c.min_spacing = Duration::from_millis(40);
    let h = client(c);
    let url = format!("{}/x", fake.base);
    rt().block_on(async {
        let futs = (0..12).map(|_| h.get(&url, "application/json"));
        for r in futures::future::join_all(futs).await {
            r.unwrap();
        }
    });
    assert!(
        fake.max_in_flight.load(Ordering::SeqCst) <= 2,
        "in flight {}",
        fake.max_in_flight.load(Ordering::SeqCst)
    );
    let mut starts: Vec<Instant> = fake.requests().iter().map(|l| l.start).collect();
    starts.sort();
    assert_eq!(starts.len(), 12);
    // The fake stamps on arrival, and on a loaded machine a late arrival can bunch up with the
    // next one; so check the typical gap and the whole span (concurrency alone, without
    // spacing, would serve 12 requests of 60 ms in about 360 ms, spacing needs 440 ms).
    let mut gaps: Vec<Duration> = starts.windows(2).map(|w| w[1] - w[0]).collect();
    gaps.sort();
    let median = gaps[gaps.len() / 2];
    assert!(median >= Duration::from_millis(35), "median gap {median:?}");
    let span = starts[11] - starts[0];
    assert!(span >= Duration::from_millis(400), "span {span:?}");
}
