//! Versioning over HTTP: `PutBucketVersioning` and `GetBucketVersioning` (`?versioning`) and
//! `ListObjectVersions` (`GET ?versions`).

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Response, StatusCode};
use serde::Deserialize;

use super::error::S3Error;
use super::server::{Parameters, empty, xml_response};
use super::store::{ObjectStore, Versioning};
use super::xml;

/// The largest `ListObjectVersions` page.
const MAX_KEYS: usize = 1000;

/// `<VersioningConfiguration>`; `MfaDelete` is not kept.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct VersioningConfiguration {
    status: Option<String>,
}

impl ObjectStore {
    /// `PutBucketVersioning`: `Enabled` or `Suspended`.
    pub(super) fn put_bucket_versioning(
        &self,
        bucket: &str,
        body: &Bytes,
    ) -> Result<Response<Full<Bytes>>, S3Error> {
        let text = std::str::from_utf8(body).map_err(|_| S3Error::MalformedXml)?;
        let configuration: VersioningConfiguration =
            quick_xml::de::from_str(text).map_err(|_| S3Error::MalformedXml)?;
        let versioning = match configuration.status.as_deref() {
            Some("Enabled") => Versioning::Enabled,
            Some("Suspended") => Versioning::Suspended,
            _ => return Err(S3Error::MalformedXml),
        };
        self.set_versioning(bucket, versioning)?;
        Ok(empty(StatusCode::OK))
    }

    /// `GetBucketVersioning`: no `Status` until versioning was first enabled.
    pub(super) fn get_bucket_versioning(
        &self,
        bucket: &str,
    ) -> Result<Response<Full<Bytes>>, S3Error> {
        let status = match self.versioning(bucket)? {
            Versioning::Unversioned => None,
            Versioning::Enabled => Some("Enabled"),
            Versioning::Suspended => Some("Suspended"),
        };
        let elements: Vec<(&str, &str)> = status
            .map(|status| ("Status", status))
            .into_iter()
            .collect();
        Ok(xml_response(
            StatusCode::OK,
            xml::result("VersioningConfiguration", &elements),
        ))
    }

    /// `ListObjectVersions`: `prefix`, `key-marker` and `max-keys` (a page ends between keys).
    pub(super) fn list_object_versions(
        &self,
        bucket: &str,
        parameters: &Parameters,
    ) -> Result<Response<Full<Bytes>>, S3Error> {
        let parameter = |name: &str| parameters.get(name).map(String::as_str);
        if parameter("delimiter").is_some_and(|delimiter| !delimiter.is_empty()) {
            return Err(S3Error::NotImplemented(
                "ListObjectVersions with a delimiter".into(),
            ));
        }
        let prefix = parameter("prefix").unwrap_or("");
        let key_marker = parameter("key-marker").filter(|marker| !marker.is_empty());
        let max_keys = match parameter("max-keys") {
            None => MAX_KEYS,
            Some(text) => text.parse::<usize>().map_err(|_| {
                S3Error::InvalidArgument(format!("max-keys `{text}` is not a non-negative integer"))
            })?,
        }
        .clamp(1, MAX_KEYS);
        let page = self.list_versions(bucket, prefix, key_marker, max_keys)?;
        let max_text = max_keys.to_string();
        let echo = [
            ("Name", bucket),
            ("Prefix", prefix),
            ("KeyMarker", key_marker.unwrap_or("")),
            ("MaxKeys", max_text.as_str()),
        ];
        Ok(xml_response(
            StatusCode::OK,
            xml::list_versions_result(&echo, &page),
        ))
    }
}
