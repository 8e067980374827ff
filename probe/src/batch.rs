//! `hisper probe` over a dataset: which servers can be launched, deterministic shards, the
//! concurrent install-then-probe loop, the remote endpoints of the same servers (per-host
//! concurrency 1 under a global limit), shard files, merging them, and the health history (a
//! night's entry is the best of the stdio probe and the remotes).
//!
//! The CLI loads and saves files; this module works on [`Dataset`] values and shard-file values.
//! A server that was in scope tonight but has no record (a failed shard job) gets a health gap
//! (`outcome: None`) for the night, never a lost history.

use std::collections::{BTreeMap, BTreeSet};

use dataset::{Dataset, HealthEntry, Outcome, Package, ProbeRecord, Server, Source, Transport};
use futures::StreamExt;
use serde::{Deserialize, Serialize};

use crate::install::{self, InstallError, InstallOptions};
use crate::remote::{self, RemoteOptions, RemoteTarget};
use crate::session::{self, now_rfc3339, Options};

/// What can be done with a server.
#[derive(Debug, Clone, PartialEq)]
pub enum Launch {
    /// An npm or PyPI stdio package at a known version.
    Package(Box<Package>, String),
    /// Known ways to run it, none launchable by the prober (remote-only, oci, …).
    NoStdio(String),
}

/// How a server would be launched, or `None` when the dataset knows nothing launchable or not.
pub fn launch_of(s: &Server) -> Option<Launch> {
    let version_of = |p: &Package| {
        p.version.clone().or_else(|| {
            let src = match p.registry_type.as_str() {
                "npm" => Source::Npm,
                "pypi" => Source::Pypi,
                _ => return None,
            };
            s.sources
                .iter()
                .find(|e| e.source == src && e.identifier.eq_ignore_ascii_case(&p.identifier))
                .and_then(|e| e.version.clone())
        })
    };
    for p in s.install.stdio_packages() {
        if matches!(p.registry_type.as_str(), "npm" | "pypi") {
            if let Some(v) = version_of(p).filter(|v| !v.is_empty() && v != "latest") {
                return Some(Launch::Package(Box::new(p.clone()), v));
            }
        }
    }
    // a package source without a declaration: launch it as npx / uvx would
    if s.install.packages.is_empty() {
        for e in &s.sources {
            let kind = match e.source {
                Source::Npm => "npm",
                Source::Pypi => "pypi",
                _ => continue,
            };
            if let Some(v) = e.version.clone().filter(|v| !v.is_empty()) {
                let p = Package {
                    registry_type: kind.into(),
                    identifier: e.identifier.clone(),
                    version: Some(v.clone()),
                    transport: Transport::stdio(),
                    ..Default::default()
                };
                return Some(Launch::Package(Box::new(p), v));
            }
        }
    }
    if !s.install.is_empty() {
        let why = if s.install.packages.is_empty() {
            "remote only: no package to launch over stdio".to_string()
        } else {
            let kinds: BTreeSet<String> = s
                .install
                .packages
                .iter()
                .map(|p| format!("{} ({})", p.registry_type, p.transport.kind))
                .collect();
            format!(
                "no npm or PyPI stdio package among: {}",
                kinds.into_iter().collect::<Vec<_>>().join(", ")
            )
        };
        return Some(Launch::NoStdio(why));
    }
    None
}

/// FNV-1a 64 of the id: stable across runs and platforms.
pub fn shard_hash(id: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in id.as_bytes() {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// Whether `id` belongs to shard `i` of `n` (1-based).
pub fn in_shard(id: &str, i: u32, n: u32) -> bool {
    n <= 1 || shard_hash(id) % n as u64 == (i as u64 - 1) % n as u64
}

/// Parses `I/N` (1 ≤ I ≤ N).
pub fn parse_shard(s: &str) -> Result<(u32, u32), String> {
    let (a, b) = s
        .split_once('/')
        .ok_or_else(|| format!("shard {s:?} is not I/N"))?;
    let i: u32 = a
        .trim()
        .parse()
        .map_err(|_| format!("shard {s:?}: I is not a number"))?;
    let n: u32 = b
        .trim()
        .parse()
        .map_err(|_| format!("shard {s:?}: N is not a number"))?;
    if n == 0 || i == 0 || i > n {
        return Err(format!("shard {s:?}: need 1 <= I <= N"));
    }
    Ok((i, n))
}

/// Which servers a run covers.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub shard: Option<(u32, u32)>,
    pub only: Vec<String>,
    /// The N most downloaded launchable servers.
    pub top: Option<usize>,
}

/// Ids in scope, in dataset order (after `top`, by monthly downloads, then stars, then id).
pub fn select(d: &Dataset, sel: &Selection) -> Vec<String> {
    let mut ids: Vec<&Server> = d
        .servers
        .iter()
        .filter(|s| s.kind == dataset::Kind::Server)
        .filter(|s| launch_of(s).is_some())
        .filter(|s| sel.only.is_empty() || sel.only.iter().any(|o| o == &s.id))
        .filter(|s| sel.shard.is_none_or(|(i, n)| in_shard(&s.id, i, n)))
        .collect();
    if let Some(top) = sel.top {
        ids.retain(|s| matches!(launch_of(s), Some(Launch::Package(..))));
        ids.sort_by(|a, b| {
            b.downloads_monthly()
                .cmp(&a.downloads_monthly())
                .then(b.stars().cmp(&a.stars()))
                .then(a.id.cmp(&b.id))
        });
        ids.truncate(top);
        ids.sort_by(|a, b| a.id.cmp(&b.id));
    }
    ids.into_iter().map(|s| s.id.clone()).collect()
}

/// Batch settings.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    pub probe: Options,
    pub install: InstallOptions,
    pub concurrency: usize,
    /// Skip servers probed within this many days at the same version (health still records the night).
    pub since_days: Option<u32>,
}

/// What a batch produced: one record per id that was probed or carried (skipped as recent).
#[derive(Debug, Default)]
pub struct BatchResult {
    pub records: BTreeMap<String, ProbeRecord>,
    pub skipped_recent: usize,
}

fn recent(prev: &ProbeRecord, version: &str, today: &str, days: u32) -> bool {
    let (Some(p), Some(t)) = (
        dataset::time::day_number(&prev.probed_at),
        dataset::time::day_number(today),
    ) else {
        return false;
    };
    prev.version.as_deref() == Some(version)
        && t - p <= days as i64
        && prev.outcome != Outcome::InstallFailed
}

/// Installs and probes `ids` of `d`, `concurrency` at a time.
pub async fn run(
    d: &Dataset,
    ids: &[String],
    opts: &BatchOptions,
    pb: &indicatif::ProgressBar,
) -> BatchResult {
    let today = now_rfc3339()[..10].to_string();
    let mut out = BatchResult::default();
    let mut jobs = Vec::new();
    for id in ids {
        let Some(s) = d.get(id) else { continue };
        match launch_of(s) {
            Some(Launch::NoStdio(why)) => {
                let mut r = ProbeRecord::bare(Outcome::NoStdio, now_rfc3339());
                r.detail = Some(why);
                out.records.insert(id.clone(), r);
                pb.inc(1);
            }
            Some(Launch::Package(p, v)) => {
                if let (Some(days), Some(prev)) = (opts.since_days, &s.probe) {
                    if recent(prev, &v, &today, days) {
                        out.records.insert(id.clone(), prev.clone());
                        out.skipped_recent += 1;
                        pb.inc(1);
                        continue;
                    }
                }
                jobs.push((id.clone(), p, v));
            }
            None => {}
        }
    }
    let results: Vec<(String, ProbeRecord)> = futures::stream::iter(jobs)
        .map(|(id, p, v)| async move {
            let r = probe_package(&p, &v, opts).await;
            tracing::info!(
                "{id}: {}{}",
                r.outcome.as_str(),
                r.detail
                    .as_ref()
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default()
            );
            pb.inc(1);
            (id, r)
        })
        .buffer_unordered(opts.concurrency.max(1))
        .collect()
        .await;
    out.records.extend(results);
    out
}

/// Install phase, then probe phase, for one package.
pub async fn probe_package(p: &Package, v: &str, opts: &BatchOptions) -> ProbeRecord {
    match install::install(p, v, &opts.install).await {
        Ok(inst) => {
            let mut target = install::target(p, v, &inst);
            let mut r = session::probe(&target, &opts.probe).await;
            // it asked for env vars by name: run it once more with placeholders for them
            let asked: Vec<String> = r
                .needs
                .iter()
                .filter(|n| {
                    !n.starts_with(['-', '<']) && !target.spawn.env.iter().any(|(k, _)| k == *n)
                })
                .cloned()
                .collect();
            if r.outcome == Outcome::NeedsConfig && !asked.is_empty() {
                for n in &asked {
                    target
                        .spawn
                        .env
                        .push((n.clone(), install::PLACEHOLDER.to_string()));
                }
                target.config_mode = dataset::ConfigMode::Placeholder;
                target.needs = r.needs.clone();
                let second = session::probe(&target, &opts.probe).await;
                if second.outcome == Outcome::Ok {
                    r = second;
                }
            }
            r.timings.install_ms = Some(inst.install_ms);
            // sandboxed only when both phases were
            r.sandboxed &= inst.sandboxed;
            r
        }
        Err(e) => {
            let outcome = match e {
                InstallError::NotLaunchable(_) => Outcome::NoStdio,
                _ => Outcome::InstallFailed,
            };
            let mut r = ProbeRecord::bare(outcome, now_rfc3339());
            r.version = Some(v.to_string());
            r.phase = Some("install".into());
            if let InstallError::Timeout(_) = e {
                r.outcome = Outcome::Timeout;
            }
            r.detail = Some(crate::redact::clean(&e.to_string()));
            if let InstallError::Failed { stderr, .. } = &e {
                r.stderr_tail = (!stderr.is_empty()).then(|| stderr.clone());
            }
            r
        }
    }
}

/// What a batch of remote probes produced: per server id, one record per remote, in
/// `install.remotes` order.
pub type RemoteRecords = BTreeMap<String, Vec<ProbeRecord>>;

/// The probe target of one declared remote, or the record of why it cannot be probed
/// (`needs_config`: template variables without defaults).
pub fn remote_target(t: &Transport) -> Result<RemoteTarget, Box<ProbeRecord>> {
    let mut needs = Vec::new();
    let mut headers = Vec::new();
    for h in &t.headers {
        let Some(name) = h.name.clone() else { continue };
        // a secret is never sent, not even a placeholder: the server's answer (an auth wall)
        // says what it wants
        if h.is_secret {
            needs.push(name);
            continue;
        }
        match h.value.clone().or_else(|| h.default.clone()) {
            Some(v) if !v.contains('{') => headers.push((name, v)),
            _ if h.is_required => needs.push(name),
            _ => {}
        }
    }
    match remote::concrete_url(t) {
        Ok(url) => Ok(RemoteTarget {
            url,
            transport: t.kind.clone(),
            headers,
            placeholder_headers: Vec::new(),
            needs,
        }),
        Err(missing) => {
            let mut r = ProbeRecord::bare(Outcome::NeedsConfig, now_rfc3339());
            r.needs = missing.clone();
            r.needs.extend(needs);
            r.phase = Some("connect".into());
            r.detail = Some(format!(
                "the URL needs {} without a default",
                missing
                    .iter()
                    .map(|m| format!("{{{m}}}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            let mut info = dataset::RemoteInfo::new(
                crate::redact::clean(t.url.as_deref().unwrap_or("")),
                t.kind.clone(),
            );
            info.outcome = dataset::RemoteOutcome::NeedsConfig;
            r.remote = Some(info);
            Err(Box::new(r))
        }
    }
}

/// The host a remote URL connects to (the per-host concurrency key), lowercased.
fn host_key(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_default()
}

/// Probes every declared remote of `ids` (http and https endpoints only): at most `global` at
/// once and one at a time per host.
pub async fn run_remotes(
    d: &Dataset,
    ids: &[String],
    opts: &RemoteOptions,
    global: usize,
    pb: &indicatif::ProgressBar,
) -> RemoteRecords {
    let client = match remote::client(opts) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("cannot build the HTTP client for remote probes: {e}");
            return RemoteRecords::new();
        }
    };
    let mut jobs: Vec<(String, usize, Result<RemoteTarget, Box<ProbeRecord>>)> = Vec::new();
    for id in ids {
        let Some(s) = d.get(id) else { continue };
        for (i, t) in s.install.remotes.iter().enumerate() {
            if matches!(t.kind.as_str(), "streamable-http" | "sse") {
                jobs.push((id.clone(), i, remote_target(t)));
            }
        }
    }
    let hosts: std::sync::Mutex<BTreeMap<String, std::sync::Arc<tokio::sync::Semaphore>>> =
        Default::default();
    let host_lock = |h: &str| {
        hosts
            .lock()
            .map(|mut m| {
                m.entry(h.to_string())
                    .or_insert_with(|| std::sync::Arc::new(tokio::sync::Semaphore::new(1)))
                    .clone()
            })
            .unwrap_or_else(|_| std::sync::Arc::new(tokio::sync::Semaphore::new(1)))
    };
    let results: Vec<(String, usize, ProbeRecord)> = futures::stream::iter(jobs)
        .map(|(id, i, target)| {
            let client = &client;
            let host_lock = &host_lock;
            async move {
                let rec = match target {
                    Err(r) => *r,
                    Ok(t) => {
                        let lock = host_lock(&host_key(&t.url));
                        let _permit = lock.acquire_owned().await.ok();
                        remote::probe_with(client, &t, opts).await
                    }
                };
                tracing::info!(
                    "{id} remote {i}: {}{}",
                    rec.remote
                        .as_ref()
                        .map(|r| r.outcome.as_str())
                        .unwrap_or(rec.outcome.as_str()),
                    rec.detail
                        .as_ref()
                        .map(|d| format!(" ({d})"))
                        .unwrap_or_default()
                );
                pb.inc(1);
                (id, i, rec)
            }
        })
        .buffer_unordered(global.max(1))
        .collect()
        .await;
    let mut out = RemoteRecords::new();
    let mut sorted = results;
    sorted.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    for (id, _, rec) in sorted {
        out.entry(id).or_default().push(rec);
    }
    out
}

/// The health rank of an outcome: up beats configuration-bound beats down.
fn health_rank(o: Outcome) -> u8 {
    match o {
        Outcome::Ok => 0,
        Outcome::NeedsConfig => 1,
        _ => 2,
    }
}

/// A night's health outcome from the stdio record and the remote records: the best of those
/// that count (no_stdio, blocked and unconfigurable remotes do not).
pub fn night_outcome(stdio: Option<&ProbeRecord>, remotes: &[ProbeRecord]) -> Option<Outcome> {
    stdio
        .filter(|r| r.outcome != Outcome::NoStdio)
        .map(|r| r.outcome)
        .into_iter()
        .chain(remotes.iter().filter_map(|r| match &r.remote {
            Some(i) if i.outcome.counts_in_health() => Some(i.outcome.coarse()),
            _ => None,
        }))
        .min_by_key(|o| health_rank(*o))
}

/// Writes remote records into the dataset and folds them into tonight's health entry (with
/// the stdio outcome already there, if any: the best of them).
/// A server in `scope` with probeable remotes but no remote record tonight (a failed shard
/// job) and no other health entry for the night gets a gap.
pub fn apply_remotes(d: &mut Dataset, records: &RemoteRecords, scope: &[String], date: &str) {
    let scope: BTreeSet<&str> = scope.iter().map(String::as_str).collect();
    for s in &mut d.servers {
        let Some(recs) = records.get(&s.id) else {
            let probeable = s
                .install
                .remotes
                .iter()
                .any(|t| matches!(t.kind.as_str(), "streamable-http" | "sse"));
            if probeable
                && scope.contains(s.id.as_str())
                && !s.health.iter().any(|h| h.date == date)
            {
                set_health(s, date, None);
            }
            continue;
        };
        s.remote_probes = recs.clone();
        let stdio_tonight = s
            .health
            .iter()
            .find(|h| h.date == date)
            .and_then(|h| h.outcome);
        let remote_best = night_outcome(None, recs);
        let best = match (stdio_tonight, remote_best) {
            (Some(a), Some(b)) => Some(if health_rank(b) < health_rank(a) {
                b
            } else {
                a
            }),
            (a, b) => a.or(b),
        };
        if best.is_some() {
            set_health(s, date, best);
        }
    }
}

/// Sets tonight's health entry (replacing one of the same date).
pub fn set_health(s: &mut Server, date: &str, outcome: Option<Outcome>) {
    if let Some(last) = s.health.iter_mut().find(|h| h.date == date) {
        last.outcome = outcome;
    } else {
        s.health.push(HealthEntry {
            date: date.to_string(),
            outcome,
        });
        s.health.sort_by(|a, b| a.date.cmp(&b.date));
    }
}

/// Writes records into the dataset. Every id in `scope` gets a health entry for `date`: its
/// outcome, or a gap when it has no record. `no_stdio` records set the probe but not health.
pub fn apply(
    d: &mut Dataset,
    records: &BTreeMap<String, ProbeRecord>,
    scope: &[String],
    date: &str,
) {
    let scope: BTreeSet<&str> = scope.iter().map(String::as_str).collect();
    for s in &mut d.servers {
        match records.get(&s.id) {
            Some(r) => {
                if r.outcome != Outcome::NoStdio {
                    set_health(s, date, Some(r.outcome));
                }
                s.probe = Some(r.clone());
            }
            None if scope.contains(s.id.as_str()) => {
                if matches!(launch_of(s), Some(Launch::Package(..))) {
                    set_health(s, date, None);
                }
            }
            None => {}
        }
    }
}

/// One shard job's output (`data/probe/shard-I-of-N.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardFile {
    pub schema_version: u32,
    /// The night (`YYYY-MM-DD`).
    pub date: String,
    pub shard: u32,
    pub of: u32,
    pub records: BTreeMap<String, ProbeRecord>,
    /// Remote probes of the shard's servers (absent in shard files of older builds).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub remote_records: RemoteRecords,
}

/// The shard file name.
pub fn shard_file_name(i: u32, n: u32) -> String {
    format!("shard-{i}-of-{n}.json")
}

/// Folds shard files into the dataset: their records, and a health gap for every launchable
/// server in no shard file. Returns the number of records applied.
pub fn merge(d: &mut Dataset, shards: &[ShardFile]) -> usize {
    let mut records = BTreeMap::new();
    let mut remotes = RemoteRecords::new();
    let mut date = shards
        .iter()
        .map(|s| s.date.clone())
        .max()
        .unwrap_or_else(|| now_rfc3339()[..10].to_string());
    for s in shards {
        records.extend(s.records.iter().map(|(k, v)| (k.clone(), v.clone())));
        remotes.extend(s.remote_records.iter().map(|(k, v)| (k.clone(), v.clone())));
        date = date.max(s.date.clone());
    }
    let scope = select(d, &Selection::default());
    apply(d, &records, &scope, &date);
    apply_remotes(d, &remotes, &scope, &date);
    records.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_ids() {
        let ids: Vec<String> = (0..500).map(|i| format!("npm:pkg-{i}")).collect();
        let mut counts = [0usize; 4];
        for id in &ids {
            let hits: Vec<u32> = (1..=4).filter(|i| in_shard(id, *i, 4)).collect();
            assert_eq!(hits.len(), 1, "{id}");
            counts[hits[0] as usize - 1] += 1;
        }
        assert!(counts.iter().all(|c| *c > 80), "{counts:?}");
        assert_eq!(parse_shard("2/3"), Ok((2, 3)));
        assert!(
            parse_shard("0/3").is_err() && parse_shard("4/3").is_err() && parse_shard("x").is_err()
        );
    }

    #[test]
    fn merge_fills_gaps_and_keeps_history() {
        let mut d = dataset::synthetic::catalogue(60, 7);
        let launchable: Vec<String> = select(&d, &Selection::default())
            .into_iter()
            .filter(|id| matches!(launch_of(d.get(id).unwrap()), Some(Launch::Package(..))))
            .collect();
        assert!(
            launchable.len() >= 2,
            "synthetic catalogue has launchable servers"
        );
        for s in &mut d.servers {
            s.health = vec![HealthEntry {
                date: "2026-11-20".into(),
                outcome: Some(Outcome::Ok),
            }];
        }
        let mut rec = ProbeRecord::bare(Outcome::Crashed, "2026-11-22T01:00:00Z");
        rec.version = Some("1".into());
        let shard = ShardFile {
            schema_version: 1,
            date: "2026-11-22".into(),
            shard: 1,
            of: 2,
            records: BTreeMap::from([(launchable[0].clone(), rec)]),
            remote_records: RemoteRecords::new(),
        };
        assert_eq!(merge(&mut d, &[shard]), 1);
        let a = d.get(&launchable[0]).unwrap();
        assert_eq!(a.health.len(), 2);
        assert_eq!(a.health[1].outcome, Some(Outcome::Crashed));
        assert_eq!(a.probe.as_ref().unwrap().outcome, Outcome::Crashed);
        let b = d.get(&launchable[1]).unwrap();
        assert_eq!(b.health.len(), 2, "history kept, gap added");
        assert_eq!(b.health[0].outcome, Some(Outcome::Ok));
        assert_eq!(
            b.health[1],
            HealthEntry {
                date: "2026-11-22".into(),
                outcome: None
            }
        );
    }
}
