//! Multipart uploads over HTTP: `CreateMultipartUpload` (`POST ?uploads`), `UploadPart`
//! (`PUT ?partNumber&uploadId`), `CompleteMultipartUpload` (`POST ?uploadId`, an XML list of
//! parts), `AbortMultipartUpload` (`DELETE ?uploadId`), `ListParts` (`GET ?uploadId`) and
//! `UploadPartCopy` (`PUT ?partNumber&uploadId` with `x-amz-copy-source`).

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{ETAG, HOST, HeaderMap};
use hyper::{Response, StatusCode};
use serde::Deserialize;

use std::time::SystemTime;

use super::error::S3Error;
use super::server::{Parameters, count, empty, insert, url_encoding, xml_response};
use super::store::{ObjectStore, UploadsQuery};
use super::time::{iso_8601, whole_seconds};
use super::writes::{object_headers, request_payload, version_header, write_condition};
use super::xml;

/// `partNumber`, a number (its range is checked with the part).
fn part_number(parameters: &Parameters) -> Result<u32, S3Error> {
    parameters
        .get("partNumber")
        .and_then(|text| text.parse::<u32>().ok())
        .ok_or_else(|| {
            S3Error::InvalidArgument(
                "Part number must be an integer between 1 and 10000, inclusive".into(),
            )
        })
}

/// `x-amz-copy-source-range: bytes=first-last`, both inside a source of `size` bytes.
fn copy_range(range: &str, size: u64) -> Result<(u64, u64), S3Error> {
    let invalid = || {
        S3Error::InvalidArgument(format!(
            "Range specified is not valid for source object of size: {size}"
        ))
    };
    let (first, last) = range
        .trim()
        .strip_prefix("bytes=")
        .and_then(|bounds| bounds.split_once('-'))
        .ok_or_else(|| {
            S3Error::InvalidArgument(format!(
                "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy (got `{range}`)"
            ))
        })?;
    let first: u64 = first.trim().parse().map_err(|_| invalid())?;
    let last: u64 = last.trim().parse().map_err(|_| invalid())?;
    if first > last || last >= size {
        return Err(invalid());
    }
    Ok((first, last))
}

/// The largest `ListMultipartUploads` page.
const MAX_UPLOADS: usize = 1000;

/// The largest `ListParts` page.
const MAX_PARTS: usize = 1000;

/// `<CompleteMultipartUpload>`.
#[derive(Debug, Deserialize)]
struct CompleteMultipartUpload {
    #[serde(rename = "Part", default)]
    parts: Vec<CompletedPart>,
}

/// `<Part>`; checksums the client may add are ignored.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CompletedPart {
    part_number: u32,
    #[serde(rename = "ETag")]
    etag: String,
}

impl ObjectStore {
    /// `CreateMultipartUpload`: the object's headers are taken now.
    pub(super) fn create_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        headers: &HeaderMap,
    ) -> Result<Response<Full<Bytes>>, S3Error> {
        let upload_id = self.create_upload(bucket, key, object_headers(headers)?)?;
        Ok(xml_response(
            StatusCode::OK,
            xml::result(
                "InitiateMultipartUploadResult",
                &[("Bucket", bucket), ("Key", key), ("UploadId", &upload_id)],
            ),
        ))
    }

    /// `UploadPart`.
    pub(super) fn upload_part_call(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        parameters: &Parameters,
        headers: &HeaderMap,
        body: Bytes,
    ) -> Result<Response<Full<Bytes>>, S3Error> {
        let number = part_number(parameters)?;
        let (body, checksum) = request_payload(headers, body)?;
        let etag = self.upload_part(bucket, key, upload_id, number, body)?;
        let mut response = empty(StatusCode::OK);
        insert(response.headers_mut(), ETAG.as_str(), &etag);
        if let Some(checksum) = &checksum {
            insert(
                response.headers_mut(),
                checksum.algorithm.header(),
                &checksum.value,
            );
        }
        Ok(response)
    }

    /// `UploadPartCopy`: part `partNumber` is the bytes of `x-amz-copy-source` (a version of it
    /// with `?versionId=`), all of them or the `x-amz-copy-source-range`, under the
    /// `x-amz-copy-source-if-*` conditions.
    pub(super) fn upload_part_copy(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        parameters: &Parameters,
        headers: &HeaderMap,
    ) -> Result<Response<Full<Bytes>>, S3Error> {
        let number = part_number(parameters)?;
        let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
        let (_, _, source) = self.copy_source_object(headers)?;
        let size = source.body.len() as u64;
        let body = match header("x-amz-copy-source-range") {
            None => source.body.clone(),
            Some(range) => {
                let (first, last) = copy_range(range, size)?;
                source.body.slice(
                    usize::try_from(first).unwrap_or(usize::MAX)
                        ..=usize::try_from(last).unwrap_or(usize::MAX),
                )
            }
        };
        let etag = self.upload_part(bucket, key, upload_id, number, body)?;
        let mut response = xml_response(
            StatusCode::OK,
            xml::result(
                "CopyPartResult",
                &[
                    ("LastModified", &iso_8601(whole_seconds(SystemTime::now()))),
                    ("ETag", &etag),
                ],
            ),
        );
        if let Some(version) = &source.version_id {
            insert(
                response.headers_mut(),
                "x-amz-copy-source-version-id",
                version,
            );
        }
        Ok(response)
    }

    /// `ListMultipartUploads`: `prefix`, `delimiter`, `key-marker`, `upload-id-marker`,
    /// `max-uploads` and `encoding-type=url`.
    pub(super) fn list_multipart_uploads(
        &self,
        bucket: &str,
        parameters: &Parameters,
    ) -> Result<Response<Full<Bytes>>, S3Error> {
        let parameter = |name: &str| parameters.get(name).map(String::as_str);
        let url_encoded = url_encoding(parameters)?;
        let max = count(parameters, "max-uploads", MAX_UPLOADS)?.min(MAX_UPLOADS);
        let query = UploadsQuery {
            prefix: parameter("prefix").unwrap_or(""),
            delimiter: parameter("delimiter").filter(|delimiter| !delimiter.is_empty()),
            key_marker: parameter("key-marker"),
            upload_id_marker: parameter("upload-id-marker"),
            max,
        };
        let page = self.list_uploads(bucket, &query)?;
        Ok(xml_response(
            StatusCode::OK,
            xml::list_uploads_result(&query, bucket, url_encoded, &page),
        ))
    }

    /// `CompleteMultipartUpload`.
    pub(super) fn complete_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        headers: &HeaderMap,
        body: &Bytes,
    ) -> Result<Response<Full<Bytes>>, S3Error> {
        let text = std::str::from_utf8(body).map_err(|_| S3Error::MalformedXml)?;
        let request: CompleteMultipartUpload =
            quick_xml::de::from_str(text).map_err(|_| S3Error::MalformedXml)?;
        let chosen: Vec<(u32, String)> = request
            .parts
            .into_iter()
            .map(|part| (part.part_number, part.etag))
            .collect();
        let condition = write_condition(headers)?;
        let object = self.complete_upload(bucket, key, upload_id, &chosen, &condition)?;
        let host = headers
            .get(HOST)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("127.0.0.1");
        let location = format!("http://{host}/{bucket}/{key}");
        let mut response = xml_response(
            StatusCode::OK,
            xml::result(
                "CompleteMultipartUploadResult",
                &[
                    ("Location", &location),
                    ("Bucket", bucket),
                    ("Key", key),
                    ("ETag", &object.etag),
                ],
            ),
        );
        version_header(response.headers_mut(), &object);
        Ok(response)
    }

    /// `ListParts`: `part-number-marker` and `max-parts` page through the parts.
    pub(super) fn list_parts_call(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        parameters: &Parameters,
    ) -> Result<Response<Full<Bytes>>, S3Error> {
        let marker = count(parameters, "part-number-marker", 0)?;
        let max_parts = count(parameters, "max-parts", MAX_PARTS)?.min(MAX_PARTS);
        let marker = u32::try_from(marker).unwrap_or(u32::MAX);
        let page = self.list_parts(bucket, key, upload_id, marker, max_parts)?;
        let next = page.parts.last().map(|part| part.number);
        let (marker_text, max_text) = (marker.to_string(), max_parts.to_string());
        let echo = [
            ("Bucket", bucket),
            ("Key", key),
            ("UploadId", upload_id),
            ("PartNumberMarker", marker_text.as_str()),
            ("MaxParts", max_text.as_str()),
        ];
        Ok(xml_response(
            StatusCode::OK,
            xml::list_parts_result(&echo, &page.parts, next, page.is_truncated),
        ))
    }
}
