//! `hisper run --offline` on the bundled sample: it produces the site; a second run skips every
//! unchanged stage and leaves the output byte-identical; a forced re-run regenerates the same bytes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn hisper(data: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hisper"))
        .env("HISPER_LOG", "info")
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .expect("run hisper");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.code().unwrap_or(-1), stderr)
}

fn tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, root, out);
            } else {
                out.insert(
                    p.strip_prefix(root).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

#[test]
fn offline_run_builds_the_site_then_skips_unchanged_stages() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/servers.json"),
        data.join("servers.json"),
    )
    .unwrap();
    let public = dir.path().join("public");
    let public_arg = public.to_str().unwrap();

    let (code, log) = hisper(&data, &["run", "--offline", "--out", public_arg]);
    assert_eq!(code, 0, "{log}");
    for stage in ["enrich", "index", "build"] {
        assert!(
            log.contains(&format!("{stage}: running")),
            "{stage} did not run:\n{log}"
        );
    }
    assert!(public.join("index.html").is_file());
    assert!(public.join("servers").is_dir());
    let first = tree(&public);
    let dataset_after_first = std::fs::read(data.join("servers.json")).unwrap();

    let (code, log) = hisper(&data, &["run", "--offline", "--out", public_arg]);
    assert_eq!(code, 0, "{log}");
    for stage in ["enrich", "index", "build"] {
        assert!(
            log.contains(&format!("{stage}: inputs unchanged, skipped")),
            "{stage} was not skipped:\n{log}"
        );
    }
    assert!(tree(&public) == first, "a skipped run changed the site");
    assert_eq!(
        std::fs::read(data.join("servers.json")).unwrap(),
        dataset_after_first
    );

    // Every stage again: deterministic stages regenerate the same bytes.
    let (code, log) = hisper(&data, &["run", "--offline", "--force", "--out", public_arg]);
    assert_eq!(code, 0, "{log}");
    let again = tree(&public);
    let differing: Vec<_> = first
        .keys()
        .filter(|k| first.get(*k) != again.get(*k))
        .take(5)
        .collect();
    assert!(
        differing.is_empty() && first.len() == again.len(),
        "forced re-run differs: {differing:?}"
    );
    assert_eq!(
        std::fs::read(data.join("servers.json")).unwrap(),
        dataset_after_first
    );
}

#[test]
fn offline_run_without_a_dataset_is_a_clear_fatal_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, log) = hisper(dir.path(), &["run", "--offline"]);
    assert_eq!(code, 2);
    assert!(log.contains("no dataset to render"), "{log}");
}

#[test]
fn a_broken_dataset_stops_the_run_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        data.join("servers.json"),
        b"{\"schema_version\": 1, \"generated_at\": ",
    )
    .unwrap();
    let public = dir.path().join("public");
    let (code, log) = hisper(
        &data,
        &["run", "--offline", "--out", public.to_str().unwrap()],
    );
    assert_eq!(code, 2, "{log}");
    assert!(
        !public.exists(),
        "nothing may be published from a broken dataset"
    );
    assert_eq!(
        std::fs::read(data.join("servers.json")).unwrap(),
        b"{\"schema_version\": 1, \"generated_at\": "
    );
}
