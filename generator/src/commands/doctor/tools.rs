//! The local tools a deploy builds with: cargo-lambda, zig (its linker), and the Rust standard
//! library for each Lambda architecture.

use std::process::{Command, Stdio};

use super::report::{Check, Status};
use crate::package::install_build_tools;

/// The Rust targets of Lambda's two architectures, by the pipeline's name for them.
const TARGETS: [(&str, &str); 2] = [
    ("x86_64", "x86_64-unknown-linux-gnu"),
    ("arm64", "aarch64-unknown-linux-gnu"),
];

/// cargo-lambda, zig, and one check per target; `architectures` are those the pipeline uses
/// (a missing target the pipeline does not use is only a warning).
pub(super) fn checks(architectures: &[&str]) -> Vec<Check> {
    let mut checks = vec![cargo_lambda(), zig()];
    let installed = output("rustup", &["target", "list", "--installed"]);
    for (architecture, target) in TARGETS {
        let name = format!("target {architecture}");
        let check = match &installed {
            Err(reason) => Check::new(
                &name,
                Status::Fail,
                format!("cannot list the installed targets: {reason}"),
                vec!["install rustup from https://rustup.rs".to_owned()],
            ),
            Ok(list) if list.lines().any(|line| line.trim() == target) => {
                Check::pass(&name, format!("`{target}` installed"))
            }
            Ok(_) => Check::new(
                &name,
                if architectures.contains(&architecture) {
                    Status::Fail
                } else {
                    Status::Warn
                },
                format!("`{target}` is not installed"),
                vec![format!("rustup target add {target}")],
            ),
        };
        checks.push(check);
    }
    checks
}

fn cargo_lambda() -> Check {
    match first_line("cargo", &["lambda", "--version"]) {
        Ok(version) => Check::pass("cargo-lambda", version),
        Err(reason) => Check::new(
            "cargo-lambda",
            Status::Fail,
            format!("not available ({reason})"),
            vec![install_build_tools()],
        ),
    }
}

/// zig on `PATH`, or the one the `ziglang` Python package brings (cargo-lambda finds both).
fn zig() -> Check {
    let found = first_line("zig", &["version"])
        .or_else(|_| first_line("python3", &["-m", "ziglang", "version"]));
    match found {
        Ok(version) => Check::pass("zig", format!("zig {version}")),
        Err(_) => Check::new(
            "zig",
            Status::Fail,
            "not on `PATH`, and no `ziglang` Python package".to_owned(),
            vec![format!(
                "{} (cargo-lambda links with zig)",
                install_build_tools()
            )],
        ),
    }
}

/// The first line a program prints, or why it did not run.
fn first_line(program: &str, args: &[&str]) -> Result<String, String> {
    let text = output(program, args)?;
    Ok(text.lines().next().unwrap_or_default().trim().to_owned())
}

fn output(program: &str, args: &[&str]) -> Result<String, String> {
    let output = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|error| format!("cannot run `{program}`: {error}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(stderr
            .lines()
            .find(|line| !line.trim().is_empty())
            .map_or_else(
                || format!("`{program} {}` failed", args.join(" ")),
                |line| line.trim().to_owned(),
            ))
    }
}
