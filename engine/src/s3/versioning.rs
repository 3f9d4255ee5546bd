//! Versioning over HTTP: `PutBucketVersioning` and `GetBucketVersioning` (`?versioning`) and
//! `ListObjectVersions` (`GET ?versions`).

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Response, StatusCode};
use serde::Deserialize;

use super::error::S3Error;
use super::server::{Parameters, count, empty, url_encoding, xml_response};
use super::store::{ObjectStore, Versioning, VersionsQuery};
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

    /// `ListObjectVersions`: `prefix`, `delimiter`, `key-marker`, `version-id-marker`,
    /// `max-keys` and `encoding-type=url`.
    pub(super) fn list_object_versions(
        &self,
        bucket: &str,
        parameters: &Parameters,
    ) -> Result<Response<Full<Bytes>>, S3Error> {
        let parameter = |name: &str| parameters.get(name).map(String::as_str);
        let url_encoded = url_encoding(parameters)?;
        let max_keys = count(parameters, "max-keys", MAX_KEYS)?.min(MAX_KEYS);
        let query = VersionsQuery {
            prefix: parameter("prefix").unwrap_or(""),
            delimiter: parameter("delimiter").filter(|delimiter| !delimiter.is_empty()),
            key_marker: parameter("key-marker"),
            version_id_marker: parameter("version-id-marker"),
            max: max_keys,
        };
        let page = self.list_versions(bucket, &query)?;
        let echo = xml::VersionsEcho {
            bucket,
            prefix: query.prefix,
            delimiter: query.delimiter,
            key_marker: query.key_marker.unwrap_or(""),
            version_id_marker: query.version_id_marker.unwrap_or(""),
            max_keys,
            url_encoded,
        };
        Ok(xml_response(
            StatusCode::OK,
            xml::list_versions_result(&echo, &page),
        ))
    }
}
