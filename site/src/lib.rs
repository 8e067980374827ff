//! The static site generator.
