//! Integration tests: the `ledger` binary in a sealed environment.

mod cache;
mod edits;
mod exchange;
mod export;
mod failures;
mod fuzzed;
mod git;
mod hostile;
mod import;
mod insight;
mod layers;
mod merges;
mod network;
mod parsers;
mod read;
mod support;
mod sync;
mod sync_failures;
