//! Integration tests: the `ledger` binary in a sealed environment.

mod git;
mod read;
mod support;
