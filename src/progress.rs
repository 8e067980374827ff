//! Progress bars for long stages: drawn on stderr, hidden when stderr is not a terminal or with
//! `--quiet`. Stages take an `indicatif::ProgressBar` and never decide visibility themselves.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar of `len` steps labelled `label`, hidden unless stderr is a terminal and not quiet.
#[allow(dead_code)] // used by the long stages as they land
pub fn bar(len: u64, label: &str, quiet: bool) -> ProgressBar {
    let pb = ProgressBar::new(len);
    if quiet || !std::io::stderr().is_terminal() {
        pb.set_draw_target(ProgressDrawTarget::hidden());
    }
    pb.set_style(
        ProgressStyle::with_template("{prefix:>10} [{bar:30}] {pos}/{len} {msg} ({eta})")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    pb.set_prefix(label.to_string());
    pb
}
