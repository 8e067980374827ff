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
    /// Hits: name → what the search said.
    hits: BTreeMap<String, Hit>,
    searched: bool,
    /// Search pages this run requested (the next night's estimate).
    #[serde(default)]
    search_requests: u64,
}

/// What one search object says about a package: enough for a record before (or without) its
/// packument.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Hit {
    version: Option<String>,
    downloads: Option<u64>,
    description: Option<String>,
    keywords: Vec<String>,
    repository: Option<String>,
    date: Option<String>,
    license: Option<String>,
    homepage: Option<String>,
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
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    keywords: Option<Value>,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    license: Option<Value>,
    #[serde(default)]
    links: Option<Value>,
}

/// npm `license`: an SPDX string, or the old `{type}` object (or a list of them).
pub fn license_of(v: &Value) -> Option<String> {
    let l = match v {
        Value::String(s) => s.trim().to_string(),
        Value::Object(o) => o.get("type").and_then(Value::as_str)?.trim().to_string(),
        Value::Array(a) => {
            let parts: Vec<String> = a.iter().filter_map(license_of).collect();
            match parts.len() {
                0 => return None,
                1 => parts[0].clone(),
                _ => format!("({})", parts.join(" OR ")),
            }
        }
        _ => return None,
    };
    // `SEE LICENSE IN <file>` and `UNLICENSED` name no license.
    let named = !l.to_ascii_uppercase().starts_with("SEE LICENSE") && l != "UNLICENSED";
    (named && !l.is_empty() && l.len() <= 200 && !l.chars().any(char::is_control)).then_some(l)
}

/// A homepage worth keeping: an http(s) URL that is not just the repository.
pub fn homepage_of(url: &str, repo: Option<&RepoRef>) -> Option<String> {
    let u = url.trim();
    if !dataset::validate::is_http_url(u) {
        return None;
    }
    let same_repo = normalize_repo(u, None)
        .zip(repo)
        .is_some_and(|(a, b)| a.root().id() == b.root().id());
    (!same_repo).then(|| u.to_string())
}

/// A record from a search hit alone (discovery without enrichment).
fn found_from_hit(name: &str, h: &Hit, page: Option<String>) -> Found {
    let mut f = Found::new(Source::Npm, name, name);
    f.url = page;
    f.version = h.version.clone();
    f.summary = h.description.clone();
    f.description = h.description.clone();
    f.keywords = h.keywords.clone();
    f.repo = h
        .repository
        .as_deref()
        .and_then(|r| normalize_repo(r, None));
    f.updated_at = h.date.clone();
    f.downloads_monthly = h.downloads;
    f.license = h.license.clone();
    f.homepage = h
        .homepage
        .as_deref()
        .and_then(|u| homepage_of(u, f.repo.as_ref()));
    f.cap_fields();
    let verdict = classify::classify(&classify::Input {
        names: vec![name],
        texts: f.summary.iter().map(String::as_str).collect(),
        keywords: f.keywords.iter().map(String::as_str).collect(),
        signals: Vec::new(),
    });
    if verdict.kind == dataset::Kind::Server {
        f.packages
            .push(launch_package(Source::Npm, name, f.version.as_deref()));
    }
    f
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
    // The latest version's publication, else the document's last modification.
    f.updated_at = latest.and_then(t).or_else(|| t("modified"));
    f.license = ver
        .get("license")
        .or_else(|| v.get("license"))
        .and_then(license_of);
    f.homepage = ver
        .get("homepage")
        .or_else(|| v.get("homepage"))
        .and_then(Value::as_str)
        .and_then(|u| homepage_of(u, f.repo.as_ref()));
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
    f.cap_fields();
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
            p.search_requests += 1;
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
                let pk = &o.package;
                let link = |k: &str| {
                    pk.links
                        .as_ref()
                        .and_then(|l| l.get(k))
                        .and_then(Value::as_str)
                        .map(str::to_string)
                };
                let hit = Hit {
                    version: pk.version.clone(),
                    downloads: o.downloads.as_ref().and_then(|d| d.monthly),
                    description: pk.description.clone().filter(|d| !d.trim().is_empty()),
                    keywords: match &pk.keywords {
                        Some(Value::Array(a)) => a
                            .iter()
                            .filter_map(Value::as_str)
                            .map(|k| k.trim().to_lowercase())
                            .filter(|k| !k.is_empty() && k.len() <= 50)
                            .collect(),
                        _ => Vec::new(),
                    },
                    repository: link("repository"),
                    date: pk.date.clone().filter(|d| dataset::time::is_rfc3339(d)),
                    license: pk.license.as_ref().and_then(license_of),
                    homepage: link("homepage"),
                };
                p.hits.entry(pk.name.clone()).or_insert(hit);
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
                    http.record_for(name, &e);
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
                // Discovery: last night's search pages, else a guess of four per query.
                let estimate = ctx
                    .state
                    .marks
                    .get("search_requests")
                    .and_then(|s| s.parse::<u64>().ok())
                    .unwrap_or(self.queries.len() as u64 * 4);
                ctx.plan.seconds = ctx.http.time_left().map(|l| l.as_secs());
                ctx.plan.discovery_requests = estimate;
                ctx.plan.limits.insert(
                    "requests".into(),
                    super::spacing_limit(&ctx.http, &self.registry, ""),
                );
                self.search(ctx, &mut p).await?;
                p.searched = true;
                ctx.set_run_state(&p);
                ctx.checkpoint();
            }
            // Discovery is complete: every hit is listed now, from yesterday's packument when
            // its version did not move, else from the search alone until its packument comes.
            ctx.progress.set_length(p.hits.len() as u64);
            let mut fetch: Vec<(String, Option<u64>)> = Vec::new();
            for (name, hit) in &p.hits {
                if ctx.state.pending.contains_key(name) {
                    ctx.progress.inc(1);
                    continue; // fetched earlier in this run
                }
                let shallow = ctx.state.marks.contains_key(&format!("shallow:{name}"));
                let reuse = (!ctx.full && !shallow)
                    .then(|| ctx.state.known.get(name))
                    .flatten()
                    .filter(|k| hit.version.is_some() && k.version == hit.version)
                    .cloned();
                match reuse {
                    Some(mut f) => {
                        if hit.downloads.is_some() {
                            f.downloads_monthly = hit.downloads;
                        }
                        ctx.state.pending.insert(name.clone(), f);
                        ctx.progress.inc(1);
                    }
                    None => fetch.push((name.clone(), hit.downloads)),
                }
            }
            // Most downloaded first; what the time left cannot cover waits for a later night.
            fetch.sort_by(|a, b| {
                (std::cmp::Reverse(a.1), &a.0).cmp(&(std::cmp::Reverse(b.1), &b.0))
            });
            let wanted = fetch.len();
            let cap = super::time_capacity(&ctx.http, &self.registry, "", 1);
            let later = match cap {
                Some(c) if (c as usize) < fetch.len() => fetch.split_off(c as usize),
                _ => Vec::new(),
            };
            ctx.plan.discovery_requests_made = p.search_requests;
            ctx.plan.enrich_items = wanted as u64;
            ctx.plan.enrichment_requests = wanted as u64;
            ctx.plan.enrich_planned = fetch.len() as u64;
            ctx.plan.limited_by = (!later.is_empty()).then(|| "time".to_string());
            tracing::info!(
                "npm plan: {} packages found, {wanted} packuments to fetch; fetching {} now, {} \
                 left for the next night",
                p.hits.len(),
                fetch.len(),
                later.len()
            );
            let ctx_ref: &Ctx = ctx;
            // In any order (one stuck packument never holds up the others), then sorted back.
            let mut results: Vec<(usize, String, Result<Option<Found>, HttpError>)> =
                futures::stream::iter(fetch.into_iter().enumerate().map(
                    |(i, (name, dl))| async move {
                        let r = self.fetch_packument(&ctx_ref.http, &name, dl).await;
                        ctx_ref.progress.inc(1);
                        (i, name, r)
                    },
                ))
                .buffer_unordered(self.concurrency.max(1))
                .collect()
                .await;
            results.sort_by_key(|r| r.0);
            let mut deferred: Vec<String> = later.into_iter().map(|(n, _)| n).collect();
            let mut failed = 0usize;
            for (_, name, r) in results {
                match r {
                    Ok(Some(f)) => {
                        ctx.state.marks.remove(&format!("shallow:{name}"));
                        ctx.state.pending.insert(name, f);
                    }
                    Ok(None) => {}
                    Err(e) if e.is_stop() => deferred.push(name),
                    Err(e) => {
                        ctx.http.record_for(&name, &e);
                        failed += 1;
                        deferred.push(name);
                    }
                }
            }
            let left = deferred.len() - failed;
            ctx.plan.left_for_next_night = left as u64;
            ctx.plan.enrich_failed = failed as u64;
            if !deferred.is_empty() {
                ctx.note(format!(
                    "fetched {} of {wanted} packuments (most downloaded first); {failed} failed \
                     (see errors), {left} left for the next night, with yesterday's data or the \
                     search's",
                    wanted - deferred.len(),
                ));
            }
            for name in deferred {
                let Some(hit) = p.hits.get(&name) else {
                    continue;
                };
                // Yesterday's full item (with tonight's downloads), else the search's view.
                let item = match ctx.state.known.get(&name).cloned() {
                    Some(mut k) => {
                        if hit.downloads.is_some() {
                            k.downloads_monthly = hit.downloads;
                        }
                        k
                    }
                    None => {
                        ctx.state
                            .marks
                            .insert(format!("shallow:{name}"), "1".into());
                        found_from_hit(&name, hit, self.pages.page(Source::Npm, &name))
                    }
                };
                ctx.state.pending.insert(name, item);
            }
            let hits = &p.hits;
            ctx.state.marks.retain(|k, _| {
                k.strip_prefix("shallow:")
                    .is_none_or(|n| hits.contains_key(n))
            });
            ctx.state
                .marks
                .insert("search_requests".into(), p.search_requests.to_string());
            ctx.set_run_state(&p);
            ctx.finish();
            Ok(())
        })
    }
}
