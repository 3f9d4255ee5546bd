//! The deterministic code zip: one entry, fixed name, mode and timestamp.

use std::io::{Cursor, Write as _};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::PackageError;

/// Name of the entry Lambda's `provided.al2023` runtime executes.
pub const BOOTSTRAP: &str = "bootstrap";

/// Unix mode of the entry: Lambda needs `bootstrap` executable.
pub const BOOTSTRAP_MODE: u32 = 0o755;

/// Zips `binary` as a single entry `bootstrap` (mode 0o755, deflated, last modified
/// 1980-01-01 00:00). Nothing in the zip depends on the clock or the file system, so the same
/// binary always gives byte-identical zips.
pub fn zip_bootstrap(binary: &[u8]) -> Result<Vec<u8>, PackageError> {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(6))
        .last_modified_time(DateTime::DEFAULT)
        .unix_permissions(BOOTSTRAP_MODE);
    let mut writer = ZipWriter::new(Cursor::new(Vec::with_capacity(binary.len() / 2)));
    writer.start_file(BOOTSTRAP, options)?;
    writer
        .write_all(binary)
        .map_err(|source| PackageError::Zip(source.into()))?;
    Ok(writer.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use zip::ZipArchive;

    use super::*;

    /// Not compressible to nothing, like a real binary.
    fn binary(len: usize) -> Vec<u8> {
        (0..len)
            .map(|i| u8::try_from((i * 31 + i / 7) % 251).unwrap())
            .collect()
    }

    #[test]
    fn same_input_gives_same_bytes() {
        #[track_caller]
        fn case(input: &[u8]) {
            assert_eq!(zip_bootstrap(input).unwrap(), zip_bootstrap(input).unwrap());
        }
        case(b"");
        case(b"\x7fELF");
        case(&binary(300_000));
    }

    #[test]
    fn different_input_gives_different_bytes() {
        assert_ne!(zip_bootstrap(b"a").unwrap(), zip_bootstrap(b"b").unwrap());
    }

    #[test]
    fn holds_one_executable_deflated_bootstrap_that_unzips_to_the_input() {
        let input = binary(100_000);
        let zip = zip_bootstrap(&input).unwrap();
        let mut archive = ZipArchive::new(Cursor::new(zip)).unwrap();
        assert_eq!(archive.len(), 1);
        let mut entry = archive.by_index(0).unwrap();
        assert_eq!(entry.name().unwrap(), "bootstrap");
        assert_eq!(entry.unix_mode().map(|mode| mode & 0o7777), Some(0o755));
        assert_eq!(entry.compression(), CompressionMethod::Deflated);
        assert_eq!(entry.last_modified(), Some(DateTime::DEFAULT));
        let mut unzipped = Vec::new();
        entry.read_to_end(&mut unzipped).unwrap();
        assert_eq!(unzipped, input);
    }

    #[test]
    fn timestamp_is_1980_01_01() {
        let date = DateTime::DEFAULT;
        assert_eq!(
            (
                date.year(),
                date.month(),
                date.day(),
                date.hour(),
                date.minute()
            ),
            (1980, 1, 1, 0, 0)
        );
    }
}
