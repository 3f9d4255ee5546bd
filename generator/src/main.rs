use std::process::ExitCode;

fn main() -> ExitCode {
    generator::run::main()
}
