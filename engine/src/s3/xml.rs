//! The XML documents S3 answers with, written by hand: escaping, elements, listings, and the
//! small result documents of copies, deletions and multipart uploads.

use std::fmt::Write as _;
use std::time::SystemTime;

use super::error::S3Error;
use super::path::url_encode;
use super::store::{
    Deleted, ListPage, ListedVersion, UploadedPart, UploadsPage, UploadsQuery, VersionsPage,
};
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
    contents_and_prefixes(&mut out, page, encoded);
    out.push_str("</ListBucketResult>");
    out
}

/// `ListObjects` (v1): `Marker` echoed, `NextMarker` when given.
pub(super) fn list_bucket_result_v1(
    echo: &ListEcho<'_>,
    marker: &str,
    next_marker: Option<&str>,
    page: &ListPage,
) -> String {
    // With `encoding-type=url`, v1 encodes `Delimiter`, `Marker`, `Prefix`, `NextMarker` and
    // `Key` (ListObjects API reference, "EncodingType").
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
    element(&mut out, "Marker", &encoded(marker));
    if let Some(next) = next_marker {
        element(&mut out, "NextMarker", &encoded(next));
    }
    element(&mut out, "MaxKeys", &echo.max_keys.to_string());
    if let Some(delimiter) = echo.delimiter {
        element(&mut out, "Delimiter", &encoded(delimiter));
    }
    if echo.url_encoded {
        element(&mut out, "EncodingType", "url");
    }
    element(&mut out, "IsTruncated", &page.is_truncated.to_string());
    contents_and_prefixes(&mut out, page, encoded);
    out.push_str("</ListBucketResult>");
    out
}

/// A listing's `Contents` and `CommonPrefixes`, keys and prefixes through `encoded`.
fn contents_and_prefixes(out: &mut String, page: &ListPage, encoded: impl Fn(&str) -> String) {
    for object in &page.contents {
        out.push_str("<Contents>");
        element(out, "Key", &encoded(&object.key));
        element(out, "LastModified", &iso_8601(object.last_modified));
        element(out, "ETag", &object.etag);
        element(out, "Size", &object.size.to_string());
        element(out, "StorageClass", "STANDARD");
        out.push_str("</Contents>");
    }
    for prefix in &page.common_prefixes {
        out.push_str("<CommonPrefixes>");
        element(out, "Prefix", &encoded(prefix));
        out.push_str("</CommonPrefixes>");
    }
}

/// A result document: `<name xmlns=..>` then `(element, text)` pairs.
pub(super) fn result(name: &str, elements: &[(&str, &str)]) -> String {
    let mut out = format!("{DECLARATION}<{name} xmlns=\"{NAMESPACE}\">");
    for (element_name, text) in elements {
        element(&mut out, element_name, text);
    }
    out.push_str("</");
    out.push_str(name);
    out.push('>');
    out
}

/// `ListParts`.
pub(super) fn list_parts_result(
    echo: &[(&str, &str)],
    parts: &[UploadedPart],
    next_marker: Option<u32>,
    is_truncated: bool,
) -> String {
    let mut out = format!("{DECLARATION}<ListPartsResult xmlns=\"{NAMESPACE}\">");
    for (name, text) in echo {
        element(&mut out, name, text);
    }
    if let Some(next) = next_marker {
        element(&mut out, "NextPartNumberMarker", &next.to_string());
    }
    element(&mut out, "IsTruncated", &is_truncated.to_string());
    element(&mut out, "StorageClass", "STANDARD");
    for part in parts {
        out.push_str("<Part>");
        element(&mut out, "PartNumber", &part.number.to_string());
        element(&mut out, "LastModified", &iso_8601(part.last_modified));
        element(&mut out, "ETag", &part.etag);
        element(&mut out, "Size", &part.body.len().to_string());
        out.push_str("</Part>");
    }
    out.push_str("</ListPartsResult>");
    out
}

/// One key's outcome in `DeleteObjects`.
#[derive(Debug)]
pub(super) enum Deletion<'a> {
    /// Deleted (or absent, which S3 reports alike).
    Deleted(&'a str, &'a Deleted),
    /// Refused with this error.
    Failed(&'a str, &'a S3Error),
}

/// `DeleteObjects`; in quiet mode only the failures.
pub(super) fn delete_result(outcomes: &[Deletion<'_>], quiet: bool) -> String {
    let mut out = format!("{DECLARATION}<DeleteResult xmlns=\"{NAMESPACE}\">");
    for outcome in outcomes {
        match outcome {
            Deletion::Deleted(key, deleted) if !quiet => {
                out.push_str("<Deleted>");
                element(&mut out, "Key", key);
                match (&deleted.version_id, deleted.delete_marker) {
                    (Some(version), true) => {
                        element(&mut out, "DeleteMarker", "true");
                        element(&mut out, "DeleteMarkerVersionId", version);
                    }
                    (Some(version), false) => element(&mut out, "VersionId", version),
                    (None, _) => {}
                }
                out.push_str("</Deleted>");
            }
            Deletion::Deleted(..) => {}
            Deletion::Failed(key, error) => {
                out.push_str("<Error>");
                element(&mut out, "Key", key);
                element(&mut out, "Code", error.code());
                element(&mut out, "Message", &error.to_string());
                out.push_str("</Error>");
            }
        }
    }
    out.push_str("</DeleteResult>");
    out
}

/// `ListObjectVersions`: versions and delete markers, newest first per key.
/// `ListMultipartUploadsResult`; with `url_encoded`, keys, prefixes, markers and the delimiter
/// are URL-encoded (`ListMultipartUploads` API reference, `EncodingType`).
pub(super) fn list_uploads_result(
    query: &UploadsQuery<'_>,
    bucket: &str,
    url_encoded: bool,
    page: &UploadsPage,
) -> String {
    let encoded = |text: &str| {
        if url_encoded {
            url_encode(text)
        } else {
            text.to_owned()
        }
    };
    let mut out = format!("{DECLARATION}<ListMultipartUploadsResult xmlns=\"{NAMESPACE}\">");
    element(&mut out, "Bucket", bucket);
    element(
        &mut out,
        "KeyMarker",
        &encoded(query.key_marker.unwrap_or("")),
    );
    element(
        &mut out,
        "UploadIdMarker",
        query.upload_id_marker.unwrap_or(""),
    );
    if page.is_truncated {
        element(
            &mut out,
            "NextKeyMarker",
            &encoded(page.next_key_marker.as_deref().unwrap_or("")),
        );
        element(
            &mut out,
            "NextUploadIdMarker",
            page.next_upload_id_marker.as_deref().unwrap_or(""),
        );
    }
    element(&mut out, "Prefix", &encoded(query.prefix));
    if let Some(delimiter) = query.delimiter {
        element(&mut out, "Delimiter", &encoded(delimiter));
    }
    element(&mut out, "MaxUploads", &query.max.to_string());
    if url_encoded {
        element(&mut out, "EncodingType", "url");
    }
    element(&mut out, "IsTruncated", &page.is_truncated.to_string());
    for upload in &page.uploads {
        out.push_str("<Upload>");
        element(&mut out, "Key", &encoded(&upload.key));
        element(&mut out, "UploadId", &upload.upload_id);
        for party in ["Initiator", "Owner"] {
            out.push('<');
            out.push_str(party);
            out.push('>');
            element(&mut out, "ID", "local");
            element(&mut out, "DisplayName", "local");
            out.push_str("</");
            out.push_str(party);
            out.push('>');
        }
        element(&mut out, "StorageClass", "STANDARD");
        element(&mut out, "Initiated", &iso_8601(upload.initiated));
        out.push_str("</Upload>");
    }
    for prefix in &page.common_prefixes {
        out.push_str("<CommonPrefixes>");
        element(&mut out, "Prefix", &encoded(prefix));
        out.push_str("</CommonPrefixes>");
    }
    out.push_str("</ListMultipartUploadsResult>");
    out
}

/// What `ListObjectVersions` echoes of its request.
pub(super) struct VersionsEcho<'a> {
    pub(super) bucket: &'a str,
    pub(super) prefix: &'a str,
    pub(super) delimiter: Option<&'a str>,
    pub(super) key_marker: &'a str,
    pub(super) version_id_marker: &'a str,
    pub(super) max_keys: usize,
    pub(super) url_encoded: bool,
}

pub(super) fn list_versions_result(echo: &VersionsEcho<'_>, page: &VersionsPage) -> String {
    // With `encoding-type=url`, S3 encodes `Delimiter`, `KeyMarker`, `Prefix`, `NextKeyMarker`
    // and `Key` (ListObjectVersions API reference, "EncodingType").
    let encoded = |text: &str| {
        if echo.url_encoded {
            url_encode(text)
        } else {
            text.to_owned()
        }
    };
    let mut out = format!("{DECLARATION}<ListVersionsResult xmlns=\"{NAMESPACE}\">");
    element(&mut out, "Name", echo.bucket);
    element(&mut out, "Prefix", &encoded(echo.prefix));
    element(&mut out, "KeyMarker", &encoded(echo.key_marker));
    element(&mut out, "VersionIdMarker", echo.version_id_marker);
    element(&mut out, "MaxKeys", &echo.max_keys.to_string());
    if let Some(delimiter) = echo.delimiter {
        element(&mut out, "Delimiter", &encoded(delimiter));
    }
    if echo.url_encoded {
        element(&mut out, "EncodingType", "url");
    }
    element(&mut out, "IsTruncated", &page.is_truncated.to_string());
    if page.is_truncated {
        if let Some(key) = &page.next_key_marker {
            element(&mut out, "NextKeyMarker", &encoded(key));
        }
        if let Some(version) = &page.next_version_id_marker {
            element(&mut out, "NextVersionIdMarker", version);
        }
    }
    for ListedVersion {
        key,
        version,
        is_latest,
    } in &page.versions
    {
        let name = if version.object.is_some() {
            "Version"
        } else {
            "DeleteMarker"
        };
        out.push('<');
        out.push_str(name);
        out.push('>');
        element(&mut out, "Key", &encoded(key));
        element(&mut out, "VersionId", &version.id);
        element(&mut out, "IsLatest", &is_latest.to_string());
        element(&mut out, "LastModified", &iso_8601(version.last_modified));
        if let Some(object) = &version.object {
            element(&mut out, "ETag", &object.etag);
            element(&mut out, "Size", &object.body.len().to_string());
            element(&mut out, "StorageClass", "STANDARD");
        }
        out.push_str("</");
        out.push_str(name);
        out.push('>');
    }
    for prefix in &page.common_prefixes {
        out.push_str("<CommonPrefixes>");
        element(&mut out, "Prefix", &encoded(prefix));
        out.push_str("</CommonPrefixes>");
    }
    out.push_str("</ListVersionsResult>");
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
