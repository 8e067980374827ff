//! Hisper's static site generator: renders the dataset into `public/`.
//!
//! [`build`] reads `servers.json` (plus, when present, `crawl-report.json`, `previous/servers.json`,
//! `categories.json`, `history.json` and the search engineer's `index/web/`) from the data
//! directory and writes the whole site: home, one page per server, paginated browse pages (all,
//! per source, per category; three sort orders each), a tools index, stats, about, search and 404
//! pages, and the files for machines ([`machine`]). Pages are rendered in parallel with rayon,
//! one family per module of [`pages`], each from typed view structs through the templates of
//! `templates/`, which askama compiles into the binary (the binary is self-contained; edit
//! `templates/` and rebuild). The README's layout table says which template and which view
//! struct make each page. The output is built in a staging directory next to `--out` and
//! swapped in at the end, so a failed build never leaves a half-written site, and the output is
//! byte-stable for a given input. [`serve`] serves a built site locally.
//!
//! It never fetches anything, and it treats every string from the dataset as hostile: see
//! [`markdown`], [`view`] and [`html`].

pub mod charts;
pub mod counts;
pub mod history;
pub mod html;
pub mod install;
pub mod links;
pub mod machine;
pub mod markdown;
pub mod pages;
pub mod serve;
pub mod view;

use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;

/// The Content-Security-Policy every page carries (styles, fetches and fonts fall back to
/// `default-src 'self'`).
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src 'self' https: data:; object-src 'none'; base-uri 'none'; form-action 'self'";

/// Above this size `servers.json` is published only as `servers.json.gz` (the pages say so):
/// static hosts and git handle files of tens of megabytes badly, and the gzipped file is a
/// twentieth of the size.
pub const RAW_JSON_MAX: usize = 50 * 1024 * 1024;

/// What to build and where.
#[derive(Debug, Clone)]
pub struct Options {
    /// The data directory (holds `servers.json`).
    pub data_dir: PathBuf,
    /// The output directory (replaced as a whole at the end of a successful build).
    pub out: PathBuf,
    /// Where the site is published: an absolute URL (`https://x.github.io/hisper/`) or a path
    /// (`/hisper/`). Internal links use its path; feeds and sitemaps its full form.
    pub base_url: Option<String>,
    /// The search box files copied to `search/` (default `<data>/index/web`).
    pub search_web: Option<PathBuf>,
    /// Append/replace tonight's entry in `<data>/history.json` (off for benchmarks and tests that
    /// must not touch the data directory).
    pub update_history: bool,
    /// Publish only these records (`--only FILE`): the site, `servers.json`, the changes and the
    /// registry mirror are the subset's; the history is tonight's subset alone and is not written.
    pub only: Option<dataset::select::Selection>,
}

impl Options {
    pub fn new(data_dir: impl Into<PathBuf>, out: impl Into<PathBuf>) -> Self {
        Options {
            data_dir: data_dir.into(),
            out: out.into(),
            base_url: None,
            search_web: None,
            update_history: true,
            only: None,
        }
    }
}

/// What a build did.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub servers: usize,
    /// HTML pages written.
    pub pages: u64,
    /// Files written (pages included).
    pub files: u64,
    /// Bytes written.
    pub bytes: u64,
    pub elapsed: Duration,
    /// `--only` entries that matched no record.
    pub only_missing: Vec<String>,
}

/// The site's base: the path internal links start with, and the absolute form for feeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Base {
    /// Starts and ends with `/`.
    pub path: String,
    /// Absolute URL ending with `/`, or the path when no absolute URL is known.
    pub abs: String,
}

impl Base {
    pub fn parse(url: Option<&str>) -> Base {
        let url = url.map(str::trim).filter(|u| !u.is_empty());
        let Some(url) = url else {
            return Base {
                path: "/".into(),
                abs: "/".into(),
            };
        };
        let (origin, path) = match url.find("://") {
            Some(i) => match url[i + 3..].find('/') {
                Some(j) => (&url[..i + 3 + j], &url[i + 3 + j..]),
                None => (url, "/"),
            },
            None => ("", url),
        };
        let mut p: String = path
            .split('/')
            .filter(|seg| !seg.is_empty() && *seg != "." && *seg != "..")
            .map(|seg| {
                seg.chars()
                    .filter(|c| c.is_ascii_alphanumeric() || "-._~".contains(*c))
                    .collect::<String>()
            })
            .filter(|seg| !seg.is_empty())
            .collect::<Vec<_>>()
            .join("/");
        p = if p.is_empty() {
            "/".into()
        } else {
            format!("/{p}/")
        };
        let abs = if origin.is_empty() {
            p.clone()
        } else {
            format!("{origin}{p}")
        };
        Base { path: p, abs }
    }
}

/// Where pages go: counts files and bytes, refuses paths that would leave the root.
pub struct Out {
    root: PathBuf,
    files: AtomicU64,
    bytes: AtomicU64,
    pages: AtomicU64,
}

impl Out {
    pub fn new(root: impl Into<PathBuf>) -> Out {
        Out {
            root: root.into(),
            files: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            pages: AtomicU64::new(0),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The checked absolute path of `rel` (a `/`-separated path inside the root), its parent
    /// directory created.
    fn place(&self, rel: &str) -> anyhow::Result<PathBuf> {
        let rel_path = Path::new(rel);
        if rel.is_empty()
            || rel_path
                .components()
                .any(|c| !matches!(c, Component::Normal(_)))
        {
            anyhow::bail!("refusing to write outside the output directory: {rel:?}");
        }
        let path = self.root.join(rel_path);
        if let Some(parent) = path.parent() {
            // One mkdir in the common case (a page's own directory under an existing one).
            match std::fs::create_dir(parent) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(_) => std::fs::create_dir_all(parent)
                    .with_context(|| format!("creating {}", parent.display()))?,
            }
        }
        Ok(path)
    }

    fn count(&self, rel: &str, len: usize) {
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(len as u64, Ordering::Relaxed);
        if rel.ends_with(".html") {
            self.pages.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Writes `bytes` at `rel` (a `/`-separated path inside the root).
    pub fn write(&self, rel: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let path = self.place(rel)?;
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
        self.count(rel, bytes.len());
        Ok(())
    }

    /// Writes the same `bytes` at every path of `rels`: the first is written, the others are
    /// hard links to it (the registry mirror holds four copies of each record, and creating a
    /// link costs the kernel a directory entry where a copy costs an inode and its pages too).
    /// Where a link cannot be made (a file system without hard links) the copy is written.
    /// A deploy that archives the output sees ordinary files (GitHub Pages' artifact is made
    /// with `tar --hard-dereference`).
    pub fn write_copies(&self, rels: &[String], bytes: &[u8]) -> anyhow::Result<()> {
        let Some((first, rest)) = rels.split_first() else {
            return Ok(());
        };
        self.write(first, bytes)?;
        let original = self.root.join(first);
        for rel in rest {
            let path = self.place(rel)?;
            if std::fs::hard_link(&original, &path).is_err() {
                std::fs::write(&path, bytes)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            self.count(rel, bytes.len());
        }
        Ok(())
    }
}

fn copy_dir(src: &Path, out: &Out, prefix: &str) -> anyhow::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(src)
        .with_context(|| format!("reading {}", src.display()))?
        .collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let rel = format!("{prefix}/{name}");
        let ft = e.file_type()?;
        if ft.is_dir() {
            copy_dir(&e.path(), out, &rel)?;
        } else if ft.is_file() {
            let bytes = std::fs::read(e.path())?;
            out.write(&rel, &bytes)?;
        }
    }
    Ok(())
}

/// Builds the site. The progress bar advances once per server page.
pub fn build(opts: &Options, pb: &indicatif::ProgressBar) -> anyhow::Result<Report> {
    let start = Instant::now();
    let ds_path = opts.data_dir.join("servers.json");
    let ds_bytes =
        std::fs::read(&ds_path).with_context(|| format!("reading {}", ds_path.display()))?;
    let mut ds = dataset::load_bytes(&ds_bytes)
        .map_err(|e| anyhow::anyhow!("{}: {e}", ds_path.display()))?;
    ds.normalize();
    let mut ds_bytes = ds_bytes;
    let mut only_missing = Vec::new();
    if let Some(sel) = &opts.only {
        let missing = sel.apply(&mut ds);
        for m in &missing {
            tracing::warn!("--only: {m} matches no record in {}", ds_path.display());
        }
        tracing::info!("--only: publishing {} records", ds.servers.len());
        ds_bytes = dataset::to_canonical_bytes(&ds);
        only_missing = missing;
    }
    let previous = {
        let p = opts.data_dir.join("previous/servers.json");
        if p.exists() {
            match dataset::load(&p) {
                Ok(mut d) => {
                    if let Some(sel) = &opts.only {
                        sel.apply(&mut d);
                    }
                    Some(d)
                }
                Err(e) => {
                    tracing::warn!("ignoring {}: {e}", p.display());
                    None
                }
            }
        } else {
            None
        }
    };
    let crawl_report: Option<dataset::files::CrawlReport> =
        read_optional(&opts.data_dir.join("crawl-report.json"));
    let categories_file: Option<dataset::files::CategoriesFile> =
        read_optional(&opts.data_dir.join("categories.json"));
    let history_path = opts.data_dir.join("history.json");
    let hist = if opts.only.is_some() {
        // Earlier nights counted the whole dataset: a subset's history starts tonight.
        let mut h = history::History::default();
        h.upsert(history::night_of(&ds));
        h
    } else if opts.update_history {
        history::update(&history_path, &ds)?
    } else {
        let mut h = history::load(&history_path).unwrap_or_default();
        h.upsert(history::night_of(&ds));
        h
    };
    let search_web = opts
        .search_web
        .clone()
        .unwrap_or_else(|| opts.data_dir.join("index/web"));
    let has_search = search_web.join("search.js").is_file();
    // Prebuilt results of common searches, written by the indexer next to its browser index.
    let common_searches: Option<pages::searches::CommonFile> = if has_search {
        read_optional(&search_web.join("common.json"))
    } else {
        None
    };

    // Staging directory next to the output, swapped in at the end.
    let out_name = opts
        .out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    let parent = match opts.out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)?;
    let staging = parent.join(format!(".{out_name}.staging-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging)?;
    }
    let out = Out::new(&staging);
    let raw_json = ds_bytes.len() <= RAW_JSON_MAX;
    let base = Base::parse(opts.base_url.as_deref());

    let result = (|| {
        let inputs = pages::Inputs {
            ds: &ds,
            previous: previous.as_ref(),
            crawl_report: crawl_report.as_ref(),
            categories_file: categories_file.as_ref(),
            history: &hist,
            base: &base,
            has_search,
            common_searches: common_searches.as_ref(),
            raw_json,
        };
        let (a, b) = rayon::join(
            || pages::render_all(&inputs, &out, pb),
            || machine::dataset_files(&out, &ds_bytes, raw_json),
        );
        a?;
        b?;
        if has_search {
            copy_dir(&search_web, &out, "search")?;
        }
        anyhow::Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    // Swap: old output aside, staging in, old output removed.
    let old = parent.join(format!(".{out_name}.old-{}", std::process::id()));
    if opts.out.exists() {
        std::fs::rename(&opts.out, &old)
            .with_context(|| format!("moving aside {}", opts.out.display()))?;
    }
    std::fs::rename(&staging, &opts.out)
        .with_context(|| format!("moving the built site to {}", opts.out.display()))?;
    if old.exists() {
        std::fs::remove_dir_all(&old).ok();
    }
    Ok(Report {
        servers: ds.servers.len(),
        pages: out.pages.load(Ordering::Relaxed),
        files: out.files.load(Ordering::Relaxed),
        bytes: out.bytes.load(Ordering::Relaxed),
        elapsed: start.elapsed(),
        only_missing,
    })
}

/// An optional input of the build: `None` when it is missing, or (with a warning) unreadable.
fn read_optional<T: serde::de::DeserializeOwned>(path: &Path) -> Option<T> {
    match dataset::files::read(path) {
        Ok(v) => Some(v),
        Err(e) if e.is_missing() => None,
        Err(e) => {
            tracing::warn!("ignoring {e}");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_is_parsed_safely() {
        assert_eq!(Base::parse(None).path, "/");
        let b = Base::parse(Some("https://x.github.io/hisper"));
        assert_eq!(b.path, "/hisper/");
        assert_eq!(b.abs, "https://x.github.io/hisper/");
        let b = Base::parse(Some("https://example.com"));
        assert_eq!(b.path, "/");
        assert_eq!(b.abs, "https://example.com/");
        assert_eq!(Base::parse(Some("/a/../b\"/")).path, "/a/b/");
    }

    #[test]
    fn out_refuses_escaping_paths() {
        let dir = tempfile::tempdir().unwrap();
        let out = Out::new(dir.path());
        assert!(out.write("../x", b"x").is_err());
        assert!(out.write("/etc/x", b"x").is_err());
        assert!(out.write("a/../../x", b"x").is_err());
        assert!(out.write("", b"x").is_err());
        // A `.` inside the path is only a no-op component: the file lands at `a/b`.
        out.write("a/./b", b"x").unwrap();
        assert_eq!(std::fs::read(dir.path().join("a/b")).unwrap(), b"x");
    }
}
