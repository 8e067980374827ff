//! Benchmark of `hisper enrich` on synthetic catalogues (20,000 and 100,000 servers): prints a
//! table of wall time per phase-complete run and servers per second.
//!
//! Run: `cargo bench -p hisper-enrich --bench enrich` (set `HISPER_BENCH_SIZES=2000,20000` to
//! choose sizes). Targets: 20,000 servers in under 10 s on 2 cores.

use std::time::Instant;

fn main() {
    let sizes: Vec<usize> = std::env::var("HISPER_BENCH_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![2_000, 20_000, 100_000]);
    println!("| servers | generate s | enrich s | servers/s | categorized | with similar | copies | typo-squats |");
    println!("|--------:|-----------:|---------:|----------:|------------:|-------------:|-------:|------------:|");
    for n in sizes {
        let t0 = Instant::now();
        let mut ds = dataset::synthetic::catalogue(n, 42);
        let gen = t0.elapsed().as_secs_f64();
        let t1 = Instant::now();
        let r = enrich::enrich(&mut ds, &indicatif::ProgressBar::hidden());
        let secs = t1.elapsed().as_secs_f64();
        println!(
            "| {n} | {gen:.2} | {secs:.2} | {:.0} | {} | {} | {} | {} |",
            n as f64 / secs,
            r.categorized,
            r.with_similar,
            r.copies,
            r.typosquats
        );
    }
}
