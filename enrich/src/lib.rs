//! Enrichment: what `hisper enrich` computes from the dataset alone, deterministically, and why.
//!
//! For every server it fills `categories` (a primary and at most one secondary of the [`taxonomy`], with score and
//! evidence, see [`classify`]), `score` (0–100 with its components and penalties, see [`score`]),
//! `safety` (a risk level per tool and a summary, see [`safety`]), `checklist` (quality lints, see
//! [`checklist`]), `similar` (up to five ids, see [`similar`]) and `duplicates` (copies, forks, see
//! [`duplicates`]), and it renders `categories.json` for the site and the search index.
//!
//! It reads nothing but the dataset (the reference date is the dataset's `generated_at`, never the
//! clock), never touches the network, and never reads the fields it writes, so running it twice
//! gives byte-identical files. It does not load or save files: the CLI does.

pub mod checklist;
pub mod classify;
pub mod duplicates;
pub mod findings;
pub mod kind;
pub mod safety;
pub mod score;
pub mod similar;
pub mod taxonomy;
pub mod text;
pub mod trust;

use std::collections::BTreeMap;

use dataset::files::{CategoriesFile, CategoryEntry};
use dataset::{Dataset, Penalty};
use indicatif::ProgressBar;
use rayon::prelude::*;
use serde::Serialize;

/// The tools of this many most downloaded servers are the names a look-alike tool would imitate.
pub const POPULAR_TOOL_SERVERS: usize = 100;

/// What one run did, for the log line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub servers: usize,
    /// Servers with a category other than `other`.
    pub categorized: usize,
    /// Servers with a safety summary (their tools were recorded).
    pub with_safety: usize,
    /// Tools whose declaration disagrees with their name or description.
    pub conflicts: usize,
    /// Servers linked as copies of another.
    pub copies: usize,
    pub typosquats: usize,
    pub stuffed: usize,
    /// Servers with at least one similar server.
    pub with_similar: usize,
    /// Security findings by severity (`info`, `warning`, `danger`).
    pub findings: BTreeMap<String, usize>,
    /// Tools whose definition changed under the same version.
    pub rug_pulls: usize,
}

/// Enriches every server of `ds` in place. `pb` advances once per server per pass (three passes).
pub fn enrich(ds: &mut Dataset, pb: &ProgressBar) -> Report {
    ds.normalize();
    kind::review(&mut ds.servers);
    pb.set_length(3 * ds.servers.len() as u64);
    pb.set_message("classify, safety, checklist");
    let per: Vec<_> = ds
        .servers
        .par_iter()
        .map(|s| {
            let c = classify::classify(s);
            let safety = safety::summarize(s);
            let checks = checklist::checklist(s);
            pb.inc(1);
            (c, safety, checks)
        })
        .collect();
    let mut stuffed = vec![false; ds.servers.len()];
    for (i, (c, safety, checks)) in per.into_iter().enumerate() {
        let s = &mut ds.servers[i];
        s.categories = c.categories;
        stuffed[i] = c.stuffed;
        s.safety = safety;
        s.checklist = checks;
    }

    pb.set_message("duplicates, score");
    let links = duplicates::find(&ds.servers);
    let ctx = score::Context::new(&ds.servers, &ds.generated_at);
    let scores: Vec<_> = ds
        .servers
        .par_iter()
        .enumerate()
        .map(|(i, s)| {
            let mut extra: Vec<Penalty> = links.penalties.get(&s.id).cloned().unwrap_or_default();
            if stuffed[i] {
                extra.push(Penalty {
                    code: "keyword-stuffing".into(),
                    points: score::penalty_points("keyword-stuffing"),
                    reason: "its text names many unrelated categories at once".into(),
                });
            }
            pb.inc(1);
            score::score(s, &ctx, extra)
        })
        .collect();
    for (s, sc) in ds.servers.iter_mut().zip(scores) {
        s.duplicates = links.duplicates.get(&s.id).cloned().unwrap_or_default();
        s.score = Some(sc);
    }

    pb.set_message("trust");
    let catalogue = findings::Catalogue::new(&ds.servers, POPULAR_TOOL_SERVERS);
    let today = ds
        .generated_at
        .get(..10)
        .unwrap_or(&ds.generated_at)
        .to_string();
    let trusts: Vec<_> = ds
        .servers
        .par_iter()
        .map(|s| {
            let squat = links
                .penalties
                .get(&s.id)
                .and_then(|v| v.iter().find(|p| p.code == "typosquat"))
                .map(|p| p.reason.as_str());
            trust::assess(s, &catalogue, squat, s.trust.as_ref(), &today)
        })
        .collect();
    for (s, t) in ds.servers.iter_mut().zip(trusts) {
        s.trust = t;
    }

    pb.set_message("similar");
    let index: BTreeMap<&str, usize> = ds
        .servers
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    // Group of each server: the original's index, for duplicates.
    let group: Vec<Option<usize>> = ds
        .servers
        .iter()
        .enumerate()
        .map(|(i, s)| match &s.duplicates.of {
            Some(of) => index.get(of.as_str()).copied(),
            None if !s.duplicates.copies.is_empty() => Some(i),
            None => None,
        })
        .collect();
    let excluded = |i: usize, j: usize| group[i].is_some() && group[i] == group[j];
    let sim = similar::similar(&ds.servers, &excluded);
    pb.inc(ds.servers.len() as u64);
    for (s, v) in ds.servers.iter_mut().zip(sim) {
        s.similar = v;
    }

    let mut r = Report {
        servers: ds.servers.len(),
        stuffed: stuffed.iter().filter(|x| **x).count(),
        ..Default::default()
    };
    for s in &ds.servers {
        r.categorized += usize::from(s.categories.iter().any(|c| c.id != taxonomy::OTHER));
        if let Some(sf) = &s.safety {
            r.with_safety += 1;
            r.conflicts += sf.tools.values().filter(|t| t.conflict.is_some()).count();
        }
        if let Some(t) = &s.trust {
            for (_, f) in t.all_findings() {
                *r.findings
                    .entry(f.severity.as_str().to_string())
                    .or_default() += 1;
                r.rug_pulls += usize::from(f.rule == findings::RUG_PULL);
            }
        }
        r.copies += usize::from(s.duplicates.of.is_some());
        r.with_similar += usize::from(!s.similar.is_empty());
        r.typosquats += usize::from(
            s.score
                .as_ref()
                .is_some_and(|sc| sc.penalties.iter().any(|p| p.code == "typosquat")),
        );
    }
    pb.finish_and_clear();
    r
}

/// `categories.json` ([`dataset::files::CategoriesFile`]): every category of the taxonomy, sorted
/// by id, with how many servers carry it.
pub fn categories_file(ds: &Dataset) -> CategoriesFile {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &ds.servers {
        for c in &s.categories {
            *counts.entry(c.id.as_str()).or_default() += 1;
        }
    }
    CategoriesFile {
        categories: taxonomy::CATEGORIES
            .iter()
            .map(|c| CategoryEntry {
                id: c.id.into(),
                label: c.label.into(),
                description: c.description.into(),
                count: counts.get(c.id).copied().unwrap_or(0),
            })
            .collect(),
    }
}

/// [`categories_file`] as bytes: pretty-printed JSON ending in a newline, byte-stable.
pub fn categories_json(ds: &Dataset) -> Vec<u8> {
    dataset::files::to_bytes(&categories_file(ds))
}
