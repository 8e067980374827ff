//! How a server process is started: bubblewrap (default) or a bare process, always with a clear
//! environment built from an allowlist, rlimits, its own process group, and piped stdio.
//!
//! This module builds commands; it does not speak MCP and does not decide outcomes. Bubblewrap is
//! started with an empty environment (its own pid 1 would otherwise expose the prober's
//! environment at `/proc/1/environ`); only `--setenv` values reach the server.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::OnceLock;

/// Where the probe runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sandbox {
    /// bubblewrap at this path: fresh PID, network, IPC, UTS (and user) namespaces.
    Bwrap(PathBuf),
    /// No isolation beyond the clean environment, rlimits and the process group.
    None,
}

/// Resource limits applied to the server's process tree (per process, inherited).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub cpu_secs: u64,
    /// `RLIMIT_AS`; off by default: V8 reserves tens of GiB of address space for WebAssembly
    /// (undici's HTTP parser), so any useful cap kills ordinary Node servers.
    pub address_space: Option<u64>,
    /// `RLIMIT_DATA`: the heap and writable private mappings, i.e. what the server really
    /// allocates. V8's address-space reservations are not counted, so unlike `RLIMIT_AS` it
    /// bounds Node servers too.
    pub data: Option<u64>,
    pub open_files: u64,
    pub file_size: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            cpu_secs: 120,
            address_space: None,
            data: Some(1 << 30),
            open_files: 1024,
            file_size: 100 << 20,
        }
    }
}

/// Why the sandbox cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("bubblewrap (bwrap) was not found on PATH; install it (apt-get install bubblewrap) or pass --no-sandbox")]
    NotFound,
    #[error("bubblewrap cannot start here: {0}; on Ubuntu run `sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`, or pass --no-sandbox")]
    CannotStart(String),
}

/// Finds bwrap and checks once per process that it can create its namespaces.
pub fn detect_bwrap() -> Result<PathBuf, SandboxError> {
    static CHECK: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let r = CHECK.get_or_init(|| {
        let Some(path) = which("bwrap") else {
            return Err(String::new());
        };
        let out = std::process::Command::new(&path)
            .env_clear()
            .args([
                "--unshare-all",
                "--die-with-parent",
                "--ro-bind",
                "/",
                "/",
                "true",
            ])
            .stdin(Stdio::null())
            .output();
        match out {
            Ok(o) if o.status.success() => Ok(path),
            Ok(o) => Err(String::from_utf8_lossy(&o.stderr).trim().to_string()),
            Err(e) => Err(e.to_string()),
        }
    });
    match r {
        Ok(p) => Ok(p.clone()),
        Err(e) if e.is_empty() => Err(SandboxError::NotFound),
        Err(e) => Err(SandboxError::CannotStart(e.clone())),
    }
}

/// Looks `name` up on the prober's PATH (or returns it if it has a slash).
pub fn which(name: &str) -> Option<PathBuf> {
    if name.contains('/') {
        let p = PathBuf::from(name);
        return p.exists().then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// What to start: an absolute program, its arguments, the env it gets (on top of the allowlist),
/// directories to make visible read-only, and the working directory.
#[derive(Debug, Clone, Default)]
pub struct Spawn {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub ro_binds: Vec<PathBuf>,
    /// Extra PATH entries (install bin dirs), searched first.
    pub path_prepend: Vec<PathBuf>,
    /// Working directory (bound read-only); a fresh empty HOME when `None`.
    pub cwd: Option<PathBuf>,
}

const SYSTEM_PATH: &str = "/usr/local/bin:/usr/bin:/bin";
const SANDBOX_HOME: &str = "/home/probe";

/// The directories a program needs to run: its install prefix, its interpreter's prefix and a
/// virtualenv's base interpreter. System directories are already visible.
pub fn binds_for_program(program: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![program.to_path_buf()];
    let mut depth = 0;
    while let Some(p) = todo.pop() {
        depth += 1;
        if depth > 8 {
            break;
        }
        for candidate in [p.clone(), std::fs::canonicalize(&p).unwrap_or(p.clone())] {
            let dir = prefix_of(&candidate);
            if is_system(&dir) || out.contains(&dir) {
                continue;
            }
            if let Ok(cfg) = std::fs::read_to_string(dir.join("pyvenv.cfg")) {
                for line in cfg.lines() {
                    if let Some(home) = line.strip_prefix("home") {
                        let home = home.trim_start_matches([' ', '=']).trim();
                        todo.push(PathBuf::from(home).join("python3"));
                    }
                }
            }
            out.push(dir);
        }
        // a script's interpreter
        if let Some(interp) = shebang(&p) {
            if interp != Path::new("/usr/bin/env") {
                todo.push(interp);
            }
        }
    }
    out
}

fn shebang(p: &Path) -> Option<PathBuf> {
    use std::io::Read;
    let mut f = std::fs::File::open(p).ok()?;
    let mut buf = [0u8; 256];
    let n = f.read(&mut buf).ok()?;
    let head = &buf[..n];
    let rest = head.strip_prefix(b"#!")?;
    let line = rest.split(|b| *b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?.trim();
    line.split_whitespace().next().map(PathBuf::from)
}

/// `/x/venv/bin/prog` → `/x/venv`; any other file → the file itself.
fn prefix_of(p: &Path) -> PathBuf {
    match p.parent() {
        Some(dir) if dir.file_name().is_some_and(|n| n == "bin") => {
            dir.parent().unwrap_or(dir).to_path_buf()
        }
        _ => p.to_path_buf(),
    }
}

fn is_system(p: &Path) -> bool {
    p == Path::new("/")
        || p == Path::new("/usr")
        || ["/usr/", "/bin/", "/lib", "/sbin/", "/etc/"]
            .iter()
            .any(|s| p.to_string_lossy().starts_with(s))
}

/// The environment a server gets: the allowlist plus `spawn.env`. Nothing else of the prober's.
pub fn allowlisted_env(spawn: &Spawn, home: &Path) -> Vec<(String, String)> {
    let mut path: Vec<String> = spawn
        .path_prepend
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    path.push(SYSTEM_PATH.to_string());
    let mut env = vec![
        ("PATH".to_string(), path.join(":")),
        ("HOME".to_string(), home.to_string_lossy().into_owned()),
        ("LANG".to_string(), "C.UTF-8".to_string()),
        ("TMPDIR".to_string(), "/tmp".to_string()),
    ];
    for (k, v) in &spawn.env {
        env.retain(|(ek, _)| ek != k);
        env.push((k.clone(), v.clone()));
    }
    env
}

/// Builds the command. `host_home` is the fresh HOME directory used when unsandboxed.
pub fn command(
    sandbox: &Sandbox,
    spawn: &Spawn,
    limits: Limits,
    host_home: &Path,
) -> tokio::process::Command {
    let mut cmd = match sandbox {
        Sandbox::Bwrap(bwrap) => {
            let mut c = tokio::process::Command::new(bwrap);
            c.args(bwrap_args(spawn));
            c
        }
        Sandbox::None => {
            let mut c = tokio::process::Command::new(&spawn.program);
            c.args(&spawn.args);
            c.current_dir(spawn.cwd.as_deref().unwrap_or(host_home));
            c
        }
    };
    cmd.env_clear();
    if let Sandbox::None = sandbox {
        for (k, v) in allowlisted_env(spawn, host_home) {
            cmd.env(k, v);
        }
    }
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .process_group(0);
    set_rlimits(&mut cmd, limits);
    cmd
}

/// The read-only system part shared by the probe and the install sandboxes: namespaces (the
/// network too unless `share_net`), `/usr` and the root links, a few `/etc` files (plus
/// `extra_etc`), `/proc`, `/dev`, a tmpfs `/tmp` and a tmpfs `home`.
fn system_args(a: &mut Vec<String>, share_net: bool, extra_etc: &[&str], home: &str) {
    let mut push = |xs: &[&str]| a.extend(xs.iter().map(|s| s.to_string()));
    push(&["--unshare-all"]);
    if share_net {
        push(&["--share-net"]);
    }
    push(&["--die-with-parent", "--new-session"]);
    // SAFETY: geteuid(2) has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        push(&["--cap-drop", "ALL"]);
    }
    push(&["--ro-bind", "/usr", "/usr"]);
    for l in ["bin", "lib", "lib64", "sbin", "lib32"] {
        let host = Path::new("/").join(l);
        match std::fs::read_link(&host) {
            Ok(target) => push(&["--symlink", &target.to_string_lossy(), &format!("/{l}")]),
            Err(_) if host.is_dir() => push(&["--ro-bind", &format!("/{l}"), &format!("/{l}")]),
            Err(_) => {}
        }
    }
    for etc in [
        "/etc/alternatives",
        "/etc/ssl",
        "/etc/ca-certificates",
        "/etc/localtime",
        "/etc/ld.so.cache",
        "/etc/ld.so.conf",
        "/etc/ld.so.conf.d",
        "/etc/nsswitch.conf",
        "/etc/passwd",
        "/etc/group",
        "/etc/hosts",
    ]
    .iter()
    .chain(extra_etc)
    {
        push(&["--ro-bind-try", etc, etc]);
    }
    push(&["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]);
    push(&["--tmpfs", home]);
}

/// The bubblewrap command line (without the `bwrap` itself).
pub fn bwrap_args(spawn: &Spawn) -> Vec<String> {
    let mut a: Vec<String> = Vec::new();
    system_args(&mut a, false, &[], SANDBOX_HOME);
    let mut push = |xs: &[&str]| a.extend(xs.iter().map(|s| s.to_string()));
    let mut binds: Vec<PathBuf> = spawn.ro_binds.clone();
    binds.extend(binds_for_program(&spawn.program));
    for arg in &spawn.args {
        let p = Path::new(arg);
        if p.is_absolute() && p.exists() {
            binds.push(p.to_path_buf());
        }
    }
    if let Some(cwd) = &spawn.cwd {
        binds.push(cwd.clone());
    }
    binds.sort();
    binds.dedup();
    for b in &binds {
        if is_system(b) {
            continue;
        }
        let s = b.to_string_lossy();
        push(&["--ro-bind-try", &s, &s]);
        // a symlinked path: make its target visible too
        if let Ok(real) = std::fs::canonicalize(b) {
            if &real != b && !is_system(&real) {
                let r = real.to_string_lossy();
                push(&["--ro-bind-try", &r, &r]);
            }
        }
    }
    let cwd = spawn
        .cwd
        .as_ref()
        .map(|c| c.to_string_lossy().into_owned())
        .unwrap_or_else(|| SANDBOX_HOME.to_string());
    push(&["--chdir", &cwd, "--clearenv"]);
    for (k, v) in allowlisted_env(spawn, Path::new(SANDBOX_HOME)) {
        push(&["--setenv", &k, &v]);
    }
    push(&["--", &spawn.program.to_string_lossy()]);
    a.extend(spawn.args.iter().cloned());
    a
}

/// The HOME of an install sandbox (a fresh tmpfs).
pub const INSTALL_HOME: &str = "/home/install";

/// What an install sandbox runs: the package manager, its arguments and environment (already
/// allowlisted by the caller), the one writable directory (the package's cache dir) and the
/// extra read-only paths (certificate files, a local wheel directory).
#[derive(Debug, Clone, Default)]
pub struct InstallSpawn {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub writable: PathBuf,
    pub ro_binds: Vec<PathBuf>,
}

/// The bubblewrap command line of an install: like a probe's, but the network is shared (the
/// package manager needs the registry), the package manager's system configuration is visible
/// (`/etc/npmrc`, `/etc/pip.conf`, DNS), and exactly one directory is writable.
pub fn install_bwrap_args(spawn: &InstallSpawn) -> Vec<String> {
    let mut a: Vec<String> = Vec::new();
    system_args(
        &mut a,
        true,
        &[
            "/etc/resolv.conf",
            "/etc/host.conf",
            "/etc/gai.conf",
            "/etc/npmrc",
            "/etc/pip.conf",
            "/etc/pki",
        ],
        INSTALL_HOME,
    );
    let mut push = |xs: &[&str]| a.extend(xs.iter().map(|s| s.to_string()));
    let mut binds: Vec<PathBuf> = spawn.ro_binds.clone();
    binds.extend(binds_for_program(&spawn.program));
    binds.sort();
    binds.dedup();
    for b in &binds {
        if is_system(b) || b.starts_with(&spawn.writable) {
            continue;
        }
        let s = b.to_string_lossy();
        push(&["--ro-bind-try", &s, &s]);
        if let Ok(real) = std::fs::canonicalize(b) {
            if &real != b && !is_system(&real) {
                let r = real.to_string_lossy();
                push(&["--ro-bind-try", &r, &r]);
            }
        }
    }
    let w = spawn.writable.to_string_lossy();
    push(&["--bind", &w, &w, "--chdir", &w, "--clearenv"]);
    for (k, v) in &spawn.env {
        push(&["--setenv", k, v]);
    }
    push(&["--", &spawn.program.to_string_lossy()]);
    a.extend(spawn.args.iter().cloned());
    a
}

/// The install command: bubblewrap with [`install_bwrap_args`], or the bare package manager
/// (`Sandbox::None`: the caller's environment, in the writable directory). Either way a clear
/// environment, rlimits, its own process group and piped output.
pub fn install_command(
    sandbox: &Sandbox,
    spawn: &InstallSpawn,
    limits: Limits,
) -> tokio::process::Command {
    let mut cmd = match sandbox {
        Sandbox::Bwrap(bwrap) => {
            let mut c = tokio::process::Command::new(bwrap);
            c.args(install_bwrap_args(spawn));
            c.env_clear();
            c
        }
        Sandbox::None => {
            let mut c = tokio::process::Command::new(&spawn.program);
            c.args(&spawn.args);
            c.env_clear();
            c.envs(spawn.env.iter().map(|(k, v)| (k, v)));
            c.current_dir(&spawn.writable);
            c
        }
    };
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .process_group(0);
    set_rlimits(&mut cmd, limits);
    cmd
}

/// Applies `limits` to the child between fork and exec (CPU seconds, data size, address space
/// when set, open files, file size, no core dumps).
fn set_rlimits(cmd: &mut tokio::process::Command, limits: Limits) {
    // SAFETY: the closure only calls async-signal-safe setrlimit(2).
    unsafe {
        cmd.pre_exec(move || {
            let set = |res, v: u64| {
                let lim = libc::rlimit {
                    rlim_cur: v as libc::rlim_t,
                    rlim_max: v as libc::rlim_t,
                };
                libc::setrlimit(res, &lim);
            };
            set(libc::RLIMIT_CPU, limits.cpu_secs);
            if let Some(a) = limits.address_space {
                set(libc::RLIMIT_AS, a);
            }
            if let Some(d) = limits.data {
                set(libc::RLIMIT_DATA, d);
            }
            set(libc::RLIMIT_NOFILE, limits.open_files);
            set(libc::RLIMIT_FSIZE, limits.file_size);
            set(libc::RLIMIT_CORE, 0);
            Ok(())
        });
    }
}
