//! `GetObject` and `HeadObject`: the conditional headers (304/412), a byte range (206/416),
//! the stored headers and user metadata, and `response-*` overrides.

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{
    CONTENT_LENGTH, CONTENT_TYPE, ETAG, HeaderMap, HeaderName, HeaderValue, LAST_MODIFIED,
};
use hyper::http::request::Parts;
use hyper::{Method, Response, StatusCode};

use super::conditions::{self, READ};
use super::error::S3Error;
use super::server::{Parameters, empty, error_response, insert};
use super::store::{Object, ObjectStore};
use super::time::http_date;
use super::writes::checksum_headers;

const METADATA_PREFIX: &str = "x-amz-meta-";

/// The `response-*` query parameters of a `GET` and the headers they override.
const OVERRIDES: [(&str, &str); 6] = [
    ("response-content-type", "content-type"),
    ("response-content-language", "content-language"),
    ("response-expires", "expires"),
    ("response-cache-control", "cache-control"),
    ("response-content-disposition", "content-disposition"),
    ("response-content-encoding", "content-encoding"),
];

impl ObjectStore {
    /// `GetObject` or `HeadObject`.
    pub(super) fn read_object(
        &self,
        parts: &Parts,
        bucket: &str,
        key: &str,
        parameters: &Parameters,
    ) -> Result<Response<Full<Bytes>>, S3Error> {
        let object = match parameters.get("versionId") {
            Some(version) => self.get_version(bucket, key, version),
            None => self.get_object(bucket, key),
        };
        let object = match object {
            Ok(object) => object,
            Err(error) => return Ok(self.read_error(parts, bucket, key, &error)),
        };
        match conditions::check(&parts.headers, READ, &object.etag, object.last_modified) {
            Err(S3Error::NotModified) => {
                let mut response = empty(StatusCode::NOT_MODIFIED);
                insert(response.headers_mut(), ETAG.as_str(), &object.etag);
                let modified = http_date(object.last_modified);
                insert(response.headers_mut(), LAST_MODIFIED.as_str(), &modified);
                return Ok(response);
            }
            other => other?,
        }
        let size = object.body.len() as u64;
        let range = parts
            .headers
            .get("range")
            .and_then(|value| value.to_str().ok());
        let part = part_range(parameters, range, &object)?;
        let selected = match part {
            Some((first, last, _)) => Some((first, last)),
            None => conditions::byte_range(range, size)?,
        };
        let body = match selected {
            Some((first, last)) => object
                .body
                .slice(usize::try_from(first).unwrap_or(0)..=usize::try_from(last).unwrap_or(0)),
            None => object.body.clone(),
        };
        let length = body.len();
        let mut response = if parts.method == Method::HEAD {
            empty(StatusCode::OK)
        } else {
            Response::new(Full::new(body))
        };
        let headers = response.headers_mut();
        stored_headers(headers, &object);
        insert(headers, CONTENT_LENGTH.as_str(), &length.to_string());
        if let Some((first, last)) = selected {
            insert(
                headers,
                "content-range",
                &format!("bytes {first}-{last}/{size}"),
            );
            *response.status_mut() = StatusCode::PARTIAL_CONTENT;
        }
        if let Some((_, _, Some(count))) = part {
            insert(
                response.headers_mut(),
                "x-amz-mp-parts-count",
                &count.to_string(),
            );
        }
        // The checksum is of the whole object: S3 returns it only for a read of all of it.
        if selected.is_none()
            && parts
                .headers
                .get("x-amz-checksum-mode")
                .is_some_and(|mode| mode.as_bytes().eq_ignore_ascii_case(b"ENABLED"))
            && let Some(checksum) = &object.checksum
        {
            checksum_headers(response.headers_mut(), checksum);
        }
        if parts.method == Method::GET {
            for (parameter, header) in OVERRIDES {
                if let Some(value) = parameters.get(parameter)
                    && let Ok(value) = HeaderValue::from_str(value)
                {
                    response.headers_mut().insert(header, value);
                }
            }
        }
        Ok(response)
    }
}

impl ObjectStore {
    /// A failed read; a key hidden by a delete marker (or a delete marker read by its version
    /// id) says so in `x-amz-delete-marker`, as S3 does.
    fn read_error(
        &self,
        parts: &Parts,
        bucket: &str,
        key: &str,
        error: &S3Error,
    ) -> Response<Full<Bytes>> {
        let mut response = error_response(&parts.method, error);
        let marker = match error {
            S3Error::NoSuchKey(_) => self.delete_marker(bucket, key),
            S3Error::MethodNotAllowed => Some(String::new()),
            _ => None,
        };
        if let Some(version) = marker {
            insert(response.headers_mut(), "x-amz-delete-marker", "true");
            if !version.is_empty() {
                insert(response.headers_mut(), "x-amz-version-id", &version);
            }
        }
        response
    }
}

/// `?partNumber=N`: the bytes of part N of a multipart object (a single-part object is one
/// part), and the object's part count when it has parts; `None` without the parameter.
/// `InvalidRequest` together with `Range`, `InvalidPartNumber` past the last part.
fn part_range(
    parameters: &Parameters,
    range: Option<&str>,
    object: &Object,
) -> Result<Option<(u64, u64, Option<usize>)>, S3Error> {
    let Some(text) = parameters.get("partNumber") else {
        return Ok(None);
    };
    let number = text
        .parse::<usize>()
        .ok()
        .filter(|number| (1..=10_000).contains(number))
        .ok_or_else(|| {
            S3Error::InvalidArgument(
                "Part number must be an integer between 1 and 10000, inclusive".into(),
            )
        })?;
    if range.is_some() {
        return Err(S3Error::InvalidRequest(
            "Cannot specify both Range header and partNumber query parameter".into(),
        ));
    }
    let size = object.body.len() as u64;
    if object.parts.is_empty() {
        return if number == 1 && size > 0 {
            Ok(Some((0, size - 1, None)))
        } else {
            Err(S3Error::InvalidPartNumber)
        };
    }
    let Some(length) = object.parts.get(number - 1) else {
        return Err(S3Error::InvalidPartNumber);
    };
    let first: u64 = object.parts[..number - 1].iter().sum();
    Ok(Some((
        first,
        first + length.saturating_sub(1),
        Some(object.parts.len()),
    )))
}

/// The headers an object was stored with: type, tag, time, standard headers, user metadata.
fn stored_headers(headers: &mut HeaderMap, object: &Object) {
    insert(headers, CONTENT_TYPE.as_str(), &object.content_type);
    insert(headers, ETAG.as_str(), &object.etag);
    insert(
        headers,
        LAST_MODIFIED.as_str(),
        &http_date(object.last_modified),
    );
    insert(headers, "accept-ranges", "bytes");
    if let Some(version) = &object.version_id {
        insert(headers, "x-amz-version-id", version);
    }
    let metadata = object
        .metadata
        .iter()
        .map(|(name, value)| (format!("{METADATA_PREFIX}{name}"), value));
    let standard = object
        .standard
        .iter()
        .map(|(name, value)| (name.clone(), value));
    for (name, value) in standard.chain(metadata) {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::from_str(value)) {
            headers.insert(name, value);
        }
    }
}
