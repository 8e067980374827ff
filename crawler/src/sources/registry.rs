//! The official MCP Registry: `GET /v0.1/servers?limit=100&version=latest&cursor=…`.
//!
//! Cursor pagination (the cursor is opaque and URL-encoded); incremental with `updated_since`
//! set to the newest `updatedAt` of the last complete run; entries whose status is `deleted`
//! drop out, `deprecated` ones are flagged. Packages, remotes, environment variables, arguments
//! and the repository (with its `subfolder`) are kept. Unknown fields are ignored.

use dataset::{Package, Source, Transport};
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{url_with, Crawl, Ctx};
use crate::found::{signal, Found};
use crate::http::HttpError;
use crate::normalize::{normalize_repo, pep503};

/// The registry source.
pub struct Registry {
    pub base: String,
    pub page_size: usize,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Progress {
    cursor: Option<String>,
    updated_since: Option<String>,
    max_updated: Option<String>,
}

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    servers: Vec<Entry>,
    #[serde(default)]
    metadata: Option<Meta>,
}

#[derive(Deserialize)]
struct Meta {
    #[serde(default, rename = "nextCursor")]
    next_cursor: Option<String>,
}

#[derive(Deserialize)]
struct Entry {
    server: Value,
    #[serde(default, rename = "_meta")]
    meta: Option<Value>,
}

const OFFICIAL: &str = "io.modelcontextprotocol.registry/official";

fn str_of<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// One registry entry into an item; `Err(name)` when the entry is deleted.
fn to_found(base: &str, e: &Entry) -> Option<Result<Found, String>> {
    let s = &e.server;
    let name = str_of(s, "name")?;
    let official = e
        .meta
        .as_ref()
        .and_then(|m| m.get(OFFICIAL))
        .or_else(|| s.get("_meta").and_then(|m| m.get(OFFICIAL)));
    let status = official
        .and_then(|o| str_of(o, "status"))
        .unwrap_or("active");
    if status == "deleted" {
        return Some(Err(name.to_string()));
    }
    let mut f = Found::new(Source::McpRegistry, name, name);
    f.title = str_of(s, "title").map(str::to_string);
    f.description = str_of(s, "description").map(str::to_string);
    f.summary = f.description.clone();
    f.version = str_of(s, "version").map(str::to_string);
    f.deprecated = status == "deprecated";
    f.published_at = official
        .and_then(|o| str_of(o, "publishedAt"))
        .filter(|t| dataset::time::is_rfc3339(t))
        .map(str::to_string);
    f.updated_at = official
        .and_then(|o| str_of(o, "updatedAt"))
        .filter(|t| dataset::time::is_rfc3339(t))
        .map(str::to_string);
    f.url = url_with(
        base,
        &format!(
            "v0.1/servers/{}/versions/latest",
            super::encode_segment(name)
        ),
        &[],
    )
    .ok();
    if let Some(r) = s.get("repository") {
        if let Some(u) = str_of(r, "url") {
            f.repo = normalize_repo(u, str_of(r, "subfolder"));
        }
    }
    for p in s
        .get("packages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Ok(mut pkg) = serde_json::from_value::<Package>(p.clone()) else {
            continue;
        };
        if pkg.transport.kind.is_empty() {
            pkg.transport = Transport::stdio();
        }
        match pkg.registry_type.as_str() {
            "npm" => f.links.push(format!("npm:{}", pkg.identifier)),
            "pypi" => f.links.push(format!("pypi:{}", pep503(&pkg.identifier))),
            _ => {}
        }
        f.packages.push(pkg);
    }
    for r in s
        .get("remotes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Ok(t) = serde_json::from_value::<Transport>(r.clone()) {
            if matches!(t.kind.as_str(), "streamable-http" | "sse") && t.url.is_some() {
                f.remotes.push(t);
            }
        }
    }
    f.signals.push(signal::REGISTRY_LISTED.into());
    f.cap_fields();
    Some(Ok(f))
}

impl Crawl for Registry {
    fn source(&self) -> Source {
        Source::McpRegistry
    }

    fn crawl<'a>(&'a self, ctx: &'a mut Ctx) -> BoxFuture<'a, Result<(), HttpError>> {
        Box::pin(async move {
            let mut p: Progress = ctx.run_state();
            if ctx.state.run.is_none() {
                // A fresh run: incremental from the last complete one unless --full.
                p.updated_since = if ctx.full {
                    None
                } else {
                    ctx.state.marks.get("updated_since").cloned()
                };
                ctx.state.pending = if p.updated_since.is_some() {
                    ctx.state.known.clone()
                } else {
                    Default::default()
                };
                ctx.set_run_state(&p);
            }
            let limit = self.page_size.to_string();
            // Discovery only: about one page per `page_size` entries known (plus the last).
            ctx.plan.seconds = ctx.http.time_left().map(|l| l.as_secs());
            ctx.plan.discovery_requests =
                ctx.state.known.len().div_ceil(self.page_size.max(1)) as u64 + 1;
            ctx.plan.limits.insert(
                "requests".into(),
                super::spacing_limit(&ctx.http, &self.base, ""),
            );
            loop {
                ctx.plan.discovery_requests_made += 1;
                let mut params: Vec<(&str, &str)> =
                    vec![("limit", limit.as_str()), ("version", "latest")];
                if let Some(c) = &p.cursor {
                    params.push(("cursor", c.as_str()));
                }
                if let Some(u) = &p.updated_since {
                    params.push(("updated_since", u.as_str()));
                }
                let url = url_with(&self.base, "v0.1/servers", &params)?;
                let (page, _) = ctx.http.get_json::<Page>(&url, "application/json").await?;
                for e in &page.servers {
                    match to_found(&self.base, e) {
                        Some(Ok(f)) => {
                            if let Some(u) = &f.updated_at {
                                if p.max_updated.as_deref().is_none_or(|m| u.as_str() > m) {
                                    p.max_updated = Some(u.clone());
                                }
                            }
                            ctx.state.pending.insert(f.identifier.clone(), f);
                        }
                        Some(Err(deleted)) => {
                            ctx.state.pending.remove(&deleted);
                        }
                        None => {}
                    }
                }
                ctx.progress.inc(page.servers.len() as u64);
                let next = page
                    .metadata
                    .and_then(|m| m.next_cursor)
                    .filter(|c| !c.is_empty());
                if next.is_none() || next == p.cursor || page.servers.is_empty() {
                    break;
                }
                p.cursor = next;
                ctx.set_run_state(&p);
                ctx.checkpoint();
            }
            let hw = p
                .max_updated
                .clone()
                .or_else(|| ctx.state.marks.get("updated_since").cloned());
            if let Some(hw) = hw {
                ctx.state.marks.insert("updated_since".into(), hw);
            }
            ctx.finish();
            Ok(())
        })
    }
}
