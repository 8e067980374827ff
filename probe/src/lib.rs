//! The prober: installs each server, runs it over stdio in a sandbox and records what it answered.
//!
//! - [`client`]: our own JSON-RPC transport over a child's stdio (lossless `serde_json::Value`,
//!   bounded lines and bytes, any reply order, server-to-client requests answered).
//! - [`session`]: one probe: spawn, the MCP lifecycle of either era (legacy `initialize` and
//!   modern `server/discover`), paged lists, ping, shutdown of the whole tree, outcome.
//! - [`sandbox`]: bubblewrap or a bare process, a clean allowlisted environment and rlimits.
//! - [`remote`]: remote servers over Streamable HTTP and the legacy HTTP+SSE transport, through
//!   the same session logic; [`guard`]: which addresses a remote probe may reach.
//! - [`features`]: the spec features a server was seen to use (stdio and remote).
//! - [`install`]: per-package, per-version installs (npm, PyPI) into a cache, before the probe.
//! - [`batch`]: `hisper probe` over a dataset: selection, shards, merge, health history.
//! - [`lint`], [`needs`], [`redact`], [`procs`]: lints, configuration detection, evidence
//!   hygiene and the process table.
//!
//! It never reads or writes the dataset file itself (the CLI does) and never calls other stages.

pub mod batch;
pub mod cache;
pub mod client;
pub mod features;
pub mod guard;
pub mod install;
pub mod lint;
pub mod needs;
pub mod procs;
pub mod redact;
pub mod remote;
pub mod sandbox;
pub mod session;

pub use sandbox::{detect_bwrap, Limits, Sandbox, SandboxError, Spawn};
pub use session::{probe, EraPolicy, Options, Target};

/// A multi-threaded tokio runtime for the CLI (which does not depend on tokio itself).
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}
