//! `data/history.json`: one entry of catalogue totals per night, for the stats page's charts.
//!
//! `hisper build` computes tonight's entry from the dataset, replaces any entry of the same day
//! (keyed by the dataset's `generated_at` day) and writes the file back sorted by date, atomically.
//! It does not rewrite past entries.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use dataset::{Dataset, Kind};

/// The whole file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    pub nights: Vec<Night>,
}

/// Totals of one night.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Night {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Every record.
    pub records: u64,
    /// Records of kind `server`.
    pub servers: u64,
    /// Probe outcome `ok`.
    pub verified: u64,
    /// Tools over all probed servers.
    pub tools: u64,
    #[serde(default)]
    pub by_source: BTreeMap<String, u64>,
    #[serde(default)]
    pub by_outcome: BTreeMap<String, u64>,
}

/// Tonight's totals.
pub fn night_of(ds: &Dataset) -> Night {
    let mut n = Night {
        date: crate::view::day(&ds.generated_at),
        records: ds.servers.len() as u64,
        ..Default::default()
    };
    for s in &ds.servers {
        if s.kind == Kind::Server {
            n.servers += 1;
        }
        for e in &s.sources {
            *n.by_source
                .entry(e.source.as_str().to_string())
                .or_default() += 1;
        }
        if let Some(p) = &s.probe {
            *n.by_outcome
                .entry(p.outcome.as_str().to_string())
                .or_default() += 1;
            if p.outcome == dataset::Outcome::Ok {
                n.verified += 1;
            }
            n.tools += p.tools.len() as u64;
        }
    }
    n
}

/// Reads the file; an absent file is an empty history.
pub fn load(path: &Path) -> anyhow::Result<History> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .with_context(|| format!("parsing history {}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(History::default()),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

impl History {
    /// Inserts or replaces the entry of `night.date`, keeping the list sorted by date.
    pub fn upsert(&mut self, night: Night) {
        self.nights.retain(|n| n.date != night.date);
        self.nights.push(night);
        self.nights.sort_by(|a, b| a.date.cmp(&b.date));
    }

    /// Byte-stable JSON.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = serde_json::to_vec_pretty(self).unwrap_or_default();
        b.push(b'\n');
        b
    }
}

/// Loads, upserts tonight's entry and writes the file back atomically; returns the new history.
pub fn update(path: &Path, ds: &Dataset) -> anyhow::Result<History> {
    let mut h = load(path)?;
    h.upsert(night_of(ds));
    dataset::write_atomic(path, &h.to_bytes())
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upsert_replaces_the_same_day_and_sorts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.json");
        let mut ds = dataset::synthetic::catalogue(30, 1);
        let h1 = update(&path, &ds).unwrap();
        assert_eq!(h1.nights.len(), 1);
        assert_eq!(h1.nights[0].records, 30);
        let bytes1 = std::fs::read(&path).unwrap();
        // Same night again: replaced, same bytes.
        update(&path, &ds).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), bytes1);
        // An earlier night is inserted before it.
        ds.generated_at = "2026-11-20T03:00:00Z".into();
        ds.servers.truncate(10);
        let h = update(&path, &ds).unwrap();
        let dates: Vec<_> = h.nights.iter().map(|n| n.date.as_str()).collect();
        assert_eq!(dates, ["2026-11-20", "2026-11-22"]);
        assert_eq!(h.nights[0].records, 10);
    }
}
