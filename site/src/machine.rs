//! The site's files for machines: the dataset (`servers.json` and `.gz`), its JSON Schema, a
//! static mirror of the MCP Registry `v0.1` read API, the daily changes file (servers added, removed
//! and updated, and the night's tool changes and rug pulls from enrich's tool history), the Atom
//! feed of new servers, `sitemap.xml` and `robots.txt`.
//!
//! Everything here is deterministic for a given dataset (sorted, no clocks). The registry mirror
//! is static, so it cannot honour query parameters: `/v0.1/servers/` lists every server in one
//! response (see [`registry_mirror`]).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use serde::Serialize;
use serde_json::{json, Value};

use dataset::{Dataset, Server};

use crate::html::esc;
use crate::Out;

/// `servers.json` (the dataset bytes as given; only when `raw`) and `servers.json.gz`.
pub fn dataset_files(out: &Out, bytes: &[u8], raw: bool) -> anyhow::Result<()> {
    if raw {
        out.write("servers.json", bytes)?;
    }
    let mut gz = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 5),
        flate2::Compression::new(6),
    );
    gz.write_all(bytes)?;
    out.write("servers.json.gz", &gz.finish()?)?;
    let mut schema = serde_json::to_vec_pretty(&dataset::json_schema())?;
    schema.push(b'\n');
    out.write("schema/servers.schema.json", &schema)?;
    Ok(())
}

/// Whether a server.json name is safe to use as two path segments under `v0.1/servers/` (and
/// cannot collide with the mirror's own file there, `index.json`).
fn safe_name_path(name: &str) -> bool {
    let Some((ns, n)) = name.split_once('/') else {
        return false;
    };
    dataset::export::is_valid_name(name)
        && [ns, n]
            .iter()
            .all(|p| !p.is_empty() && !p.starts_with('.') && *p != "..")
        && !ns.starts_with("index.")
}

/// The file names a version is served under next to `latest` and `index.json`: as it is (for
/// hosts that decode the request path) and percent-encoded (for hosts that do not: `%2B` for
/// `+`); none for a version that cannot be a file name.
fn version_files(v: &str) -> Vec<String> {
    let usable = |f: &str| {
        !f.is_empty()
            && f.len() <= 255
            && !f.starts_with('.')
            && !f.chars().any(|c| c.is_control() || c == '/' || c == '\\')
            && !matches!(f, "latest" | "index.json" | "index.html")
    };
    let enc = crate::install::percent_encode(v);
    let mut out: Vec<String> = [v.to_string(), enc]
        .into_iter()
        .filter(|f| usable(f))
        .collect();
    out.dedup();
    out
}

/// The official pattern of a remote's URL: `http(s)://` and no whitespace, or a leading
/// `{variable}`.
pub fn is_remote_url(u: &str) -> bool {
    if u.is_empty() || u.chars().any(char::is_whitespace) {
        return false;
    }
    // Case-sensitive, as the official pattern is.
    if let Some(rest) = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"))
    {
        return !rest.is_empty();
    }
    let Some(rest) = u.strip_prefix('{') else {
        return false;
    };
    let Some(end) = rest.find('}') else {
        return false;
    };
    let var = &rest[..end];
    var.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The official registry's lifecycle status of a record.
fn status(s: &Server) -> &'static str {
    if !s.sources.is_empty() && s.sources.iter().all(|e| e.deprecated) {
        "deprecated"
    } else {
        "active"
    }
}

fn registry_entry(s: &Server) -> Value {
    let mut server = dataset::export::to_server_json(s);
    // The registry only lists remotes its clients can connect to.
    if let Some(Value::Array(remotes)) = server.get_mut("remotes") {
        remotes.retain(|r| {
            r.get("url")
                .and_then(Value::as_str)
                .is_some_and(is_remote_url)
        });
        if remotes.is_empty() {
            server.as_object_mut().map(|o| o.remove("remotes"));
        }
    }
    let mut official = serde_json::Map::new();
    official.insert("status".into(), json!(status(s)));
    for (k, v) in [
        ("publishedAt", &s.first_seen),
        ("updatedAt", &s.last_changed),
    ] {
        if dataset::time::is_rfc3339(v) {
            official.insert(k.into(), json!(v));
        }
    }
    official.insert("isLatest".into(), json!(true));
    json!({
        "server": server,
        "_meta": { "io.modelcontextprotocol.registry/official": official }
    })
}

/// `{"servers":[…],"metadata":{…}}` from serialized entries.
fn server_list(entries: &[&[u8]], metadata: &Value) -> anyhow::Result<Vec<u8>> {
    let mut body = Vec::with_capacity(entries.iter().map(|b| b.len() + 1).sum::<usize>() + 200);
    body.extend_from_slice(b"{\"servers\":[");
    for (k, b) in entries.iter().enumerate() {
        if k > 0 {
            body.push(b',');
        }
        body.extend_from_slice(b);
    }
    body.extend_from_slice(b"],\"metadata\":");
    body.extend_from_slice(&serde_json::to_vec(metadata)?);
    body.push(b'}');
    Ok(body)
}

/// The directories a name is served from: `ns/name` (for hosts that decode `%2F` before looking
/// up a file, and for clients that do not encode it) and the literal `ns%2Fname` (for hosts that
/// look up the path as it was sent).
pub fn name_dirs(name: &str) -> [String; 2] {
    [name.to_string(), name.replace('/', "%2F")]
}

/// What the mirror holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MirrorReport {
    /// Servers listed (one per registry name).
    pub servers: usize,
    pub files: usize,
    pub bytes: u64,
}

/// The static registry mirror, the read paths of the official registry's API on a static host:
///
/// - `v0.1/servers/index.json` (what `hisper serve` and hosts reading `_redirects` answer
///   `/v0.1/servers` with): every server, `metadata.count` the total and no `nextCursor` (a static
///   host cannot honour a cursor, so a client following one would loop);
/// - `v0.1/servers/{name}/versions/latest` and `…/versions/{version}`, under both forms of
///   [`name_dirs`], a version both as it is and percent-encoded (four copies of a record: the
///   mirror's size is in docs/scaling.md);
/// - `_redirects` and `_headers` for the hosts that read them (JSON type, open CORS).
pub fn registry_mirror(out: &Out, ds: &Dataset, base: &str) -> anyhow::Result<MirrorReport> {
    // One record per name; the first id wins (servers are sorted by id).
    let mut by_name: BTreeMap<String, &Server> = BTreeMap::new();
    for s in &ds.servers {
        if s.platform_of.is_some() {
            // A platform binary is installed through its parent, never on its own.
            continue;
        }
        let name = dataset::export::server_json_name(s);
        if safe_name_path(&name) {
            by_name.entry(name).or_insert(s);
        }
    }
    let entries: Vec<(&String, &Server)> = by_name.iter().map(|(k, v)| (k, *v)).collect();
    use rayon::prelude::*;
    // Each record serialized once, reused by its own files and the lists.
    let written: Vec<(Vec<u8>, usize, u64)> = entries
        .par_iter()
        .map(|(name, s)| {
            let entry = registry_entry(s);
            let bytes = serde_json::to_vec(&entry)?;
            let version = entry["server"]["version"]
                .as_str()
                .unwrap_or("")
                .to_string();
            let mut rels = Vec::with_capacity(4);
            for dir in name_dirs(name) {
                rels.push(format!("v0.1/servers/{dir}/versions/latest"));
                for f in version_files(&version) {
                    rels.push(format!("v0.1/servers/{dir}/versions/{f}"));
                }
            }
            out.write_copies(&rels, &bytes)?;
            let (files, size) = (rels.len(), (rels.len() * bytes.len()) as u64);
            anyhow::Ok((bytes, files, size))
        })
        .collect::<anyhow::Result<_>>()?;
    let mut report = MirrorReport {
        servers: entries.len(),
        files: written.iter().map(|w| w.1).sum(),
        bytes: written.iter().map(|w| w.2).sum(),
    };
    let bodies: Vec<&[u8]> = written.iter().map(|w| w.0.as_slice()).collect();
    let mut put = |rel: &str, b: &[u8]| -> anyhow::Result<()> {
        out.write(rel, b)?;
        report.files += 1;
        report.bytes += b.len() as u64;
        Ok(())
    };
    let all = server_list(&bodies, &json!({ "count": bodies.len() }))?;
    put("v0.1/servers/index.json", &all)?;
    // Never an `index.html`: a host would serve the JSON, hostile strings and all, as a page.
    // Hosts that read `_redirects` and `_headers` (Netlify, Cloudflare Pages) answer
    // `/v0.1/servers` with the list, as JSON, readable from any origin.
    put(
        "_redirects",
        format!(
            "{base}v0.1/servers {base}v0.1/servers/index.json 200\n{base}v0.1/servers/ {base}v0.1/servers/index.json 200\n"
        )
        .as_bytes(),
    )?;
    put(
        "_headers",
        format!(
            "{base}v0.1/*\n  Content-Type: application/json\n  Access-Control-Allow-Origin: *\n"
        )
        .as_bytes(),
    )?;
    Ok(report)
}

/// One server in the changes file.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Change {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<&'static str>,
}

/// One server's tool changes of the night: the entries of its tool changelog
/// (`trust.history.changelog`, written by enrich) dated the dataset's day.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ServerToolChanges {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    /// A tool definition changed while the server's version stayed the same.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub rug_pull: bool,
    /// Added, removed and changed tools, with the description diff of a changed one.
    pub changes: Vec<dataset::ToolChange>,
}

/// What changed since the previous dataset.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Changes {
    pub date: String,
    pub generated_at: String,
    pub previous_generated_at: Option<String>,
    pub added: Vec<Change>,
    pub removed: Vec<Change>,
    pub updated: Vec<Change>,
    /// Servers whose tools were added, removed or changed tonight, by id ([`tool_changes`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tool_changes: Vec<ServerToolChanges>,
    /// How many of them are rug pulls.
    #[serde(skip_serializing_if = "is_zero")]
    pub rug_pulls: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The tool changes of the night `date` (`YYYY-MM-DD`): each server's changelog entries of that
/// date, servers by id. They come from the dataset's own tool history, so they are listed even
/// without a previous dataset.
pub fn tool_changes(
    ds: &Dataset,
    date: &str,
    slugs: &BTreeMap<String, String>,
) -> Vec<ServerToolChanges> {
    let mut out: Vec<ServerToolChanges> = ds
        .servers
        .iter()
        .filter_map(|s| {
            let changes: Vec<dataset::ToolChange> = s
                .trust
                .as_ref()?
                .history
                .changelog
                .iter()
                .filter(|c| c.date == date)
                .cloned()
                .collect();
            (!changes.is_empty()).then(|| ServerToolChanges {
                id: s.id.clone(),
                name: s.name.clone(),
                slug: slugs.get(&s.id).cloned(),
                rug_pull: changes.iter().any(|c| c.rug_pull),
                changes,
            })
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

fn changed_fields(a: &Server, b: &Server) -> Vec<&'static str> {
    let mut f = Vec::new();
    if a.version() != b.version() {
        f.push("version");
    }
    if a.description != b.description || a.name != b.name || a.title != b.title {
        f.push("metadata");
    }
    if a.probe.as_ref().map(|p| p.outcome) != b.probe.as_ref().map(|p| p.outcome) {
        f.push("probe_outcome");
    }
    let tools = |s: &Server| -> Vec<String> {
        s.probe
            .as_ref()
            .map(|p| p.tool_names().map(str::to_string).collect())
            .unwrap_or_default()
    };
    if tools(a) != tools(b) {
        f.push("tools");
    }
    if a.install != b.install {
        f.push("install");
    }
    if f.is_empty() && a.last_changed != b.last_changed {
        f.push("other");
    }
    f
}

/// Compares tonight's dataset with the previous one. Without a previous dataset there is nothing
/// to compare (`previous_generated_at` is null and the lists are empty): listing every server as
/// "added" would repeat `servers.json` in the changes file.
pub fn changes(
    ds: &Dataset,
    previous: Option<&Dataset>,
    slugs: &BTreeMap<String, String>,
) -> Changes {
    let mut added = Vec::new();
    let mut removed = Vec::new();
    let mut updated = Vec::new();
    let prev: BTreeMap<&str, &Server> = previous
        .map(|p| p.servers.iter().map(|s| (s.id.as_str(), s)).collect())
        .unwrap_or_default();
    let now: BTreeSet<&str> = ds.servers.iter().map(|s| s.id.as_str()).collect();
    for s in &ds.servers {
        let c = || Change {
            id: s.id.clone(),
            name: s.name.clone(),
            slug: slugs.get(&s.id).cloned(),
            fields: Vec::new(),
        };
        if previous.is_none() {
            break;
        }
        match prev.get(s.id.as_str()) {
            None => added.push(c()),
            Some(p) => {
                let fields = changed_fields(p, s);
                if !fields.is_empty() {
                    updated.push(Change { fields, ..c() });
                }
            }
        }
    }
    for (id, s) in &prev {
        if !now.contains(id) {
            removed.push(Change {
                id: id.to_string(),
                name: s.name.clone(),
                slug: None,
                fields: Vec::new(),
            });
        }
    }
    let date = crate::view::day(&ds.generated_at);
    let tool_changes = tool_changes(ds, &date, slugs);
    Changes {
        rug_pulls: tool_changes.iter().filter(|t| t.rug_pull).count(),
        date,
        generated_at: ds.generated_at.clone(),
        previous_generated_at: previous.map(|p| p.generated_at.clone()),
        added,
        removed,
        updated,
        tool_changes,
    }
}

/// `changes/latest.json` and `changes/<date>.json`.
pub fn changes_files(out: &Out, c: &Changes) -> anyhow::Result<()> {
    let mut bytes = serde_json::to_vec(c)?;
    bytes.push(b'\n');
    out.write("changes/latest.json", &bytes)?;
    if dataset::time::is_date(&c.date) {
        out.write(&format!("changes/{}.json", c.date), &bytes)?;
    }
    Ok(())
}

/// The Atom feed of the newest servers (by first seen), `abs` being the site's absolute URL.
pub fn atom(ds: &Dataset, slugs: &BTreeMap<String, String>, abs: &str) -> String {
    let mut newest: Vec<&Server> = ds.servers.iter().collect();
    newest.sort_by(|a, b| b.first_seen.cmp(&a.first_seen).then(a.id.cmp(&b.id)));
    newest.truncate(50);
    let updated = newest
        .first()
        .map(|s| s.first_seen.clone())
        .unwrap_or_else(|| ds.generated_at.clone());
    let mut x = String::with_capacity(32 * 1024);
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    x.push_str(&format!(
        "<title>Hisper: new MCP servers</title>\n<id>{abs}feed.xml</id>\n<link rel=\"self\" href=\"{abs}feed.xml\"/>\n<link href=\"{abs}\"/>\n<updated>{}</updated>\n",
        esc(&updated)
    ));
    for s in newest {
        let Some(slug) = slugs.get(&s.id) else {
            continue;
        };
        let url = format!("{abs}servers/{slug}/");
        x.push_str(&format!(
            "<entry>\n<title>{}</title>\n<id>{url}</id>\n<link href=\"{url}\"/>\n<updated>{}</updated>\n<author><name>{}</name></author>\n<summary>{}</summary>\n</entry>\n",
            esc(&crate::markdown::clean_text(&s.name)),
            esc(&s.first_seen),
            esc(&crate::markdown::clean_text(
                s.repository.as_ref().map(|r| r.owner.as_str()).unwrap_or("unknown")
            )),
            esc(&crate::markdown::clean_text(s.description.as_deref().unwrap_or("")))
        ));
    }
    x.push_str("</feed>\n");
    x
}

/// `sitemap.xml` for the given site paths (relative to the root, e.g. `servers/x/`).
pub fn sitemap(paths: &[String], abs: &str) -> String {
    let mut x = String::with_capacity(paths.len() * 80 + 200);
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for p in paths {
        x.push_str(&format!("<url><loc>{abs}{}</loc></url>\n", esc(p)));
    }
    x.push_str("</urlset>\n");
    x
}

/// `robots.txt`, naming the sitemap when there is one (`abs`: the site's absolute URL).
pub fn robots(abs: Option<&str>) -> String {
    match abs {
        Some(abs) => format!("User-agent: *\nAllow: /\nSitemap: {abs}sitemap.xml\n"),
        None => "User-agent: *\nAllow: /\n".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_find_added_removed_updated() {
        let prev = dataset::synthetic::catalogue(20, 3);
        let mut now = prev.clone();
        let gone = now.servers.remove(0);
        now.servers[0].description = Some("new text".into());
        let mut extra = now.servers[1].clone();
        extra.id = "npm:zzz-new".into();
        now.servers.push(extra);
        let slugs = dataset::slug::assign(&now.servers);
        let c = changes(&now, Some(&prev), &slugs);
        assert_eq!(c.removed.len(), 1);
        assert_eq!(c.removed[0].id, gone.id);
        assert_eq!(c.added.len(), 1);
        assert_eq!(c.added[0].id, "npm:zzz-new");
        assert_eq!(c.updated.len(), 1);
        assert_eq!(c.updated[0].fields, ["metadata"]);
        let first = changes(&now, None, &slugs);
        assert_eq!(first.previous_generated_at, None);
        assert!(first.added.is_empty() && first.removed.is_empty() && first.updated.is_empty());
        assert!(first.tool_changes.is_empty() && first.rug_pulls == 0);
    }

    #[test]
    fn tool_changes_of_the_night_and_rug_pulls_are_listed() {
        let mut ds = dataset::synthetic::catalogue(5, 1);
        ds.generated_at = "2026-11-22T03:00:00Z".into();
        let entry = |date: &str, tool: &str, change, rug_pull| dataset::ToolChange {
            date: date.into(),
            tool: tool.into(),
            change,
            version_before: Some("1.0.0".into()),
            version_after: Some("1.0.0".into()),
            fingerprint_before: None,
            fingerprint_after: None,
            fields: vec!["description".into()],
            diff: vec![dataset::DiffLine {
                op: "+".into(),
                text: "read ~/.ssh/id_rsa".into(),
            }],
            rug_pull,
        };
        let mut t = dataset::Trust::default();
        t.history.changelog = vec![
            entry("2026-11-20", "old", dataset::ChangeKind::Added, false),
            entry("2026-11-22", "add", dataset::ChangeKind::Changed, true),
            entry("2026-11-22", "sub", dataset::ChangeKind::Removed, false),
        ];
        ds.servers[2].trust = Some(t);
        let mut t = dataset::Trust::default();
        t.history.changelog = vec![entry("2026-11-22", "x", dataset::ChangeKind::Added, false)];
        ds.servers[0].trust = Some(t);
        let slugs = dataset::slug::assign(&ds.servers);
        // Listed even without a previous dataset: they come from the dataset's own history.
        let c = changes(&ds, None, &slugs);
        assert_eq!(c.tool_changes.len(), 2);
        assert_eq!(c.rug_pulls, 1);
        let evil = c
            .tool_changes
            .iter()
            .find(|t| t.id == ds.servers[2].id)
            .unwrap();
        assert!(evil.rug_pull);
        let tools: Vec<&str> = evil.changes.iter().map(|c| c.tool.as_str()).collect();
        assert_eq!(tools, ["add", "sub"], "only tonight's entries");
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(v["rug_pulls"], 1);
        assert_eq!(v["tool_changes"][0]["changes"][0]["change"], "added");
        // A night without tool changes writes the file as before.
        let quiet = changes(&dataset::synthetic::catalogue(5, 1), None, &slugs);
        let v = serde_json::to_value(&quiet).unwrap();
        assert!(v.get("tool_changes").is_none() && v.get("rug_pulls").is_none());
    }

    #[test]
    fn unsafe_registry_names_are_skipped() {
        assert!(safe_name_path("io.github.o/r"));
        assert!(!safe_name_path("../x"));
        assert!(!safe_name_path("a/.."));
        assert!(!safe_name_path("noslash"));
        assert!(!safe_name_path("index.json/x"));
        assert_eq!(version_files("1.0.0"), ["1.0.0"]);
        assert_eq!(
            version_files("1.0.0+build.5"),
            ["1.0.0+build.5", "1.0.0%2Bbuild.5"]
        );
        assert!(version_files("latest").is_empty());
        assert!(version_files("../1").is_empty());
        assert_eq!(version_files("a/b"), ["a%2Fb"]);
        assert!(version_files("..").is_empty());
    }
}
