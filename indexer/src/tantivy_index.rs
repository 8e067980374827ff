//! The authoritative tantivy index and the CLI's query over it.
//!
//! Text is analyzed with `search::analyze` before it reaches tantivy (fields use a whitespace
//! tokenizer over the analyzed terms), so tantivy, the browser index and queries see the same
//! terms. Every field's terms are also written, `Field::repeat()` times each, into one `all`
//! field (BM25F with one length normalization), with each document's weighted length as a column.
//! Queries run the browser engine's algorithm over tantivy's term dictionary, postings and
//! columns: per word its exact term, the last word's prefix completions, a (nearly) unknown
//! word's typo corrections, each (term, document) scored with the exported impact formula and
//! quantization (`crate::web`, constants in `hisper-scores.txt` next to the index); documents
//! matching more words first, then by score, then by popularity. So `hisper search` and the
//! search box rank alike. This module does not write the browser format.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use anyhow::Context;
use search::engine::{MAX_PREFIX_SHARDS, MIN_PREFIX, NAME_BONUS, NAME_BONUS_EXACT};
use search::format::Root;
use tantivy::collector::DocSetCollector;
use tantivy::columnar::Column;
use tantivy::postings::Postings;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field as TField, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST,
    STORED, STRING,
};
use tantivy::tokenizer::{TextAnalyzer, WhitespaceTokenizer};
use tantivy::{
    doc, DocAddress, DocSet, Index, IndexReader, ReloadPolicy, TantivyDocument, Term, TERMINATED,
};

use crate::prepare::{Doc, Field};
use crate::web::ScoreParams;

const TOKENIZER: &str = "hisper";
const ALL: &str = "all";
/// Filter keys that are fast fields.
pub const FILTER_KEYS: [&str; 7] = [
    "source",
    "kind",
    "status",
    "category",
    "transport",
    "findings",
    "feature",
];

fn schema() -> Schema {
    let mut b = Schema::builder();
    b.add_text_field("id", STRING | STORED);
    b.add_text_field("slug", STORED);
    b.add_text_field("display_name", STORED);
    b.add_text_field("display_description", STORED);
    b.add_f64_field("prior", STORED | FAST);
    b.add_f64_field("popularity", STORED | FAST);
    b.add_u64_field("doc", STORED | FAST);
    b.add_u64_field("wlen", FAST);
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(TOKENIZER)
        .set_index_option(IndexRecordOption::WithFreqs);
    for f in Field::ALL {
        b.add_text_field(
            f.as_str(),
            TextOptions::default().set_indexing_options(indexing.clone()),
        );
    }
    // What queries score: every field's terms repeated `Field::repeat()` times.
    b.add_text_field(ALL, TextOptions::default().set_indexing_options(indexing));
    for k in FILTER_KEYS {
        b.add_text_field(k, STRING | FAST | STORED);
    }
    b.build()
}

fn register(index: &Index) {
    index.tokenizers().register(
        TOKENIZER,
        TextAnalyzer::builder(WhitespaceTokenizer::default()).build(),
    );
}

fn field(schema: &Schema, name: &str) -> anyhow::Result<TField> {
    schema
        .get_field(name)
        .with_context(|| format!("the index has no field {name}: rebuild it with `hisper index`"))
}

/// Builds the tantivy index of `docs` into `dir` (which must not exist or be empty).
pub fn build(docs: &[Doc], dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let schema = schema();
    let index = Index::create_in_dir(dir, schema.clone())
        .with_context(|| format!("creating the tantivy index in {}", dir.display()))?;
    register(&index);
    let mut writer = index
        .writer_with_num_threads::<TantivyDocument>(1, 100_000_000)
        .context("opening the index writer")?;
    let f_id = field(&schema, "id")?;
    let f_slug = field(&schema, "slug")?;
    let f_dn = field(&schema, "display_name")?;
    let f_dd = field(&schema, "display_description")?;
    let f_prior = field(&schema, "prior")?;
    let f_pop = field(&schema, "popularity")?;
    let f_doc = field(&schema, "doc")?;
    let f_wlen = field(&schema, "wlen")?;
    let f_all = field(&schema, ALL)?;
    let text_fields: Vec<(Field, TField)> = Field::ALL
        .iter()
        .map(|f| Ok((*f, field(&schema, f.as_str())?)))
        .collect::<anyhow::Result<_>>()?;
    let filter_fields: BTreeMap<&str, TField> = FILTER_KEYS
        .iter()
        .map(|k| Ok((*k, field(&schema, k)?)))
        .collect::<anyhow::Result<_>>()?;
    for (i, d) in docs.iter().enumerate() {
        let mut td = doc!(
            f_id => d.id.clone(),
            f_slug => d.slug.clone(),
            f_dn => d.name.clone(),
            f_prior => d.prior as f64,
            f_pop => d.popularity as f64,
            f_doc => i as u64,
        );
        if let Some(desc) = &d.description {
            td.add_text(f_dd, desc);
        }
        let mut all = String::new();
        let mut wlen = 0u32;
        for (f, tf) in &text_fields {
            if let Some(text) = d.fields.get(f) {
                let tokens = search::analyze::tokens(text);
                for t in &tokens {
                    if f.counts_length() {
                        wlen = wlen.saturating_add(f.repeat());
                    }
                    for _ in 0..f.repeat() {
                        all.push_str(t);
                        all.push(' ');
                    }
                }
                td.add_text(*tf, tokens.join(" "));
            }
        }
        for (k, rep) in crate::web::name_key_terms(d) {
            for _ in 0..rep {
                all.push_str(k);
                all.push(' ');
            }
        }
        td.add_u64(f_wlen, wlen as u64);
        td.add_text(f_all, all);
        for (k, v) in &d.filters {
            if let Some(f) = filter_fields.get(k.as_str()) {
                td.add_text(*f, v);
            }
        }
        writer.add_document(td).context("adding a document")?;
    }
    writer.commit().context("committing the index")?;
    writer
        .wait_merging_threads()
        .context("waiting for merges")?;
    Ok(())
}

/// One CLI result.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Found {
    /// Document number (same as the browser index's).
    pub doc: u32,
    pub id: String,
    pub slug: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub score: f32,
    /// Query words it matched.
    pub matched: u32,
}

/// The scoring constants written next to the tantivy index by [`crate::index`].
pub const SCORES_FILE: &str = "hisper-scores.txt";
/// A copy of the browser index's root (its shard and vocabulary layout), next to the tantivy index.
pub const ROOT_COPY: &str = "browser-root.txt";

/// The opened tantivy index.
pub struct Searcher {
    reader: IndexReader,
    schema: Schema,
    params: ScoreParams,
    root: Root,
}

/// One segment's columns the ranking reads.
struct Columns {
    doc: Column<u64>,
    wlen: Column<u64>,
    prior: Column<f64>,
}

impl Searcher {
    pub fn open(dir: &Path) -> anyhow::Result<Searcher> {
        let index = Index::open_in_dir(dir).with_context(|| {
            format!(
                "opening the tantivy index in {} (run `hisper index` first)",
                dir.display()
            )
        })?;
        register(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .context("opening the index reader")?;
        let schema = index.schema();
        let rebuild = || {
            format!(
                "{} is incomplete: rebuild it with `hisper index`",
                dir.display()
            )
        };
        let text = std::fs::read_to_string(dir.join(SCORES_FILE)).with_context(rebuild)?;
        let params = ScoreParams::decode(&text).with_context(rebuild)?;
        let root_bytes = std::fs::read(dir.join(ROOT_COPY)).with_context(rebuild)?;
        let root = Root::decode(&root_bytes).with_context(rebuild)?;
        Ok(Searcher {
            reader,
            schema,
            params,
            root,
        })
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Ranked results. `filters` are `(key, value)`: values of one key OR-ed, keys AND-ed.
    ///
    /// The ranking is the browser engine's (`search::Engine`), computed from tantivy's term
    /// dictionary, postings and columns: per word its exact term, the last word's prefix
    /// completions, a (nearly) unknown word's typo corrections, each scored with the exported
    /// impact formula and its quantization; documents matching more words first, then by score.
    pub fn search(
        &self,
        query: &str,
        filters: &[(String, String)],
        limit: usize,
    ) -> anyhow::Result<Vec<Found>> {
        let limit = limit.max(1);
        let parsed = search::parse(query);
        if parsed.words.is_empty() || self.root.shards.is_empty() {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let all = field(&self.schema, ALL)?;
        let n = parsed.words.len();
        // Each word's variants (term, weight) and whether it is too common to count as matched.
        let mut words: Vec<(Vec<(String, f32)>, bool)> = Vec::with_capacity(n + 1);
        let mut fixed: Vec<(String, String)> = Vec::new();
        let exact_name = match (&parsed.key, parsed.key_exact) {
            (Some(k), true) => self.df(all, k)? > 0,
            _ => false,
        };
        for (wi, w) in parsed.words.iter().enumerate() {
            let is_last_prefix = wi + 1 == n && parsed.last_prefix;
            let df = self.df(all, w)?;
            let mut vs: Vec<(String, f32)> = Vec::new();
            if df > 0 {
                vs.push((w.clone(), 1.0));
            }
            let weak = df > self.params.cap;
            let mut prefix_found = false;
            if is_last_prefix && w.chars().count() >= MIN_PREFIX {
                let exp = self.expansions(all, w, 1.0)?;
                prefix_found = !exp.is_empty();
                vs.extend(exp);
            }
            let edits = search::engine::correction_edits(w, df, prefix_found, exact_name);
            if edits > 0 {
                if let Some(vi) = self.root.vocab_for(w) {
                    let bucket = self.vocab_bucket(&self.root.vocab[vi].prefix)?;
                    let found = search::engine::corrections(w, edits, df, &bucket);
                    for (i, (t, weight)) in found.into_iter().enumerate() {
                        if i == 0 && df == 0 {
                            fixed.push((w.clone(), t.clone()));
                        }
                        vs.push((t, weight));
                    }
                }
            }
            // A word met only through common terms is weak too (as in the browser engine).
            let mut all_common = !vs.is_empty();
            for (t, _) in &vs {
                if self.df(all, t)? <= self.params.cap {
                    all_common = false;
                    break;
                }
            }
            words.push((vs, weak || all_common));
        }
        // The whole-name bonus: counts in the score, never in the matched words.
        if let Some(key) = &parsed.key {
            let mut vs = Vec::new();
            let exact = self.df(all, key)? > 0;
            if exact && parsed.key_exact {
                vs.push((key.clone(), NAME_BONUS_EXACT));
            }
            if parsed.key_prefix {
                vs.extend(self.expansions(all, key, NAME_BONUS)?);
            }
            if vs.is_empty() && !exact {
                // As the browser engine: keys near it in its own shard, and the corrected key.
                let key_fix = search::engine::corrected_key(query, &fixed);
                let shard = self.root.shard_for(key);
                let near = self.expand(&[all], search::engine::key_stem(key), |t| {
                    self.root.shard_for(t) == shard
                })?;
                let mut cands: Vec<(&str, u32)> = near
                    .iter()
                    .map(|(t, df)| (t.as_str(), u32::try_from(*df).unwrap_or(u32::MAX)))
                    .collect();
                let fix_df = match &key_fix {
                    Some(k) => self.df(all, k)?,
                    None => 0,
                };
                if let (Some(k), true) = (&key_fix, fix_df > 0) {
                    cands.push((k, fix_df));
                }
                vs.extend(search::engine::key_corrections(
                    key,
                    key_fix.as_deref(),
                    cands,
                ));
            }
            words.push((vs, false));
        }
        let allowed = self.allowed(filters)?;
        let columns: Vec<Columns> = searcher
            .segment_readers()
            .iter()
            .map(|seg| {
                let ff = seg.fast_fields();
                Ok(Columns {
                    doc: ff.u64("doc")?,
                    wlen: ff.u64("wlen")?,
                    prior: ff.f64("prior")?,
                })
            })
            .collect::<tantivy::Result<_>>()?;
        // document number -> (matched words, score, address); per word the best variant counts.
        let mut acc: HashMap<u32, (u32, f32, DocAddress)> = HashMap::new();
        for (vs, weak) in &words {
            let mut best: HashMap<u32, (f32, DocAddress)> = HashMap::new();
            for (term, weight) in vs {
                for (doc, imp, addr) in self.postings(&searcher, &columns, all, term)? {
                    let sc = self.params.dequantize(imp) * weight;
                    let e = best.entry(doc).or_insert((0.0, addr));
                    if sc > e.0 {
                        e.0 = sc;
                    }
                }
            }
            for (doc, (sc, addr)) in best {
                let e = acc.entry(doc).or_insert((0, 0.0, addr));
                if !weak {
                    e.0 += 1;
                }
                e.1 += sc;
            }
        }
        let mut hits: Vec<(u32, u32, f32, DocAddress)> = acc
            .into_iter()
            .filter(|(_, (_, _, addr))| allowed.as_ref().is_none_or(|a| a.contains(addr)))
            .map(|(doc, (m, sc, addr))| (doc, m, sc, addr))
            .collect();
        hits.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(b.2.total_cmp(&a.2)).then(a.0.cmp(&b.0)));
        hits.truncate(limit);
        let f_id = field(&self.schema, "id")?;
        let f_slug = field(&self.schema, "slug")?;
        let f_dn = field(&self.schema, "display_name")?;
        let f_dd = field(&self.schema, "display_description")?;
        let mut out = Vec::with_capacity(hits.len());
        for (doc, matched, score, addr) in hits {
            let d: TantivyDocument = searcher.doc(addr).context("reading a document")?;
            let get = |f: TField| {
                d.get_first(f)
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            };
            let desc = get(f_dd);
            out.push(Found {
                doc,
                id: get(f_id),
                slug: get(f_slug),
                name: get(f_dn),
                description: (!desc.is_empty()).then_some(desc),
                score,
                matched,
            });
        }
        Ok(out)
    }

    /// Document frequency of `term` in the scored field.
    fn df(&self, all: TField, term: &str) -> anyhow::Result<u32> {
        let n = self
            .reader
            .searcher()
            .doc_freq(&Term::from_field_text(all, term))?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// Prefix completions of `w` (not `w`) within the terms the browser sees for it (the shards
    /// holding `w` and the next one), ranked and weighted like the browser engine does.
    fn expansions(&self, all: TField, w: &str, scale: f32) -> anyhow::Result<Vec<(String, f32)>> {
        let shards: Vec<usize> = self
            .root
            .shards_for_prefix(w)
            .take(MAX_PREFIX_SHARDS)
            .collect();
        let found = self.expand(&[all], w, |t| {
            t != w && self.root.shard_for(t).is_some_and(|s| shards.contains(&s))
        })?;
        let exp: Vec<(&str, u32)> = found
            .iter()
            .map(|(t, df)| (t.as_str(), u32::try_from(*df).unwrap_or(u32::MAX)))
            .collect();
        Ok(search::engine::rank_expansions(w, exp, scale))
    }

    /// The typo vocabulary bucket of `prefix`, as exported: terms starting with it (and with no
    /// longer bucket prefix) that are name-like or in 2+ documents.
    fn vocab_bucket(&self, prefix: &str) -> anyhow::Result<Vec<(String, u32)>> {
        let all = field(&self.schema, ALL)?;
        let longer: Vec<&str> = self
            .root
            .vocab
            .iter()
            .map(|v| v.prefix.as_str())
            .filter(|p| p.len() > prefix.len() && p.starts_with(prefix))
            .collect();
        // A term's bucket is the longest bucket prefix it starts with.
        let found = self.expand(&[all], prefix, |t| !longer.iter().any(|p| t.starts_with(p)))?;
        let searcher = self.reader.searcher();
        let name_fields: Vec<TField> = Field::ALL
            .iter()
            .filter(|f| f.name_like())
            .map(|f| field(&self.schema, f.as_str()))
            .collect::<anyhow::Result<_>>()?;
        let mut out = Vec::new();
        for (t, df) in found {
            let df = u32::try_from(df).unwrap_or(u32::MAX);
            let name_like = || -> anyhow::Result<bool> {
                for f in &name_fields {
                    if searcher.doc_freq(&Term::from_field_text(*f, &t))? > 0 {
                        return Ok(true);
                    }
                }
                Ok(false)
            };
            if crate::web::in_vocab(&t, df, df >= 2 || name_like()?) {
                out.push((t, df));
            }
        }
        Ok(out)
    }

    /// The postings of `term` as the browser index holds them: (document number, impact byte,
    /// address), capped like the export.
    fn postings(
        &self,
        searcher: &tantivy::Searcher,
        columns: &[Columns],
        all: TField,
        term: &str,
    ) -> anyhow::Result<Vec<(u32, u8, DocAddress)>> {
        let t = Term::from_field_text(all, term);
        let df = u32::try_from(searcher.doc_freq(&t)?).unwrap_or(u32::MAX);
        let idf = crate::web::idf(df, self.params.docs);
        let mut out: Vec<(u32, u8, DocAddress)> = Vec::new();
        for (ord, seg) in searcher.segment_readers().iter().enumerate() {
            let Some(mut p) = seg
                .inverted_index(all)?
                .read_postings(&t, IndexRecordOption::WithFreqs)?
            else {
                continue;
            };
            let cols = &columns[ord];
            while p.doc() != TERMINATED {
                let d = p.doc();
                let wlen = cols.wlen.first(d).unwrap_or(0) as u32;
                let prior = cols.prior.first(d).unwrap_or(1.0) as f32;
                let docno = cols.doc.first(d).unwrap_or(0) as u32;
                let s = crate::web::impact(p.term_freq(), wlen, self.params.avg, idf, prior);
                out.push((
                    docno,
                    crate::web::quantize(s, self.params.scale_milli),
                    DocAddress::new(ord as u32, d),
                ));
                p.advance();
            }
        }
        let cap = self.params.cap as usize;
        if out.len() > cap {
            out.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            out.truncate(cap);
        }
        Ok(out)
    }

    /// The documents passing `filters` (None: no filter).
    fn allowed(&self, filters: &[(String, String)]) -> anyhow::Result<Option<HashSet<DocAddress>>> {
        let Some(q) = self.filter_query(filters)? else {
            return Ok(None);
        };
        let set = self
            .reader
            .searcher()
            .search(&*q, &DocSetCollector)
            .context("filtering")?;
        Ok(Some(set))
    }

    /// Terms starting with `prefix` in any text field that pass `keep`, with their largest df.
    fn expand(
        &self,
        fields: &[TField],
        prefix: &str,
        keep: impl Fn(&str) -> bool,
    ) -> anyhow::Result<BTreeMap<String, u64>> {
        let searcher = self.reader.searcher();
        let mut out: BTreeMap<String, u64> = BTreeMap::new();
        let mut upper = prefix.as_bytes().to_vec();
        upper.push(0xff);
        for seg in searcher.segment_readers() {
            for f in fields {
                let inv = seg.inverted_index(*f)?;
                let mut stream = inv
                    .terms()
                    .range()
                    .ge(prefix.as_bytes())
                    .lt(&upper)
                    .into_stream()?;
                while stream.advance() {
                    let Ok(t) = std::str::from_utf8(stream.key()) else {
                        continue;
                    };
                    if !keep(t) {
                        continue;
                    }
                    let df = stream.value().doc_freq as u64;
                    let e = out.entry(t.to_string()).or_insert(0);
                    *e = (*e).max(df);
                }
            }
        }
        Ok(out)
    }

    fn filter_query(&self, filters: &[(String, String)]) -> anyhow::Result<Option<Box<dyn Query>>> {
        if filters.is_empty() {
            return Ok(None);
        }
        let mut by_key: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (k, v) in filters {
            if !FILTER_KEYS.contains(&k.as_str()) {
                anyhow::bail!(
                    "unknown filter key {k:?} (known: {})",
                    FILTER_KEYS.join(", ")
                );
            }
            by_key.entry(k).or_default().push(v);
        }
        let mut musts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (k, vs) in by_key {
            let f = field(&self.schema, k)?;
            let shoulds: Vec<(Occur, Box<dyn Query>)> = vs
                .into_iter()
                .map(|v| {
                    let q: Box<dyn Query> = Box::new(TermQuery::new(
                        Term::from_field_text(f, v),
                        IndexRecordOption::Basic,
                    ));
                    (Occur::Should, q)
                })
                .collect();
            musts.push((Occur::Must, Box::new(BooleanQuery::new(shoulds))));
        }
        Ok(Some(Box::new(BooleanQuery::new(musts))))
    }
}
