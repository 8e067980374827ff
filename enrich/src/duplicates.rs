//! Duplicates, forks and typo-squats: records that look like the same server, and names that look
//! like a popular server's name with a typo.
//!
//! Two records are linked when they point at the same repository folder, when one is a GitHub fork
//! of a repository of the same name whose record is also here, or when they share a long, specific
//! description (and the same tool names, when both were probed). In each group the original is the
//! one that is not a fork, was published first, has more downloads, then the smaller id; the others
//! are its copies and get a penalty. A name one or two edits away from a far more popular server's
//! name, with a similar or empty description, is a typo-squat suspect. Nothing here is proof; every
//! link carries its reason.

use std::collections::{BTreeMap, BTreeSet};

use dataset::{Duplicates, Penalty, Server};
use serde_json::Value;

use crate::checklist::is_placeholder;
use crate::score::penalty_points;
use crate::text;

/// Descriptions shorter than this (in tokens) are too generic to link records.
const MIN_DESC_TOKENS: usize = 8;
/// A popular server has at least this many monthly downloads.
const POPULAR_DOWNLOADS: u64 = 1_000;
/// A typo-squat suspect has at most this fraction of the popular server's downloads.
const SQUAT_RATIO: f64 = 0.05;
/// How many of the most downloaded servers are protected against typo-squats.
const POPULAR_SET: usize = 300;

/// What this module found, keyed by server id.
#[derive(Debug, Clone, Default)]
pub struct Links {
    pub duplicates: BTreeMap<String, Duplicates>,
    pub penalties: BTreeMap<String, Vec<Penalty>>,
}

fn bare_name(name: &str) -> String {
    let n = name.to_ascii_lowercase();
    match n.strip_prefix('@').and_then(|r| r.split_once('/')) {
        Some((_, rest)) => rest.to_string(),
        None => n,
    }
}

fn desc_tokens(s: &Server) -> Vec<String> {
    match s.description.as_deref() {
        Some(d) if !is_placeholder(d) => text::tokens(d),
        _ => Vec::new(),
    }
}

fn tool_set(s: &Server) -> BTreeSet<String> {
    s.probe
        .iter()
        .flat_map(|p| p.tools.iter())
        .filter_map(|t| t.get("name").and_then(Value::as_str).map(str::to_string))
        .collect()
}

fn earliest_publish(s: &Server) -> String {
    s.sources
        .iter()
        .filter_map(|e| e.published_at.clone())
        .min()
        .unwrap_or_else(|| s.first_seen.clone())
}

/// Orders a group so that the original comes first.
fn original_order(a: &Server, b: &Server) -> std::cmp::Ordering {
    let fork = |s: &Server| s.repository.as_ref().is_some_and(|r| r.fork);
    fork(a)
        .cmp(&fork(b))
        .then_with(|| {
            let (pa, pb) = (earliest_publish(a), earliest_publish(b));
            match (pa.is_empty(), pb.is_empty()) {
                (false, false) => pa.cmp(&pb),
                (a_empty, b_empty) => a_empty.cmp(&b_empty),
            }
        })
        .then_with(|| b.downloads_monthly().cmp(&a.downloads_monthly()))
        .then_with(|| a.id.cmp(&b.id))
}

/// Union-find over indices, with the reason of the first link into each set.
struct Groups {
    parent: Vec<usize>,
    reason: BTreeMap<usize, String>,
}

impl Groups {
    fn find(&mut self, i: usize) -> usize {
        let mut r = i;
        while self.parent[r] != r {
            r = self.parent[r];
        }
        let mut c = i;
        while self.parent[c] != r {
            let n = self.parent[c];
            self.parent[c] = r;
            c = n;
        }
        r
    }
    fn union(&mut self, a: usize, b: usize, why: &str) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = (ra.min(rb), ra.max(rb));
            self.parent[hi] = lo;
            let r = self.reason.remove(&hi);
            self.reason
                .entry(lo)
                .or_insert_with(|| r.unwrap_or_else(|| why.to_string()));
        }
    }
}

/// Finds duplicate groups and typo-squat suspects across the dataset.
pub fn find(servers: &[Server]) -> Links {
    let n = servers.len();
    let mut g = Groups {
        parent: (0..n).collect(),
        reason: BTreeMap::new(),
    };

    // Same repository folder under two ids.
    let mut by_repo: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    // Same long description (and tool set).
    let mut by_desc: BTreeMap<(String, Vec<String>), Vec<usize>> = BTreeMap::new();
    // Non-fork repositories by name, for forks.
    let mut originals_by_repo_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, s) in servers.iter().enumerate() {
        if let Some(r) = &s.repository {
            let key = format!(
                "{}/{}/{}/{}",
                r.forge,
                r.owner,
                r.name,
                r.subfolder.as_deref().unwrap_or("")
            )
            .to_ascii_lowercase();
            by_repo.entry(key).or_default().push(i);
            if !r.fork {
                originals_by_repo_name
                    .entry(r.name.to_ascii_lowercase())
                    .or_default()
                    .push(i);
            }
        }
        let toks = desc_tokens(s);
        if toks.len() >= MIN_DESC_TOKENS {
            by_desc
                .entry((toks.join(" "), tool_set(s).into_iter().collect()))
                .or_default()
                .push(i);
        }
    }
    for idx in by_repo.values().filter(|v| v.len() > 1) {
        for &j in &idx[1..] {
            g.union(idx[0], j, "same repository");
        }
    }
    for idx in by_desc.values().filter(|v| v.len() > 1) {
        for &j in &idx[1..] {
            g.union(idx[0], j, "same description and tools");
        }
    }
    let mut forks_linked = BTreeSet::new();
    for (i, s) in servers.iter().enumerate() {
        let Some(r) = s.repository.as_ref().filter(|r| r.fork) else {
            continue;
        };
        if let Some(orig) = originals_by_repo_name.get(&r.name.to_ascii_lowercase()) {
            // The original with the most downloads, then the smallest id.
            if let Some(&o) = orig.iter().filter(|&&o| o != i).min_by(|&&a, &&b| {
                servers[b]
                    .downloads_monthly()
                    .cmp(&servers[a].downloads_monthly())
                    .then(servers[a].id.cmp(&servers[b].id))
            }) {
                g.union(o, i, "a fork of a repository of the same name");
                forks_linked.insert(i);
            }
        }
    }

    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..n {
        let r = g.find(i);
        groups.entry(r).or_default().push(i);
    }
    let mut links = Links::default();
    for (root, mut members) in groups {
        if members.len() < 2 {
            continue;
        }
        let reason = g
            .reason
            .get(&root)
            .cloned()
            .unwrap_or_else(|| "looks like the same server".into());
        members.sort_by(|&a, &b| original_order(&servers[a], &servers[b]));
        let orig = &servers[members[0]];
        let mut copies: Vec<String> = members[1..]
            .iter()
            .map(|&i| servers[i].id.clone())
            .collect();
        copies.sort();
        links.duplicates.insert(
            orig.id.clone(),
            Duplicates {
                of: None,
                copies,
                reason: Some(reason.clone()),
            },
        );
        for &i in &members[1..] {
            let s = &servers[i];
            links.duplicates.insert(
                s.id.clone(),
                Duplicates {
                    of: Some(orig.id.clone()),
                    copies: Vec::new(),
                    reason: Some(reason.clone()),
                },
            );
            let is_fork =
                forks_linked.contains(&i) || s.repository.as_ref().is_some_and(|r| r.fork);
            let code = if is_fork { "fork" } else { "duplicate" };
            links
                .penalties
                .entry(s.id.clone())
                .or_default()
                .push(Penalty {
                    code: code.into(),
                    points: penalty_points(code),
                    reason: format!("looks like a copy of {} ({reason})", orig.id),
                });
        }
    }

    squats(servers, &mut links);
    links
}

fn jaccard(a: &[String], b: &[String]) -> f64 {
    let a: BTreeSet<&String> = a.iter().collect();
    let b: BTreeSet<&String> = b.iter().collect();
    let inter = a.intersection(&b).count();
    let union = a.union(&b).count();
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

fn owner(s: &Server) -> Option<String> {
    s.repository.as_ref().map(|r| r.owner.to_ascii_lowercase())
}

fn squats(servers: &[Server], links: &mut Links) {
    let mut popular: Vec<usize> = (0..servers.len())
        .filter(|&i| servers[i].downloads_monthly() >= POPULAR_DOWNLOADS)
        .collect();
    popular.sort_by(|&a, &b| {
        servers[b]
            .downloads_monthly()
            .cmp(&servers[a].downloads_monthly())
            .then(servers[a].id.cmp(&servers[b].id))
    });
    popular.truncate(POPULAR_SET);
    let pop: Vec<(usize, String, Vec<String>)> = popular
        .iter()
        .map(|&i| (i, bare_name(&servers[i].name), desc_tokens(&servers[i])))
        .collect();
    for (i, s) in servers.iter().enumerate() {
        if links.duplicates.contains_key(&s.id) {
            continue;
        }
        let name = bare_name(&s.name);
        if name.len() < 5 {
            continue;
        }
        let max_edits = if name.len() >= 12 { 2 } else { 1 };
        let mine = desc_tokens(s);
        for (p, pname, pdesc) in &pop {
            let ps = &servers[*p];
            if *p == i
                || s.downloads_monthly() as f64 > SQUAT_RATIO * ps.downloads_monthly() as f64
                || (owner(s).is_some() && owner(s) == owner(ps))
            {
                continue;
            }
            let d = text::edit_distance(&name, pname, max_edits);
            if d == 0 || d > max_edits {
                continue;
            }
            if !(mine.is_empty() || jaccard(&mine, pdesc) >= 0.5) {
                continue;
            }
            links
                .penalties
                .entry(s.id.clone())
                .or_default()
                .push(Penalty {
                    code: "typosquat".into(),
                    points: penalty_points("typosquat"),
                    reason: format!(
                    "name is {d} edit(s) from the far more popular {} and its description is {}",
                    ps.name,
                    if mine.is_empty() { "empty" } else { "alike" }
                ),
                });
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dataset::{Repository, Source, SourceEntry};

    fn srv(id: &str, name: &str, desc: &str, downloads: u64) -> Server {
        let mut e = SourceEntry::new(Source::Npm, name, "2026-11-01T00:00:00Z");
        e.downloads_monthly = Some(downloads);
        Server {
            id: id.into(),
            name: name.into(),
            description: Some(desc.into()),
            sources: vec![e],
            first_seen: "2026-11-01T00:00:00Z".into(),
            ..Default::default()
        }
    }

    const LONG: &str =
        "Secure file operations with configurable access controls for local directories";

    #[test]
    fn same_description_links_copy_to_original() {
        let a = srv("npm:fs-original", "fs-original", LONG, 50_000);
        let b = srv("npm:fs-copy", "fs-copy", LONG, 10);
        let c = srv(
            "npm:other",
            "other",
            "Query Postgres databases from your assistant safely today",
            10,
        );
        let l = find(&[a, b, c]);
        assert_eq!(
            l.duplicates["npm:fs-copy"].of.as_deref(),
            Some("npm:fs-original")
        );
        assert_eq!(l.duplicates["npm:fs-original"].copies, vec!["npm:fs-copy"]);
        assert!(!l.duplicates.contains_key("npm:other"));
        assert_eq!(l.penalties["npm:fs-copy"][0].code, "duplicate");
        assert!(!l.penalties.contains_key("npm:fs-original"));
    }

    #[test]
    fn forks_link_to_the_original_repository() {
        let repo = |owner: &str, fork: bool| Repository {
            url: format!("https://github.com/{owner}/mcp-thing"),
            forge: "github".into(),
            owner: owner.into(),
            name: "mcp-thing".into(),
            fork,
            ..Default::default()
        };
        let mut a = srv("github:alice/mcp-thing", "mcp-thing", "A thing", 100);
        a.repository = Some(repo("alice", false));
        let mut b = srv(
            "github:bob/mcp-thing",
            "mcp-thing-bob",
            "A thing, forked",
            1,
        );
        b.repository = Some(repo("bob", true));
        let l = find(&[a, b]);
        assert_eq!(
            l.duplicates["github:bob/mcp-thing"].of.as_deref(),
            Some("github:alice/mcp-thing")
        );
        assert_eq!(l.penalties["github:bob/mcp-thing"][0].code, "fork");
    }

    #[test]
    fn typosquats_need_a_popular_lookalike() {
        let a = srv(
            "npm:server-filesystem",
            "server-filesystem",
            "File access for assistants",
            90_000,
        );
        let b = srv("npm:server-filesytem", "server-filesytem", "", 3);
        let c = srv(
            "npm:server-filesystems-pro",
            "server-filesystems-pro",
            "Weather forecasts",
            3,
        );
        let l = find(&[a, b, c]);
        assert_eq!(l.penalties["npm:server-filesytem"][0].code, "typosquat");
        assert!(!l.penalties.contains_key("npm:server-filesystems-pro"));
        assert!(!l.penalties.contains_key("npm:server-filesystem"));
    }
}
