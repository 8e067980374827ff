//! The authoritative tantivy index and the CLI's query over it.
//!
//! Text is analyzed with `search::analyze` before it reaches tantivy (fields use a whitespace
//! tokenizer over the analyzed terms), so tantivy, the browser index and queries see the same
//! terms. Queries: per word, its exact term in every field with the field's boost, the last word
//! also as a prefix, a (nearly) unknown word also its typo corrections; documents matching every
//! word first, then the rest; the popularity prior breaks near-ties. This module does not know the
//! browser format.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use anyhow::Context;
use tantivy::collector::TopDocs;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, Occur, Query, TermQuery,
};
use tantivy::schema::{
    Field as TField, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST,
    STORED, STRING,
};
use tantivy::tokenizer::{TextAnalyzer, WhitespaceTokenizer};
use tantivy::{doc, Index, IndexReader, ReloadPolicy, TantivyDocument, Term};

use crate::prepare::{Doc, Field};

const TOKENIZER: &str = "hisper";
const ALL: &str = "all";
/// Filter keys that are fast fields.
pub const FILTER_KEYS: [&str; 5] = ["source", "kind", "status", "category", "transport"];

const MAX_PREFIX_TERMS: usize = 48;
const MAX_FUZZY_TERMS: usize = 4;

fn schema() -> Schema {
    let mut b = Schema::builder();
    b.add_text_field("id", STRING | STORED);
    b.add_text_field("slug", STORED);
    b.add_text_field("display_name", STORED);
    b.add_text_field("display_description", STORED);
    b.add_f64_field("prior", STORED | FAST);
    b.add_f64_field("popularity", STORED | FAST);
    b.add_u64_field("doc", STORED | FAST);
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
        for (f, tf) in &text_fields {
            if let Some(text) = d.fields.get(f) {
                let tokens = search::analyze::tokens(text);
                for t in &tokens {
                    for _ in 0..f.repeat() {
                        all.push_str(t);
                        all.push(' ');
                    }
                }
                td.add_text(*tf, tokens.join(" "));
            }
        }
        for (i, k) in d.name_keys.iter().enumerate() {
            let field = if i == 0 {
                Field::Name
            } else {
                Field::Description
            };
            for _ in 0..field.repeat() {
                all.push_str(k);
                all.push(' ');
            }
        }
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

/// The opened tantivy index.
pub struct Searcher {
    index: Index,
    reader: IndexReader,
    schema: Schema,
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
        Ok(Searcher {
            index,
            reader,
            schema,
        })
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Ranked results. `filters` are `(key, value)`: values of one key OR-ed, keys AND-ed.
    pub fn search(
        &self,
        query: &str,
        filters: &[(String, String)],
        limit: usize,
    ) -> anyhow::Result<Vec<Found>> {
        let _ = &self.index;
        let limit = limit.max(1);
        let parsed = search::parse(query);
        if parsed.words.is_empty() {
            return Ok(Vec::new());
        }
        let searcher = self.reader.searcher();
        let n_docs = searcher.num_docs().max(1);
        let all = field(&self.schema, ALL)?;
        let fields = [all];
        let n = parsed.words.len();
        let mut word_queries: Vec<(Box<dyn Query>, bool)> = Vec::new();
        for (wi, w) in parsed.words.iter().enumerate() {
            let last_prefix = wi + 1 == n && parsed.last_prefix;
            let df = self.df(&fields, w)?;
            let weak = df * 8 > n_docs && df > crate::web::POSTINGS_CAP as u64;
            let mut variants: Vec<(String, f32)> = Vec::new();
            if df > 0 {
                variants.push((w.clone(), 1.0));
            }
            let mut prefix_found = false;
            if last_prefix && w.chars().count() >= 2 {
                let exp = self.expand(&fields, w, |t| t.starts_with(w.as_str()) && t != w)?;
                let mut exp: Vec<(String, u64)> = exp.into_iter().collect();
                exp.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                exp.truncate(MAX_PREFIX_TERMS);
                prefix_found = !exp.is_empty();
                let max_df = exp.first().map(|e| e.1).unwrap_or(1) as u32;
                for (t, tdf) in exp {
                    let weight = search::engine::prefix_weight(w, &t, tdf as u32, max_df);
                    variants.push((t, weight));
                }
            }
            let edits = search::analyze::max_edits(w.chars().count());
            if edits > 0 && df <= search::engine::RARE_DF as u64 && !(prefix_found && df > 0) {
                let first: String = w.chars().take(1).collect();
                let wl = w.chars().count();
                let cands = self.expand(&fields, &first, |t| {
                    t != w && t.chars().count().abs_diff(wl) <= edits
                })?;
                let mut found: Vec<(usize, u64, String)> = cands
                    .into_iter()
                    .filter(|(_, tdf)| *tdf > df)
                    .filter_map(|(t, tdf)| {
                        search::analyze::within(w, &t, edits).map(|d| (d, tdf, t))
                    })
                    .collect();
                found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
                found.truncate(MAX_FUZZY_TERMS);
                for (d, _, t) in found {
                    variants.push((t, if d == 1 { 0.6 } else { 0.4 }));
                }
            }
            if variants.is_empty() {
                // An unknown word: AND mode finds nothing; OR mode ignores it.
                word_queries.push((Box::new(tantivy::query::EmptyQuery), weak));
                continue;
            }
            let disjuncts: Vec<Box<dyn Query>> = variants
                .into_iter()
                .map(|(t, weight)| -> Box<dyn Query> {
                    Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(
                            Term::from_field_text(all, &t),
                            IndexRecordOption::WithFreqs,
                        )),
                        weight,
                    ))
                })
                .collect();
            word_queries.push((Box::new(DisjunctionMaxQuery::new(disjuncts)), weak));
        }
        // The whole-name bonus: scored, never required.
        if let Some(key) = &parsed.key {
            let mut variants: Vec<(String, f32)> = Vec::new();
            if self.df(&fields, key)? > 0 {
                variants.push((key.clone(), search::engine::NAME_BONUS_EXACT));
            }
            if parsed.last_prefix {
                let exp = self.expand(&fields, key, |t| t.starts_with(key.as_str()) && t != key)?;
                let mut exp: Vec<(String, u64)> = exp.into_iter().collect();
                exp.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                exp.truncate(MAX_PREFIX_TERMS);
                let max_df = exp.first().map(|e| e.1).unwrap_or(1) as u32;
                for (t, tdf) in exp {
                    let weight = search::engine::NAME_BONUS
                        * search::engine::prefix_weight(key, &t, tdf as u32, max_df);
                    variants.push((t, weight));
                }
            }
            if !variants.is_empty() {
                let disjuncts: Vec<Box<dyn Query>> = variants
                    .into_iter()
                    .map(|(t, weight)| -> Box<dyn Query> {
                        Box::new(BoostQuery::new(
                            Box::new(TermQuery::new(
                                Term::from_field_text(all, &t),
                                IndexRecordOption::WithFreqs,
                            )),
                            weight,
                        ))
                    })
                    .collect();
                word_queries.push((Box::new(DisjunctionMaxQuery::new(disjuncts)), true));
            }
        }
        let filter_q = self.filter_query(filters)?;
        let strong = word_queries.iter().filter(|(_, weak)| !weak).count() as u32;
        let build = |all: bool| -> Box<dyn Query> {
            let clauses: Vec<(Occur, Box<dyn Query>)> = word_queries
                .iter()
                .map(|(q, weak)| {
                    let occur = if all && !weak {
                        Occur::Must
                    } else {
                        Occur::Should
                    };
                    (occur, q.box_clone())
                })
                .collect();
            let words: Box<dyn Query> = Box::new(BooleanQuery::new(clauses));
            match &filter_q {
                None => words,
                Some(f) => Box::new(BooleanQuery::new(vec![
                    (Occur::Must, words),
                    (
                        Occur::Must,
                        Box::new(ConstScoreQuery::new(f.box_clone(), 0.0)),
                    ),
                ])),
            }
        };
        let f_prior = field(&self.schema, "prior")?;
        let f_doc = field(&self.schema, "doc")?;
        let f_id = field(&self.schema, "id")?;
        let f_slug = field(&self.schema, "slug")?;
        let f_dn = field(&self.schema, "display_name")?;
        let f_dd = field(&self.schema, "display_description")?;
        let mut out: Vec<Found> = Vec::new();
        let mut seen: HashSet<u32> = HashSet::new();
        let passes: &[bool] = if strong > 0 { &[true, false] } else { &[false] };
        for &all in passes {
            let q = build(all);
            let top = searcher
                .search(&*q, &TopDocs::with_limit(limit * 3 + 20).order_by_score())
                .context("searching")?;
            let mut batch: Vec<Found> = Vec::new();
            for (score, addr) in top {
                let d: TantivyDocument = searcher.doc(addr).context("reading a document")?;
                let get = |f: TField| {
                    d.get_first(f)
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                };
                let prior = d.get_first(f_prior).and_then(|v| v.as_f64()).unwrap_or(1.0);
                let docno = d.get_first(f_doc).and_then(|v| v.as_u64()).unwrap_or(0) as u32;
                if seen.contains(&docno) {
                    continue;
                }
                let desc = get(f_dd);
                batch.push(Found {
                    doc: docno,
                    id: get(f_id),
                    slug: get(f_slug),
                    name: get(f_dn),
                    description: (!desc.is_empty()).then_some(desc),
                    score: score * prior as f32,
                    matched: if all { strong } else { 0 },
                });
            }
            batch.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.doc.cmp(&b.doc)));
            for f in batch {
                if out.len() >= limit {
                    break;
                }
                seen.insert(f.doc);
                out.push(f);
            }
            if out.len() >= limit {
                break;
            }
        }
        Ok(out)
    }

    /// Largest document frequency of `term` over the text fields.
    fn df(&self, fields: &[TField], term: &str) -> anyhow::Result<u64> {
        let searcher = self.reader.searcher();
        let mut best = 0;
        for f in fields {
            best = best.max(searcher.doc_freq(&Term::from_field_text(*f, term))?);
        }
        Ok(best)
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
