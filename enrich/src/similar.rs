//! Similar servers: for each server, up to five others with overlapping tools, description terms,
//! keywords and categories.
//!
//! Each record becomes a sparse vector of features (tool names, and the non-stopword terms of its
//! descriptions and keywords), weighted by inverse document frequency; similarity is the cosine of
//! two vectors plus a small bonus per shared category. Candidates come from an inverted index whose
//! posting lists keep at most [`DF_CAP`] records per feature, the most popular ones (downloads, then
//! stars): a common feature still finds candidates, among the servers worth recommending, and the
//! cost per server stays bounded (100,000 records in seconds). A server for which no candidate
//! reaches [`MIN_COSINE`] but which reported tools gets, instead, the servers that share the most
//! tool names with it (see [`FALLBACK_CAP`]); the site shows this list as it is. Records linked as
//! duplicates of each other are not listed as similar. It does not use tantivy or the network.

use std::collections::{BTreeMap, HashMap};

use dataset::Server;
use rayon::prelude::*;
use serde_json::Value;

use crate::text;

/// Most similar servers kept per server.
pub const MAX_SIMILAR: usize = 5;
/// Posting lists keep this many records per feature, the most popular first.
pub const DF_CAP: usize = 200;
/// Lowest cosine that counts as similar.
const MIN_COSINE: f32 = 0.15;
/// For the shared-tool-names fallback, each tool name keeps this many servers, the most popular.
pub const FALLBACK_CAP: usize = 64;
/// Added per shared category (not `other`).
const CATEGORY_BONUS: f32 = 0.05;

fn features(s: &Server) -> Vec<(String, f32)> {
    let mut f: BTreeMap<String, f32> = BTreeMap::new();
    if let Some(p) = &s.probe {
        for t in p.tools.iter().take(200) {
            if let Some(n) = t.get("name").and_then(Value::as_str) {
                let key = format!("t:{}", text::tokens(n).join("_"));
                f.insert(key, 1.5);
            }
        }
    }
    let mut texts: Vec<&str> = Vec::new();
    texts.extend(s.description.as_deref());
    texts.extend(s.sources.iter().filter_map(|e| e.summary.as_deref()));
    texts.extend(s.keywords.iter().take(40).map(String::as_str));
    // The publisher's npm scope says who made it, not what it does, unless the description
    // names it too (`@playwright/mcp`, "Playwright Tools for MCP").
    let described: Vec<String> = s
        .description
        .as_deref()
        .map(text::words)
        .unwrap_or_default();
    let scope: Vec<String> = s
        .name
        .strip_prefix('@')
        .and_then(|r| r.split_once('/'))
        .map(|(scope, _)| text::words(scope))
        .unwrap_or_default()
        .into_iter()
        .filter(|w| !described.contains(w))
        .collect();
    for t in texts {
        for w in text::words(t) {
            if w.len() >= 3
                && !text::is_stopword(&w)
                && !scope.contains(&w)
                && !w.bytes().all(|b| b.is_ascii_digit())
            {
                f.entry(format!("w:{w}")).or_insert(1.0);
            }
        }
    }
    f.into_iter().collect()
}

/// Up to [`MAX_SIMILAR`] similar server ids for every server, in the order of `servers`.
/// `excluded(i, j)` says that `j` must not be listed for `i` (for example, duplicates).
pub fn similar(
    servers: &[Server],
    excluded: &(dyn Fn(usize, usize) -> bool + Sync),
) -> Vec<Vec<String>> {
    let n = servers.len();
    let raw: Vec<Vec<(String, f32)>> = servers.par_iter().map(features).collect();
    let mut ids: BTreeMap<&str, u32> = BTreeMap::new();
    for fs in &raw {
        for (k, _) in fs {
            let next = ids.len() as u32;
            ids.entry(k.as_str()).or_insert(next);
        }
    }
    let mut df = vec![0usize; ids.len()];
    let vecs: Vec<Vec<(u32, f32)>> = raw
        .iter()
        .map(|fs| {
            let mut v: Vec<(u32, f32)> = fs.iter().map(|(k, w)| (ids[k.as_str()], *w)).collect();
            v.sort_by_key(|x| x.0);
            v
        })
        .collect();
    for v in &vecs {
        for (f, _) in v {
            df[*f as usize] += 1;
        }
    }
    let idf: Vec<f32> = df
        .iter()
        .map(|&d| ((n as f32 + 1.0) / (d as f32)).ln())
        .collect();
    let weighted: Vec<Vec<(u32, f32)>> = vecs
        .into_iter()
        .map(|v| {
            v.into_iter()
                .map(|(f, w)| (f, w * idf[f as usize]))
                .collect()
        })
        .collect();
    let norms: Vec<f32> = weighted
        .iter()
        .map(|v| v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt())
        .collect();
    // Popularity rank: more downloads, then more stars, then the smaller id.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        let (sa, sb) = (&servers[a], &servers[b]);
        sb.downloads_monthly()
            .cmp(&sa.downloads_monthly())
            .then(sb.stars().cmp(&sa.stars()))
            .then(sa.id.cmp(&sb.id))
    });
    let mut rank = vec![0usize; n];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r;
    }
    let mut postings: Vec<Vec<(u32, f32)>> = vec![Vec::new(); ids.len()];
    for &i in &order {
        for &(f, w) in &weighted[i] {
            let list = &mut postings[f as usize];
            if df[f as usize] > 1 && list.len() < DF_CAP {
                list.push((i as u32, w));
            }
        }
    }
    // Categories as bit sets over the taxonomy (`other` left out).
    let cats: Vec<u32> = servers
        .iter()
        .map(|s| {
            s.categories
                .iter()
                .filter(|c| c.id != crate::taxonomy::OTHER)
                .filter_map(|c| {
                    crate::taxonomy::CATEGORIES
                        .iter()
                        .position(|t| t.id == c.id)
                })
                .fold(0u32, |m, b| m | (1 << b))
        })
        .collect();

    let mut result: Vec<Vec<String>> = (0..n)
        .into_par_iter()
        .map_init(
            || (vec![0f32; n], Vec::<u32>::new()),
            |(acc, touched), i| {
                for &(f, w) in &weighted[i] {
                    for &(j, wj) in &postings[f as usize] {
                        if j as usize == i {
                            continue;
                        }
                        if acc[j as usize] == 0.0 {
                            touched.push(j);
                        }
                        acc[j as usize] += w * wj;
                    }
                }
                // (similarity, popularity rank): ties go to the more popular server.
                let mut scored: Vec<(f32, usize)> = Vec::new();
                for &j in touched.iter() {
                    let j = j as usize;
                    let dot = acc[j];
                    acc[j] = 0.0;
                    let denom = norms[i] * norms[j];
                    if denom <= 0.0 {
                        continue;
                    }
                    let cos = dot / denom;
                    if cos < MIN_COSINE || excluded(i, j) {
                        continue;
                    }
                    let shared = (cats[i] & cats[j]).count_ones();
                    scored.push((cos + CATEGORY_BONUS * shared as f32, rank[j]));
                }
                touched.clear();
                let better =
                    |a: &(f32, usize), b: &(f32, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
                if scored.len() > MAX_SIMILAR {
                    scored.select_nth_unstable_by(MAX_SIMILAR - 1, better);
                    scored.truncate(MAX_SIMILAR);
                }
                scored.sort_by(better);
                scored
                    .into_iter()
                    .take(MAX_SIMILAR)
                    .map(|(_, r)| servers[order[r]].id.clone())
                    .collect()
            },
        )
        .collect();

    // Fallback: the servers sharing the most tool names, for those the cosine found nothing for.
    let mut by_tool: HashMap<&str, Vec<usize>> = HashMap::new();
    for &i in &order {
        if let Some(p) = &servers[i].probe {
            let mut names: Vec<&str> = p.tool_names().collect();
            names.sort_unstable();
            names.dedup();
            for name in names {
                let list = by_tool.entry(name).or_default();
                if list.len() < FALLBACK_CAP {
                    list.push(i);
                }
            }
        }
    }
    result
        .par_iter_mut()
        .enumerate()
        .filter(|(_, v)| v.is_empty())
        .for_each(|(i, v)| {
            let Some(p) = &servers[i].probe else { return };
            let mut shared: HashMap<usize, usize> = HashMap::new();
            let mut names: Vec<&str> = p.tool_names().collect();
            names.sort_unstable();
            names.dedup();
            for name in names {
                for &j in by_tool.get(name).into_iter().flatten() {
                    if j != i && !excluded(i, j) {
                        *shared.entry(j).or_default() += 1;
                    }
                }
            }
            // Most shared names first, then the more popular server.
            let mut best: Vec<(usize, usize)> = shared.into_iter().collect();
            best.sort_by(|a, b| b.1.cmp(&a.1).then(rank[a.0].cmp(&rank[b.0])));
            *v = best
                .into_iter()
                .take(MAX_SIMILAR)
                .map(|(j, _)| servers[j].id.clone())
                .collect();
        });
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use dataset::{Outcome, ProbeRecord};
    use serde_json::json;

    fn srv(id: &str, desc: &str, tools: &[&str]) -> Server {
        let mut p = ProbeRecord::bare(Outcome::Ok, "2026-11-22T00:00:00Z");
        p.tools = tools.iter().map(|t| json!({"name": t})).collect();
        Server {
            id: id.into(),
            name: id.into(),
            description: Some(desc.into()),
            probe: Some(p),
            ..Default::default()
        }
    }

    #[test]
    fn overlapping_tools_and_terms_are_similar() {
        let servers = vec![
            srv("a", "Query postgres tables", &["query", "list_tables"]),
            srv(
                "b",
                "Explore postgres schemas",
                &["query", "describe_table"],
            ),
            srv("c", "Weather forecasts by city", &["get_forecast"]),
            srv(
                "d",
                "Weather alerts and forecasts",
                &["get_alerts", "get_forecast"],
            ),
        ];
        let sim = similar(&servers, &|_, _| false);
        assert_eq!(sim[0], vec!["b"]);
        assert_eq!(sim[2], vec!["d"]);
        let sim = similar(&servers, &|i, j| (i, j) == (0, 1));
        assert!(sim[0].is_empty());
    }

    #[test]
    fn servers_below_the_cosine_floor_fall_back_to_shared_tool_names() {
        let long_a = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima";
        let long_b = "mike november oscar papa quebec romeo sierra tango uniform victor whiskey";
        let servers = vec![
            srv("a", long_a, &["run_query"]),
            srv("b", long_b, &["run_query", "other_tool"]),
            srv("c", "nothing shared here at all", &[]),
            srv("d", "yankee zulu", &["run_query"]),
        ];
        let sim = similar(&servers, &|_, _| false);
        // a and b share one tool among many distinct words: the cosine is below the floor, but
        // the tool name is shared.
        assert!(sim[0].contains(&"b".to_string()), "{sim:?}");
        assert!(sim[1].contains(&"a".to_string()), "{sim:?}");
        // No tools, nothing shared: nothing.
        assert!(sim[2].is_empty(), "{sim:?}");
        // Excluded pairs stay excluded in the fallback too.
        let sim = similar(&servers, &|i, j| i == 0 && j == 1);
        assert!(!sim[0].contains(&"b".to_string()), "{sim:?}");
    }

    #[test]
    fn common_features_still_find_the_most_popular_candidates() {
        let n = DF_CAP + 100;
        let servers: Vec<Server> = (0..n)
            .map(|i| {
                let mut s = srv(&format!("s{i:04}"), "postgres", &[]);
                let mut e =
                    dataset::SourceEntry::new(dataset::Source::Npm, &s.id, "2026-11-22T00:00:00Z");
                e.downloads_monthly = Some(i as u64);
                s.sources.push(e);
                s
            })
            .collect();
        let sim = similar(&servers, &|_, _| false);
        // Every server finds five, and they are the most downloaded ones.
        assert!(sim.iter().all(|v| v.len() == MAX_SIMILAR));
        assert_eq!(sim[0][0], format!("s{:04}", n - 1));
        let floor = format!("s{:04}", n - DF_CAP);
        assert!(sim[0].iter().all(|id| *id >= floor));
    }
}
