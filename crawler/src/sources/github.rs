//! GitHub: repository search over MCP topics and keywords, split by date windows, then
//! enrichment of each repository (through octocrab, pointed at the configured API base).
//!
//! GitHub search answers at most 1,000 results per query: a window whose `total_count` is over
//! 1,000 is halved (`created:` on a full run, `pushed:` on a nightly run) until every window is
//! complete; a page answering 422 ends its window; `incomplete_results: true` is retried once,
//! then noted. Enrichment fetches `/repos/{owner}/{repo}` with octocrab (a renamed repository
//! answers 301 and is followed; its numeric id keeps its record's id), the README and the
//! manifests that reveal how a server is launched (package.json, pyproject.toml, Cargo.toml,
//! server.json, smithery.yaml). Repositories whose `pushed_at` did not move are not enriched again.

use std::collections::BTreeMap;

use dataset::{Repository, Source};
use futures::future::BoxFuture;
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{url_with, Crawl, Ctx};
use crate::found::{signal, Found};
use crate::http::{HttpError, Response};
use crate::normalize::{normalize_repo, pep503};

/// The GitHub source.
pub struct Github {
    pub api: String,
    pub token: Option<String>,
    pub queries: Vec<String>,
    pub concurrency: usize,
    /// The earliest `created:` date of a full run (Unix seconds).
    pub epoch: i64,
    /// The crawl's clock (Unix seconds).
    pub now: i64,
}

/// The manifests fetched from a repository's root.
pub const MANIFESTS: &[&str] = &[
    "package.json",
    "pyproject.toml",
    "Cargo.toml",
    "server.json",
    "smithery.yaml",
];

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Window {
    query: String,
    /// `created` or `pushed`.
    field: String,
    lo: i64,
    hi: i64,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Progress {
    started: bool,
    queue: Vec<Window>,
    /// Search hits: lowercase full name → repository metadata from the search item.
    hits: BTreeMap<String, Repository>,
    searched: bool,
    windows_done: u64,
    /// Hits enriched by this run before it stopped.
    #[serde(default)]
    enriched: std::collections::BTreeSet<String>,
}

#[derive(Deserialize)]
struct SearchPage {
    #[serde(default)]
    total_count: u64,
    #[serde(default)]
    incomplete_results: bool,
    #[serde(default)]
    items: Vec<Value>,
}

fn stamp(secs: i64) -> String {
    dataset::time::rfc3339_from_unix(secs)
}

/// A GitHub repository object (search item or `/repos/…`) into [`Repository`].
pub fn repo_from_json(v: &Value) -> Option<Repository> {
    let full = v.get("full_name")?.as_str()?;
    let (owner, name) = full.split_once('/')?;
    let s = |k: &str| v.get(k).and_then(Value::as_str).filter(|x| !x.is_empty());
    let url = s("html_url")
        .map(str::to_string)
        .unwrap_or_else(|| format!("https://github.com/{full}"));
    let norm = normalize_repo(&url, None)?;
    Some(Repository {
        url: norm.url(),
        forge: "github".into(),
        owner: owner.into(),
        name: name.into(),
        subfolder: None,
        forge_id: v.get("id").and_then(Value::as_u64),
        description: s("description").map(str::to_string),
        stars: v.get("stargazers_count").and_then(Value::as_u64),
        forks: v.get("forks_count").and_then(Value::as_u64),
        license: v
            .get("license")
            .and_then(|l| l.get("spdx_id"))
            .and_then(Value::as_str)
            .filter(|l| !l.is_empty() && *l != "NOASSERTION")
            .map(str::to_string),
        topics: v
            .get("topics")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_lowercase)
                    .collect()
            })
            .unwrap_or_default(),
        archived: v.get("archived").and_then(Value::as_bool).unwrap_or(false),
        fork: v.get("fork").and_then(Value::as_bool).unwrap_or(false),
        pushed_at: s("pushed_at")
            .filter(|t| dataset::time::is_rfc3339(t))
            .map(str::to_string),
        default_branch: s("default_branch").map(str::to_string),
    })
}

/// Facts from the manifests of a repository root.
pub fn manifest_facts(file: &str, text: &str, f: &mut Found) {
    match file {
        "package.json" => {
            let Ok(v) = serde_json::from_str::<Value>(text) else {
                return;
            };
            let private = v.get("private").and_then(Value::as_bool).unwrap_or(false);
            if let (Some(n), false) = (v.get("name").and_then(Value::as_str), private) {
                f.links.push(format!("npm:{n}"));
            }
            if v.get("mcpName").and_then(Value::as_str).is_some() {
                f.signals.push(signal::NPM_MCP_NAME.into());
            }
            let deps = v.get("dependencies").and_then(Value::as_object);
            if deps.is_some_and(|d| super::npm::SDK_DEPS.iter().any(|s| d.contains_key(*s))) {
                f.signals.push(signal::DEPENDS_ON_SDK.into());
            }
            if v.get("bin").is_some_and(|b| !b.is_null()) {
                f.signals.push(signal::ENTRY_POINT.into());
            }
        }
        "pyproject.toml" => {
            let mut section = String::new();
            for line in text.lines() {
                let l = line.trim();
                if l.starts_with('[') {
                    section = l.trim_matches(['[', ']']).trim().to_string();
                    continue;
                }
                if section == "project" {
                    if let Some(rest) = l.strip_prefix("name") {
                        let v = rest
                            .trim_start()
                            .trim_start_matches('=')
                            .trim()
                            .trim_matches('"');
                        if !v.is_empty() && !v.contains(' ') {
                            f.links.push(format!("pypi:{}", pep503(v)));
                        }
                    }
                }
                if section == "project.scripts" && l.contains('=') {
                    f.signals.push(signal::ENTRY_POINT.into());
                }
                let lower = l.to_lowercase();
                if (lower.starts_with("\"mcp") || lower.starts_with("\"fastmcp"))
                    && (section == "project" || section.starts_with("tool.poetry"))
                {
                    f.signals.push(signal::DEPENDS_ON_SDK.into());
                }
                if section == "project"
                    && lower.starts_with("dependencies")
                    && (lower.contains("\"mcp") || lower.contains("\"fastmcp"))
                {
                    f.signals.push(signal::DEPENDS_ON_SDK.into());
                }
            }
        }
        "Cargo.toml" => {
            if text.lines().any(|l| l.trim_start().starts_with("rmcp")) {
                f.signals.push(signal::DEPENDS_ON_SDK.into());
            }
            if text.contains("[[bin]]") || text.contains("[package]") {
                f.signals.push(signal::ENTRY_POINT.into());
            }
        }
        "server.json" => {
            f.signals.push(signal::SERVER_JSON.into());
            if let Some(n) = serde_json::from_str::<Value>(text)
                .ok()
                .and_then(|v| v.get("name").and_then(Value::as_str).map(str::to_string))
            {
                f.links.push(format!("mcp-registry:{n}"));
            }
        }
        "smithery.yaml" => f.signals.push(signal::SMITHERY.into()),
        _ => {}
    }
}

/// An item from repository metadata alone (no README, no manifests).
pub fn found_from_meta(meta: &Repository) -> Found {
    let full = format!("{}/{}", meta.owner, meta.name);
    let mut f = Found::new(Source::Github, full, meta.name.clone());
    f.repo = normalize_repo(&meta.url, None);
    f.url = Some(meta.url.clone());
    f.stars = meta.stars;
    f.description = meta.description.clone();
    f.summary = meta.description.clone();
    f.keywords = meta.topics.clone();
    f.updated_at = meta.pushed_at.clone();
    f.repo_meta = Some(meta.clone());
    f
}

impl Github {
    fn octocrab(&self, http: &crate::http::Http) -> Result<octocrab::Octocrab, HttpError> {
        let bad = |e: String| HttpError::Transport {
            url: self.api.clone(),
            message: e,
        };
        let client = reqwest::Client::builder()
            .user_agent(http.config().user_agent.clone())
            .timeout(http.config().timeout)
            .build()
            .map_err(|e| bad(e.to_string()))?;
        let mut b = octocrab::Octocrab::builder()
            .base_uri(self.api.as_str())
            .map_err(|e| bad(e.to_string()))?;
        if let Some(t) = &self.token {
            b = b.personal_token(t.clone());
        }
        b.build_with_reqwest(client).map_err(|e| bad(e.to_string()))
    }

    async fn search(&self, ctx: &mut Ctx, p: &mut Progress) -> Result<(), HttpError> {
        while let Some(w) = p.queue.first().cloned() {
            let q = format!("{} {}:{}..{}", w.query, w.field, stamp(w.lo), stamp(w.hi));
            let mut page_no = 1u64;
            let mut pages = 1u64;
            let mut retried_incomplete = false;
            let mut split = false;
            while page_no <= pages {
                let url = url_with(
                    &self.api,
                    "search/repositories",
                    &[
                        ("q", q.as_str()),
                        ("per_page", "100"),
                        ("page", &page_no.to_string()),
                    ],
                )?;
                let page = match ctx
                    .http
                    .get_json::<SearchPage>(&url, "application/vnd.github+json")
                    .await
                {
                    Ok((pg, _)) => pg,
                    Err(e) if e.status() == Some(422) => {
                        ctx.note(format!("{url}: 422, window ends at page {page_no}"));
                        break;
                    }
                    // Any other failure would make repositories look deleted: the source
                    // fails and keeps yesterday's records.
                    Err(e) => return Err(e),
                };
                if page_no == 1 && page.total_count > 1000 && w.hi > w.lo {
                    let mid = w.lo + (w.hi - w.lo) / 2;
                    p.queue.remove(0);
                    p.queue.insert(
                        0,
                        Window {
                            lo: mid + 1,
                            ..w.clone()
                        },
                    );
                    p.queue.insert(
                        0,
                        Window {
                            hi: mid,
                            ..w.clone()
                        },
                    );
                    split = true;
                    break;
                }
                if page.incomplete_results && !retried_incomplete {
                    retried_incomplete = true;
                    continue;
                }
                if page.incomplete_results {
                    ctx.note(format!("{url}: incomplete_results after a retry"));
                }
                retried_incomplete = false;
                if page_no == 1 {
                    pages = page.total_count.div_ceil(100).min(10);
                }
                for item in &page.items {
                    if let Some(r) = repo_from_json(item) {
                        p.hits
                            .entry(format!("{}/{}", r.owner, r.name).to_lowercase())
                            .or_insert(r);
                    }
                }
                if page.items.is_empty() {
                    break;
                }
                page_no += 1;
            }
            if !split {
                p.queue.remove(0);
                p.windows_done += 1;
            }
            ctx.progress
                .set_message(format!("{} windows", p.windows_done));
            ctx.set_run_state(&*p);
            ctx.checkpoint();
        }
        Ok(())
    }

    /// One raw file or README through the shared client (cached); `None` when absent.
    async fn raw(ctx: &Ctx, url: &str) -> Result<Option<String>, HttpError> {
        match ctx.http.get(url, "application/vnd.github.raw+json").await {
            Ok(r) => Ok(Some(String::from_utf8_lossy(&r.body).into_owned())),
            Err(e) if e.status() == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn enrich(
        &self,
        ctx: &Ctx,
        octo: &octocrab::Octocrab,
        hit: &Repository,
    ) -> Result<Option<Found>, HttpError> {
        let full = format!("{}/{}", hit.owner, hit.name);
        let url = url_with(&self.api, &format!("repos/{full}"), &[])?;
        let send = || async {
            let resp = octo._get(url.as_str()).await.map_err(|e| e.to_string())?;
            let status = resp.status().as_u16();
            let headers: Vec<(String, String)> = resp
                .headers()
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_ascii_lowercase(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            let body = octo.body_to_string(resp).await.map_err(|e| e.to_string())?;
            Ok(Response {
                status,
                headers,
                body: body.into_bytes(),
                from_cache: false,
                final_url: url.clone(),
            })
        };
        let r = match ctx.http.http.run(&url, &ctx.http.counters, send).await {
            Ok(r) => r,
            Err(e) if matches!(e.status(), Some(404) | Some(451)) => return Ok(None),
            Err(e) => return Err(e),
        };
        let v: Value = crate::http::parse_json(&url, &r)?;
        let meta = repo_from_json(&v).unwrap_or_else(|| hit.clone());
        let full = format!("{}/{}", meta.owner, meta.name);
        let mut f = found_from_meta(&meta);
        f.published_at = v
            .get("created_at")
            .and_then(Value::as_str)
            .filter(|t| dataset::time::is_rfc3339(t))
            .map(str::to_string);
        if let Some(readme) = Self::raw(
            ctx,
            &url_with(&self.api, &format!("repos/{full}/readme"), &[])?,
        )
        .await?
        {
            let mut readme = readme;
            dataset::truncate_on_char_boundary(&mut readme, dataset::README_CAP);
            f.readme = Some(readme);
        }
        let listing_url = url_with(&self.api, &format!("repos/{full}/contents/"), &[])?;
        let files: Vec<String> = match ctx
            .http
            .get_json::<Value>(&listing_url, "application/vnd.github+json")
            .await
        {
            Ok((Value::Array(a), _)) => a
                .iter()
                .filter_map(|e| e.get("name").and_then(Value::as_str).map(str::to_string))
                .collect(),
            Ok(_) => Vec::new(),
            Err(e) if e.status() == Some(404) => Vec::new(),
            Err(e) => return Err(e),
        };
        for m in MANIFESTS {
            if files.iter().any(|n| n == m) {
                let u = url_with(&self.api, &format!("repos/{full}/contents/{m}"), &[])?;
                if let Some(text) = Self::raw(ctx, &u).await? {
                    manifest_facts(m, &text, &mut f);
                }
            }
        }
        f.repo_meta = Some(meta);
        Ok(Some(f))
    }
}

impl Crawl for Github {
    fn source(&self) -> Source {
        Source::Github
    }

    fn crawl<'a>(&'a self, ctx: &'a mut Ctx) -> BoxFuture<'a, Result<(), HttpError>> {
        Box::pin(async move {
            let mut p: Progress = ctx.run_state();
            if !p.started {
                p.started = true;
                let last = if ctx.full {
                    None
                } else {
                    ctx.state
                        .marks
                        .get("last_complete")
                        .and_then(|s| s.parse::<i64>().ok())
                };
                let (field, lo) = match last {
                    Some(t) => ("pushed", t - 86_400),
                    None => ("created", self.epoch),
                };
                p.queue = self
                    .queries
                    .iter()
                    .map(|q| Window {
                        query: q.clone(),
                        field: field.into(),
                        lo,
                        hi: self.now,
                    })
                    .collect();
                ctx.state.pending = if last.is_some() {
                    ctx.state.known.clone()
                } else {
                    BTreeMap::new()
                };
                ctx.set_run_state(&p);
            }
            if !p.searched {
                self.search(ctx, &mut p).await?;
                p.searched = true;
                ctx.set_run_state(&p);
                ctx.checkpoint();
            }
            ctx.progress.set_length(p.hits.len() as u64);
            let octo = self.octocrab(&ctx.http.http)?;
            let mut todo = Vec::new();
            for (key, hit) in &p.hits {
                let known = ctx.state.known.get(key);
                let unchanged = !ctx.full
                    && known.is_some_and(|k| {
                        k.repo_meta.as_ref().and_then(|m| m.pushed_at.as_ref())
                            == hit.pushed_at.as_ref()
                            && hit.pushed_at.is_some()
                    });
                if p.enriched.contains(key) {
                    continue; // enriched earlier in this run
                }
                if unchanged {
                    if let Some(mut k) = known.cloned() {
                        // Stars and topics change without a push: take them from the hit.
                        k.stars = hit.stars;
                        if let Some(m) = &mut k.repo_meta {
                            m.stars = hit.stars;
                            m.topics = hit.topics.clone();
                            m.archived = hit.archived;
                        }
                        ctx.state.pending.insert(key.clone(), k);
                    }
                    ctx.progress.inc(1);
                    continue;
                }
                todo.push((key.clone(), hit.clone()));
            }
            let ctx_ref: &Ctx = ctx;
            let octo_ref = &octo;
            let results: Vec<(String, Result<Option<Found>, HttpError>)> =
                futures::stream::iter(todo.into_iter().map(|(key, hit)| async move {
                    let r = self.enrich(ctx_ref, octo_ref, &hit).await;
                    ctx_ref.progress.inc(1);
                    (key, r)
                }))
                .buffered(self.concurrency.max(1))
                .collect()
                .await;
            let mut stop = None;
            for (key, r) in results {
                match r {
                    Ok(Some(f)) => {
                        p.enriched.insert(key.clone());
                        ctx.state.pending.insert(key, f);
                    }
                    Ok(None) => {
                        p.enriched.insert(key.clone());
                        ctx.state.pending.remove(&key);
                    }
                    Err(e) if e.is_stop() => {
                        stop.get_or_insert(e);
                    }
                    Err(e) => {
                        // The search saw it tonight: keep it, with yesterday's enrichment if
                        // any, else with what the search said.
                        ctx.http.record(&e);
                        let fallback = ctx
                            .state
                            .known
                            .get(&key)
                            .cloned()
                            .or_else(|| p.hits.get(&key).map(found_from_meta));
                        if let Some(k) = fallback {
                            ctx.state.pending.insert(key, k);
                        }
                    }
                }
            }
            if let Some(e) = stop {
                ctx.set_run_state(&p);
                ctx.checkpoint_now();
                return Err(e);
            }
            ctx.state
                .marks
                .insert("last_complete".into(), self.now.to_string());
            ctx.finish();
            Ok(())
        })
    }
}
