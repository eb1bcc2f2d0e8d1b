//! Integration tests: the `ledger` binary in a sealed environment.

mod edits;
mod git;
mod read;
mod support;
