//! `hisper.toml`: optional configuration, one table per stage, overridden by environment variables.
//!
//! Precedence: command-line flags > environment variables > `hisper.toml` > built-in defaults.
//! Unknown keys are an error naming the key. This module only reads configuration; each stage
//! turns its table into its own library's options. Endpoints of package registries have no
//! built-in default here: they come from env or the package clients' own configuration.

use std::path::Path;

use anyhow::Context;
use serde::Deserialize;

/// The whole config file.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub crawl: CrawlConfig,
    #[serde(default)]
    pub probe: ProbeConfig,
    #[serde(default)]
    pub site: SiteConfig,
}

/// `[crawl]`: endpoints and politeness.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrawlConfig {
    /// GitHub REST API base (env `HISPER_GITHUB_API`).
    pub github_api: Option<String>,
    /// MCP Registry base (env `HISPER_MCP_REGISTRY`).
    pub mcp_registry: Option<String>,
    /// npm registry base (env `HISPER_NPM_REGISTRY`; else `npm config get registry`).
    pub npm_registry: Option<String>,
    /// npm downloads API base (env `HISPER_NPM_DOWNLOADS`).
    pub npm_downloads: Option<String>,
    /// PyPI base (env `HISPER_PYPI`; else pip's configured index).
    pub pypi: Option<String>,
    /// npm website base for package pages, `<base>/package/<name>` (env `HISPER_NPM_WEB`);
    /// unset: package names are shown without a link.
    pub npm_web: Option<String>,
    /// PyPI website base for project pages, `<base>/project/<name>/` (env `HISPER_PYPI_WEB`);
    /// unset: project names are shown without a link.
    pub pypi_web: Option<String>,
    /// Contact URL put in the User-Agent (env `HISPER_CONTACT`).
    pub contact: Option<String>,
    /// Requests in flight per host.
    pub per_host_concurrency: Option<usize>,
    /// Minimum milliseconds between two requests to one host.
    pub min_spacing_ms: Option<u64>,
    /// Refuse to replace a dataset that would shrink below this fraction of the previous one.
    pub shrink_guard: Option<f64>,
    /// Days between two full sweeps of one GitHub search query (default 7; 0: every night).
    /// Nights in between search only repositories pushed since the last night.
    pub github_sweep_days: Option<u64>,
    /// The largest response read for one document, in MiB (default 16); more is an error of
    /// that record.
    pub max_body_mb: Option<usize>,
    /// The largest response read for a whole-registry listing (the PyPI simple index), in MiB
    /// (default 512).
    pub max_listing_mb: Option<usize>,
}

/// `[probe]`: how servers are run.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeConfig {
    /// Probes at once.
    pub concurrency: Option<usize>,
    /// Per-server probe deadline in seconds.
    pub timeout_secs: Option<u64>,
    /// Install timeout in seconds.
    pub install_timeout_secs: Option<u64>,
    /// Where installs are cached (env `HISPER_PROBE_CACHE`).
    pub cache_dir: Option<String>,
    /// Disk budget of the install cache in GB (default 8); least recently installed entries go first.
    pub cache_budget_gb: Option<f64>,
}

/// `[site]`: how the site is built.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// Absolute URL the site is published at (env `HISPER_BASE_URL`), for feeds and sitemaps.
    pub base_url: Option<String>,
    /// Output directory (default `public`).
    pub output: Option<String>,
}

impl Config {
    /// Reads `path`, or `hisper.toml` in the current directory when present, then applies env.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Config> {
        let default = Path::new("hisper.toml");
        let path = match path {
            Some(p) => Some(p),
            None if default.exists() => Some(default),
            None => None,
        };
        let mut config = match path {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .with_context(|| format!("reading config {}", p.display()))?;
                Self::parse(&text).with_context(|| format!("config {}", p.display()))?
            }
            None => Config::default(),
        };
        config.apply_env(|k| std::env::var(k).ok().filter(|v| !v.is_empty()));
        Ok(config)
    }

    /// Parses TOML text; unknown keys are an error naming the key.
    pub fn parse(text: &str) -> anyhow::Result<Config> {
        toml::from_str(text).map_err(|e| anyhow::anyhow!("{}", e.to_string().trim_end()))
    }

    /// Environment variables override the file.
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) {
        let c = &mut self.crawl;
        for (var, slot) in [
            ("HISPER_GITHUB_API", &mut c.github_api),
            ("HISPER_MCP_REGISTRY", &mut c.mcp_registry),
            ("HISPER_NPM_REGISTRY", &mut c.npm_registry),
            ("HISPER_NPM_DOWNLOADS", &mut c.npm_downloads),
            ("HISPER_PYPI", &mut c.pypi),
            ("HISPER_NPM_WEB", &mut c.npm_web),
            ("HISPER_PYPI_WEB", &mut c.pypi_web),
            ("HISPER_CONTACT", &mut c.contact),
        ] {
            if let Some(v) = get(var) {
                *slot = Some(v);
            }
        }
        if let Some(v) = get("HISPER_PROBE_CACHE") {
            self.probe.cache_dir = Some(v);
        }
        if let Some(v) = get("HISPER_BASE_URL") {
            self.site.base_url = Some(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_named() {
        let err = Config::parse("[crawl]\ngithub_apii = \"x\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("github_apii"), "{err}");
        let err = Config::parse("[crawler]\n").unwrap_err().to_string();
        assert!(err.contains("crawler"), "{err}");
    }

    #[test]
    fn package_page_bases_from_file_and_env() {
        let mut c = Config::parse("[crawl]\nnpm_web = \"https://file.invalid\"\n").unwrap();
        assert_eq!(c.crawl.npm_web.as_deref(), Some("https://file.invalid"));
        assert_eq!(c.crawl.pypi_web, None);
        c.apply_env(|k| (k == "HISPER_PYPI_WEB").then(|| "https://env.invalid".to_string()));
        assert_eq!(c.crawl.pypi_web.as_deref(), Some("https://env.invalid"));
        assert_eq!(c.crawl.npm_web.as_deref(), Some("https://file.invalid"));
    }

    #[test]
    fn env_overrides_file() {
        let mut c = Config::parse("[crawl]\ngithub_api = \"http://file\"\n").unwrap();
        c.apply_env(|k| (k == "HISPER_GITHUB_API").then(|| "http://env".to_string()));
        assert_eq!(c.crawl.github_api.as_deref(), Some("http://env"));
    }
}
