//! Package metadata from installs already on disk: the probe's install cache fills a probed
//! record's repository, license, homepage and README without a single registry request.
//!
//! The probe installs each package it runs (`<cache>/npm/<name>@<version>/node_modules/<name>`
//! and `<cache>/pypi/<name>@<version>/lib/python3.*/site-packages/<dist>-<version>.dist-info`,
//! see `probe::install`). What the install leaves there is the package's own metadata: npm's
//! installed `package.json` (`repository`, `license`, `homepage`) and the README shipped in the
//! package, or the wheel's `METADATA` (`License-Expression`/`License`/license classifier,
//! `Home-page`, `Project-URL`, and the long description, which is the README). [`fill`] walks
//! the cache (any `node_modules` or `site-packages` directory in it, a few levels deep, so a
//! plain `npm install --prefix` or a venv works too), takes only the exact name and version a
//! record was probed at, and fills only fields that are empty: crawled data always wins.
//! Unreadable or hostile files are skipped, never fatal.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use dataset::{Dataset, Source};
use serde_json::{Map, Value};

use crate::normalize::{normalize_repo, pep503, RepoRef};
use crate::sources::{npm, pypi};

/// How deep [`fill`] looks for `node_modules` and `site-packages` directories.
const MAX_DEPTH: usize = 6;
/// Manifests larger than this are not read.
const MAX_MANIFEST: u64 = 4 * 1024 * 1024;

/// What an installed package says about itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Meta {
    pub name: String,
    pub version: String,
    pub repo: Option<RepoRef>,
    pub license: Option<String>,
    pub homepage: Option<String>,
    pub readme: Option<String>,
}

/// What [`fill`] did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FillReport {
    /// Probed records (with an npm or PyPI package).
    pub probed: usize,
    /// Of those, the ones whose install was found on disk.
    pub installed: usize,
    pub repository: usize,
    pub license: usize,
    pub homepage: usize,
    pub readme: usize,
}

fn read_small(path: &Path) -> Option<Vec<u8>> {
    let md = std::fs::symlink_metadata(path).ok()?;
    if !md.is_file() || md.len() > MAX_MANIFEST {
        return None;
    }
    std::fs::read(path).ok()
}

fn capped(mut s: String) -> Option<String> {
    if s.trim().is_empty() {
        return None;
    }
    dataset::truncate_on_char_boundary(&mut s, dataset::README_CAP);
    Some(s)
}

/// The README shipped in a package directory (`README.md` first, then any `readme*` file).
fn readme_in(dir: &Path) -> Option<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.to_ascii_lowercase().starts_with("readme"))
        .collect();
    names.sort_by_key(|n| (!n.eq_ignore_ascii_case("readme.md"), n.clone()));
    names
        .iter()
        .find_map(|n| read_small(&dir.join(n)))
        .and_then(|b| capped(String::from_utf8_lossy(&b).into_owned()))
}

/// The license a shipped license file states in its first lines (`SEE LICENSE IN <file>`, or
/// a `LICENSE` file with no `license` field): MIT, ISC and Apache-2.0 are told apart; anything
/// else is not guessed.
fn license_file(dir: &Path, field: Option<&Value>) -> Option<String> {
    let named = field
        .and_then(Value::as_str)
        .map(str::trim)
        .and_then(|s| {
            // The prefix is ASCII, so byte 15 is a char boundary.
            s.to_ascii_uppercase()
                .starts_with("SEE LICENSE IN ")
                .then(|| s[15..].trim())
        })
        .filter(|f| !f.contains('/') && !f.contains('\\') && !f.starts_with('.'));
    let files: Vec<String> = match named {
        Some(f) => vec![f.to_string()],
        None => ["LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE"]
            .map(String::from)
            .to_vec(),
    };
    let text = files
        .iter()
        .find_map(|f| read_small(&dir.join(f)))
        .map(|b| String::from_utf8_lossy(&b[..b.len().min(2000)]).to_ascii_lowercase())?;
    let head: String = text.lines().take(5).collect::<Vec<_>>().join(" ");
    if head.contains("mit license") || text.starts_with("the mit license") {
        Some("MIT".into())
    } else if head.contains("isc license") {
        Some("ISC".into())
    } else if head.contains("apache license") && text.contains("version 2.0") {
        Some("Apache-2.0".into())
    } else {
        None
    }
}

/// An installed npm package directory (the one holding its `package.json`).
pub fn npm_package(dir: &Path) -> Option<Meta> {
    let v: Value = serde_json::from_slice(&read_small(&dir.join("package.json"))?).ok()?;
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::trim);
    let repo = v.get("repository").and_then(npm::repo_ref);
    let readme = readme_in(dir).or_else(|| {
        s("readme")
            .filter(|r| !r.starts_with("ERROR: No README"))
            .and_then(|r| capped(r.to_string()))
    });
    Some(Meta {
        name: s("name")?.to_string(),
        version: s("version")?.to_string(),
        license: v
            .get("license")
            .and_then(npm::license_of)
            .or_else(|| license_file(dir, v.get("license"))),
        homepage: s("homepage").and_then(|u| npm::homepage_of(u, repo.as_ref())),
        repo,
        readme,
    })
}

/// A wheel's `METADATA` (core metadata: RFC 822 headers, then the long description).
pub fn wheel_metadata(text: &str) -> Option<Meta> {
    let text = text.replace("\r\n", "\n");
    let (head, body) = match text.find("\n\n") {
        Some(i) => (&text[..i], &text[i + 2..]),
        None => (text.as_str(), ""),
    };
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = fields.last_mut() {
                v.push('\n');
                v.push_str(line.trim());
            }
        } else if let Some((k, v)) = line.split_once(':') {
            fields.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let get = |k: &str| {
        fields
            .iter()
            .find(|(f, v)| f == k && !v.is_empty())
            .map(|(_, v)| v.clone())
    };
    // The shape of the JSON API's `info`, so the PyPI source's rules apply as they are.
    let mut info = Map::new();
    for (key, field) in [
        ("name", "name"),
        ("version", "version"),
        ("license_expression", "license-expression"),
        ("license", "license"),
        ("home_page", "home-page"),
        ("summary", "summary"),
    ] {
        if let Some(v) = get(field) {
            info.insert(key.into(), Value::String(v));
        }
    }
    let classifiers: Vec<Value> = fields
        .iter()
        .filter(|(f, _)| f == "classifier")
        .map(|(_, v)| Value::String(v.clone()))
        .collect();
    info.insert("classifiers".into(), Value::Array(classifiers));
    let mut urls = Map::new();
    for (f, v) in &fields {
        if f == "project-url" {
            if let Some((label, url)) = v.split_once(',') {
                urls.insert(label.trim().to_string(), Value::String(url.trim().into()));
            }
        }
    }
    let info = Value::Object(info);
    let name = get("name")?;
    let version = get("version")?;
    let mut candidates: Vec<(&String, &Value)> = urls.iter().collect();
    candidates.sort_by_key(|(k, _)| {
        let k = k.to_lowercase();
        !(k.contains("source") || k.contains("repo") || k.contains("code") || k.contains("github"))
    });
    let home_page = get("home-page");
    let repo = candidates
        .iter()
        .filter_map(|(_, v)| v.as_str())
        .chain(home_page.as_deref())
        .find_map(|u| normalize_repo(u, None));
    let homepage = urls
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("homepage") || k.eq_ignore_ascii_case("home"))
        .and_then(|(_, v)| v.as_str())
        .or(home_page.as_deref())
        .and_then(|u| npm::homepage_of(u, repo.as_ref()));
    let body = get("description")
        .filter(|_| body.trim().is_empty())
        .unwrap_or_else(|| body.to_string());
    Some(Meta {
        name,
        version,
        license: pypi::license_of(&info),
        homepage,
        repo,
        readme: (body.trim().len() > 40).then_some(body).and_then(capped),
    })
}

/// The directories in `root` (a few levels deep) where packages are installed.
fn install_dirs(root: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let (mut node, mut site) = (Vec::new(), Vec::new());
    let mut stack = vec![(root.to_path_buf(), 0usize)];
    while let Some((dir, depth)) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut children: Vec<(PathBuf, String)> = rd
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| Some((e.path(), e.file_name().into_string().ok()?)))
            .collect();
        children.sort();
        for (path, name) in children.into_iter().rev() {
            match name.as_str() {
                "node_modules" => node.push(path),
                "site-packages" => site.push(path),
                _ if depth + 1 < MAX_DEPTH => stack.push((path, depth + 1)),
                _ => {}
            }
        }
    }
    node.sort();
    site.sort();
    (node, site)
}

/// Every installed package that `wanted` asks for (by source, name and exact version).
pub fn scan(
    root: &Path,
    wanted: &BTreeSet<(Source, String, String)>,
) -> BTreeMap<(Source, String, String), Meta> {
    let (node, site) = install_dirs(root);
    let mut out = BTreeMap::new();
    for key @ (source, name, version) in wanted {
        let meta = match source {
            Source::Npm => {
                // A package name is a path under node_modules (scoped: `@scope/name`).
                if name
                    .split('/')
                    .any(|p| p.is_empty() || p == "." || p == "..")
                {
                    continue;
                }
                node.iter()
                    .filter_map(|nm| npm_package(&nm.join(name)))
                    .find(|m| &m.name == name && &m.version == version)
            }
            Source::Pypi => site.iter().find_map(|sp| {
                let want = pep503(name);
                let rd = std::fs::read_dir(sp).ok()?;
                let mut infos: Vec<PathBuf> = rd
                    .filter_map(|e| e.ok())
                    .map(|e| e.path())
                    .filter(|p| {
                        p.file_name()
                            .and_then(|n| n.to_str())
                            .and_then(|n| n.strip_suffix(".dist-info"))
                            .and_then(|n| n.rsplit_once('-'))
                            .is_some_and(|(n, v)| pep503(n) == want && v == version)
                    })
                    .collect();
                infos.sort();
                infos.iter().find_map(|d| {
                    let b = read_small(&d.join("METADATA"))?;
                    wheel_metadata(&String::from_utf8_lossy(&b))
                        .filter(|m| pep503(&m.name) == want && &m.version == version)
                })
            }),
            _ => None,
        };
        if let Some(m) = meta {
            out.insert(key.clone(), m);
        }
    }
    out
}

/// Fills the empty repository, license, homepage and README of every probed record from its
/// install under `root`. No request is made; nothing already known is replaced.
pub fn fill(ds: &mut Dataset, root: &Path) -> FillReport {
    let mut report = FillReport::default();
    let key_of = |s: &dataset::Server| -> Option<(Source, String, String)> {
        let probe = s.probe.as_ref()?;
        let p = s
            .install
            .packages
            .iter()
            .find(|p| matches!(p.registry_type.as_str(), "npm" | "pypi"))?;
        let source = if p.registry_type == "npm" {
            Source::Npm
        } else {
            Source::Pypi
        };
        let version = probe.version.clone().or_else(|| p.version.clone())?;
        Some((source, p.identifier.clone(), version))
    };
    let wanted: BTreeSet<_> = ds.servers.iter().filter_map(key_of).collect();
    let found = scan(root, &wanted);
    for s in &mut ds.servers {
        let Some(key) = key_of(s) else { continue };
        report.probed += 1;
        let Some(m) = found.get(&key) else { continue };
        report.installed += 1;
        if s.repository.is_none() {
            if let Some(r) = &m.repo {
                s.repository = Some(r.to_repository());
                report.repository += 1;
            }
        }
        if s.readme.is_none() && m.readme.is_some() {
            s.readme = m.readme.clone();
            report.readme += 1;
        }
        let (source, name, _) = &key;
        if let Some(e) = s
            .sources
            .iter_mut()
            .find(|e| e.source == *source && &e.identifier == name)
        {
            if e.license.is_none() && m.license.is_some() {
                e.license = m.license.clone();
                report.license += 1;
            }
            if e.homepage.is_none() && m.homepage.is_some() {
                e.homepage = m.homepage.clone();
                report.homepage += 1;
            }
        }
    }
    report
}
