//! Evidence hygiene: ANSI stripping, token redaction and a bounded tail of a byte stream.
//!
//! Everything a server prints is hostile data. This module keeps only the last bytes of stderr,
//! removes terminal escapes and replaces anything that looks like a credential with
//! `[REDACTED]`. It does not decide outcomes.

use std::collections::VecDeque;
use std::sync::OnceLock;

use regex::Regex;

/// Keeps the last `cap` bytes written to it.
#[derive(Debug)]
pub struct Tail {
    cap: usize,
    buf: VecDeque<u8>,
    pub total: u64,
}

impl Tail {
    pub fn new(cap: usize) -> Self {
        Tail {
            cap,
            buf: VecDeque::with_capacity(cap.min(1 << 16)),
            total: 0,
        }
    }

    pub fn push(&mut self, bytes: &[u8]) {
        self.total += bytes.len() as u64;
        let bytes = if bytes.len() > self.cap {
            &bytes[bytes.len() - self.cap..]
        } else {
            bytes
        };
        let overflow = (self.buf.len() + bytes.len()).saturating_sub(self.cap);
        self.buf.drain(..overflow);
        self.buf.extend(bytes);
    }

    /// The kept bytes as text: lossy UTF-8, ANSI-stripped, redacted, last `max_lines` lines.
    pub fn text(&self, max_lines: usize) -> String {
        let (a, b) = self.buf.as_slices();
        let mut v = Vec::with_capacity(a.len() + b.len());
        v.extend_from_slice(a);
        v.extend_from_slice(b);
        let s = String::from_utf8_lossy(&v);
        let s = clean(&s);
        let lines: Vec<&str> = s.lines().filter(|l| !l.trim().is_empty()).collect();
        let start = lines.len().saturating_sub(max_lines);
        lines[start..].join("\n")
    }
}

fn ansi() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[@-Z\\-_]")
            .expect("valid regex")
    })
}

fn tokens() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(concat!(
            r"(gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{20,}|sk-[A-Za-z0-9_\-]{16,}",
            r"|xox[abprs]-[A-Za-z0-9\-]{10,}|AKIA[0-9A-Z]{16}|eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*",
            r"|npm_[A-Za-z0-9]{30,}|glpat-[A-Za-z0-9_\-]{16,}|\b[A-Za-z0-9_\-]{40,}\b)"
        ))
        .expect("valid regex")
    })
}

fn assignments() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r#"(?i)((?:token|secret|password|passwd|api[_-]?key|authorization|bearer)["']?\s*[:=]\s*["']?)([^\s"',;]{6,})"#)
            .expect("valid regex")
    })
}

/// Strips ANSI escapes and control characters (except newline and tab), redacts credentials.
pub fn clean(s: &str) -> String {
    let s = ansi().replace_all(s, "");
    let s: String = s
        .chars()
        .filter(|c| *c == '\n' || *c == '\t' || !c.is_control())
        .collect();
    redact(&s)
}

/// Replaces anything that looks like a credential with `[REDACTED]`.
pub fn redact(s: &str) -> String {
    let s = tokens().replace_all(s, "[REDACTED]");
    assignments().replace_all(&s, "${1}[REDACTED]").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_keeps_last_bytes() {
        let mut t = Tail::new(10);
        t.push(b"hello ");
        t.push(b"world, again\n");
        assert_eq!(t.total, 19);
        assert_eq!(t.text(5), "ld, again");
    }

    #[test]
    fn redacts_tokens_and_ansi() {
        let s = clean("\x1b[31merror\x1b[0m token ghp_abcdefghijklmnopqrstuvwxyz0123 and API_KEY=supersecret99");
        assert!(!s.contains("ghp_abc"), "{s}");
        assert!(!s.contains("supersecret99"), "{s}");
        assert!(s.starts_with("error token [REDACTED]"), "{s}");
        assert_eq!(clean("plain words stay"), "plain words stay");
    }
}
