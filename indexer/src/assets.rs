//! The search box's files next to the browser index: `search.wasm` (built from the `search` crate
//! for wasm32 with cargo), `search.js` and `search.css` (embedded from `search/web/`).
//!
//! Building: `rustup target add wasm32-unknown-unknown` when rustup exists, then
//! `cargo rustc --release --target wasm32-unknown-unknown -p hisper-search --crate-type cdylib`
//! with size-oriented profile settings, in its own `--target-dir target/wasm` so it never waits
//! on the native build's lock. `HISPER_SEARCH_WASM=<file>` uses a prebuilt module instead. This
//! module does not write the index itself.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};

/// The search box script (no framework, no external request).
pub const SEARCH_JS: &str = include_str!("../../search/web/search.js");
/// The search box style.
pub const SEARCH_CSS: &str = include_str!("../../search/web/search.css");

/// The workspace root holding `search/Cargo.toml`: from the current directory upwards, else where
/// this crate was compiled.
pub fn workspace_root() -> Option<PathBuf> {
    let here = std::env::current_dir().ok();
    let compiled = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf);
    for start in here.into_iter().chain(compiled) {
        let mut dir: Option<&Path> = Some(&start);
        while let Some(d) = dir {
            if d.join("search/Cargo.toml").is_file() && d.join("Cargo.toml").is_file() {
                return Some(d.to_path_buf());
            }
            dir = d.parent();
        }
    }
    None
}

/// Builds (or reuses) the wasm module and returns its bytes.
pub fn build_wasm() -> anyhow::Result<Vec<u8>> {
    if let Ok(p) = std::env::var("HISPER_SEARCH_WASM") {
        if !p.is_empty() {
            return std::fs::read(&p).with_context(|| format!("reading HISPER_SEARCH_WASM={p}"));
        }
    }
    let Some(root) = workspace_root() else {
        bail!(
            "cannot build the search box's wasm module: the Hisper source tree (search/Cargo.toml) \
             was not found; run from the repository or set HISPER_SEARCH_WASM to a prebuilt search.wasm"
        );
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    if Command::new("rustup").arg("--version").output().is_ok() {
        let installed = Command::new("rustup")
            .args(["target", "list", "--installed"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).contains("wasm32-unknown-unknown"))
            .unwrap_or(false);
        if !installed {
            tracing::info!("adding the wasm32-unknown-unknown target with rustup");
            let st = Command::new("rustup")
                .args(["target", "add", "wasm32-unknown-unknown"])
                .status()
                .context("running rustup target add wasm32-unknown-unknown")?;
            if !st.success() {
                bail!("`rustup target add wasm32-unknown-unknown` failed ({st})");
            }
        }
    }
    let target_dir = root.join("target/wasm");
    tracing::info!("building the search box's wasm module");
    let out = Command::new(&cargo)
        .current_dir(&root)
        .args([
            "rustc",
            "--quiet",
            "--release",
            "--lib",
            "-p",
            "hisper-search",
            "--target",
            "wasm32-unknown-unknown",
            "--crate-type",
            "cdylib",
            "--target-dir",
        ])
        .arg(&target_dir)
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "z")
        .env("CARGO_PROFILE_RELEASE_LTO", "true")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1")
        .env("CARGO_PROFILE_RELEASE_PANIC", "abort")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env("CARGO_PROFILE_RELEASE_STRIP", "true")
        .env_remove("RUSTFLAGS")
        .output()
        .with_context(|| format!("running {cargo} to build the wasm module"))?;
    if !out.status.success() {
        bail!(
            "building the search box's wasm module failed ({}); is the wasm32-unknown-unknown \
             target installed (`rustup target add wasm32-unknown-unknown`)?\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let wasm = target_dir.join("wasm32-unknown-unknown/release/search.wasm");
    std::fs::read(&wasm).with_context(|| format!("reading {}", wasm.display()))
}

/// Writes `search.wasm`, `search.js` and `search.css` into `dir`.
pub fn write_assets(dir: &Path, wasm: &[u8]) -> anyhow::Result<()> {
    for (name, bytes) in [
        ("search.wasm", wasm),
        ("search.js", SEARCH_JS.as_bytes()),
        ("search.css", SEARCH_CSS.as_bytes()),
    ] {
        let p = dir.join(name);
        std::fs::write(&p, bytes).with_context(|| format!("writing {}", p.display()))?;
    }
    Ok(())
}
