//! `hisper probe`: installs and probes the dataset's stdio-launchable servers, probes every
//! declared remote endpoint over HTTP, and records what they answered (`probe`,
//! `remote_probes`) and tonight's outcome (`health`, the best of stdio and remotes).
//!
//! Without `--shard` it writes the dataset (`data/servers.json`, atomically). With `--shard I/N`
//! it writes `data/probe/shard-I-of-N.json` instead; `--merge` folds every shard file into the
//! dataset (a launchable server in no shard file gets a health gap for the night).

use std::path::PathBuf;

use anyhow::Context;
use probe::batch::{self, BatchOptions, Selection, ShardFile};

use crate::{Global, Status};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Probe only shard I of N (1-based; deterministic by server id), and write a shard file.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Probes at once (default: config `probe.concurrency`, else 4).
    #[arg(long)]
    pub concurrency: Option<usize>,
    /// Probe only these server ids (repeatable).
    #[arg(long = "only", value_name = "ID")]
    pub only: Vec<String>,
    /// Only the N most downloaded servers that run over stdio (packages found to have no program
    /// to run are recorded as `no_stdio` and the next ones in the ranking taken instead).
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    /// Skip servers probed within D days at the same version (health still records the night).
    #[arg(long, value_name = "D")]
    pub since_days: Option<u32>,
    /// Fold `data/probe/shard-*.json` into the dataset instead of probing.
    #[arg(long, conflicts_with_all = ["shard", "only", "top"])]
    pub merge: bool,
    /// Install and run servers without bubblewrap (recorded in each record as unsandboxed).
    #[arg(long)]
    pub no_sandbox: bool,
    /// Handshake timeout in seconds (default: config `probe.timeout_secs`, else 30).
    #[arg(long, value_name = "S")]
    pub timeout: Option<f64>,
    /// Do not probe remote (HTTP) endpoints.
    #[arg(long)]
    pub no_remotes: bool,
    /// Remote probes at once (one at a time per host; default 16).
    #[arg(long, value_name = "N")]
    pub remote_concurrency: Option<usize>,
    /// Let remote probes reach loopback, private, link-local, CGNAT and multicast addresses.
    /// For local testing only: never in a nightly run.
    #[arg(long)]
    pub allow_private_hosts: bool,
    /// Disk budget of the install cache in GB (default: config `probe.cache_budget_gb`, else 8).
    /// Checked before probing and between chunks of the batch, so a shard of cold installs
    /// never fills the disk.
    #[arg(long, value_name = "GB")]
    pub cache_budget_gb: Option<f64>,
}

/// Servers probed between two checks of the cache budget (per unit of concurrency).
const CHUNK_PER_WORKER: usize = 8;

fn shard_dir(g: &Global) -> PathBuf {
    g.data.join("probe")
}

pub fn run(args: Args, g: &Global) -> anyhow::Result<Status> {
    let path = g.dataset_path();
    let mut d = dataset::load(&path).with_context(|| format!("loading {}", path.display()))?;
    if args.merge {
        let dir = shard_dir(g);
        let mut shards = Vec::new();
        let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
            .with_context(|| format!("reading {}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("shard-") && n.ends_with(".json"))
            })
            .collect();
        names.sort();
        for p in &names {
            let bytes = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
            let s: ShardFile = serde_json::from_slice(&bytes)
                .with_context(|| format!("parsing {}", p.display()))?;
            shards.push(s);
        }
        let n = batch::merge(&mut d, &shards);
        dataset::save(&path, &d).with_context(|| format!("writing {}", path.display()))?;
        tracing::info!(
            "merged {n} record(s) from {} shard file(s) into {}",
            shards.len(),
            path.display()
        );
        return Ok(Status::Ok);
    }

    let shard = args
        .shard
        .as_deref()
        .map(batch::parse_shard)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    // `--top N` means the N most downloaded servers that turn out to run over stdio: a package
    // without a program to run (a library) is only found out at install, so the batch walks down
    // the popularity ranking until N servers got a real probe.
    let sel = Selection {
        shard,
        only: args.only.clone(),
        top: args.top.map(|_| usize::MAX),
    };
    let mut ids = batch::select(&d, &sel);
    if args.top.is_some() {
        ids.sort_by(|a, b| {
            let (a, b) = (d.get(a), d.get(b));
            let key = |s: Option<&dataset::Server>| {
                s.map(|s| (s.downloads_monthly(), s.stars().unwrap_or(0)))
                    .unwrap_or_default()
            };
            key(b)
                .cmp(&key(a))
                .then_with(|| a.map(|s| &s.id).cmp(&b.map(|s| &s.id)))
        });
    }
    let cfg = &g.config.probe;
    let mut popts = probe::Options::with_timeout(
        args.timeout
            .or(cfg.timeout_secs.map(|s| s as f64))
            .unwrap_or(30.0),
    );
    popts.total_timeout = popts.total_timeout.max(std::time::Duration::from_secs(90));
    popts.sandbox = if args.no_sandbox {
        tracing::warn!("--no-sandbox: servers run without bubblewrap; records say so");
        probe::Sandbox::None
    } else {
        probe::Sandbox::Bwrap(probe::detect_bwrap()?)
    };
    let cache = cfg
        .cache_dir
        .as_ref()
        .map(PathBuf::from)
        .unwrap_or_else(|| g.data.join("probe-cache"));
    let cache = std::path::absolute(&cache).unwrap_or(cache);
    let mut iopts = probe::install::InstallOptions::new(cache);
    // the install phase runs in the same sandbox (network shared), or bare with --no-sandbox
    iopts.sandbox = popts.sandbox.clone();
    if let Some(r) = &g.config.crawl.npm_registry {
        iopts.npm_registry = Some(r.clone());
    }
    if let Some(p) = &g.config.crawl.pypi {
        iopts.pypi_index = Some(p.clone());
    }
    if let Some(t) = cfg.install_timeout_secs {
        iopts.timeout = std::time::Duration::from_secs(t);
    }
    let opts = BatchOptions {
        probe: popts,
        install: iopts,
        concurrency: args.concurrency.or(cfg.concurrency).unwrap_or(4),
        since_days: args.since_days,
    };
    tracing::info!("probing {} server(s)", ids.len());
    let pb = crate::progress::bar(
        args.top.unwrap_or(ids.len()).min(ids.len()) as u64,
        "probe",
        g.quiet,
    );
    let budget_gb = args
        .cache_budget_gb
        .or(cfg.cache_budget_gb)
        .unwrap_or(8.0)
        .max(0.0);
    let budget = (budget_gb * 1e9) as u64;
    let cache_dir = opts.install.cache_dir.clone();
    let prune = || {
        let p = probe::cache::prune(&cache_dir, budget);
        if p.removed > 0 {
            tracing::info!(
                "install cache: removed {} entr{} ({} MB) to stay under {budget_gb} GB; {} MB left",
                p.removed,
                if p.removed == 1 { "y" } else { "ies" },
                p.freed / 1_000_000,
                p.left / 1_000_000
            );
        }
    };
    prune();
    let rt = probe::runtime()?;
    let mut result = batch::BatchResult::default();
    let chunk_size = (opts.concurrency * CHUNK_PER_WORKER).max(1);
    let mut next = 0;
    while next < ids.len() {
        let mut take = chunk_size;
        if let Some(top) = args.top {
            let stdio = result
                .records
                .values()
                .filter(|r| r.outcome != dataset::Outcome::NoStdio)
                .count();
            if stdio >= top {
                break;
            }
            take = take.min(top - stdio);
        }
        let chunk = &ids[next..(next + take).min(ids.len())];
        next += chunk.len();
        let r = rt.block_on(batch::run(&d, chunk, &opts, &pb));
        result.records.extend(r.records);
        result.skipped_recent += r.skipped_recent;
        // Least recently installed first: this chunk's installs are the last to go.
        prune();
    }
    // Only what was probed is in scope for tonight's health.
    ids.truncate(next);
    pb.finish_and_clear();
    let remote_records = if args.no_remotes {
        batch::RemoteRecords::new()
    } else {
        let mut ropts = probe::remote::RemoteOptions::with_timeout(
            args.timeout
                .or(cfg.timeout_secs.map(|s| s as f64))
                .unwrap_or(30.0),
        );
        ropts.policy.allow_private = args.allow_private_hosts;
        if args.allow_private_hosts {
            tracing::warn!("--allow-private-hosts: remote probes may reach private addresses");
        }
        let n: usize = ids
            .iter()
            .filter_map(|id| d.get(id))
            .map(|s| s.install.remotes.len())
            .sum();
        let rpb = crate::progress::bar(n as u64, "remotes", g.quiet);
        let r = rt.block_on(batch::run_remotes(
            &d,
            &ids,
            &ropts,
            args.remote_concurrency.unwrap_or(16),
            &rpb,
        ));
        rpb.finish_and_clear();
        let mut rc = std::collections::BTreeMap::new();
        for rec in r.values().flatten() {
            if let Some(i) = &rec.remote {
                *rc.entry(i.outcome.as_str()).or_insert(0usize) += 1;
            }
        }
        tracing::info!("remote outcomes: {rc:?}");
        r
    };
    let mut counts = std::collections::BTreeMap::new();
    for r in result.records.values() {
        *counts.entry(r.outcome.as_str()).or_insert(0usize) += 1;
    }
    tracing::info!(
        "outcomes: {counts:?} ({} skipped as recently probed)",
        result.skipped_recent
    );
    let today = probe::session::now_rfc3339()[..10].to_string();
    match shard {
        Some((i, n)) => {
            let file = ShardFile {
                schema_version: dataset::SCHEMA_VERSION,
                date: today,
                shard: i,
                of: n,
                records: result.records.clone(),
                remote_records,
            };
            let out = shard_dir(g).join(batch::shard_file_name(i, n));
            let mut bytes = serde_json::to_vec_pretty(&file)?;
            bytes.push(b'\n');
            dataset::write_atomic(&out, &bytes)
                .with_context(|| format!("writing {}", out.display()))?;
            tracing::info!("wrote {}", out.display());
        }
        None => {
            batch::apply(&mut d, &result.records, &ids, &today);
            batch::apply_remotes(&mut d, &remote_records, &ids, &today);
            dataset::save(&path, &d).with_context(|| format!("writing {}", path.display()))?;
            tracing::info!("wrote {}", path.display());
        }
    }
    let sandbox_errors = counts.get("sandbox_error").copied().unwrap_or(0);
    Ok(if sandbox_errors > 0 {
        Status::ItemFailures
    } else {
        Status::Ok
    })
}
