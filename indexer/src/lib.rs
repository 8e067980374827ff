//! The indexer: builds the tantivy index and exports the sharded browser index.
