//! Integration tests: the `ledger` binary in a sealed environment.

mod cache;
mod edits;
mod git;
mod merges;
mod read;
mod support;
mod sync;
