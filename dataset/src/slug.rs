//! Page slugs for servers: the one function every stage uses to name `/servers/<slug>/`.
//!
//! A slug is derived from the server's name: lowercase ASCII letters, digits and `-`, at most 80
//! bytes, never empty, never `.` or `..`, no path separator. Two servers whose names give the same
//! slug are told apart deterministically: the one with the smaller id keeps the plain slug, the others
//! get a suffix from their source (`-npm`, `-pypi`) and then a short hash of the id. It does not
//! check that a slug is free on disk; it makes slugs unique within one dataset.

use std::collections::{BTreeMap, BTreeSet};

use crate::Server;

const MAX_LEN: usize = 80;

/// The plain slug of a name, before collisions are resolved.
pub fn slugify(name: &str) -> String {
    let mut out = String::with_capacity(name.len().min(MAX_LEN));
    let mut dash = false;
    for c in name.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
        if out.len() >= MAX_LEN {
            break;
        }
    }
    if out.is_empty() {
        out.push_str("server");
    }
    out
}

/// FNV-1a, for short stable suffixes (not for security).
pub fn fnv1a(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Unique slugs for every server, keyed by id.
pub fn assign(servers: &[Server]) -> BTreeMap<String, String> {
    let mut by_slug: BTreeMap<String, Vec<&Server>> = BTreeMap::new();
    for s in servers {
        by_slug.entry(slugify(&s.name)).or_default().push(s);
    }
    let mut taken: BTreeSet<String> = by_slug.keys().cloned().collect();
    let mut out = BTreeMap::new();
    for (slug, mut group) in by_slug {
        group.sort_by(|a, b| a.id.cmp(&b.id));
        let mut iter = group.into_iter();
        if let Some(first) = iter.next() {
            out.insert(first.id.clone(), slug.clone());
        }
        for s in iter {
            let prefix = s.id.split(':').next().unwrap_or("x");
            let mut candidate = slugify(&format!("{slug}-{prefix}"));
            if taken.contains(&candidate) {
                candidate = format!("{slug}-{:08x}", fnv1a(&s.id) as u32);
            }
            let mut n = 2;
            while taken.contains(&candidate) {
                candidate = format!("{slug}-{:08x}-{n}", fnv1a(&s.id) as u32);
                n += 1;
            }
            taken.insert(candidate.clone());
            out.insert(s.id.clone(), candidate);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_is_safe() {
        assert_eq!(
            slugify("@modelcontextprotocol/server-filesystem"),
            "modelcontextprotocol-server-filesystem"
        );
        assert_eq!(slugify("../../etc/passwd"), "etc-passwd");
        assert_eq!(slugify("..."), "server");
        assert_eq!(slugify("Ünïcode ✓ Name"), "n-code-name");
        assert!(slugify(&"a".repeat(500)).len() <= MAX_LEN);
    }

    #[test]
    fn collisions_are_deterministic_and_unique() {
        let mk = |id: &str, name: &str| Server {
            id: id.into(),
            name: name.into(),
            ..Default::default()
        };
        let servers = vec![
            mk("pypi:mcp-time", "mcp-time"),
            mk("npm:mcp-time", "mcp-time"),
            mk("npm:mcp_time", "mcp_time"),
        ];
        let a = assign(&servers);
        let mut rev = servers.clone();
        rev.reverse();
        assert_eq!(a, assign(&rev));
        let slugs: BTreeSet<_> = a.values().collect();
        assert_eq!(slugs.len(), 3);
        assert_eq!(a["npm:mcp-time"], "mcp-time");
    }
}
