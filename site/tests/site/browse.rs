//! Browse pages over a generated catalogue with every property a filter or a sort looks at
//! (downloads, download ranks, stars, source dates, probe outcomes, kinds, remotes, findings,
//! categories): each filter's static page lists exactly the servers it says, in each order, and
//! each order is what its label says, computed here from the dataset independently of the site.

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::{json, Value};

const N: usize = 260;

fn ts(day: &str) -> String {
    format!("{day}T03:00:00Z")
}

/// Server `i` of the catalogue: properties vary with `i` so every combination occurs.
fn server(i: usize) -> Value {
    let npm = i % 3 != 0;
    let name = if npm {
        format!("gen-mcp-{i:03}")
    } else {
        format!("py-gen-mcp-{i:03}")
    };
    let mut src = json!({
        "source": if npm { "npm" } else { "pypi" }, "identifier": name, "version": "1.0.0",
        "first_seen": ts("2026-11-22"), "last_seen": ts("2026-11-22")
    });
    // Downloads: ties on purpose (i % 7 == 0 share one count); some without any count.
    if i % 5 != 4 {
        let d = if i % 7 == 0 {
            5000
        } else {
            (i * 7919) % 90_000 + 1
        };
        src["downloads_monthly"] = json!(d);
    } else if !npm {
        src["download_rank"] = json!((i * 37) % 15_000 + 1);
    }
    if i % 4 == 1 {
        let day = dataset::time::day_string(
            dataset::time::day_number("2026-01-01").unwrap() + (i * 13 % 300) as i64,
        );
        src["updated_at"] = json!(ts(&day));
    }
    let category = ["databases", "search", "developer-tools"][i % 3];
    let mut s = json!({
        "id": format!("{}:{name}", if npm { "npm" } else { "pypi" }),
        "name": name,
        "description": format!("Server number {i} reads and writes records for the generated catalogue, with enough words that a card has to shorten this description somewhere in the middle of a sentence, and then some more words after that."),
        "kind": if i % 11 == 3 { "sdk" } else { "server" },
        "kind_confidence": "medium",
        "sources": [src],
        "install": {"packages": [{"registryType": if npm { "npm" } else { "pypi" }, "identifier": name, "version": "1.0.0", "transport": {"type": "stdio"}}]},
        "categories": [{"id": category, "score": 0.7}],
        "first_seen": ts("2026-11-22"), "last_seen": ts("2026-11-22"), "last_changed": ts("2026-11-22")
    });
    if i % 6 == 2 {
        s["repository"] = json!({"url": format!("https://github.com/gen/{name}"), "forge": "github", "owner": "gen", "name": name, "stars": (i * 31) % 700, "pushed_at": ts(&format!("2026-10-{:02}", i % 28 + 1))});
    }
    if i % 8 == 5 {
        s["install"]["remotes"] =
            json!([{"type": "streamable-http", "url": format!("https://mcp.example/{name}")}]);
    }
    let outcome = match i % 9 {
        0 | 4 => Some("ok"),
        2 => Some("crashed"),
        6 => Some("no_stdio"),
        _ => None,
    };
    if let Some(o) = outcome {
        let tools: Vec<Value> = if o == "ok" && i % 2 == 0 {
            vec![
                json!({"name": "read_record", "description": "Read one record.", "inputSchema": {"type": "object"}}),
            ]
        } else {
            vec![]
        };
        s["probe"] = json!({"outcome": o, "probed_at": ts("2026-11-22"), "sandboxed": true, "command": ["npx", name], "tools": tools});
    }
    if i % 13 == 7 {
        s["trust"] = json!({"worst": "warning", "findings": [{"rule": "hidden-instructions", "severity": "warning", "evidence": "ignore previous", "message": "The description tells the model to ignore its instructions."}]});
    }
    s
}

fn catalogue() -> Value {
    json!({
        "schema_version": 1,
        "generated_at": "2026-11-22T00:00:00Z",
        "servers": (0..N).map(server).collect::<Vec<_>>()
    })
}

struct Built {
    _dir: tempfile::TempDir,
    out: PathBuf,
    ds: dataset::Dataset,
    slugs: BTreeMap<String, String>,
}

fn built() -> &'static Built {
    static B: OnceLock<Built> = OnceLock::new();
    B.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        let mut ds: dataset::Dataset = serde_json::from_value(catalogue()).unwrap();
        ds.normalize();
        dataset::save(&data.join("servers.json"), &ds).unwrap();
        let out = dir.path().join("public");
        let mut opts = site::Options::new(&data, &out);
        opts.update_history = false;
        site::build(&opts, &indicatif::ProgressBar::hidden()).unwrap();
        let slugs = dataset::slug::assign(&ds.servers);
        Built {
            _dir: dir,
            out,
            ds,
            slugs,
        }
    })
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The server ids of a listing, in page order, following its `rel="next"` links.
fn listed(path: &str) -> Vec<String> {
    let b = built();
    let by_slug: BTreeMap<&str, &str> = b
        .slugs
        .iter()
        .map(|(id, slug)| (slug.as_str(), id.as_str()))
        .collect();
    let card = regex::Regex::new(r#"<li><div><a href="/servers/([^/"]+)/">"#).unwrap();
    let next = regex::Regex::new(r#"<a rel="next" href="/([^"]+)">"#).unwrap();
    let mut ids = Vec::new();
    let mut at = path.to_string();
    loop {
        let html = read(&b.out.join(&at).join("index.html"));
        ids.extend(
            card.captures_iter(&html)
                .map(|c| by_slug[&c[1]].to_string()),
        );
        match next.captures(&html) {
            Some(c) => at = c[1].to_string(),
            None => break,
        }
    }
    ids
}

fn downloads(s: &dataset::Server) -> u64 {
    s.sources.iter().filter_map(|e| e.downloads_monthly).sum()
}

fn popular(servers: &[&dataset::Server]) -> Vec<String> {
    let mut v = servers.to_vec();
    v.sort_by_key(|s| {
        (
            Reverse(downloads(s)),
            s.sources
                .iter()
                .filter_map(|e| e.download_rank)
                .min()
                .unwrap_or(u64::MAX),
            Reverse(s.repository.as_ref().and_then(|r| r.stars).unwrap_or(0)),
            s.name.to_lowercase(),
            s.id.clone(),
        )
    });
    v.iter().map(|s| s.id.clone()).collect()
}

fn verified(s: &dataset::Server) -> bool {
    s.probe
        .as_ref()
        .is_some_and(|p| p.outcome == dataset::Outcome::Ok)
}

/// The newest source date of a server (`updated_at` of a source, the repository's push).
fn source_date(s: &dataset::Server) -> Option<String> {
    s.sources
        .iter()
        .filter_map(|e| e.updated_at.clone())
        .chain(s.repository.as_ref().and_then(|r| r.pushed_at.clone()))
        .map(|d| d[..10].to_string())
        .max()
}

#[test]
fn most_popular_is_in_download_then_rank_then_star_order() {
    let b = built();
    let all: Vec<&dataset::Server> = b.ds.servers.iter().collect();
    let expected = popular(&all);
    assert_eq!(listed("browse/popular/"), expected);
    // The head of the order is the biggest download count, whatever the enrich score says.
    let top = &b.ds.servers.iter().find(|s| s.id == expected[0]).unwrap();
    assert_eq!(
        downloads(top),
        b.ds.servers.iter().map(downloads).max().unwrap()
    );
    // Within one source too.
    let npm: Vec<&dataset::Server> = all
        .iter()
        .copied()
        .filter(|s| s.has_source(dataset::Source::Npm))
        .collect();
    assert_eq!(listed("sources/npm/popular/"), popular(&npm));
}

#[test]
fn the_default_order_shows_verified_servers_first() {
    let b = built();
    let all: Vec<&dataset::Server> = b.ds.servers.iter().collect();
    let pop = popular(&all);
    let by_id: BTreeMap<&str, &dataset::Server> =
        b.ds.servers.iter().map(|s| (s.id.as_str(), s)).collect();
    let (mut first, rest): (Vec<String>, Vec<String>) =
        pop.into_iter().partition(|id| verified(by_id[id.as_str()]));
    let n_verified = first.len();
    assert!(n_verified > 10 && n_verified < N / 2, "{n_verified}");
    first.extend(rest);
    assert_eq!(listed("browse/"), first);
    // The default order has no second address.
    assert!(!b.out.join("browse/verified-first/index.html").exists());
}

#[test]
fn each_filter_page_lists_exactly_its_servers() {
    let b = built();
    type Pred = fn(&dataset::Server) -> bool;
    let filters: [(&str, Pred); 6] = [
        ("verified", verified),
        ("servers", |s| s.kind == dataset::Kind::Server),
        ("stdio", |s| {
            s.install
                .packages
                .iter()
                .any(|p| p.transport.kind == "stdio")
                && s.probe
                    .as_ref()
                    .is_none_or(|p| p.outcome != dataset::Outcome::NoStdio)
        }),
        ("remote", |s| !s.install.remotes.is_empty()),
        ("tools", |s| {
            s.probe.as_ref().is_some_and(|p| !p.tools.is_empty())
        }),
        ("findings", |s| {
            s.trust.as_ref().is_some_and(|t| !t.findings.is_empty())
        }),
    ];
    for (seg, keep) in filters {
        let members: Vec<&dataset::Server> = b.ds.servers.iter().filter(|s| keep(s)).collect();
        assert!(!members.is_empty() && members.len() < N, "{seg}");
        // The popular order of the members; for verified servers that is the default order.
        let path = if seg == "verified" {
            "browse/verified/".to_string()
        } else {
            format!("browse/{seg}/popular/")
        };
        assert_eq!(listed(&path), popular(&members), "{path}");
        // The count on the page and on the filter chip of /browse/ agree with the members.
        let page = read(&b.out.join(format!("browse/{seg}/index.html")));
        assert!(
            page.contains(&format!("{} in total", members.len())),
            "{seg}: {}",
            members.len()
        );
        let browse = read(&b.out.join("browse/index.html"));
        let chip = regex::Regex::new(&format!(
            r#"<a class="chip" href="/browse/{seg}/">[^<]*<span class="count">(\d+)</span>"#
        ))
        .unwrap();
        let n: usize = chip
            .captures(&browse)
            .unwrap_or_else(|| panic!("{seg} chip"))[1]
            .parse()
            .unwrap();
        assert_eq!(n, members.len(), "{seg}");
        // Per source, the same filter.
        let pypi: Vec<&dataset::Server> = members
            .iter()
            .copied()
            .filter(|s| s.has_source(dataset::Source::Pypi))
            .collect();
        if !pypi.is_empty() {
            let p = if seg == "verified" {
                "sources/pypi/verified/".to_string()
            } else {
                format!("sources/pypi/{seg}/popular/")
            };
            assert_eq!(listed(&p), popular(&pypi), "{p}");
        }
    }
    // A category with the verified filter.
    let cat: Vec<&dataset::Server> =
        b.ds.servers
            .iter()
            .filter(|s| verified(s) && s.categories.iter().any(|c| c.id == "search"))
            .collect();
    assert!(!cat.is_empty());
    assert_eq!(listed("categories/search/verified/"), popular(&cat));
}

#[test]
fn recently_updated_follows_source_dates_and_cards_show_them_or_nothing() {
    let b = built();
    let all: Vec<&dataset::Server> = b.ds.servers.iter().collect();
    let pop = popular(&all);
    let by_id: BTreeMap<&str, &dataset::Server> =
        b.ds.servers.iter().map(|s| (s.id.as_str(), s)).collect();
    let mut expected = pop.clone();
    // Stable sort of the popular order by date, newest first, undated last.
    expected.sort_by_key(|id| Reverse(source_date(by_id[id.as_str()])));
    assert_eq!(listed("browse/updated/"), expected);
    let dated = all.iter().filter(|s| source_date(s).is_some()).count();
    assert!(dated > 20 && dated < N, "{dated}");
    let page = read(&b.out.join("browse/updated/index.html"));
    assert!(page.contains(&format!("{} of these have no such date", N - dated)));
    // Cards: the source date, never the crawl date (every record's last_changed is 2026-11-22).
    let page = read(&b.out.join("browse/name/index.html"));
    let start = page.find("<ul class=\"items\">").unwrap();
    let browse = &page[start..start + page[start..].find("</ul>").unwrap()];
    assert!(!browse.contains("2026-11-22"));
    let card = regex::Regex::new(r#"(?s)<li><div><a href="/servers/([^/"]+)/">.*?</li>"#).unwrap();
    let by_slug: BTreeMap<&str, &str> = b
        .slugs
        .iter()
        .map(|(id, slug)| (slug.as_str(), id.as_str()))
        .collect();
    let mut seen = 0;
    for c in card.captures_iter(browse) {
        let s = by_id[by_slug[&c[1]]];
        match source_date(s) {
            Some(d) => assert!(
                c[0].contains(&format!("updated <time datetime=\"{d}\">")),
                "{}",
                &c[0]
            ),
            None => assert!(!c[0].contains("updated"), "{}", &c[0]),
        }
        seen += 1;
    }
    assert_eq!(seen, 100);
}

#[test]
fn card_descriptions_are_cut_at_a_word_boundary() {
    let b = built();
    let html = read(&b.out.join("browse/name/index.html"));
    let desc = regex::Regex::new(r"<p>(Server number \d+ [^<]*)</p>").unwrap();
    let mut n = 0;
    for c in desc.captures_iter(&html) {
        let shown = &c[1];
        let i: usize = shown.split(' ').nth(2).unwrap().parse().unwrap();
        let full =
            b.ds.servers
                .iter()
                .find(|s| s.name.ends_with(&format!("{i:03}")))
                .unwrap();
        let full = full.description.as_deref().unwrap();
        let kept = shown
            .strip_suffix('…')
            .expect("a long description ends with an ellipsis");
        assert!(full.starts_with(kept), "{shown}");
        // The cut falls between words: the next character of the original is a space.
        assert_eq!(full[kept.len()..].chars().next(), Some(' '), "{shown}");
        n += 1;
    }
    assert!(n > 50, "{n}");
}

#[test]
fn every_filter_link_leads_to_a_page() {
    let b = built();
    let chip = regex::Regex::new(r#"<a class="chip" href="/([^"]*)">"#).unwrap();
    let mut pages = 0;
    for start in [
        "browse/",
        "browse/remote/",
        "sources/pypi/findings/",
        "categories/databases/",
        "categories/databases/verified/",
    ] {
        let html = read(&b.out.join(start).join("index.html"));
        for c in chip.captures_iter(&html) {
            assert!(
                b.out.join(&c[1]).join("index.html").is_file(),
                "{start}: {}",
                &c[1]
            );
            pages += 1;
        }
    }
    assert!(pages > 30, "{pages}");
}

#[test]
fn a_package_with_nothing_to_launch_is_not_called_no_stdio_beside_its_stdio_chip() {
    let b = built();
    let mut n = 0;
    for s in &b.ds.servers {
        if s.probe.as_ref().map(|p| p.outcome) != Some(dataset::Outcome::NoStdio) {
            continue;
        }
        let page = read(&b.out.join(format!("servers/{}/index.html", b.slugs[&s.id])));
        assert!(page.contains("stdio"), "{}: the transport chip", s.id);
        assert!(!page.contains("No stdio"), "{}", s.id);
        assert!(page.contains("Nothing to launch"), "{}", s.id);
        n += 1;
    }
    assert!(n > 5, "{n}");
    let browse = read(&b.out.join("browse/index.html"));
    assert!(!browse.contains("No stdio"));
}
