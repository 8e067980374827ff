//! The static registry mirror (`/v0.1`) against the official registry's OpenAPI description
//! (`tests/data/registry-openapi.json`, the recorded shape of its read paths): the list and every
//! record validate against the schema its path answers with, the list is complete, and names with
//! `/` are reachable both as `%2F` and as a directory.

use crate::common;

use std::collections::BTreeSet;
use std::path::Path;

use regex::Regex;
use serde_json::{json, Value};

/// A validator for the JSON Schema keywords the OpenAPI description uses.
struct Validator {
    doc: Value,
}

impl Validator {
    fn load() -> Validator {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/registry-openapi.json"),
        )
        .unwrap();
        Validator {
            doc: serde_json::from_str(&text).unwrap(),
        }
    }

    /// The schema a GET path answers 200 with.
    fn response(&self, path: &str) -> Value {
        self.doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
            .clone()
    }

    fn resolve<'a>(&'a self, s: &'a Value) -> &'a Value {
        match s.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = r.strip_prefix("#/components/schemas/").expect("local ref");
                let t = &self.doc["components"]["schemas"][name];
                assert!(!t.is_null(), "unknown schema {name}");
                self.resolve(t)
            }
            None => s,
        }
    }

    /// Problems of `v` against `schema`, each with its JSON pointer.
    fn check(&self, v: &Value, schema: &Value, at: &str, errs: &mut Vec<String>) {
        let s = self.resolve(schema);
        if let Some(all) = s.get("allOf").and_then(Value::as_array) {
            for sub in all {
                self.check(v, sub, at, errs);
            }
        }
        if let Some(any) = s.get("anyOf").and_then(Value::as_array) {
            let ok = any.iter().any(|sub| {
                let mut e = Vec::new();
                self.check(v, sub, at, &mut e);
                e.is_empty()
            });
            if !ok {
                errs.push(format!("{at}: matches none of anyOf"));
            }
        }
        if let Some(not) = s.get("not") {
            let mut e = Vec::new();
            self.check(v, not, at, &mut e);
            if e.is_empty() {
                errs.push(format!("{at}: matches `not`"));
            }
        }
        if let Some(c) = s.get("const") {
            if v != c {
                errs.push(format!("{at}: not {c}"));
            }
        }
        if let Some(t) = s.get("type").and_then(Value::as_str) {
            let ok = match t {
                "object" => v.is_object(),
                "array" => v.is_array(),
                "string" => v.is_string(),
                "integer" => v.is_i64() || v.is_u64(),
                "number" => v.is_number(),
                "boolean" => v.is_boolean(),
                other => panic!("type {other}"),
            };
            if !ok {
                errs.push(format!("{at}: not a {t}: {v}"));
                return;
            }
        }
        if let Some(e) = s.get("enum").and_then(Value::as_array) {
            if !e.contains(v) {
                errs.push(format!("{at}: {v} not in {e:?}"));
            }
        }
        if let Some(text) = v.as_str() {
            let n = text.chars().count() as u64;
            if s.get("minLength")
                .and_then(Value::as_u64)
                .is_some_and(|m| n < m)
            {
                errs.push(format!("{at}: shorter than minLength"));
            }
            if s.get("maxLength")
                .and_then(Value::as_u64)
                .is_some_and(|m| n > m)
            {
                errs.push(format!("{at}: {n} characters, over maxLength"));
            }
            if let Some(p) = s.get("pattern").and_then(Value::as_str) {
                if !Regex::new(p).unwrap().is_match(text) {
                    errs.push(format!("{at}: {text:?} does not match {p}"));
                }
            }
            match s.get("format").and_then(Value::as_str) {
                Some("date-time") if !dataset::time::is_rfc3339(text) => {
                    errs.push(format!("{at}: {text:?} is not a date-time"))
                }
                Some("uri")
                    if !Regex::new(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")
                        .unwrap()
                        .is_match(text) =>
                {
                    errs.push(format!("{at}: {text:?} is not a URI"))
                }
                _ => {}
            }
        }
        if let Some(o) = v.as_object() {
            for r in s
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let r = r.as_str().unwrap();
                if !o.contains_key(r) {
                    errs.push(format!("{at}: missing required {r}"));
                }
            }
            let props = s.get("properties").and_then(Value::as_object);
            for (k, x) in o {
                let here = format!("{at}/{k}");
                match props.and_then(|p| p.get(k)) {
                    Some(ps) => self.check(x, ps, &here, errs),
                    None => match s.get("additionalProperties") {
                        Some(Value::Bool(false)) => errs.push(format!("{here}: not allowed")),
                        Some(ap @ Value::Object(_)) => self.check(x, ap, &here, errs),
                        _ => {}
                    },
                }
            }
        }
        if let (Some(a), Some(items)) = (v.as_array(), s.get("items")) {
            for (i, x) in a.iter().enumerate() {
                self.check(x, items, &format!("{at}/{i}"), errs);
            }
        }
    }

    fn errors(&self, v: &Value, path: &str) -> Vec<String> {
        let mut errs = Vec::new();
        self.check(v, &self.response(path), "", &mut errs);
        errs
    }
}

fn read_json(p: &Path) -> Value {
    let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The fixture data directory plus records that stress the mirror: remote-only with a URL
/// template, a `javascript:` remote, a version with build metadata, a platform binary.
fn data_dir(dir: &Path) -> std::path::PathBuf {
    let data = common::data_dir(dir, true);
    let mut ds = dataset::load(&data.join("servers.json")).unwrap();
    let extra = json!([
        {
            "id": "mcp-registry:com.example/remote-weather",
            "name": "com.example/remote-weather",
            "description": "Weather over HTTP.",
            "kind": "server", "kind_confidence": "strong",
            "sources": [{"source": "mcp-registry", "identifier": "com.example/remote-weather", "version": "1.0.0+build.7",
                         "first_seen": "2026-11-01T03:00:00Z", "last_seen": "2026-11-22T03:00:00Z"}],
            "install": {"remotes": [
                {"type": "streamable-http", "url": "https://{tenant}.example.com/mcp",
                 "variables": {"tenant": {"description": "Your tenant", "isRequired": true}},
                 "headers": [{"name": "Authorization", "value": "Bearer {token}", "isSecret": true, "isRequired": true}]},
                {"type": "sse", "url": "javascript:alert(1)"}
            ]},
            "first_seen": "2026-11-01T03:00:00Z", "last_seen": "2026-11-22T03:00:00Z", "last_changed": "not a date"
        },
        {
            "id": "npm:@example/tool-linux-x64",
            "name": "@example/tool-linux-x64",
            "kind": "server", "kind_confidence": "weak",
            "sources": [{"source": "npm", "identifier": "@example/tool-linux-x64", "version": "1.0.0",
                         "first_seen": "2026-11-01T03:00:00Z", "last_seen": "2026-11-22T03:00:00Z"}],
            "platform_of": "github:example-org/postgres-mcp",
            "first_seen": "2026-11-01T03:00:00Z", "last_seen": "2026-11-22T03:00:00Z", "last_changed": "2026-11-22T03:00:00Z"
        }
    ]);
    for s in extra.as_array().unwrap() {
        ds.servers.push(serde_json::from_value(s.clone()).unwrap());
    }
    ds.normalize();
    dataset::save(&data.join("servers.json"), &ds).unwrap();
    data
}

#[test]
fn the_mirror_validates_against_the_official_openapi_description_and_is_complete() {
    let v = Validator::load();
    let dir = tempfile::tempdir().unwrap();
    let data = data_dir(dir.path());
    let ds = dataset::load(&data.join("servers.json")).unwrap();
    let out = dir.path().join("public");
    let opts = site::Options::new(&data, &out);
    site::build(&opts, &indicatif::ProgressBar::hidden()).unwrap();
    let servers = out.join("v0.1/servers");

    // The list: complete, valid, no cursor a static host could not honour.
    let list = read_json(&servers.join("index.json"));
    let errs = v.errors(&list, "/v0.1/servers");
    assert!(errs.is_empty(), "{errs:#?}");
    assert!(
        !servers.join("index.html").exists(),
        "JSON with hostile strings must never be served as a page"
    );
    for url in ["/v0.1/servers", "/v0.1/servers/"] {
        assert_eq!(
            site::serve::resolve(&out, url).as_deref(),
            Some(servers.join("index.json").as_path())
        );
    }
    let redirects = std::fs::read_to_string(out.join("_redirects")).unwrap();
    assert!(redirects.contains("/v0.1/servers /v0.1/servers/index.json 200"));
    let entries = list["servers"].as_array().unwrap();
    let names: BTreeSet<String> = entries
        .iter()
        .map(|e| e["server"]["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names.len(), entries.len(), "one entry per name");
    let expected: BTreeSet<String> = ds
        .servers
        .iter()
        .filter(|s| s.platform_of.is_none())
        .map(dataset::export::server_json_name)
        .filter(|n| dataset::export::is_valid_name(n))
        .collect();
    assert_eq!(names, expected);
    assert_eq!(list["metadata"]["count"], json!(entries.len()));
    assert!(list["metadata"].get("nextCursor").is_none());

    // Every record under both forms of its name, as latest, as its version and in its versions.
    for e in entries {
        let name = e["server"]["name"].as_str().unwrap();
        let version = e["server"]["version"].as_str().unwrap();
        for dir in [name.to_string(), name.replace('/', "%2F")] {
            let base = servers.join(&dir).join("versions");
            let latest = read_json(&base.join("latest"));
            let errs = v.errors(&latest, "/v0.1/servers/{serverName}/versions/{version}");
            assert!(errs.is_empty(), "{name}: {errs:#?}");
            assert_eq!(&latest, e);
            // Percent-encoded always (what a client sends); as it is too when it can be a name.
            let encoded = site::install::percent_encode(version);
            assert_eq!(read_json(&base.join(&encoded)), latest, "{name} {version}");
            if !version.contains('/') {
                assert_eq!(read_json(&base.join(version)), latest, "{name} {version}");
            }
        }
        // What a client requests, through a server that decodes the path as static hosts do.
        let url = format!("/v0.1/servers/{}/versions/latest", name.replace('/', "%2F"));
        assert!(site::serve::resolve(&out, &url).is_some(), "{url}");
    }

    // The remote-only record keeps its usable remote, drops the `javascript:` one, and its
    // version with build metadata is reachable as sent (`%2B`) and decoded (`+`).
    let remote = servers.join("com.example/remote-weather/versions");
    let r = read_json(&remote.join("latest"));
    assert_eq!(r["server"]["remotes"].as_array().unwrap().len(), 1);
    assert_eq!(r["server"]["version"], "1.0.0+build.7");
    assert!(remote.join("1.0.0+build.7").is_file() && remote.join("1.0.0%2Bbuild.7").is_file());
    assert!(r["_meta"]["io.modelcontextprotocol.registry/official"]
        .get("updatedAt")
        .is_none());
    assert!(!names.contains("dev.hisper.npm/example-tool-linux-x64"));
}

#[test]
fn the_validator_rejects_what_the_official_schema_rejects() {
    let v = Validator::load();
    let good = json!({"server": {"name": "io.github.a/b", "description": "x", "version": "1.0.0"}});
    let p = "/v0.1/servers/{serverName}/versions/{version}";
    assert!(v.errors(&good, p).is_empty());
    let mut bad = Vec::new();
    let mut b = good.clone();
    b["server"]["description"] = json!("d".repeat(101));
    bad.push(b);
    let mut b = good.clone();
    b["server"]["name"] = json!("no slash");
    bad.push(b);
    let mut b = good.clone();
    b["server"]["packages"] = json!([{"registryType": "npm", "identifier": "x", "version": "latest", "transport": {"type": "stdio"}}]);
    bad.push(b);
    let mut b = good.clone();
    b["server"]["remotes"] = json!([{"type": "sse", "url": "javascript:alert(1)"}]);
    bad.push(b);
    let mut b = good.clone();
    b["_meta"] = json!({"io.modelcontextprotocol.registry/official": {"status": "gone"}});
    bad.push(b);
    let mut b = good.clone();
    b["_meta"] = json!({"io.modelcontextprotocol.registry/official": {"extra": 1}});
    bad.push(b);
    bad.push(json!({"servers": []}));
    for b in bad {
        assert!(!v.errors(&b, p).is_empty(), "accepted {b}");
    }
    assert!(!v
        .errors(&json!({"servers": [{"server": {}}]}), "/v0.1/servers")
        .is_empty());
}

#[test]
fn only_publishes_a_curated_subset_as_its_own_site_and_mirror() {
    let dir = tempfile::tempdir().unwrap();
    let data = data_dir(dir.path());
    let full = dataset::load(&data.join("servers.json")).unwrap();
    let history_before = std::fs::read(data.join("history.json")).unwrap();
    let pick = &full.servers[3];
    let text = format!(
        "# approved servers\n{}\ncom.example/remote-weather\nnpm:gone-from-the-dataset\n",
        pick.id
    );
    let out = dir.path().join("approved");
    let mut opts = site::Options::new(&data, &out);
    opts.only = Some(dataset::select::Selection::parse("approved.txt", &text).unwrap());
    let report = site::build(&opts, &indicatif::ProgressBar::hidden()).unwrap();
    assert_eq!(report.servers, 2);
    assert_eq!(report.only_missing, ["npm:gone-from-the-dataset"]);

    let published = dataset::load(&out.join("servers.json")).unwrap();
    let ids: Vec<&str> = published.servers.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        ["mcp-registry:com.example/remote-weather", pick.id.as_str()]
            .iter()
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
    );
    let list = read_json(&out.join("v0.1/servers/index.json"));
    assert!(Validator::load().errors(&list, "/v0.1/servers").is_empty());
    let names: BTreeSet<&str> = list["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["server"]["name"].as_str().unwrap())
        .collect();
    let expected: BTreeSet<String> = published
        .servers
        .iter()
        .map(dataset::export::server_json_name)
        .collect();
    assert_eq!(
        names,
        expected.iter().map(String::as_str).collect::<BTreeSet<_>>()
    );
    // No page for a record outside the subset, and the data directory's history is untouched.
    let other = full
        .servers
        .iter()
        .find(|s| s.id != pick.id && s.platform_of.is_none())
        .unwrap();
    let slugs = dataset::slug::assign(&full.servers);
    assert!(!out
        .join(format!("servers/{}/index.html", slugs[&other.id]))
        .exists());
    assert!(out
        .join(format!("servers/{}/index.html", slugs[&pick.id]))
        .exists());
    assert_eq!(
        std::fs::read(data.join("history.json")).unwrap(),
        history_before
    );
}
