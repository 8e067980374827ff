//! Property tests: the analyzer, the query parser and the engine never panic, whatever the query,
//! and corrupt index files are refused (or read) without panicking.

use proptest::prelude::*;
use search::analyze::{self, MAX_TERM, MAX_TERMS};
use search::format::{encode_docset, encode_shard, encode_vocab, Root, ShardRef, TermEntry};
use search::format::{FilterRef, VocabRef};
use search::{Engine, Step};

/// A small valid index in memory: (root bytes, files).
fn tiny_index() -> (Vec<u8>, Vec<(String, Vec<u8>)>) {
    let terms_a = vec![
        TermEntry {
            term: "_postgresmcp".into(),
            df: 1,
            postings: vec![(0, 250)],
        },
        TermEntry {
            term: "database".into(),
            df: 2,
            postings: vec![(0, 90), (2, 120)],
        },
        TermEntry {
            term: "github".into(),
            df: 1,
            postings: vec![(1, 255)],
        },
    ];
    let terms_b = vec![
        TermEntry {
            term: "mcp".into(),
            df: 3,
            postings: vec![(0, 10), (1, 10), (2, 10)],
        },
        TermEntry {
            term: "postgre".into(),
            df: 2,
            postings: vec![(0, 200), (2, 100)],
        },
        TermEntry {
            term: "postgresql".into(),
            df: 1,
            postings: vec![(2, 150)],
        },
    ];
    let files = vec![
        ("s/a.bin".to_string(), encode_shard(&terms_a)),
        ("s/b.bin".to_string(), encode_shard(&terms_b)),
        (
            "v/p.bin".to_string(),
            encode_vocab(&[("postgre".into(), 2), ("postgresql".into(), 1)]),
        ),
        ("v/g.bin".to_string(), encode_vocab(&[("github".into(), 1)])),
        ("f/npm.bin".to_string(), encode_docset(&[0, 2], 3)),
    ];
    let root = Root {
        docs: 3,
        build: "t".into(),
        scale_milli: 10_000,
        cap: 3000,
        shards: vec![
            ShardRef {
                first: "".into(),
                file: "s/a.bin".into(),
            },
            ShardRef {
                first: "h".into(),
                file: "s/b.bin".into(),
            },
        ],
        vocab: vec![
            VocabRef {
                prefix: "p".into(),
                file: "v/p.bin".into(),
            },
            VocabRef {
                prefix: "g".into(),
                file: "v/g.bin".into(),
            },
        ],
        filters: vec![FilterRef {
            key: "source".into(),
            value: "npm".into(),
            count: 2,
            file: "f/npm.bin".into(),
        }],
    };
    (root.encode().into_bytes(), files)
}

/// Runs a query to completion, feeding files from `files` (missing ones are skipped).
fn run(engine: &mut Engine, files: &[(String, Vec<u8>)], q: &str, f: &[(String, String)]) {
    for _ in 0..8 {
        match engine.search(q, f, 10) {
            Step::Done(hits) => {
                assert!(hits.len() <= 10);
                assert!(hits.iter().all(|h| h.doc < 3));
                return;
            }
            Step::Need(names) => {
                for n in names {
                    match files.iter().find(|(name, _)| *name == n) {
                        Some((_, b)) => {
                            let _ = engine.provide(&n, b);
                        }
                        None => return,
                    }
                }
            }
        }
    }
}

#[test]
fn the_tiny_index_answers() {
    let (root, files) = tiny_index();
    let mut e = Engine::new(&root).unwrap();
    let hits = loop {
        match e.search("postgres", &[], 10) {
            Step::Done(h) => break h,
            Step::Need(names) => {
                for n in names {
                    let b = &files.iter().find(|(x, _)| *x == n).unwrap().1;
                    e.provide(&n, b).unwrap();
                }
            }
        }
    };
    assert_eq!(hits.first().map(|h| h.doc), Some(0));
    // Typo: "githb" is one edit from "github" (5 letters allow 1).
    let mut e = Engine::new(&root).unwrap();
    run(&mut e, &files, "githb", &[]);
    match e.search("githb", &[], 10) {
        Step::Done(h) => assert_eq!(h.first().map(|h| h.doc), Some(1)),
        Step::Need(n) => panic!("still needs {n:?}"),
    }
    // A filter keeps only its documents.
    let f = vec![("source".to_string(), "npm".to_string())];
    let mut e = Engine::new(&root).unwrap();
    run(&mut e, &files, "database", &f);
    match e.search("database", &f, 10) {
        Step::Done(h) => {
            let docs: Vec<u32> = h.iter().map(|h| h.doc).collect();
            assert_eq!(docs, [2, 0]);
        }
        Step::Need(n) => panic!("still needs {n:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn analyzer_never_panics_and_bounds_terms(s in ".{0,300}") {
        let t = analyze::tokens(&s);
        prop_assert!(t.len() <= MAX_TERMS);
        for term in &t {
            prop_assert!(!term.is_empty() && term.len() <= MAX_TERM);
            prop_assert!(!term.starts_with('_'));
        }
        let p = search::parse(&s);
        prop_assert!(p.words.len() <= search::engine::MAX_WORDS);
    }

    #[test]
    fn engine_never_panics_on_any_query(q in ".{0,80}", key in "[a-z]{0,8}", value in "[a-z]{0,8}") {
        let (root, files) = tiny_index();
        let mut e = Engine::new(&root).unwrap();
        run(&mut e, &files, &q, &[(key, value)]);
    }

    #[test]
    fn corrupt_files_never_panic(
        which in 0usize..5,
        cut in 0usize..64,
        flips in proptest::collection::vec((0usize..64, any::<u8>()), 0..6),
        q in "[a-z ]{0,20}",
    ) {
        let (root, mut files) = tiny_index();
        {
            let bytes = &mut files[which].1;
            for (i, b) in flips {
                if !bytes.is_empty() {
                    let n = bytes.len();
                    bytes[i % n] ^= b;
                }
            }
            let keep = bytes.len().saturating_sub(cut % (bytes.len() + 1));
            bytes.truncate(keep);
        }
        let mut e = Engine::new(&root).unwrap();
        run(&mut e, &files, &q, &[("source".into(), "npm".into())]);
        run(&mut e, &files, "postgres github", &[]);
    }

    #[test]
    fn corrupt_roots_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = Engine::new(&bytes);
        let mut text = b"hisper-web-index 1\n".to_vec();
        text.extend_from_slice(&bytes);
        if let Ok(mut e) = Engine::new(&text) {
            run(&mut e, &[], "anything at all", &[]);
        }
    }

    #[test]
    fn a_ten_kilobyte_query_is_fine(word in "[a-zA-Z0-9_@/.-]{1,12}") {
        let q = format!("{word} ").repeat(10 * 1024 / (word.len() + 1));
        let (root, files) = tiny_index();
        let mut e = Engine::new(&root).unwrap();
        run(&mut e, &files, &q, &[]);
    }
}
