//! The query engine over the browser index, the same code natively and in wasm.
//!
//! The engine does no I/O. [`Engine::search`] either answers or names the files it still needs;
//! the caller (the native [`crate::DirReader`], or the JS glue in the browser) fetches them, hands
//! them over with [`Engine::provide`] and asks again. A query is analyzed with
//! [`crate::analyze::tokens`]; each word matches its exact term, the last word also every term it
//! is a prefix of (with a decay by length), and a word whose exact term is (nearly) unknown also
//! the terms within 1 edit (4+ letters) or 2 edits (8+ letters) found in its vocabulary bucket.
//! Documents matching more words rank first, then by the sum of their precomputed impacts.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};

use crate::analyze;
use crate::format::{decode_docset, decode_vocab, FormatError, Root, Shard};

/// A ranked result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Document number (index into the dataset's server list as exported).
    pub doc: u32,
    pub score: f32,
    /// How many query words it matched.
    pub matched: u32,
}

/// The outcome of one search step.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// The ranked hits.
    Done(Vec<Hit>),
    /// Fetch these files (paths relative to the index directory) and call `provide`, then search again.
    Need(Vec<String>),
}

/// Weight of a prefix expansion of the last word, before the length decay.
pub const PREFIX_WEIGHT: f32 = 0.8;
/// Weight of a 1-edit and a 2-edit correction.
pub const FUZZY_WEIGHT: [f32; 3] = [1.0, 0.6, 0.4];
/// Most prefix expansions kept for the last word (by document frequency).
pub const MAX_PREFIX_TERMS: usize = 48;
/// Most shards read for a prefix range.
pub const MAX_PREFIX_SHARDS: usize = 2;
/// Most typo corrections kept per word.
pub const MAX_FUZZY_TERMS: usize = 4;
/// A word whose exact term has at most this many documents also tries typo corrections.
pub const RARE_DF: u32 = 1;
/// Words with fewer characters than this get no prefix expansion.
pub const MIN_PREFIX: usize = 2;
/// Weight of the whole-name bonus for a started name (times the prefix weight).
pub const NAME_BONUS: f32 = 0.6;
/// Weight of the whole-name bonus for the exact name.
pub const NAME_BONUS_EXACT: f32 = 1.2;
/// Most words of one query that are used.
pub const MAX_WORDS: usize = 12;
/// Most misspelled-name corrections kept for the whole-name key.
pub const MAX_KEY_FIXES: usize = 3;

/// The parsed query: analyzed words and whether the last one is a prefix.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub words: Vec<String>,
    /// The last word is still being typed (the query ends inside it).
    pub last_prefix: bool,
    /// The whole-query name key (see [`analyze::name_key`]).
    pub key: Option<String>,
    /// The name is still being typed: the query ends in a letter, a digit or a name separator
    /// (`-`, `_`, `.`, `/`, `@`), so longer names it starts count.
    pub key_prefix: bool,
    /// The name may be complete: the query does not end in a name separator.
    pub key_exact: bool,
}

/// Analyzes a query: words deduplicated in order, at most [`MAX_WORDS`]. The last word is a
/// prefix when the query ends inside it; a stop word being typed last ("to" of "tools") is kept
/// as a prefix, a single letter being typed ends the previous word.
pub fn parse(query: &str) -> Parsed {
    let mut words: Vec<String> = Vec::new();
    for t in analyze::tokens(query) {
        if !words.contains(&t) {
            words.push(t);
        }
        if words.len() >= MAX_WORDS {
            break;
        }
    }
    let last = query.chars().last();
    let mut last_prefix = last.is_some_and(|c| c.is_alphanumeric());
    let mut key = analyze::name_key(query);
    let mut key_exact = true;
    if last_prefix {
        let start = query
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_alphanumeric())
            .last()
            .map_or(0, |(i, _)| i);
        let tail = &query[start..];
        if analyze::tokens(tail).is_empty() {
            // A stop word or a single letter being typed: it starts the next word of the name.
            let lower = analyze::lower(tail);
            let head = key.unwrap_or_else(|| "_".to_string());
            key = Some(head + &lower).filter(|k| k.chars().count() >= 4);
            key_exact = false;
            // Kept when it is all that was typed or follows real words ("the of" stays empty).
            let alone = !query[..start].chars().any(char::is_alphanumeric);
            let counts = alone || !words.is_empty();
            if counts && lower.chars().count() >= MIN_PREFIX && words.len() < MAX_WORDS {
                if !words.contains(&lower) {
                    words.push(lower);
                }
            } else {
                last_prefix = false;
            }
        }
    }
    let sep = last.is_some_and(|c| matches!(c, '-' | '_' | '.' | '/' | '@'));
    Parsed {
        words,
        last_prefix,
        key,
        key_prefix: last.is_some_and(|c| c.is_alphanumeric()) || sep,
        key_exact: key_exact && !sep,
    }
}

/// The engine: the root plus whatever shards, buckets and filters have been provided.
pub struct Engine {
    root: Root,
    shards: HashMap<usize, Shard>,
    vocab: HashMap<usize, Vec<(String, u32)>>,
    filters: HashMap<usize, Vec<u32>>,
    /// Per-document accumulators, kept between searches and left zeroed after each: a dense
    /// array without hashing in the inner loop, allocated once (zeroed memory, no init loop).
    scratch: RefCell<Accs>,
}

/// Every document's running score in [`Engine::score`], as columns: `vec![0; n]` asks the
/// allocator for zeroed memory (fresh wasm pages need no clearing), with no loop over `n`.
#[derive(Default)]
struct Accs {
    best: Vec<f32>,
    total: Vec<f32>,
    matched: Vec<u32>,
    /// Met by the current word (in `word_docs`).
    in_word: Vec<bool>,
    /// Met by any word (in `touched`).
    seen: Vec<bool>,
}

impl Accs {
    fn zeroed(n: usize) -> Accs {
        Accs {
            best: vec![0.0; n],
            total: vec![0.0; n],
            matched: vec![0; n],
            in_word: vec![false; n],
            seen: vec![false; n],
        }
    }
}

/// One way a query word matches: a term and the weight of that match.
#[derive(Debug, Clone)]
struct Variant {
    term: String,
    weight: f32,
}

impl Engine {
    pub fn new(root: &[u8]) -> Result<Engine, FormatError> {
        Ok(Engine {
            root: Root::decode(root)?,
            shards: HashMap::new(),
            vocab: HashMap::new(),
            filters: HashMap::new(),
            scratch: RefCell::new(Accs::default()),
        })
    }

    pub fn root(&self) -> &Root {
        &self.root
    }

    /// Hands over the bytes of `file` (a path named by [`Step::Need`]).
    pub fn provide(&mut self, file: &str, bytes: &[u8]) -> Result<(), FormatError> {
        if let Some(i) = self.root.shards.iter().position(|s| s.file == file) {
            self.shards.insert(i, Shard::decode(bytes)?);
        } else if let Some(i) = self.root.vocab.iter().position(|v| v.file == file) {
            self.vocab.insert(i, decode_vocab(bytes)?);
        } else if let Some(i) = self.root.filters.iter().position(|f| f.file == file) {
            let docs = decode_docset(bytes)?;
            if docs.iter().any(|&d| d >= self.root.docs) {
                return Err(FormatError("filter names a document out of range".into()));
            }
            self.filters.insert(i, docs);
        } else {
            return Err(FormatError(format!("unknown file {file}")));
        }
        Ok(())
    }

    /// Files currently loaded (for memory-bounded callers and tests).
    pub fn loaded(&self) -> usize {
        self.shards.len() + self.vocab.len() + self.filters.len()
    }

    /// One search step. `filters` are `(key, value)` pairs (values of one key are OR-ed, keys
    /// AND-ed); an unknown filter value matches nothing.
    pub fn search(&self, query: &str, filters: &[(String, String)], limit: usize) -> Step {
        let parsed = parse(query);
        let mut need: BTreeSet<String> = BTreeSet::new();
        // Filters first: they are needed whatever the words.
        let mut filter_sets: Vec<Vec<usize>> = Vec::new();
        let mut keys: Vec<&str> = Vec::new();
        for (k, _) in filters {
            if !keys.contains(&k.as_str()) {
                keys.push(k);
            }
        }
        for key in keys {
            let ids: Vec<usize> = filters
                .iter()
                .filter(|(k, _)| k == key)
                .filter_map(|(_, v)| {
                    self.root
                        .filters
                        .iter()
                        .position(|f| f.key == key && &f.value == v)
                })
                .collect();
            for &i in &ids {
                if !self.filters.contains_key(&i) {
                    need.insert(self.root.filters[i].file.clone());
                }
            }
            filter_sets.push(ids);
        }
        if parsed.words.is_empty() || self.root.shards.is_empty() {
            return if need.is_empty() {
                Step::Done(Vec::new())
            } else {
                Step::Need(need.into_iter().collect())
            };
        }
        // Exact terms (and prefix ranges) need their shards.
        let n = parsed.words.len();
        for (wi, w) in parsed.words.iter().enumerate() {
            if let Some(s) = self.root.shard_for(w) {
                self.want_shard(s, &mut need);
            }
            if wi + 1 == n && parsed.last_prefix && w.chars().count() >= MIN_PREFIX {
                for s in self.root.shards_for_prefix(w).take(MAX_PREFIX_SHARDS) {
                    self.want_shard(s, &mut need);
                }
            }
        }
        if let Some(key) = &parsed.key {
            if let Some(s) = self.root.shard_for(key) {
                self.want_shard(s, &mut need);
            }
            if parsed.key_prefix {
                for s in self.root.shards_for_prefix(key).take(MAX_PREFIX_SHARDS) {
                    self.want_shard(s, &mut need);
                }
            }
        }
        if !need.is_empty() {
            return Step::Need(need.into_iter().collect());
        }
        // Build each word's variants; typo correction may need buckets, then more shards.
        let mut variants: Vec<Vec<Variant>> = Vec::with_capacity(n);
        let mut weak = vec![false; n];
        // Each unknown word's closest correction, for the corrected whole-name key.
        let mut fixed: Vec<(String, String)> = Vec::new();
        let mut buckets_missing = false;
        let exact_name = parsed.key_exact && parsed.key.as_ref().is_some_and(|k| self.df(k) > 0);
        for (wi, w) in parsed.words.iter().enumerate() {
            let is_last_prefix = wi + 1 == n && parsed.last_prefix;
            let mut vs = Vec::new();
            let df = self.df(w);
            if df > 0 {
                vs.push(Variant {
                    term: w.clone(),
                    weight: 1.0,
                });
                if df > self.root.cap {
                    weak[wi] = true;
                }
            }
            let mut prefix_found = false;
            if is_last_prefix && w.chars().count() >= MIN_PREFIX {
                let exp = self.expansions(w, 1.0);
                prefix_found = !exp.is_empty();
                vs.extend(exp);
            }
            let edits = correction_edits(w, df, prefix_found, exact_name);
            if edits > 0 {
                if let Some(vi) = self.root.vocab_for(w) {
                    match self.vocab.get(&vi) {
                        None => {
                            need.insert(self.root.vocab[vi].file.clone());
                            buckets_missing = true;
                        }
                        Some(bucket) => {
                            for (i, (t, weight)) in
                                corrections(w, edits, df, bucket).into_iter().enumerate()
                            {
                                if i == 0 && df == 0 {
                                    fixed.push((w.clone(), t.clone()));
                                }
                                if let Some(s) = self.root.shard_for(&t) {
                                    self.want_shard(s, &mut need);
                                }
                                vs.push(Variant { term: t, weight });
                            }
                        }
                    }
                }
            }
            variants.push(vs);
        }
        // A misspelled name: the key with each unknown word corrected needs its shard.
        let key_fix = match &parsed.key {
            Some(_) if !fixed.is_empty() && !buckets_missing => corrected_key(query, &fixed),
            _ => None,
        };
        if let Some(k) = &key_fix {
            if let Some(s) = self.root.shard_for(k) {
                self.want_shard(s, &mut need);
            }
        }
        if !need.is_empty() {
            return Step::Need(need.into_iter().collect());
        }
        // A word met only through common terms (a corrected or completed "server") is weak too:
        // their postings are capped, so counting it as matched would favour the capped few.
        for (wi, vs) in variants.iter().enumerate() {
            if !vs.is_empty() && vs.iter().all(|v| self.df(&v.term) > self.root.cap) {
                weak[wi] = true;
            }
        }
        // The whole-name bonus: counts in the score, never in the matched words.
        if let Some(key) = &parsed.key {
            let mut vs = Vec::new();
            let exact = self.df(key) > 0;
            if exact && parsed.key_exact {
                vs.push(Variant {
                    term: key.clone(),
                    weight: NAME_BONUS_EXACT,
                });
            }
            if parsed.key_prefix {
                vs.extend(self.expansions(key, NAME_BONUS));
            }
            if vs.is_empty() && !exact {
                // No server has this name: the names one or two edits away do, or the name with
                // each unknown word corrected.
                let mut cands: Vec<(&str, u32)> = Vec::new();
                if let Some(sh) = self.root.shard_for(key).and_then(|s| self.shards.get(&s)) {
                    for i in sh.with_prefix(key_stem(key)) {
                        cands.push((sh.term(i), sh.df(i)));
                    }
                }
                if let Some(k) = &key_fix {
                    let df = self.df(k);
                    if df > 0 {
                        cands.push((k, df));
                    }
                }
                vs.extend(
                    key_corrections(key, key_fix.as_deref(), cands)
                        .into_iter()
                        .map(|(term, weight)| Variant { term, weight }),
                );
            }
            variants.push(vs);
            weak.push(false);
        }
        Step::Done(self.score(&variants, &weak, &filter_sets, limit))
    }

    /// Prefix completions of `w` (not `w` itself) in the loaded shards, weighted.
    fn expansions(&self, w: &str, scale: f32) -> Vec<Variant> {
        let mut exp: Vec<(&str, u32)> = Vec::new();
        for s in self.root.shards_for_prefix(w).take(MAX_PREFIX_SHARDS) {
            if let Some(sh) = self.shards.get(&s) {
                for i in sh.with_prefix(w) {
                    if sh.term(i) != w {
                        exp.push((sh.term(i), sh.df(i)));
                    }
                }
            }
        }
        rank_expansions(w, exp, scale)
            .into_iter()
            .map(|(term, weight)| Variant { term, weight })
            .collect()
    }

    fn want_shard(&self, s: usize, need: &mut BTreeSet<String>) {
        if !self.shards.contains_key(&s) {
            need.insert(self.root.shards[s].file.clone());
        }
    }

    /// Document frequency of an exact term (its shard must be loaded; 0 if not).
    fn df(&self, term: &str) -> u32 {
        self.root
            .shard_for(term)
            .and_then(|s| self.shards.get(&s))
            .and_then(|sh| sh.find(term).map(|i| sh.df(i)))
            .unwrap_or(0)
    }

    fn score(
        &self,
        variants: &[Vec<Variant>],
        weak: &[bool],
        filter_sets: &[Vec<usize>],
        limit: usize,
    ) -> Vec<Hit> {
        // Dense per-document accumulators plus the lists of documents touched: no hashing in the
        // inner loop. Per word, the best variant counts.
        let n_docs = self.root.docs as usize;
        let mut scratch = self.scratch.borrow_mut();
        if scratch.total.len() != n_docs {
            *scratch = Accs::zeroed(n_docs);
        }
        let acc: &mut Accs = &mut scratch;
        let mut touched: Vec<u32> = Vec::new();
        let mut word_docs: Vec<u32> = Vec::new();
        let scale = (self.root.scale_milli.max(1) as f32) / 1000.0;
        for (wi, vs) in variants.iter().enumerate() {
            for v in vs {
                let Some(s) = self.root.shard_for(&v.term) else {
                    continue;
                };
                let Some(sh) = self.shards.get(&s) else {
                    continue;
                };
                let Some(ti) = sh.find(&v.term) else {
                    continue;
                };
                add_postings(sh, ti, scale, v.weight, acc, &mut word_docs);
            }
            end_word(acc, &word_docs, !weak[wi], &mut touched);
            word_docs.clear();
        }
        let mut hits = self.hits(&touched, acc, filter_sets);
        reset(acc, &touched);
        drop(scratch);
        let order = |a: &Hit, b: &Hit| {
            b.matched
                .cmp(&a.matched)
                .then(b.score.total_cmp(&a.score))
                .then(a.doc.cmp(&b.doc))
        };
        if hits.len() > limit && limit > 0 {
            hits.select_nth_unstable_by(limit - 1, order);
            hits.truncate(limit);
        }
        hits.sort_unstable_by(order);
        hits.truncate(limit);
        hits
    }

    /// The touched documents that pass the filters, with their totals.
    #[inline(never)]
    fn hits(&self, touched: &[u32], acc: &Accs, filter_sets: &[Vec<usize>]) -> Vec<Hit> {
        let (total, matched) = (&acc.total[..], &acc.matched[..]);
        touched
            .iter()
            .copied()
            .filter(|doc| {
                filter_sets.iter().all(|ids| {
                    ids.iter().any(|i| {
                        self.filters
                            .get(i)
                            .is_some_and(|docs| docs.binary_search(doc).is_ok())
                    })
                })
            })
            .map(|doc| Hit {
                doc,
                score: total[doc as usize],
                matched: matched[doc as usize],
            })
            .collect()
    }
}

// The loops over postings live in small functions of their own, never inlined: a browser's
// WebAssembly engine first runs baseline code and, once a function has run long enough, compiles
// it again with its optimizing compiler in the background. That compile takes time in proportion
// to the function's size; on a cold query it competed with the query for the CPU (Engine::search
// with the scoring inlined took V8 about 30 ms to optimize). Kept small, the hot loops are the
// only functions that run long enough, and they optimize in about a millisecond.

/// Adds term `ti`'s postings (impact times `scale` and `weight`) to the current word: per
/// document the best of the word's variants counts.
#[inline(never)]
fn add_postings(
    sh: &Shard,
    ti: usize,
    scale: f32,
    weight: f32,
    acc: &mut Accs,
    word_docs: &mut Vec<u32>,
) {
    // Slices, not Vecs: indexing a Vec is a call in a size-optimized module.
    let best = &mut acc.best[..];
    let in_word = &mut acc.in_word[..];
    let _ = sh.for_each_posting(ti, |doc, imp| {
        let d = doc as usize;
        if d >= best.len() || d >= in_word.len() {
            return;
        }
        let x = imp as f32 / 255.0;
        let sc = x * x * scale * weight;
        if !in_word[d] {
            in_word[d] = true;
            word_docs.push(doc);
        }
        if sc > best[d] {
            best[d] = sc;
        }
    });
}

/// Folds the current word's best scores into the totals (and its match into the matched count
/// unless the word is weak), leaving the word's accumulators zeroed.
#[inline(never)]
fn end_word(acc: &mut Accs, word_docs: &[u32], counts: bool, touched: &mut Vec<u32>) {
    let Accs {
        best,
        total,
        matched,
        in_word,
        seen,
    } = acc;
    let (best, total, matched) = (&mut best[..], &mut total[..], &mut matched[..]);
    let (in_word, seen) = (&mut in_word[..], &mut seen[..]);
    for &doc in word_docs {
        let d = doc as usize;
        if !seen[d] {
            seen[d] = true;
            touched.push(doc);
        }
        if counts {
            matched[d] += 1;
        }
        total[d] += best[d];
        best[d] = 0.0;
        in_word[d] = false;
    }
}

/// Leaves the accumulators zeroed for the next search.
#[inline(never)]
fn reset(acc: &mut Accs, touched: &[u32]) {
    let (total, matched, seen) = (&mut acc.total[..], &mut acc.matched[..], &mut acc.seen[..]);
    for &doc in touched {
        let d = doc as usize;
        total[d] = 0.0;
        matched[d] = 0;
        seen[d] = false;
    }
}

/// The prefix expansions kept for `w` among `exp` (term, document frequency), with their
/// weights: the [`MAX_PREFIX_TERMS`] with most documents (then alphabetical). Shared with the CLI.
pub fn rank_expansions(w: &str, mut exp: Vec<(&str, u32)>, scale: f32) -> Vec<(String, f32)> {
    top_k(&mut exp, MAX_PREFIX_TERMS, |a, b| (b.1, a.0) < (a.1, b.0));
    let max_df = exp.first().map(|e| e.1).unwrap_or(1);
    exp.into_iter()
        .map(|(t, tdf)| (t.to_string(), scale * prefix_weight(w, t, tdf, max_df)))
        .collect()
}

/// Weight of the prefix expansion `t` (with `df` documents) of the typed `w`: longer completions
/// and rarer ones (among the word's completions, the most common has `max_df`) weigh less.
pub fn prefix_weight(w: &str, t: &str, df: u32, max_df: u32) -> f32 {
    let wl = w.chars().count() as f32;
    let tl = t.chars().count().max(1) as f32;
    let common = (1.0 + df as f32).ln() / (1.0 + max_df.max(1) as f32).ln();
    PREFIX_WEIGHT * (0.5 + 0.5 * wl / tl) * (0.6 + 0.4 * common.min(1.0))
}

/// Keeps the `k` best items of `v` in order (`better(a, b)`: a ranks before b). Selection rather
/// than a sort: `k` is small, and it keeps the wasm module small.
fn top_k<T>(v: &mut Vec<T>, k: usize, better: impl Fn(&T, &T) -> bool) {
    let n = v.len().min(k);
    for i in 0..n {
        let mut best = i;
        for j in i + 1..v.len() {
            if better(&v[j], &v[best]) {
                best = j;
            }
        }
        v.swap(i, best);
    }
    v.truncate(n);
}

/// How many edits typo correction allows for the query word `w` (0: none). Only a (nearly)
/// unknown word is corrected: one with at most [`RARE_DF`] documents, unless the last word's
/// prefix already found it, or the whole query is a server's exact name
/// (`exact_name`), and never a number (any 5-digit number is one edit from many others). Shared
/// with the CLI.
pub fn correction_edits(w: &str, df: u32, prefix_found: bool, exact_name: bool) -> usize {
    let rare = df == 0 || (df <= RARE_DF && !prefix_found && !exact_name);
    if !rare || w.chars().all(|c| c.is_ascii_digit()) {
        return 0;
    }
    analyze::max_edits(w.chars().count())
}

/// The part of a whole-name key its misspellings are looked for under: `_` and the first half of
/// the name (a typo in the first half is found through the corrected words instead).
pub fn key_stem(key: &str) -> &str {
    let n = key.chars().count();
    let keep = 1 + n.saturating_sub(1).div_ceil(2).max(3);
    match key.char_indices().nth(keep) {
        Some((i, _)) => &key[..i],
        None => key,
    }
}

/// The whole-name key of `query` with each word in `fixed` (word, correction) replaced by its
/// correction; None if nothing changed. Shared with the CLI.
pub fn corrected_key(query: &str, fixed: &[(String, String)]) -> Option<String> {
    let mut changed = false;
    let mut joined = String::from("_");
    for t in analyze::tokens(query) {
        match fixed.iter().find(|(w, _)| *w == t) {
            Some((_, c)) => {
                joined.push_str(c);
                changed = true;
            }
            None => joined.push_str(&t),
        }
    }
    changed.then_some(joined)
}

/// Corrections of an unknown whole-name `key` among `cands` (existing keys with their document
/// frequency): the keys within the edits its length allows, closest first, and `fixed`, the key
/// with its words corrected, as a 1-edit match; weighted as the exact-name bonus times the typo
/// weight. Shared with the CLI.
#[inline(never)]
pub fn key_corrections(
    key: &str,
    fixed: Option<&str>,
    cands: Vec<(&str, u32)>,
) -> Vec<(String, f32)> {
    let edits = analyze::max_edits(key.chars().count().saturating_sub(1));
    let mut found: Vec<(usize, u32, &str)> = cands
        .into_iter()
        .filter(|(t, _)| t.starts_with('_') && *t != key)
        .filter_map(|(t, df)| {
            if Some(t) == fixed {
                Some((1, df, t))
            } else {
                analyze::within(key, t, edits).map(|d| (d, df, t))
            }
        })
        .collect();
    // The corrected key may also be a neighbour: once, as one edit.
    found.sort_unstable();
    found.dedup_by(|a, b| a.2 == b.2);
    top_k(&mut found, MAX_KEY_FIXES, |a, b| {
        (a.0, b.1, a.2) < (b.0, a.1, b.2)
    });
    found
        .into_iter()
        .map(|(d, _, t)| (t.to_string(), NAME_BONUS_EXACT * FUZZY_WEIGHT[d.min(2)]))
        .collect()
}

/// Typo corrections of `w` in a vocabulary bucket: closest first, then most documents; only
/// terms with more documents than the word itself has. Shared with the CLI.
#[inline(never)]
pub fn corrections(w: &str, edits: usize, df: u32, bucket: &[(String, u32)]) -> Vec<(String, f32)> {
    let wl = w.chars().count();
    let mut found: Vec<(usize, u32, &str)> = bucket
        .iter()
        .filter(|(t, tdf)| *tdf > df && t != w && t.chars().count().abs_diff(wl) <= edits)
        .filter_map(|(t, tdf)| analyze::within(w, t, edits).map(|d| (d, *tdf, t.as_str())))
        .collect();
    // Closest first, then most documents, then alphabetical.
    top_k(&mut found, MAX_FUZZY_TERMS, |a, b| {
        (a.0, b.1, a.2) < (b.0, a.1, b.2)
    });
    found
        .into_iter()
        .map(|(d, _, t)| (t.to_string(), FUZZY_WEIGHT[d.min(2)]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_keeps_the_raw_prefix() {
        let p = parse("slack messag");
        assert_eq!(p.words, ["slack", "messag"]);
        assert!(p.last_prefix);
        let p = parse("slack messages ");
        assert_eq!(p.words, ["slack", "message"]);
        assert!(!p.last_prefix);
        assert!(parse("").words.is_empty());
        assert!(parse("the of").words.is_empty());
        assert_eq!(parse("to").words, ["to"]);
        let p = parse("postgres postgres");
        assert_eq!(p.words, ["postgre"]);
    }

    #[test]
    fn parse_knows_a_name_is_still_being_typed() {
        // A single letter being typed ends the word before it and starts the name's next word.
        let p = parse("local-python-b");
        assert_eq!(p.words, ["local", "python"]);
        assert!(!p.last_prefix);
        assert_eq!(p.key.as_deref(), Some("_localpythonb"));
        assert!(p.key_prefix && !p.key_exact);
        // A stop word being typed is a prefix ("to" of "tools").
        let p = parse("fast-gmail-to");
        assert_eq!(p.words, ["fast", "gmail", "to"]);
        assert!(p.last_prefix);
        assert_eq!(p.key.as_deref(), Some("_fastgmailto"));
        // A trailing separator: a longer name follows.
        let p = parse("smart-stripe-");
        assert_eq!(p.key.as_deref(), Some("_smartstripe"));
        assert!(p.key_prefix && !p.key_exact && !p.last_prefix);
        // A trailing space: the name is complete.
        let p = parse("postgres ");
        assert!(!p.key_prefix && p.key_exact);
        let p = parse("a");
        assert!(p.words.is_empty() && p.key.is_none());
    }

    #[test]
    fn misspelled_names_are_corrected_as_a_whole() {
        let fixed = vec![("youtbe".to_string(), "youtube".to_string())];
        assert_eq!(
            corrected_key("youtbe-tools", &fixed).as_deref(),
            Some("_youtubetool")
        );
        assert_eq!(corrected_key("youtube-tools", &[]), None);
        let key = "_mcpcloudshellsrver";
        assert!(key.starts_with(key_stem(key)) && key_stem(key).len() < key.len());
        let found = key_corrections(
            key,
            None,
            vec![
                ("_mcpcloudshellserver", 3),
                ("_mcpcloudshellsrver", 9),
                ("_mcpcloudshellbridge", 50),
                ("mcpcloudshellserver", 50),
            ],
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "_mcpcloudshellserver");
        assert_eq!(found[0].1, NAME_BONUS_EXACT * FUZZY_WEIGHT[1]);
        // The corrected key counts as one edit even when farther.
        let found = key_corrections(
            "_youtbetools",
            Some("_youtubetools"),
            vec![("_youtubetools", 2)],
        );
        assert_eq!(found[0].1, NAME_BONUS_EXACT * FUZZY_WEIGHT[1]);
        assert!(key_corrections("_abc", None, vec![("_abd", 1)]).is_empty());
        // A key found both as a neighbour and as the corrected key counts once, at one edit.
        let found = key_corrections(
            "_abcdefghij",
            Some("_abxdefghiy"),
            vec![
                ("_abxdefghiy", 5),
                ("_abcdefghik", 1),
                ("_abcdefghiz", 9),
                ("_abxdefghiy", 5),
            ],
        );
        let terms: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(
            terms,
            ["_abcdefghiz", "_abxdefghiy", "_abcdefghik"],
            "{found:?}"
        );
        // Degenerate input never panics.
        assert_eq!(key_stem(""), "");
        assert!(key_corrections("", None, vec![("", 1), ("_", 1)]).is_empty());
    }
}
