//! Builds the search box's WebAssembly module at compile time, so that `hisper index` ships the
//! module that was built with it and never runs a toolchain itself.
//!
//! It compiles the `search` crate (no dependencies) for `wasm32-unknown-unknown` as a `cdylib`,
//! size-optimized (`opt-level=z`, LTO, one codegen unit, `panic=abort`, stripped), with the cargo
//! that runs this build, in its own target directory (`<target>/wasm`, shared by every profile)
//! so it never waits on the lock of the build that runs it. When the wasm32 target is missing and
//! rustup is there, it adds the target first. The module is written to `$OUT_DIR/search.wasm`
//! and embedded by `src/assets.rs`. When it cannot be built (no wasm32 target and no rustup), the
//! embedded module is empty, the build prints a warning, and `hisper index` says why, unless
//! `--no-wasm` or `HISPER_SEARCH_WASM=<file>` is given.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "wasm32-unknown-unknown";

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let root = manifest
        .parent()
        .expect("the indexer crate sits in the workspace");
    let search = root.join("search");
    for p in ["src", "Cargo.toml", "web"] {
        println!("cargo:rerun-if-changed={}", search.join(p).display());
    }
    println!("cargo:rerun-if-changed=build.rs");
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    let dest = out_dir.join("search.wasm");
    let (bytes, error) = match build(root, &out_dir) {
        Ok(bytes) => (bytes, String::new()),
        Err(e) => {
            println!("cargo:warning=the search box's wasm module was not built: {e}");
            (Vec::new(), e)
        }
    };
    std::fs::write(&dest, bytes).expect("writing search.wasm into OUT_DIR");
    println!(
        "cargo:rustc-env=HISPER_WASM_BUILD_ERROR={}",
        error.replace(['\n', '\r'], " ")
    );
}

/// The target directory of the build running this script: the nearest ancestor of `OUT_DIR`
/// that cargo marked with `CACHEDIR.TAG`.
fn target_root(out_dir: &Path) -> PathBuf {
    out_dir
        .ancestors()
        .find(|d| d.join("CACHEDIR.TAG").is_file())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| out_dir.join("wasm-target"))
}

fn has_target(rustc: &str) -> bool {
    let Ok(out) = Command::new(rustc).args(["--print", "sysroot"]).output() else {
        return false;
    };
    let sysroot = String::from_utf8_lossy(&out.stdout).trim().to_string();
    Path::new(&sysroot)
        .join("lib/rustlib")
        .join(TARGET)
        .is_dir()
}

fn build(root: &Path, out_dir: &Path) -> Result<Vec<u8>, String> {
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    if !has_target(&rustc) {
        let added = Command::new("rustup")
            .args(["target", "add", TARGET])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !added || !has_target(&rustc) {
            return Err(format!(
                "the {TARGET} target is not installed and `rustup target add {TARGET}` did not add it"
            ));
        }
    }
    let target_dir = target_root(out_dir).join("wasm");
    let mut cmd = Command::new(&cargo);
    cmd.current_dir(root)
        .args([
            "rustc",
            "--quiet",
            "--release",
            "--lib",
            "-p",
            "hisper-search",
            "--target",
            TARGET,
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
        .env("CARGO_INCREMENTAL", "0");
    // The outer build's settings are for the host, not for this module (and clippy's wrapper
    // must not lint it as part of this crate).
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "CARGO_BUILD_TARGET_DIR",
        "CARGO_LLVM_COV",
        "LLVM_PROFILE_FILE",
    ] {
        cmd.env_remove(var);
    }
    let out = cmd.output().map_err(|e| format!("running {cargo}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`cargo rustc -p hisper-search --target {TARGET}` failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let wasm = target_dir.join(TARGET).join("release/search.wasm");
    std::fs::read(&wasm).map_err(|e| format!("reading {}: {e}", wasm.display()))
}
