//! The committed JSON Schema (`data/schema/servers.schema.json`) must match the types.
//! Regenerate with `HISPER_BLESS=1 cargo test -p hisper-dataset --test dataset schema`.

use std::path::PathBuf;

#[test]
fn committed_json_schema_matches_the_types() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/schema/servers.schema.json");
    let mut generated = serde_json::to_string_pretty(&dataset::json_schema()).unwrap();
    generated.push('\n');
    if std::env::var_os("HISPER_BLESS").is_some() {
        dataset::write_atomic(&path, generated.as_bytes()).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "data/schema/servers.schema.json drifted from the dataset types; \
         run `HISPER_BLESS=1 cargo test -p hisper-dataset --test dataset schema` and commit the result"
    );
}

#[test]
fn schema_describes_required_fields() {
    let schema = dataset::json_schema();
    let required = schema
        .pointer("/required")
        .and_then(|r| r.as_array())
        .expect("top-level required");
    for field in ["schema_version", "generated_at", "servers"] {
        assert!(required.iter().any(|r| r == field), "{field} not required");
    }
    let server = schema
        .pointer("/$defs/Server/required")
        .and_then(|r| r.as_array())
        .expect("Server required");
    for field in ["id", "name", "kind", "sources", "first_seen"] {
        assert!(
            server.iter().any(|r| r == field),
            "{field} not required in Server"
        );
    }
}
