//! Writes: `PutObject` (conditional on `If-None-Match: *` or `If-Match`), `CopyObject` (with its
//! metadata directive and source conditions), and what a write's headers say about the object.

use std::collections::BTreeMap;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{CONTENT_TYPE, ETAG, HeaderMap};
use hyper::{Response, StatusCode};

use super::checksums::{self, Algorithm, Checksum};
use super::conditions::{self, COPY_SOURCE};
use super::error::S3Error;
use super::path::decode;
use super::server::{empty, insert, xml_response};
use super::store::{Object, ObjectHeaders, ObjectStore, WriteCondition};
use super::time::iso_8601;
use super::{chunked, xml};

const METADATA_PREFIX: &str = "x-amz-meta-";
const MAX_METADATA_BYTES: usize = 2 * 1024;

/// The standard headers S3 stores with an object and returns on `GET`/`HEAD`.
pub(super) const STANDARD_HEADERS: [&str; 5] = [
    "cache-control",
    "content-disposition",
    "content-encoding",
    "content-language",
    "expires",
];

impl ObjectStore {
    /// `PutObject`.
    pub(super) fn put(
        &self,
        bucket: &str,
        key: &str,
        headers: &HeaderMap,
        body: Bytes,
    ) -> Result<Response<Full<Bytes>>, S3Error> {
        let condition = write_condition(headers)?;
        let (body, sent) = request_payload(headers, body)?;
        let mut object_headers = object_headers(headers)?;
        // Without a checksum, S3 computes a CRC64NVME one.
        object_headers.checksum = Some(
            sent.clone()
                .unwrap_or_else(|| Checksum::of(Algorithm::Crc64Nvme, &body)),
        );
        let object = self.put_object(bucket, key, body, object_headers, &condition)?;
        let mut response = empty(StatusCode::OK);
        insert(response.headers_mut(), ETAG.as_str(), &object.etag);
        if let Some(checksum) = &sent {
            checksum_headers(response.headers_mut(), checksum);
        }
        version_header(response.headers_mut(), &object);
        Ok(response)
    }

    /// `CopyObject`: the source's bytes under `bucket`/`key`, with the source's headers
    /// (`x-amz-metadata-directive: COPY`, the default) or the request's (`REPLACE`).
    pub(super) fn copy_object(
        &self,
        bucket: &str,
        key: &str,
        headers: &HeaderMap,
    ) -> Result<Response<Full<Bytes>>, S3Error> {
        let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
        let (source_bucket, source_key, source) = self.copy_source_object(headers)?;
        let replace = match header("x-amz-metadata-directive") {
            None | Some("COPY") => false,
            Some("REPLACE") => true,
            Some(other) => {
                return Err(S3Error::InvalidArgument(format!(
                    "Unknown metadata directive `{other}`; S3 accepts COPY or REPLACE"
                )));
            }
        };
        if !replace && source_bucket == bucket && source_key == key {
            return Err(S3Error::InvalidRequest(
                "This copy request is illegal because it is trying to copy an object to itself \
                 without changing the object's metadata, storage class, website redirect location \
                 or encryption attributes."
                    .into(),
            ));
        }
        let object_headers = if replace {
            object_headers(headers)?
        } else {
            ObjectHeaders::of(&source)
        };
        let source_version = source.version_id.clone();
        let written = self.put_object(
            bucket,
            key,
            source.body,
            object_headers,
            &WriteCondition::Always,
        )?;
        let mut response = xml_response(
            StatusCode::OK,
            xml::result(
                "CopyObjectResult",
                &[
                    ("LastModified", &iso_8601(written.last_modified)),
                    ("ETag", &written.etag),
                ],
            ),
        );
        version_header(response.headers_mut(), &written);
        if let Some(version) = source_version {
            insert(
                response.headers_mut(),
                "x-amz-copy-source-version-id",
                &version,
            );
        }
        Ok(response)
    }
}

impl ObjectStore {
    /// The bucket, key and object `x-amz-copy-source` names (the version it names, if any),
    /// once the `x-amz-copy-source-if-*` conditions hold: what `CopyObject` and `UploadPartCopy`
    /// read.
    pub(super) fn copy_source_object(
        &self,
        headers: &HeaderMap,
    ) -> Result<(String, String, Object), S3Error> {
        let value = headers
            .get("x-amz-copy-source")
            .and_then(|value| value.to_str().ok())
            .unwrap_or("");
        let (bucket, key, version) = copy_source(value)?;
        let source = match &version {
            Some(version) => self.get_version(&bucket, &key, version)?,
            None => self.get_object(&bucket, &key)?,
        };
        conditions::check(headers, COPY_SOURCE, &source.etag, source.last_modified)?;
        Ok((bucket, key, source))
    }
}

/// `x-amz-copy-source`: `bucket/key` or `/bucket/key`, URL-encoded, with an optional
/// `?versionId=` naming the source's version.
pub(super) fn copy_source(value: &str) -> Result<(String, String, Option<String>), S3Error> {
    let (path, version) = value.split_once('?').unwrap_or((value, ""));
    let version = version.strip_prefix("versionId=").map(str::to_owned);
    let path = path.strip_prefix('/').unwrap_or(path);
    match path.split_once('/') {
        Some((bucket, key)) if !bucket.is_empty() && !key.is_empty() => {
            Ok((decode(bucket, false)?, decode(key, false)?, version))
        }
        _ => Err(S3Error::InvalidArgument(format!(
            "Copy Source must mention the source bucket and key: sourcebucket/sourcekey (got `{value}`)"
        ))),
    }
}

/// `x-amz-version-id` of an object written to a versioned bucket.
pub(super) fn version_header(headers: &mut HeaderMap, object: &Object) {
    if let Some(version) = &object.version_id {
        insert(headers, "x-amz-version-id", version);
    }
}

/// `If-None-Match: *` or `If-Match: "etag"` on a write; S3 implements no other `If-None-Match`.
pub(super) fn write_condition(headers: &HeaderMap) -> Result<WriteCondition, S3Error> {
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    match (header("if-none-match"), header("if-match")) {
        (Some("*"), _) => Ok(WriteCondition::IfAbsent),
        (Some(other), _) => Err(S3Error::NotImplemented(format!(
            "If-None-Match: {other} on a write (only `*` is supported, as in S3)"
        ))),
        (None, Some(tag)) => Ok(WriteCondition::IfMatch(tag.to_owned())),
        (None, None) => Ok(WriteCondition::Always),
    }
}

/// What a write's headers say about the object: `Content-Type`, user metadata, the standard
/// headers (`Content-Encoding` without the `aws-chunked` framing).
pub(super) fn object_headers(headers: &HeaderMap) -> Result<ObjectHeaders, S3Error> {
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    let mut standard = BTreeMap::new();
    for name in STANDARD_HEADERS {
        let Some(value) = header(name) else { continue };
        let value = if name == "content-encoding" {
            value
                .split(',')
                .map(str::trim)
                .filter(|part| !part.eq_ignore_ascii_case("aws-chunked"))
                .collect::<Vec<_>>()
                .join(",")
        } else {
            value.to_owned()
        };
        if !value.is_empty() {
            standard.insert(name.to_owned(), value);
        }
    }
    Ok(ObjectHeaders {
        content_type: header(CONTENT_TYPE.as_str()).map(str::to_owned),
        metadata: user_metadata(headers)?,
        standard,
        checksum: None,
    })
}

/// The `x-amz-meta-*` headers, names without the prefix; S3 refuses more than 2 KB of them
/// (names and values in UTF-8) with `MetadataTooLarge` (S3 User Guide, "Working with object
/// metadata": "the user-defined metadata is limited to 2 KB in size").
fn user_metadata(headers: &HeaderMap) -> Result<BTreeMap<String, String>, S3Error> {
    let mut metadata = BTreeMap::new();
    for (name, value) in headers {
        if let Some(name) = name.as_str().strip_prefix(METADATA_PREFIX) {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            metadata.insert(name.to_owned(), value);
        }
    }
    let size: usize = metadata
        .iter()
        .map(|(name, value)| name.len() + value.len())
        .sum();
    if size > MAX_METADATA_BYTES {
        return Err(S3Error::MetadataTooLarge);
    }
    Ok(metadata)
}

/// The object's bytes (the body as sent, or the payload of an `aws-chunked` body, checked
/// against `x-amz-decoded-content-length`) and the checksum the request carries, checked
/// against them.
pub(super) fn request_payload(
    headers: &HeaderMap,
    body: Bytes,
) -> Result<(Bytes, Option<Checksum>), S3Error> {
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    let chunked = header("content-encoding").is_some_and(|encoding| {
        encoding
            .split(',')
            .any(|part| part.trim().eq_ignore_ascii_case("aws-chunked"))
    }) || header("x-amz-content-sha256")
        .is_some_and(|hash| hash.starts_with("STREAMING-"));
    if !chunked {
        let checksum = checksums::verified(headers, &[], &body)?;
        return Ok((body, checksum));
    }
    let (payload, trailers) = chunked::decode(&body)?;
    let declared = header("x-amz-decoded-content-length");
    if let Some(declared) = declared.filter(|text| text.parse().ok() != Some(payload.len())) {
        return Err(S3Error::InvalidRequest(format!(
            "x-amz-decoded-content-length {declared} does not match the {} bytes sent",
            payload.len()
        )));
    }
    let checksum = checksums::verified(headers, &trailers, &payload)?;
    Ok((Bytes::from(payload), checksum))
}

/// `x-amz-checksum-<algorithm>` (and `x-amz-checksum-type: FULL_OBJECT`) for `checksum`.
pub(super) fn checksum_headers(headers: &mut HeaderMap, checksum: &Checksum) {
    insert(headers, checksum.algorithm.header(), &checksum.value);
    insert(headers, "x-amz-checksum-type", "FULL_OBJECT");
}
