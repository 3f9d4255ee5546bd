//! `gen` exactly as users run it, built inside the test package so that the CLI tests in
//! `tests/it` can start it as a process with an environment of their own (no credentials, a
//! bogus profile) without touching the environment of the other tests.

use std::process::ExitCode;

fn main() -> ExitCode {
    generator::run::main()
}
