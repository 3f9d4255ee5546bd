//! What a `GET`/`HEAD` (or a copy's source) asks of the object before it is sent: the
//! conditional headers and a byte range, as S3 applies them.
//!
//! S3 User Guide and the `GetObject` API reference: `If-Match` false → 412; `If-None-Match`
//! true → 304; `If-Modified-Since` false → 304; `If-Unmodified-Since` false → 412. When
//! `If-Match` holds, `If-Unmodified-Since` is not consulted; when `If-None-Match` fails (the
//! tag differs), `If-Modified-Since` is not consulted (RFC 7232 section 6).

use std::time::SystemTime;

use hyper::header::HeaderMap;

use super::error::S3Error;

/// The four conditional headers under the names a request uses (`if-match` for `GetObject`,
/// `x-amz-copy-source-if-match` for a copy's source).
#[derive(Debug, Clone, Copy)]
pub(super) struct ConditionNames {
    pub(super) matching: &'static str,
    pub(super) none_match: &'static str,
    pub(super) modified_since: &'static str,
    pub(super) unmodified_since: &'static str,
}

/// `GetObject` and `HeadObject`.
pub(super) const READ: ConditionNames = ConditionNames {
    matching: "if-match",
    none_match: "if-none-match",
    modified_since: "if-modified-since",
    unmodified_since: "if-unmodified-since",
};

/// `CopyObject`'s source.
pub(super) const COPY_SOURCE: ConditionNames = ConditionNames {
    matching: "x-amz-copy-source-if-match",
    none_match: "x-amz-copy-source-if-none-match",
    modified_since: "x-amz-copy-source-if-modified-since",
    unmodified_since: "x-amz-copy-source-if-unmodified-since",
};

/// Checks `headers`' conditions against an object's `etag` (quoted) and `last_modified`:
/// `Ok`, `NotModified` (304) or `PreconditionFailed` (412). A copy's source answers 412 where a
/// read answers 304, as S3 does.
pub(super) fn check(
    headers: &HeaderMap,
    names: ConditionNames,
    etag: &str,
    last_modified: SystemTime,
) -> Result<(), S3Error> {
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    let date = |name: &str| header(name).and_then(|text| httpdate::parse_http_date(text).ok());
    let copy = names.matching == COPY_SOURCE.matching;
    let not_modified = if copy {
        S3Error::PreconditionFailed
    } else {
        S3Error::NotModified
    };
    match header(names.matching) {
        Some(tags) if !matches_any(tags, etag) => return Err(S3Error::PreconditionFailed),
        Some(_) => {}
        None => {
            if date(names.unmodified_since).is_some_and(|since| last_modified > since) {
                return Err(S3Error::PreconditionFailed);
            }
        }
    }
    match header(names.none_match) {
        Some(tags) if matches_any(tags, etag) => Err(not_modified),
        Some(_) => Ok(()),
        None => {
            if date(names.modified_since).is_some_and(|since| last_modified <= since) {
                Err(not_modified)
            } else {
                Ok(())
            }
        }
    }
}

/// Whether a comma-separated list of entity tags (quoted or not, or `*`) names `etag`.
fn matches_any(tags: &str, etag: &str) -> bool {
    let bare = etag.trim_matches('"');
    tags.split(',').map(str::trim).any(|tag| {
        let tag = tag.strip_prefix("W/").unwrap_or(tag);
        tag == "*" || tag.trim_matches('"') == bare
    })
}

/// The bytes a `Range` header selects from an object of `size` bytes, inclusive: `None` for the
/// whole object (no header, or one S3 ignores: malformed, several ranges, another unit), or
/// `InvalidRange` (416) when the range starts at or past the end.
pub(super) fn byte_range(range: Option<&str>, size: u64) -> Result<Option<(u64, u64)>, S3Error> {
    let Some(range) = range else {
        return Ok(None);
    };
    let Some(spec) = range.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((first, last)) = spec.split_once('-') else {
        return Ok(None);
    };
    let unsatisfiable = || S3Error::InvalidRange {
        range: range.to_owned(),
        size,
    };
    let (first, last) = (first.trim(), last.trim());
    if first.is_empty() {
        // `bytes=-N`: the last N bytes.
        return match last.parse::<u64>() {
            Ok(0) => Err(unsatisfiable()),
            Ok(_) if size == 0 => Err(unsatisfiable()),
            Ok(suffix) => Ok(Some((size.saturating_sub(suffix), size - 1))),
            Err(_) => Ok(None),
        };
    }
    let Ok(start) = first.parse::<u64>() else {
        return Ok(None);
    };
    let end = if last.is_empty() {
        u64::MAX
    } else {
        match last.parse::<u64>() {
            Ok(end) if end >= start => end,
            _ => return Ok(None),
        }
    };
    if start >= size {
        Err(unsatisfiable())
    } else {
        Ok(Some((start, end.min(size - 1))))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn ranges_select_bytes_as_s3_does() {
        #[track_caller]
        fn case(range: &str, size: u64, expected: Result<Option<(u64, u64)>, ()>) {
            let got = byte_range(Some(range), size).map_err(|error| {
                assert!(matches!(error, S3Error::InvalidRange { .. }), "{error:?}");
            });
            assert_eq!(got, expected, "{range} of {size}");
        }
        case("bytes=0-4", 10, Ok(Some((0, 4))));
        case("bytes=5-", 10, Ok(Some((5, 9))));
        case("bytes=-3", 10, Ok(Some((7, 9))));
        case("bytes=-30", 10, Ok(Some((0, 9))));
        case("bytes=8-100", 10, Ok(Some((8, 9))));
        case("bytes=10-20", 10, Err(()));
        case("bytes=10-", 10, Err(()));
        case("bytes=0-0", 0, Err(()));
        case("bytes=-0", 10, Err(()));
        case("bytes=5-2", 10, Ok(None));
        case("bytes=0-1,4-5", 10, Ok(None));
        case("items=0-1", 10, Ok(None));
        case("bytes=x-1", 10, Ok(None));
    }

    #[test]
    fn conditions_follow_rfc_7232_precedence() {
        #[track_caller]
        fn case(headers: &[(&'static str, &str)], expected: &Result<(), S3Error>) {
            let modified =
                httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").expect("date");
            let mut map = HeaderMap::new();
            for (name, value) in headers {
                map.insert(*name, value.parse().expect("a header value"));
            }
            assert_eq!(
                &check(&map, READ, "\"abc\"", modified),
                expected,
                "{headers:?}"
            );
        }
        let modified = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").expect("date");
        let before = "Sat, 05 Nov 1994 08:49:37 GMT";
        let after = "Mon, 07 Nov 1994 08:49:37 GMT";
        assert!(modified > SystemTime::UNIX_EPOCH + Duration::from_secs(1));
        case(&[], &Ok(()));
        case(&[("if-match", "\"abc\"")], &Ok(()));
        case(&[("if-match", "abc, \"x\"")], &Ok(()));
        case(&[("if-match", "*")], &Ok(()));
        case(&[("if-match", "\"x\"")], &Err(S3Error::PreconditionFailed));
        case(&[("if-none-match", "\"abc\"")], &Err(S3Error::NotModified));
        case(&[("if-none-match", "\"x\"")], &Ok(()));
        case(&[("if-modified-since", after)], &Err(S3Error::NotModified));
        case(&[("if-modified-since", before)], &Ok(()));
        case(
            &[("if-unmodified-since", before)],
            &Err(S3Error::PreconditionFailed),
        );
        case(&[("if-unmodified-since", after)], &Ok(()));
        // If-Match holds: If-Unmodified-Since is not consulted.
        case(
            &[("if-match", "\"abc\""), ("if-unmodified-since", before)],
            &Ok(()),
        );
        // If-None-Match fails: If-Modified-Since is not consulted.
        case(
            &[("if-none-match", "\"x\""), ("if-modified-since", after)],
            &Ok(()),
        );
        let mut copy = HeaderMap::new();
        copy.insert(
            "x-amz-copy-source-if-none-match",
            "\"abc\"".parse().expect("value"),
        );
        assert_eq!(
            check(&copy, COPY_SOURCE, "\"abc\"", modified),
            Err(S3Error::PreconditionFailed)
        );
    }
}
