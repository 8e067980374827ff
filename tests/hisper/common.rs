//! Helpers shared by the binary's cross-stage tests.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The fixture MCP server binary of the probe crate (built next to `hisper` by
/// `cargo test --workspace`; built on demand, once per test process, when a test of this package
/// runs alone).
pub fn fixture_server() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let hisper = Path::new(env!("CARGO_BIN_EXE_hisper"));
        let bin = hisper.with_file_name("mcp-fixture-server");
        if !bin.exists() {
            let status = Command::new(env!("CARGO"))
                .args(["build", "-p", "hisper-probe", "--bin", "mcp-fixture-server"])
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .status()
                .expect("running cargo build for the fixture server");
            assert!(status.success(), "building mcp-fixture-server failed");
        }
        assert!(bin.exists(), "{} missing", bin.display());
        bin
    })
    .clone()
}
