//! Enriches a dataset file in place without the `hisper` binary, for looking at results while
//! tuning: `cargo run -p hisper-enrich --example enrich_file -- data/servers.json`.

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: enrich_file SERVERS.json");
        std::process::exit(2);
    };
    let path = std::path::PathBuf::from(path);
    let mut ds = match dataset::load(&path) {
        Ok(ds) => ds,
        Err(e) => {
            eprintln!("{}: {e}", path.display());
            std::process::exit(2);
        }
    };
    let report = enrich::enrich(&mut ds, &indicatif::ProgressBar::hidden());
    if let Err(e) = dataset::save(&path, &ds) {
        eprintln!("{}: {e}", path.display());
        std::process::exit(2);
    }
    let cats = path.with_file_name("categories.json");
    if let Err(e) = dataset::write_atomic(&cats, &enrich::categories_json(&ds)) {
        eprintln!("{}: {e}", cats.display());
        std::process::exit(2);
    }
    println!("{}", serde_json::to_string(&report).unwrap_or_default());
}
