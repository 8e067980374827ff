//! A simulated nightly run, as `.github/workflows/nightly.yml` drives it, against the crawler's
//! local fakes (all four sources on 127.0.0.1), over two nights:
//!
//! 1. night one: every source answers; `crawl`, `probe --shard 1/2` and `--shard 2/2`,
//!    `probe --merge`, then `run --offline` (enrich, index, build) publishes;
//! 2. night two: npm answers 500 to everything, and the artifact of probe shard 2 never arrives.
//!
//! Asserts what the workflow promises: the published dataset keeps yesterday's npm records
//! (marked stale), shard 2's servers keep yesterday's probe record with a gap in their health,
//! the stats history has both nights, and nothing of night one is lost. It drives the real
//! `hisper` binary with the same commands as the workflow; probes run the fixture MCP server
//! from a prepared install cache (the probe crate tests real installs), unsandboxed here.

#[path = "../../crawler/tests/fake/mod.rs"]
mod fake;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use dataset::{Dataset, Outcome};
use fake::{github_repo, packument, pypi_project, registry_entry, Resp, World};

use crate::common;

const NIGHT1: i64 = 1_795_226_400; // 2026-11-21T02:00:00Z
const NIGHT2: i64 = NIGHT1 + 86_400; // 2026-11-22T02:00:00Z

/// A PyPI install in the prober's cache whose console script runs the fixture server.
fn cached_pypi_install(cache: &Path, name: &str, version: &str, server: &Path) {
    let dir = cache.join("pypi").join(format!("{name}@{version}"));
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = bin.join(name);
    std::fs::write(
        &script,
        format!("#!/bin/sh\nexec '{}' normal \"$@\"\n", server.display()),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let info = dir
        .join("lib/python3.11/site-packages")
        .join(format!("{}-{version}.dist-info", name.replace('-', "_")));
    std::fs::create_dir_all(&info).unwrap();
    std::fs::write(
        info.join("entry_points.txt"),
        format!("[console_scripts]\n{name} = fixture:main\n"),
    )
    .unwrap();
    std::fs::write(dir.join(".hisper-installed"), b"").unwrap();
}

struct Night<'a> {
    data: &'a Path,
    config: &'a Path,
    base: &'a str,
    epoch: i64,
}

impl Night<'_> {
    /// Runs `hisper <args>` for this night; returns the exit code.
    fn hisper(&self, args: &[&str]) -> i32 {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_hisper"));
        // The developer's own endpoints and tokens stay out.
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("HISPER_") || k == "GITHUB_TOKEN" {
                cmd.env_remove(k);
            }
        }
        let out = cmd
            .arg("--data")
            .arg(self.data)
            .arg("--config")
            .arg(self.config)
            .arg("--quiet")
            .args(args)
            .env("SOURCE_DATE_EPOCH", self.epoch.to_string())
            .env("HISPER_LOG", "warn")
            .env("HISPER_GITHUB_API", format!("{}/github", self.base))
            .env("HISPER_MCP_REGISTRY", format!("{}/registry", self.base))
            .env("HISPER_NPM_REGISTRY", format!("{}/npm", self.base))
            .env("HISPER_NPM_DOWNLOADS", format!("{}/downloads", self.base))
            .env("HISPER_PYPI", format!("{}/pypi", self.base))
            .env("HISPER_PROBE_CACHE", self.data.join("probe-cache"))
            .current_dir(self.data.parent().unwrap())
            .output()
            .expect("running hisper");
        let code = out.status.code().unwrap_or(-1);
        if code > 1 {
            panic!(
                "hisper {args:?} exited {code}\nstderr:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        code
    }

    fn dataset(&self) -> Dataset {
        dataset::load(&self.data.join("servers.json")).expect("dataset loads")
    }
}

fn world() -> World {
    let mut w = World::default();
    for i in 0..3 {
        w.registry.push(registry_entry(
            &format!("io.github.acme/reg-{i}"),
            None,
            None,
            "2026-10-01T00:00:00Z",
        ));
    }
    for i in 0..4 {
        let name = format!("mcp-server-npm-{i}");
        w.npm.insert(name.clone(), packument(&name, "1.0.0", None));
        w.npm_downloads.insert(name, 100 * (i + 1));
    }
    for i in 0..8u64 {
        let name = format!("mcp-server-py{i}");
        w.pypi_index.push((name.clone(), 100 + i));
        w.pypi
            .insert(fake::pep503(&name), pypi_project(&name, None));
    }
    for i in 0..3u64 {
        let full = format!("acme/mcp-server-gh{i}");
        w.github.insert(
            full.clone(),
            github_repo(
                500 + i,
                &full,
                "2025-03-01T00:00:00Z",
                "2026-11-01T00:00:00Z",
            ),
        );
    }
    w
}

fn pypi_ids(d: &Dataset) -> Vec<String> {
    d.servers
        .iter()
        .filter(|s| s.id.starts_with("pypi:"))
        .map(|s| s.id.clone())
        .collect()
}

#[test]
fn failing_source_and_missing_shard_lose_nothing() {
    let server = common::fixture_server();
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let config = tmp.path().join("hisper.toml");
    std::fs::write(
        &config,
        "[crawl]\nmin_spacing_ms = 0\nper_host_concurrency = 8\n",
    )
    .unwrap();
    let (fake, world) = world().serve();
    let base = fake.base.clone();
    let out = tmp.path().join("public");
    let out_s = out.to_str().unwrap();

    // ---- Night one: everything answers.
    let n1 = Night {
        data: &data,
        config: &config,
        base: &base,
        epoch: NIGHT1,
    };
    assert_eq!(n1.hisper(&["crawl"]), 0, "night one crawl has no errors");
    let d1 = n1.dataset();
    let ids1: BTreeSet<String> = d1.servers.iter().map(|s| s.id.clone()).collect();
    let py = pypi_ids(&d1);
    assert_eq!(py.len(), 8, "all PyPI candidates found: {ids1:?}");
    for source in ["npm:", "github:", "mcp-registry:"] {
        assert!(
            ids1.iter().any(|i| i.starts_with(source)),
            "no {source} record in {ids1:?}"
        );
    }
    for id in &py {
        let v = d1.get(id).unwrap().install.packages[0]
            .version
            .clone()
            .expect("pypi version");
        let name = id.trim_start_matches("pypi:");
        cached_pypi_install(&data.join("probe-cache"), name, &v, &server);
    }
    let mut only: Vec<&str> = Vec::new();
    for id in &py {
        only.extend(["--only", id]);
    }
    for shard in ["1/2", "2/2"] {
        let mut a = vec!["probe", "--no-sandbox", "--shard", shard];
        a.extend(&only);
        assert_eq!(n1.hisper(&a), 0, "night one probe shard {shard}");
    }
    assert_eq!(n1.hisper(&["probe", "--merge"]), 0);
    assert_eq!(n1.hisper(&["run", "--offline", "--out", out_s]), 0);
    let d1 = n1.dataset();
    for id in &py {
        let s = d1.get(id).unwrap();
        let p = s.probe.as_ref().expect("probed on night one");
        assert_eq!(p.outcome, Outcome::Ok, "{id}: {p:?}");
        assert_eq!(s.health.last().unwrap().date, "2026-11-21");
    }
    let published1 = std::fs::read(data.join("servers.json")).unwrap();

    // ---- Night two: npm fails, and shard 2's artifact is missing.
    world.fault("/npm/", usize::MAX, Resp::status(500));
    // The publish job downloads only tonight's shard artifacts.
    std::fs::remove_dir_all(data.join("probe")).unwrap();
    let n2 = Night {
        epoch: NIGHT2,
        ..n1
    };
    assert_eq!(
        n2.hisper(&["crawl"]),
        1,
        "a failing source ends the crawl with item failures, not fatally"
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data.join("crawl-report.json")).unwrap()).unwrap();
    assert_ne!(report["sources"]["npm"]["status"], "ok", "{report}");
    assert_eq!(
        std::fs::read(data.join("previous/servers.json")).unwrap(),
        published1,
        "yesterday's dataset is kept as previous/servers.json"
    );
    let mut a = vec!["probe", "--no-sandbox", "--shard", "1/2"];
    a.extend(&only);
    assert_eq!(n2.hisper(&a), 0);
    assert_eq!(n2.hisper(&["probe", "--merge"]), 0);
    assert_eq!(n2.hisper(&["run", "--offline", "--out", out_s]), 0);

    let d2 = n2.dataset();
    let ids2: BTreeSet<String> = d2.servers.iter().map(|s| s.id.clone()).collect();
    let lost: Vec<&String> = ids1.difference(&ids2).collect();
    assert!(lost.is_empty(), "records lost on night two: {lost:?}");

    // npm records: yesterday's data, marked stale.
    let mut npm_seen = 0;
    for s1 in d1.servers.iter().filter(|s| s.id.starts_with("npm:")) {
        let s2 = d2.get(&s1.id).unwrap();
        let (a, b) = (
            s1.sources.iter().find(|x| x.source == dataset::Source::Npm),
            s2.sources.iter().find(|x| x.source == dataset::Source::Npm),
        );
        let (a, b) = (a.expect("npm source"), b.expect("npm source kept"));
        assert!(b.stale, "{}: npm source not marked stale", s1.id);
        assert_eq!(
            (&a.identifier, &a.version, a.downloads_monthly),
            (&b.identifier, &b.version, b.downloads_monthly)
        );
        assert_eq!((&s1.name, &s1.description), (&s2.name, &s2.description));
        npm_seen += 1;
    }
    assert_eq!(npm_seen, 4);

    // Probes: shard 1 probed tonight; shard 2 keeps yesterday's record, with a gap tonight.
    let (mut shard1, mut shard2) = (0, 0);
    for id in &py {
        let (s1, s2) = (d1.get(id).unwrap(), d2.get(id).unwrap());
        let tonight = s2.health.last().unwrap();
        assert_eq!(tonight.date, "2026-11-22", "{id}: {:?}", s2.health);
        let dates: Vec<&str> = s2.health.iter().map(|h| h.date.as_str()).collect();
        assert_eq!(dates, ["2026-11-21", "2026-11-22"], "{id}");
        match tonight.outcome {
            Some(o) => {
                shard1 += 1;
                assert_eq!(o, Outcome::Ok);
                assert!(s2
                    .probe
                    .as_ref()
                    .unwrap()
                    .probed_at
                    .starts_with("2026-11-22"));
            }
            None => {
                shard2 += 1;
                assert_eq!(s2.probe, s1.probe, "{id}: yesterday's probe record is kept");
                assert!(!s2.probe.as_ref().unwrap().tools.is_empty());
            }
        }
    }
    assert!(
        shard1 > 0 && shard2 > 0,
        "both shards hold servers: {shard1} probed, {shard2} gaps"
    );

    // What is published: every record, and both nights on the stats history.
    let published: Dataset = dataset::load(&out.join("servers.json")).expect("published dataset");
    let pub_ids: BTreeSet<String> = published.servers.iter().map(|s| s.id.clone()).collect();
    assert!(ids1.is_subset(&pub_ids), "the published site lost records");
    let history: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data.join("history.json")).unwrap()).unwrap();
    let nights: Vec<&str> = history["nights"]
        .as_array()
        .expect("nights")
        .iter()
        .filter_map(|n| n["date"].as_str())
        .collect();
    assert_eq!(nights, ["2026-11-21", "2026-11-22"]);
    // A gap shows on the server page's health strip.
    let gap_id = py
        .iter()
        .find(|id| d2.get(id).unwrap().health.last().unwrap().outcome.is_none())
        .unwrap();
    let slugs = dataset::slug::assign(&d2.servers);
    let slug = &slugs[gap_id.as_str()];
    let page = std::fs::read_to_string(out.join("servers").join(slug).join("index.html"))
        .expect("server page");
    assert!(
        page.contains("not probed"),
        "{gap_id}: the health strip does not show the gap"
    );
    drop(fake);
}
