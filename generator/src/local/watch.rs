//! What `gen dev --watch` looks at: the size and modification time of every file of
//! pipeline.yaml and of each function's crates (the glue in `generated/lambdas/<fn>/`, and a
//! custom handler's own crate), polled.
//!
//! Polling rather than the `notify` crate: a few dozen small files polled a few times a second
//! cost nothing next to a build that takes seconds, need no new dependency, see the same
//! changes on every file system (bind mounts and network folders included, where inotify sees
//! nothing) and whatever way an editor saves (write in place, or write aside and rename).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::config::Pipeline;

/// How often the files are looked at.
pub const POLL: Duration = Duration::from_millis(300);

/// Path → (modified, length) of every file under some folders.
pub type Stamps = BTreeMap<PathBuf, (Option<SystemTime>, u64)>;

/// The stamps of every file under `paths` (files or folders), skipping `target/` folders and
/// hidden entries (`.git/`, editors' swap files).
pub fn stamps(paths: &[PathBuf]) -> Stamps {
    let mut stamps = Stamps::new();
    let mut stack = paths.to_vec();
    while let Some(path) = stack.pop() {
        let Ok(metadata) = std::fs::metadata(&path) else {
            continue;
        };
        if !metadata.is_dir() {
            stamps.insert(path, (metadata.modified().ok(), metadata.len()));
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&path) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name == "target" || name.starts_with('.') {
                continue;
            }
            stack.push(entry.path());
        }
    }
    stamps
}

/// The folders whose files make function `name`'s binary: its generated glue crate (with its
/// resources crate inside) and, for a custom handler, the user's crate.
pub fn sources(pipeline: &Pipeline, root: &Path, lambdas: &Path, name: &str) -> Vec<PathBuf> {
    let mut folders = vec![lambdas.join(name)];
    if let Some(code) = pipeline
        .functions
        .get(name)
        .and_then(|function| function.code.as_deref())
    {
        folders.push(root.join(code));
    }
    folders
}

/// Each function's stamps.
pub fn function_stamps(
    pipeline: &Pipeline,
    root: &Path,
    lambdas: &Path,
) -> BTreeMap<String, Stamps> {
    pipeline
        .functions
        .keys()
        .map(|name| {
            (
                name.clone(),
                stamps(&sources(pipeline, root, lambdas, name)),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_an_added_file_and_a_removed_file_change_the_stamps_and_target_does_not() {
        let folder = tempfile::tempdir().unwrap();
        let root = folder.path().to_path_buf();
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::create_dir_all(root.join("target/debug")).unwrap();
        std::fs::write(root.join("src/lib.rs"), "pub fn one() {}\n").unwrap();
        let before = stamps(std::slice::from_ref(&root));
        assert_eq!(
            before.keys().collect::<Vec<_>>(),
            vec![&root.join("src/lib.rs")]
        );

        std::fs::write(root.join("target/debug/out"), "built").unwrap();
        std::fs::write(root.join(".lib.rs.swp"), "editor").unwrap();
        assert_eq!(stamps(std::slice::from_ref(&root)), before);

        std::fs::write(root.join("src/lib.rs"), "pub fn second() {}\n").unwrap();
        let edited = stamps(std::slice::from_ref(&root));
        assert_ne!(edited, before);

        std::fs::write(root.join("src/more.rs"), "").unwrap();
        let added = stamps(std::slice::from_ref(&root));
        assert_eq!(added.len(), 2);

        std::fs::remove_file(root.join("src/more.rs")).unwrap();
        assert_eq!(stamps(std::slice::from_ref(&root)), edited);
    }
}
