//! `hisper validate FILE…`: checks dataset files and prints one located line per problem.

use std::path::PathBuf;

use crate::{Global, Status};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Dataset files to check (default: the dataset under --data).
    pub files: Vec<PathBuf>,
}

pub fn run(args: Args, g: &Global) -> anyhow::Result<Status> {
    let files = if args.files.is_empty() {
        vec![g.dataset_path()]
    } else {
        args.files
    };
    let mut bad = 0usize;
    for file in &files {
        let problems = dataset::validate::validate_file(file);
        for p in &problems {
            println!("{p}");
        }
        if problems.is_empty() {
            tracing::info!("{}: valid", file.display());
        } else {
            bad += 1;
            tracing::error!("{}: {} problem(s)", file.display(), problems.len());
        }
    }
    Ok(if bad == 0 {
        Status::Ok
    } else {
        Status::ItemFailures
    })
}
