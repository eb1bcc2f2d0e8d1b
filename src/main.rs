//! The `ledger` command: parse the arguments, run, turn the result into an exit code.

mod cli;

/// Reading a large ledger makes millions of small strings on every core;
/// jemalloc serves them faster than the system's allocator and keeps less.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
