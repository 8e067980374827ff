//! The files the stages exchange besides the dataset, typed once here so that the stage that
//! writes a file and the stages that read it agree on its shape: `categories.json` (written by
//! `enrich`, read by `build`). Each is pretty-printed JSON ending in a newline, byte-stable, and
//! written atomically ([`write`]); [`read`] names the file and the field a bad file fails at.
//!
//! It does not decide what goes in a file: the writing stage does.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// `categories.json`: every category of the taxonomy, sorted by id, with how many servers carry
/// it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoriesFile {
    pub categories: Vec<CategoryEntry>,
}

/// One category of `categories.json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryEntry {
    /// The slug used in `Server.categories[].id` and in the site's `/categories/<id>/`.
    pub id: String,
    pub label: String,
    #[serde(default)]
    pub description: String,
    /// Servers carrying the category.
    #[serde(default)]
    pub count: usize,
}

impl CategoriesFile {
    /// The entry with this id.
    pub fn get(&self, id: &str) -> Option<&CategoryEntry> {
        self.categories.iter().find(|c| c.id == id)
    }
}

/// Why an exchanged file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: at `{field}`: {message}")]
    Parse {
        path: String,
        /// The JSON path of the field that did not parse (`categories[3].label`), `.` for the top.
        field: String,
        message: String,
    },
}

impl FileError {
    /// Whether the file is simply not there (an optional input).
    pub fn is_missing(&self) -> bool {
        matches!(self, FileError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }
}

/// Parses `bytes` (the contents of `path`, for messages) as a `T`.
pub fn from_bytes<T: DeserializeOwned>(path: &Path, bytes: &[u8]) -> Result<T, FileError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| FileError::Parse {
        path: path.display().to_string(),
        field: e.path().to_string(),
        message: e.inner().to_string(),
    })
}

/// Reads `path` as a `T`.
pub fn read<T: DeserializeOwned>(path: &Path) -> Result<T, FileError> {
    let bytes = std::fs::read(path).map_err(|source| FileError::Io {
        path: path.display().to_string(),
        source,
    })?;
    from_bytes(path, &bytes)
}

/// `value` as pretty-printed JSON ending in a newline.
pub fn to_bytes<T: Serialize>(value: &T) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).expect("exchanged files serialize");
    bytes.push(b'\n');
    bytes
}

/// Writes `value` at `path` atomically (see [`to_bytes`]).
pub fn write<T: Serialize>(path: &Path, value: &T) -> std::io::Result<()> {
    crate::write_atomic(path, &to_bytes(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_round_trip_and_bad_fields_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("categories.json");
        let file = CategoriesFile {
            categories: vec![CategoryEntry {
                id: "databases".into(),
                label: "Databases".into(),
                description: "SQL and NoSQL databases.".into(),
                count: 3,
            }],
        };
        write(&path, &file).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert!(bytes.ends_with(b"}\n"));
        assert_eq!(read::<CategoriesFile>(&path).unwrap(), file);
        assert_eq!(file.get("databases").unwrap().count, 3);

        std::fs::write(&path, r#"{"categories": [{"id": "x", "label": 7}]}"#).unwrap();
        let err = read::<CategoriesFile>(&path).unwrap_err().to_string();
        assert!(err.contains("categories.json"), "{err}");
        assert!(err.contains("categories[0].label"), "{err}");

        let missing = read::<CategoriesFile>(&dir.path().join("nope.json")).unwrap_err();
        assert!(missing.is_missing());
    }
}
