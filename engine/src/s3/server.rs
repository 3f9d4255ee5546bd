//! HTTP: path-style S3 requests (`/bucket/key`) answered from an [`ObjectStore`], errors as S3
//! XML.

use std::collections::HashMap;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use hyper::http::request::Parts;
use hyper::{Method, Response, StatusCode};

use super::error::S3Error;
use super::path::{Target, query, target};
use super::store::ObjectStore;
use super::xml;

const XML: &str = "application/xml";

/// A request's decoded query parameters (`x-id` removed: the method and path name the
/// operation).
pub(super) type Parameters = HashMap<String, String>;

/// `encoding-type`: `url` lists keys URL-encoded, absent lists them as stored; any other value is
/// refused as S3 refuses it.
pub(super) fn url_encoding(parameters: &Parameters) -> Result<bool, S3Error> {
    match parameters.get("encoding-type").map(String::as_str) {
        None => Ok(false),
        Some("url") => Ok(true),
        Some(other) => Err(S3Error::InvalidArgument(format!(
            "Invalid Encoding Method `{other}` specified in Request"
        ))),
    }
}

/// A count parameter (`max-keys`, `max-uploads`, `part-number-marker`, ...), `default` when
/// absent.
pub(super) fn count(parameters: &Parameters, name: &str, default: usize) -> Result<usize, S3Error> {
    parameters.get(name).map_or(Ok(default), |text| {
        text.parse::<usize>().map_err(|_| {
            S3Error::InvalidArgument(format!("{name} `{text}` is not a non-negative integer"))
        })
    })
}

/// The `ListObjects` (v1) parameters; a bucket `GET` with only these is a v1 listing.
const LIST_V1_PARAMETERS: [&str; 5] =
    ["prefix", "marker", "delimiter", "max-keys", "encoding-type"];

impl ObjectStore {
    /// Answers a request whose body has been read.
    pub fn answer(&self, parts: &Parts, body: Bytes) -> Response<Full<Bytes>> {
        self.route(parts, body)
            .unwrap_or_else(|error| error_response(&parts.method, &error))
    }

    fn route(&self, parts: &Parts, body: Bytes) -> Result<Response<Full<Bytes>>, S3Error> {
        let mut parameters = query(parts.uri.query())?;
        parameters.remove("x-id");
        let has = |name: &str| parameters.contains_key(name);
        let method = &parts.method;
        match target(parts.uri.path())? {
            Target::Service if *method == Method::GET => Ok(xml_response(
                StatusCode::OK,
                xml::list_all_my_buckets(&self.buckets()),
            )),
            Target::Bucket(bucket) if parameters.is_empty() && *method != Method::GET => {
                self.bucket_call(&bucket, method)
            }
            Target::Bucket(bucket) if *method == Method::GET && has("list-type") => {
                if parameters.get("list-type").map(String::as_str) == Some("2") {
                    self.list_objects_v2(&bucket, &parameters)
                } else {
                    Err(S3Error::InvalidArgument(
                        "list-type must be 2 (ListObjectsV2) or absent (ListObjects)".into(),
                    ))
                }
            }
            Target::Bucket(bucket)
                if *method == Method::GET
                    && parameters
                        .keys()
                        .all(|name| LIST_V1_PARAMETERS.contains(&name.as_str())) =>
            {
                self.list_objects_v1(&bucket, &parameters)
            }
            Target::Bucket(bucket) if *method == Method::POST && has("delete") => {
                self.delete_objects(&bucket, &parts.headers, &body)
            }
            Target::Bucket(bucket) if has("versioning") && parameters.len() == 1 => match *method {
                Method::PUT => self.put_bucket_versioning(&bucket, &body),
                Method::GET => self.get_bucket_versioning(&bucket),
                _ => Err(not_implemented(method, &parameters)),
            },
            Target::Bucket(bucket) if *method == Method::GET && has("uploads") => {
                self.list_multipart_uploads(&bucket, &parameters)
            }
            Target::Bucket(bucket) if *method == Method::GET && has("versions") => {
                self.list_object_versions(&bucket, &parameters)
            }
            Target::Bucket(bucket) if *method == Method::GET && has("location") => {
                // The engine's one region is us-east-1, whose constraint S3 sends empty.
                self.head_bucket(&bucket)?;
                Ok(xml_response(
                    StatusCode::OK,
                    xml::result("LocationConstraint", &[]),
                ))
            }
            Target::Object { bucket, key } => {
                self.object_call(parts, &bucket, &key, &parameters, body)
            }
            _ => Err(not_implemented(method, &parameters)),
        }
    }

    /// `CreateBucket`, `HeadBucket`, `DeleteBucket`.
    fn bucket_call(&self, bucket: &str, method: &Method) -> Result<Response<Full<Bytes>>, S3Error> {
        match *method {
            Method::PUT => {
                self.create_bucket(bucket)?;
                let mut response = empty(StatusCode::OK);
                insert(response.headers_mut(), "location", &format!("/{bucket}"));
                Ok(response)
            }
            Method::HEAD => {
                self.head_bucket(bucket)?;
                Ok(empty(StatusCode::OK))
            }
            Method::DELETE => {
                self.delete_bucket(bucket)?;
                Ok(empty(StatusCode::NO_CONTENT))
            }
            _ => Err(S3Error::NotImplemented(format!("{method} on a bucket"))),
        }
    }

    /// Object operations, multipart uploads included.
    fn object_call(
        &self,
        parts: &Parts,
        bucket: &str,
        key: &str,
        parameters: &Parameters,
        body: Bytes,
    ) -> Result<Response<Full<Bytes>>, S3Error> {
        let has = |name: &str| parameters.contains_key(name);
        let upload_id = parameters.get("uploadId").map(String::as_str);
        let method = &parts.method;
        match (method, upload_id) {
            (&Method::POST, None) if has("uploads") => {
                self.create_multipart_upload(bucket, key, &parts.headers)
            }
            (&Method::PUT, Some(upload_id)) if has("partNumber") => {
                if parts.headers.contains_key("x-amz-copy-source") {
                    return self.upload_part_copy(
                        bucket,
                        key,
                        upload_id,
                        parameters,
                        &parts.headers,
                    );
                }
                self.upload_part_call(bucket, key, upload_id, parameters, &parts.headers, body)
            }
            (&Method::POST, Some(upload_id)) => {
                self.complete_multipart_upload(bucket, key, upload_id, &parts.headers, &body)
            }
            (&Method::DELETE, Some(upload_id)) => {
                self.abort_upload(bucket, key, upload_id)?;
                Ok(empty(StatusCode::NO_CONTENT))
            }
            (&Method::GET, Some(upload_id)) => {
                self.list_parts_call(bucket, key, upload_id, parameters)
            }
            (&Method::GET | &Method::HEAD, None)
                if parameters.keys().all(|name| {
                    name.starts_with("response-") || name == "versionId" || name == "partNumber"
                }) =>
            {
                self.read_object(parts, bucket, key, parameters)
            }
            (&Method::PUT, None) if parameters.is_empty() => {
                if parts.headers.contains_key("x-amz-copy-source") {
                    self.copy_object(bucket, key, &parts.headers)
                } else {
                    self.put(bucket, key, &parts.headers, body)
                }
            }
            (&Method::DELETE, None)
                if parameters.is_empty() || (parameters.len() == 1 && has("versionId")) =>
            {
                let deleted = match parameters.get("versionId") {
                    Some(version) => self.delete_version(bucket, key, version)?,
                    None => self.delete_object(bucket, key)?,
                };
                let mut response = empty(StatusCode::NO_CONTENT);
                if let Some(version) = &deleted.version_id {
                    insert(response.headers_mut(), "x-amz-version-id", version);
                }
                if deleted.delete_marker {
                    insert(response.headers_mut(), "x-amz-delete-marker", "true");
                }
                Ok(response)
            }
            _ => Err(not_implemented(method, parameters)),
        }
    }
}

/// `NotImplemented` naming the method and the query's parameter names.
fn not_implemented(method: &Method, parameters: &Parameters) -> S3Error {
    let mut names: Vec<&str> = parameters.keys().map(String::as_str).collect();
    names.sort_unstable();
    S3Error::NotImplemented(format!("{method} ?{}", names.join("&")))
}

pub(super) fn request_id() -> String {
    format!("{:016X}", fastrand::u64(..))
}

pub(super) fn empty(status: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    insert(response.headers_mut(), "x-amz-request-id", &request_id());
    response
}

pub(super) fn xml_response(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(XML));
    insert(headers, "x-amz-request-id", &request_id());
    response
}

/// An error as S3 sends it; a `HEAD` answer carries the status alone.
pub(crate) fn error_response(method: &Method, error: &S3Error) -> Response<Full<Bytes>> {
    if *method == Method::HEAD {
        return empty(error.status());
    }
    let id = request_id();
    let mut response = xml_response(error.status(), error.body(&id));
    insert(response.headers_mut(), "x-amz-request-id", &id);
    response
}

/// Inserts a header; values that are not valid header text are left out.
pub(super) fn insert(headers: &mut HeaderMap, name: &'static str, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(name, value);
    }
}

#[cfg(test)]
#[path = "server_tests.rs"]
mod tests;
