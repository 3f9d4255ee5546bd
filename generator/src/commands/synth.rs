//! `gen synth`: writes `generated/` — template, schema, reference and handler crates.

use std::collections::BTreeSet;
use std::path::Path;

use crate::cli::SynthArgs;
use crate::commands::{CommandError, ExitStatus, load_pipeline};
use crate::generate::{LAMBDAS_DIR, generated_files};
use crate::printer::Printer;
use crate::scaffold::GeneratedFile;
use crate::synth::SynthOptions;
use crate::workspace::PipelineDirs;

pub fn run(args: &SynthArgs, printer: &Printer) -> Result<ExitStatus, CommandError> {
    let Some(pipeline) = load_pipeline(&args.file, printer)? else {
        return Ok(ExitStatus::Failure);
    };
    let files = match generated_files(
        &pipeline,
        &SynthOptions {
            stage: args.stage.clone(),
        },
    ) {
        Ok(files) => files,
        Err(error) => {
            printer.note(&format!("error: {error}\n"));
            return Ok(ExitStatus::Failure);
        }
    };
    let dirs = PipelineDirs::of(&args.file, args.out_dir.as_deref());
    let out_dir = dirs.generated.clone();
    let (changed, removed) = write_files(&out_dir, &files)?;
    let user_crates = match crate::scaffold::user_crates(&pipeline) {
        Ok(crates) => crates,
        Err(error) => {
            printer.note(&format!("error: {error}\n"));
            return Ok(ExitStatus::Failure);
        }
    };
    let created = write_user_crates(&dirs.root, &user_crates)?;
    let unused = unused_handler_crates(&dirs.root, &user_crates);
    let expected: BTreeSet<String> = files.iter().map(|file| file.path.clone()).collect();
    if printer.json {
        let report = serde_json::json!({
            "files": expected,
            "changed": changed,
            "removed": removed,
            "handlers_created": created,
            "handlers_unused": unused,
        });
        printer.data(&format!("{report:#}\n"));
    } else {
        printer.note(&format!(
            "{}: {} files, {} written, {} removed\n",
            out_dir.display(),
            files.len(),
            changed.len(),
            removed.len()
        ));
        for folder in &created {
            printer.note(&format!(
                "created `{folder}/`, the starter crate of a custom handler: it is yours now, and `gen synth` never writes there again\n"
            ));
        }
        for folder in &unused {
            printer.note(&format!(
                "note: `{folder}/` is not the code of any function of `{}` any more; `gen synth` leaves it as it is (delete it yourself, or point a custom function's `code:` at it)\n",
                args.file.display()
            ));
        }
    }
    Ok(ExitStatus::Success)
}

/// Writes each custom handler's starter crate whose folder is missing; returns the folders
/// written, relative to the pipeline's. An existing folder is never touched.
fn write_user_crates(
    root: &Path,
    crates: &[crate::scaffold::UserCrate],
) -> Result<Vec<String>, CommandError> {
    let mut created = Vec::new();
    for user_crate in crates {
        let folder = root.join(&user_crate.folder);
        if folder.exists() {
            continue;
        }
        for file in &user_crate.files {
            let path = folder.join(&file.path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|source| CommandError::Write {
                    path: parent.to_owned(),
                    source,
                })?;
            }
            std::fs::write(&path, &file.contents).map_err(|source| CommandError::Write {
                path: path.clone(),
                source,
            })?;
        }
        created.push(user_crate.folder.clone());
    }
    Ok(created)
}

/// Crates under `handlers/` that no custom function's `code:` names (relative folders).
pub(crate) fn unused_handler_crates(
    root: &Path,
    crates: &[crate::scaffold::UserCrate],
) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(root.join(HANDLERS_DIR)) else {
        return Vec::new();
    };
    let used: BTreeSet<&str> = crates.iter().map(|c| c.folder.as_str()).collect();
    let mut unused: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.path().join("Cargo.toml").is_file())
        .map(|entry| format!("{HANDLERS_DIR}/{}", entry.file_name().to_string_lossy()))
        .filter(|folder| !used.contains(folder.as_str()))
        .collect();
    unused.sort();
    unused
}

/// Where custom handlers' crates go unless `code:` says otherwise.
const HANDLERS_DIR: &str = "handlers";

/// Writes the files that differ from the disk and removes stale ones; returns both lists.
pub(crate) fn write_files(
    out_dir: &Path,
    files: &[GeneratedFile],
) -> Result<(Vec<String>, Vec<String>), CommandError> {
    let mut changed = Vec::new();
    for file in files {
        let path = out_dir.join(&file.path);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(file.contents.as_str()) {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| CommandError::Write {
                path: parent.to_owned(),
                source,
            })?;
        }
        std::fs::write(&path, &file.contents).map_err(|source| CommandError::Write {
            path: path.clone(),
            source,
        })?;
        changed.push(file.path.clone());
    }
    let expected: BTreeSet<String> = files.iter().map(|file| file.path.clone()).collect();
    let removed = remove_stale(out_dir, &expected)?;
    Ok((changed, removed))
}

/// Deletes files under `lambdas/` that no function produces any more (a renamed or removed
/// function), and the folders left empty.
fn remove_stale(out_dir: &Path, expected: &BTreeSet<String>) -> Result<Vec<String>, CommandError> {
    let mut removed = Vec::new();
    for path in crate::commands::check::owned_files(out_dir) {
        if !expected.contains(&path) {
            let full = out_dir.join(&path);
            std::fs::remove_file(&full).map_err(|source| CommandError::Write {
                path: full.clone(),
                source,
            })?;
            removed.push(path);
        }
    }
    let lambdas = out_dir.join(LAMBDAS_DIR);
    for directory in walk(&lambdas)
        .into_iter()
        .rev()
        .filter(|path| path.is_dir())
    {
        // Only empty folders go; `remove_dir` refuses the others.
        let _ = std::fs::remove_dir(directory);
    }
    Ok(removed)
}

/// Every path under `root`, parents before children.
pub(crate) fn walk(root: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(path) = stack.pop() {
        if let Ok(entries) = std::fs::read_dir(&path) {
            let mut children: Vec<_> = entries
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .collect();
            children.sort();
            stack.extend(children.iter().rev().cloned());
        }
        if path != root {
            out.push(path);
        }
    }
    out.sort();
    out
}
