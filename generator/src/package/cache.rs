//! Zips already made, found by the sha256 of the binary they hold: a redeploy of unchanged code
//! hashes each binary instead of compressing it again (≈0.3 s per 16 MB binary saved).
//!
//! One entry per function (`<dir>/v<format>/<pipeline>/<function>/<binary sha256>.zip`):
//! writing a new one removes the others. The format version changes whenever the zip's bytes
//! would (zip crate, compression level, file mode), so a cached zip is byte-identical to a fresh
//! one and keys stay the same on every machine. Entries are written under a unique temporary
//! name and renamed, so concurrent deploys never read a partial file; an entry is used only when
//! its single `bootstrap` entry unzips to bytes with the binary's SHA-256 (a CRC-32 can be
//! forged to match; a mix-up, a truncated file or a swapped binary cannot pass this).

use std::io::Cursor;

use sha2::{Digest as _, Sha256};
use std::path::{Path, PathBuf};

use super::{Artifact, BOOTSTRAP, PackageError, artifact_from_zip, hex_sha256, zip_bootstrap};

#[derive(Debug, Clone)]
pub struct ZipCache {
    dir: PathBuf,
}

impl ZipCache {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The artifact for `binary`: from the cache when this binary was zipped before, else
    /// zipped now and remembered.
    pub fn artifact(
        &self,
        pipeline: &str,
        function: &str,
        binary: &[u8],
    ) -> Result<Artifact, PackageError> {
        let directory = self
            .dir
            .join(format!("v{ZIP_FORMAT}"))
            .join(pipeline)
            .join(function);
        let path = directory.join(format!("{}.zip", hex_sha256(binary)));
        if let Some(zip) = std::fs::read(&path).ok().filter(|zip| holds(zip, binary)) {
            return Ok(artifact_from_zip(pipeline, function, zip));
        }
        let zip = zip_bootstrap(binary)?;
        // A cache that cannot be written only makes the next deploy slower.
        let _ = remember(&directory, &path, &zip);
        Ok(artifact_from_zip(pipeline, function, zip))
    }
}

/// Whether `zip` is a bootstrap zip of exactly `binary`: its one entry, `bootstrap`, unzips to
/// bytes with the binary's SHA-256.
fn holds(zip: &[u8], binary: &[u8]) -> bool {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(zip)) else {
        return false;
    };
    if archive.len() != 1 {
        return false;
    }
    let Ok(mut entry) = archive.by_index(0) else {
        return false;
    };
    if entry.name().ok().as_deref() != Some(BOOTSTRAP) || entry.size() != binary.len() as u64 {
        return false;
    }
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 64 * 1024];
    loop {
        match std::io::Read::read(&mut entry, &mut buffer) {
            Ok(0) => break,
            Ok(read) => hasher.update(&buffer[..read]),
            Err(_) => return false,
        }
    }
    hasher.finalize().as_slice() == Sha256::digest(binary).as_slice()
}

/// Bumped whenever [`zip_bootstrap`] would produce other bytes for the same binary.
const ZIP_FORMAT: u32 = 1;

fn remember(directory: &Path, path: &Path, zip: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(directory)?;
    let partial = directory.join(format!(
        ".{}-{:016x}.partial",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::write(&partial, zip)?;
    std::fs::rename(&partial, path)?;
    // Older entries of this function go; partial files are another process's, mid-write.
    for entry in std::fs::read_dir(directory)? {
        let entry = entry?.path();
        if entry != path && entry.extension().is_some_and(|e| e == "zip") {
            let _ = std::fs::remove_file(entry);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cached_zip_is_the_same_artifact_as_a_fresh_one() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ZipCache::new(dir.path());
        let fresh = super::super::artifact("orders", "task", b"binary one").unwrap();
        assert_eq!(
            cache.artifact("orders", "task", b"binary one").unwrap(),
            fresh
        );
        assert_eq!(
            cache.artifact("orders", "task", b"binary one").unwrap(),
            fresh
        );
        let entries = std::fs::read_dir(dir.path().join("v1/orders/task"))
            .unwrap()
            .count();
        assert_eq!(entries, 1);
    }

    #[test]
    fn a_new_binary_replaces_the_function_entry() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ZipCache::new(dir.path());
        cache.artifact("orders", "task", b"one").unwrap();
        cache
            .artifact("orders", "task-dlq", b"other function")
            .unwrap();
        let second = cache.artifact("orders", "task", b"two").unwrap();
        assert_eq!(
            second,
            super::super::artifact("orders", "task", b"two").unwrap()
        );
        let names: Vec<_> = std::fs::read_dir(dir.path().join("v1/orders/task"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(
            names,
            [std::ffi::OsString::from(format!(
                "{}.zip",
                hex_sha256(b"two")
            ))]
        );
        assert_eq!(
            std::fs::read_dir(dir.path().join("v1/orders/task-dlq"))
                .unwrap()
                .count(),
            1,
            "other functions keep theirs"
        );
    }

    #[test]
    fn a_damaged_entry_is_never_used() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ZipCache::new(dir.path());
        let good = cache
            .artifact("orders", "task", b"the real binary")
            .unwrap();
        let path = dir
            .path()
            .join("v1/orders/task")
            .join(format!("{}.zip", hex_sha256(b"the real binary")));
        // Another binary's zip under this binary's name, then a truncated one.
        std::fs::write(&path, zip_bootstrap(b"the wrong binary!").unwrap()).unwrap();
        assert_eq!(
            cache
                .artifact("orders", "task", b"the real binary")
                .unwrap(),
            good
        );
        std::fs::write(&path, &good.zip[..good.zip.len() / 2]).unwrap();
        assert_eq!(
            cache
                .artifact("orders", "task", b"the real binary")
                .unwrap(),
            good
        );
    }
}
