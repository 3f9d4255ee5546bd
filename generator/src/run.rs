//! The whole `gen` process behind `main`: logging and verbosity, one dispatch per command, and
//! the exit code. A library function so that tests run the binary exactly as users do.

use std::process::ExitCode;

use clap::Parser as _;

use crate::cli::{Cli, Command, OutputFormat};
use crate::commands::{self, ExitStatus};
use crate::printer::Printer;

/// `gen` with the process's arguments.
pub fn main() -> ExitCode {
    run(Cli::parse())
}

/// Runs one parsed command line to its exit code.
pub fn run(mut cli: Cli) -> ExitCode {
    let logging = std::env::var_os("RUST_LOG").is_some_and(|filter| !filter.is_empty());
    if logging {
        // The SDK's own logs, for a bug report; a second subscriber is not an error worth
        // stopping for.
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .try_init();
    }
    crate::aws::context::set_verbose(cli.global.verbose || logging);
    if let Command::Dev(args) = &mut cli.command {
        args.verbose = cli.global.verbose;
    }
    let printer = Printer::new(cli.global.output == OutputFormat::Json);
    let result = match &cli.command {
        Command::Validate(args) => commands::validate::run(args, &printer),
        Command::Schema(args) => commands::schema::run(args, &printer),
        Command::Synth(args) => commands::synth::run(args, &printer),
        Command::Check(args) => commands::check::run(args, &printer),
        Command::Diff(args) => commands::diff::run(args, &cli.global, &printer),
        Command::Cost(args) => commands::cost::run(args, &cli.global, &printer),
        Command::Graph(args) => commands::graph::run(args, &printer),
        Command::Dev(args) => commands::dev::run(args, &printer),
        Command::Send(args) => commands::send::run(args, &printer),
        Command::Status(args) => commands::status::run(args, &printer),
        Command::Ls(args) => commands::stages::ls(args, &cli.global, &printer),
        Command::Destroy(args) => commands::stages::destroy(args, &cli.global, &printer),
        Command::Gc(args) => commands::stages::gc(args, &cli.global, &printer),
        Command::Deploy(args) => commands::deploy::run(args, &cli.global, &printer),
        Command::Bootstrap(args) => commands::bootstrap::run(args, &cli.global, &printer),
        Command::Doctor(args) => commands::doctor::run(args, &cli.global, &printer),
    };
    match result {
        Ok(status) => status.into(),
        Err(error) => {
            printer.note(&format!("error: {error}\n"));
            // `gen diff` keeps 2 and 3 for "changes" and "destructive": its errors exit 1.
            if matches!(cli.command, Command::Diff(_)) {
                ExitStatus::Failure.into()
            } else {
                ExitStatus::Error.into()
            }
        }
    }
}
