//! `hisper`: the command line that composes Hisper's stages.
//!
//! Each subcommand lives in `src/cmd/<stage>.rs` and is thin: it reads the dataset file, calls one
//! library crate, writes the result. Stages never call each other; they exchange files under
//! `--data`. Logs go to stderr (`HISPER_LOG` filter, `-v`, `--quiet`); stdout carries only machine
//! output. Exit codes: 0 ok, 1 finished with item failures, 2 fatal.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;
mod config;
mod progress;

/// Hisper: the registry of MCP servers people trust.
///
/// Crawls GitHub, npm, PyPI and the MCP Registry, probes each server over stdio, and publishes a
/// static, searchable site and a JSON dataset.
#[derive(Parser, Debug)]
#[command(name = "hisper", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Directory holding the dataset (servers.json) and the stages' other files.
    #[arg(long, global = true, default_value = "data", env = "HISPER_DATA")]
    pub data: PathBuf,
    /// Config file (optional; `hisper.toml` in the current directory is read when present).
    #[arg(long, global = true, env = "HISPER_CONFIG")]
    pub config: Option<PathBuf>,
    /// Only print errors (no progress bars, no info logs).
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// More logs on stderr (-v debug, -vv trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check a dataset file against the schema and its invariants.
    Validate(cmd::validate::Args),
    /// Install and probe the dataset's stdio servers; record tools, outcomes and health.
    Probe(cmd::probe::Args),
    /// Probe one server (a stdio command, or a remote URL) and print what Hisper sees.
    Inspect(cmd::inspect::Args),
    /// Export the dataset to another format (official server.json files).
    Export(cmd::export::Args),
    /// Build the tantivy index and the browser index with the search box (wasm, script, style).
    Index(cmd::index::Args),
    /// Search the index: ranked, typo-tolerant, with filters.
    Search(cmd::search::Args),
    /// Run the whole pipeline (crawl, probe, enrich, index, build), skipping unchanged stages.
    Run(cmd::run::Args),
    /// Find MCP servers on GitHub, npm, PyPI and the MCP Registry and write the dataset.
    Crawl(cmd::crawl::Args),
    /// Compute categories, ranking score, tool safety, quality checklist, similar servers and duplicates.
    Enrich(cmd::enrich::Args),
    /// Render the dataset into the static site (`public/`).
    Build(cmd::build::Args),
    /// Serve the built site on 127.0.0.1 and print its URL.
    Serve(cmd::serve::Args),
}

/// What a finished command reports, mapped to the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Everything worked: exit 0.
    Ok,
    /// Finished, but some items failed: exit 1.
    ItemFailures,
}

/// What every command gets besides its own arguments.
pub struct Global {
    pub data: PathBuf,
    pub quiet: bool,
    pub verbose: u8,
    /// The `--config` given, to pass on to sub-processes (`hisper run`).
    pub config_path: Option<PathBuf>,
    pub config: config::Config,
}

impl Global {
    /// The dataset file.
    pub fn dataset_path(&self) -> PathBuf {
        self.data.join("servers.json")
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.quiet, cli.verbose);
    let result = config::Config::load(cli.config.as_deref()).and_then(|config| {
        let global = Global {
            data: cli.data.clone(),
            quiet: cli.quiet,
            verbose: cli.verbose,
            config_path: cli.config.clone(),
            config,
        };
        run(cli.command, &global)
    });
    match result {
        Ok(Status::Ok) => ExitCode::SUCCESS,
        Ok(Status::ItemFailures) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}

fn run(command: Command, g: &Global) -> anyhow::Result<Status> {
    match command {
        Command::Validate(a) => cmd::validate::run(a, g),
        Command::Probe(a) => cmd::probe::run(a, g),
        Command::Inspect(a) => cmd::inspect::run(a, g),
        Command::Export(a) => cmd::export::run(a, g),
        Command::Index(a) => cmd::index::run(a, g),
        Command::Search(a) => cmd::search::run(a, g),
        Command::Run(a) => cmd::run::run(a, g),
        Command::Crawl(a) => cmd::crawl::run(a, g),
        Command::Build(a) => cmd::build::run(a, g),
        Command::Serve(a) => cmd::serve::run(a, g),
        Command::Enrich(a) => cmd::enrich::run(a, g),
    }
}

fn init_logging(quiet: bool, verbose: u8) {
    use tracing_subscriber::EnvFilter;
    let default = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "info",
        (false, 1) => "debug",
        (false, _) => "trace",
    };
    let filter = EnvFilter::try_from_env("HISPER_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .without_time()
        .init();
}
