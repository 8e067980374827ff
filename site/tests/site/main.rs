//! The site's integration tests, in one test binary (`cargo test -p hisper-site --test site`):
//! each module builds the fixture site of [`common`] (a frozen slice of the bundled sample, two
//! probed servers and an XSS corpus) and checks one side of it.
//!
//! - [`browse`]: filters and sort orders of the browse pages, over a generated catalogue;
//! - [`changes`]: the human changes page over two generated nights;
//! - [`build`]: links resolve, pages are safe and small, machine files are right, builds are
//!   byte-stable;
//! - [`snapshots`]: the `<main>` of the main page kinds, pretty-printed;
//! - [`html`]: html-validate over every page kind;
//! - [`browser`]: screenshots, the XSS corpus and axe in headless Chromium;
//! - [`registry`]: the static MCP Registry mirror against the recorded OpenAPI shape.

mod browse;
mod browser;
mod build;
mod changes;
mod common;
mod html;
mod numbers;
mod registry;
mod remote;
mod snapshots;
