//! The ranking score (0–100), lib.rs-style: five weighted components and named penalties, every
//! number stored so the server page can explain it and a reader can recompute the total.
//!
//! Components (maximum points): popularity 30 (monthly downloads log-scaled against the busiest
//! package of the same source, stars log-scaled, PyPI download rank), health 20 (last probe outcome
//! and uptime), maintenance 20 (age of the newest release or push, relative to the dataset's
//! `generated_at`, never the wall clock), documentation 15 (description, README, tool and parameter
//! descriptions), trust 15 (listed in the MCP Registry, license, repository). Penalties: deprecated,
//! archived, fork (adds nothing), typosquat, duplicate, keyword-stuffing. It does not look at the
//! network or at anything outside the dataset.

use std::collections::BTreeMap;

use dataset::{Outcome, Penalty, Score, Server, Source};
use serde_json::Value;

use crate::text::round2;

pub const POPULARITY: f64 = 30.0;
pub const HEALTH: f64 = 20.0;
pub const MAINTENANCE: f64 = 20.0;
pub const DOCUMENTATION: f64 = 15.0;
pub const TRUST: f64 = 15.0;

/// Points per penalty code.
pub fn penalty_points(code: &str) -> f64 {
    match code {
        "deprecated" => 40.0,
        "typosquat" => 40.0,
        "archived" => 25.0,
        "fork" => 20.0,
        "duplicate" => 15.0,
        "keyword-stuffing" => 25.0,
        _ => 10.0,
    }
}

/// What the score needs from the rest of the dataset.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Day number of the dataset's `generated_at` ("today" for maintenance).
    pub today: Option<i64>,
    /// Per source: log10(1 + the largest monthly downloads), the popularity scale.
    pub download_scale: BTreeMap<Source, f64>,
    /// log10(1 + the largest star count).
    pub star_scale: f64,
}

impl Context {
    /// Scales from the dataset.
    pub fn new(servers: &[Server], generated_at: &str) -> Self {
        let mut download_scale: BTreeMap<Source, f64> = BTreeMap::new();
        let mut star_scale: f64 = 3.0;
        for s in servers {
            for e in &s.sources {
                if let Some(d) = e.downloads_monthly {
                    let v = (1.0 + d as f64).log10();
                    let slot = download_scale.entry(e.source).or_insert(3.0);
                    *slot = slot.max(v);
                }
            }
            if let Some(st) = s.stars() {
                star_scale = star_scale.max((1.0 + st as f64).log10());
            }
        }
        Context {
            today: dataset::time::day_number(generated_at),
            download_scale,
            star_scale,
        }
    }
}

/// Popularity in 0–1.
pub fn popularity(s: &Server, ctx: &Context) -> f64 {
    let mut best: f64 = 0.0;
    for e in &s.sources {
        if let Some(d) = e.downloads_monthly {
            let scale = ctx.download_scale.get(&e.source).copied().unwrap_or(6.0);
            best = best.max((1.0 + d as f64).log10() / scale);
        }
        if let Some(rank) = e.download_rank {
            // Rank 1 is the best; rank 15,000 is barely on the list.
            let r = 1.0 - (rank.max(1) as f64).log10() / 15_000f64.log10();
            best = best.max(0.35 + 0.65 * r.clamp(0.0, 1.0));
        }
    }
    if let Some(st) = s.stars() {
        best = best.max((1.0 + st as f64).log10() / ctx.star_scale);
    }
    best.clamp(0.0, 1.0)
}

/// Health in 0–1: the last outcome, blended with uptime when there is history.
pub fn health(s: &Server) -> f64 {
    let last = match s.probe.as_ref().map(|p| p.outcome) {
        Some(Outcome::Ok) => 1.0,
        Some(Outcome::NeedsConfig) => 0.8,
        Some(Outcome::NoStdio) => 0.5,
        Some(Outcome::SandboxError) | None => 0.4,
        Some(Outcome::Timeout) => 0.2,
        Some(
            Outcome::Crashed | Outcome::ProtocolError | Outcome::InstallFailed | Outcome::NotMcp,
        ) => 0.1,
    };
    match dataset::uptime_percent(&s.health) {
        Some(up) => 0.5 * last + 0.5 * up / 100.0,
        None => last,
    }
}

/// Days since the newest release or push, if any is known.
pub fn age_days(s: &Server, ctx: &Context) -> Option<i64> {
    let today = ctx.today?;
    let mut newest: Option<i64> = None;
    let dates = s
        .sources
        .iter()
        .flat_map(|e| [e.updated_at.as_deref(), e.published_at.as_deref()])
        .chain([s.repository.as_ref().and_then(|r| r.pushed_at.as_deref())])
        .flatten();
    for d in dates {
        if let Some(n) = dataset::time::day_number(d) {
            newest = Some(newest.map_or(n, |m: i64| m.max(n)));
        }
    }
    newest.map(|n| (today - n).max(0))
}

/// Maintenance in 0–1.
pub fn maintenance(s: &Server, ctx: &Context) -> f64 {
    if s.repository.as_ref().is_some_and(|r| r.archived) {
        return 0.0;
    }
    match age_days(s, ctx) {
        None => 0.3,
        Some(d) if d <= 30 => 1.0,
        Some(d) if d <= 90 => 0.85,
        Some(d) if d <= 180 => 0.7,
        Some(d) if d <= 365 => 0.5,
        Some(d) if d <= 730 => 0.25,
        Some(_) => 0.1,
    }
}

/// Share of tools with a non-empty description, and of parameters with one, or `None` without tools.
pub fn tool_doc_shares(s: &Server) -> Option<(f64, f64)> {
    let tools = &s.probe.as_ref()?.tools;
    if tools.is_empty() {
        return None;
    }
    let described = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .is_some_and(|d| !d.trim().is_empty())
    };
    let with_desc = tools
        .iter()
        .filter(|t| described(t.get("description")))
        .count();
    let (mut params, mut params_desc) = (0usize, 0usize);
    for t in tools {
        if let Some(props) = t
            .get("inputSchema")
            .and_then(|x| x.get("properties"))
            .and_then(Value::as_object)
        {
            for p in props.values() {
                params += 1;
                params_desc += usize::from(described(p.get("description")));
            }
        }
    }
    let tool_share = with_desc as f64 / tools.len() as f64;
    let param_share = if params == 0 {
        1.0
    } else {
        params_desc as f64 / params as f64
    };
    Some((tool_share, param_share))
}

/// Documentation in 0–1.
pub fn documentation(s: &Server) -> f64 {
    let desc = s
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty() && !crate::checklist::is_placeholder(d));
    let d = match desc {
        Some(d) if d.len() >= 20 => 0.3,
        Some(_) => 0.15,
        None => 0.0,
    };
    let r = match s.readme.as_deref().map(str::len) {
        Some(n) if n >= 1500 => 0.3,
        Some(n) if n >= 300 => 0.2,
        Some(n) if n > 0 => 0.1,
        _ => 0.0,
    };
    let t = match tool_doc_shares(s) {
        Some((tools, params)) => 0.25 * tools + 0.15 * params,
        // Unknown tools: half credit, so unprobed servers are not buried.
        None => 0.2,
    };
    d + r + t
}

/// Trust in 0–1.
pub fn trust(s: &Server) -> f64 {
    let mut t = 0.0;
    if s.has_source(Source::McpRegistry) {
        t += 0.35;
    }
    if s.license().is_some() {
        t += 0.3;
    }
    if s.repository.is_some() {
        t += 0.35;
    }
    t
}

/// Computes the score, given the penalties found elsewhere (typosquat, duplicate, stuffing).
pub fn score(s: &Server, ctx: &Context, extra: Vec<Penalty>) -> Score {
    let mut components = BTreeMap::new();
    components.insert(
        "popularity".to_string(),
        round2(POPULARITY * popularity(s, ctx)),
    );
    components.insert("health".to_string(), round2(HEALTH * health(s)));
    components.insert(
        "maintenance".to_string(),
        round2(MAINTENANCE * maintenance(s, ctx)),
    );
    components.insert(
        "documentation".to_string(),
        round2(DOCUMENTATION * documentation(s)),
    );
    components.insert("trust".to_string(), round2(TRUST * trust(s)));
    let mut penalties = Vec::new();
    if s.sources.iter().any(|e| e.deprecated) {
        penalties.push(Penalty {
            code: "deprecated".into(),
            points: penalty_points("deprecated"),
            reason: "deprecated by its publisher".into(),
        });
    }
    if s.repository.as_ref().is_some_and(|r| r.archived) {
        penalties.push(Penalty {
            code: "archived".into(),
            points: penalty_points("archived"),
            reason: "the repository is archived".into(),
        });
    }
    penalties.extend(extra);
    penalties.sort_by(|a, b| a.code.cmp(&b.code).then(a.reason.cmp(&b.reason)));
    penalties.dedup_by(|a, b| a.code == b.code);
    let total = recompute(&components, &penalties);
    Score {
        total,
        components,
        penalties,
    }
}

/// The total from stored components and penalties: sum minus penalties, clamped to 0–100,
/// rounded to two decimals. Anyone holding a [`Score`] can check it with this.
pub fn recompute(components: &BTreeMap<String, f64>, penalties: &[Penalty]) -> f64 {
    let sum: f64 = components.values().sum();
    let minus: f64 = penalties.iter().map(|p| p.points).sum();
    round2((sum - minus).clamp(0.0, 100.0))
}

#[cfg(test)]
mod tests {

    #[test]
    fn weights_are_the_ones_the_site_explains() {
        let ours = [
            ("popularity", POPULARITY),
            ("health", HEALTH),
            ("maintenance", MAINTENANCE),
            ("documentation", DOCUMENTATION),
            ("trust", TRUST),
        ];
        let shared: Vec<(&str, f64)> = dataset::SCORE_COMPONENTS
            .iter()
            .map(|(n, max, _)| (*n, *max))
            .collect();
        assert_eq!(shared, ours);
        assert_eq!(shared.iter().map(|x| x.1).sum::<f64>(), 100.0);
    }

    use super::*;
    use dataset::{ProbeRecord, Repository, SourceEntry};

    fn base() -> Server {
        let mut e = SourceEntry::new(Source::Npm, "x", "2026-11-01T00:00:00Z");
        e.downloads_monthly = Some(1000);
        e.updated_at = Some("2026-11-10T00:00:00Z".into());
        Server {
            id: "npm:x".into(),
            name: "x".into(),
            description: Some("A server that does one useful thing well".into()),
            sources: vec![e],
            ..Default::default()
        }
    }

    #[test]
    fn components_sum_to_total_and_stay_in_range() {
        let s = base();
        let ctx = Context::new(std::slice::from_ref(&s), "2026-11-22T00:00:00Z");
        let sc = score(&s, &ctx, vec![]);
        assert_eq!(sc.total, recompute(&sc.components, &sc.penalties));
        assert!(sc.total > 0.0 && sc.total <= 100.0);
        assert_eq!(sc.components["maintenance"], MAINTENANCE);
    }

    #[test]
    fn better_signals_score_higher_and_penalties_bite() {
        let a = base();
        let mut b = base();
        b.sources[0].downloads_monthly = Some(100_000);
        b.repository = Some(Repository {
            url: "https://github.com/o/x".into(),
            forge: "github".into(),
            owner: "o".into(),
            name: "x".into(),
            license: Some("MIT".into()),
            ..Default::default()
        });
        b.probe = Some(ProbeRecord::bare(Outcome::Ok, "2026-11-22T00:00:00Z"));
        let ctx = Context::new(&[a.clone(), b.clone()], "2026-11-22T00:00:00Z");
        let (sa, sb) = (score(&a, &ctx, vec![]), score(&b, &ctx, vec![]));
        assert!(sb.total > sa.total + 10.0, "{} vs {}", sb.total, sa.total);
        let mut c = b.clone();
        c.sources[0].deprecated = true;
        c.repository.as_mut().unwrap().archived = true;
        let sc = score(&c, &ctx, vec![]);
        assert_eq!(sc.penalties.len(), 2);
        assert!(sc.total + 60.0 < sb.total, "{} vs {}", sc.total, sb.total);
    }

    #[test]
    fn maintenance_uses_the_dataset_date_not_the_clock() {
        let s = base();
        let old = Context::new(std::slice::from_ref(&s), "2030-01-01T00:00:00Z");
        assert_eq!(maintenance(&s, &old), 0.1);
        let unknown = Context::new(std::slice::from_ref(&s), "not a date");
        assert_eq!(maintenance(&s, &unknown), 0.3);
    }
}
