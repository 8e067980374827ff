//! wasm32 exports: a handful of `extern "C"` functions over linear memory, driven by `search.js`.
//!
//! Protocol: JS copies bytes in with `hs_alloc`, calls a function, reads the answer from
//! `hs_out_ptr`/`hs_out_len` (UTF-8 text), and frees what it allocated with `hs_free`.
//! `hs_search` returns 0 with `doc\tscore\tmatched` lines, 1 with the files to fetch (one per
//! line), or -1 with an error message. Nothing here panics on bad input.

use std::cell::RefCell;

use crate::engine::{Engine, Step};

thread_local! {
    static ENGINE: RefCell<Option<Engine>> = const { RefCell::new(None) };
    static OUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

fn set_out(s: String) {
    OUT.with(|o| *o.borrow_mut() = s.into_bytes());
}

/// # Safety
/// Called by the JS glue only, with lengths it allocated.
unsafe fn slice<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if ptr.is_null() || len == 0 {
        &[]
    } else {
        std::slice::from_raw_parts(ptr, len)
    }
}

#[no_mangle]
pub extern "C" fn hs_alloc(len: usize) -> *mut u8 {
    let mut v = Vec::<u8>::with_capacity(len.max(1));
    let p = v.as_mut_ptr();
    std::mem::forget(v);
    p
}

/// # Safety
/// `ptr`/`len` must come from `hs_alloc`.
#[no_mangle]
pub unsafe extern "C" fn hs_free(ptr: *mut u8, len: usize) {
    if !ptr.is_null() {
        drop(Vec::from_raw_parts(ptr, 0, len.max(1)));
    }
}

#[no_mangle]
pub extern "C" fn hs_out_ptr() -> *const u8 {
    OUT.with(|o| o.borrow().as_ptr())
}

#[no_mangle]
pub extern "C" fn hs_out_len() -> usize {
    OUT.with(|o| o.borrow().len())
}

/// Loads the root file. Returns 0, or -1 with the error in the output.
///
/// # Safety
/// `ptr`/`len` must describe bytes written by JS into memory from `hs_alloc`.
#[no_mangle]
pub unsafe extern "C" fn hs_init(ptr: *const u8, len: usize) -> i32 {
    match Engine::new(slice(ptr, len)) {
        Ok(e) => {
            let docs = e.root().docs;
            ENGINE.with(|g| *g.borrow_mut() = Some(e));
            set_out(docs.to_string());
            0
        }
        Err(e) => {
            set_out(e.to_string());
            -1
        }
    }
}

/// Hands over one fetched file. Returns 0, or -1 with the error in the output.
///
/// # Safety
/// As for `hs_init`.
#[no_mangle]
pub unsafe extern "C" fn hs_provide(
    name: *const u8,
    name_len: usize,
    ptr: *const u8,
    len: usize,
) -> i32 {
    let name = String::from_utf8_lossy(slice(name, name_len)).into_owned();
    let bytes = slice(ptr, len);
    ENGINE.with(|g| match g.borrow_mut().as_mut() {
        None => {
            set_out("not initialised".into());
            -1
        }
        Some(e) => match e.provide(&name, bytes) {
            Ok(()) => 0,
            Err(err) => {
                set_out(err.to_string());
                -1
            }
        },
    })
}

/// One search step. `filters` is `key=value` lines.
///
/// # Safety
/// As for `hs_init`.
#[no_mangle]
pub unsafe extern "C" fn hs_search(
    q: *const u8,
    q_len: usize,
    f: *const u8,
    f_len: usize,
    limit: usize,
) -> i32 {
    let query = String::from_utf8_lossy(slice(q, q_len)).into_owned();
    let ftext = String::from_utf8_lossy(slice(f, f_len)).into_owned();
    let filters: Vec<(String, String)> = ftext
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    ENGINE.with(|g| match g.borrow().as_ref() {
        None => {
            set_out("not initialised".into());
            -1
        }
        Some(e) => match e.search(&query, &filters, limit.min(1000)) {
            Step::Done(hits) => {
                let mut s = String::new();
                for h in hits {
                    let milli = (h.score * 1000.0) as u64;
                    s.push_str(&format!("{}\t{}\t{}\n", h.doc, milli, h.matched));
                }
                set_out(s);
                0
            }
            Step::Need(files) => {
                set_out(files.join("\n"));
                1
            }
        },
    })
}
