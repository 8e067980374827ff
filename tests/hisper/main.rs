//! The `hisper` package's tests, in one test binary (`cargo test -p hisper --test hisper`): the
//! binary's commands and the stages together, on the bundled sample and on local fakes. Their
//! data stays beside this directory: broken datasets in `tests/data/`, the browser driver in
//! `tests/browser/`.
//!
//! - commands: [`validate`] (broken datasets), [`sample`] (the bundled sample and its export),
//!   [`inspect`] (`hisper inspect` against the fixture server), [`only`] (`build --only`),
//!   [`run`] (`run --offline`, skipping and byte-stable re-runs), [`remote_probe`]
//!   (`probe` over remote servers on a local fake);
//! - across stages: [`nightly`] (two simulated nights against the crawler's fakes),
//!   [`search_pages`] (the prebuilt no-JavaScript search pages), [`browser`] (the search box in
//!   headless Chromium), [`browser_ui`] (the sample site's layout in headless Chromium);
//! - outside the code: [`conformance`] (the official MCP conformance suite against
//!   `hisper inspect`), [`workflows`] (the GitHub Actions workflows' security properties).
//!
//! The tests run on parallel threads of one process: each writes in its own temporary directory,
//! listens on a port the system picks and passes environment variables to the commands it runs,
//! never to this process. Those needing tools that are not installed (Chromium, Node, the
//! conformance suite) skip loudly, and fail under `CI=true`.

mod common;

mod browser;
mod browser_ui;
mod conformance;
mod inspect;
mod nightly;
mod only;
mod remote_probe;
mod run;
mod sample;
mod search_pages;
mod validate;
mod workflows;
