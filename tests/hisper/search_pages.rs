//! Search without JavaScript on the built sample site (`hisper index` + `hisper build` through
//! their library calls): the indexer's prebuilt results for common searches become pages under
//! `/search/q/`, ranked as the search box ranks them, listed from the search page's no-JavaScript
//! note and in the sitemap.

use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

#[test]
fn common_searches_are_prebuilt_pages_ranked_like_the_search_box() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::copy(repo().join("data/servers.json"), data.join("servers.json")).unwrap();
    let ds = dataset::load(&data.join("servers.json")).expect("the bundled sample");
    // No wasm module: the search box's script is what makes the site searchable; place a stand-in
    // module so the site publishes its search files.
    indexer::index(&ds, &data.join("index"), Some(b"\0asm\x01\0\0\0")).unwrap();
    let common: serde_json::Value = serde_json::from_slice(
        &std::fs::read(data.join("index/web/common.json")).expect("common.json"),
    )
    .unwrap();
    let searches = common["searches"].as_array().cloned().unwrap_or_default();
    assert!(
        searches.len() >= 100,
        "{} prebuilt searches",
        searches.len()
    );
    let site = tmp.path().join("site");
    let mut opts = site::Options::new(&data, &site);
    opts.update_history = false;
    site::build(&opts, &indicatif::ProgressBar::hidden()).expect("the sample site builds");

    // Every prebuilt search is a page whose cards are the search box's ranking, in order.
    let docs = indexer::prepare(&ds);
    let mut reader = search::DirReader::open(&data.join("index/web")).unwrap();
    let slugs = dataset::slug::assign(&ds.servers);
    for name in [
        "postgres",
        "github",
        "slack",
        "browser automation",
        "team chat",
    ] {
        let entry = searches
            .iter()
            .find(|s| s["q"] == name)
            .unwrap_or_else(|| panic!("no prebuilt search {name:?}"));
        let slug = entry["slug"].as_str().unwrap();
        let html = std::fs::read_to_string(site.join("search/q").join(slug).join("index.html"))
            .unwrap_or_else(|e| panic!("search/q/{slug}/: {e}"));
        let ranked: Vec<String> = reader
            .search(name, &[], 30)
            .unwrap()
            .into_iter()
            .map(|h| slugs[&docs[h.doc as usize].id].clone())
            .collect();
        let mut at = 0;
        for s in &ranked {
            let link = format!("href=\"/servers/{s}/\"");
            let pos = html[at..]
                .find(&link)
                .unwrap_or_else(|| panic!("{name}: {s} missing or out of order"));
            at += pos + link.len();
        }
        assert!(html.contains(&format!("Results for “{name}”")), "{name}");
    }
    let postgres = std::fs::read_to_string(site.join("search/q/postgres/index.html")).unwrap();
    let first = postgres.find("href=\"/servers/").unwrap();
    let official = &slugs["npm:@modelcontextprotocol/server-postgres"];
    assert!(
        postgres[first..].starts_with(&format!("href=\"/servers/{official}/\"")),
        "the official server first"
    );
    // The index lists them; the search page's no-JavaScript note links to it; the sitemap has
    // them.
    let index = std::fs::read_to_string(site.join("search/q/index.html")).unwrap();
    assert!(index.contains("href=\"/search/q/postgres/\""));
    let search_page = std::fs::read_to_string(site.join("search/index.html")).unwrap();
    let note = &search_page[search_page.find("nojs-note").expect("the no-JS note")..];
    assert!(note.contains("href=\"/search/q/\""), "{note}");
    // A sitemap needs absolute URLs, so it is written only for a build with a base URL.
    let published = tmp.path().join("published");
    let mut opts = site::Options::new(&data, &published);
    opts.update_history = false;
    opts.base_url = Some("https://hisper.example/".into());
    site::build(&opts, &indicatif::ProgressBar::hidden()).expect("the sample site builds");
    let mut sitemaps = String::new();
    for e in std::fs::read_dir(&published).unwrap().flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        if n.starts_with("sitemap") && n.ends_with(".xml") {
            sitemaps.push_str(&std::fs::read_to_string(e.path()).unwrap());
        }
    }
    assert!(
        sitemaps.contains("<loc>https://hisper.example/search/q/postgres/</loc>"),
        "sitemap"
    );
}
