//! Kind review: the probe result outranks the crawler's guess, `@scope/mcp` packages are servers,
//! platform-binary sub-packages point at their parent; and on the bundled sample.

use dataset::{Confidence, Dataset, Kind, Outcome, ProbeRecord, Server, Source, SourceEntry};

fn npm(name: &str, kind: Kind, downloads: u64) -> Server {
    let mut e = SourceEntry::new(Source::Npm, name, "2026-11-01T00:00:00Z");
    e.downloads_monthly = Some(downloads);
    Server {
        id: format!("npm:{name}"),
        name: name.into(),
        kind,
        kind_confidence: Confidence::Weak,
        sources: vec![e],
        first_seen: "2026-11-01T00:00:00Z".into(),
        last_seen: "2026-11-22T00:00:00Z".into(),
        last_changed: "2026-11-22T00:00:00Z".into(),
        ..Default::default()
    }
}

fn run(servers: Vec<Server>) -> Dataset {
    let mut ds = Dataset::new("2026-11-22T03:00:00Z");
    ds.servers = servers;
    enrich::enrich(&mut ds, &indicatif::ProgressBar::hidden());
    ds
}

#[test]
fn a_probe_that_listed_tools_makes_a_server_and_binaries_join_their_parent() {
    let mut lib = npm("acme-helpers", Kind::Other, 10);
    let mut p = ProbeRecord::bare(Outcome::Ok, "2026-11-22T00:00:00Z");
    p.tools = vec![serde_json::json!({"name": "search_docs", "description": "Search docs"})];
    lib.probe = Some(p);
    let mut sdk = npm("acme-sdk", Kind::Sdk, 10);
    sdk.probe = Some(ProbeRecord::bare(Outcome::NoStdio, "2026-11-22T00:00:00Z"));
    let ds = run(vec![
        lib,
        sdk,
        npm("@playwright/mcp", Kind::Other, 6_000_000),
        npm("@azure/mcp", Kind::Server, 250_000),
        npm("@azure/mcp-linux-x64", Kind::Server, 110_000),
        npm("kubernetes-mcp-server-darwin-arm64", Kind::Server, 50),
        npm("mcp-server-windows", Kind::Server, 50),
    ]);
    let get = |id: &str| ds.get(id).unwrap();
    let s = get("npm:acme-helpers");
    assert_eq!(
        (s.kind, s.kind_confidence),
        (Kind::Server, Confidence::Strong)
    );
    assert!(s.kind_signals.iter().any(|x| x == "probe:listed-tools"));
    assert_eq!(
        get("npm:acme-sdk").kind,
        Kind::Sdk,
        "a probe that ran nothing says nothing"
    );
    assert_eq!(get("npm:@playwright/mcp").kind, Kind::Server);
    assert_eq!(
        get("npm:@azure/mcp-linux-x64").platform_of.as_deref(),
        Some("npm:@azure/mcp")
    );
    assert_eq!(get("npm:@azure/mcp").platform_of, None);
    // No parent in the dataset: not a server of its own.
    let k = get("npm:kubernetes-mcp-server-darwin-arm64");
    assert_eq!((k.kind, k.platform_of.as_deref()), (Kind::Other, None));
    assert_eq!(get("npm:mcp-server-windows").kind, Kind::Server);
    assert_eq!(get("npm:mcp-server-windows").platform_of, None);
}

#[test]
fn on_the_sample_probed_servers_are_servers_and_binaries_have_parents() {
    let mut ds = dataset::load(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/servers.json"),
    )
    .unwrap();
    enrich::enrich(&mut ds, &indicatif::ProgressBar::hidden());
    for s in &ds.servers {
        if s.probe
            .as_ref()
            .is_some_and(|p| p.outcome == Outcome::Ok && !p.tools.is_empty())
        {
            assert_eq!(s.kind, Kind::Server, "{}", s.id);
        }
    }
    assert_eq!(ds.get("npm:@playwright/mcp").unwrap().kind, Kind::Server);
    let with_parent = ds
        .servers
        .iter()
        .filter(|s| s.platform_of.is_some())
        .count();
    assert!(
        with_parent >= 20,
        "{with_parent} platform binaries with a parent"
    );
    for s in ds.servers.iter().filter(|s| s.platform_of.is_some()) {
        let parent = ds
            .get(s.platform_of.as_deref().unwrap())
            .expect("the parent exists");
        assert!(parent.platform_of.is_none(), "{} → {}", s.id, parent.id);
    }
    assert_eq!(
        ds.get("npm:@tempestteam/slack-mcp-server-linux-amd64")
            .unwrap()
            .platform_of
            .as_deref(),
        Some("npm:@tempestteam/slack-mcp-server")
    );
}
