//! The prober's integration tests, in one test binary (`cargo test -p hisper-probe --test probe`):
//!
//! - [`fixture`]: the prober against the fixture server, one misbehaviour per test, sandboxed
//!   when bubblewrap works here;
//! - [`rmcp_crosscheck`]: our MCP client against the official Rust SDK on the same modes;
//! - [`install_sandbox`]: the install phase in the sandbox (fake registries on 127.0.0.1);
//! - [`batch`]: `hisper probe`'s library path end to end from a prepared install cache;
//! - [`remote`]: the remote prober against local fakes on 127.0.0.1;
//! - [`real`]: real servers installed by `.ci/setup/probe.sh` (skipped when missing, failing
//!   under `CI=true`).
//!
//! The tests run on parallel threads of one process. Every probe tags its processes with a name
//! of its own (the leftover checks look for that tag), and a test that needs a secret in the
//! prober's own environment runs in a child process of its own ([`common::in_child_with_env`]),
//! so no test sets this process's environment under the others.

mod batch;
mod common;
mod fixture;
mod install_sandbox;
mod real;
mod remote;
mod rmcp_crosscheck;
