//! The relevance harness: query sets with expected servers, and mean reciprocal rank at 10 per
//! kind of query (`name`, `typo`, `partial`, `topic`, `task`, `product`) for any engine given as
//! a closure.
//!
//! The sample's query sets are `search/tests/relevance/queries.json` (name, typo, partial and
//! topic queries, written by `make_queries.py` there) and `tasks.json` (hand-written: everyday
//! task phrasings and product names); [`load_sample`] reads both. [`synthetic_queries`] derives a
//! set from a synthetic catalogue. This module only scores rankings; it does not build indexes.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

/// One query and the ids of the servers that answer it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Query {
    pub kind: String,
    pub q: String,
    pub expect: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct QueryFile {
    queries: Vec<Query>,
}

/// Reads a query set file.
pub fn load(path: &Path) -> anyhow::Result<Vec<Query>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let f: QueryFile =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    Ok(f.queries)
}

/// The sample's query sets under `dir` (`search/tests/relevance/`): `queries.json` and
/// `tasks.json`, with expectations moved to the documents that answer them ([`grouped`]).
pub fn load_sample(dir: &Path, ds: &dataset::Dataset) -> anyhow::Result<Vec<Query>> {
    let mut q = load(&dir.join("queries.json"))?;
    q.extend(load(&dir.join("tasks.json"))?);
    Ok(grouped(q, ds))
}

/// A platform-binary sub-package has no result of its own (its parent answers for it, see
/// `prepare::platform_groups`): each expected sub-package becomes its parent.
pub fn grouped(mut queries: Vec<Query>, ds: &dataset::Dataset) -> Vec<Query> {
    let groups = crate::prepare::platform_groups(ds);
    for q in &mut queries {
        for id in &mut q.expect {
            if let Some(p) = groups.get(id) {
                *id = p.clone();
            }
        }
        q.expect.sort();
        q.expect.dedup();
    }
    queries
}

/// Reciprocal rank of the first expected id within the first 10 of `ranked` (0 if none).
pub fn reciprocal_rank(ranked: &[String], expect: &[String]) -> f64 {
    ranked
        .iter()
        .take(10)
        .position(|id| expect.contains(id))
        .map(|i| 1.0 / (i as f64 + 1.0))
        .unwrap_or(0.0)
}

/// MRR@10 per kind (and `all`), with the number of queries.
pub fn mrr(
    queries: &[Query],
    mut engine: impl FnMut(&str) -> Vec<String>,
) -> BTreeMap<String, (f64, usize)> {
    let mut sums: BTreeMap<String, (f64, usize)> = BTreeMap::new();
    for q in queries {
        let rr = reciprocal_rank(&engine(&q.q), &q.expect);
        for k in [q.kind.as_str(), "all"] {
            let e = sums.entry(k.to_string()).or_insert((0.0, 0));
            e.0 += rr;
            e.1 += 1;
        }
    }
    sums.into_iter()
        .map(|(k, (s, n))| (k, (s / n.max(1) as f64, n)))
        .collect()
}

/// Overlap of two top-10 lists: |A ∩ B| / max(|A|, |B|) (1 when both are empty).
pub fn overlap(a: &[String], b: &[String]) -> f64 {
    let a: Vec<&String> = a.iter().take(10).collect();
    let b: Vec<&String> = b.iter().take(10).collect();
    let n = a.len().max(b.len());
    if n == 0 {
        return 1.0;
    }
    a.iter().filter(|x| b.contains(x)).count() as f64 / n as f64
}

/// A query set over a synthetic catalogue: `per_kind` queries of each kind, deterministic.
/// Names are unique in synthetic catalogues, unscoped names are not (`@acme/x` and `x`): a
/// misspelled name expects every server of that unscoped name, since the query cannot tell them
/// apart, and a started name every server whose unscoped name starts with it. Tasks expect every
/// server of the theme's subject.
pub fn synthetic_queries(ds: &dataset::Dataset, per_kind: usize) -> Vec<Query> {
    let n = ds.servers.len();
    let mut out = Vec::new();
    if n == 0 {
        return out;
    }
    let unscope = |name: &str| name.rsplit('/').next().unwrap_or(name).to_string();
    let mut by_unscoped: std::collections::HashMap<String, Vec<String>> =
        std::collections::HashMap::new();
    for s in &ds.servers {
        by_unscoped
            .entry(unscope(&s.name))
            .or_default()
            .push(s.id.clone());
    }
    let step = (n / per_kind.max(1)).max(1);
    for (k, s) in ds.servers.iter().step_by(step).take(per_kind).enumerate() {
        let expect = vec![s.id.clone()];
        out.push(Query {
            kind: "name".into(),
            q: s.name.clone(),
            expect: expect.clone(),
        });
        let unscoped = unscope(&s.name);
        // Typo in the longest word.
        let longest = unscoped
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| w.len() >= 5)
            .max_by_key(|w| w.len())
            .map(str::to_string);
        if let Some(w) = longest {
            let i = 1 + k % (w.len() - 2);
            let bad = if k % 2 == 0 {
                format!("{}{}", &w[..i], &w[i + 1..])
            } else {
                format!(
                    "{}{}{}{}",
                    &w[..i],
                    &w[i + 1..i + 2],
                    &w[i..i + 1],
                    &w[i + 2..]
                )
            };
            out.push(Query {
                kind: "typo".into(),
                q: unscoped.replacen(&w, &bad, 1),
                expect: by_unscoped.get(&unscoped).cloned().unwrap_or_default(),
            });
        }
        let cut = (unscoped.len() * 6 / 10).max(4).min(unscoped.len());
        let mut end = cut;
        while !unscoped.is_char_boundary(end) {
            end -= 1;
        }
        // A started name names every server whose (unscoped) name starts so: the query cannot
        // tell `mcp-sqlite` from `mcp-sqlite-bridge`, so either answers it.
        let typed = &unscoped[..end];
        let mut completions: Vec<String> = ds
            .servers
            .iter()
            .filter(|o| unscope(&o.name).starts_with(typed))
            .map(|o| o.id.clone())
            .collect();
        if completions.is_empty() {
            completions = expect;
        }
        out.push(Query {
            kind: "partial".into(),
            q: typed.to_string(),
            expect: completions,
        });
    }
    // Topics: a theme's subject word and a word of its description; every server of it answers.
    let tasks: &[(&str, &str)] = &[
        ("query postgres database", "postgres"),
        ("send slack message", "slack"),
        ("github pull requests", "github"),
        ("kubernetes pods", "kubernetes"),
        ("docker containers", "docker"),
        ("weather forecast", "weather"),
        ("stripe payments", "stripe"),
        ("notion pages", "notion"),
        ("jira issues", "jira"),
        ("gmail email", "gmail"),
        ("browser automation playwright", "browser"),
        ("sqlite files", "sqlite"),
        ("sentry issues", "sentry"),
        ("grafana dashboards", "grafana"),
        ("timezone conversion", "time"),
    ];
    for (q, subject) in tasks.iter().cycle().take(per_kind) {
        let expect: Vec<String> = ds
            .servers
            .iter()
            .filter(|s| {
                s.name
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .any(|w| w == *subject)
            })
            .map(|s| s.id.clone())
            .collect();
        if !expect.is_empty() {
            out.push(Query {
                kind: "topic".into(),
                q: q.to_string(),
                expect,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reciprocal_rank_and_overlap() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(reciprocal_rank(&s(&["a", "b", "c"]), &s(&["c"])), 1.0 / 3.0);
        assert_eq!(reciprocal_rank(&s(&["a"]), &s(&["z"])), 0.0);
        assert_eq!(overlap(&s(&["a", "b"]), &s(&["b", "c"])), 0.5);
        assert_eq!(overlap(&[], &[]), 1.0);
    }
}
