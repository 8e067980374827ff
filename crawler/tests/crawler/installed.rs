//! Filling probed records from the probe's installs on disk: installed `package.json` and
//! README for npm, the wheel's METADATA for PyPI, in the probe cache's layout; exact versions
//! only, crawled data never replaced, hostile files skipped.

use std::path::Path;

use crawler::installed::{fill, wheel_metadata};
use dataset::{Dataset, Server};
use serde_json::json;

const NOW: &str = "2026-11-22T00:00:00Z";

fn record(id: &str, registry: &str, name: &str, version: &str, probed: Option<&str>) -> Server {
    let source = if registry == "npm" { "npm" } else { "pypi" };
    let mut v = json!({
        "id": id, "name": name, "kind": "server", "kind_confidence": "strong",
        "sources": [{"source": source, "identifier": name, "version": version,
                     "first_seen": NOW, "last_seen": NOW}],
        "install": {"packages": [{"registryType": registry, "identifier": name,
                                  "version": version, "transport": {"type": "stdio"}}]},
        "first_seen": NOW, "last_seen": NOW, "last_changed": NOW
    });
    if let Some(p) = probed {
        v["probe"] = json!({"outcome": "ok", "phase": "done", "probed_at": NOW, "version": p,
                            "config_mode": "none", "sandboxed": true,
                            "timings": {"total_ms": 1}, "bytes_read": 1});
    }
    serde_json::from_value(v).unwrap()
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const METADATA: &str = "Metadata-Version: 2.4\r\nName: Weather_MCP\r\nVersion: 1.2.0\r\n\
Summary: A weather MCP server\r\nLicense-Expression: Apache-2.0\r\n\
Classifier: License :: OSI Approved :: MIT License\r\n\
Project-URL: Homepage, https://weather.example.org/docs\r\n\
Project-URL: Source, https://github.com/WeatherCo/weather-mcp/tree/main/server\r\n\
Description-Content-Type: text/markdown\r\n\r\n# Weather MCP\r\n\r\nAsk for the weather \
anywhere; this is the long description, the README.\r\n";

#[test]
fn probed_records_are_filled_from_their_installs_and_nothing_else() {
    let cache = tempfile::tempdir().unwrap();
    let c = cache.path();
    // The probe's npm layout, a scoped package: repository object with a directory, README.
    let pkg = c.join("npm/@acme+files-mcp@2.0.0/node_modules/@acme/files-mcp");
    write(
        &pkg.join("package.json"),
        &json!({"name": "@acme/files-mcp", "version": "2.0.0", "license": "MIT",
                "homepage": "https://files.example.org",
                "repository": {"type": "git", "url": "git+https://github.com/Acme/tools.git",
                               "directory": "packages/files"}})
        .to_string(),
    );
    write(&pkg.join("README.md"), "# files-mcp\n\nReads files.\n");
    write(&pkg.join("readme.txt"), "not this one");
    // Another install of a different version of the same name: never used.
    let other = c.join("npm/plain-mcp@0.9.0/node_modules/plain-mcp");
    write(
        &other.join("package.json"),
        &json!({"name": "plain-mcp", "version": "0.9.0", "license": "GPL-3.0",
                "repository": "github:wrong/version"})
        .to_string(),
    );
    // A plain npm prefix elsewhere with the right version, old-style license object, the
    // repository equal to the homepage (so no homepage is kept).
    let plain = c.join("fixtures/npm/node_modules/plain-mcp");
    write(
        &plain.join("package.json"),
        &json!({"name": "plain-mcp", "version": "1.0.0", "license": {"type": "ISC"},
                "homepage": "https://github.com/plain/plain-mcp#readme",
                "repository": "plain/plain-mcp"})
        .to_string(),
    );
    // `SEE LICENSE IN LICENSE`: the shipped file says which.
    let see = c.join("npm/see-mcp@3.0.0/node_modules/see-mcp");
    write(
        &see.join("package.json"),
        &json!({"name": "see-mcp", "version": "3.0.0", "license": "SEE LICENSE IN LICENSE"})
            .to_string(),
    );
    write(
        &see.join("LICENSE"),
        "MIT License\n\nCopyright (c) 2026 See\n",
    );
    // A wheel in the probe's PyPI layout.
    write(
        &c.join("pypi/weather-mcp@1.2.0/lib/python3.11/site-packages/weather_mcp-1.2.0.dist-info/METADATA"),
        METADATA,
    );
    // Hostile: a package.json that is not JSON, a name escaping node_modules.
    write(
        &c.join("npm/bad@1.0.0/node_modules/bad/package.json"),
        "{not json",
    );

    let mut ds = Dataset::new(NOW);
    ds.servers = vec![
        record(
            "npm:@acme/files-mcp",
            "npm",
            "@acme/files-mcp",
            "2.0.0",
            Some("2.0.0"),
        ),
        record("npm:plain-mcp", "npm", "plain-mcp", "1.0.0", Some("1.0.0")),
        record(
            "pypi:weather-mcp",
            "pypi",
            "weather-mcp",
            "1.2.0",
            Some("1.2.0"),
        ),
        record("npm:bad", "npm", "bad", "1.0.0", Some("1.0.0")),
        record("npm:see-mcp", "npm", "see-mcp", "3.0.0", Some("3.0.0")),
        record("npm:escape", "npm", "../../etc", "1.0.0", Some("1.0.0")),
        // Not probed: not filled even though its install is there.
        record("npm:unprobed", "npm", "@acme/files-mcp", "2.0.0", None),
    ];
    // Crawled data wins: this record already has a repository.
    let mut crawled = record("npm:kept", "npm", "plain-mcp", "1.0.0", Some("1.0.0"));
    crawled.repository = Some(dataset::Repository {
        url: "https://github.com/crawled/repo".into(),
        forge: "github".into(),
        owner: "crawled".into(),
        name: "repo".into(),
        ..Default::default()
    });
    crawled.sources[0].license = Some("BSD-2-Clause".into());
    ds.servers.push(crawled);

    let r = fill(&mut ds, c);
    assert_eq!(r.probed, 7, "{r:?}");
    assert_eq!(r.installed, 5, "{r:?}");
    let get = |id: &str| ds.get(id).unwrap();

    let files = get("npm:@acme/files-mcp");
    let repo = files.repository.as_ref().unwrap();
    assert_eq!(repo.url, "https://github.com/Acme/tools");
    assert_eq!(repo.subfolder.as_deref(), Some("packages/files"));
    assert_eq!(files.sources[0].license.as_deref(), Some("MIT"));
    assert_eq!(
        files.sources[0].homepage.as_deref(),
        Some("https://files.example.org")
    );
    assert_eq!(
        files.readme.as_deref(),
        Some("# files-mcp\n\nReads files.\n")
    );

    let plain = get("npm:plain-mcp");
    assert_eq!(
        plain.repository.as_ref().unwrap().url,
        "https://github.com/plain/plain-mcp"
    );
    assert_eq!(plain.sources[0].license.as_deref(), Some("ISC"));
    assert_eq!(plain.sources[0].homepage, None);
    assert_eq!(plain.readme, None);

    let weather = get("pypi:weather-mcp");
    let repo = weather.repository.as_ref().unwrap();
    assert_eq!(repo.url, "https://github.com/WeatherCo/weather-mcp");
    assert_eq!(repo.subfolder.as_deref(), Some("server"));
    assert_eq!(weather.sources[0].license.as_deref(), Some("Apache-2.0"));
    assert_eq!(
        weather.sources[0].homepage.as_deref(),
        Some("https://weather.example.org/docs")
    );
    assert!(weather
        .readme
        .as_deref()
        .unwrap()
        .starts_with("# Weather MCP\n"));

    for id in ["npm:bad", "npm:escape", "npm:unprobed"] {
        let s = get(id);
        assert!(s.repository.is_none() && s.readme.is_none(), "{id}");
        assert!(s.sources[0].license.is_none(), "{id}");
    }
    let kept = get("npm:kept");
    assert_eq!(
        kept.repository.as_ref().unwrap().url,
        "https://github.com/crawled/repo"
    );
    assert_eq!(kept.sources[0].license.as_deref(), Some("BSD-2-Clause"));
    assert_eq!(r.repository, 3);
    assert_eq!(
        get("npm:see-mcp").sources[0].license.as_deref(),
        Some("MIT")
    );
    assert_eq!(r.license, 4);
    assert_eq!(r.homepage, 2);
    assert_eq!(r.readme, 2);

    // A second pass changes nothing (bytes stable).
    let before = serde_json::to_vec(&ds).unwrap();
    let again = fill(&mut ds, c);
    assert_eq!((again.repository, again.license, again.readme), (0, 0, 0));
    assert_eq!(before, serde_json::to_vec(&ds).unwrap());
}

#[test]
fn wheel_metadata_license_falls_back_to_the_classifier_and_a_pasted_text_is_not_kept() {
    let text = "Metadata-Version: 2.1\nName: x-mcp\nVersion: 1\nLicense: Permission is hereby \
granted, free of charge,\n        to any person obtaining a copy\nClassifier: License :: OSI \
Approved :: MIT License\nHome-page: https://gitlab.com/o/x-mcp\n\nshort\n";
    let m = wheel_metadata(text).unwrap();
    assert_eq!(m.license.as_deref(), Some("MIT License"));
    assert_eq!(m.repo.as_ref().unwrap().url(), "https://gitlab.com/o/x-mcp");
    assert_eq!(m.readme, None, "a five-byte description is no README");
    assert!(wheel_metadata("garbage without headers").is_none());
}

/// The real installs the probe tests set up (`.ci/setup/probe.sh`): the official reference
/// servers from npm and `mcp-server-time` from PyPI, as their own packages describe themselves.
#[test]
fn the_real_fixture_installs_fill_real_metadata() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/probe-cache/fixtures");
    let pj = root.join("npm/node_modules/@modelcontextprotocol/server-everything/package.json");
    let Ok(bytes) = std::fs::read(&pj) else {
        eprintln!(
            "{}: not installed (run .ci/setup/probe.sh); skipped",
            pj.display()
        );
        return;
    };
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let version = v["version"].as_str().unwrap();
    let mut ds = Dataset::new(NOW);
    ds.servers = vec![record(
        "npm:@modelcontextprotocol/server-everything",
        "npm",
        "@modelcontextprotocol/server-everything",
        version,
        Some(version),
    )];
    ds.servers.push(record(
        "pypi:mcp-server-time",
        "pypi",
        "mcp-server-time",
        "2026.10.19",
        Some("2026.10.19"),
    ));
    let time_installed = root
        .join("time-venv/lib/python3.11/site-packages/mcp_server_time-2026.10.19.dist-info")
        .exists();
    let r = fill(&mut ds, &root);
    assert_eq!(r.installed, 1 + time_installed as usize, "{r:?}");
    if time_installed {
        let t = ds.get("pypi:mcp-server-time").unwrap();
        let repo = t.repository.as_ref().unwrap();
        assert_eq!(repo.url, "https://github.com/modelcontextprotocol/servers");
        assert_eq!(repo.subfolder.as_deref(), Some("src/time"));
        assert_eq!(t.sources[0].license.as_deref(), Some("MIT"));
        assert!(t
            .readme
            .as_deref()
            .unwrap()
            .starts_with("# Time MCP Server"));
    }
    let s = ds
        .get("npm:@modelcontextprotocol/server-everything")
        .unwrap();
    let repo = s
        .repository
        .as_ref()
        .expect("the package names its repository");
    assert_eq!(repo.owner.to_lowercase(), "modelcontextprotocol");
    // It says `SEE LICENSE IN LICENSE` and ships no LICENSE: no license is made up.
    assert_eq!(s.sources[0].license, None);
    assert_eq!(
        s.sources[0].homepage.as_deref(),
        Some("https://modelcontextprotocol.io")
    );
    assert!(s.readme.as_deref().is_some_and(|r| r.len() > 100));
}
