//! The search engine over the sharded browser index, shared by native tests and the wasm build.
