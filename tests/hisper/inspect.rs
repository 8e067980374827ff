//! `hisper inspect` as a server author uses it: the probe record on stdout (JSON with `--json`),
//! exit 0 only when the outcome is `ok`, `--env` the only way a variable reaches the server, and
//! no secret of the caller's environment in what the server sees or in what is printed.
//! Runs unsandboxed so it does not depend on bubblewrap (the probe crate tests the sandbox).

use std::process::{Command, Output};

use serde_json::Value;

use crate::common;

const SECRET: &str = "ghp_inspectsecret0123456789abcdefghijklmn";

fn inspect(args: &[&str], mode: &str) -> (i32, Value, Output) {
    let out = Command::new(env!("CARGO_BIN_EXE_hisper"))
        .args(["inspect", "--json", "--no-sandbox"])
        .args(if args.contains(&"--timeout") {
            &[][..]
        } else {
            &["--timeout", "20"][..]
        })
        .args(args)
        .arg("--")
        .arg(common::fixture_server())
        .arg(mode)
        .env("GITHUB_TOKEN", SECRET)
        .env("HISPER_TEST_SECRET", SECRET)
        .env("HISPER_LOG", "warn")
        .output()
        .expect("running hisper inspect");
    let code = out.status.code().unwrap_or(-1);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, json, out)
}

fn tool_names(record: &Value) -> Vec<&str> {
    record["tools"]
        .as_array()
        .map(|t| t.iter().filter_map(|t| t["name"].as_str()).collect())
        .unwrap_or_default()
}

#[test]
fn ok_server_exits_zero_with_its_tools() {
    let (code, rec, _) = inspect(&[], "normal");
    assert_eq!(code, 0, "{rec}");
    assert_eq!(rec["outcome"], "ok");
    assert!(!tool_names(&rec).is_empty(), "{rec}");
    assert!(rec["protocol_version"].is_string(), "{rec}");
    assert_eq!(rec["sandboxed"], false);
}

#[test]
fn findings_on_the_listed_tools_are_printed_with_their_evidence() {
    let (code, rec, _) = inspect(&[], "poisoned");
    assert_eq!(code, 0, "{rec}");
    let found = rec["trust"]["tools"]["multiply"]["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings for multiply: {rec}"));
    let danger: Vec<&Value> = found
        .iter()
        .filter(|f| f["rule"] == "hidden-instructions" && f["severity"] == "danger")
        .collect();
    assert!(!danger.is_empty(), "{found:?}");
    assert!(danger.iter().any(|f| f["evidence"]
        .as_str()
        .is_some_and(|e| e.contains("~/.ssh/id_rsa"))));
    assert!(danger
        .iter()
        .all(|f| f["field"] == "description" && f["span"].is_array()));
    assert_eq!(rec["trust"]["worst"], "danger");
    // The honest tools of the same server have none.
    assert!(rec["trust"]["tools"].get("echo").is_none(), "{rec}");
    // Without findings there is no trust key.
    let (_, clean, _) = inspect(&[], "normal");
    assert!(clean.get("trust").is_none(), "{clean}");
}

#[test]
fn missing_key_exits_one_names_it_and_redacts_the_token() {
    let (code, rec, out) = inspect(&[], "needs-key");
    assert_eq!(code, 1, "{rec}");
    assert_eq!(rec["outcome"], "needs_config");
    let needs: Vec<&str> = rec["needs"]
        .as_array()
        .expect("needs")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(needs.contains(&"FIXTURE_API_KEY"), "{rec}");
    // The server printed a token-looking string in its error: the record keeps the evidence
    // without it.
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(rec["stderr_tail"]
        .as_str()
        .is_some_and(|t| t.contains("FIXTURE_API_KEY")));
    assert!(
        !all.contains("ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
        "{all}"
    );

    // Given the variable with --env, the same server works.
    let (code, rec, _) = inspect(&["--env", "FIXTURE_API_KEY=placeholder"], "needs-key");
    assert_eq!((code, rec["outcome"].as_str()), (0, Some("ok")), "{rec}");
}

#[test]
fn the_callers_secrets_never_reach_the_server() {
    let (code, rec, out) = inspect(&["--env", "GIVEN=visible-value"], "env-echo");
    assert_eq!(code, 0, "{rec}");
    // env-echo describes its environment in its tool descriptions.
    let seen = rec["tools"].to_string();
    assert!(
        seen.contains("visible-value"),
        "the --env variable reached it: {seen}"
    );
    assert!(
        !seen.contains(SECRET),
        "a secret reached the server: {seen}"
    );
    assert!(!seen.contains("GITHUB_TOKEN") && !seen.contains("HISPER_TEST_SECRET"));
    assert!(!String::from_utf8_lossy(&out.stdout).contains(SECRET));
}

#[test]
fn a_command_that_is_not_mcp_exits_one() {
    let (code, rec, _) = inspect(&["--timeout", "3"], "not-mcp");
    assert_eq!(code, 1, "{rec}");
    assert_eq!(rec["outcome"], "not_mcp");
}
