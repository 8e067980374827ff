//! Kind review and platform binaries: what enrich corrects in the crawler's `kind` from what
//! only later stages know, and which records are platform-specific binaries of another.
//!
//! The probe result is the strongest signal of all: a record whose probe answered and listed
//! tools, prompts or resources is a server (`strong`, signal `probe:listed-tools`), whatever its
//! name or description suggested; one whose probe asked for configuration and that the crawler
//! could not place is a server too (`medium`, `probe:needs-config`). A package named like
//! `@scope/mcp` that the crawler left as a weak `other` is the scope's MCP server (`medium`,
//! `name:scope-mcp`). A platform-binary sub-package (`@azure/mcp-linux-x64`,
//! `kubernetes-mcp-server-darwin-arm64`, `@chaindead/telegram-mcp_linux_amd64`) gets `platform_of`
//! set to its parent's id when the parent is in the dataset; without one it is kind `other`
//! (`name:platform-binary`). It never demotes a server that its probe confirmed.

use std::collections::BTreeMap;

use dataset::{Confidence, Kind, Outcome, Server};

pub const SIGNAL_PROBE: &str = "probe:listed-tools";
pub const SIGNAL_NEEDS_CONFIG: &str = "probe:needs-config";
pub const SIGNAL_SCOPE_MCP: &str = "name:scope-mcp";
pub const SIGNAL_PLATFORM: &str = "name:platform-binary";

const OSES: &[&str] = &[
    "linux", "darwin", "macos", "osx", "win32", "windows", "win", "freebsd", "openbsd", "android",
    "alpine",
];
const ARCHES: &[&str] = &[
    "x64",
    "x86",
    "x86_64",
    "amd64",
    "arm64",
    "aarch64",
    "arm",
    "armv7",
    "arm64ec",
    "ia32",
    "386",
    "ppc64",
    "ppc64le",
    "s390x",
    "riscv64",
    "universal",
    "loong64",
];
const LIBCS: &[&str] = &["gnu", "musl", "msvc", "gnueabihf", "musleabihf"];

/// The name without its platform suffix, when it has one: `@azure/mcp-linux-x64` → `@azure/mcp`,
/// `tool_linux_amd64` → `tool`, `@onshape-mcp/linux-x64` → `@onshape-mcp/` (a bare scope).
pub fn platform_base(name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    let (prefix, last) = match lower.rfind('/') {
        Some(i) => (&lower[..=i], &lower[i + 1..]),
        None => ("", lower.as_str()),
    };
    let parts: Vec<&str> = last.split(['-', '_', '.']).collect();
    // Find "<os>[-<arch>][-<libc>]" at the end, or "<arch>-<os>".
    for start in (0..parts.len()).rev() {
        let tail = &parts[start..];
        let ok = match tail {
            [a, b] => {
                (OSES.contains(a) && ARCHES.contains(b)) || (ARCHES.contains(a) && OSES.contains(b))
            }
            [os, arch, libc] => OSES.contains(os) && ARCHES.contains(arch) && LIBCS.contains(libc),
            _ => false,
        };
        if ok {
            // Byte length of the kept head of `last`.
            let kept: usize = parts[..start].iter().map(|p| p.len() + 1).sum::<usize>();
            let head = &name[prefix.len()..][..kept.saturating_sub(1)];
            return Some(format!("{}{}", &name[..prefix.len()], head));
        }
        if tail.len() >= 3 {
            break;
        }
    }
    None
}

fn bump(s: &mut Server, kind: Kind, confidence: Confidence, signal: &str) {
    s.kind = kind;
    s.kind_confidence = confidence;
    if !s.kind_signals.iter().any(|x| x == signal) {
        s.kind_signals.push(signal.to_string());
        s.kind_signals.sort();
    }
}

/// Reviews the kind of every server and fills `platform_of`.
pub fn review(servers: &mut [Server]) {
    // Parents by package name (any source), preferring the most downloaded.
    let mut by_name: BTreeMap<String, (u64, String)> = BTreeMap::new();
    for s in servers.iter() {
        if platform_base(&s.name).is_some() {
            continue;
        }
        let mut names = vec![s.name.to_ascii_lowercase()];
        names.extend(s.sources.iter().map(|e| e.identifier.to_ascii_lowercase()));
        for n in names {
            let e = by_name.entry(n).or_insert((0, s.id.clone()));
            if s.downloads_monthly() > e.0 || (s.downloads_monthly() == e.0 && s.id < e.1) {
                *e = (s.downloads_monthly(), s.id.clone());
            }
        }
    }
    for s in servers.iter_mut() {
        let probe = s.probe.as_ref();
        let listed = probe.is_some_and(|p| {
            p.outcome == Outcome::Ok
                && !(p.tools.is_empty() && p.prompts.is_empty() && p.resources.is_empty())
        });
        let needs_config = probe.is_some_and(|p| p.outcome == Outcome::NeedsConfig);
        if listed {
            bump(s, Kind::Server, Confidence::Strong, SIGNAL_PROBE);
        } else if needs_config && s.kind == Kind::Other {
            bump(s, Kind::Server, Confidence::Medium, SIGNAL_NEEDS_CONFIG);
        } else if s.kind == Kind::Other && s.kind_confidence == Confidence::Weak {
            let scoped_mcp = s.name.starts_with('@')
                && s.name
                    .rsplit('/')
                    .next()
                    .is_some_and(|b| matches!(b, "mcp" | "mcp-server" | "server-mcp"));
            if scoped_mcp {
                bump(s, Kind::Server, Confidence::Medium, SIGNAL_SCOPE_MCP);
            }
        }
        s.platform_of = None;
        let Some(base) = platform_base(&s.name) else {
            continue;
        };
        let base_l = base.to_ascii_lowercase();
        let parent = if base_l.ends_with('/') {
            // A bare scope (`@onshape-mcp/linux-x64`): the scope's most downloaded package.
            by_name
                .iter()
                .filter(|(n, _)| n.starts_with(&base_l))
                .max_by(|a, b| a.1 .0.cmp(&b.1 .0).then(b.1 .1.cmp(&a.1 .1)))
                .map(|(_, v)| v.1.clone())
        } else {
            by_name.get(&base_l).map(|v| v.1.clone())
        };
        match parent.filter(|p| *p != s.id) {
            Some(p) => s.platform_of = Some(p),
            None if !listed => bump(s, Kind::Other, Confidence::Medium, SIGNAL_PLATFORM),
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_suffixes() {
        let b = |n: &str| platform_base(n);
        assert_eq!(b("@azure/mcp-linux-x64").as_deref(), Some("@azure/mcp"));
        assert_eq!(
            b("kubernetes-mcp-server-darwin-arm64").as_deref(),
            Some("kubernetes-mcp-server")
        );
        assert_eq!(
            b("@chaindead/telegram-mcp_linux_amd64").as_deref(),
            Some("@chaindead/telegram-mcp")
        );
        assert_eq!(
            b("@onshape-mcp/linux-x64").as_deref(),
            Some("@onshape-mcp/")
        );
        assert_eq!(b("tool-linux-x64-musl").as_deref(), Some("tool"));
        assert_eq!(b("@steipete/macos-automator-mcp"), None);
        // An OS alone is a server for that OS, not a binary for it.
        assert_eq!(b("mcp-server-windows"), None);
        assert_eq!(b("linux-mcp"), None);
        assert_eq!(b("@azure/mcp"), None);
    }
}
