//! `hisper serve`: a small static file server for a built site, on 127.0.0.1 only.
//!
//! It serves files with the right MIME type (including `application/wasm`), `index.html` for
//! directories, the site's `404.html` for anything missing, and refuses paths that leave the
//! directory. It is for looking at a build locally, not for production.

use std::path::{Component, Path, PathBuf};

/// The MIME type of a file name.
pub fn mime(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "ico" => "image/x-icon",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "gz" => "application/gzip",
        "woff2" => "font/woff2",
        // The registry mirror's `versions/latest` has no extension.
        "" if path.file_name().is_some_and(|n| n == "latest") => "application/json",
        _ => "application/octet-stream",
    }
}

/// Maps a request URL to a file under `root` (`None`: not found or refused).
pub fn resolve(root: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let path = percent_decode(path)?;
    let rel = Path::new(path.trim_start_matches('/'));
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let full = root.join(rel);
    if full.is_file() {
        return Some(full);
    }
    if full.is_dir() {
        let idx = full.join("index.html");
        if idx.is_file() {
            return Some(idx);
        }
        let idx = full.join("index.json");
        if idx.is_file() {
            return Some(idx);
        }
    }
    None
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let h = std::str::from_utf8(&b[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(h, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Binds 127.0.0.1:`port` (0: any free port) and returns the server and its URL.
pub fn bind(port: u16) -> anyhow::Result<(tiny_http::Server, String)> {
    let server = tiny_http::Server::http(("127.0.0.1", port))
        .map_err(|e| anyhow::anyhow!("binding 127.0.0.1:{port}: {e}"))?;
    let addr = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| anyhow::anyhow!("the server has no IP address"))?;
    Ok((server, format!("http://{addr}/")))
}

/// Answers requests until the server is dropped or unblocked.
pub fn run(server: &tiny_http::Server, root: &Path) {
    for req in server.incoming_requests() {
        let (status, file) = match resolve(root, req.url()) {
            Some(f) => (200, Some(f)),
            None => (404, Some(root.join("404.html")).filter(|p| p.is_file())),
        };
        let result = match file {
            Some(f) => match std::fs::read(&f) {
                Ok(bytes) => {
                    // The registry mirror is JSON whatever its file names say.
                    let in_mirror = f.strip_prefix(root).is_ok_and(|r| r.starts_with("v0.1"));
                    let ct = if in_mirror {
                        "application/json"
                    } else {
                        mime(&f)
                    };
                    let ct =
                        tiny_http::Header::from_bytes("Content-Type", ct).expect("a valid header");
                    req.respond(
                        tiny_http::Response::from_data(bytes)
                            .with_status_code(status)
                            .with_header(ct),
                    )
                }
                Err(_) => req.respond(tiny_http::Response::empty(500)),
            },
            None => {
                req.respond(tiny_http::Response::from_string("not found").with_status_code(404))
            }
        };
        if let Err(e) = result {
            tracing::debug!("responding: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    #[test]
    fn mime_types() {
        assert_eq!(mime(Path::new("a/search.wasm")), "application/wasm");
        assert_eq!(mime(Path::new("a/index.html")), "text/html; charset=utf-8");
        assert_eq!(
            mime(Path::new("v0.1/servers/a/b/versions/latest")),
            "application/json"
        );
    }

    fn get(url: &str) -> String {
        let rest = url.trim_start_matches("http://");
        let (host, path) = rest.split_once('/').unwrap();
        let mut s = std::net::TcpStream::connect(host).unwrap();
        write!(
            s,
            "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    }

    #[test]
    fn serves_files_indexes_404_and_refuses_traversal() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(root.join("a")).unwrap();
        std::fs::write(root.join("a/index.html"), "A page").unwrap();
        std::fs::write(root.join("x.wasm"), b"\0asm").unwrap();
        std::fs::write(root.join("404.html"), "Nope").unwrap();
        std::fs::write(dir.path().join("secret"), "secret").unwrap();
        let (server, url) = bind(0).unwrap();
        let server = std::sync::Arc::new(server);
        let s2 = server.clone();
        let r2 = root.clone();
        let t = std::thread::spawn(move || run(&s2, &r2));
        let a = get(&format!("{url}a/"));
        assert!(a.starts_with("HTTP/1.1 200"), "{a}");
        assert!(a.contains("A page"));
        let w = get(&format!("{url}x.wasm"));
        assert!(
            w.to_lowercase().contains("content-type: application/wasm"),
            "{w}"
        );
        let n = get(&format!("{url}nothing/"));
        assert!(n.starts_with("HTTP/1.1 404") && n.contains("Nope"), "{n}");
        let t2 = get(&format!("{url}..%2Fsecret"));
        assert!(
            !t2.contains("secret\r\n") && t2.starts_with("HTTP/1.1 404"),
            "{t2}"
        );
        server.unblock();
        t.join().unwrap();
    }
}
