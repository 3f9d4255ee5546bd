//! The few XML documents S3 answers with, written by hand: escaping, elements, and the
//! `ListAllMyBucketsResult` and `ListBucketResult` documents.

use std::fmt::Write as _;
use std::time::SystemTime;

use super::path::url_encode;
use super::store::ListPage;
use super::time::iso_8601;

/// The declaration every S3 XML body starts with.
pub(crate) const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// The S3 namespace of result documents.
pub(super) const NAMESPACE: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// Appends `<name>text</name>` with `text` escaped.
pub(crate) fn element(out: &mut String, name: &str, text: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    escape_into(out, text);
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// Appends `text` with the five XML special characters, and control characters XML 1.0 cannot
/// carry literally, escaped as character references.
pub(crate) fn escape_into(out: &mut String, text: &str) {
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => {
                let _ = write!(out, "&#x{:X};", u32::from(character));
            }
            control if control.is_control() && u32::from(control) < 0x20 => {
                // Not representable in XML 1.0 at all; S3 refuses such keys without url encoding.
                let _ = write!(out, "&#x{:X};", u32::from(control));
            }
            other => out.push(other),
        }
    }
}

/// `ListBuckets`.
pub(super) fn list_all_my_buckets(buckets: &[(String, SystemTime)]) -> String {
    let mut out = format!("{DECLARATION}<ListAllMyBucketsResult xmlns=\"{NAMESPACE}\">");
    out.push_str("<Owner><ID>local</ID><DisplayName>local</DisplayName></Owner><Buckets>");
    for (name, created) in buckets {
        out.push_str("<Bucket>");
        element(&mut out, "Name", name);
        element(&mut out, "CreationDate", &iso_8601(*created));
        out.push_str("</Bucket>");
    }
    out.push_str("</Buckets></ListAllMyBucketsResult>");
    out
}

/// The request parameters `ListObjectsV2` echoes back.
#[derive(Debug)]
pub(super) struct ListEcho<'a> {
    pub(super) bucket: &'a str,
    pub(super) prefix: &'a str,
    pub(super) delimiter: Option<&'a str>,
    pub(super) max_keys: usize,
    pub(super) continuation_token: Option<&'a str>,
    pub(super) start_after: Option<&'a str>,
    /// `encoding-type=url`: keys, prefixes, the delimiter and `StartAfter` are URL-encoded.
    pub(super) url_encoded: bool,
}

/// `ListObjectsV2`; `next_token` is the opaque form of `page.next_after`.
pub(super) fn list_bucket_result(
    echo: &ListEcho<'_>,
    page: &ListPage,
    next_token: Option<&str>,
) -> String {
    // With `encoding-type=url`, S3 encodes `Delimiter`, `Prefix`, `Key` and `StartAfter`
    // (ListObjectsV2 API reference, "EncodingType"); the tokens are opaque and stay as they are.
    let encoded = |text: &str| {
        if echo.url_encoded {
            url_encode(text)
        } else {
            text.to_owned()
        }
    };
    let mut out = format!("{DECLARATION}<ListBucketResult xmlns=\"{NAMESPACE}\">");
    element(&mut out, "Name", echo.bucket);
    element(&mut out, "Prefix", &encoded(echo.prefix));
    if let Some(delimiter) = echo.delimiter {
        element(&mut out, "Delimiter", &encoded(delimiter));
    }
    let key_count = page.contents.len() + page.common_prefixes.len();
    element(&mut out, "KeyCount", &key_count.to_string());
    element(&mut out, "MaxKeys", &echo.max_keys.to_string());
    if echo.url_encoded {
        element(&mut out, "EncodingType", "url");
    }
    element(&mut out, "IsTruncated", &page.is_truncated.to_string());
    if let Some(token) = echo.continuation_token {
        element(&mut out, "ContinuationToken", token);
    }
    if let Some(token) = next_token {
        element(&mut out, "NextContinuationToken", token);
    }
    if let Some(start_after) = echo.start_after {
        element(&mut out, "StartAfter", &encoded(start_after));
    }
    for object in &page.contents {
        out.push_str("<Contents>");
        element(&mut out, "Key", &encoded(&object.key));
        element(&mut out, "LastModified", &iso_8601(object.last_modified));
        element(&mut out, "ETag", &object.etag);
        element(&mut out, "Size", &object.size.to_string());
        element(&mut out, "StorageClass", "STANDARD");
        out.push_str("</Contents>");
    }
    for prefix in &page.common_prefixes {
        out.push_str("<CommonPrefixes>");
        element(&mut out, "Prefix", &encoded(prefix));
        out.push_str("</CommonPrefixes>");
    }
    out.push_str("</ListBucketResult>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_characters_are_escaped() {
        #[track_caller]
        fn case(input: &str, expected: &str) {
            let mut out = String::new();
            escape_into(&mut out, input);
            assert_eq!(out, expected);
        }
        case("plain/key.json", "plain/key.json");
        case("a&b<c>d\"e'f", "a&amp;b&lt;c&gt;d&quot;e&apos;f");
        case("line\nbreak", "line&#xA;break");
        case("ünïcödé/🦀", "ünïcödé/🦀");
    }
}
