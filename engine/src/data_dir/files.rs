//! File operations of the data folder: whole files replaced atomically (written beside, then
//! renamed), and folders emptied by a removal removed with it.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::DataDirError;

/// Replaces `path` with `bytes`: a reader sees the old file or the new one, never half of one.
pub(super) fn replace(scratch: &Path, path: &Path, bytes: &[u8]) -> Result<(), DataDirError> {
    let io = |source| DataDirError::Io {
        path: path.to_owned(),
        source,
    };
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    std::fs::create_dir_all(scratch).map_err(io)?;
    let temporary = scratch.join(format!("{:016x}.part", fastrand::u64(..)));
    // Not synced: what a process exit or kill leaves in the page cache is kept; only a power
    // loss or a crash of the machine could lose it.
    let written = std::fs::File::create(&temporary).and_then(|mut file| file.write_all(bytes));
    if let Err(source) = written.and_then(|()| std::fs::rename(&temporary, path)) {
        let _ = std::fs::remove_file(&temporary);
        return Err(io(source));
    }
    Ok(())
}

/// Removes the file at `path`, then each folder up to (not including) `stop` that this left
/// empty. A file already gone is not an error.
pub(super) fn remove(path: &Path, stop: &Path) -> Result<(), DataDirError> {
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => {
            return Err(DataDirError::Io {
                path: path.to_owned(),
                source,
            });
        }
    }
    let mut folder: Option<PathBuf> = path.parent().map(Path::to_owned);
    while let Some(current) = folder {
        if current == stop || !current.starts_with(stop) || std::fs::remove_dir(&current).is_err() {
            break;
        }
        folder = current.parent().map(Path::to_owned);
    }
    Ok(())
}

/// The file's bytes.
pub(super) fn read(path: &Path) -> Result<Vec<u8>, DataDirError> {
    std::fs::read(path).map_err(|source| DataDirError::Io {
        path: path.to_owned(),
        source,
    })
}
