//! Native reader: the [`Engine`] fed from files in a directory, the way the browser feeds it.

use std::path::{Path, PathBuf};

use crate::engine::{Engine, Hit, Step};
use crate::format::FormatError;

/// A failure to read the browser index.
#[derive(Debug)]
pub enum ReadError {
    Io(PathBuf, std::io::Error),
    Format(PathBuf, FormatError),
    /// The engine kept asking for files (a corrupt root naming files that do not help).
    Loop,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(p, e) => write!(f, "reading {}: {e}", p.display()),
            ReadError::Format(p, e) => write!(f, "{}: {e}", p.display()),
            ReadError::Loop => write!(f, "the browser index keeps asking for files"),
        }
    }
}

impl std::error::Error for ReadError {}

/// Reads a browser index directory, loading shards on demand.
pub struct DirReader {
    dir: PathBuf,
    engine: Engine,
    /// Bytes read so far (root included), to measure what a browser would download.
    pub bytes_read: u64,
}

impl DirReader {
    pub fn open(dir: &Path) -> Result<DirReader, ReadError> {
        let path = dir.join(crate::ROOT_FILE);
        let root = std::fs::read(&path).map_err(|e| ReadError::Io(path.clone(), e))?;
        let engine = Engine::new(&root).map_err(|e| ReadError::Format(path, e))?;
        Ok(DirReader {
            dir: dir.to_path_buf(),
            engine,
            bytes_read: root.len() as u64,
        })
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Ranked hits for `query`, loading what the engine asks for.
    pub fn search(
        &mut self,
        query: &str,
        filters: &[(String, String)],
        limit: usize,
    ) -> Result<Vec<Hit>, ReadError> {
        for _ in 0..8 {
            match self.engine.search(query, filters, limit) {
                Step::Done(hits) => return Ok(hits),
                Step::Need(files) => {
                    for f in files {
                        if f.contains("..") || f.starts_with('/') {
                            return Err(ReadError::Format(
                                PathBuf::from(&f),
                                FormatError("unsafe path".into()),
                            ));
                        }
                        let p = self.dir.join(&f);
                        let bytes = std::fs::read(&p).map_err(|e| ReadError::Io(p.clone(), e))?;
                        self.bytes_read += bytes.len() as u64;
                        self.engine
                            .provide(&f, &bytes)
                            .map_err(|e| ReadError::Format(p, e))?;
                    }
                }
            }
        }
        Err(ReadError::Loop)
    }

    /// The JSON result record of a document.
    pub fn record(&mut self, doc: u32) -> Result<String, ReadError> {
        let p = self.dir.join(crate::record_path(doc));
        let s = std::fs::read_to_string(&p).map_err(|e| ReadError::Io(p, e))?;
        self.bytes_read += s.len() as u64;
        Ok(s)
    }
}
