//! The engine's cold path allocates per file and per query, never per term or per posting:
//! building an error value eagerly (`ok_or(FormatError(..))`) once made every posting allocate,
//! 14,576 allocations for one query at 100k servers.
//!
//! The global allocator below is the whole test binary's (every test of `main.rs` allocates
//! through it), but it counts per thread: libtest runs each test on a thread of its own, and a
//! measured closure runs synchronously on the test's thread, so the tests running in parallel
//! (the property tests of [`crate::fuzz`]) never add to what a measurement here counts.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use search::format::{encode_shard, Root, ShardRef, TermEntry};
use search::{Engine, Step};

struct Counting;

thread_local! {
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; the counter is a const-initialized thread local.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        COUNT.with(|c| c.set(c.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        COUNT.with(|c| c.set(c.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn allocations<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = COUNT.with(Cell::get);
    let out = f();
    (out, COUNT.with(Cell::get) - before)
}

#[test]
fn a_query_allocates_per_file_not_per_term_or_posting() {
    const DOCS: u32 = 20_000;
    // One shard: 2,001 terms, one of them ("postgres") in every document.
    let mut terms: Vec<TermEntry> = (0..2000)
        .map(|i| TermEntry {
            term: format!("term{i:05}"),
            df: 1,
            postings: vec![(i, 100)],
        })
        .collect();
    // The term as the analyzer writes it.
    let word = search::analyze::tokens("postgres").remove(0);
    terms.push(TermEntry {
        term: word,
        df: DOCS,
        postings: (0..DOCS).map(|d| (d, (d % 250) as u8 + 1)).collect(),
    });
    terms.sort_by(|a, b| a.term.cmp(&b.term));
    let shard = encode_shard(&terms);
    let root = Root {
        docs: DOCS,
        build: "t".into(),
        scale_milli: 1000,
        cap: DOCS,
        shards: vec![ShardRef {
            first: String::new(),
            file: "s/0.bin".into(),
        }],
        vocab: Vec::new(),
        filters: Vec::new(),
    }
    .encode();

    let mut e = Engine::new(root.as_bytes()).unwrap();
    let Step::Need(files) = e.search("postgres ", &[], 10) else {
        panic!("the shard is needed first");
    };
    assert_eq!(files, ["s/0.bin"]);
    let (provided, n_provide) = allocations(|| e.provide("s/0.bin", &shard));
    provided.unwrap();
    let (step, n_search) = allocations(|| e.search("postgres ", &[], 10));
    let Step::Done(hits) = step else {
        panic!("everything was provided");
    };
    // The query really ran over every posting: the best impacts (250) come first.
    assert_eq!(hits.len(), 10);
    assert_eq!(hits[0].doc, 249);
    assert!(
        n_provide < 50,
        "decoding a shard of 2,001 terms made {n_provide} allocations"
    );
    assert!(
        n_search < 100,
        "a query over 20,000 postings made {n_search} allocations"
    );
}
