//! A link checker for a built site: every internal `href`/`src` in every HTML page must resolve to
//! a file in the output (a directory link to its `index.html`).
//!
//! External links (with a scheme, or protocol-relative) are not fetched; `mailto:` and fragments
//! are skipped. It does not parse HTML fully: it reads `href="…"` and `src="…"` attribute values,
//! which is what the site's own templates write.

use std::path::{Path, PathBuf};

/// One link that points nowhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The page, relative to the root.
    pub page: String,
    pub link: String,
}

fn html_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let ft = e.file_type()?;
        if ft.is_dir() {
            html_files(&e.path(), out)?;
        } else if e.path().extension().is_some_and(|x| x == "html") {
            out.push(e.path());
        }
    }
    Ok(())
}

/// The real tags of a page (`<…>` outside text: text never holds a raw `<`), lowercased names.
pub fn tags(html: &str) -> impl Iterator<Item = &str> {
    html.split('<').skip(1).filter_map(|rest| {
        let end = rest.find('>')?;
        let tag = &rest[..end];
        tag.starts_with(|c: char| c.is_ascii_alphabetic())
            .then_some(tag)
    })
}

/// The values of `href="…"` and `src="…"` attributes of real tags.
pub fn references(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for tag in tags(html) {
        for attr in [" href=\"", " src=\""] {
            let mut rest = tag;
            while let Some(i) = rest.find(attr) {
                rest = &rest[i + attr.len()..];
                if let Some(end) = rest.find('"') {
                    out.push(unescape(&rest[..end]));
                    rest = &rest[end..];
                }
            }
        }
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&amp;", "&")
        .replace("&#x2F;", "/")
        .replace("&#47;", "/")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

/// Checks every page under `root`, the site being published under `base` (e.g. `/` or `/hisper/`).
pub fn check(root: &Path, base: &str) -> std::io::Result<(usize, Vec<Broken>)> {
    let mut files = Vec::new();
    html_files(root, &mut files)?;
    files.sort();
    let mut broken = Vec::new();
    let mut checked = 0;
    for f in &files {
        let html = std::fs::read_to_string(f)?;
        let page_rel = f
            .strip_prefix(root)
            .unwrap_or(f)
            .to_string_lossy()
            .replace('\\', "/");
        let page_dir = match page_rel.rfind('/') {
            Some(i) => &page_rel[..=i],
            None => "",
        };
        for link in references(&html) {
            let l = link.split(['#', '?']).next().unwrap_or("");
            if l.is_empty()
                || link.contains("://")
                || link.starts_with("//")
                || link.starts_with("mailto:")
                || has_scheme(&link)
            {
                continue;
            }
            checked += 1;
            let target = if let Some(abs) = l.strip_prefix('/') {
                match ("/".to_string() + abs).strip_prefix(base) {
                    Some(inside) => inside.to_string(),
                    None => {
                        broken.push(Broken {
                            page: page_rel.clone(),
                            link: link.clone(),
                        });
                        continue;
                    }
                }
            } else {
                format!("{page_dir}{l}")
            };
            let mut path = root.to_path_buf();
            let mut ok = true;
            for seg in target.split('/').filter(|s| !s.is_empty() && *s != ".") {
                if seg == ".." {
                    ok &= path.pop() && path.starts_with(root);
                } else {
                    path.push(seg);
                }
            }
            let exists =
                ok && (path.is_file() || (path.is_dir() && path.join("index.html").is_file()));
            if !exists {
                broken.push(Broken {
                    page: page_rel.clone(),
                    link: link.clone(),
                });
            }
        }
    }
    Ok((checked, broken))
}

/// `vscode:…`, `cursor://…`: a link another program opens, not a file of the site.
fn has_scheme(link: &str) -> bool {
    match link.split_once(':') {
        Some((scheme, _)) => {
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
                && !scheme.contains(['/', '?', '#'])
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_broken_and_accepts_good_links() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a")).unwrap();
        std::fs::write(root.join("a/index.html"), "<a href=\"/b/\">x</a>").unwrap();
        std::fs::write(
            root.join("index.html"),
            "<a href=\"/a/\">a</a><a href=\"a/#x\">a</a><img src=\"/missing.png\"><a href=\"https://e.com/\">e</a>",
        )
        .unwrap();
        let (checked, broken) = check(root, "/").unwrap();
        assert_eq!(checked, 4);
        let links: Vec<_> = broken.iter().map(|b| b.link.as_str()).collect();
        assert_eq!(links, ["/b/", "/missing.png"]);
    }
}
