//! The install phase in the sandbox: the package manager runs in bubblewrap with the network
//! shared but nothing of the prober's (no secret in its environment, no file outside the
//! package's cache directory written), and its whole process tree gone when it returns.
//!
//! Nothing here reaches the internet: the npm install is served by a fake registry on
//! 127.0.0.1 (a tarball made by `npm pack` from a tiny package whose lifecycle scripts try to
//! write a marker outside the cache and dump their environment).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use dataset::Package;
use probe::install::{self, InstallOptions};
use probe::{procs, Sandbox};

const SECRET: &str = "ghp_FAKEhisperInstallSecret0123456789";

/// Whether the calling test goes on here: `test` runs again in a child process whose
/// environment (the prober's, which the install must not see) holds the fake secret
/// ([`crate::common::in_child_with_env`]); in this process the caller returns.
fn with_fake_secret_in_env(test: &str) -> bool {
    crate::common::in_child_with_env(
        module_path!(),
        test,
        &[
            ("GITHUB_TOKEN", SECRET),
            ("HISPER_FAKE_SECRET", SECRET),
            ("npm_config__authToken", SECRET),
        ],
    )
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

fn bwrap() -> Option<Sandbox> {
    match probe::detect_bwrap() {
        Ok(p) => Some(Sandbox::Bwrap(p)),
        Err(e) if in_ci() => panic!("bubblewrap must work in CI: {e}"),
        Err(e) => {
            eprintln!("SKIPPED: bubblewrap cannot run here: {e}");
            None
        }
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                todo.push(p.clone());
            }
            out.push(p);
        }
    }
    out.sort();
    out
}

fn assert_no_leftovers(tag: &str) {
    let until = Instant::now() + Duration::from_secs(3);
    loop {
        let left = procs::with_cmdline_containing(tag);
        if left.is_empty() {
            return;
        }
        assert!(Instant::now() < until, "processes left behind: {left:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A hostile "package manager" (a shell script) run through the install runner: what it can
/// see and where it can write.
/// (Its caller runs with the fake secret in its environment: [`with_fake_secret_in_env`].)
fn hostile_install(sandbox: Sandbox, tag: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let root = tempfile::tempdir().expect("tempdir");
    let cache = root.path().join("cache");
    let pkg_dir = cache.join("npm").join("hostile@1.0.0");
    std::fs::create_dir_all(&pkg_dir).unwrap();
    let outside = root.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let host_tmp = PathBuf::from(format!("/tmp/{tag}-tmp-write"));
    let script = format!(
        r#"env > ./env.txt
cat /proc/1/environ > ./pid1-environ.txt 2>/dev/null || true
if echo pwned > '{outside}/marker' 2>/dev/null; then echo outside-written >> ./result.txt; else echo outside-denied >> ./result.txt; fi
if echo pwned > '{host_tmp}' 2>/dev/null; then echo tmp-written >> ./result.txt; fi
if echo pwned > "$HOME/home-file" 2>/dev/null; then echo home-written >> ./result.txt; fi
echo installed > ./payload.txt
sh -c 'sleep 30; : {tag}' &
exit 0
"#,
        outside = outside.display(),
        host_tmp = host_tmp.display(),
    );
    let mut opts = InstallOptions::new(cache.clone());
    opts.sandbox = sandbox;
    opts.timeout = Duration::from_secs(20);
    let sh = probe::sandbox::which("sh").expect("sh");
    let started = Instant::now();
    rt().block_on(install::run_tool(
        &sh,
        &["-c".into(), script],
        &opts,
        &pkg_dir,
    ))
    .expect("the install command succeeds");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the background sleep did not hold the install"
    );
    assert_no_leftovers(tag);
    let _ = std::fs::remove_file(&host_tmp);
    (root, pkg_dir, outside)
}

#[test]
fn sandboxed_install_sees_no_secret_and_writes_only_its_cache_dir() {
    let Some(sb) = bwrap() else { return };
    if !with_fake_secret_in_env("sandboxed_install_sees_no_secret_and_writes_only_its_cache_dir") {
        return;
    }
    let tag = format!("hisper-install-hostile-{}", std::process::id());
    let host_tmp = PathBuf::from(format!("/tmp/{tag}-tmp-write"));
    let (root, pkg_dir, outside) = hostile_install(sb, &tag);
    let env = std::fs::read_to_string(pkg_dir.join("env.txt")).expect("env dumped");
    assert!(
        !env.contains(SECRET),
        "secret leaked into the install: {env}"
    );
    assert!(!env.contains("GITHUB_TOKEN"), "{env}");
    assert!(env.lines().any(|l| l == "HOME=/home/install"), "{env}");
    assert!(env.lines().any(|l| l.starts_with("PATH=")), "{env}");
    let pid1 = std::fs::read(pkg_dir.join("pid1-environ.txt")).unwrap_or_default();
    assert!(!String::from_utf8_lossy(&pid1).contains(SECRET));
    let result = std::fs::read_to_string(pkg_dir.join("result.txt")).expect("result");
    assert!(result.contains("outside-denied"), "{result}");
    // HOME and /tmp are the sandbox's own tmpfs: writable inside, gone after
    assert!(result.contains("home-written") && result.contains("tmp-written"));
    assert!(!host_tmp.exists(), "the sandbox's /tmp is not the host's");
    assert!(
        files_under(&outside).is_empty(),
        "wrote outside the cache dir"
    );
    // the only new files are in the package's cache dir
    let all = files_under(root.path());
    assert!(
        all.iter()
            .all(|p| p.starts_with(&pkg_dir) || pkg_dir.starts_with(p) || p == &outside),
        "{all:?}"
    );
    assert_eq!(
        std::fs::read_to_string(pkg_dir.join("payload.txt")).unwrap(),
        "installed\n"
    );
}

#[test]
fn unsandboxed_install_still_gets_a_clean_env() {
    if !with_fake_secret_in_env("unsandboxed_install_still_gets_a_clean_env") {
        return;
    }
    let tag = format!("hisper-install-bare-{}", std::process::id());
    let (_root, pkg_dir, outside) = hostile_install(Sandbox::None, &tag);
    let env = std::fs::read_to_string(pkg_dir.join("env.txt")).expect("env dumped");
    assert!(
        !env.contains(SECRET),
        "secret leaked into the install: {env}"
    );
    // what --no-sandbox gives up: the file system is the prober's
    let result = std::fs::read_to_string(pkg_dir.join("result.txt")).expect("result");
    assert!(result.contains("outside-written"), "{result}");
    assert!(outside.join("marker").exists());
}

/// A fake npm registry on 127.0.0.1 serving one package: its packument and its tarball.
fn fake_registry(name: &'static str, tarball: Vec<u8>) -> String {
    let server = tiny_http::Server::http("127.0.0.1:0").expect("listen");
    let port = server.server_addr().to_ip().expect("ip").port();
    let base = format!("http://127.0.0.1:{port}");
    let tgz_url = format!("{base}/{name}/-/{name}-1.0.0.tgz");
    let manifest = std::fs::read_to_string(fixture_pkg_dir(name).join("package.json")).unwrap();
    let mut version: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    version["dist"] = serde_json::json!({ "tarball": tgz_url });
    let packument = serde_json::json!({
        "name": name,
        "dist-tags": {"latest": "1.0.0"},
        "versions": {"1.0.0": version}
    })
    .to_string();
    std::thread::spawn(move || {
        for req in server.incoming_requests() {
            let url = req.url().to_string();
            let resp = if url.ends_with(".tgz") {
                tiny_http::Response::from_data(tarball.clone())
            } else if url.trim_start_matches('/') == name {
                tiny_http::Response::from_data(packument.clone().into_bytes()).with_header(
                    "Content-Type: application/json"
                        .parse::<tiny_http::Header>()
                        .unwrap(),
                )
            } else {
                tiny_http::Response::from_data(b"{}".to_vec()).with_status_code(404)
            };
            let _ = req.respond(resp);
        }
    });
    format!("{base}/")
}

fn fixture_pkg_dir(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("{name}-src-{}", std::process::id()))
}

#[test]
fn npm_install_in_the_sandbox_runs_no_lifecycle_script() {
    let Some(sb) = bwrap() else { return };
    let Some(npm) = probe::sandbox::which("npm") else {
        assert!(!in_ci(), "npm must be installed in CI");
        eprintln!("SKIPPED: npm is not installed");
        return;
    };
    if !with_fake_secret_in_env("npm_install_in_the_sandbox_runs_no_lifecycle_script") {
        return;
    }
    let name = "hisper-lifecycle-fixture";
    let root = tempfile::tempdir().unwrap();
    let outside = root.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let src = fixture_pkg_dir(name);
    let _ = std::fs::remove_dir_all(&src);
    std::fs::create_dir_all(&src).unwrap();
    let hook = format!(
        "node -e \"require('fs').writeFileSync('{}/marker-'+process.env.npm_lifecycle_event, JSON.stringify(process.env)); require('fs').writeFileSync('lifecycle-ran', '1')\"",
        outside.display()
    );
    let manifest = serde_json::json!({
        "name": name,
        "version": "1.0.0",
        "bin": {"hisper-lifecycle-fixture": "index.js"},
        "scripts": {"preinstall": hook, "install": hook, "postinstall": hook}
    });
    std::fs::write(
        src.join("package.json"),
        serde_json::to_vec_pretty(&manifest).unwrap(),
    )
    .unwrap();
    std::fs::write(src.join("index.js"), "#!/usr/bin/env node\n").unwrap();
    let pack_dir = root.path().join("pack");
    std::fs::create_dir_all(&pack_dir).unwrap();
    let out = std::process::Command::new(&npm)
        .args(["pack", "--ignore-scripts", "--silent", "--pack-destination"])
        .arg(&pack_dir)
        .arg(&src)
        .env("npm_config_cache", root.path().join("pack-cache"))
        .output()
        .expect("npm pack");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tarball = std::fs::read(pack_dir.join(format!("{name}-1.0.0.tgz"))).expect("tarball");
    let registry = fake_registry(name, tarball);
    std::fs::remove_dir_all(&src).unwrap();

    let cache = root.path().join("cache");
    let mut opts = InstallOptions::new(cache.clone());
    opts.sandbox = sb;
    opts.npm_registry = Some(registry);
    opts.timeout = Duration::from_secs(120);
    let pkg = Package {
        registry_type: "npm".into(),
        identifier: name.into(),
        ..Default::default()
    };
    let inst = rt()
        .block_on(install::install(&pkg, "1.0.0", &opts))
        .expect("installs from the fake registry");
    assert!(inst.sandboxed);
    assert!(inst.install_ms > 0);
    assert!(inst.args[0].ends_with("node_modules/hisper-lifecycle-fixture/index.js"));
    assert!(Path::new(&inst.args[0]).exists());
    // no lifecycle script ran: no marker outside, nothing written by one inside
    assert!(
        files_under(&outside).is_empty(),
        "{:?}",
        files_under(&outside)
    );
    let written = files_under(&cache);
    assert!(
        !written.iter().any(|p| p.ends_with("lifecycle-ran")),
        "{written:?}"
    );
    // only the package's own directory was written (the download cache was the sandbox's /tmp)
    let pkg_dir = cache.join("npm").join("hisper-lifecycle-fixture@1.0.0");
    assert!(
        written
            .iter()
            .all(|p| p.starts_with(&pkg_dir) || pkg_dir.starts_with(p)),
        "{written:?}"
    );
    // the cached install is reused and still known as sandboxed
    let again = rt()
        .block_on(install::install(&pkg, "1.0.0", &opts))
        .expect("cached");
    assert_eq!(again.install_ms, 0);
    assert!(again.sandboxed);
    // an install made without the sandbox is not trusted by a sandboxed run: redone
    std::fs::write(pkg_dir.join(".hisper-installed"), b"unsandboxed\n").unwrap();
    let redone = rt()
        .block_on(install::install(&pkg, "1.0.0", &opts))
        .expect("reinstalled");
    assert!(redone.install_ms > 0);
    assert!(redone.sandboxed);
    assert!(files_under(&outside).is_empty());
}

/// Builds a pure-Python wheel with a console script (Python's zipfile, hashes in RECORD).
fn build_wheel(python: &Path, dir: &Path) -> PathBuf {
    let script = r#"
import base64, hashlib, sys, zipfile
out = sys.argv[1]
files = {
    "hisper_wheel_fixture/__init__.py": "def main():\n    print('hi')\n",
    "hisper_wheel_fixture-1.0.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: hisper-wheel-fixture\nVersion: 1.0.0\n",
    "hisper_wheel_fixture-1.0.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: hisper-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    "hisper_wheel_fixture-1.0.0.dist-info/entry_points.txt": "[console_scripts]\nhisper-wheel-fixture = hisper_wheel_fixture:main\n",
}
record = []
with zipfile.ZipFile(out, "w") as z:
    for name, text in files.items():
        data = text.encode()
        z.writestr(name, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append("hisper_wheel_fixture-1.0.0.dist-info/RECORD,,")
    z.writestr("hisper_wheel_fixture-1.0.0.dist-info/RECORD", "\n".join(record) + "\n")
"#;
    let whl = dir.join("hisper_wheel_fixture-1.0.0-py3-none-any.whl");
    let out = std::process::Command::new(python)
        .args(["-c", script])
        .arg(&whl)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    whl
}

/// A fake PyPI simple index on 127.0.0.1 serving one wheel.
fn fake_index(wheel: Vec<u8>, file: String) -> String {
    let server = tiny_http::Server::http("127.0.0.1:0").expect("listen");
    let port = server.server_addr().to_ip().expect("ip").port();
    std::thread::spawn(move || {
        for req in server.incoming_requests() {
            let url = req.url().to_string();
            let resp = if url.starts_with("/simple/hisper-wheel-fixture") {
                let html = format!(
                    "<!DOCTYPE html><html><body><a href=\"/files/{file}\">{file}</a></body></html>"
                );
                tiny_http::Response::from_data(html.into_bytes()).with_header(
                    "Content-Type: text/html"
                        .parse::<tiny_http::Header>()
                        .unwrap(),
                )
            } else if url == format!("/files/{file}") {
                tiny_http::Response::from_data(wheel.clone())
            } else {
                tiny_http::Response::from_data(b"not found".to_vec()).with_status_code(404)
            };
            let _ = req.respond(resp);
        }
    });
    format!("http://127.0.0.1:{port}")
}

#[test]
fn pypi_install_in_the_sandbox_makes_a_venv_and_writes_only_its_dir() {
    let Some(sb) = bwrap() else { return };
    let Some(python) = probe::sandbox::which("python3") else {
        assert!(!in_ci(), "python3 must be installed in CI");
        eprintln!("SKIPPED: python3 is not installed");
        return;
    };
    if !with_fake_secret_in_env("pypi_install_in_the_sandbox_makes_a_venv_and_writes_only_its_dir")
    {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let whl = build_wheel(&python, root.path());
    let file = whl.file_name().unwrap().to_string_lossy().into_owned();
    let index = fake_index(std::fs::read(&whl).unwrap(), file);
    std::fs::remove_file(&whl).unwrap();
    let cache = root.path().join("cache");
    let mut opts = InstallOptions::new(cache.clone());
    opts.sandbox = sb;
    opts.pypi_index = Some(index);
    opts.timeout = Duration::from_secs(120);
    let pkg = Package {
        registry_type: "pypi".into(),
        identifier: "hisper-wheel-fixture".into(),
        ..Default::default()
    };
    let inst = rt()
        .block_on(install::install(&pkg, "1.0.0", &opts))
        .expect("installs from the fake index");
    assert!(inst.sandboxed);
    assert!(
        inst.program.ends_with("bin/hisper-wheel-fixture"),
        "{inst:?}"
    );
    let pkg_dir = cache.join("pypi").join("hisper-wheel-fixture@1.0.0");
    assert_eq!(inst.dir, pkg_dir);
    let written = files_under(root.path());
    assert!(
        written
            .iter()
            .all(|p| p.starts_with(&pkg_dir) || pkg_dir.starts_with(p)),
        "{written:?}"
    );
    // the console script runs from the venv built in the sandbox
    let out = std::process::Command::new(&inst.program)
        .output()
        .expect("script runs");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hi\n");
}

#[test]
fn sandboxed_install_timeout_kills_the_whole_tree() {
    let Some(sb) = bwrap() else { return };
    let tag = format!("hisper-install-slow-{}", std::process::id());
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("pkg");
    std::fs::create_dir_all(&dir).unwrap();
    let mut opts = InstallOptions::new(root.path().to_path_buf());
    opts.sandbox = sb;
    opts.timeout = Duration::from_millis(800);
    let sh = probe::sandbox::which("sh").expect("sh");
    let script = format!("(sh -c 'sleep 60; : {tag}' &); sh -c 'sleep 60; : {tag}'");
    let started = Instant::now();
    let r = rt().block_on(install::run_tool(&sh, &["-c".into(), script], &opts, &dir));
    assert!(matches!(r, Err(install::InstallError::Timeout(_))), "{r:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_no_leftovers(&tag);
}

#[test]
fn a_package_the_registry_does_not_have_is_install_failed() {
    let Some(sb) = bwrap() else { return };
    if probe::sandbox::which("npm").is_none() {
        assert!(!in_ci(), "npm must be installed in CI");
        eprintln!("SKIPPED: npm is not installed");
        return;
    }
    if !with_fake_secret_in_env("a_package_the_registry_does_not_have_is_install_failed") {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    // an empty registry: every packument is a 404
    let server = tiny_http::Server::http("127.0.0.1:0").expect("listen");
    let port = server.server_addr().to_ip().expect("ip").port();
    std::thread::spawn(move || {
        for req in server.incoming_requests() {
            let _ = req.respond(
                tiny_http::Response::from_data(b"{\"error\":\"not found\"}".to_vec())
                    .with_status_code(404),
            );
        }
    });
    let mut install = InstallOptions::new(root.path().join("cache"));
    install.sandbox = sb.clone();
    install.npm_registry = Some(format!("http://127.0.0.1:{port}/"));
    install.timeout = Duration::from_secs(60);
    let mut probe_opts = probe::Options::with_timeout(10.0);
    probe_opts.sandbox = sb;
    let opts = probe::batch::BatchOptions {
        probe: probe_opts,
        install,
        concurrency: 1,
        since_days: None,
    };
    let pkg = Package {
        registry_type: "npm".into(),
        identifier: "hisper-no-such-package".into(),
        ..Default::default()
    };
    let rec = rt().block_on(probe::batch::probe_package(&pkg, "1.0.0", &opts));
    assert_eq!(rec.outcome, dataset::Outcome::InstallFailed, "{rec:#?}");
    assert_eq!(rec.phase.as_deref(), Some("install"));
    let evidence = format!(
        "{} {}",
        rec.detail.as_deref().unwrap_or(""),
        rec.stderr_tail.as_deref().unwrap_or("")
    );
    assert!(evidence.contains("404"), "{evidence}");
    assert!(!evidence.contains(SECRET));
}
