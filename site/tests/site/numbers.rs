//! Every headline number agrees with the dataset and with the other pages: each count is computed
//! here from the fixture dataset (independently of the site's code) and looked for on the pages
//! that show it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use regex::Regex;

use crate::common;

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// `1234` → `1,234`, as the pages write numbers.
fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The `<dt>label</dt><dd>value</dd>` pairs of a page's totals, tags stripped.
fn totals(html: &str) -> BTreeMap<String, String> {
    let re = Regex::new(r"(?s)<dt>([^<]+)</dt>\s*<dd>(.*?)</dd>").unwrap();
    let tags = Regex::new(r"<[^>]+>").unwrap();
    re.captures_iter(html)
        .map(|c| {
            (
                c[1].trim().to_string(),
                tags.replace_all(&c[2], "").trim().to_string(),
            )
        })
        .collect()
}

#[test]
fn headline_counts_are_the_datasets_on_every_page_that_shows_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = common::build(dir.path(), true, None);
    let ds = dataset::load(&dir.path().join("data/servers.json")).unwrap();

    let records = ds.servers.len();
    let servers = ds
        .servers
        .iter()
        .filter(|s| s.kind == dataset::Kind::Server)
        .count();
    let verified = ds
        .servers
        .iter()
        .filter(|s| {
            s.probe
                .as_ref()
                .is_some_and(|p| p.outcome == dataset::Outcome::Ok)
        })
        .count();
    let tools: usize = ds
        .servers
        .iter()
        .filter_map(|s| s.probe.as_ref())
        .map(|p| p.tools.len())
        .sum();
    let names: BTreeSet<&str> = ds
        .servers
        .iter()
        .filter_map(|s| s.probe.as_ref())
        .flat_map(|p| p.tool_names())
        .collect();
    assert!(
        tools > names.len(),
        "the fixture has a tool name two servers share"
    );

    let expected = [
        ("records", records),
        ("servers", servers),
        ("verified by probe", verified),
        ("tools", tools),
        ("distinct tool names", names.len()),
    ];
    for page in ["index.html", "stats/index.html"] {
        let t = totals(&read(&out.join(page)));
        for (label, n) in expected {
            assert_eq!(
                t.get(label),
                Some(&thousands(n)),
                "{page}: {label} in {t:?}"
            );
        }
    }
    let tools_page = read(&out.join("tools/index.html"));
    assert!(tools_page.contains(&format!("{} distinct names", thousands(names.len()))));
    assert!(tools_page.contains(&format!("{} tools in all", thousands(tools))));
    let browse = read(&out.join("browse/index.html"));
    assert!(
        browse.contains(&format!("{} in total", thousands(records))),
        "browse lists every record"
    );

    // Sources: each count shown is the number of records found there; none shows zero.
    let home = read(&out.join("index.html"));
    for src in dataset::Source::ALL {
        let n = ds.servers.iter().filter(|s| s.has_source(src)).count();
        let shown = format!("{} <b>{}</b>", src.label(), thousands(n));
        if n == 0 {
            assert!(!home.contains(&shown), "{shown} on the home page");
        } else {
            assert!(home.contains(&shown), "{shown} missing from the home page");
        }
    }
    // The sample was imported, not crawled: the home page says so and shows no crawl date.
    assert!(ds
        .crawl
        .values()
        .all(|c| c.status == dataset::CrawlStatus::Skipped));
    assert!(home.contains("imported from package listings, not crawled"));
    assert!(
        !home.to_lowercase().contains("last crawl"),
        "the footer too"
    );

    // "Last changed" only when it is a change: not the day the record was first seen.
    let slugs = dataset::slug::assign(&ds.servers);
    let mut shown = 0;
    for s in &ds.servers {
        let page = read(&out.join(format!("servers/{}/index.html", slugs[&s.id])));
        let changed = s.last_changed.get(..10) != s.first_seen.get(..10);
        assert_eq!(page.contains("<dt>Last changed</dt>"), changed, "{}", s.id);
        // No badge contradicts the transport chips: a package with nothing to launch is not
        // called "No stdio" beside its "stdio" chip.
        assert!(!page.contains("No stdio"), "{}", s.id);
        shown += changed as usize;
    }
    assert!(shown > 0 && shown < ds.servers.len());
}

#[test]
fn the_quality_box_says_what_each_component_is_out_of() {
    let dir = tempfile::tempdir().unwrap();
    let data = common::data_dir(dir.path(), false);
    let mut ds = dataset::load(&data.join("servers.json")).unwrap();
    let rich = ds
        .servers
        .iter_mut()
        .find(|s| s.id == "github:example-org/postgres-mcp")
        .unwrap();
    rich.score = Some(dataset::Score {
        total: 49.5,
        components: [
            ("popularity".to_string(), 12.5),
            ("health".to_string(), 20.0),
            ("novelty".to_string(), 1.0),
        ]
        .into_iter()
        .collect(),
        penalties: vec![],
    });
    dataset::save(&data.join("servers.json"), &ds).unwrap();
    let out = dir.path().join("public");
    site::build(
        &site::Options::new(&data, &out),
        &indicatif::ProgressBar::hidden(),
    )
    .unwrap();
    let page = read(&out.join("servers/example-postgres-mcp/index.html"));
    for (name, max, what) in dataset::SCORE_COMPONENTS.iter().take(2) {
        let v = if *name == "popularity" {
            "12.5"
        } else {
            "20.0"
        };
        assert!(
            page.contains(&format!("<dt>{name}</dt><dd><b>{v}</b> / {max:.0} <span class=\"muted\">· {what}</span></dd>")),
            "{name} out of {max}"
        );
    }
    // A component the site does not know is shown without a made-up maximum.
    assert!(page.contains("<dt>novelty</dt><dd><b>1.0</b></dd>"));
}
