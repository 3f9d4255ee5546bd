//! Multipart uploads over HTTP: `CreateMultipartUpload` (`POST ?uploads`), `UploadPart`
//! (`PUT ?partNumber&uploadId`), `CompleteMultipartUpload` (`POST ?uploadId`, an XML list of
//! parts), `AbortMultipartUpload` (`DELETE ?uploadId`) and `ListParts` (`GET ?uploadId`).

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{ETAG, HOST, HeaderMap};
use hyper::{Response, StatusCode};
use serde::Deserialize;

use super::error::S3Error;
use super::server::{Parameters, empty, insert, xml_response};
use super::store::ObjectStore;
use super::writes::{object_headers, request_payload, version_header, write_condition};
use super::xml;

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
        let number = parameters
            .get("partNumber")
            .and_then(|text| text.parse::<u32>().ok())
            .ok_or_else(|| {
                S3Error::InvalidArgument(
                    "Part number must be an integer between 1 and 10000, inclusive".into(),
                )
            })?;
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
        let number = |name: &str, default: usize| {
            parameters.get(name).map_or(Ok(default), |text| {
                text.parse::<usize>().map_err(|_| {
                    S3Error::InvalidArgument(format!(
                        "{name} `{text}` is not a non-negative integer"
                    ))
                })
            })
        };
        let marker = number("part-number-marker", 0)?;
        let max_parts = number("max-parts", MAX_PARTS)?.min(MAX_PARTS);
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
