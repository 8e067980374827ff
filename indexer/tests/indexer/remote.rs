//! Search can keep only servers reached over HTTP: a record with a Streamable HTTP or SSE
//! endpoint carries the filter `transport=remote` (besides its declared kinds) in both the browser
//! index and the tantivy index, and a stdio-only record does not.

use indexer::Searcher;
use search::DirReader;

#[test]
fn transport_remote_keeps_only_servers_with_an_http_endpoint() {
    let mut ds = dataset::synthetic::catalogue(300, 5);
    let base = ds.servers[0].clone();
    let mut add = |id: &str, remote: Option<&str>| {
        let mut s = base.clone();
        s.id = format!("github:example/{id}");
        s.name = id.into();
        s.description = Some("Forecastly weather forecasts for any city.".into());
        s.install.remotes = remote
            .map(|kind| {
                vec![dataset::Transport {
                    kind: kind.into(),
                    url: Some(format!("https://{id}.example/mcp")),
                    ..Default::default()
                }]
            })
            .unwrap_or_default();
        ds.servers.push(s);
    };
    add("forecastly-stdio", None);
    add("forecastly-http", Some("streamable-http"));
    add("forecastly-sse", Some("sse"));
    ds.normalize();
    let dir = tempfile::tempdir().unwrap();
    indexer::index(&ds, dir.path(), None).unwrap();
    let docs = indexer::prepare(&ds);
    let name = |doc: u32| docs[doc as usize].name.clone();

    let remote = vec![("transport".to_string(), "remote".to_string())];
    let mut web = DirReader::open(&dir.path().join("web")).unwrap();
    let mut w: Vec<String> = web
        .search("forecastly", &remote, 10)
        .unwrap()
        .iter()
        .map(|h| name(h.doc))
        .collect();
    w.sort();
    assert_eq!(w, ["forecastly-http", "forecastly-sse"]);
    let all = web.search("forecastly", &[], 10).unwrap();
    assert_eq!(all.len(), 3, "without the filter all three");

    let tan = Searcher::open(&dir.path().join("tantivy")).unwrap();
    let mut t: Vec<String> = tan
        .search("forecastly", &remote, 10)
        .unwrap()
        .iter()
        .map(|f| name(f.doc))
        .collect();
    t.sort();
    assert_eq!(t, ["forecastly-http", "forecastly-sse"]);
}
