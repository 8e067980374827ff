//! npm: search (`/-/v1/search`, `keywords:` and text queries, paged by 250), packuments for
//! each hit, monthly downloads.
//!
//! The search caps how deep one query can page (`from + size` ≤ the cap, 10,000 on the real
//! service): a query with more hits is split in two (`not:unstable` / `is:unstable`) and the
//! capped remainder is noted. Packuments give the repository (string or object, with
//! `directory`), keywords, `bin`, dependencies, `mcpName`, times and the README; unpublished
//! packages (404, or `time.unpublished`) drop out. A package whose version did not change since
//! the last complete run is not fetched again. Downloads come from the search hit when present,
//! else from the downloads API when configured.

use std::collections::BTreeMap;

use dataset::Source;
use futures::future::BoxFuture;
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{encode_segment, url_with, Crawl, Ctx, Resolved};
use crate::classify;
use crate::found::{signal, Found};
use crate::http::{HttpError, SourceHttp};
use crate::listing::launch_package;
use crate::normalize::{normalize_repo, RepoRef};

/// The npm source.
pub struct Npm {
    pub registry: String,
    pub downloads: Option<String>,
    pub queries: Vec<String>,
    /// Deepest `from + size` the search answers.
    pub search_cap: usize,
    pub page_size: usize,
    pub concurrency: usize,
    /// Where package pages live (configuration; `None` links nothing).
    pub pages: crate::listing::PageBases,
}

/// The SDK packages whose dependents are servers.
pub const SDK_DEPS: &[&str] = &[
    "@modelcontextprotocol/sdk",
    "fastmcp",
    "mcp-framework",
    "@modelcontextprotocol/server",
];

#[derive(Debug, Default, Serialize, Deserialize)]
struct Progress {
    /// Queries left, each with the next `from`.
    queue: Vec<(String, usize)>,
    started: bool,
    /// Hits: name → (version, monthly downloads).
    hits: BTreeMap<String, (Option<String>, Option<u64>)>,
    searched: bool,
}

#[derive(Deserialize)]
struct SearchPage {
    #[serde(default)]
    objects: Vec<SearchObject>,
    #[serde(default)]
    total: usize,
}

#[derive(Deserialize)]
struct SearchObject {
    package: SearchPackage,
    #[serde(default)]
    downloads: Option<Downloads>,
}

#[derive(Deserialize)]
struct SearchPackage {
    name: String,
    #[serde(default)]
    version: Option<String>,
}

#[derive(Deserialize)]
struct Downloads {
    #[serde(default)]
    monthly: Option<u64>,
}

/// A packument into an item; `None` when unpublished or unusable.
pub fn packument_to_found(v: &Value, page: Option<String>) -> Option<Found> {
    let name = v.get("name")?.as_str()?;
    let time = v.get("time");
    if time.and_then(|t| t.get("unpublished")).is_some() {
        return None;
    }
    let latest = v
        .get("dist-tags")
        .and_then(|d| d.get("latest"))
        .and_then(Value::as_str);
    let ver = latest.and_then(|l| v.get("versions").and_then(|vs| vs.get(l)));
    let ver = ver?;
    let mut f = Found::new(Source::Npm, name, name);
    f.url = page;
    f.version = latest.map(str::to_string);
    let desc = v
        .get("description")
        .or_else(|| ver.get("description"))
        .and_then(Value::as_str)
        .map(str::to_string);
    f.summary = desc.clone();
    f.description = desc;
    let kw = v.get("keywords").or_else(|| ver.get("keywords"));
    if let Some(a) = kw.and_then(Value::as_array) {
        f.keywords = a
            .iter()
            .filter_map(Value::as_str)
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty() && s.len() <= 50)
            .collect();
    }
    let repo = ver.get("repository").or_else(|| v.get("repository"));
    f.repo = repo.and_then(repo_ref);
    let t = |k: &str| {
        time.and_then(|t| t.get(k))
            .and_then(Value::as_str)
            .filter(|s| dataset::time::is_rfc3339(s))
            .map(str::to_string)
    };
    f.published_at = t("created");
    f.updated_at = t("modified");
    f.deprecated = ver
        .get("deprecated")
        .is_some_and(|d| !d.is_null() && d != false);
    if let Some(m) = ver
        .get("mcpName")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        f.signals.push(signal::NPM_MCP_NAME.into());
        f.links.push(format!("mcp-registry:{m}"));
    }
    let deps = ver.get("dependencies").and_then(Value::as_object);
    if deps.is_some_and(|d| SDK_DEPS.iter().any(|s| d.contains_key(*s))) {
        f.signals.push(signal::DEPENDS_ON_SDK.into());
    }
    let has_bin = match ver.get("bin") {
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
        _ => false,
    };
    if has_bin {
        f.signals.push(signal::ENTRY_POINT.into());
    }
    f.readme = v
        .get("readme")
        .and_then(Value::as_str)
        .filter(|r| !r.trim().is_empty())
        .map(|r| {
            let mut r = r.to_string();
            dataset::truncate_on_char_boundary(&mut r, dataset::README_CAP);
            r
        });
    let verdict = classify::classify(&classify::Input {
        names: vec![name],
        texts: f.summary.iter().map(String::as_str).collect(),
        keywords: f.keywords.iter().map(String::as_str).collect(),
        signals: f.signals.iter().map(String::as_str).collect(),
    });
    if verdict.kind == dataset::Kind::Server {
        f.packages
            .push(launch_package(Source::Npm, name, f.version.as_deref()));
    }
    Some(f)
}

/// npm `repository`: a string (`owner/repo`, `github:owner/repo`, a URL) or an object with
/// `url` and `directory`.
pub fn repo_ref(r: &Value) -> Option<RepoRef> {
    match r {
        Value::String(s) => normalize_repo(s, None),
        Value::Object(o) => normalize_repo(
            o.get("url").and_then(Value::as_str)?,
            o.get("directory").and_then(Value::as_str),
        ),
        _ => None,
    }
}

impl Npm {
    async fn search(&self, ctx: &mut Ctx, p: &mut Progress) -> Result<(), HttpError> {
        let size = self.page_size.clamp(1, self.search_cap.max(1));
        while let Some((q, from)) = p.queue.first().cloned() {
            let url = url_with(
                &self.registry,
                "-/v1/search",
                &[
                    ("text", q.as_str()),
                    ("size", &size.to_string()),
                    ("from", &from.to_string()),
                ],
            )?;
            let page = match ctx
                .http
                .get_json::<SearchPage>(&url, "application/json")
                .await
            {
                Ok((page, _)) => page,
                // A missing search page would make packages look deleted: the source fails
                // (and keeps yesterday's records) rather than finish incomplete.
                Err(e) => return Err(e),
            };
            if from == 0 && page.total > self.search_cap {
                let splits = if q.contains("not:unstable") || q.contains("is:unstable") {
                    Vec::new()
                } else {
                    vec![format!("{q} not:unstable"), format!("{q} is:unstable")]
                };
                if !splits.is_empty() {
                    p.queue.remove(0);
                    for s in splits.into_iter().rev() {
                        p.queue.insert(0, (s, 0));
                    }
                    ctx.set_run_state(&*p);
                    continue;
                }
                ctx.note(format!(
                    "query {q:?} has {} hits, over the search cap of {}; the rest is not reachable",
                    page.total, self.search_cap
                ));
            }
            for o in &page.objects {
                let dl = o.downloads.as_ref().and_then(|d| d.monthly);
                p.hits
                    .entry(o.package.name.clone())
                    .or_insert((o.package.version.clone(), dl));
            }
            let next = from + size;
            let reachable = page.total.min(self.search_cap);
            if page.objects.is_empty() || next >= reachable || next + size > self.search_cap {
                p.queue.remove(0);
            } else {
                p.queue[0].1 = next;
            }
            ctx.set_run_state(&*p);
            ctx.checkpoint();
        }
        Ok(())
    }

    async fn downloads(&self, http: &SourceHttp, name: &str) -> Option<u64> {
        let base = self.downloads.as_ref()?;
        let url = url_with(
            base,
            &format!("downloads/point/last-month/{}", encode_segment(name)),
            &[],
        )
        .ok()?;
        match http.get_json::<Value>(&url, "application/json").await {
            Ok((v, _)) => v.get("downloads").and_then(Value::as_u64),
            Err(e) => {
                if e.status() != Some(404) {
                    http.record(&e);
                }
                None
            }
        }
    }
}

impl Npm {
    /// One packument into an item (`None`: unpublished or gone), with its downloads.
    async fn fetch_packument(
        &self,
        http: &SourceHttp,
        name: &str,
        dl: Option<u64>,
    ) -> Result<Option<Found>, HttpError> {
        let url = url_with(&self.registry, &encode_segment(name), &[])?;
        match http.get_json::<Value>(&url, "application/json").await {
            Ok((v, _)) => {
                let mut f = packument_to_found(&v, self.pages.page(Source::Npm, name));
                if let Some(f) = &mut f {
                    f.downloads_monthly = match dl {
                        Some(d) => Some(d),
                        None => self.downloads(http, &f.identifier).await,
                    };
                }
                Ok(f)
            }
            Err(e) if e.status() == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

impl Crawl for Npm {
    fn source(&self) -> Source {
        Source::Npm
    }

    fn claims(&self, link: &str) -> bool {
        link.starts_with("npm:")
    }

    fn resolve<'a>(&'a self, ctx: &'a mut Ctx, wanted: Vec<String>) -> BoxFuture<'a, Resolved> {
        Box::pin(async move {
            super::resolve_with(ctx, wanted, self.concurrency, |http, link| async move {
                let name = link.strip_prefix("npm:").unwrap_or(&link);
                self.fetch_packument(&http, name, None).await
            })
            .await
        })
    }

    fn crawl<'a>(&'a self, ctx: &'a mut Ctx) -> BoxFuture<'a, Result<(), HttpError>> {
        Box::pin(async move {
            let mut p: Progress = ctx.run_state();
            if !p.started {
                p.started = true;
                p.queue = self.queries.iter().map(|q| (q.clone(), 0)).collect();
                ctx.state.pending.clear();
                ctx.set_run_state(&p);
            }
            if !p.searched {
                self.search(ctx, &mut p).await?;
                p.searched = true;
                ctx.set_run_state(&p);
                ctx.checkpoint();
            }
            ctx.progress.set_length(p.hits.len() as u64);
            let todo: Vec<(String, Option<String>, Option<u64>)> = p
                .hits
                .iter()
                .filter(|(n, _)| !ctx.state.pending.contains_key(*n))
                .map(|(n, (v, d))| (n.clone(), v.clone(), *d))
                .collect();
            ctx.progress
                .set_position((p.hits.len() - todo.len()) as u64);
            // Unchanged since the last run: reuse.
            let mut fetch = Vec::new();
            for (name, version, dl) in todo {
                let reuse = (!ctx.full)
                    .then(|| ctx.state.known.get(&name))
                    .flatten()
                    .filter(|k| version.is_some() && k.version == version)
                    .cloned();
                match reuse {
                    Some(mut f) => {
                        if dl.is_some() {
                            f.downloads_monthly = dl;
                        }
                        ctx.state.pending.insert(name, f);
                        ctx.progress.inc(1);
                    }
                    None => fetch.push((name, dl)),
                }
            }
            let ctx_ref: &Ctx = ctx;
            let results: Vec<(String, Result<Option<Found>, HttpError>)> =
                futures::stream::iter(fetch.into_iter().map(|(name, dl)| async move {
                    let r = self.fetch_packument(&ctx_ref.http, &name, dl).await;
                    ctx_ref.progress.inc(1);
                    (name, r)
                }))
                .buffered(self.concurrency.max(1))
                .collect()
                .await;
            let mut stop = None;
            for (name, r) in results {
                match r {
                    Ok(Some(f)) => {
                        ctx.state.pending.insert(name, f);
                    }
                    Ok(None) => {}
                    Err(e) if e.is_stop() => {
                        stop.get_or_insert(e);
                    }
                    Err(e) => {
                        ctx.http.record(&e);
                        // Keep yesterday's view of this one package if we have it.
                        if let Some(k) = ctx.state.known.get(&name).cloned() {
                            ctx.state.pending.insert(name, k);
                        }
                    }
                }
            }
            ctx.set_run_state(&p);
            if let Some(e) = stop {
                ctx.checkpoint_now();
                return Err(e);
            }
            ctx.finish();
            Ok(())
        })
    }
}
