//! Helpers shared by the prober's integration tests.

use std::process::Command;

/// The variable that tells a child run of this test binary which test it runs for
/// [`in_child_with_env`].
const CHILD: &str = "HISPER_TEST_CHILD";

/// Runs the calling test again, alone, in a child process of this test binary whose environment
/// also holds `vars` (the fake secrets the prober must not pass on). Returns `true` in that
/// child, where the test goes on with the variables in its environment; in this process it waits
/// for the child, fails when the test failed (or did not run) there, and returns `false`: the
/// caller returns at once.
///
/// `module` is the caller's `module_path!()` and `test` its function name. Setting the variables
/// in this process (`std::env::set_var`) would change the environment under the binary's other
/// tests, which run on parallel threads and spawn processes of their own; the child inherits
/// everything else of this process's environment (`CI` included, so a missing tool still fails
/// there rather than skips).
pub fn in_child_with_env(module: &str, test: &str, vars: &[(&str, &str)]) -> bool {
    // libtest names a test by its path without the crate's name
    let name = match module.split_once("::") {
        Some((_, path)) => format!("{path}::{test}"),
        None => test.to_string(),
    };
    if std::env::var_os(CHILD).is_some_and(|v| v == name.as_str()) {
        return true;
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    let out = Command::new(exe)
        .args([name.as_str(), "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, &name)
        .envs(vars.iter().copied())
        .output()
        .expect("running the test binary again");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // what the test printed (a SKIPPED line, tables) shows here as if it had run in this process
    eprint!("{stderr}");
    assert!(
        out.status.success(),
        "{name} failed in its child process:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("test result: ok. 1 passed"),
        "{name} did not run in its child process:\n{stdout}\n{stderr}"
    );
    false
}
