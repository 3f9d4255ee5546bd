//! `DeleteObjects`: up to 1,000 keys in one XML body, each deleted or refused on its own;
//! quiet mode reports only the refusals.

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::HeaderMap;
use hyper::{Response, StatusCode};
use serde::Deserialize;

use super::error::S3Error;
use super::server::xml_response;
use super::store::{Deleted, ObjectStore};
use super::xml::{self, Deletion};

/// The most keys one request deletes (`DeleteObjects` API reference).
const MAX_KEYS: usize = 1000;

/// `<Delete>`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Delete {
    #[serde(rename = "Object", default)]
    objects: Vec<ObjectIdentifier>,
    #[serde(default)]
    quiet: bool,
}

/// `<Object>`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ObjectIdentifier {
    key: String,
    version_id: Option<String>,
}

impl ObjectStore {
    /// `DeleteObjects`.
    pub(super) fn delete_objects(
        &self,
        bucket: &str,
        headers: &HeaderMap,
        body: &Bytes,
    ) -> Result<Response<Full<Bytes>>, S3Error> {
        // S3 requires an integrity header on this operation; every SDK sends one.
        let integrity = headers.contains_key("content-md5")
            || headers
                .keys()
                .any(|name| name.as_str().starts_with("x-amz-checksum-"));
        if !integrity {
            return Err(S3Error::InvalidRequest(
                "Missing required header for this request: Content-MD5 (or an x-amz-checksum-* header)"
                    .into(),
            ));
        }
        let text = std::str::from_utf8(body).map_err(|_| S3Error::MalformedXml)?;
        let request: Delete = quick_xml::de::from_str(text).map_err(|_| S3Error::MalformedXml)?;
        if request.objects.is_empty() || request.objects.len() > MAX_KEYS {
            return Err(S3Error::MalformedXml);
        }
        self.head_bucket(bucket)?;
        let results: Vec<Result<Deleted, S3Error>> = request
            .objects
            .iter()
            .map(|object| match object.version_id.as_deref() {
                Some(version) => self.delete_version(bucket, &object.key, version),
                None => self.delete_object(bucket, &object.key),
            })
            .collect();
        let outcomes: Vec<Deletion<'_>> = request
            .objects
            .iter()
            .zip(&results)
            .map(|(object, result)| match result {
                Ok(deleted) => Deletion::Deleted(&object.key, deleted),
                Err(error) => Deletion::Failed(&object.key, error),
            })
            .collect();
        Ok(xml_response(
            StatusCode::OK,
            xml::delete_result(&outcomes, request.quiet),
        ))
    }
}
