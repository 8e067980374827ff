//! Merge: many [`Found`] items from four sources into one [`Server`] per server.
//!
//! Items join when they share a key: their own id (`npm:<name>`, `pypi:<pep503>`,
//! `mcp-registry:<name>`, `github:<owner>/<repo>`), the GitHub repository they link to (with the
//! monorepo subfolder from npm `repository.directory`, the Registry's `subfolder` or a `/tree/`
//! path), or an explicit link (a Registry entry's packages, an npm `mcpName`). When several
//! packages of one source link to the same repository folder, only the best match joins the
//! repository and the others stay their own records, so a monorepo without `directory` fields
//! does not collapse into one record. A repository renamed or transferred keeps the id it had
//! in the previous dataset (matched by GitHub's numeric id).
//!
//! Then [`carry_over`] reconciles with the previous dataset: `first_seen`, probe, health and
//! enrichment fields stay with their id; records of failed or skipped sources are kept (entries
//! of failed sources marked `stale`). This module does no I/O.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use dataset::{Dataset, Install, Package, Server, Source, SourceEntry};

use crate::classify::{self, Classification};
use crate::found::Found;
use crate::normalize::{is_placeholder_summary, name_keywords, pep503, RepoRef};

/// What happened to a source in this run, for carry-over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Crawled completely: what it did not return is gone.
    Complete,
    /// Failed or stopped early: its previous entries are kept and marked stale.
    Failed,
    /// Not crawled in this run: its previous entries are kept as they were.
    Skipped,
}

fn source_rank(s: Source) -> u8 {
    match s {
        Source::McpRegistry => 0,
        Source::Npm => 1,
        Source::Pypi => 2,
        Source::Github => 3,
    }
}

/// Folds duplicates of one item (the same package on two search pages or from two queries).
pub fn dedupe(found: Vec<Found>) -> Vec<Found> {
    let mut by_key: BTreeMap<(Source, String), Found> = BTreeMap::new();
    for f in found {
        let key = (f.source, f.own_id());
        match by_key.get_mut(&key) {
            None => {
                by_key.insert(key, f);
            }
            Some(have) => absorb(have, f),
        }
    }
    by_key.into_values().collect()
}

fn absorb(have: &mut Found, f: Found) {
    macro_rules! fill {
        ($($field:ident),*) => {$( if have.$field.is_none() { have.$field = f.$field; } )*};
    }
    fill!(
        title,
        description,
        version,
        url,
        downloads_monthly,
        download_rank,
        stars,
        summary,
        published_at,
        updated_at,
        license,
        homepage,
        repo,
        repo_meta,
        readme
    );
    have.deprecated |= f.deprecated;
    have.keywords.extend(f.keywords);
    have.signals.extend(f.signals);
    have.links.extend(f.links);
    for p in f.packages {
        if !have
            .packages
            .iter()
            .any(|q| q.registry_type == p.registry_type && q.identifier == p.identifier)
        {
            have.packages.push(p);
        }
    }
    for r in f.remotes {
        if !have.remotes.contains(&r) {
            have.remotes.push(r);
        }
    }
}

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn find(&mut self, mut i: usize) -> usize {
        while self.0[i] != i {
            self.0[i] = self.0[self.0[i]];
            i = self.0[i];
        }
        i
    }
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.0[hi] = lo;
        }
    }
}

/// Renames from the previous dataset: current repository root id → the root id it had before,
/// for repositories whose GitHub numeric id is unchanged but whose owner/name changed.
pub fn rename_aliases(found: &[Found], previous: Option<&Dataset>) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let Some(prev) = previous else { return out };
    // The root id each repository's record had: taken from the record's own id when it is a
    // GitHub id (after a rename the record keeps its old id while its `repository` says the new
    // owner/name, so the name would move the record to the new id on the next night), else from
    // the repository's owner/name.
    let mut by_forge_id: HashMap<u64, String> = HashMap::new();
    for from_id in [true, false] {
        for s in &prev.servers {
            let Some(r) = &s.repository else { continue };
            let (Some(fid), "github") = (r.forge_id, r.forge.as_str()) else {
                continue;
            };
            let root = if from_id {
                let Some(rest) = s.id.strip_prefix("github:") else {
                    continue;
                };
                let mut parts = rest.splitn(3, '/');
                match (parts.next(), parts.next()) {
                    (Some(o), Some(n)) if !o.is_empty() && !n.is_empty() => {
                        format!("github:{o}/{n}").to_lowercase()
                    }
                    _ => continue,
                }
            } else {
                format!("github:{}/{}", r.owner, r.name).to_lowercase()
            };
            by_forge_id.entry(fid).or_insert(root);
        }
    }
    for f in found {
        let (Some(meta), Some(repo)) = (&f.repo_meta, &f.repo) else {
            continue;
        };
        let Some(fid) = meta.forge_id else { continue };
        let Some(new_root) = repo.root().id() else {
            continue;
        };
        if let Some(old_root) = by_forge_id.get(&fid) {
            if *old_root != new_root {
                out.insert(new_root, old_root.clone());
            }
        }
    }
    out
}

fn aliased(id: String, aliases: &HashMap<String, String>) -> String {
    for (new_root, old_root) in aliases {
        if id == *new_root {
            return old_root.clone();
        }
        if let Some(rest) = id.strip_prefix(new_root.as_str()) {
            if rest.starts_with('/') {
                return format!("{old_root}{rest}");
            }
        }
    }
    id
}

/// Groups items into records (without looking at the previous dataset beyond renames).
pub fn merge(found: Vec<Found>, now: &str, previous: Option<&Dataset>) -> Vec<Server> {
    let found = dedupe(found);
    let aliases = rename_aliases(&found, previous);
    let own: Vec<String> = found
        .iter()
        .map(|f| {
            if f.source == Source::Github {
                aliased(f.own_id(), &aliases)
            } else {
                f.own_id()
            }
        })
        .collect();
    let repo_key: Vec<Option<String>> = found
        .iter()
        .map(|f| {
            f.repo
                .as_ref()
                .and_then(RepoRef::id)
                .map(|id| aliased(id, &aliases))
        })
        .collect();

    // Which package items may join their repository: one per (repository key, source).
    let mut claims: BTreeMap<(String, Source), Vec<usize>> = BTreeMap::new();
    for (i, f) in found.iter().enumerate() {
        if f.source == Source::Github {
            continue;
        }
        if let Some(k) = &repo_key[i] {
            claims.entry((k.clone(), f.source)).or_default().push(i);
        }
    }
    let mut joins_repo = vec![true; found.len()];
    for ((key, _), idx) in &claims {
        if idx.len() < 2 {
            continue;
        }
        let repo_name = key.rsplit('/').next().unwrap_or("");
        let best = *idx
            .iter()
            .min_by(|&&a, &&b| {
                let score = |i: usize| {
                    let f = &found[i];
                    let base = f.identifier.rsplit('/').next().unwrap_or("");
                    let exact = pep503(base) == pep503(repo_name);
                    (
                        !exact,
                        std::cmp::Reverse(f.downloads_monthly.unwrap_or(0)),
                        f.identifier.clone(),
                    )
                };
                score(a).cmp(&score(b))
            })
            .unwrap_or(&idx[0]);
        for &i in idx {
            if i != best {
                joins_repo[i] = false;
            }
        }
    }

    let mut uf = UnionFind((0..found.len()).collect());
    let mut first_with_key: HashMap<String, usize> = HashMap::new();
    for (i, f) in found.iter().enumerate() {
        let mut keys = vec![own[i].clone()];
        if joins_repo[i] {
            if let Some(k) = &repo_key[i] {
                keys.push(k.clone());
            }
        }
        keys.extend(f.links.iter().cloned());
        for k in keys {
            match first_with_key.get(&k) {
                Some(&j) => uf.union(i, j),
                None => {
                    first_with_key.insert(k, i);
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..found.len() {
        let r = uf.find(i);
        groups.entry(r).or_default().push(i);
    }

    let mut servers: Vec<Server> = Vec::with_capacity(groups.len());
    for members in groups.values() {
        let github_ids: BTreeSet<String> = members
            .iter()
            .filter(|&&i| found[i].source == Source::Github)
            .map(|&i| own[i].clone())
            .collect();
        let linked_repo_ids: BTreeSet<String> = members
            .iter()
            .filter(|&&i| joins_repo[i])
            .filter_map(|&i| repo_key[i].clone())
            .collect();
        let id = github_ids
            .iter()
            .next()
            .or_else(|| linked_repo_ids.iter().next())
            .cloned()
            .unwrap_or_else(|| {
                members
                    .iter()
                    .map(|&i| (source_rank(found[i].source), own[i].clone()))
                    .min()
                    .map(|(_, id)| id)
                    .unwrap_or_default()
            });
        let mut items: Vec<&Found> = members.iter().map(|&i| &found[i]).collect();
        items.sort_by(|a, b| {
            (source_rank(a.source), &a.identifier).cmp(&(source_rank(b.source), &b.identifier))
        });
        servers.push(build(&id, &items, now));
    }
    servers.sort_by(|a, b| a.id.cmp(&b.id));
    servers.dedup_by(|a, b| a.id == b.id);
    servers
}

fn nonempty(s: &Option<String>) -> Option<&String> {
    s.as_ref().filter(|t| !is_placeholder_summary(t))
}

/// Builds one record from the items of one group (sorted: Registry, npm, PyPI, GitHub).
fn build(id: &str, items: &[&Found], now: &str) -> Server {
    let by = |s: Source| items.iter().filter(move |f| f.source == s);
    let name = by(Source::Npm)
        .chain(by(Source::Pypi))
        .map(|f| f.name.clone())
        .next()
        .or_else(|| {
            by(Source::Github).next().map(|f| {
                f.repo
                    .as_ref()
                    .map(|r| r.name.clone())
                    .unwrap_or(f.name.clone())
            })
        })
        .or_else(|| items.first().map(|f| f.name.clone()))
        .unwrap_or_else(|| id.to_string());
    let title = items.iter().find_map(|f| f.title.clone());
    let description = items
        .iter()
        .find_map(|f| nonempty(&f.description).or(nonempty(&f.summary)).cloned());

    let mut sources: Vec<SourceEntry> = Vec::new();
    for f in items {
        // An item carried without being seen tonight keeps the night it was last seen.
        let seen = f.seen_at.as_deref().filter(|t| *t < now).unwrap_or(now);
        let mut e = SourceEntry::new(f.source, f.identifier.clone(), seen);
        e.version = f.version.clone();
        e.url = f.url.clone();
        e.downloads_monthly = f.downloads_monthly;
        e.download_rank = f.download_rank;
        e.stars = f.stars;
        e.summary = f.summary.clone();
        e.published_at = f.published_at.clone();
        e.updated_at = f.updated_at.clone();
        e.license = f.license.clone();
        e.homepage = f.homepage.clone();
        e.deprecated = f.deprecated;
        sources.push(e);
    }

    let linked: Option<&RepoRef> = items
        .iter()
        .filter_map(|f| f.repo.as_ref())
        .find(|r| r.id().as_deref() == Some(id))
        .or_else(|| items.iter().find_map(|f| f.repo.as_ref()));
    let repository = match items.iter().find_map(|f| f.repo_meta.clone()) {
        Some(mut meta) => {
            if meta.subfolder.is_none() {
                meta.subfolder = linked.and_then(|r| r.subfolder.clone());
            }
            Some(meta)
        }
        None => linked.map(RepoRef::to_repository),
    };

    let mut install = Install::default();
    for f in items {
        for p in &f.packages {
            if !install.packages.iter().any(|q: &Package| {
                q.registry_type == p.registry_type && q.identifier == p.identifier
            }) {
                install.packages.push(p.clone());
            }
        }
        for r in &f.remotes {
            if !install.remotes.contains(r) {
                install.remotes.push(r.clone());
            }
        }
    }

    let mut keywords: Vec<String> = Vec::new();
    for f in items {
        keywords.extend(f.keywords.iter().map(|k| k.to_lowercase()));
        if f.source != Source::McpRegistry {
            keywords.extend(name_keywords(&f.name));
        }
    }
    if let Some(r) = &repository {
        keywords.extend(r.topics.iter().cloned());
    }
    let readme = by(Source::Github)
        .chain(items.iter())
        .find_map(|f| f.readme.clone());

    let mut names: Vec<&str> = items.iter().map(|f| f.identifier.as_str()).collect();
    let mut texts: Vec<&str> = Vec::new();
    for f in items {
        if let Some(d) = &f.description {
            texts.push(d);
        }
        if let Some(s) = &f.summary {
            texts.push(s);
        }
    }
    if let Some(r) = &repository {
        if let Some(d) = &r.description {
            texts.push(d);
        }
    }
    let repo_path = repository
        .as_ref()
        .map(|r| format!("{}/{}", r.owner, r.name));
    if let Some(p) = &repo_path {
        if repository.as_ref().is_some_and(|r| r.subfolder.is_none()) {
            names.push(p);
        }
    }
    let signals: Vec<&str> = items
        .iter()
        .flat_map(|f| f.signals.iter().map(String::as_str))
        .collect();
    let kw: Vec<&str> = keywords.iter().map(String::as_str).collect();
    let Classification {
        kind,
        confidence,
        signals,
    } = classify::classify(&classify::Input {
        names,
        texts,
        keywords: kw,
        signals,
    });

    let mut s = Server {
        id: id.to_string(),
        name,
        title,
        description,
        kind,
        kind_confidence: confidence,
        kind_signals: signals,
        sources,
        repository,
        install,
        keywords,
        readme,
        first_seen: now.to_string(),
        last_seen: now.to_string(),
        last_changed: now.to_string(),
        ..Default::default()
    };
    if let Some(seen) = s.sources.iter().map(|e| e.last_seen.clone()).max() {
        s.last_seen = seen;
    }
    if let Some(first) = s.sources.iter().map(|e| e.first_seen.clone()).min() {
        s.first_seen = first;
    }
    s.normalize();
    s
}

/// The crawled part of a record, for "did it change": everything but timestamps and the
/// fields other stages own.
fn fingerprint(s: &Server) -> String {
    let mut c = s.clone();
    c.first_seen.clear();
    c.last_seen.clear();
    c.last_changed.clear();
    for e in &mut c.sources {
        e.first_seen.clear();
        e.last_seen.clear();
        e.stale = false;
    }
    c.probe = None;
    c.health.clear();
    c.categories.clear();
    c.score = None;
    c.safety = None;
    c.trust = None;
    c.platform_of = None;
    c.checklist = Default::default();
    c.similar.clear();
    c.duplicates = Default::default();
    serde_json::to_string(&c).unwrap_or_default()
}

/// Copies what other stages own (probe, health, enrichment) and the history (`first_seen`,
/// `last_changed`) from `prev` into `new`, both with the same id.
fn inherit(new: &mut Server, prev: &Server) {
    new.probe = prev.probe.clone();
    new.health = prev.health.clone();
    new.categories = prev.categories.clone();
    new.score = prev.score.clone();
    new.safety = prev.safety.clone();
    // The trust layer holds the tool fingerprints recorded on earlier nights.
    new.trust = prev.trust.clone();
    new.platform_of = prev.platform_of.clone();
    new.checklist = prev.checklist.clone();
    new.similar = prev.similar.clone();
    new.duplicates = prev.duplicates.clone();
    if !prev.first_seen.is_empty() && prev.first_seen < new.first_seen {
        new.first_seen = prev.first_seen.clone();
    }
    for e in &mut new.sources {
        if let Some(p) = prev
            .sources
            .iter()
            .find(|p| p.source == e.source && p.identifier == e.identifier)
        {
            if p.first_seen < e.first_seen {
                e.first_seen = p.first_seen.clone();
            }
        }
    }
}

/// Reconciles tonight's records with the previous dataset.
///
/// For every id kept, the previous record's probe, health, enrichment and `first_seen` survive.
/// Previous entries of sources that `Failed` (marked stale) or were `Skipped` (unchanged) are
/// kept, either added to tonight's record with the same id or as the whole previous record.
/// Entries of `Complete` sources that were not found again are dropped, and so are records
/// left without any entry.
pub fn carry_over(
    new: Vec<Server>,
    previous: Option<&Dataset>,
    outcomes: &BTreeMap<Source, Outcome>,
    now: &str,
) -> Vec<Server> {
    let outcome = |s: Source| outcomes.get(&s).copied().unwrap_or(Outcome::Skipped);
    let Some(prev) = previous else { return new };
    let prev_by_id: HashMap<&str, &Server> =
        prev.servers.iter().map(|s| (s.id.as_str(), s)).collect();
    // A record whose id moved (a package that gained a repository link) is still the same
    // server: find it by a source entry it shares.
    let mut prev_by_entry: HashMap<(Source, &str), &Server> = HashMap::new();
    for p in &prev.servers {
        for e in &p.sources {
            prev_by_entry
                .entry((e.source, e.identifier.as_str()))
                .or_insert(p);
        }
    }
    let mut used: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut out: BTreeMap<String, Server> = BTreeMap::new();
    for mut s in new {
        let same = prev_by_id.get(s.id.as_str()).copied().or_else(|| {
            s.sources
                .iter()
                .find_map(|e| {
                    prev_by_entry
                        .get(&(e.source, e.identifier.as_str()))
                        .copied()
                })
                .filter(|p| !prev_by_id.contains_key(s.id.as_str()) && !used.contains(&p.id))
        });
        if let Some(p) = same {
            used.insert(p.id.clone());
            for e in &p.sources {
                let keep = match outcome(e.source) {
                    Outcome::Complete => false,
                    Outcome::Failed | Outcome::Skipped => !s
                        .sources
                        .iter()
                        .any(|x| x.source == e.source && x.identifier == e.identifier),
                };
                if keep {
                    let mut e = e.clone();
                    e.stale = outcome(e.source) == Outcome::Failed;
                    s.sources.push(e);
                }
            }
            inherit(&mut s, p);
            s.last_changed = if fingerprint(&s) == fingerprint(p) && !p.last_changed.is_empty() {
                p.last_changed.clone()
            } else {
                now.to_string()
            };
        }
        s.normalize();
        out.insert(s.id.clone(), s);
    }
    for p in &prev.servers {
        if out.contains_key(&p.id) || used.contains(&p.id) {
            continue;
        }
        let kept: Vec<SourceEntry> = p
            .sources
            .iter()
            .filter(|e| outcome(e.source) != Outcome::Complete)
            .map(|e| {
                let mut e = e.clone();
                if outcome(e.source) == Outcome::Failed {
                    e.stale = true;
                }
                e
            })
            .collect();
        if kept.is_empty() {
            continue;
        }
        let mut s = p.clone();
        s.sources = kept;
        s.normalize();
        out.insert(s.id.clone(), s);
    }
    out.into_values()
        .map(|mut s| {
            if let Some(max) = s.sources.iter().map(|e| e.last_seen.clone()).max() {
                s.last_seen = max;
            }
            s
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize_repo;
    use dataset::Kind;

    const NOW: &str = "2026-11-22T00:00:00Z";

    fn npm(name: &str, repo: Option<(&str, Option<&str>)>) -> Found {
        let mut f = Found::new(Source::Npm, name, name);
        f.repo = repo.and_then(|(u, d)| normalize_repo(u, d));
        f
    }

    #[test]
    fn monorepo_servers_stay_apart_and_join_their_folders() {
        let url = "git+https://github.com/modelcontextprotocol/servers.git";
        let found = vec![
            npm(
                "@modelcontextprotocol/server-memory",
                Some((url, Some("src/memory"))),
            ),
            npm(
                "@modelcontextprotocol/server-filesystem",
                Some((url, Some("src/filesystem"))),
            ),
        ];
        let s = merge(found, NOW, None);
        let ids: Vec<&str> = s.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "github:modelcontextprotocol/servers/src/filesystem",
                "github:modelcontextprotocol/servers/src/memory"
            ]
        );
    }

    #[test]
    fn packages_sharing_a_repo_without_folders_do_not_collapse() {
        let url = "https://github.com/acme/tools";
        let mut a = npm("tools", Some((url, None)));
        a.downloads_monthly = Some(1);
        let b = npm("acme-other-mcp", Some((url, None)));
        let s = merge(vec![a, b], NOW, None);
        let ids: Vec<&str> = s.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["github:acme/tools", "npm:acme-other-mcp"]);
        assert_eq!(s[1].repository.as_ref().unwrap().name, "tools");
    }

    #[test]
    fn a_record_whose_id_moves_keeps_its_history() {
        let mut prev_ds = Dataset::new("2026-11-01T00:00:00Z");
        let mut old = merge(vec![npm("x-mcp", None)], "2026-11-01T00:00:00Z", None);
        old[0].similar = vec!["npm:other".into()];
        prev_ds.servers.append(&mut old);
        let new = merge(
            vec![npm("x-mcp", Some(("https://github.com/acme/x-mcp", None)))],
            NOW,
            Some(&prev_ds),
        );
        let outcomes: BTreeMap<Source, Outcome> = [(Source::Npm, Outcome::Complete)].into();
        let out = carry_over(new, Some(&prev_ds), &outcomes, NOW);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].id, "github:acme/x-mcp");
        assert_eq!(out[0].first_seen, "2026-11-01T00:00:00Z");
        assert_eq!(out[0].similar, ["npm:other"]);
        assert_eq!(out[0].last_changed, NOW);
    }

    #[test]
    fn carry_over_keeps_probe_and_first_seen_and_stale_entries() {
        let mut prev_ds = Dataset::new("2026-11-01T00:00:00Z");
        let mut old = merge(vec![npm("x-mcp", None)], "2026-11-01T00:00:00Z", None);
        old[0].similar = vec!["npm:other".into()];
        let mut gone = merge(
            vec![Found::new(Source::Pypi, "gone-mcp", "gone-mcp")],
            "2026-11-01T00:00:00Z",
            None,
        );
        prev_ds.servers.append(&mut old);
        prev_ds.servers.append(&mut gone);
        let new = merge(vec![npm("x-mcp", None)], NOW, Some(&prev_ds));
        let mut outcomes = BTreeMap::new();
        outcomes.insert(Source::Npm, Outcome::Complete);
        outcomes.insert(Source::Pypi, Outcome::Failed);
        let out = carry_over(new, Some(&prev_ds), &outcomes, NOW);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].id, "npm:x-mcp");
        assert_eq!(out[0].similar, ["npm:other"]);
        assert_eq!(out[0].first_seen, "2026-11-01T00:00:00Z");
        assert_eq!(out[0].last_changed, "2026-11-01T00:00:00Z");
        assert_eq!(out[0].kind, Kind::Server);
        assert_eq!(out[1].id, "pypi:gone-mcp");
        assert!(out[1].sources[0].stale);
        assert_eq!(out[1].last_seen, "2026-11-01T00:00:00Z");
        outcomes.insert(Source::Pypi, Outcome::Complete);
        let new = merge(vec![npm("x-mcp", None)], NOW, Some(&prev_ds));
        assert_eq!(carry_over(new, Some(&prev_ds), &outcomes, NOW).len(), 1);
    }
}
