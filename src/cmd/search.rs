//! `hisper search QUERY`: ranked servers from the tantivy index (or, with `--engine web`, from the
//! browser index through the same reader the wasm module uses).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context};

use crate::{Global, Status};

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// The tantivy index.
    Tantivy,
    /// The browser index, read natively.
    Web,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The query (words are joined with spaces).
    #[arg(required = true, num_args = 1..)]
    pub query: Vec<String>,
    /// Print JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Results to show.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Keep only results with KEY=VALUE (source, category, status, kind, transport, findings =
    /// the worst finding: info, warning, danger); repeat to combine.
    #[arg(long = "filter", value_name = "KEY=VALUE")]
    pub filters: Vec<String>,
    /// Kind of record: server, sdk, framework, client, other, or all.
    #[arg(long, default_value = "all")]
    pub kind: String,
    /// Which index answers.
    #[arg(long, value_enum, default_value = "tantivy")]
    pub engine: Engine,
    /// Index directory (default: `<data>/index`).
    #[arg(long)]
    pub index: Option<PathBuf>,
}

#[derive(serde::Serialize)]
struct Row {
    rank: usize,
    id: String,
    name: String,
    slug: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    score: f32,
}

pub fn run(args: Args, g: &Global) -> anyhow::Result<Status> {
    let dir = args.index.clone().unwrap_or_else(|| g.data.join("index"));
    let query = args.query.join(" ");
    let mut filters: Vec<(String, String)> = Vec::new();
    for f in &args.filters {
        let Some((k, v)) = f.split_once('=') else {
            bail!("--filter wants KEY=VALUE, got {f:?}");
        };
        filters.push((k.trim().to_string(), v.trim().to_string()));
    }
    if args.kind != "all" {
        filters.push(("kind".into(), args.kind.clone()));
    }
    let rows: Vec<Row> = match args.engine {
        Engine::Tantivy => {
            let s = indexer::Searcher::open(&dir.join("tantivy"))?;
            s.search(&query, &filters, args.limit)?
                .into_iter()
                .enumerate()
                .map(|(i, f)| Row {
                    rank: i + 1,
                    id: f.id,
                    name: f.name,
                    slug: f.slug,
                    description: f.description,
                    score: f.score,
                })
                .collect()
        }
        Engine::Web => {
            let mut r = search::DirReader::open(&dir.join("web"))
                .context("opening the browser index (run `hisper index` first)")?;
            let hits = r.search(&query, &filters, args.limit)?;
            let mut rows = Vec::new();
            for (i, h) in hits.into_iter().enumerate() {
                let rec: serde_json::Value = serde_json::from_str(&r.record(h.doc)?)
                    .context("a result record is not JSON")?;
                let s = |k: &str| rec.get(k).and_then(|v| v.as_str()).map(str::to_string);
                rows.push(Row {
                    rank: i + 1,
                    id: s("i").unwrap_or_default(),
                    name: s("n").unwrap_or_default(),
                    slug: s("u").unwrap_or_default(),
                    description: s("d"),
                    score: h.score,
                });
            }
            rows
        }
    };
    let mut text = String::new();
    if args.json {
        text = serde_json::to_string_pretty(&rows)?;
        text.push('\n');
    } else {
        for r in &rows {
            text.push_str(&format!(
                "{:>3}. {}  ({})  {:.3}\n",
                r.rank, r.name, r.slug, r.score
            ));
            if let Some(d) = &r.description {
                text.push_str(&format!("     {d}\n"));
            }
        }
        if rows.is_empty() {
            eprintln!("no results for {query:?}");
        }
    }
    // A closed pipe (`| head`) is not an error.
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(e).context("writing results");
        }
    }
    Ok(Status::Ok)
}
