//! `cargo bench -p hisper-enrich --bench findings`: the trust rules over their labelled corpus
//! (`enrich/tests/data/findings-corpus.json`: positives modelled on published attacks, hard
//! negatives) and, as further negatives, every real tool of the bundled sample's probed servers and
//! of `enrich/tests/data/tools-labelled.json`. Prints a Markdown table of misses per rule family
//! and the false-positive rate, and writes it to `bench/findings.md`.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

fn main() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus: Value = serde_json::from_str(&std::fs::read_to_string(
        root.join("tests/data/findings-corpus.json"),
    )?)?;
    let ds = dataset::load(&root.join("../data/servers.json"))?;
    let cat = enrich::findings::Catalogue::new(&ds.servers, enrich::POPULAR_TOOL_SERVERS);
    let mut negatives: Vec<(Value, BTreeSet<String>)> = Vec::new();
    let mut sample_tools = 0;
    for s in &ds.servers {
        if let Some(p) = &s.probe {
            let own: BTreeSet<String> = p.tool_names().map(str::to_string).collect();
            sample_tools += p.tools.len();
            negatives.extend(p.tools.iter().map(|t| (t.clone(), own.clone())));
        }
    }
    let labelled: Value = serde_json::from_str(&std::fs::read_to_string(
        root.join("tests/data/tools-labelled.json"),
    )?)?;
    for s in labelled["servers"].as_array().into_iter().flatten() {
        let tools = s["tools"].as_array().cloned().unwrap_or_default();
        let own: BTreeSet<String> = tools
            .iter()
            .filter_map(|t| t["name"].as_str().map(str::to_string))
            .collect();
        negatives.extend(tools.into_iter().map(|t| (t, own.clone())));
    }
    let started = std::time::Instant::now();
    let ev = enrich::findings::evaluate(&corpus, &negatives, &cat);
    let elapsed = started.elapsed();
    let mut md = String::new();
    writeln!(md, "# Trust rules: misses and false positives\n")?;
    writeln!(
        md,
        "`cargo bench -p hisper-enrich --bench findings`. Positives: the corpus's attacks, each must raise its rule at its minimum severity. Negatives: the corpus's hard negatives, the {sample_tools} real tools of the sample's probed servers and the real tools of `tools-labelled.json`; a negative counts as a false positive when any rule raises `warning` or `danger`.\n"
    )?;
    writeln!(
        md,
        "| rule | positives | missed | miss rate | false positives |"
    )?;
    writeln!(md, "|---|---:|---:|---:|---:|")?;
    for (r, (p, m)) in &ev.per_rule {
        writeln!(
            md,
            "| {r} | {p} | {m} | {:.3} | {} |",
            *m as f64 / (*p).max(1) as f64,
            ev.fp_by_rule.get(r).copied().unwrap_or(0)
        )?;
    }
    writeln!(
        md,
        "| **all** | {} | {} | {:.3} | {} of {} negatives ({:.4}), {} danger |",
        ev.positives(),
        ev.missed(),
        ev.miss_rate(),
        ev.false_positives,
        ev.negatives,
        ev.false_positive_rate(),
        ev.false_dangers
    )?;
    writeln!(md, "\nScanned in {:.1} ms.", elapsed.as_secs_f64() * 1000.0)?;
    if !ev.misses.is_empty() || !ev.flagged.is_empty() {
        writeln!(md, "\n## Misses and false positives\n")?;
        for m in &ev.misses {
            writeln!(md, "- missed {m}")?;
        }
        for f in &ev.flagged {
            writeln!(md, "- flagged {f}")?;
        }
    }
    print!("{md}");
    dataset::write_atomic(&root.join("../bench/findings.md"), md.as_bytes())?;
    Ok(())
}
