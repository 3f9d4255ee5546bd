//! Where an object's body lives in the data folder: `<bucket>/<key>` with the key's `/` as
//! folders, so a person can browse it, escaped only where a file system cannot hold a key as-is.
//!
//! Each `/`-separated segment keeps its characters, except:
//! - `%` is written `%25`, so a name ending in `%` or made of `%` alone never comes from a key;
//! - control characters (below U+0020 and U+007F) are written `%XX`;
//! - an empty segment (`a//b`, or the trailing one of a folder marker `photos/`) is written `%`;
//! - `.` and `..` are written `%2E` and `%2E%2E`.
//!
//! A key that is also the folder of other keys (`a` beside `a/b`) is written `a%`; a key with a
//! segment longer than 255 bytes once escaped is kept in `.engine/s3/<bucket>/long/` under the
//! SHA-256 of the key. Where each key's body is, is also written in `.engine/s3/<bucket>.json`;
//! nothing reads a key's location back from its path.

use std::fmt::Write as _;
use std::path::PathBuf;

use sha2::{Digest as _, Sha256};

/// The longest file name most file systems accept, in bytes.
const MAX_NAME_BYTES: usize = 255;

/// The body's path for `key` relative to the bucket's folder, or `None` when a segment is too
/// long to be a file name (the body then lives under the engine's folder, see [`hashed`]).
/// `is_folder` says whether other keys start with `key/`.
pub fn browsable(key: &str, is_folder: bool) -> Option<PathBuf> {
    let mut path = PathBuf::new();
    let segments: Vec<&str> = key.split('/').collect();
    let last = segments.len() - 1;
    for (index, segment) in segments.iter().enumerate() {
        let mut name = escape(segment);
        if index == last && is_folder {
            name.push('%');
        }
        if name.len() > MAX_NAME_BYTES {
            return None;
        }
        path.push(name);
    }
    Some(path)
}

/// The hex SHA-256 of `key`: a file name for it of fixed length, whatever the key.
pub fn hashed(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .fold(String::with_capacity(64), |mut text, byte| {
            let _ = write!(text, "{byte:02x}");
            text
        })
}

fn escape(segment: &str) -> String {
    match segment {
        "" => return "%".to_owned(),
        "." => return "%2E".to_owned(),
        ".." => return "%2E%2E".to_owned(),
        _ => {}
    }
    let mut name = String::with_capacity(segment.len());
    for character in segment.chars() {
        if character == '%' || character.is_ascii_control() {
            let _ = write!(name, "%{:02X}", u32::from(character));
        } else {
            name.push(character);
        }
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn case(key: &str, is_folder: bool, expected: &str) {
        assert_eq!(
            browsable(key, is_folder),
            Some(PathBuf::from(expected)),
            "{key}"
        );
    }

    #[test]
    fn keys_become_folders_and_files_escaped_only_where_needed() {
        case("photos/2026/cat.jpg", false, "photos/2026/cat.jpg");
        case("über/naïve ☃.txt", false, "über/naïve ☃.txt");
        case("photos/", false, "photos/%");
        case("a//b", false, "a/%/b");
        case("../etc/passwd", false, "%2E%2E/etc/passwd");
        case("./x", false, "%2E/x");
        case("100%", false, "100%25");
        case("%", false, "%25");
        case("tab\there", false, "tab%09here");
        case("a", true, "a%");
        case("a/", true, "a/%%");
        case(".engine/s3/bucket.json", false, ".engine/s3/bucket.json");
    }

    #[test]
    fn distinct_keys_get_distinct_paths() {
        let keys = ["a", "a%", "a%25", "a/", "a//", "a/%", "%", "", "%25", "."];
        let mut paths: Vec<PathBuf> = keys
            .iter()
            .flat_map(|key| [browsable(key, false), browsable(key, true)])
            .map(Option::unwrap)
            .collect();
        let count = paths.len();
        paths.sort();
        paths.dedup();
        assert_eq!(paths.len(), count);
    }

    #[test]
    fn a_segment_too_long_for_a_file_name_has_no_browsable_path() {
        assert_eq!(browsable(&"x".repeat(256), false), None);
        assert!(browsable(&"x".repeat(255), false).is_some());
        assert_eq!(hashed("a").len(), 64);
    }
}
