//! Regression floors on hand-labelled real data: categories of 300 real MCP packages
//! (`tests/data/categories-labelled.tsv`) and the risk of 264 real tool definitions
//! (`tests/data/tools-labelled.json`). Each test prints its per-class table (run with
//! `--nocapture` to see it) and fails when a measured number drops below its floor.

use std::collections::{BTreeMap, BTreeSet};

use dataset::{Argument, Install, Package, Risk, Server, Source, SourceEntry, Transport};
use serde_json::Value;

fn data(name: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[derive(Default, Clone, Copy)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Counts {
    fn precision(&self) -> f64 {
        if self.tp + self.fp == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fp) as f64
        }
    }
    fn recall(&self) -> f64 {
        if self.tp + self.fn_ == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fn_) as f64
        }
    }
}

struct Labelled {
    server: Server,
    labels: BTreeSet<String>,
}

fn category_set(file: &str) -> Vec<Labelled> {
    let text = data(file);
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 4, "bad row: {line}");
        let source = Source::parse(cols[0]).expect("a known source");
        let mut entry = SourceEntry::new(source, cols[1], "2026-11-22T00:00:00Z");
        entry.summary = Some(cols[3].to_string());
        let server = Server {
            id: format!("{}:{}", cols[0], cols[1]),
            name: cols[1].to_string(),
            description: Some(cols[3].to_string()),
            sources: vec![entry],
            ..Default::default()
        };
        let labels = cols[2].split(',').map(str::to_string).collect();
        out.push(Labelled { server, labels });
    }
    out
}

struct Measured {
    n: usize,
    all: Counts,
    per: BTreeMap<String, Counts>,
    /// Share of servers whose first category is one of their labels.
    top: f64,
}

fn measure(file: &str) -> Measured {
    let set = category_set(file);
    let mut per: BTreeMap<String, Counts> = BTreeMap::new();
    let mut all = Counts::default();
    let mut top_hits = 0usize;
    for l in &set {
        let cats = enrich::classify::classify(&l.server).categories;
        let first = cats[0].id.clone();
        let got: BTreeSet<String> = cats.into_iter().map(|c| c.id).collect();
        if std::env::var_os("HISPER_SHOW_MISSES").is_some() && got != l.labels {
            eprintln!("MISS {} want {:?} got {:?}", l.server.name, l.labels, got);
        }
        top_hits += usize::from(l.labels.contains(&first));
        for c in got.union(&l.labels) {
            let e = per.entry(c.clone()).or_default();
            let a = &mut all;
            match (got.contains(c), l.labels.contains(c)) {
                (true, true) => {
                    e.tp += 1;
                    a.tp += 1
                }
                (true, false) => {
                    e.fp += 1;
                    a.fp += 1
                }
                (false, true) => {
                    e.fn_ += 1;
                    a.fn_ += 1
                }
                (false, false) => {}
            }
        }
    }
    eprintln!("{file}:");
    eprintln!("| category | labelled | precision | recall |");
    for (c, k) in &per {
        eprintln!(
            "| {c} | {} | {:.2} | {:.2} |",
            k.tp + k.fn_,
            k.precision(),
            k.recall()
        );
    }
    let top = top_hits as f64 / set.len() as f64;
    eprintln!(
        "| overall (micro) | {} | {:.3} | {:.3} |  first category right: {:.3}",
        all.tp + all.fn_,
        all.precision(),
        all.recall(),
        top
    );
    Measured {
        n: set.len(),
        all,
        per,
        top,
    }
}

/// The 300-server set the taxonomy was tuned on: floors guard against regressions.
#[test]
fn category_precision_and_recall_stay_above_their_floors() {
    let m = measure("categories-labelled.tsv");
    assert!(m.n >= 300, "{} labelled servers", m.n);
    // Measured: precision 0.80, recall 0.74, first category right 0.81 (a primary and at most one
    // close secondary since the trust work: precision up from 0.71, recall down from 0.80).
    assert!(
        m.all.precision() >= 0.75,
        "precision {:.3}",
        m.all.precision()
    );
    assert!(m.all.recall() >= 0.72, "recall {:.3}", m.all.recall());
    assert!(m.top >= 0.74, "first category right {:.3}", m.top);
    // Per category, where there are enough labelled examples to measure. This set often labels
    // `devops` as a second category ("cloud-platforms,devops"), which the classifier now gives
    // only when it is nearly as strong as the first: its recall floor is lower.
    for (c, k) in &m.per {
        if k.tp + k.fn_ >= 8 && c != "other" {
            let floor = if c == "devops" { 0.3 } else { 0.5 };
            assert!(k.recall() >= floor, "{c}: recall {:.2}", k.recall());
            assert!(k.precision() >= 0.5, "{c}: precision {:.2}", k.precision());
        }
    }
}

/// 100 more servers, labelled before the last round of tuning and never tuned on: the honest
/// estimate of how the classifier does on servers it has not seen.
#[test]
fn held_out_categories_stay_above_their_floors() {
    let m = measure("categories-holdout.tsv");
    assert!(m.n >= 100, "{} held-out servers", m.n);
    assert!(
        m.all.precision() >= HOLDOUT_PRECISION,
        "precision {:.3}",
        m.all.precision()
    );
    assert!(
        m.all.recall() >= HOLDOUT_RECALL,
        "recall {:.3}",
        m.all.recall()
    );
    assert!(m.top >= HOLDOUT_TOP, "first category right {:.3}", m.top);
}

// Measured: precision 0.68, recall 0.66, first category right 0.71.
const HOLDOUT_PRECISION: f64 = 0.55;
const HOLDOUT_RECALL: f64 = 0.65;
const HOLDOUT_TOP: f64 = 0.62;

fn risk_of(s: &str) -> Risk {
    match s {
        "read_only" => Risk::ReadOnly,
        "writes" => Risk::Writes,
        "destructive" => Risk::Destructive,
        "runs_code" => Risk::RunsCode,
        other => panic!("unknown risk label {other}"),
    }
}

#[test]
fn tool_risk_labels_stay_above_their_floors() {
    let doc: Value = serde_json::from_str(&data("tools-labelled.json")).expect("valid JSON");
    let servers = doc["servers"].as_array().expect("servers");
    let mut n = 0usize;
    let mut right = 0usize;
    let mut per: BTreeMap<Risk, Counts> = BTreeMap::new();
    let (mut net_n, mut net_right) = (0usize, 0usize);
    let mut under = Vec::new();
    for s in servers {
        let env: Vec<Argument> = s["env"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|name| Argument {
                name: Some(name.to_string()),
                ..Default::default()
            })
            .collect();
        let server = Server {
            install: Install {
                packages: vec![Package {
                    registry_type: "npm".into(),
                    identifier: s["server"].as_str().unwrap_or("").into(),
                    transport: Transport::stdio(),
                    environment_variables: env,
                    ..Default::default()
                }],
                remotes: vec![],
            },
            ..Default::default()
        };
        let net = enrich::safety::server_reaches_network(&server);
        for t in s["tools"].as_array().expect("tools") {
            let want = risk_of(t["label_risk"].as_str().expect("label_risk"));
            let got = enrich::safety::assess_tool(t, net);
            n += 1;
            right += usize::from(got.risk == want);
            if got.risk < want {
                under.push(format!(
                    "{}/{}: {:?} < {:?}",
                    s["server"], t["name"], got.risk, want
                ));
            }
            for r in [
                Risk::ReadOnly,
                Risk::Writes,
                Risk::Destructive,
                Risk::RunsCode,
            ] {
                let e = per.entry(r).or_default();
                match (got.risk == r, want == r) {
                    (true, true) => e.tp += 1,
                    (true, false) => e.fp += 1,
                    (false, true) => e.fn_ += 1,
                    _ => {}
                }
            }
            if let Some(w) = t.get("label_network").and_then(Value::as_bool) {
                net_n += 1;
                net_right += usize::from(got.network == w);
                if got.network != w && std::env::var_os("HISPER_SHOW_MISSES").is_some() {
                    eprintln!(
                        "NET {}/{}: labelled {w}, got {}",
                        s["server"], t["name"], got.network
                    );
                }
            }
        }
    }
    assert!(n >= 200, "{n} labelled tools");
    eprintln!("| risk | labelled | precision | recall |");
    for (r, k) in &per {
        eprintln!(
            "| {r:?} | {} | {:.2} | {:.2} |",
            k.tp + k.fn_,
            k.precision(),
            k.recall()
        );
    }
    let acc = right as f64 / n as f64;
    let net_acc = net_right as f64 / net_n.max(1) as f64;
    eprintln!("tools: {n}, risk accuracy {acc:.3}; network accuracy {net_acc:.3} over {net_n}");
    eprintln!("rated less risky than labelled ({}):", under.len());
    for u in &under {
        eprintln!("  {u}");
    }
    assert!(acc >= RISK_ACCURACY_FLOOR, "risk accuracy {acc:.3}");
    assert!(
        net_acc >= NETWORK_ACCURACY_FLOOR,
        "network accuracy {net_acc:.3}"
    );
    // Under-rating is the dangerous error: few tools may look safer than they are.
    let under_rate = under.len() as f64 / n as f64;
    assert!(
        under_rate <= UNDER_RATE_CEILING,
        "under-rated {under_rate:.3}"
    );
    for r in [Risk::Destructive, Risk::RunsCode] {
        assert!(
            per[&r].recall() >= DANGEROUS_RECALL_FLOOR,
            "{r:?} recall {:.2}",
            per[&r].recall()
        );
    }
}

// Measured: risk accuracy 0.962, network accuracy 0.956, 2 of 264 under-rated (0.008),
// recall destructive 0.84, runs code 0.86.
const RISK_ACCURACY_FLOOR: f64 = 0.94;
const NETWORK_ACCURACY_FLOOR: f64 = 0.93;
const UNDER_RATE_CEILING: f64 = 0.02;
const DANGEROUS_RECALL_FLOOR: f64 = 0.75;

/// The five assessed levels against `tests/data/risk-levels.tsv`: real tools of the bundled
/// sample's probed servers, labelled by hand (how: `tests/data/risk-levels.md`). Read-only and
/// network are different levels here.
#[test]
fn risk_levels_agree_with_a_careful_reader() {
    use dataset::RiskLevel;
    let ds = dataset::load(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/servers.json"),
    )
    .expect("the bundled sample loads");
    let text = data("risk-levels.tsv");
    let (mut n, mut right) = (0usize, 0usize);
    let mut confusion: BTreeMap<(RiskLevel, RiskLevel), usize> = BTreeMap::new();
    let mut wrong = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 3, "bad row: {line}");
        let want = RiskLevel::parse(cols[2]).unwrap_or_else(|| panic!("bad level in {line}"));
        let s = ds
            .get(cols[0])
            .unwrap_or_else(|| panic!("{} not in the sample", cols[0]));
        let tool = s
            .probe
            .as_ref()
            .and_then(|p| p.tools.iter().find(|t| t["name"] == cols[1]))
            .unwrap_or_else(|| panic!("{}: no tool {}", cols[0], cols[1]));
        let got = enrich::safety::assess_tool(tool, enrich::safety::server_reaches_network(s))
            .level
            .expect("a level");
        n += 1;
        right += usize::from(got == want);
        *confusion.entry((want, got)).or_default() += 1;
        if got != want {
            wrong.push(format!(
                "{} {}: labelled {want:?}, assessed {got:?}",
                cols[0], cols[1]
            ));
        }
    }
    let acc = right as f64 / n as f64;
    eprintln!("| labelled \\ assessed | count |");
    for ((w, g), c) in &confusion {
        eprintln!("| {w:?} → {g:?} | {c} |");
    }
    eprintln!("risk levels: {n} tools, accuracy {acc:.3}");
    for w in &wrong {
        eprintln!("  {w}");
    }
    assert!(n >= 150, "{n} labelled tools");
    assert!(acc >= 0.9, "risk level accuracy {acc:.3}");
}

/// Categories of real records of the bundled sample (all their text: name, descriptions, keywords,
/// README, probed tools), labelled by hand (`tests/data/sample-categories.tsv`, guide in
/// `sample-categories.md`). Micro precision and recall over the label sets.
#[test]
fn sample_categories_reach_085_precision_and_recall() {
    let mut ds = dataset::load(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/servers.json"),
    )
    .expect("the bundled sample loads");
    enrich::kind::review(&mut ds.servers);
    let text = data("sample-categories.tsv");
    let mut all = Counts::default();
    let (mut n, mut top) = (0usize, 0usize);
    for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 2, "bad row: {line}");
        let s = ds
            .get(cols[0])
            .unwrap_or_else(|| panic!("{} not in the sample", cols[0]));
        let want: BTreeSet<String> = cols[1].split(',').map(str::to_string).collect();
        let cats = enrich::classify::classify(s).categories;
        let got: BTreeSet<String> = cats.iter().map(|c| c.id.clone()).collect();
        n += 1;
        top += usize::from(want.contains(&cats[0].id));
        if got != want && std::env::var_os("HISPER_SHOW_MISSES").is_some() {
            eprintln!("MISS {} want {want:?} got {got:?}", cols[0]);
        }
        all.tp += got.intersection(&want).count();
        all.fp += got.difference(&want).count();
        all.fn_ += want.difference(&got).count();
    }
    eprintln!(
        "sample categories: {n} records, precision {:.3}, recall {:.3}, first right {:.3}",
        all.precision(),
        all.recall(),
        top as f64 / n as f64
    );
    assert!(n >= 200, "{n} labelled records");
    assert!(all.precision() >= 0.85, "precision {:.3}", all.precision());
    assert!(all.recall() >= 0.85, "recall {:.3}", all.recall());
}
