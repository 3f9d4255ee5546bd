use std::process::ExitCode;

use clap::Parser;
use generator::cli::{Cli, Command, OutputFormat};
use generator::commands::{self, ExitStatus};
use generator::printer::Printer;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let printer = Printer::new(cli.global.output == OutputFormat::Json);
    let result = match &cli.command {
        Command::Validate(args) => commands::validate::run(args, &printer),
        Command::Schema(args) => commands::schema::run(args, &printer),
        Command::Synth(args) => commands::synth::run(args, &printer),
        Command::Check(args) => commands::check::run(args, &printer),
        Command::Diff(args) => commands::diff::run(args, &cli.global, &printer),
        Command::Dev(args) => commands::dev::run(args, &printer),
        Command::Send(args) => commands::send::run(args, &printer),
        Command::Status(args) => commands::status::run(args, &printer),
        Command::Ls(args) => commands::stages::ls(args, &cli.global, &printer),
        Command::Destroy(args) => commands::stages::destroy(args, &cli.global, &printer),
        Command::Gc(args) => commands::stages::gc(args, &cli.global, &printer),
        Command::Deploy(args) => commands::deploy::run(args, &cli.global, &printer),
        Command::Bootstrap(args) => commands::bootstrap::run(args, &cli.global, &printer),
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
