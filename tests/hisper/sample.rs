//! The bundled sample `data/servers.json`: valid, canonical (load → save is byte-identical), big
//! enough, real, and every record exports to an official server.json that passes the rules.

use std::path::PathBuf;
use std::process::Command;

fn sample_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/servers.json")
}

#[test]
fn sample_is_valid_and_round_trips_byte_identically() {
    let path = sample_path();
    let bytes = std::fs::read(&path).expect("the bundled sample exists");
    let problems = dataset::validate::validate_bytes(&bytes);
    assert!(
        problems.is_empty(),
        "{}",
        problems
            .iter()
            .take(10)
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
    let ds = dataset::load(&path).unwrap();
    assert_eq!(
        dataset::to_canonical_bytes(&ds),
        bytes,
        "load → save must reproduce the file byte for byte"
    );

    // Saving through the atomic writer gives the same bytes too.
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("servers.json");
    dataset::save(&copy, &ds).unwrap();
    assert_eq!(std::fs::read(&copy).unwrap(), bytes);
}

#[test]
fn sample_has_at_least_a_thousand_real_packages_from_npm_and_pypi() {
    let ds = dataset::load(&sample_path()).unwrap();
    assert!(ds.servers.len() >= 1000, "{} records", ds.servers.len());
    let npm = ds
        .servers
        .iter()
        .filter(|s| s.has_source(dataset::Source::Npm))
        .count();
    let pypi = ds
        .servers
        .iter()
        .filter(|s| s.has_source(dataset::Source::Pypi))
        .count();
    assert!(npm >= 300 && pypi >= 300, "npm {npm}, pypi {pypi}");
    // Real, well-known packages are in it, classified sensibly.
    let by_name = |n: &str| ds.servers.iter().find(|s| s.name == n);
    let fs = by_name("@modelcontextprotocol/server-filesystem")
        .expect("server-filesystem in the sample");
    assert_eq!(fs.kind, dataset::Kind::Server);
    let sdk = by_name("@modelcontextprotocol/sdk").expect("the TypeScript SDK in the sample");
    assert_eq!(sdk.kind, dataset::Kind::Sdk);
    assert!(by_name("mcp-server-time").is_some());
}

#[test]
fn every_sample_record_exports_to_a_valid_server_json() {
    let ds = dataset::load(&sample_path()).unwrap();
    let mut names = std::collections::HashSet::new();
    for s in &ds.servers {
        let v = dataset::export::to_server_json(s);
        let errs = dataset::export::check_server_json(&v);
        assert!(errs.is_empty(), "{}: {errs:?}", s.id);
        names.insert(v["name"].as_str().unwrap().to_string());
    }
    assert!(
        names.len() as f64 >= ds.servers.len() as f64 * 0.95,
        "export names should be nearly unique"
    );
}

#[test]
fn export_command_writes_one_file_per_server() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hisper"))
        .args(["--quiet", "--data"])
        .arg(sample_path().parent().unwrap())
        .args(["export", "--format", "server-json", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ds = dataset::load(&sample_path()).unwrap();
    let files = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(files, ds.servers.len());
}
