//! Where a pipeline file's outputs live, and the Cargo workspace that builds its handler crates.
//!
//! Every pipeline file owns the folder it sits in: `gen synth -f examples/shop/pipeline.yaml`
//! writes `examples/shop/generated/`, `gen dev` keeps its state in `examples/shop/.gen/`, and
//! nothing of one pipeline is ever written into another's folder. The handler crates are built
//! by the Cargo workspace that holds them (the repository's, when its `members` list the
//! folder, or one of the pipeline folder's own), found with `cargo metadata`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Deserialize;

use crate::generate::{GENERATED_DIR, LAMBDAS_DIR};

/// The folder a pipeline's `gen dev` state lives in, beside the pipeline file.
pub const STATE_DIR: &str = ".gen";

/// The folders that belong to one pipeline file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineDirs {
    /// The folder holding the pipeline file.
    pub root: PathBuf,
    /// `generated/` beside the pipeline file, or `--out-dir`.
    pub generated: PathBuf,
    /// `.gen/` beside the pipeline file: what a running `gen dev` tells `gen send`/`gen status`.
    pub state: PathBuf,
}

impl PipelineDirs {
    /// The folders of `file`; `out_dir` overrides where `generated/` goes.
    pub fn of(file: &Path, out_dir: Option<&Path>) -> Self {
        let root = match file.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        Self {
            generated: out_dir.map_or_else(|| root.join(GENERATED_DIR), Path::to_path_buf),
            state: root.join(STATE_DIR),
            root,
        }
    }

    /// Where the handler crates are generated.
    pub fn lambdas(&self) -> PathBuf {
        self.generated.join(LAMBDAS_DIR)
    }
}

/// Why the workspace that builds a pipeline's crates could not be used.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("cannot run `cargo metadata`: {0}")]
    Cargo(std::io::Error),
    #[error(
        "no Cargo workspace holds `{folder}`: {detail}\nhelp: run `gen` inside the repository whose Cargo.toml builds the handler crates"
    )]
    NoWorkspace { folder: String, detail: String },
    #[error(
        "the handler crates in `{lambdas}` are not members of the workspace `{manifest}`\nhelp: add `\"{pattern}\"` to `[workspace] members` in `{manifest}`, then run the command again"
    )]
    NotMembers {
        lambdas: String,
        manifest: String,
        pattern: String,
    },
}

/// The Cargo workspace around a pipeline folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    /// The folder of the workspace's `Cargo.toml`.
    pub root: PathBuf,
    /// Its target directory (absolute, as Cargo reports it: `CARGO_TARGET_DIR` included).
    pub target_directory: PathBuf,
    /// The manifests of its members.
    members: Vec<PathBuf>,
}

#[derive(Deserialize)]
struct Metadata {
    workspace_root: PathBuf,
    target_directory: PathBuf,
    packages: Vec<Package>,
}

#[derive(Deserialize)]
struct Package {
    manifest_path: PathBuf,
}

impl Workspace {
    /// The workspace Cargo finds from `folder` (`cargo metadata --no-deps`, run there).
    pub fn locate(folder: &Path) -> Result<Self, WorkspaceError> {
        let output = Command::new(cargo())
            .args([
                "metadata",
                "--no-deps",
                "--format-version",
                "1",
                "--offline",
            ])
            .current_dir(folder)
            .stdin(Stdio::null())
            .output()
            .map_err(WorkspaceError::Cargo)?;
        let no_workspace = |detail: String| WorkspaceError::NoWorkspace {
            folder: folder.display().to_string(),
            detail,
        };
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let detail = stderr
                .lines()
                .find(|line| !line.trim().is_empty())
                .unwrap_or("`cargo metadata` failed")
                .trim()
                .trim_start_matches("error: ")
                .to_owned();
            return Err(no_workspace(detail));
        }
        let metadata: Metadata = serde_json::from_slice(&output.stdout)
            .map_err(|error| no_workspace(format!("unreadable `cargo metadata`: {error}")))?;
        Ok(Self {
            root: metadata.workspace_root,
            target_directory: metadata.target_directory,
            members: metadata
                .packages
                .into_iter()
                .map(|package| package.manifest_path)
                .collect(),
        })
    }

    /// Checks that every crate folder in `crates` is a member, so `cargo build -p` finds them.
    pub fn require_members(
        &self,
        lambdas: &Path,
        crates: &[PathBuf],
    ) -> Result<(), WorkspaceError> {
        let members: Vec<PathBuf> = self.members.iter().filter_map(|m| canonical(m)).collect();
        let missing = crates.iter().any(|folder| {
            canonical(&folder.join("Cargo.toml"))
                .is_none_or(|manifest| !members.contains(&manifest))
        });
        if !missing {
            return Ok(());
        }
        let lambdas_absolute = canonical(lambdas).unwrap_or_else(|| lambdas.to_path_buf());
        let pattern = lambdas_absolute
            .strip_prefix(&self.root)
            .unwrap_or(&lambdas_absolute)
            .join("*");
        Err(WorkspaceError::NotMembers {
            lambdas: lambdas.display().to_string(),
            manifest: self.root.join("Cargo.toml").display().to_string(),
            pattern: pattern.display().to_string(),
        })
    }

    /// Where `cargo build` (debug or release) leaves the binaries.
    pub fn binaries(&self, release: bool) -> PathBuf {
        self.target_directory
            .join(if release { "release" } else { "debug" })
    }
}

/// The directory for `gen`'s own caches (code zips): `CARGO_TARGET_DIR`, else the target
/// directory of the workspace around `folder`, else the user's cache folder — never a path
/// relative to wherever `gen` happens to run.
pub fn cache_dir(folder: &Path) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .and_then(|dir| std::path::absolute(dir).ok())
        .or_else(|| {
            Workspace::locate(folder)
                .ok()
                .map(|workspace| workspace.target_directory)
        });
    match target {
        Some(target) => target.join("gen"),
        None => std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
            .unwrap_or_else(std::env::temp_dir)
            .join("gen"),
    }
}

/// The `cargo` that runs `gen` (under `cargo run`), else the one on `PATH`.
pub fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

fn canonical(path: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(path).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_sit_beside_the_pipeline_file() {
        #[track_caller]
        fn case(file: &str, out_dir: Option<&str>, generated: &str, state: &str) {
            let dirs = PipelineDirs::of(Path::new(file), out_dir.map(Path::new));
            assert_eq!(dirs.generated, Path::new(generated), "{file}");
            assert_eq!(dirs.state, Path::new(state), "{file}");
        }
        case("pipeline.yaml", None, "./generated", "./.gen");
        case(
            "examples/shop/pipeline.yaml",
            None,
            "examples/shop/generated",
            "examples/shop/.gen",
        );
        case(
            "/abs/p/pipeline.yaml",
            Some("/tmp/out"),
            "/tmp/out",
            "/abs/p/.gen",
        );
    }

    #[test]
    fn crates_outside_the_members_say_which_line_to_add() {
        let workspace = Workspace::locate(Path::new(env!("CARGO_MANIFEST_DIR"))).unwrap();
        let outside = tempfile::tempdir_in(&workspace.target_directory).unwrap();
        let lambdas = outside.path().join("generated/lambdas");
        std::fs::create_dir_all(lambdas.join("task")).unwrap();
        std::fs::write(lambdas.join("task/Cargo.toml"), "").unwrap();
        let error = workspace
            .require_members(&lambdas, &[lambdas.join("task")])
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("are not members of the workspace"),
            "{error}"
        );
        assert!(
            error.contains("/generated/lambdas/*\"` to `[workspace] members`"),
            "{error}"
        );

        let root_lambdas = workspace.root.join("generated/lambdas");
        let crates: Vec<PathBuf> = std::fs::read_dir(&root_lambdas)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect();
        assert!(!crates.is_empty());
        workspace.require_members(&root_lambdas, &crates).unwrap();
    }
}
