//! One module per subcommand; each has `Args` (clap derive) and `run(args, &Global)`.

pub mod build;
pub mod crawl;
pub mod enrich;
pub mod export;
pub mod index;
pub mod inspect;
pub mod probe;
pub mod run;
pub mod search;
pub mod serve;
pub mod validate;
