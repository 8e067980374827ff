//! The GitHub Actions workflows keep their security and reliability properties: the probe jobs that
//! run untrusted servers get no secrets and no token scopes, every action is pinned to a commit,
//! every job has a timeout, nightly runs never overlap.

use std::path::Path;

use serde_norway::Value;

fn load(name: &str) -> (String, Value) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(".github/workflows")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let value: Value =
        serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (text, value)
}

fn jobs(v: &Value) -> Vec<(String, &Value)> {
    v["jobs"]
        .as_mapping()
        .expect("jobs mapping")
        .iter()
        .map(|(k, j)| (k.as_str().unwrap().to_string(), j))
        .collect()
}

fn steps(job: &Value) -> Vec<&Value> {
    job["steps"]
        .as_sequence()
        .map(|s| s.iter().collect())
        .unwrap_or_default()
}

fn is_empty_mapping(v: &Value) -> bool {
    v.as_mapping().is_some_and(|m| m.is_empty())
}

#[test]
fn every_action_is_pinned_to_a_commit_and_every_job_has_a_timeout() {
    for name in ["nightly.yml", "ci.yml"] {
        let (_, v) = load(name);
        for (job_name, job) in jobs(&v) {
            let timeout = job["timeout-minutes"].as_u64();
            assert!(
                timeout.is_some_and(|t| t > 0 && t <= 360),
                "{name}: job {job_name} has no timeout-minutes"
            );
            for step in steps(job) {
                if let Some(uses) = step["uses"].as_str() {
                    let (_, reference) = uses
                        .split_once('@')
                        .unwrap_or_else(|| panic!("{name}: {uses} has no ref"));
                    assert!(
                        reference.len() == 40 && reference.chars().all(|c| c.is_ascii_hexdigit()),
                        "{name}: job {job_name}: {uses} is not pinned to a full commit SHA"
                    );
                }
                if step["uses"]
                    .as_str()
                    .is_some_and(|u| u.starts_with("actions/checkout@"))
                {
                    assert_eq!(
                        step["with"]["persist-credentials"].as_bool(),
                        Some(false),
                        "{name}: job {job_name}: checkout must not persist credentials"
                    );
                }
            }
        }
    }
}

#[test]
fn probe_jobs_get_no_secrets_and_no_permissions() {
    let (text, v) = load("nightly.yml");
    assert!(
        is_empty_mapping(&v["permissions"]),
        "workflow-level permissions must be {{}}"
    );
    let probe = &v["jobs"]["probe"];
    assert!(probe.is_mapping(), "nightly.yml has a probe job");
    assert!(
        is_empty_mapping(&probe["permissions"]),
        "probe job permissions must be {{}}"
    );
    let probe_text = serde_norway::to_string(probe).unwrap();
    for forbidden in [
        "secrets.",
        "github.token",
        "GITHUB_TOKEN",
        "GH_TOKEN",
        "id-token",
    ] {
        assert!(
            !probe_text.contains(forbidden),
            "probe job mentions {forbidden}"
        );
    }
    assert!(
        probe["strategy"]["matrix"]["shard"].is_string(),
        "probe is a matrix over shards"
    );
    assert!(
        probe_text.contains("bubblewrap"),
        "probe job installs bubblewrap"
    );
    assert!(probe_text.contains("--shard"), "probe job runs one shard");
    // Workflow-level env reaches every job: it must not carry credentials either.
    let env_text = serde_norway::to_string(&v["env"]).unwrap();
    assert!(
        !env_text.contains("secrets.") && !env_text.contains("token"),
        "workflow env carries a credential"
    );
    assert!(
        !text.contains("pull_request_target"),
        "untrusted PR code must never run with a token"
    );
}

#[test]
fn nightly_is_scheduled_dispatchable_serialized_and_publishes() {
    let (_, v) = load("nightly.yml");
    assert!(v["on"]["schedule"].is_sequence());
    let inputs = &v["on"]["workflow_dispatch"]["inputs"];
    assert!(inputs["sources"].is_mapping() && inputs["shards"].is_mapping());
    assert_eq!(
        v["concurrency"]["cancel-in-progress"].as_bool(),
        Some(false)
    );
    assert!(v["concurrency"]["group"].is_string());
    let crawl = &v["jobs"]["crawl"];
    let perms = crawl["permissions"]
        .as_mapping()
        .expect("crawl permissions");
    assert_eq!(perms.len(), 1);
    assert_eq!(crawl["permissions"]["contents"].as_str(), Some("read"));
    let publish = &v["jobs"]["publish"];
    let uses: Vec<&str> = steps(publish)
        .iter()
        .filter_map(|s| s["uses"].as_str())
        .collect();
    assert!(uses
        .iter()
        .any(|u| u.starts_with("actions/upload-pages-artifact@")));
    assert!(uses.iter().any(|u| u.starts_with("actions/deploy-pages@")));
    let needs: Vec<&str> = publish["needs"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|n| n.as_str())
        .collect();
    assert!(needs.contains(&"crawl") && needs.contains(&"probe"));
}

#[test]
fn ci_runs_the_same_script() {
    let (text, v) = load("ci.yml");
    assert!(text.contains("bash .ci/run"));
    assert!(v["on"]["push"].is_null() || v["on"]["push"].is_mapping());
    assert!(v["on"].get("pull_request").is_some());
}
