//! A pipeline in a Cargo workspace of its own, beside the test binaries: the root's settings,
//! its glue crates as members, `runtime` from this repository, and the test binaries' target
//! directory, so builds reuse the compiled dependencies.
//!
//! Several test binaries include this module and each uses a part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub(crate) fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("generator/ sits in the workspace")
}

/// The target directory the test binaries were built in.
pub(crate) fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_gen"))
        .ancestors()
        .nth(2)
        .expect("target/<profile>/gen")
        .to_path_buf()
}

/// Runs `command` without colour, builds in [`target_dir`]; whether it succeeded, and its
/// stdout then stderr.
pub(crate) fn run(command: &mut Command) -> (bool, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = command
        .env("NO_COLOR", "1")
        .env("CARGO_TARGET_DIR", target_dir())
        .output()
        .expect("the command runs");
    let mut text = String::from_utf8_lossy(&stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&stderr));
    (status.success(), text)
}

/// `gen <args>` in `folder`.
pub(crate) fn gen_in(folder: &Path, args: &[&str]) -> (bool, String) {
    run(Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(args)
        .current_dir(folder))
}

/// A fresh folder holding `pipeline: <name>` followed by `pipeline` (the rest of pipeline.yaml)
/// in a Cargo workspace of its own. Each test names its own, so their crates (and binaries in
/// the shared target directory) never collide.
pub(crate) fn workspace(name: &str, pipeline: &str) -> PathBuf {
    let folder = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    let root = workspace_root();
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let members = manifest
        .lines()
        .find(|line| line.starts_with("members = "))
        .expect("the root manifest lists its members");
    let manifest = manifest
        .replace(members, r#"members = ["generated/lambdas/*"]"#)
        .replace(
            r#"runtime = { path = "runtime" }"#,
            &format!(
                "runtime = {{ path = \"{}\" }}",
                root.join("runtime").display()
            ),
        )
        .replace(
            r#"generator = { path = "generator" }"#,
            &format!(
                "generator = {{ path = \"{}\" }}",
                root.join("generator").display()
            ),
        );
    std::fs::write(folder.join("Cargo.toml"), manifest).unwrap();
    std::fs::copy(root.join("Cargo.lock"), folder.join("Cargo.lock")).unwrap();
    std::fs::write(
        folder.join("pipeline.yaml"),
        format!("pipeline: {name}\n{pipeline}"),
    )
    .unwrap();
    folder
}
