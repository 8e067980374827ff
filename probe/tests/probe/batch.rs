//! `hisper probe`'s library path end to end without the network: a server whose PyPI install is
//! already in the cache (a venv-shaped directory whose console script is the fixture server),
//! declared required configuration (placeholder run), a remote-only server (`no_stdio`), then
//! the records and health applied to the dataset, and shard files merged with a gap.

use std::collections::BTreeMap;
use std::path::Path;

use dataset::{Argument, ConfigMode, Dataset, Install, Kind, Outcome, Package, Server, Transport};
use probe::batch::{self, BatchOptions, Selection, ShardFile};
use probe::install::InstallOptions;

fn fake_pypi_install(cache: &Path, name: &str, version: &str) {
    let dir = cache.join("pypi").join(format!("{name}@{version}"));
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_mcp-fixture-server"), bin.join(name)).unwrap();
    let info = dir
        .join("lib/python3.11/site-packages")
        .join(format!("{}-{version}.dist-info", name.replace('-', "_")));
    std::fs::create_dir_all(&info).unwrap();
    std::fs::write(
        info.join("entry_points.txt"),
        format!("[console_scripts]\n{name} = fixture:main\n"),
    )
    .unwrap();
    // as a sandboxed install phase leaves it
    std::fs::write(dir.join(".hisper-installed"), b"sandboxed\n").unwrap();
}

fn server(id: &str, install: Install) -> Server {
    Server {
        id: id.into(),
        name: id.into(),
        kind: Kind::Server,
        install,
        first_seen: "2026-11-01T00:00:00Z".into(),
        last_seen: "2026-11-21T00:00:00Z".into(),
        last_changed: "2026-11-21T00:00:00Z".into(),
        ..Server::default()
    }
}

#[test]
fn install_cache_placeholders_records_health_and_merge() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    fake_pypi_install(&cache, "fixture-mcp", "1.0");
    let pkg = Package {
        registry_type: "pypi".into(),
        identifier: "fixture-mcp".into(),
        version: Some("1.0".into()),
        transport: Transport::stdio(),
        package_arguments: vec![Argument {
            kind: Some("positional".into()),
            value: Some("needs-key".into()),
            ..Argument::default()
        }],
        environment_variables: vec![Argument {
            name: Some("FIXTURE_API_KEY".into()),
            is_required: true,
            is_secret: true,
            ..Argument::default()
        }],
        ..Package::default()
    };
    let mut d = Dataset::new("2026-11-22T00:00:00Z");
    d.servers.push(server(
        "pypi:fixture-mcp",
        Install {
            packages: vec![pkg],
            remotes: vec![],
        },
    ));
    d.servers.push(server(
        "mcp-registry:remote-only",
        Install {
            packages: vec![],
            remotes: vec![Transport {
                kind: "streamable-http".into(),
                url: Some("https://example.invalid/mcp".into()),
                ..Transport::default()
            }],
        },
    ));
    d.normalize();

    let ids = batch::select(&d, &Selection::default());
    assert_eq!(ids, ["mcp-registry:remote-only", "pypi:fixture-mcp"]);
    let mut popts = probe::Options::with_timeout(10.0);
    popts.sandbox = probe::detect_bwrap()
        .map(probe::Sandbox::Bwrap)
        .unwrap_or(probe::Sandbox::None);
    let sandboxed = popts.sandbox != probe::Sandbox::None;
    let opts = BatchOptions {
        probe: popts,
        install: InstallOptions::new(cache),
        concurrency: 2,
        since_days: None,
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let res = rt.block_on(batch::run(
        &d,
        &ids,
        &opts,
        &indicatif::ProgressBar::hidden(),
    ));
    let rec = &res.records["pypi:fixture-mcp"];
    assert_eq!(rec.outcome, Outcome::Ok, "{rec:#?}");
    assert_eq!(rec.config_mode, ConfigMode::Placeholder);
    assert_eq!(rec.needs, ["FIXTURE_API_KEY"]);
    assert_eq!(rec.version.as_deref(), Some("1.0"));
    assert_eq!(rec.timings.install_ms, Some(0), "cached install");
    assert_eq!(rec.sandboxed, sandboxed, "both phases sandboxed");
    // no process of the probe's is left (the fixture runs from the cache under tmp)
    let needle = tmp.path().to_string_lossy().into_owned();
    let until = std::time::Instant::now() + std::time::Duration::from_secs(3);
    while !probe::procs::with_cmdline_containing(&needle).is_empty() {
        assert!(std::time::Instant::now() < until, "processes left behind");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(
        res.records["mcp-registry:remote-only"].outcome,
        Outcome::NoStdio
    );

    batch::apply(&mut d, &res.records, &ids, "2026-11-22");
    let s = d.get("pypi:fixture-mcp").unwrap();
    assert_eq!(s.health.len(), 1);
    assert_eq!(s.health[0].outcome, Some(Outcome::Ok));
    assert!(d.get("mcp-registry:remote-only").unwrap().health.is_empty());

    // the next night: shard 1 of 2 has no record for it, so the merge leaves a gap
    let shard = ShardFile {
        schema_version: 1,
        date: "2026-11-23".into(),
        shard: 1,
        of: 2,
        records: BTreeMap::new(),
        remote_records: BTreeMap::new(),
    };
    batch::merge(&mut d, &[shard]);
    let s = d.get("pypi:fixture-mcp").unwrap();
    assert_eq!(s.health.len(), 2);
    assert_eq!(s.health[1].outcome, None);
    assert_eq!(
        s.probe.as_ref().unwrap().outcome,
        Outcome::Ok,
        "last record kept"
    );

    // --since-days: same version, recent: not probed again, the night still recorded
    let opts2 = BatchOptions {
        since_days: Some(7),
        ..opts
    };
    let res2 = rt.block_on(batch::run(
        &d,
        &ids,
        &opts2,
        &indicatif::ProgressBar::hidden(),
    ));
    assert_eq!(res2.skipped_recent, 1);
}
