//! Offline import: package listings (tab-separated files) into [`Found`] items.
//!
//! The listings are exports of real registry data: npm (`name, version, downloads_a_month,
//! summary`) and PyPI (`name, version, month, rank_among_15000_most_downloaded, summary`).
//! Columns are found by header name, so their order does not matter and extra columns are
//! ignored. A bad row is skipped and counted, never fatal. Package pages are linked only when the
//! caller passes a configured endpoint; this module knows no registry host.

use dataset::{Package, Source, Transport};

use crate::classify;
use crate::found::Found;
use crate::normalize::{is_placeholder_summary, name_keywords, pep503};

/// Why a listing could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ListingError {
    #[error("listing has no header line")]
    Empty,
    #[error("listing header has no `name` column")]
    NoName,
    #[error("listings exist for npm and pypi only, not {0}")]
    UnsupportedSource(Source),
}

/// Where package pages live on the web, when configured (no default: no registry host is
/// written anywhere; `HISPER_NPM_WEB` / `[crawl] npm_web` and `HISPER_PYPI_WEB` /
/// `[crawl] pypi_web`). Unset, records carry no page link and show the bare identifier.
#[derive(Debug, Clone, Default)]
pub struct PageBases {
    /// npm website base: pages are `<base>/package/<name>`.
    pub npm: Option<String>,
    /// PyPI website base: pages are `<base>/project/<normalized name>/` (a trailing
    /// `/simple` is removed, so the index base works too).
    pub pypi: Option<String>,
}

impl PageBases {
    /// The package page for `name`, if a base is configured.
    pub fn page(&self, source: Source, name: &str) -> Option<String> {
        match source {
            Source::Npm => self
                .npm
                .as_ref()
                .map(|b| format!("{}/package/{}", b.trim_end_matches('/'), name)),
            Source::Pypi => self.pypi.as_ref().map(|b| {
                let b = b.trim_end_matches('/');
                let b = b.strip_suffix("/simple").unwrap_or(b);
                format!("{}/project/{}/", b, pep503(name))
            }),
            _ => None,
        }
        .filter(|u| dataset::validate::is_http_url(u))
    }
}

/// A listing read into items, with the number of rows skipped.
#[derive(Debug, Default)]
pub struct Listing {
    pub found: Vec<Found>,
    pub skipped: usize,
}

/// Parses one listing file's text.
pub fn parse(source: Source, text: &str, pages: &PageBases) -> Result<Listing, ListingError> {
    if !matches!(source, Source::Npm | Source::Pypi) {
        return Err(ListingError::UnsupportedSource(source));
    }
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .ok_or(ListingError::Empty)?
        .split('\t')
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let col = |n: &str| header.iter().position(|h| h == n);
    let name_col = col("name").ok_or(ListingError::NoName)?;
    let version_col = col("version");
    let downloads_col = col("downloads_a_month").or(col("downloads_monthly"));
    let rank_col = header.iter().position(|h| h.starts_with("rank"));
    let summary_col = col("summary");

    let mut out = Listing::default();
    let mut seen = std::collections::HashSet::new();
    for line in lines {
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split('\t').collect();
        let cell = |c: Option<usize>| {
            c.and_then(|i| cells.get(i))
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
        };
        let Some(name) = cell(Some(name_col)) else {
            out.skipped += 1;
            continue;
        };
        if name.chars().any(|c| c.is_whitespace() || c.is_control()) || name.len() > 214 {
            out.skipped += 1;
            continue;
        }
        let key = match source {
            Source::Pypi => pep503(name),
            _ => name.to_string(),
        };
        if !seen.insert(key) {
            out.skipped += 1;
            continue;
        }
        let mut f = Found::new(source, name, name);
        f.version = cell(version_col).map(str::to_string);
        f.downloads_monthly = cell(downloads_col).and_then(|d| d.parse().ok());
        f.download_rank = cell(rank_col).and_then(|d| d.parse().ok());
        f.summary = cell(summary_col)
            .filter(|s| !s.chars().any(char::is_control))
            .map(str::to_string);
        f.description = f.summary.clone().filter(|s| !is_placeholder_summary(s));
        f.url = pages.page(source, name);
        f.keywords = name_keywords(name);
        let verdict = classify::classify(&classify::Input {
            names: vec![name],
            texts: f.summary.iter().map(String::as_str).collect(),
            keywords: vec![],
            signals: vec![],
        });
        if verdict.kind == dataset::Kind::Server {
            f.packages
                .push(launch_package(source, name, f.version.as_deref()));
        }
        out.found.push(f);
    }
    Ok(out)
}

/// The stdio package a client would launch for a server published as `name`.
pub fn launch_package(source: Source, name: &str, version: Option<&str>) -> Package {
    let (registry_type, hint) = match source {
        Source::Pypi => ("pypi", "uvx"),
        _ => ("npm", "npx"),
    };
    Package {
        registry_type: registry_type.into(),
        identifier: name.into(),
        version: version.map(str::to_string),
        runtime_hint: Some(hint.into()),
        transport: Transport::stdio(),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npm_listing_rows() {
        let text = "name\tversion\tdownloads_a_month\tsummary\n\
                    @0xshariq/docker-mcp-server\t2.0.4\t848\tA Model Context Protocol (MCP) server for Docker\n\
                    @21st-dev/cli\t1.17.1\t4652\tThe 21st CLI\n\
                    bad name\t1\t1\tx\n\
                    \t1\t1\tno name\n";
        let l = parse(Source::Npm, text, &PageBases::default()).unwrap();
        assert_eq!(l.skipped, 2);
        assert_eq!(l.found.len(), 2);
        let d = &l.found[0];
        assert_eq!(d.downloads_monthly, Some(848));
        assert_eq!(d.url, None);
        assert_eq!(d.packages.len(), 1);
        assert_eq!(d.packages[0].runtime_hint.as_deref(), Some("npx"));
        assert!(
            l.found[1].packages.is_empty(),
            "a CLI is not launched as a server"
        );
    }

    #[test]
    fn pypi_listing_rows_and_pages() {
        let text = "name\tversion\tmonth\trank_among_15000_most_downloaded\tsummary\n\
                    Analytics_MCP\t0.8.0\t2026-10\t14825\tMCP server for Google Analytics\n\
                    00-demo\t0.1.0\t2026-06\t\tAdd your description here\n";
        let pages = PageBases {
            npm: None,
            pypi: Some("http://REGISTRY.invalid/simple/".into()),
        };
        let l = parse(Source::Pypi, text, &pages).unwrap();
        let a = &l.found[0];
        assert_eq!(a.own_id(), "pypi:analytics-mcp");
        assert_eq!(a.download_rank, Some(14825));
        assert_eq!(
            a.url.as_deref(),
            Some("http://REGISTRY.invalid/project/analytics-mcp/")
        );
        assert_eq!(a.packages[0].registry_type, "pypi");
        assert_eq!(l.found[1].description, None);
        assert!(parse(Source::Github, text, &pages).is_err());
        let npm = PageBases {
            npm: Some("https://WEB.invalid/".into()),
            pypi: None,
        };
        assert_eq!(
            npm.page(Source::Npm, "@scope/pkg").as_deref(),
            Some("https://WEB.invalid/package/@scope/pkg")
        );
        assert_eq!(npm.page(Source::Pypi, "x"), None);
        assert_eq!(PageBases::default().page(Source::Npm, "x"), None);
        assert!(matches!(
            parse(Source::Npm, "", &pages),
            Err(ListingError::Empty)
        ));
    }
}
