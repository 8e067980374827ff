//! `hisper export --format server-json --out DIR`: writes one official server.json per server.

use std::path::PathBuf;

use anyhow::Context;
use dataset::export::{check_server_json, to_server_json};

use crate::{Global, Status};

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum Format {
    /// The official MCP server.json (2025-12-11), one file per server.
    ServerJson,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(long, value_enum, default_value = "server-json")]
    pub format: Format,
    /// Output directory.
    #[arg(long, default_value = "public/server-json")]
    pub out: PathBuf,
}

pub fn run(args: Args, g: &Global) -> anyhow::Result<Status> {
    let path = g.dataset_path();
    let ds = dataset::load(&path)?;
    let slugs = dataset::slug::assign(&ds.servers);
    let mut failures = 0usize;
    match args.format {
        Format::ServerJson => {
            for s in &ds.servers {
                let v = to_server_json(s);
                let errs = check_server_json(&v);
                if !errs.is_empty() {
                    failures += 1;
                    tracing::warn!(
                        "{}: exported server.json breaks rules: {}",
                        s.id,
                        errs.join("; ")
                    );
                }
                let mut bytes = serde_json::to_vec_pretty(&v)?;
                bytes.push(b'\n');
                let file = args.out.join(format!("{}.json", slugs[&s.id]));
                dataset::write_atomic(&file, &bytes)
                    .with_context(|| format!("writing {}", file.display()))?;
            }
        }
    }
    println!("{}", args.out.display());
    tracing::info!(
        "wrote {} server.json files to {}",
        ds.servers.len(),
        args.out.display()
    );
    Ok(if failures == 0 {
        Status::Ok
    } else {
        Status::ItemFailures
    })
}
