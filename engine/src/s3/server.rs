//! HTTP: path-style S3 requests (`/bucket/key`) answered from an [`ObjectStore`], errors as S3
//! XML.

use std::collections::{BTreeMap, HashMap};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{
    CONTENT_LENGTH, CONTENT_TYPE, ETAG, HeaderMap, HeaderName, HeaderValue, LAST_MODIFIED,
};
use hyper::http::request::Parts;
use hyper::{Method, Response, StatusCode};

use super::error::S3Error;
use super::path::{Target, query, target};
use super::store::{ListQuery, MAX_KEYS, ObjectHeaders, ObjectStore, Resume};
use super::time::http_date;
use super::{chunked, xml};

const XML: &str = "application/xml";
const METADATA_PREFIX: &str = "x-amz-meta-";
const MAX_METADATA_BYTES: usize = 2 * 1024;

impl ObjectStore {
    /// Answers a request whose body has been read.
    pub fn answer(&self, parts: &Parts, body: Bytes) -> Response<Full<Bytes>> {
        self.route(parts, body)
            .unwrap_or_else(|error| error_response(&parts.method, &error))
    }

    fn route(&self, parts: &Parts, body: Bytes) -> Result<Response<Full<Bytes>>, S3Error> {
        let mut parameters = query(parts.uri.query())?;
        // The SDK names the operation in `x-id`; the method and path already say it.
        parameters.remove("x-id");
        let subresource = || {
            let mut names: Vec<&str> = parameters.keys().map(String::as_str).collect();
            names.sort_unstable();
            S3Error::NotImplemented(format!("{} ?{}", parts.method, names.join("&")))
        };
        match (target(parts.uri.path())?, &parts.method) {
            (Target::Service, &Method::GET) => Ok(xml_response(
                StatusCode::OK,
                xml::list_all_my_buckets(&self.buckets()),
            )),
            (Target::Bucket(bucket), method) if parameters.is_empty() => match *method {
                Method::PUT => {
                    self.create_bucket(&bucket)?;
                    let mut response = empty(StatusCode::OK);
                    insert(response.headers_mut(), "location", &format!("/{bucket}"));
                    Ok(response)
                }
                Method::HEAD => {
                    self.head_bucket(&bucket)?;
                    Ok(empty(StatusCode::OK))
                }
                Method::DELETE => {
                    self.delete_bucket(&bucket)?;
                    Ok(empty(StatusCode::NO_CONTENT))
                }
                Method::GET => Err(S3Error::NotImplemented("ListObjects (v1)".into())),
                _ => Err(S3Error::NotImplemented(format!("{method} on a bucket"))),
            },
            (Target::Bucket(bucket), &Method::GET)
                if parameters.get("list-type").map(String::as_str) == Some("2") =>
            {
                self.list_objects_v2(&bucket, &parameters)
            }
            (Target::Object { bucket, key }, method) if parameters.is_empty() => match *method {
                Method::PUT => self.put(&bucket, &key, &parts.headers, body),
                Method::GET | Method::HEAD => {
                    if parts.headers.contains_key("range") {
                        return Err(S3Error::NotImplemented("GetObject with Range".into()));
                    }
                    let object = self.get_object(&bucket, &key)?;
                    let length = object.body.len();
                    let mut response = if *method == Method::HEAD {
                        empty(StatusCode::OK)
                    } else {
                        Response::new(Full::new(object.body))
                    };
                    let headers = response.headers_mut();
                    insert(headers, CONTENT_TYPE.as_str(), &object.content_type);
                    insert(headers, CONTENT_LENGTH.as_str(), &length.to_string());
                    insert(headers, ETAG.as_str(), &object.etag);
                    insert(
                        headers,
                        LAST_MODIFIED.as_str(),
                        &http_date(object.last_modified),
                    );
                    insert(headers, "accept-ranges", "bytes");
                    for (name, value) in &object.metadata {
                        if let (Ok(name), Ok(value)) = (
                            HeaderName::try_from(format!("{METADATA_PREFIX}{name}")),
                            HeaderValue::from_str(value),
                        ) {
                            headers.insert(name, value);
                        }
                    }
                    Ok(response)
                }
                Method::DELETE => {
                    self.delete_object(&bucket, &key)?;
                    Ok(empty(StatusCode::NO_CONTENT))
                }
                _ => Err(S3Error::NotImplemented(format!("{method} on an object"))),
            },
            _ => Err(subresource()),
        }
    }

    fn put(
        &self,
        bucket: &str,
        key: &str,
        headers: &HeaderMap,
        body: Bytes,
    ) -> Result<Response<Full<Bytes>>, S3Error> {
        let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
        if headers.contains_key("x-amz-copy-source") {
            return Err(S3Error::NotImplemented("CopyObject".into()));
        }
        let if_none_match = match header("if-none-match") {
            None => false,
            Some("*") => true,
            Some(other) => {
                return Err(S3Error::NotImplemented(format!(
                    "If-None-Match: {other} (only `*` is supported, as in S3)"
                )));
            }
        };
        let body = request_payload(header, body)?;
        let object_headers = ObjectHeaders {
            content_type: header(CONTENT_TYPE.as_str()).map(str::to_owned),
            metadata: user_metadata(headers)?,
        };
        let etag = self.put_object(bucket, key, body, object_headers, if_none_match)?;
        let mut response = empty(StatusCode::OK);
        insert(response.headers_mut(), ETAG.as_str(), &etag);
        Ok(response)
    }

    fn list_objects_v2(
        &self,
        bucket: &str,
        parameters: &HashMap<String, String>,
    ) -> Result<Response<Full<Bytes>>, S3Error> {
        let parameter = |name: &str| parameters.get(name).map(String::as_str);
        let url_encoded = match parameter("encoding-type") {
            None => false,
            Some("url") => true,
            Some(other) => {
                return Err(S3Error::InvalidArgument(format!(
                    "Invalid Encoding Method `{other}` specified in Request"
                )));
            }
        };
        let prefix = parameter("prefix").unwrap_or("");
        let max_keys = match parameter("max-keys") {
            None => MAX_KEYS,
            Some(text) => text.parse::<usize>().map_err(|_| {
                S3Error::InvalidArgument(format!("max-keys `{text}` is not a non-negative integer"))
            })?,
        };
        let continuation_token = parameter("continuation-token");
        let after = match continuation_token {
            Some(token) => Some(decode_token(token)?),
            None => parameter("start-after").map(|key| Resume::AfterKey(key.to_owned())),
        };
        let delimiter = parameter("delimiter").filter(|delimiter| !delimiter.is_empty());
        let query = ListQuery {
            prefix,
            delimiter,
            after: after.as_ref(),
            max_keys,
        };
        let page = self.list_objects(bucket, &query)?;
        let next_token = page.next.as_ref().map(encode_token);
        let echo = xml::ListEcho {
            bucket,
            prefix,
            delimiter,
            max_keys,
            continuation_token,
            start_after: parameter("start-after"),
            url_encoded,
        };
        Ok(xml_response(
            StatusCode::OK,
            xml::list_bucket_result(&echo, &page, next_token.as_deref()),
        ))
    }
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

/// The object's bytes: the body as sent, or the payload of an `aws-chunked` body, checked
/// against `x-amz-decoded-content-length`.
fn request_payload<'a>(
    header: impl Fn(&str) -> Option<&'a str>,
    body: Bytes,
) -> Result<Bytes, S3Error> {
    let chunked = header("content-encoding").is_some_and(|encoding| {
        encoding
            .split(',')
            .any(|part| part.trim().eq_ignore_ascii_case("aws-chunked"))
    }) || header("x-amz-content-sha256")
        .is_some_and(|hash| hash.starts_with("STREAMING-"));
    if !chunked {
        return Ok(body);
    }
    let payload = chunked::decode(&body)?;
    let declared = header("x-amz-decoded-content-length");
    if let Some(declared) = declared.filter(|text| text.parse().ok() != Some(payload.len())) {
        return Err(S3Error::InvalidRequest(format!(
            "x-amz-decoded-content-length {declared} does not match the {} bytes sent",
            payload.len()
        )));
    }
    Ok(Bytes::from(payload))
}

/// Continuation tokens are opaque to clients: `k` and the last key returned, or `p` and the
/// last common prefix, base64url-encoded.
fn encode_token(after: &Resume) -> String {
    let marked = match after {
        Resume::AfterKey(key) => format!("k{key}"),
        Resume::AfterPrefix(prefix) => format!("p{prefix}"),
    };
    URL_SAFE_NO_PAD.encode(marked)
}

fn decode_token(token: &str) -> Result<Resume, S3Error> {
    let marked = URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok());
    match marked.as_deref().map(|marked| marked.split_at_checked(1)) {
        Some(Some(("k", key))) => Ok(Resume::AfterKey(key.to_owned())),
        Some(Some(("p", prefix))) => Ok(Resume::AfterPrefix(prefix.to_owned())),
        _ => Err(S3Error::InvalidArgument(
            "The continuation token provided is incorrect".into(),
        )),
    }
}

fn request_id() -> String {
    format!("{:016X}", fastrand::u64(..))
}

fn empty(status: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    insert(response.headers_mut(), "x-amz-request-id", &request_id());
    response
}

fn xml_response(status: StatusCode, body: String) -> Response<Full<Bytes>> {
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
fn insert(headers: &mut HeaderMap, name: &'static str, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(name, value);
    }
}

#[cfg(test)]
#[path = "server_tests.rs"]
mod tests;
