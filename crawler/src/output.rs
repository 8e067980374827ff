//! Writing the dataset safely: the shrink guard, the `previous/` copy, atomic replacement.
//!
//! The old dataset stays untouched until the new one is complete: the new file is written to a
//! temporary file and renamed over the old one only after the guard passed and the old bytes
//! were copied to `previous/servers.json` beside it.

use std::path::Path;

use dataset::Dataset;

/// Why the dataset was not replaced.
#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    #[error(
        "refusing to replace the dataset: it would shrink from {previous} to {new} records \
         (below {percent}% of the previous one); pass --allow-shrink to accept"
    )]
    Shrink {
        previous: usize,
        new: usize,
        percent: u32,
    },
    #[error("writing {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// The default shrink guard: refuse a dataset below 85% of the previous one.
pub const DEFAULT_SHRINK_GUARD: f64 = 0.85;

/// Checks the shrink guard.
pub fn check_shrink(
    previous: usize,
    new: usize,
    guard: f64,
    allow_shrink: bool,
) -> Result<(), CommitError> {
    if allow_shrink || previous == 0 {
        return Ok(());
    }
    if (new as f64) < guard * previous as f64 {
        return Err(CommitError::Shrink {
            previous,
            new,
            percent: (guard * 100.0).round() as u32,
        });
    }
    Ok(())
}

/// Replaces `path` with `ds`: guard, copy the old file to `<dir>/previous/<file>`, atomic write.
pub fn commit(
    path: &Path,
    ds: &Dataset,
    previous_len: Option<usize>,
    guard: f64,
    allow_shrink: bool,
) -> Result<(), CommitError> {
    if let Some(prev) = previous_len {
        check_shrink(prev, ds.servers.len(), guard, allow_shrink)?;
    }
    let io = |p: &Path| {
        let p = p.display().to_string();
        move |source| CommitError::Io { path: p, source }
    };
    if let Ok(old) = std::fs::read(path) {
        let dir = path.parent().unwrap_or(Path::new("."));
        let name = path
            .file_name()
            .unwrap_or(std::ffi::OsStr::new("servers.json"));
        let keep = dir.join("previous").join(name);
        let new_bytes = dataset::to_canonical_bytes(ds);
        if old != new_bytes {
            dataset::write_atomic(&keep, &old).map_err(io(&keep))?;
        }
        return dataset::write_atomic(path, &new_bytes).map_err(io(path));
    }
    dataset::save(path, ds).map_err(io(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shrink_guard() {
        assert!(check_shrink(100, 85, 0.85, false).is_ok());
        assert!(matches!(
            check_shrink(100, 84, 0.85, false),
            Err(CommitError::Shrink {
                previous: 100,
                new: 84,
                percent: 85
            })
        ));
        assert!(check_shrink(100, 0, 0.85, true).is_ok());
        assert!(check_shrink(0, 0, 0.85, false).is_ok());
    }

    #[test]
    fn commit_keeps_previous_and_refuses_to_shrink() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("servers.json");
        let a = dataset::synthetic::catalogue(20, 1);
        commit(&path, &a, None, 0.85, false).unwrap();
        let b = dataset::synthetic::catalogue(19, 2);
        commit(&path, &b, Some(20), 0.85, false).unwrap();
        let prev = dataset::load(&dir.path().join("previous/servers.json")).unwrap();
        assert_eq!(prev.servers.len(), 20);
        let small = dataset::synthetic::catalogue(5, 3);
        let before = std::fs::read(&path).unwrap();
        assert!(commit(&path, &small, Some(19), 0.85, false).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), before, "old file untouched");
    }
}
