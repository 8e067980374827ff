//! `hisper validate` on broken datasets: one located line per problem, exit 1, never a panic.

use std::path::{Path, PathBuf};
use std::process::Command;

fn broken(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/broken")
        .join(name)
}

fn validate(file: &Path) -> (i32, Vec<String>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hisper"))
        .args(["--quiet", "validate"])
        .arg(file)
        .output()
        .expect("run hisper");
    let stdout = String::from_utf8(out.stdout).expect("utf-8 stdout");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !stderr.contains("panicked"),
        "panic on {}: {stderr}",
        file.display()
    );
    (
        out.status.code().unwrap_or(-1),
        stdout.lines().map(str::to_string).collect(),
        stderr,
    )
}

#[test]
fn whole_file_problems_give_one_clear_line() {
    let cases = [
        ("empty.json", "file is empty"),
        ("whitespace.json", "file is empty"),
        ("not-json.json", "not valid JSON"),
        ("not-utf8.json", "not UTF-8"),
        ("truncated.json", "truncated JSON"),
        (
            "top-level-array.json",
            "expected a JSON object at the top level",
        ),
        ("missing-servers.json", "field servers: missing"),
        ("unknown-schema-version.json", "unknown schema version 99"),
        (
            "bad-generated-at.json",
            "field generated_at: not an RFC 3339 date-time",
        ),
    ];
    for (name, expected) in cases {
        let file = broken(name);
        let (code, lines, _) = validate(&file);
        assert_eq!(code, 1, "{name}: exit code");
        assert_eq!(lines.len(), 1, "{name}: expected one line, got {lines:#?}");
        assert!(
            lines[0].starts_with(&file.display().to_string()),
            "{name}: line names the file: {}",
            lines[0]
        );
        assert!(
            lines[0].contains(expected),
            "{name}: {:?} does not contain {expected:?}",
            lines[0]
        );
    }
}

#[test]
fn every_record_problem_is_located() {
    let file = broken("many-problems.json");
    let (code, lines, _) = validate(&file);
    assert_eq!(code, 1);
    let f = file.display().to_string();
    let expected = [
        format!("{f}: record npm:a-dup (index 1): field id: duplicate id, first at index 0"),
        format!("{f}: record npm:b (index 2): field name: contains control characters"),
        format!("{f}: record npm:b (index 2): field first_seen: not an RFC 3339 date-time: 2026-02-30T00:00:00Z"),
        format!("{f}: record npm:c (index 3): field sources[0].url: not an http(s) URL: javascript:alert(1)"),
        format!("{f}: record npm:0-unsorted (index 4): field id: records are not sorted by id"),
        format!("{f}: record npm:d (index 5): field kind: unknown variant `spaceship`"),
        format!("{f}: record npm:e (index 6): field health[1].date: health history is not in increasing date order"),
        format!("{f}: record weird-id (index 8): field id: must start with one of"),
        format!("{f}: record weird-id (index 8): field repository.subfolder: not a clean relative path: ../../etc"),
        format!("{f}: record npm:f (index 7): field sources: a record needs at least one source"),
    ];
    for e in &expected {
        assert!(
            lines.iter().any(|l| l.starts_with(e.as_str())),
            "missing {e:?} in\n{}",
            lines.join("\n")
        );
    }
    assert_eq!(
        lines.len(),
        expected.len(),
        "one line per problem, no more:\n{}",
        lines.join("\n")
    );
}

#[test]
fn type_errors_name_the_field_path() {
    let file = broken("wrong-types.json");
    let (code, lines, _) = validate(&file);
    assert_eq!(code, 1);
    assert!(
        lines.iter().any(|l| l
            .contains("record npm:mcp-server-demo (index 0): field sources: invalid type: string")),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("record npm:z (index 1): field name: invalid type: integer")),
        "{lines:#?}"
    );
}

#[test]
fn huge_garbage_is_refused_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("huge.json");
    // A sparse 2 GB file: costs no disk, and must not be read into memory.
    std::fs::File::create(&file)
        .unwrap()
        .set_len(2 * 1024 * 1024 * 1024)
        .unwrap();
    let (code, lines, _) = validate(&file);
    assert_eq!(code, 1);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(
        lines[0].contains("over the") && lines[0].contains("limit"),
        "{}",
        lines[0]
    );
}

#[test]
fn missing_file_is_one_line() {
    let (code, lines, _) = validate(Path::new("/nonexistent/servers.json"));
    assert_eq!(code, 1);
    assert_eq!(lines.len(), 1);
    assert!(lines[0].contains("cannot read"), "{}", lines[0]);
}
