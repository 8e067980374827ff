//! PyPI: the PEP 691 JSON simple index for names and serials, then the JSON API per candidate.
//!
//! Candidates are names matching MCP patterns (`mcp`, `model-context`) plus names other sources
//! link to. The index is parsed without copying names it does not keep. A candidate whose
//! serial did not change since the last complete run is not fetched again; one that turns out
//! unrelated to MCP is remembered (by serial) and skipped. From the JSON API: summary,
//! keywords, classifiers, project URLs (the repository), `requires_dist` (a dependency on `mcp`
//! or `fastmcp` is a signal; `null` is fine), the `mcp-name:` marker in the description.
//! An HTML index where JSON was asked for is an error for the source.

use std::borrow::Cow;
use std::collections::BTreeMap;

use dataset::Source;
use futures::future::BoxFuture;
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{encode_segment, url_with, Crawl, Ctx, Resolved};
use crate::classify;
use crate::found::{signal, Found};
use crate::http::{BodyCap, HttpError, SourceHttp};
use crate::listing::{launch_package, PageBases};
use crate::normalize::{
    is_placeholder_summary, name_keywords, normalize_repo, pep503, split_keywords,
};

/// One JSON API answer: the item, nothing (unrelated or gone), or the error.
type Fetched = Result<Option<Found>, HttpError>;

/// The PyPI source.
pub struct Pypi {
    /// Base URL (a trailing `/simple` is accepted and removed).
    pub base: String,
    pub concurrency: usize,
    /// Where project pages live (configuration; `None` links nothing).
    pub pages: PageBases,
}

impl Pypi {
    fn base(&self) -> &str {
        let b = self.base.trim_end_matches('/');
        b.strip_suffix("/simple").unwrap_or(b)
    }
}

#[derive(Deserialize)]
struct Index<'a> {
    #[serde(borrow, default)]
    projects: Vec<IndexProject<'a>>,
}

#[derive(Deserialize)]
struct IndexProject<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(rename = "_last-serial", default)]
    serial: Option<u64>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Progress {
    started: bool,
    /// Candidates: normalized name → serial.
    candidates: BTreeMap<String, Option<u64>>,
    /// Names as published, where they differ from the normalized name.
    #[serde(default)]
    names: BTreeMap<String, String>,
    indexed: bool,
}

/// Whether a (normalized) name is worth a JSON API request.
pub fn is_candidate(norm: &str) -> bool {
    norm.contains("mcp") || norm.contains("model-context") || norm.contains("modelcontext")
}

/// The SDK distributions whose dependents are servers.
const SDK_DISTS: &[&str] = &["mcp", "fastmcp"];

fn requirement_name(req: &str) -> String {
    let end = req
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(req.len());
    pep503(&req[..end])
}

/// The `mcp-name:` marker in a description, as the MCP Registry asks PyPI packages to include.
pub fn mcp_name_marker(description: &str) -> Option<String> {
    let i = description.find("mcp-name:")?;
    let rest = description[i + "mcp-name:".len()..].trim_start();
    let name: String = rest
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '<' && *c != '`')
        .collect();
    let name = name.trim_end_matches(['.', ',', ')', '"', '\'', '>']);
    (!name.is_empty() && name.contains('/')).then(|| name.to_string())
}

/// The license a project declares: `license_expression`, else a short `license` (many projects
/// paste the whole text there, which is not kept), else its license classifier.
pub fn license_of(info: &Value) -> Option<String> {
    let s = |k: &str| {
        info.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|x| !x.is_empty())
    };
    if let Some(l) = s("license_expression") {
        return Some(l.to_string());
    }
    if let Some(l) = s("license").filter(|l| l.len() <= 80 && !l.contains('\n')) {
        if !l.eq_ignore_ascii_case("unknown") {
            return Some(l.to_string());
        }
    }
    info.get("classifiers")
        .and_then(Value::as_array)?
        .iter()
        .filter_map(Value::as_str)
        .find_map(|c| c.strip_prefix("License :: "))
        .map(|c| c.rsplit(" :: ").next().unwrap_or(c).to_string())
        .filter(|c| !c.is_empty())
}

/// (first upload of any release, latest upload of the current release), from the JSON API's
/// `releases` and `urls` (`upload_time_iso_8601`).
pub fn upload_times(v: &Value) -> (Option<String>, Option<String>) {
    let times = |files: &Value| -> Vec<String> {
        files
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f.get("upload_time_iso_8601").and_then(Value::as_str))
            .filter(|t| dataset::time::is_rfc3339(t))
            .map(str::to_string)
            .collect()
    };
    let latest = times(&v["urls"]).into_iter().max();
    let first = v
        .get("releases")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|r| r.values())
        .flat_map(&times)
        .min()
        .or_else(|| times(&v["urls"]).into_iter().min());
    (first, latest)
}

/// A JSON API document into an item; `None` when not MCP-related.
pub fn project_to_found(v: &Value, pages: &PageBases) -> Option<Found> {
    let info = v.get("info")?;
    let name = info.get("name")?.as_str()?;
    let s = |k: &str| {
        info.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|x| !x.is_empty())
    };
    let mut f = Found::new(Source::Pypi, name, name);
    f.version = s("version").map(str::to_string);
    f.summary = s("summary").map(str::to_string);
    f.description = f.summary.clone().filter(|x| !is_placeholder_summary(x));
    f.url = pages.page(Source::Pypi, name);
    f.keywords = s("keywords").map(split_keywords).unwrap_or_default();
    f.keywords.extend(name_keywords(name));
    f.deprecated = info.get("yanked").and_then(Value::as_bool).unwrap_or(false);
    let mut urls: Vec<&str> = Vec::new();
    if let Some(pu) = info.get("project_urls").and_then(Value::as_object) {
        let mut entries: Vec<(&String, &Value)> = pu.iter().collect();
        // Prefer the keys that name the code.
        entries.sort_by_key(|(k, _)| {
            let k = k.to_lowercase();
            !(k.contains("source")
                || k.contains("repo")
                || k.contains("code")
                || k.contains("github"))
        });
        urls.extend(entries.iter().filter_map(|(_, v)| v.as_str()));
    }
    if let Some(h) = s("home_page") {
        urls.push(h);
    }
    f.repo = urls.iter().find_map(|u| normalize_repo(u, None));
    f.license = license_of(info);
    let home = info
        .get("project_urls")
        .and_then(Value::as_object)
        .and_then(|pu| {
            pu.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("homepage") || k.eq_ignore_ascii_case("home"))
                .and_then(|(_, v)| v.as_str())
        })
        .or(s("home_page"));
    f.homepage = home.and_then(|u| super::npm::homepage_of(u, f.repo.as_ref()));
    let (first, latest) = upload_times(v);
    f.published_at = first;
    f.updated_at = latest;
    let requires: Vec<String> = info
        .get("requires_dist")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(requirement_name)
                .collect()
        })
        .unwrap_or_default();
    let deps_sdk = requires.iter().any(|r| SDK_DISTS.contains(&r.as_str()));
    if deps_sdk {
        f.signals.push(signal::DEPENDS_ON_SDK.into());
    }
    let description = s("description").unwrap_or("");
    if let Some(m) = mcp_name_marker(description) {
        f.signals.push(signal::PYPI_MCP_NAME.into());
        f.links.push(format!("mcp-registry:{m}"));
    }
    let classifiers: Vec<&str> = info
        .get("classifiers")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let text = format!(
        "{} {}",
        f.summary.as_deref().unwrap_or(""),
        classifiers.join(" ")
    )
    .to_lowercase();
    let related = is_candidate(&pep503(name))
        || deps_sdk
        || !f.links.is_empty()
        || text.contains("mcp")
        || text.contains("model context protocol");
    if !related {
        return None;
    }
    if !description.is_empty() && description.len() > 40 {
        let mut r = description.to_string();
        dataset::truncate_on_char_boundary(&mut r, dataset::README_CAP);
        f.readme = Some(r);
    }
    f.cap_fields();
    let verdict = classify::classify(&classify::Input {
        names: vec![name],
        texts: f.summary.iter().map(String::as_str).collect(),
        keywords: f.keywords.iter().map(String::as_str).collect(),
        signals: f.signals.iter().map(String::as_str).collect(),
    });
    if verdict.kind == dataset::Kind::Server {
        f.packages
            .push(launch_package(Source::Pypi, name, f.version.as_deref()));
    }
    Some(f)
}

impl Pypi {
    /// One project's JSON API document into an item (`None`: gone or not MCP-related).
    async fn fetch_project(&self, http: &SourceHttp, name: &str) -> Fetched {
        let url = url_with(
            self.base(),
            &format!("pypi/{}/json", encode_segment(name)),
            &[],
        )?;
        match http.get_json::<Value>(&url, "application/json").await {
            Ok((v, _)) => Ok(project_to_found(&v, &self.pages)),
            Err(e) if e.status() == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

impl Crawl for Pypi {
    fn source(&self) -> Source {
        Source::Pypi
    }

    fn claims(&self, link: &str) -> bool {
        link.starts_with("pypi:")
    }

    fn resolve<'a>(&'a self, ctx: &'a mut Ctx, wanted: Vec<String>) -> BoxFuture<'a, Resolved> {
        Box::pin(async move {
            super::resolve_with(ctx, wanted, self.concurrency, |http, link| async move {
                let name = link.strip_prefix("pypi:").unwrap_or(&link);
                self.fetch_project(&http, name).await
            })
            .await
        })
    }

    fn crawl<'a>(&'a self, ctx: &'a mut Ctx) -> BoxFuture<'a, Result<(), HttpError>> {
        Box::pin(async move {
            let mut p: Progress = ctx.run_state();
            if !p.started {
                p.started = true;
                ctx.state.pending.clear();
                ctx.set_run_state(&p);
            }
            if !p.indexed {
                // Discovery is one request: the index.
                ctx.plan.seconds = ctx.http.time_left().map(|l| l.as_secs());
                ctx.plan.discovery_requests = 1;
                ctx.plan.discovery_requests_made = 1;
                ctx.plan.limits.insert(
                    "requests".into(),
                    super::spacing_limit(&ctx.http, self.base(), ""),
                );
                let url = url_with(self.base(), "simple/", &[])?;
                // The whole registry's names: the larger listing cap.
                let r = ctx
                    .http
                    .get_capped(
                        &url,
                        "application/vnd.pypi.simple.v1+json",
                        "",
                        BodyCap::Listing,
                    )
                    .await?;
                let ct = r.header("content-type").unwrap_or("").to_string();
                if ct.contains("html")
                    || r.body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
                {
                    return Err(HttpError::Html { url });
                }
                let index: Index =
                    serde_json::from_slice(&r.body).map_err(|e| HttpError::Json {
                        url: url.clone(),
                        message: e.to_string(),
                    })?;
                for pr in &index.projects {
                    let norm = pep503(&pr.name);
                    if is_candidate(&norm) {
                        if norm != pr.name {
                            p.names.insert(norm.clone(), pr.name.to_string());
                        }
                        p.candidates.insert(norm, pr.serial);
                    }
                }
                p.indexed = true;
                ctx.set_run_state(&p);
                ctx.checkpoint();
            }
            // Discovery is complete: the index named every candidate. Each is listed now, from
            // yesterday's document when its serial did not move, else fetched (most popular
            // first, within the time left) or, failing that, listed by name until a later night.
            ctx.progress.set_length(p.candidates.len() as u64);
            let mut fetch = Vec::new();
            for (name, serial) in &p.candidates {
                if ctx.state.pending.contains_key(name) {
                    ctx.progress.inc(1);
                    continue;
                }
                let marker = serial.map(|s| s.to_string());
                let unchanged = !ctx.full
                    && marker.is_some()
                    && ctx.state.marks.get(&format!("serial:{name}")) == marker.as_ref();
                if unchanged {
                    if let Some(k) = ctx.state.known.get(name) {
                        ctx.state.pending.insert(name.clone(), k.clone());
                    }
                    // Else: known to be unrelated at this serial.
                    ctx.progress.inc(1);
                    continue;
                }
                fetch.push((name.clone(), marker));
            }
            let popularity = |n: &str| {
                let k = ctx.state.known.get(n);
                (
                    std::cmp::Reverse(k.and_then(|k| k.downloads_monthly).unwrap_or(0)),
                    k.and_then(|k| k.download_rank).unwrap_or(u64::MAX),
                )
            };
            fetch.sort_by(|a, b| (popularity(&a.0), &a.0).cmp(&(popularity(&b.0), &b.0)));
            let wanted = fetch.len();
            let cap = super::time_capacity(&ctx.http, self.base(), "", 1);
            let later = match cap {
                Some(c) if (c as usize) < fetch.len() => fetch.split_off(c as usize),
                _ => Vec::new(),
            };
            ctx.plan.enrich_items = wanted as u64;
            ctx.plan.enrichment_requests = wanted as u64;
            ctx.plan.enrich_planned = fetch.len() as u64;
            ctx.plan.limited_by = (!later.is_empty()).then(|| "time".to_string());
            tracing::info!(
                "pypi plan: {} candidates in the index, {wanted} documents to fetch; fetching {} \
                 now, {} left for the next night",
                p.candidates.len(),
                fetch.len(),
                later.len()
            );
            let ctx_ref: &Ctx = ctx;
            // In any order (one stuck document never holds up the others), then sorted back.
            let mut results: Vec<(usize, String, Option<String>, Fetched)> =
                futures::stream::iter(fetch.into_iter().enumerate().map(
                    |(i, (name, marker))| async move {
                        let r = self.fetch_project(&ctx_ref.http, &name).await;
                        ctx_ref.progress.inc(1);
                        (i, name, marker, r)
                    },
                ))
                .buffer_unordered(self.concurrency.max(1))
                .collect()
                .await;
            results.sort_by_key(|r| r.0);
            let mut deferred: Vec<String> = later.into_iter().map(|(n, _)| n).collect();
            let mut failed = 0usize;
            for (_, name, marker, r) in results {
                match r {
                    Ok(found) => {
                        if let Some(m) = marker {
                            ctx.state.marks.insert(format!("serial:{name}"), m);
                        }
                        if let Some(f) = found {
                            ctx.state.pending.insert(name, f);
                        }
                    }
                    Err(e) => {
                        if !e.is_stop() {
                            ctx.http.record_for(&name, &e);
                            failed += 1;
                        }
                        ctx.state.marks.remove(&format!("serial:{name}"));
                        deferred.push(name);
                    }
                }
            }
            let left = deferred.len() - failed;
            ctx.plan.left_for_next_night = left as u64;
            ctx.plan.enrich_failed = failed as u64;
            if !deferred.is_empty() {
                ctx.note(format!(
                    "fetched {} of {wanted} project documents; {failed} failed (see errors), \
                     {left} left for the next night, with yesterday's data or their name from \
                     the index",
                    wanted - deferred.len(),
                ));
            }
            for name in deferred {
                let item = ctx.state.known.get(&name).cloned().or_else(|| {
                    let published = p.names.get(&name).cloned().unwrap_or_else(|| name.clone());
                    project_to_found(
                        &serde_json::json!({"info": {"name": published}}),
                        &self.pages,
                    )
                });
                if let Some(item) = item {
                    ctx.state.pending.insert(name, item);
                }
            }
            // Forget serials of names no longer in the index.
            let cands = &p.candidates;
            ctx.state.marks.retain(|k, _| {
                k.strip_prefix("serial:")
                    .is_none_or(|n| cands.contains_key(n))
            });
            ctx.finish();
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_and_requirements() {
        assert_eq!(
            mcp_name_marker("Hello\n\n<!-- mcp-name: io.github.foo/bar -->\n").as_deref(),
            Some("io.github.foo/bar")
        );
        assert_eq!(mcp_name_marker("no marker"), None);
        assert_eq!(requirement_name("mcp[cli]>=1.2"), "mcp");
        assert_eq!(requirement_name("FastMCP ; extra == 'x'"), "fastmcp");
        assert!(is_candidate("weather-mcp"));
        assert!(!is_candidate("requests"));
    }
}
