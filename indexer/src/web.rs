//! Export of the browser index: BM25F impacts precomputed per (term, server), cut into ~16 KB shards.
//!
//! Writes, under one directory: `root.txt`, `s/*.bin` shards, `v/*.bin` typo vocabulary buckets,
//! `f/*.bin` filter sets and `r/<n/1000>/<n>.json` result records (at most 1,000 files per
//! directory). Shard, bucket and filter files are numbered in the root's order, so the root need
//! not name them; the browser asks for every file with the root's build id (`?v=<build>`, which
//! changes with any file's bytes), so caches never mix two exports; only `root.txt` must be
//! revalidated. The format is `search::format`; this
//! module only decides what goes in. It does not copy the wasm module or the script.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use anyhow::Context;
use rayon::prelude::*;
use search::format::{
    encode_docset, encode_shard, encode_vocab, fnv1a, implied_file, FilterRef, Root, ShardRef,
    TermEntry, VocabRef,
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

/// Per document: its analyzed terms with their weighted term frequency (every field's count
/// times `Field::repeat()`, the name keys included) and whether they occur in a name-like field;
/// and its weighted length (the name keys excluded).
struct Analyzed {
    terms: Vec<(String, u32, bool)>,
    wlen: u32,
}

fn analyze_doc(d: &Doc) -> Analyzed {
    let mut map: HashMap<String, (u32, bool)> = HashMap::new();
    let mut wlen = 0u32;
    for f in Field::ALL {
        if let Some(text) = d.fields.get(&f) {
            let (rep, nl) = (f.repeat(), f.name_like());
            let counts = f.counts_length();
            search::analyze::for_each_token(text, |t| {
                if counts {
                    wlen = wlen.saturating_add(rep);
                }
                let e = map.entry(t).or_insert((0, false));
                e.0 = e.0.saturating_add(rep);
                e.1 |= nl;
            });
        }
    }
    for (k, rep) in name_key_terms(d) {
        let e = map.entry(k.to_string()).or_insert((0, false));
        e.0 = e.0.saturating_add(rep);
    }
    Analyzed {
        terms: map.into_iter().map(|(t, (tf, nl))| (t, tf, nl)).collect(),
        wlen,
    }
}

/// The whole-name keys of a document and how many times each counts: the full name's key as
/// the name (`Field::Name.repeat()`), the unscoped one once (so "x" ranks the server named "x"
/// above "@scope/x"). The tantivy index writes the same.
pub fn name_key_terms(d: &Doc) -> impl Iterator<Item = (&str, u32)> {
    d.name_keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), if i == 0 { Field::Name.repeat() } else { 1 }))
}

/// The scoring constants of one export, shared by the browser index and the CLI so both rank
/// with the same numbers (written next to the tantivy index as `hisper-scores.txt`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreParams {
    pub docs: u32,
    /// Average weighted length.
    pub avg: f32,
    /// Largest impact, in thousandths (the quantization scale).
    pub scale_milli: u64,
    pub cap: u32,
}

impl ScoreParams {
    pub fn encode(&self) -> String {
        format!(
            "docs\t{}\navg_bits\t{}\nscale_milli\t{}\ncap\t{}\n",
            self.docs,
            self.avg.to_bits(),
            self.scale_milli,
            self.cap
        )
    }

    pub fn decode(text: &str) -> Option<ScoreParams> {
        let get = |k: &str| -> Option<u64> {
            text.lines()
                .filter_map(|l| l.split_once('\t'))
                .find(|(key, _)| *key == k)
                .and_then(|(_, v)| v.trim().parse().ok())
        };
        Some(ScoreParams {
            docs: u32::try_from(get("docs")?).ok()?,
            avg: f32::from_bits(u32::try_from(get("avg_bits")?).ok()?),
            scale_milli: get("scale_milli")?,
            cap: u32::try_from(get("cap")?).ok()?,
        })
    }

    /// The decoded impact of a quantized byte, exactly as the browser engine decodes it.
    pub fn dequantize(&self, b: u8) -> f32 {
        let scale = (self.scale_milli.max(1) as f32) / 1000.0;
        let x = b as f32 / 255.0;
        x * x * scale
    }
}

/// Inverse document frequency (BM25's, always positive).
pub fn idf(df: u32, docs: u32) -> f32 {
    let (n, dff) = (docs.max(1) as f32, df as f32);
    (1.0 + (n - dff + 0.5) / (dff + 0.5)).ln()
}

/// The BM25F impact of a term with weighted frequency `tf` in a document of weighted length
/// `wlen`, times the document's prior. The one formula of both engines.
pub fn impact(tf: u32, wlen: u32, avg: f32, idf: f32, prior: f32) -> f32 {
    let norm = 1.0 - B + B * wlen as f32 / avg;
    let tf = tf as f32 / norm;
    idf * (tf * (K1 + 1.0)) / (tf + K1) * prior
}

/// The impact byte of `score` (square-root scale, at least 1).
pub fn quantize(score: f32, scale_milli: u64) -> u8 {
    let max = (scale_milli.max(1) as f32) / 1000.0;
    ((score / max).sqrt() * 255.0).ceil().clamp(1.0, 255.0) as u8
}

/// The postings a term keeps: at most `cap`, the highest impacts (then lowest documents) first,
/// returned sorted by document.
pub fn cap_postings(posts: &mut Vec<(u32, u8)>, cap: usize) {
    if posts.len() > cap {
        posts.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        posts.truncate(cap);
        posts.sort_unstable_by_key(|p| p.0);
    }
}

/// Every term (sorted) with its document frequency and its quantized, capped postings; whether
/// it occurs in a name-like field; the scoring constants.
pub struct TermTable {
    pub terms: Vec<TermEntry>,
    pub name_like: Vec<bool>,
    pub params: ScoreParams,
}

/// Computes the quantized BM25F impact of every (term, document). Parallel: documents are
/// analyzed on every core, terms numbered once, postings laid out in one pass, impacts computed
/// per term.
pub fn scores(docs: &[Doc]) -> TermTable {
    let analyzed: Vec<Analyzed> = docs.par_iter().map(analyze_doc).collect();
    let n = docs.len() as u32;
    let avg = (analyzed.iter().map(|a| a.wlen as f32).sum::<f32>() / n.max(1) as f32).max(1.0);
    // Number the terms (first seen first), count document frequencies.
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let mut names: Vec<&str> = Vec::new();
    let mut df: Vec<u32> = Vec::new();
    let mut name_like: Vec<bool> = Vec::new();
    let doc_ids: Vec<Vec<u32>> = analyzed
        .iter()
        .map(|a| {
            a.terms
                .iter()
                .map(|(t, _, nl)| {
                    let id = *ids.entry(t.as_str()).or_insert_with(|| {
                        names.push(t.as_str());
                        df.push(0);
                        name_like.push(false);
                        (names.len() - 1) as u32
                    });
                    df[id as usize] += 1;
                    name_like[id as usize] |= *nl;
                    id
                })
                .collect()
        })
        .collect();
    drop(ids);
    // Postings in one flat array (documents ascending within each term).
    let mut start: Vec<usize> = Vec::with_capacity(df.len() + 1);
    let mut acc = 0usize;
    for &d in &df {
        start.push(acc);
        acc += d as usize;
    }
    start.push(acc);
    let mut fill = start.clone();
    let mut flat: Vec<(u32, u32)> = vec![(0, 0); acc];
    for (doc, (a, tids)) in analyzed.iter().zip(&doc_ids).enumerate() {
        for ((_, tf, _), &id) in a.terms.iter().zip(tids) {
            flat[fill[id as usize]] = (doc as u32, *tf);
            fill[id as usize] += 1;
        }
    }
    drop(fill);
    let mut order: Vec<u32> = (0..names.len() as u32).collect();
    order.par_sort_unstable_by(|&a, &b| names[a as usize].cmp(names[b as usize]));
    let (flat, start, df, analyzed) = (&flat, &start, &df, &analyzed);
    let term_impacts = move |i: usize| {
        let w = idf(df[i], n);
        flat[start[i]..start[i + 1]].iter().map(move |&(doc, tf)| {
            let d = doc as usize;
            (doc, impact(tf, analyzed[d].wlen, avg, w, docs[d].prior))
        })
    };
    // Two passes over the impacts (cheaper than keeping them): the largest, then the bytes.
    let max = (0..names.len())
        .into_par_iter()
        .map(|i| term_impacts(i).map(|x| x.1).fold(0f32, f32::max))
        .reduce(|| 0f32, f32::max)
        .max(1e-6);
    let params = ScoreParams {
        docs: n,
        avg,
        scale_milli: (max * 1000.0).round() as u64,
        cap: POSTINGS_CAP as u32,
    };
    let terms = order
        .par_iter()
        .map(|&id| {
            let i = id as usize;
            let mut posts: Vec<(u32, u8)> = term_impacts(i)
                .map(|(doc, s)| (doc, quantize(s, params.scale_milli)))
                .collect();
            cap_postings(&mut posts, POSTINGS_CAP);
            TermEntry {
                term: names[i].to_string(),
                df: df[i],
                postings: posts,
            }
        })
        .collect::<Vec<_>>();
    let name_like = order.iter().map(|&id| name_like[id as usize]).collect();
    TermTable {
        terms,
        name_like,
        params,
    }
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

/// Exports the browser index of `docs` into `dir` (created; should be empty). Returns what it
/// wrote and the scoring constants (for the CLI's index).
pub fn export(docs: &[Doc], dir: &Path) -> anyhow::Result<ExportStats> {
    export_with_params(docs, dir).map(|x| x.0)
}

/// [`export`], also returning the scoring constants.
pub fn export_with_params(docs: &[Doc], dir: &Path) -> anyhow::Result<(ExportStats, ScoreParams)> {
    let t0 = std::time::Instant::now();
    let table = scores(docs);
    let t_scores = t0.elapsed();
    let params = table.params;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut stats = ExportStats {
        docs: docs.len(),
        terms: table.terms.len(),
        ..Default::default()
    };
    let mut root = Root {
        docs: docs.len() as u32,
        build: String::new(),
        scale_milli: params.scale_milli,
        cap: params.cap,
        ..Default::default()
    };

    // Shards: cut by size in term order, encoded in parallel.
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
    let mut from = 0usize;
    let mut size = 0usize;
    for (i, t) in table.terms.iter().enumerate() {
        let s = t.term.len() + 8 + t.postings.len() * 3;
        if size + s > SHARD_TARGET && i > from {
            ranges.push(from..i);
            from = i;
            size = 0;
        }
        size += s;
    }
    if from < table.terms.len() {
        ranges.push(from..table.terms.len());
    }
    let encoded: Vec<Vec<u8>> = ranges
        .par_iter()
        .map(|r| encode_shard(&table.terms[r.clone()]))
        .collect();
    for (k, (r, bytes)) in ranges.iter().zip(encoded).enumerate() {
        let name = implied_file("s", k);
        let first = if k == 0 {
            String::new()
        } else {
            separator(&table.terms[r.start - 1].term, &table.terms[r.start].term)
        };
        stats.largest_shard = stats.largest_shard.max(bytes.len());
        root.shards.push(ShardRef {
            first,
            file: name.clone(),
        });
        files.push((name, bytes));
    }
    stats.shards = root.shards.len();

    // Typo vocabulary: name-like terms and terms in 2+ documents, bucketed by prefix.
    let vocab: Vec<(String, u32)> = table
        .terms
        .iter()
        .zip(&table.name_like)
        .filter(|(t, name_like)| in_vocab(&t.term, t.df, **name_like))
        .map(|(t, _)| (t.term.clone(), t.df))
        .collect();
    let mut buckets: Vec<(String, Vec<(String, u32)>)> = Vec::new();
    bucketize(&vocab, 1, &mut buckets);
    for (k, (prefix, terms)) in buckets.into_iter().enumerate() {
        let bytes = encode_vocab(&terms);
        let name = implied_file("v", k);
        root.vocab.push(VocabRef {
            prefix,
            file: name.clone(),
        });
        files.push((name, bytes));
    }
    stats.vocab_buckets = root.vocab.len();
    drop(table);

    // Filters.
    let mut sets: BTreeMap<(&str, &str), Vec<u32>> = BTreeMap::new();
    for (i, d) in docs.iter().enumerate() {
        for (k, v) in &d.filters {
            // Of the transports, only `stdio` and `remote` (any HTTP endpoint) are offered.
            if k != "transport" || matches!(v.as_str(), "stdio" | "remote") {
                sets.entry((k, v)).or_default().push(i as u32);
            }
        }
    }
    for (k, ((key, value), list)) in sets.into_iter().enumerate() {
        let bytes = encode_docset(&list, docs.len() as u32);
        let name = implied_file("f", k);
        root.filters.push(FilterRef {
            key: key.to_string(),
            value: value.to_string(),
            count: list.len() as u32,
            file: name.clone(),
        });
        files.push((name, bytes));
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
    // The build id changes with any file's bytes: the browser asks for `<file>?v=<build>`.
    let build_hash = files
        .iter()
        .chain(&records)
        .fold(fnv1a(root.encode().as_bytes()), |h, (name, b)| {
            h ^ (fnv1a(b) ^ fnv1a(name.as_bytes())).rotate_left(7)
        });
    root.build = format!("{:012x}", build_hash & 0xffff_ffff_ffff);
    files.extend(records);
    let root_text = root.encode();
    stats.root_bytes = root_text.len();
    files.push((search::ROOT_FILE.to_string(), root_text.into_bytes()));
    let t_encode = t0.elapsed() - t_scores;
    write_all(dir, &files, &mut stats)?;
    tracing::debug!(
        "browser index: scores {:.2}s, encoding {:.2}s, writing {} files {:.2}s",
        t_scores.as_secs_f64(),
        t_encode.as_secs_f64(),
        files.len(),
        (t0.elapsed() - t_scores - t_encode).as_secs_f64()
    );
    Ok((stats, params))
}

/// Whether a term goes into the typo vocabulary: name-like or in 2+ documents, 3+ characters,
/// not a whole-name key.
pub fn in_vocab(term: &str, df: u32, name_like: bool) -> bool {
    (name_like || df >= 2) && term.chars().count() >= 3 && !term.starts_with('_')
}

/// Writes every file (directories first, then the files on every core) and counts them.
fn write_all(
    dir: &Path,
    files: &[(String, Vec<u8>)],
    stats: &mut ExportStats,
) -> anyhow::Result<()> {
    let mut per_dir: HashMap<&str, usize> = HashMap::new();
    for (rel, bytes) in files {
        let d = rel.rsplit_once('/').map(|x| x.0).unwrap_or("");
        *per_dir.entry(d).or_insert(0) += 1;
        stats.bytes += bytes.len() as u64;
    }
    stats.files = files.len();
    stats.most_files_in_a_dir = per_dir.values().copied().max().unwrap_or(0);
    for d in per_dir.keys() {
        let p = dir.join(d);
        std::fs::create_dir_all(&p).with_context(|| format!("creating {}", p.display()))?;
    }
    files.par_iter().try_for_each(|(rel, bytes)| {
        let path = dir.join(rel);
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))
    })
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
