//! The install phase: a server's package installed with network, before and apart from the
//! probe, into a per-package, per-version cache directory, with lifecycle scripts off where the
//! ecosystem allows it (npm `--ignore-scripts`; pip wheels only, then an sdist build as a
//! fallback), under a timeout, with a clean environment (no token of the prober's reaches the
//! package manager).
//!
//! With a sandbox (the default of `hisper probe`) the package manager itself runs in bubblewrap:
//! network shared (it needs the registry) but fresh PID, IPC and UTS namespaces, a read-only
//! system, a fresh tmpfs HOME and `/tmp`, and the package's own cache directory as the only
//! writable path, so a build script (an sdist's `setup.py`) can neither read the prober's files
//! and secrets nor write anywhere else. Its environment is an allowlist: PATH, HOME, LANG, the
//! certificate and proxy settings, the package managers' own non-secret configuration and the
//! registry endpoints. Without a sandbox (`--no-sandbox`) it runs as a bare process and the
//! install is recorded as unsandboxed.
//!
//! Then the launch: which program to run from the installed package (npm `bin`, PyPI
//! `console_scripts`) and the declared arguments and env vars, with clearly fake placeholders
//! for the required ones. Registry endpoints are never built in: `HISPER_NPM_REGISTRY` and
//! `HISPER_PYPI` when set, else the clients' own configuration.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use dataset::{Argument, ConfigMode, Package};
use serde_json::Value;

use crate::sandbox::{which, InstallSpawn, Limits, Sandbox, Spawn, INSTALL_HOME};
use crate::session::Target;

/// The value given to required configuration nobody provided.
pub const PLACEHOLDER: &str = "hisper-placeholder-not-a-real-value";

/// Where and how installs happen.
#[derive(Debug, Clone)]
pub struct InstallOptions {
    pub cache_dir: PathBuf,
    pub timeout: Duration,
    /// npm registry base (else npm's own configuration).
    pub npm_registry: Option<String>,
    /// PyPI index base; `/simple/` is appended when missing (else pip's own configuration).
    pub pypi_index: Option<String>,
    /// Where the package manager runs (bubblewrap with the network shared, or a bare process).
    pub sandbox: Sandbox,
    /// Resource limits of the package manager's process tree.
    pub limits: Limits,
}

impl InstallOptions {
    pub fn new(cache_dir: PathBuf) -> Self {
        InstallOptions {
            cache_dir,
            timeout: Duration::from_secs(180),
            npm_registry: std::env::var("HISPER_NPM_REGISTRY")
                .ok()
                .filter(|s| !s.is_empty()),
            pypi_index: std::env::var("HISPER_PYPI").ok().filter(|s| !s.is_empty()),
            sandbox: Sandbox::None,
            limits: Limits {
                cpu_secs: 600,
                address_space: None,
                data: Some(2 << 30),
                open_files: 4096,
                file_size: 1 << 30,
            },
        }
    }
}

/// Why a package could not be installed or launched.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// Not something this prober can install (oci, nuget, mcpb, …), or nothing to run in it.
    #[error("{0}")]
    NotLaunchable(String),
    #[error("install failed: {detail}")]
    Failed { detail: String, stderr: String },
    #[error("install did not finish within {0:?}")]
    Timeout(Duration),
}

fn safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                c
            } else {
                '+'
            }
        })
        .collect()
}

/// Env for package managers: allowlisted, plus their own configuration variables.
fn installer_env() -> Vec<(String, String)> {
    let mut env = Vec::new();
    for (k, v) in std::env::vars() {
        let keep = matches!(
            k.as_str(),
            "PATH"
                | "HOME"
                | "LANG"
                | "TMPDIR"
                | "SSL_CERT_FILE"
                | "SSL_CERT_DIR"
                | "PYENV_ROOT"
                | "PYENV_VERSION"
                | "HTTP_PROXY"
                | "HTTPS_PROXY"
                | "NO_PROXY"
                | "http_proxy"
                | "https_proxy"
                | "no_proxy"
                | "PIP_INDEX_URL"
                | "PIP_EXTRA_INDEX_URL"
                | "PIP_TRUSTED_HOST"
                | "PIP_CERT"
                | "UV_INDEX_URL"
                | "UV_DEFAULT_INDEX"
                | "UV_NATIVE_TLS"
                | "UV_SYSTEM_CERTS"
                | "NODE_EXTRA_CA_CERTS"
                | "REQUESTS_CA_BUNDLE"
                | "CURL_CA_BUNDLE"
        ) || {
            let l = k.to_ascii_lowercase();
            (l.starts_with("npm_config_") || l.starts_with("pip_") || l.starts_with("uv_"))
                && !["token", "auth", "password", "secret"]
                    .iter()
                    .any(|w| l.contains(w))
        };
        if keep {
            env.push((k, v));
        }
    }
    env
}

/// Whether a variable name smells like a credential.
fn secret_name(k: &str) -> bool {
    let l = k.to_ascii_lowercase();
    [
        "token",
        "auth",
        "password",
        "passwd",
        "secret",
        "credential",
        "_key",
    ]
    .iter()
    .any(|w| l.contains(w))
}

/// Whether a value carries credentials (`scheme://user:pass@host`).
fn has_userinfo(v: &str) -> bool {
    v.split_once("://")
        .map(|(_, rest)| rest.split('/').next().unwrap_or("").contains('@'))
        .unwrap_or(false)
}

/// Variables whose value is a file or directory the package manager must read (bound read-only).
const PATH_VARS: [&str; 9] = [
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "NODE_EXTRA_CA_CERTS",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "PIP_CERT",
    "PIP_FIND_LINKS",
    "npm_config_cafile",
    "NPM_CONFIG_CAFILE",
];

/// The environment of a sandboxed install: PATH (the tool's own directory first), a tmpfs HOME,
/// LANG, `/tmp`, then from the prober's environment only certificate and proxy settings and the
/// package managers' own non-secret configuration (no userinfo in URLs, no token-like names, no
/// pointer to a user config file). Returns the env and the paths it names (to bind read-only).
pub fn sandboxed_installer_env(program: &Path) -> (Vec<(String, String)>, Vec<PathBuf>) {
    let mut path: Vec<String> = Vec::new();
    if let Some(d) = program.parent() {
        path.push(d.to_string_lossy().into_owned());
    }
    path.push("/usr/local/bin:/usr/bin:/bin".into());
    let mut env = vec![
        ("PATH".to_string(), path.join(":")),
        ("HOME".to_string(), INSTALL_HOME.to_string()),
        ("LANG".to_string(), "C.UTF-8".to_string()),
        ("TMPDIR".to_string(), "/tmp".to_string()),
    ];
    let mut binds = Vec::new();
    for (k, v) in std::env::vars() {
        let l = k.to_ascii_lowercase();
        let infra = PATH_VARS.contains(&k.as_str())
            || matches!(
                l.as_str(),
                "http_proxy" | "https_proxy" | "no_proxy" | "pip_index_url" | "uv_index_url"
            );
        let own_config =
            (l.starts_with("npm_config_") || l.starts_with("pip_") || l.starts_with("uv_"))
                && !l.contains("userconfig")
                && !l.contains("globalconfig")
                && !l.ends_with("config_file")
                && !l.contains("cache")
                && !l.contains("prefix");
        if !(infra || own_config) || secret_name(&k) || has_userinfo(&v) {
            continue;
        }
        if PATH_VARS.contains(&k.as_str()) && v.starts_with('/') {
            binds.push(PathBuf::from(&v));
        }
        env.push((k, v));
    }
    env.sort();
    (env, binds)
}

/// Runs one package-manager command with `writable` as its only writable directory (in the
/// sandbox of `opts`), under the timeout; the whole process tree is gone when it returns.
pub async fn run_tool(
    program: &Path,
    args: &[String],
    opts: &InstallOptions,
    writable: &Path,
) -> Result<(), InstallError> {
    let timeout = opts.timeout;
    let (env, ro_binds) = match opts.sandbox {
        Sandbox::Bwrap(_) => sandboxed_installer_env(program),
        Sandbox::None => (installer_env(), Vec::new()),
    };
    let spawn = InstallSpawn {
        program: program.to_path_buf(),
        args: args.to_vec(),
        env,
        writable: writable.to_path_buf(),
        ro_binds,
    };
    let mut cmd = crate::sandbox::install_command(&opts.sandbox, &spawn, opts.limits);
    let mut child = cmd.spawn().map_err(|e| InstallError::Failed {
        detail: format!("cannot run {}: {e}", program.display()),
        stderr: String::new(),
    })?;
    let pid = child.id().map(|p| p as i32);
    // Output is drained as it comes (stdout dropped, a bounded stderr tail kept), and the wait
    // is for the process, not for EOF: a helper left running with our pipes cannot stall it.
    let drain = |r: Option<Box<dyn tokio::io::AsyncRead + Unpin + Send>>, keep: bool| {
        tokio::spawn(async move {
            use tokio::io::AsyncReadExt;
            let mut tail = crate::redact::Tail::new(4096);
            let Some(mut r) = r else { return tail };
            let mut buf = vec![0u8; 16 * 1024];
            while let Ok(n) = r.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                if keep {
                    tail.push(&buf[..n]);
                }
            }
            tail
        })
    };
    let out_task = drain(
        child
            .stdout
            .take()
            .map(|o| Box::new(o) as Box<dyn tokio::io::AsyncRead + Unpin + Send>),
        false,
    );
    let err_task = drain(
        child
            .stderr
            .take()
            .map(|e| Box::new(e) as Box<dyn tokio::io::AsyncRead + Unpin + Send>),
        true,
    );
    let waited = tokio::time::timeout(timeout, child.wait()).await;
    // Stragglers of the group (a daemonised helper) go too; in bubblewrap, the PID namespace
    // dies with its first process (`--die-with-parent`).
    if let Some(p) = pid {
        crate::procs::signal_group(p, libc::SIGKILL);
    }
    if waited.is_err() {
        let _ = child.kill().await;
    }
    let grace = Duration::from_secs(2);
    let _ = tokio::time::timeout(grace, out_task).await;
    let tail = match tokio::time::timeout(grace, err_task).await {
        Ok(Ok(t)) => t,
        _ => crate::redact::Tail::new(16),
    };
    match waited {
        Err(_) => Err(InstallError::Timeout(timeout)),
        Ok(Err(e)) => Err(InstallError::Failed {
            detail: e.to_string(),
            stderr: String::new(),
        }),
        Ok(Ok(status)) if status.success() => Ok(()),
        Ok(Ok(status)) => {
            let text = tail.text(30);
            let last = text
                .lines()
                .find(|l| {
                    let l = l.to_ascii_lowercase();
                    (l.contains("error") && !l.contains("complete log"))
                        || l.contains("no matching")
                })
                .or_else(|| text.lines().rev().find(|l| !l.trim().is_empty()))
                .unwrap_or("")
                .to_string();
            Err(InstallError::Failed {
                detail: format!(
                    "{} exited with {}: {last}",
                    program
                        .file_name()
                        .map(|f| f.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    status
                ),
                stderr: text,
            })
        }
    }
}

/// What an install produced: the launch and how long it took (0 when cached).
#[derive(Debug, Clone)]
pub struct Installed {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub dir: PathBuf,
    pub install_ms: u64,
    /// Whether the install ran in the sandbox (read back from the cache marker when cached).
    pub sandboxed: bool,
}

/// Installs `pkg` at `version` (or reuses the cache) and finds the program to run.
pub async fn install(
    pkg: &Package,
    version: &str,
    opts: &InstallOptions,
) -> Result<Installed, InstallError> {
    match pkg.registry_type.as_str() {
        "npm" => install_npm(&pkg.identifier, version, opts).await,
        "pypi" => install_pypi(&pkg.identifier, version, opts).await,
        other => Err(InstallError::NotLaunchable(format!(
            "{other} packages are not installed by the prober"
        ))),
    }
}

const MARKER: &str = ".hisper-installed";

fn write_marker(dir: &Path, opts: &InstallOptions) {
    let how: &[u8] = match opts.sandbox {
        Sandbox::Bwrap(_) => b"sandboxed\n",
        Sandbox::None => b"unsandboxed\n",
    };
    let _ = std::fs::write(dir.join(MARKER), how);
}

fn read_marker(dir: &Path) -> bool {
    std::fs::read(dir.join(MARKER)).is_ok_and(|b| b.starts_with(b"sandboxed"))
}

/// Whether the cache holds a usable install: any finished one without a sandbox, only a
/// sandboxed one with it (an install made bare is redone in the sandbox).
fn cached(dir: &Path, opts: &InstallOptions) -> bool {
    dir.join(MARKER).exists() && (opts.sandbox == Sandbox::None || read_marker(dir))
}

/// The npm registry to pass explicitly: ours, else the npm client's own configured registry
/// read once from the host (the sandbox cannot see the user's npmrc), without credentials.
fn npm_registry(opts: &InstallOptions, npm: &Path) -> Option<String> {
    if let Some(r) = &opts.npm_registry {
        return Some(r.clone());
    }
    if opts.sandbox == Sandbox::None {
        return None;
    }
    static HOST: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    HOST.get_or_init(|| {
        let out = std::process::Command::new(npm)
            .args(["config", "get", "registry"])
            .env_clear()
            .envs(installer_env())
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()?;
        let r = String::from_utf8_lossy(&out.stdout).trim().to_string();
        (out.status.success() && r.contains("://") && !has_userinfo(&r)).then_some(r)
    })
    .clone()
}

/// The interpreter behind `python3` (a pyenv shim or a venv resolved to the real binary), so
/// the sandbox can bind its prefix.
fn real_python(python: &Path) -> PathBuf {
    static REAL: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    REAL.get_or_init(|| {
        let out = std::process::Command::new(python)
            .args([
                "-c",
                "import sys; print(getattr(sys, '_base_executable', '') or sys.executable)",
            ])
            .env_clear()
            .envs(installer_env())
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()?;
        let p = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        (out.status.success() && p.is_absolute() && p.exists()).then_some(p)
    })
    .clone()
    .unwrap_or_else(|| python.to_path_buf())
}

async fn install_npm(
    name: &str,
    version: &str,
    opts: &InstallOptions,
) -> Result<Installed, InstallError> {
    let dir = opts
        .cache_dir
        .join("npm")
        .join(format!("{}@{}", safe(name), safe(version)));
    let t = Instant::now();
    let mut install_ms = 0;
    if !cached(&dir, opts) {
        let _ = std::fs::remove_dir_all(&dir);
        let npm = which("npm").ok_or_else(|| InstallError::Failed {
            detail: "npm is not installed".into(),
            stderr: String::new(),
        })?;
        std::fs::create_dir_all(&dir).map_err(|e| InstallError::Failed {
            detail: e.to_string(),
            stderr: String::new(),
        })?;
        let mut args: Vec<String> = ["install", "--prefix"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        args.push(dir.to_string_lossy().into_owned());
        for a in [
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
            "--no-package-lock",
            "--omit=dev",
            "--loglevel=error",
        ] {
            args.push(a.into());
        }
        match opts.sandbox {
            // the only writable directory is the package's own: the download cache is thrown away
            Sandbox::Bwrap(_) => args.push("--cache=/tmp/npm-cache".into()),
            Sandbox::None => args.push(format!(
                "--cache={}",
                opts.cache_dir.join("npm-cache").display()
            )),
        }
        if let Some(r) = npm_registry(opts, &npm) {
            args.push(format!("--registry={r}"));
        }
        args.push(format!("{name}@{version}"));
        run_tool(&npm, &args, opts, &dir).await?;
        write_marker(&dir, opts);
        install_ms = t.elapsed().as_millis() as u64;
    }
    let pkg_dir = dir.join("node_modules").join(name);
    let manifest: Value = std::fs::read(pkg_dir.join("package.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| InstallError::Failed {
            detail: format!("{name}: no package.json after install"),
            stderr: String::new(),
        })?;
    let bin = npm_bin(name, &manifest)
        .ok_or_else(|| InstallError::NotLaunchable(format!("{name} has no bin to run")))?;
    let file = pkg_dir.join(bin);
    let node = which("node").ok_or_else(|| InstallError::Failed {
        detail: "node is not installed".into(),
        stderr: String::new(),
    })?;
    Ok(Installed {
        program: node,
        args: vec![file.to_string_lossy().into_owned()],
        sandboxed: read_marker(&dir),
        dir,
        install_ms,
    })
}

/// The bin npx would run: the only one, or the one named like the package (unscoped).
pub fn npm_bin(name: &str, manifest: &Value) -> Option<String> {
    match manifest.get("bin")? {
        Value::String(s) => Some(s.clone()),
        Value::Object(m) => {
            let unscoped = name.rsplit('/').next().unwrap_or(name);
            if m.len() == 1 {
                return m.values().next()?.as_str().map(str::to_string);
            }
            m.get(unscoped)
                .or_else(|| {
                    m.iter()
                        .find(|(k, _)| unscoped.contains(k.as_str()))
                        .map(|(_, v)| v)
                })
                .or_else(|| m.values().next())
                .and_then(Value::as_str)
                .map(str::to_string)
        }
        _ => None,
    }
}

fn normalize_py(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c == '-' || c == '_' || c == '.' {
            if !out.ends_with('_') {
                out.push('_');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

async fn install_pypi(
    name: &str,
    version: &str,
    opts: &InstallOptions,
) -> Result<Installed, InstallError> {
    let dir = opts
        .cache_dir
        .join("pypi")
        .join(format!("{}@{}", safe(name), safe(version)));
    let t = Instant::now();
    let mut install_ms = 0;
    if !cached(&dir, opts) {
        let python = which("python3").ok_or_else(|| InstallError::Failed {
            detail: "python3 is not installed".into(),
            stderr: String::new(),
        })?;
        let python = match opts.sandbox {
            Sandbox::Bwrap(_) => real_python(&python),
            Sandbox::None => python,
        };
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| InstallError::Failed {
            detail: e.to_string(),
            stderr: String::new(),
        })?;
        run_tool(
            &python,
            &[
                "-m".into(),
                "venv".into(),
                dir.to_string_lossy().into_owned(),
            ],
            opts,
            &dir,
        )
        .await?;
        let pip = dir.join("bin").join("pip");
        let mut base: Vec<String> = ["install", "-q", "--disable-pip-version-check", "--no-input"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        if let Some(i) = &opts.pypi_index {
            let i = i.trim_end_matches('/');
            base.push(format!(
                "--index-url={}",
                if i.ends_with("/simple") {
                    i.to_string()
                } else {
                    format!("{i}/simple")
                }
            ));
        }
        let spec = format!("{name}=={version}");
        let mut wheels = base.clone();
        wheels.extend([
            "--only-binary".to_string(),
            ":all:".to_string(),
            spec.clone(),
        ]);
        if let Err(first) = run_tool(&pip, &wheels, opts, &dir).await {
            if matches!(first, InstallError::Timeout(_)) {
                return Err(first);
            }
            // no wheel for something: allow sdist builds (they run code; install phase only)
            let mut any = base;
            any.push(spec);
            run_tool(&pip, &any, opts, &dir).await?;
        }
        write_marker(&dir, opts);
        install_ms = t.elapsed().as_millis() as u64;
    }
    let script = console_script(&dir, name).ok_or_else(|| {
        InstallError::NotLaunchable(format!("{name} has no console script to run"))
    })?;
    Ok(Installed {
        program: dir.join("bin").join(script),
        args: Vec::new(),
        sandboxed: read_marker(&dir),
        dir,
        install_ms,
    })
}

/// The console script of the installed distribution `name` in a venv.
pub fn console_script(venv: &Path, name: &str) -> Option<String> {
    let want = normalize_py(name);
    let lib = venv.join("lib");
    for py in std::fs::read_dir(&lib).ok()?.flatten() {
        let site = py.path().join("site-packages");
        let Ok(entries) = std::fs::read_dir(&site) else {
            continue;
        };
        for e in entries.flatten() {
            let fname = e.file_name().to_string_lossy().into_owned();
            let Some(stem) = fname.strip_suffix(".dist-info") else {
                continue;
            };
            let dist = stem.rsplit_once('-').map(|(d, _)| d).unwrap_or(stem);
            if normalize_py(dist) != want {
                continue;
            }
            let text = std::fs::read_to_string(e.path().join("entry_points.txt")).ok()?;
            let scripts = parse_console_scripts(&text);
            let pick = scripts
                .iter()
                .find(|s| normalize_py(s) == want)
                .or_else(|| {
                    scripts.iter().find(|s| {
                        want.contains(&normalize_py(s)) || normalize_py(s).contains(&want)
                    })
                })
                .or_else(|| scripts.first());
            return pick.cloned();
        }
    }
    None
}

fn parse_console_scripts(text: &str) -> Vec<String> {
    let mut in_section = false;
    let mut out = Vec::new();
    for line in text.lines() {
        let l = line.trim();
        if l.starts_with('[') {
            in_section = l == "[console_scripts]";
        } else if in_section {
            if let Some((k, _)) = l.split_once('=') {
                out.push(k.trim().to_string());
            }
        }
    }
    out.sort();
    out
}

fn placeholder_for(a: &Argument) -> (String, bool) {
    if let Some(v) = a.value.as_ref().or(a.default.as_ref()) {
        if !v.contains('{') {
            return (v.clone(), false);
        }
    }
    if let Some(c) = a.choices.first() {
        return (c.clone(), false);
    }
    match a.format.as_deref() {
        Some("filepath") => ("/tmp".into(), true),
        Some("number") => ("0".into(), true),
        Some("boolean") => ("false".into(), true),
        _ => (PLACEHOLDER.into(), true),
    }
}

/// The probe target for an installed package: declared package arguments and required env vars,
/// with placeholders where nothing was given (then `config_mode: placeholder`).
pub fn target(pkg: &Package, version: &str, inst: &Installed) -> Target {
    let mut args = inst.args.clone();
    let mut env = Vec::new();
    let mut needs = Vec::new();
    let mut placeholder = false;
    for a in &pkg.package_arguments {
        let required = a.is_required || a.value.is_some();
        if !required {
            continue;
        }
        let (v, ph) = placeholder_for(a);
        placeholder |= ph;
        match a.kind.as_deref() {
            Some("named") => {
                let Some(n) = a.name.clone() else { continue };
                if ph {
                    needs.push(n.clone());
                }
                args.push(n);
                args.push(v);
            }
            _ => {
                if ph {
                    needs.push(
                        a.name
                            .clone()
                            .or(a.value_hint.clone())
                            .unwrap_or_else(|| "argument".into()),
                    );
                }
                args.push(v);
            }
        }
    }
    for e in &pkg.environment_variables {
        let Some(n) = e.name.clone() else { continue };
        if !e.is_required && e.value.is_none() {
            continue;
        }
        let (v, ph) = placeholder_for(e);
        placeholder |= ph;
        if ph {
            needs.push(n.clone());
        }
        env.push((n, v));
    }
    let path_prepend = vec![inst
        .program
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()];
    Target {
        spawn: Spawn {
            program: inst.program.clone(),
            args,
            env,
            ro_binds: vec![inst.dir.clone()],
            path_prepend,
            cwd: None,
        },
        config_mode: if placeholder {
            ConfigMode::Placeholder
        } else {
            ConfigMode::None
        },
        needs,
        version: Some(version.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn picks_npm_bins_like_npx() {
        assert_eq!(
            npm_bin("x", &json!({"bin": "dist/index.js"})).as_deref(),
            Some("dist/index.js")
        );
        assert_eq!(
            npm_bin(
                "@scope/server-a",
                &json!({"bin": {"other": "o.js", "server-a": "a.js"}})
            )
            .as_deref(),
            Some("a.js")
        );
        assert_eq!(npm_bin("x", &json!({"name": "x"})), None);
    }

    #[test]
    fn placeholders_for_required_config() {
        let pkg = Package {
            registry_type: "npm".into(),
            identifier: "x".into(),
            environment_variables: vec![
                Argument {
                    name: Some("API_KEY".into()),
                    is_required: true,
                    is_secret: true,
                    ..Default::default()
                },
                Argument {
                    name: Some("OPTIONAL".into()),
                    ..Default::default()
                },
            ],
            package_arguments: vec![Argument {
                kind: Some("positional".into()),
                value_hint: Some("dir".into()),
                format: Some("filepath".into()),
                is_required: true,
                ..Default::default()
            }],
            ..Default::default()
        };
        let inst = Installed {
            program: "/x/bin/node".into(),
            args: vec!["/x/a.js".into()],
            dir: "/x".into(),
            install_ms: 0,
            sandboxed: true,
        };
        let t = target(&pkg, "1.0.0", &inst);
        assert_eq!(t.config_mode, ConfigMode::Placeholder);
        assert_eq!(t.spawn.args, vec!["/x/a.js", "/tmp"]);
        assert_eq!(
            t.spawn.env,
            vec![("API_KEY".to_string(), PLACEHOLDER.to_string())]
        );
        assert_eq!(t.needs, vec!["dir", "API_KEY"]);
    }

    #[test]
    fn console_scripts_section() {
        let s = parse_console_scripts(
            "[console_scripts]\nmcp-server-time = mcp_server_time:main\n\n[gui_scripts]\nx = y\n",
        );
        assert_eq!(s, vec!["mcp-server-time"]);
    }
}
