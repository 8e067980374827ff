//! The site's files for machines: the dataset (`servers.json` and `.gz`), its JSON Schema, a
//! static mirror of the MCP Registry `v0.1` read API, the daily changes file, the Atom feed of new
//! servers, `sitemap.xml` and `robots.txt`.
//!
//! Everything here is deterministic for a given dataset (sorted, no clocks). The registry mirror
//! is static, so it cannot honour query parameters: `/v0.1/servers/index.json` is the first page and
//! each page's `metadata.nextCursor` is the next page's number, with `metadata.next` its path.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use serde::Serialize;
use serde_json::{json, Value};

use dataset::{Dataset, Server};

use crate::html::esc;
use crate::Out;

/// Servers per page of the registry mirror.
pub const REGISTRY_PAGE: usize = 100;

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

/// Whether a server.json name is safe to use as two path segments.
fn safe_name_path(name: &str) -> bool {
    let Some((ns, n)) = name.split_once('/') else {
        return false;
    };
    dataset::export::is_valid_name(name)
        && [ns, n]
            .iter()
            .all(|p| !p.is_empty() && !p.starts_with('.') && *p != "..")
}

fn registry_entry(s: &Server) -> Value {
    json!({
        "server": dataset::export::to_server_json(s),
        "_meta": {
            "io.modelcontextprotocol.registry/official": {
                "status": "active",
                "publishedAt": s.first_seen,
                "updatedAt": s.last_changed,
                "isLatest": true
            }
        }
    })
}

/// The static registry mirror; returns the number of servers in it.
pub fn registry_mirror(out: &Out, ds: &Dataset, base: &str) -> anyhow::Result<usize> {
    // One record per name; the first id wins (servers are sorted by id).
    let mut by_name: BTreeMap<String, &Server> = BTreeMap::new();
    for s in &ds.servers {
        let name = dataset::export::server_json_name(s);
        if safe_name_path(&name) {
            by_name.entry(name).or_insert(s);
        }
    }
    let entries: Vec<(&String, &Server)> = by_name.iter().map(|(k, v)| (k, *v)).collect();
    use rayon::prelude::*;
    // Each record serialized once, reused by its `latest` file and its list page.
    let bodies: Vec<Vec<u8>> = entries
        .par_iter()
        .map(|(name, s)| {
            let bytes = serde_json::to_vec(&registry_entry(s))?;
            out.write(&format!("v0.1/servers/{name}/versions/latest"), &bytes)?;
            anyhow::Ok(bytes)
        })
        .collect::<anyhow::Result<_>>()?;
    let total = bodies.len().div_ceil(REGISTRY_PAGE).max(1);
    for i in 0..total {
        let chunk = bodies.chunks(REGISTRY_PAGE).nth(i).unwrap_or(&[]);
        let mut body = Vec::with_capacity(chunk.iter().map(Vec::len).sum::<usize>() + 200);
        body.extend_from_slice(b"{\"servers\":[");
        for (k, b) in chunk.iter().enumerate() {
            if k > 0 {
                body.push(b',');
            }
            body.extend_from_slice(b);
        }
        let mut metadata = json!({ "count": chunk.len() });
        if i + 1 < total {
            metadata["nextCursor"] = json!((i + 2).to_string());
            metadata["next"] = json!(format!("{base}v0.1/servers/page/{}.json", i + 2));
        }
        body.extend_from_slice(b"],\"metadata\":");
        body.extend_from_slice(&serde_json::to_vec(&metadata)?);
        body.push(b'}');
        if i == 0 {
            out.write("v0.1/servers/index.json", &body)?;
        }
        out.write(&format!("v0.1/servers/page/{}.json", i + 1), &body)?;
    }
    Ok(entries.len())
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

/// What changed since the previous dataset.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Changes {
    pub date: String,
    pub generated_at: String,
    pub previous_generated_at: Option<String>,
    pub added: Vec<Change>,
    pub removed: Vec<Change>,
    pub updated: Vec<Change>,
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
    Changes {
        date: crate::view::day(&ds.generated_at),
        generated_at: ds.generated_at.clone(),
        previous_generated_at: previous.map(|p| p.generated_at.clone()),
        added,
        removed,
        updated,
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

/// `robots.txt`.
pub fn robots(abs: &str) -> String {
    format!("User-agent: *\nAllow: /\nSitemap: {abs}sitemap.xml\n")
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
    }

    #[test]
    fn unsafe_registry_names_are_skipped() {
        assert!(safe_name_path("io.github.o/r"));
        assert!(!safe_name_path("../x"));
        assert!(!safe_name_path("a/.."));
        assert!(!safe_name_path("noslash"));
    }
}
