//! The prober: installs each server, runs it over stdio in a sandbox and records what it answered.
