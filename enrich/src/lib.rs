//! Enrichment computed from the dataset alone.
