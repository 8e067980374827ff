//! Remote servers on the site: the stats page splits the outcomes of stdio probes from those of
//! remote endpoints (one per probed endpoint), and the browse `remote/` and `verified/` filters list a
//! server that answered only on a remote endpoint.

use regex::Regex;

use crate::common;

fn remote_probe(url: &str, o: dataset::RemoteOutcome) -> dataset::ProbeRecord {
    let mut rec = dataset::ProbeRecord::bare(o.coarse(), "2026-11-22T02:00:00Z");
    let mut info = dataset::RemoteInfo::new(url, "streamable-http");
    info.outcome = o;
    rec.remote = Some(info);
    rec
}

#[test]
fn stats_split_stdio_and_remote_outcomes() {
    let dir = tempfile::tempdir().unwrap();
    let data = common::data_dir(dir.path(), false);
    let mut ds = dataset::load(&data.join("servers.json")).unwrap();
    let t = |u: &str| dataset::Transport {
        kind: "streamable-http".into(),
        url: Some(u.into()),
        ..Default::default()
    };
    let mut s = dataset::Server {
        id: "mcp-registry:example/remote-only".into(),
        name: "example/remote-only".into(),
        kind: dataset::Kind::Server,
        first_seen: "2026-11-01T00:00:00Z".into(),
        last_seen: "2026-11-22T00:00:00Z".into(),
        last_changed: "2026-11-22T00:00:00Z".into(),
        ..Default::default()
    };
    s.install.remotes = vec![
        t("https://a.example/mcp"),
        t("https://b.example/mcp"),
        t("https://c.example/mcp"),
    ];
    s.remote_probes = vec![
        remote_probe("https://a.example/mcp", dataset::RemoteOutcome::Ok),
        remote_probe("https://b.example/mcp", dataset::RemoteOutcome::NeedsAuth),
        remote_probe("https://c.example/mcp", dataset::RemoteOutcome::NeedsAuth),
    ];
    s.probe = Some(dataset::ProbeRecord::bare(
        dataset::Outcome::NoStdio,
        "2026-11-22T02:00:00Z",
    ));
    ds.servers.push(s);
    ds.normalize();
    dataset::save(&data.join("servers.json"), &ds).unwrap();
    let out = dir.path().join("public");
    site::build(
        &site::Options::new(&data, &out),
        &indicatif::ProgressBar::hidden(),
    )
    .unwrap();

    let stats = std::fs::read_to_string(out.join("stats/index.html")).unwrap();
    assert!(
        stats.contains("Probe outcomes: stdio"),
        "stdio chart titled"
    );
    let start = stats
        .find("Probe outcomes: remote endpoints")
        .expect("a remote outcomes chart");
    let chart = &stats[start..];
    let chart = &chart[..chart.find("</svg>").unwrap()];
    let bar = |label: &str| {
        let re = Regex::new(&format!(
            r#">{label}</text><rect class="bar (\w+)"[^>]*/><text class="value"[^>]*>(\d+)<"#
        ))
        .unwrap();
        re.captures(chart)
            .map(|c| (c[1].to_string(), c[2].parse::<u32>().unwrap()))
    };
    assert_eq!(bar("Verified"), Some(("good".into(), 1)), "{chart}");
    assert_eq!(bar("Needs sign-in"), Some(("warn".into(), 2)), "{chart}");
    assert_eq!(bar("Not MCP"), None, "no bar for an outcome nobody had");

    let remote = std::fs::read_to_string(out.join("browse/remote/index.html")).unwrap();
    assert!(
        remote.contains("example/remote-only"),
        "browse remote/ lists it"
    );
    // Its stdio launch is missing, but one endpoint answered: it is verified like a stdio server.
    let verified = std::fs::read_to_string(out.join("browse/verified/index.html")).unwrap();
    assert!(
        verified.contains("example/remote-only"),
        "browse verified/ lists a server that answered on a remote endpoint"
    );
}
