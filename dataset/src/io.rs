//! Loading and saving the dataset file: canonical bytes, atomic writes, located errors.
//!
//! Saving normalizes the dataset, serializes it as pretty JSON with sorted maps and a final newline,
//! writes a temporary file beside the target, syncs it and renames it over the target, so a crash
//! leaves either the old file or the new one, never half of one. Loading refuses files over
//! [`MAX_FILE_BYTES`] before reading them, and reports a bad record by file, record id, index and
//! field path. This module does not decide what to do with a bad file; callers do.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::Dataset;

/// The largest dataset file `load` reads (1 GiB): above it, one clear error, no allocation.
pub const MAX_FILE_BYTES: u64 = 1 << 30;

/// Why a dataset could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: file is {size} bytes, over the {max}-byte limit for a dataset")]
    TooLarge { path: PathBuf, size: u64, max: u64 },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// Reads and parses a dataset file.
pub fn load(path: &Path) -> Result<Dataset, LoadError> {
    let meta = fs::metadata(path).map_err(|source| LoadError::Io {
        path: path.into(),
        source,
    })?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge {
            path: path.into(),
            size: meta.len(),
            max: MAX_FILE_BYTES,
        });
    }
    let bytes = fs::read(path).map_err(|source| LoadError::Io {
        path: path.into(),
        source,
    })?;
    load_bytes(&bytes).map_err(|message| LoadError::Invalid {
        path: path.into(),
        message,
    })
}

/// Parses a dataset from bytes; the error is one line without the file name.
pub fn load_bytes(bytes: &[u8]) -> Result<Dataset, String> {
    // The plain parse first: tracking the path of every value costs about as much as the parse
    // itself, and only a failing parse needs the path, so only then is it parsed again with it.
    let parsed = serde_json::from_slice::<Dataset>(bytes).map_err(|plain| {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        match serde_path_to_error::deserialize::<_, Dataset>(&mut de) {
            Err(e) => format!("field {}: {}", e.path(), e.inner()),
            Ok(_) => plain.to_string(),
        }
    });
    match parsed {
        Ok(d) if d.schema_version != crate::SCHEMA_VERSION => Err(format!(
            "field schema_version: unknown schema version {} (this build reads {})",
            d.schema_version,
            crate::SCHEMA_VERSION
        )),
        Ok(d) => Ok(d),
        // Prefer the validator's located message (record id, index, field).
        Err(fallback) => match crate::validate::validate_bytes(bytes).into_iter().next() {
            Some(p) => Err(p.to_string()),
            None => Err(fallback),
        },
    }
}

/// The canonical bytes of a dataset: normalized, pretty JSON, sorted maps, final newline.
pub fn to_canonical_bytes(dataset: &Dataset) -> Vec<u8> {
    let mut d = dataset.clone();
    d.normalize();
    let mut out = serde_json::to_vec_pretty(&d).expect("the dataset types always serialize");
    out.push(b'\n');
    out
}

/// Normalizes and writes the dataset atomically.
pub fn save(path: &Path, dataset: &Dataset) -> std::io::Result<()> {
    write_atomic(path, &to_canonical_bytes(dataset))
}

/// Writes `bytes` to `path` atomically: a temp file in the same directory, fsync, rename.
/// Creates the parent directory if needed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{file_name}.tmp{}", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}
