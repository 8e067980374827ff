//! `hisper serve`: serves a built site on 127.0.0.1 and prints its URL on stdout.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

use crate::{Global, Status};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// The built site (default `[site] output`, else `public`).
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

pub fn run(args: Args, g: &Global) -> anyhow::Result<Status> {
    let dir = args
        .dir
        .or_else(|| g.config.site.output.clone().map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("public"));
    if !dir.join("index.html").is_file() {
        anyhow::bail!(
            "{} has no index.html; run `hisper build` first",
            dir.display()
        );
    }
    let (server, url) = site::serve::bind(args.port).context("starting the server")?;
    println!("{url}");
    std::io::stdout().flush().ok();
    tracing::info!("serving {} at {url} (Ctrl-C to stop)", dir.display());
    site::serve::run(&server, &dir);
    Ok(Status::Ok)
}
