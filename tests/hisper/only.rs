//! `hisper build --only FILE`: a curated subset published as its own site and registry mirror,
//! through the binary (exit codes and the files a host serves).

use std::process::Command;

fn hisper(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hisper"))
        .args(args)
        .output()
        .expect("run hisper");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.code().unwrap_or(-1), stderr)
}

#[test]
fn build_only_publishes_the_approved_servers_and_reports_the_missing_one() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let ds = dataset::synthetic::catalogue(60, 3);
    dataset::save(&data.join("servers.json"), &ds).unwrap();
    let before = std::fs::read(data.join("servers.json")).unwrap();
    let approved = dir.path().join("approved.txt");
    std::fs::write(
        &approved,
        format!(
            "# approved\n{}\n{}\nnpm:not-in-the-dataset\n",
            ds.servers[0].id, ds.servers[7].id
        ),
    )
    .unwrap();
    let out = dir.path().join("site");
    let (code, stderr) = hisper(&[
        "--data",
        data.to_str().unwrap(),
        "build",
        "--no-history",
        "--out",
        out.to_str().unwrap(),
        "--only",
        approved.to_str().unwrap(),
    ]);
    assert_eq!(
        code, 1,
        "a missing approved server is an item failure: {stderr}"
    );
    assert!(stderr.contains("npm:not-in-the-dataset"), "{stderr}");
    let published = dataset::load(&out.join("servers.json")).unwrap();
    let ids: Vec<&str> = published.servers.iter().map(|s| s.id.as_str()).collect();
    let mut want = vec![ds.servers[0].id.as_str(), ds.servers[7].id.as_str()];
    want.sort();
    assert_eq!(ids, want);
    let list: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("v0.1/servers/index.json")).unwrap())
            .unwrap();
    assert_eq!(list["metadata"]["count"], 2);
    assert_eq!(
        std::fs::read(data.join("servers.json")).unwrap(),
        before,
        "the data directory's dataset is untouched"
    );

    // A file that cannot be read is fatal and names the file and line.
    std::fs::write(&approved, "npm:x\nsource=gitlab\n").unwrap();
    let (code, stderr) = hisper(&[
        "--data",
        data.to_str().unwrap(),
        "build",
        "--no-history",
        "--out",
        out.to_str().unwrap(),
        "--only",
        approved.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("approved.txt: line 2"), "{stderr}");
}
