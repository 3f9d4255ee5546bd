//! The request target: path-style `/bucket/key` and the query string, percent-decoded.

use std::collections::HashMap;

use super::error::S3Error;

/// What a path-style request names.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Target {
    /// `/`: the service.
    Service,
    /// `/bucket` or `/bucket/`.
    Bucket(String),
    /// `/bucket/key`; the key may contain `/`.
    Object {
        /// The bucket.
        bucket: String,
        /// The decoded key.
        key: String,
    },
}

/// Splits the raw (still encoded) path at its first `/` after the bucket, then decodes each
/// part, so an encoded `%2F` stays inside the key.
pub(super) fn target(raw_path: &str) -> Result<Target, S3Error> {
    let path = raw_path.strip_prefix('/').unwrap_or(raw_path);
    if path.is_empty() {
        return Ok(Target::Service);
    }
    let (bucket, key) = path.split_once('/').unwrap_or((path, ""));
    let bucket = decode(bucket, false)?;
    if key.is_empty() {
        return Ok(Target::Bucket(bucket));
    }
    Ok(Target::Object {
        bucket,
        key: decode(key, false)?,
    })
}

/// The query parameters, decoded; a parameter without `=` maps to the empty string.
pub(super) fn query(raw_query: Option<&str>) -> Result<HashMap<String, String>, S3Error> {
    let mut parameters = HashMap::new();
    for pair in raw_query
        .unwrap_or("")
        .split('&')
        .filter(|pair| !pair.is_empty())
    {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        parameters.insert(decode(name, true)?, decode(value, true)?);
    }
    Ok(parameters)
}

/// `encoding-type=url` as S3 applies it to listed keys: every UTF-8 byte outside
/// `A-Z a-z 0-9 - _ . ~ /` percent-encoded, a space as `%20` (S3's `EncodingType` doc:
/// "`test_file(3).png` will appear as `test_file%283%29.png`"; ceph's s3-tests, which run against
/// AWS, expect `quux ab/` → `quux%20ab/` and `foo+1/` → `foo%2B1/` in
/// `test_bucket_listv2_encoding_basic`).
pub(super) fn url_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                encoded.push(char::from(byte));
            }
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                encoded.push('%');
                encoded.push(char::from(HEX[usize::from(byte >> 4)]));
                encoded.push(char::from(HEX[usize::from(byte & 0x0f)]));
            }
        }
    }
    encoded
}

/// Percent-decoding into UTF-8; in a query, `+` is a space.
pub(super) fn decode(text: &str, plus_is_space: bool) -> Result<String, S3Error> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'%' => {
                let byte = bytes
                    .get(index + 1..index + 3)
                    .and_then(|hex| std::str::from_utf8(hex).ok())
                    .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                    .ok_or_else(|| {
                        S3Error::InvalidRequest(format!("bad percent-encoding in `{text}`"))
                    })?;
                decoded.push(byte);
                index += 3;
            }
            b'+' if plus_is_space => {
                decoded.push(b' ');
                index += 1;
            }
            other => {
                decoded.push(other);
                index += 1;
            }
        }
    }
    String::from_utf8(decoded)
        .map_err(|_| S3Error::InvalidRequest(format!("`{text}` does not decode to UTF-8")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_keys_are_url_encoded_as_s3_does() {
        #[track_caller]
        fn case(key: &str, expected: &str) {
            assert_eq!(url_encode(key), expected);
        }
        case("test_file(3).png", "test_file%283%29.png");
        case("a b+c", "a%20b%2Bc");
        case("quux ab/", "quux%20ab/");
        case("dir/sub/é.txt", "dir/sub/%C3%A9.txt");
        case("x\u{1}&=?%", "x%01%26%3D%3F%25");
        case("keep-_.~", "keep-_.~");
    }

    #[test]
    fn paths_name_service_bucket_or_object() {
        #[track_caller]
        fn case(path: &str, expected: &Target) {
            assert_eq!(&target(path).expect("valid path"), expected);
        }
        let object = |bucket: &str, key: &str| Target::Object {
            bucket: bucket.into(),
            key: key.into(),
        };
        case("/", &Target::Service);
        case("/invoices", &Target::Bucket("invoices".into()));
        case("/invoices/", &Target::Bucket("invoices".into()));
        case(
            "/invoices/2026/11/a.json",
            &object("invoices", "2026/11/a.json"),
        );
        case("/invoices/a%2Fb", &object("invoices", "a/b"));
        case("/invoices/%2Flead", &object("invoices", "/lead"));
        case("/invoices/caf%C3%A9%20+x", &object("invoices", "café +x"));
        assert!(target("/b/%zz").is_err());
        assert!(target("/b/%FF").is_err());
    }

    #[test]
    fn query_parameters_are_decoded() {
        let parameters =
            query(Some("list-type=2&prefix=a%2Fb+c&x-id=GetObject&uploads")).expect("valid");
        assert_eq!(parameters["list-type"], "2");
        assert_eq!(parameters["prefix"], "a/b c");
        assert_eq!(parameters["uploads"], "");
    }
}
