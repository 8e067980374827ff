//! Export of the browser index: BM25F impacts precomputed per (term, server), cut into ~16 KB shards.
//!
//! Writes, under one directory: `root.txt`, `s/*.bin` shards, `v/*.bin` typo vocabulary buckets,
//! `f/*.bin` filter sets and `r/<n/1000>/<n>.json` result records (at most 1,000 files per
//! directory). Shard, bucket and filter files are named by a hash of their content, so a host can
//! cache them forever; only `root.txt` must be revalidated. The format is `search::format`; this
//! module only decides what goes in. It does not copy the wasm module or the script.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use anyhow::Context;
use rayon::prelude::*;
use search::format::{
    encode_docset, encode_shard, encode_vocab, fnv1a, FilterRef, Root, ShardRef, TermEntry,
    VocabRef,
};

use crate::prepare::{Doc, Field};

/// Target raw size of one shard.
pub const SHARD_TARGET: usize = 16 * 1024;
/// Target raw size of one vocabulary bucket.
pub const VOCAB_TARGET: usize = 12 * 1024;
/// Postings kept for a term: the best ones by impact (its true document frequency is kept).
pub const POSTINGS_CAP: usize = 3000;
const K1: f32 = 1.2;
const B: f32 = 0.75;

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExportStats {
    pub docs: usize,
    pub terms: usize,
    pub shards: usize,
    pub vocab_buckets: usize,
    pub filters: usize,
    pub files: usize,
    pub bytes: u64,
    pub root_bytes: usize,
    pub largest_shard: usize,
    pub most_files_in_a_dir: usize,
}

/// Per document: term id -> term frequency per field; and field lengths.
struct Analyzed {
    terms: Vec<(String, [u16; 9])>,
    lens: [u32; 9],
}

fn analyze_doc(d: &Doc) -> Analyzed {
    let mut map: HashMap<String, [u16; 9]> = HashMap::new();
    let mut lens = [0u32; 9];
    for (fi, f) in Field::ALL.iter().enumerate() {
        if let Some(text) = d.fields.get(f) {
            search::analyze::for_each_token(text, |t| {
                lens[fi] += 1;
                let e = map.entry(t).or_insert([0; 9]);
                e[fi] = e[fi].saturating_add(1);
            });
        }
    }
    // The full name's key counts as the name; the unscoped one only as a tool-description word, so
    // "x" ranks the server named "x" above "@scope/x".
    for (i, k) in d.name_keys.iter().enumerate() {
        let field = if i == 0 { 0 } else { 7 };
        map.entry(k.clone()).or_insert([0; 9])[field] = 1;
    }
    let mut terms: Vec<(String, [u16; 9])> = map.into_iter().collect();
    terms.sort_by(|a, b| a.0.cmp(&b.0));
    Analyzed { terms, lens }
}

/// Term -> (document frequency, appears in a name-like field, (document, score) sorted by document).
pub type TermTable = BTreeMap<String, (u32, bool, Vec<(u32, f32)>)>;

/// Computes the BM25F score of every (term, document): term -> postings sorted by document.
/// Shared with tests that check the CLI and the browser agree on what matches.
pub fn scores(docs: &[Doc]) -> (TermTable, usize) {
    let analyzed: Vec<Analyzed> = docs.par_iter().map(analyze_doc).collect();
    let n = docs.len().max(1) as f32;
    // One combined pseudo-field: every field's terms counted `repeat()` times.
    let weighted_len = |a: &Analyzed| -> f32 {
        Field::ALL
            .iter()
            .enumerate()
            .map(|(i, f)| (a.lens[i] * f.repeat()) as f32)
            .sum()
    };
    let avg = (analyzed.iter().map(weighted_len).sum::<f32>() / n).max(1.0);
    // term -> (df, name_like, postings)
    let mut table: TermTable = BTreeMap::new();
    for (doc, a) in analyzed.iter().enumerate() {
        let norm = 1.0 - B + B * weighted_len(a) / avg;
        for (term, tfs) in &a.terms {
            let name_like = Field::ALL
                .iter()
                .enumerate()
                .any(|(i, f)| tfs[i] > 0 && f.name_like());
            let e = table
                .entry(term.clone())
                .or_insert_with(|| (0, false, Vec::new()));
            e.0 += 1;
            e.1 |= name_like;
            let tf: f32 = Field::ALL
                .iter()
                .enumerate()
                .map(|(i, f)| (tfs[i] as u32 * f.repeat()) as f32)
                .sum();
            // Store tf / norm now; idf comes once df is known.
            e.2.push((doc as u32, tf / norm));
        }
    }
    let count = table.len();
    for (df, _, postings) in table.values_mut() {
        let dff = *df as f32;
        let idf = (1.0 + (n - dff + 0.5) / (dff + 0.5)).ln();
        for (doc, tf) in postings.iter_mut() {
            let prior = docs[*doc as usize].prior;
            *tf = idf * (*tf * (K1 + 1.0)) / (*tf + K1) * prior;
        }
    }
    (table, count)
}

/// Shortest prefix of `next` that sorts after `prev`.
fn separator(prev: &str, next: &str) -> String {
    let mut end = 0;
    for (i, c) in next.char_indices() {
        end = i + c.len_utf8();
        if &next[..end] > prev {
            return next[..end].to_string();
        }
    }
    next[..end].to_string()
}

/// Exports the browser index of `docs` into `dir` (created; should be empty).
pub fn export(docs: &[Doc], dir: &Path) -> anyhow::Result<ExportStats> {
    let (table, _) = scores(docs);
    let max = table
        .values()
        .flat_map(|(_, _, p)| p.iter().map(|x| x.1))
        .fold(0f32, f32::max)
        .max(1e-6);
    let mut writer = Writer::new(dir);
    let mut stats = ExportStats {
        docs: docs.len(),
        terms: table.len(),
        ..Default::default()
    };

    // Shards.
    let mut root = Root {
        docs: docs.len() as u32,
        build: String::new(),
        scale_milli: (max * 1000.0).round() as u64,
        cap: POSTINGS_CAP as u32,
        ..Default::default()
    };
    let mut current: Vec<TermEntry> = Vec::new();
    let mut current_size = 0usize;
    let mut prev_last = String::new();
    let flush = |current: &mut Vec<TermEntry>,
                 prev_last: &mut String,
                 root: &mut Root,
                 writer: &mut Writer,
                 stats: &mut ExportStats|
     -> anyhow::Result<()> {
        if current.is_empty() {
            return Ok(());
        }
        let bytes = encode_shard(current);
        let name = format!("s/{:012x}.bin", fnv1a(&bytes) & 0xffff_ffff_ffff);
        let first = if root.shards.is_empty() {
            String::new()
        } else {
            separator(prev_last, &current[0].term)
        };
        stats.largest_shard = stats.largest_shard.max(bytes.len());
        writer.write(&name, &bytes)?;
        root.shards.push(ShardRef { first, file: name });
        if let Some(last) = current.last() {
            *prev_last = last.term.clone();
        }
        current.clear();
        Ok(())
    };
    for (term, (df, _, postings)) in &table {
        let mut posts: Vec<(u32, u8)> = postings
            .iter()
            .map(|&(d, s)| (d, ((s / max).sqrt() * 255.0).ceil().clamp(1.0, 255.0) as u8))
            .collect();
        if posts.len() > POSTINGS_CAP {
            posts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            posts.truncate(POSTINGS_CAP);
            posts.sort_by_key(|p| p.0);
        }
        let size = term.len() + 8 + posts.len() * 3;
        if current_size + size > SHARD_TARGET && !current.is_empty() {
            flush(
                &mut current,
                &mut prev_last,
                &mut root,
                &mut writer,
                &mut stats,
            )?;
            current_size = 0;
        }
        current_size += size;
        current.push(TermEntry {
            term: term.clone(),
            df: *df,
            postings: posts,
        });
    }
    flush(
        &mut current,
        &mut prev_last,
        &mut root,
        &mut writer,
        &mut stats,
    )?;
    stats.shards = root.shards.len();

    // Typo vocabulary: name-like terms and terms in 2+ documents, bucketed by prefix.
    let vocab: Vec<(String, u32)> = table
        .iter()
        .filter(|(t, (df, name_like, _))| {
            (*name_like || *df >= 2) && t.chars().count() >= 3 && !t.starts_with('_')
        })
        .map(|(t, (df, _, _))| (t.clone(), *df))
        .collect();
    let mut buckets: Vec<(String, Vec<(String, u32)>)> = Vec::new();
    bucketize(&vocab, 1, &mut buckets);
    for (prefix, terms) in buckets {
        let bytes = encode_vocab(&terms);
        let name = format!("v/{:012x}.bin", fnv1a(&bytes) & 0xffff_ffff_ffff);
        writer.write(&name, &bytes)?;
        root.vocab.push(VocabRef { prefix, file: name });
    }
    stats.vocab_buckets = root.vocab.len();

    // Filters.
    let mut sets: BTreeMap<(String, String), Vec<u32>> = BTreeMap::new();
    for (i, d) in docs.iter().enumerate() {
        for (k, v) in &d.filters {
            if k == "transport" {
                continue;
            }
            sets.entry((k.clone(), v.clone()))
                .or_default()
                .push(i as u32);
        }
    }
    for ((key, value), list) in sets {
        let bytes = encode_docset(&list, docs.len() as u32);
        let name = format!("f/{:012x}.bin", fnv1a(&bytes) & 0xffff_ffff_ffff);
        writer.write(&name, &bytes)?;
        root.filters.push(FilterRef {
            key,
            value,
            count: list.len() as u32,
            file: name,
        });
    }
    stats.filters = root.filters.len();

    // Records.
    let records: Vec<(String, Vec<u8>)> = docs
        .par_iter()
        .enumerate()
        .map(|(i, d)| {
            let mut b = serde_json::to_vec(&d.record()).unwrap_or_else(|_| b"{}".to_vec());
            b.push(b'\n');
            (search::record_path(i as u32), b)
        })
        .collect();
    for (path, bytes) in &records {
        writer.write(path, bytes)?;
    }
    let build_hash = records
        .iter()
        .fold(fnv1a(root.encode().as_bytes()), |h, (_, b)| {
            h ^ fnv1a(b).rotate_left(7)
        });
    root.build = format!("{:012x}", build_hash & 0xffff_ffff_ffff);
    let root_text = root.encode();
    stats.root_bytes = root_text.len();
    writer.write(search::ROOT_FILE, root_text.as_bytes())?;
    stats.files = writer.files;
    stats.bytes = writer.bytes;
    stats.most_files_in_a_dir = writer.per_dir.values().copied().max().unwrap_or(0);
    Ok(stats)
}

/// Splits a sorted vocabulary into buckets of at most [`VOCAB_TARGET`] bytes by growing prefixes.
fn bucketize(terms: &[(String, u32)], len: usize, out: &mut Vec<(String, Vec<(String, u32)>)>) {
    let mut groups: BTreeMap<String, Vec<(String, u32)>> = BTreeMap::new();
    for (t, df) in terms {
        let p: String = t.chars().take(len).collect();
        groups.entry(p).or_default().push((t.clone(), *df));
    }
    for (prefix, group) in groups {
        let size: usize = group.iter().map(|(t, _)| t.len() + 3).sum();
        if size <= VOCAB_TARGET || len >= 3 {
            out.push((prefix, group));
        } else {
            // Terms no longer than the prefix stay in the prefix's own bucket.
            let (short, long): (Vec<_>, Vec<_>) = group
                .into_iter()
                .partition(|(t, _)| t.chars().count() <= len);
            if !short.is_empty() {
                out.push((prefix, short));
            }
            bucketize(&long, len + 1, out);
        }
    }
}

struct Writer<'a> {
    dir: &'a Path,
    files: usize,
    bytes: u64,
    per_dir: HashMap<String, usize>,
    made: std::collections::HashSet<std::path::PathBuf>,
}

impl<'a> Writer<'a> {
    fn new(dir: &'a Path) -> Self {
        Writer {
            dir,
            files: 0,
            bytes: 0,
            per_dir: HashMap::new(),
            made: Default::default(),
        }
    }

    fn write(&mut self, rel: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            if !self.made.contains(parent) {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("creating {}", parent.display()))?;
                self.made.insert(parent.to_path_buf());
            }
        }
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
        self.files += 1;
        self.bytes += bytes.len() as u64;
        let d = rel.rsplit_once('/').map(|x| x.0).unwrap_or("").to_string();
        *self.per_dir.entry(d).or_insert(0) += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_sort_between() {
        assert_eq!(separator("github", "gitlab"), "gitl");
        assert_eq!(separator("a", "b"), "b");
        assert_eq!(separator("abc", "abcd"), "abcd");
    }
}
