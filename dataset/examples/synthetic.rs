//! Writes a synthetic catalogue (`dataset::synthetic::catalogue`) as a dataset file, for the
//! scale measurements in `docs/scaling.md` and for trying the later stages on a big catalogue:
//!
//! `cargo run --release -p hisper-dataset --example synthetic -- 100000 /tmp/big/servers.json [SEED]`

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(n), Some(out)) = (args.first(), args.get(1)) else {
        eprintln!("usage: synthetic N OUT.json [SEED]");
        std::process::exit(2);
    };
    let Ok(n) = n.parse::<usize>() else {
        eprintln!("N must be a number, not {n:?}");
        std::process::exit(2);
    };
    let seed = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(42);
    let t = std::time::Instant::now();
    let ds = dataset::synthetic::catalogue(n, seed);
    if let Err(e) = dataset::save(std::path::Path::new(out), &ds) {
        eprintln!("{out}: {e}");
        std::process::exit(2);
    }
    eprintln!("{n} servers written to {out} in {:.1?}", t.elapsed());
}
