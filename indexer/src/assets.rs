//! The search box's files next to the browser index: `search.wasm`, `search.js` and `search.css`.
//!
//! The wasm module is built from the `search` crate when this crate is compiled (`build.rs`:
//! wasm32-unknown-unknown, size-optimized, in its own target directory) and embedded here, so the
//! `index` stage ships the module built with it and runs no toolchain.
//! `HISPER_SEARCH_WASM=<file>` uses another module instead. The script and the style are embedded
//! from `search/web/`. This module does not write the index itself.

use std::path::Path;

use anyhow::{bail, Context};

/// The search box script (no framework, no external request).
pub const SEARCH_JS: &str = include_str!("../../search/web/search.js");
/// The search box style.
pub const SEARCH_CSS: &str = include_str!("../../search/web/search.css");
/// The wasm module built by `build.rs` (empty when it could not be built, see [`wasm_module`]).
pub const SEARCH_WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/search.wasm"));
/// Why `build.rs` could not build the module (empty when it did).
const BUILD_ERROR: &str = env!("HISPER_WASM_BUILD_ERROR");

/// The search box's wasm module: `HISPER_SEARCH_WASM` when set, else the embedded one.
pub fn wasm_module() -> anyhow::Result<Vec<u8>> {
    if let Ok(p) = std::env::var("HISPER_SEARCH_WASM") {
        if !p.is_empty() {
            return std::fs::read(&p).with_context(|| format!("reading HISPER_SEARCH_WASM={p}"));
        }
    }
    if SEARCH_WASM.is_empty() {
        bail!(
            "this binary was built without the search box's wasm module ({BUILD_ERROR}); install \
             the wasm32-unknown-unknown target and rebuild, set HISPER_SEARCH_WASM to a built \
             search.wasm, or index with --no-wasm"
        );
    }
    Ok(SEARCH_WASM.to_vec())
}

/// Writes `search.wasm`, `search.js` and `search.css` into `dir`.
pub fn write_assets(dir: &Path, wasm: &[u8]) -> anyhow::Result<()> {
    for (name, bytes) in [
        ("search.wasm", wasm),
        ("search.js", SEARCH_JS.as_bytes()),
        ("search.css", SEARCH_CSS.as_bytes()),
    ] {
        let p = dir.join(name);
        std::fs::write(&p, bytes).with_context(|| format!("writing {}", p.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_module_is_webassembly_exporting_the_search_entry_points() {
        assert!(
            SEARCH_WASM.starts_with(b"\0asm\x01\0\0\0"),
            "not a wasm module: {BUILD_ERROR}"
        );
        let module = wasm_module().unwrap();
        assert_eq!(module, SEARCH_WASM);
        // The export section names what search.js calls.
        let text = String::from_utf8_lossy(&module);
        for name in [
            "memory",
            "hs_alloc",
            "hs_free",
            "hs_init",
            "hs_out_len",
            "hs_out_ptr",
        ] {
            assert!(text.contains(name), "{name} is not exported");
        }
    }
}
