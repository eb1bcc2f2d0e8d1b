//! The `ledger` command: parse the arguments, run, turn the result into an exit code.

mod cli;

/// Reading a large ledger makes millions of small strings on every core;
/// mimalloc serves them without contention.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
