//! The install cache's disk budget. Installs are cached per package and version
//! (`<cache>/npm/<name>@<version>`, `<cache>/pypi/<name>@<version>`), and a typical MCP server
//! install weighs tens of megabytes (median 47 MB over twelve popular npm servers, up to 264 MB),
//! so a probe shard of a thousand cold installs would fill a CI runner's disk long before it ends.
//! [`prune`] keeps the cache under a budget by removing whole entries, least recently installed
//! first (the entry's modification time); the CLI calls it before a batch and between chunks of it.
//!
//! It never removes anything outside the cache directory and never follows symlinks. It does not
//! decide what to install; `install` does.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// One removable unit of the cache: a package install, or a client's download cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub path: PathBuf,
    pub bytes: u64,
    pub modified: SystemTime,
}

/// What [`prune`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Entries removed.
    pub removed: usize,
    /// Bytes freed.
    pub freed: u64,
    /// Bytes left in the cache.
    pub left: u64,
}

/// Bytes under `path`, not following symlinks.
fn size_of(path: &Path) -> u64 {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return 0;
    };
    if !meta.is_dir() {
        return meta.len();
    }
    let Ok(rd) = std::fs::read_dir(path) else {
        return 0;
    };
    rd.flatten().map(|e| size_of(&e.path())).sum()
}

/// Top-level directories of the cache that the installers write and that may go as a whole
/// (package managers' download caches). Anything else in the cache directory is not ours and
/// is never touched, even when the cache was pointed at a directory with other contents.
const DOWNLOAD_CACHES: &[&str] = &["npm-cache"];

/// The cache's entries: every child of `npm/` and `pypi/` (one install each), and the download
/// caches named in [`DOWNLOAD_CACHES`] as a whole.
pub fn entries(cache: &Path) -> Vec<Entry> {
    let mut out = Vec::new();
    let Ok(top) = std::fs::read_dir(cache) else {
        return out;
    };
    let mut add = |path: PathBuf| {
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            return;
        };
        if meta.file_type().is_symlink() {
            return;
        }
        out.push(Entry {
            bytes: size_of(&path),
            modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            path,
        });
    };
    for e in top.flatten() {
        let path = e.path();
        let name = e.file_name();
        let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && (name == "npm" || name == "pypi") {
            if let Ok(rd) = std::fs::read_dir(&path) {
                // Installs are `<name>@<version>` directories; nothing else there is ours.
                for child in rd.flatten() {
                    if child.file_name().to_string_lossy().contains('@') {
                        add(child.path());
                    }
                }
            }
        } else if DOWNLOAD_CACHES.iter().any(|d| name == *d) {
            add(path);
        }
    }
    out.sort_by(|a, b| a.modified.cmp(&b.modified).then(a.path.cmp(&b.path)));
    out
}

/// Removes entries, least recently installed first, until the cache holds at most `budget_bytes`.
pub fn prune(cache: &Path, budget_bytes: u64) -> Pruned {
    let entries = entries(cache);
    let mut left: u64 = entries.iter().map(|e| e.bytes).sum();
    let mut done = Pruned::default();
    for e in entries {
        if left <= budget_bytes {
            break;
        }
        let removed = if e.path.is_dir() {
            std::fs::remove_dir_all(&e.path)
        } else {
            std::fs::remove_file(&e.path)
        };
        match removed {
            Ok(()) => {
                left = left.saturating_sub(e.bytes);
                done.removed += 1;
                done.freed += e.bytes;
            }
            Err(err) => tracing::warn!("{}: not removed from the cache: {err}", e.path.display()),
        }
    }
    done.left = left;
    done
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn install(cache: &Path, eco: &str, name: &str, kb: usize, age_s: u64) -> PathBuf {
        let dir = cache.join(eco).join(name);
        std::fs::create_dir_all(dir.join("lib")).unwrap();
        std::fs::write(dir.join("lib/blob"), vec![7u8; kb * 1024]).unwrap();
        let t = SystemTime::now() - Duration::from_secs(age_s);
        std::fs::File::open(&dir).unwrap().set_modified(t).unwrap();
        dir
    }

    #[test]
    fn removes_oldest_first_down_to_the_budget() {
        let tmp = tempfile::tempdir().unwrap();
        let c = tmp.path();
        let old = install(c, "npm", "old@1", 300, 3000);
        let mid = install(c, "pypi", "mid@1", 300, 2000);
        let new = install(c, "npm", "new@1", 300, 1000);
        assert_eq!(entries(c).len(), 3);
        let p = prune(c, 700 * 1024);
        assert_eq!(p.removed, 1);
        assert!(!old.exists() && mid.exists() && new.exists());
        assert!(p.left <= 700 * 1024 && p.freed >= 300 * 1024);
        // Under budget: nothing to do.
        assert_eq!(prune(c, 700 * 1024).removed, 0);
    }

    #[test]
    fn never_follows_symlinks() {
        let tmp = tempfile::tempdir().unwrap();
        let c = tmp.path().join("cache");
        let outside = tmp.path().join("outside");
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("precious"), vec![1u8; 500 * 1024]).unwrap();
        std::fs::create_dir_all(c.join("npm")).unwrap();
        std::os::unix::fs::symlink(&outside, c.join("npm/link@1")).unwrap();
        std::os::unix::fs::symlink(&outside, c.join("npm-cache")).unwrap();
        let old = install(&c, "npm", "old@1", 200, 3000);
        let p = prune(&c, 0);
        assert!(!old.exists(), "the install goes");
        assert!(
            outside.join("precious").exists(),
            "a symlink is never followed"
        );
        assert!(c.join("npm/link@1").exists() && c.join("npm-cache").exists());
        assert_eq!((p.removed, p.left), (1, 0));
    }

    #[test]
    fn leaves_what_it_did_not_install() {
        let tmp = tempfile::tempdir().unwrap();
        let c = tmp.path();
        std::fs::create_dir_all(c.join("notes")).unwrap();
        std::fs::write(c.join("notes/keep.txt"), vec![1u8; 300 * 1024]).unwrap();
        std::fs::write(c.join("keep.bin"), vec![1u8; 300 * 1024]).unwrap();
        std::fs::create_dir_all(c.join("npm/README")).unwrap();
        std::fs::create_dir_all(c.join("npm-cache")).unwrap();
        std::fs::write(c.join("npm-cache/blob"), vec![1u8; 100 * 1024]).unwrap();
        let old = install(c, "pypi", "old@1", 100, 3000);
        let p = prune(c, 0);
        assert_eq!(p.removed, 2, "the install and the download cache");
        assert!(!old.exists() && !c.join("npm-cache").exists());
        assert!(c.join("notes/keep.txt").exists() && c.join("keep.bin").exists());
        assert!(c.join("npm/README").exists());
    }

    #[test]
    fn missing_cache_is_empty() {
        let p = prune(Path::new("/nonexistent/hisper-cache"), 0);
        assert_eq!(p, Pruned::default());
    }
}
