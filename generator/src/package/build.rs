//! Building the generated `lambda-<function>` crates with `cargo lambda build`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::config::model::Architecture;
use crate::config::naming::crate_name;
use crate::workspace::Workspace;

use super::PackageError;

/// The cargo-lambda release `gen` is tested with (installed by pip, which also brings zig).
pub const CARGO_LAMBDA_VERSION: &str = "1.9.2";

/// The zig release (Python package `ziglang`) `gen` links Lambda binaries with, beside
/// [`CARGO_LAMBDA_VERSION`]; both are pinned in `tests/requirements.txt` too.
pub const ZIGLANG_VERSION: &str = "0.15.2";

/// The command that installs the build tools `gen deploy` is tested with.
pub fn install_build_tools() -> String {
    format!("pip install cargo-lambda=={CARGO_LAMBDA_VERSION} ziglang=={ZIGLANG_VERSION}")
}

/// One `cargo lambda build` call: functions of one architecture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildPlan {
    /// `(function, cargo package)`, the package being `lambda-<pipeline>-<function>`.
    pub packages: Vec<(String, String)>,
    /// `--arm64` when true, `--x86-64` when false.
    pub arm64: bool,
}

/// Groups functions by architecture: one plan per architecture in use, arm64 first, functions
/// in their given order.
pub fn plan_builds<'a>(
    pipeline: &str,
    functions: impl IntoIterator<Item = (&'a str, Architecture)>,
) -> Vec<BuildPlan> {
    let mut arm64 = BuildPlan {
        packages: Vec::new(),
        arm64: true,
    };
    let mut x86_64 = BuildPlan {
        packages: Vec::new(),
        arm64: false,
    };
    for (function, architecture) in functions {
        let plan = match architecture {
            Architecture::Arm64 => &mut arm64,
            Architecture::X86_64 => &mut x86_64,
        };
        plan.packages
            .push((function.to_owned(), crate_name(pipeline, function)));
    }
    [arm64, x86_64]
        .into_iter()
        .filter(|plan| !plan.packages.is_empty())
        .collect()
}

/// The Cargo profile Lambda binaries are built with: the workspace's `release` profile plus
/// [`LAMBDA_PROFILE_SETTINGS`]. Its output is `<target>/<triple>/lambda-release`; `gen dev
/// --release` keeps building with `release` itself.
pub const LAMBDA_PROFILE: &str = "lambda-release";

/// What the Lambda profile changes over `release`, passed as `--config profile.lambda-release.…`
/// so every workspace gets it without a `[profile]` of its own (a `[profile.lambda-release]` in
/// the workspace's `Cargo.toml` still sets anything not listed here). A zip is what a cold start
/// downloads and what the 5 MB bound of the artifact test holds, so the code is optimised for
/// size: with `opt-level = "s"` the seed's zips are 12% (arm64) and 24% (`x86_64`) smaller than
/// with `release`'s `opt-level = 3`, and no slower to build (figures in
/// `tests/it/lambda_artifacts.rs`); the handlers wait on AWS calls, not on the CPU. `strip` and thin LTO hold whatever `release` says.
pub const LAMBDA_PROFILE_SETTINGS: [(&str, &str); 4] = [
    ("inherits", "\"release\""),
    ("opt-level", "\"s\""),
    ("strip", "true"),
    ("lto", "\"thin\""),
];

/// `cargo lambda build --profile lambda-release --config profile.lambda-release.… --arm64|--x86-64
/// -p lambda-p-a -p lambda-p-b`, run from the workspace holding the generated crates (the
/// caller sets the directory).
pub fn build_command(plan: &BuildPlan) -> Command {
    let mut command = Command::new("cargo");
    command.args(["lambda", "build", "--profile", LAMBDA_PROFILE]);
    for (key, value) in LAMBDA_PROFILE_SETTINGS {
        command.arg("--config");
        command.arg(format!("profile.{LAMBDA_PROFILE}.{key}={value}"));
    }
    command.arg(if plan.arm64 { "--arm64" } else { "--x86-64" });
    for (_, package) in &plan.packages {
        command.args(["-p", package]);
    }
    command
}

/// `gen deploy`'s build: every function of `pipeline` in `functions` with cargo lambda, one run
/// per architecture (`note` hears which), in the Cargo workspace that holds the crates of the
/// pipeline file in `folder`; returns that workspace's target directory. Builds of one
/// architecture share `<target>/<triple>/lambda-release`, so a second call with nothing changed
/// compiles nothing.
pub fn build_handlers<'a>(
    pipeline: &str,
    functions: impl IntoIterator<Item = (&'a str, Architecture)>,
    folder: &Path,
    note: &dyn Fn(&str),
) -> Result<PathBuf, PackageError> {
    cargo_lambda_available()?;
    let workspace =
        Workspace::locate(folder).map_err(|error| PackageError::Workspace(error.to_string()))?;
    for plan in plan_builds(pipeline, functions) {
        note(&format!(
            "building {} for {}\n",
            plan.packages.len(),
            if plan.arm64 { "arm64" } else { "x86_64" }
        ));
        let status = build_command(&plan)
            .current_dir(folder)
            .stdin(Stdio::null())
            .status()
            .map_err(PackageError::RunCargoLambda)?;
        if !status.success() {
            return Err(PackageError::BuildFailed(status));
        }
    }
    Ok(workspace.target_directory)
}

/// Where `cargo lambda build` leaves the binary of `function`:
/// `<target_dir>/lambda/lambda-<pipeline>-<function>/bootstrap`.
pub fn built_binary(target_dir: &Path, pipeline: &str, function: &str) -> PathBuf {
    target_dir
        .join("lambda")
        .join(crate_name(pipeline, function))
        .join("bootstrap")
}

/// Checks that `cargo lambda` runs (`cargo lambda --version`).
pub fn cargo_lambda_available() -> Result<(), PackageError> {
    let output = Command::new("cargo")
        .args(["lambda", "--version"])
        .stdin(Stdio::null())
        .output();
    match output {
        Ok(output) if output.status.success() => Ok(()),
        Ok(output) => Err(PackageError::CargoLambdaMissing {
            detail: String::from_utf8_lossy(&output.stderr)
                .lines()
                .find(|line| !line.trim().is_empty())
                .unwrap_or("`cargo lambda --version` failed")
                .trim()
                .to_owned(),
        }),
        Err(error) => Err(PackageError::CargoLambdaMissing {
            detail: format!("cannot run `cargo`: {error}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::OsStr;

    use super::*;

    fn args(command: &Command) -> Vec<&str> {
        command
            .get_args()
            .map(|arg| arg.to_str().unwrap())
            .collect()
    }

    #[test]
    fn command_lines() {
        #[track_caller]
        fn case(functions: &[(&str, Architecture)], expected: &[String]) {
            let commands: Vec<String> = plan_builds("p", functions.iter().copied())
                .iter()
                .map(|plan| {
                    let command = build_command(plan);
                    assert_eq!(command.get_program(), OsStr::new("cargo"));
                    args(&command).join(" ")
                })
                .collect();
            assert_eq!(commands, expected);
        }
        use Architecture::{Arm64, X86_64};
        const BUILD: &str = "lambda build --profile lambda-release \
            --config profile.lambda-release.inherits=\"release\" \
            --config profile.lambda-release.opt-level=\"s\" \
            --config profile.lambda-release.strip=true \
            --config profile.lambda-release.lto=\"thin\"";
        case(&[], &[]);
        case(&[("a", Arm64)], &[format!("{BUILD} --arm64 -p lambda-p-a")]);
        case(
            &[("a", Arm64), ("b", Arm64)],
            &[format!("{BUILD} --arm64 -p lambda-p-a -p lambda-p-b")],
        );
        case(
            &[("a", X86_64)],
            &[format!("{BUILD} --x86-64 -p lambda-p-a")],
        );
        case(
            &[("x", X86_64), ("a", Arm64), ("y", X86_64), ("b", Arm64)],
            &[
                format!("{BUILD} --arm64 -p lambda-p-a -p lambda-p-b"),
                format!("{BUILD} --x86-64 -p lambda-p-x -p lambda-p-y"),
            ],
        );
    }

    #[test]
    fn plans_keep_function_names() {
        let plans = plan_builds("shop", [("enrich", Architecture::X86_64)]);
        assert_eq!(
            plans,
            [BuildPlan {
                packages: vec![("enrich".into(), "lambda-shop-enrich".into())],
                arm64: false,
            }]
        );
    }

    #[test]
    fn binary_path() {
        assert_eq!(
            built_binary(Path::new("/w/target"), "shop", "enrich"),
            Path::new("/w/target/lambda/lambda-shop-enrich/bootstrap")
        );
    }

    #[test]
    fn availability_check_runs_or_says_how_to_install() {
        // Either outcome depends on the machine; what matters is that a failure explains itself.
        if let Err(error) = cargo_lambda_available() {
            assert!(
                error.to_string().contains("pip install cargo-lambda=="),
                "{error}"
            );
        }
    }

    #[test]
    fn missing_cargo_lambda_says_how_to_install_and_why() {
        let message = PackageError::CargoLambdaMissing {
            detail: "error: no such command: `lambda`".into(),
        }
        .to_string();
        assert!(message.contains("no such command"), "{message}");
        assert!(message.contains(&install_build_tools()), "{message}");
        assert!(message.contains("glibc 2.34"), "{message}");
        assert!(message.contains("provided.al2023"), "{message}");
    }

    #[test]
    fn the_install_hint_pins_what_the_tests_install() {
        let requirements = include_str!("../../../tests/requirements.txt");
        for pin in [
            format!("cargo-lambda=={CARGO_LAMBDA_VERSION}"),
            format!("ziglang=={ZIGLANG_VERSION}"),
        ] {
            assert!(
                requirements.lines().any(|line| line.trim() == pin),
                "tests/requirements.txt does not pin `{pin}`; keep it and build.rs in step"
            );
        }
    }
}
