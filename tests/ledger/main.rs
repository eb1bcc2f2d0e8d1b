//! Integration tests: the `ledger` binary in a sealed environment.

mod read;
mod support;
