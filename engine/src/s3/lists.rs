//! `ListObjectsV2` and `ListObjects` (v1): the request parameters onto a [`ListQuery`], the page
//! into a `ListBucketResult`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Response, StatusCode};

use super::error::S3Error;
use super::server::{Parameters, count, url_encoding, xml_response};
use super::store::{ListQuery, MAX_KEYS, ObjectStore, Resume};
use super::xml;

impl ObjectStore {
    pub(super) fn list_objects_v2(
        &self,
        bucket: &str,
        parameters: &Parameters,
    ) -> Result<Response<Full<Bytes>>, S3Error> {
        let parameter = |name: &str| parameters.get(name).map(String::as_str);
        let Common {
            url_encoded,
            prefix,
            max_keys,
            delimiter,
        } = Common::parse(parameters)?;
        let continuation_token = parameter("continuation-token");
        let after = match continuation_token {
            Some(token) => Some(decode_token(token)?),
            None => parameter("start-after").map(|key| Resume::AfterKey(key.to_owned())),
        };
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

    /// `ListObjects` (v1): `marker` instead of tokens; `NextMarker` only with a delimiter, as
    /// S3 sends it (without one, clients continue after the last key listed).
    pub(super) fn list_objects_v1(
        &self,
        bucket: &str,
        parameters: &Parameters,
    ) -> Result<Response<Full<Bytes>>, S3Error> {
        let Common {
            url_encoded,
            prefix,
            max_keys,
            delimiter,
        } = Common::parse(parameters)?;
        let marker = parameters
            .get("marker")
            .map(String::as_str)
            .filter(|marker| !marker.is_empty());
        // A marker that ends in the delimiter may be a common prefix a page ended on: resume
        // after everything under it, as S3 does.
        let after = marker.map(|marker| match delimiter {
            Some(delimiter) if marker.ends_with(delimiter) => {
                Resume::AfterPrefix(marker.to_owned())
            }
            _ => Resume::AfterKey(marker.to_owned()),
        });
        let query = ListQuery {
            prefix,
            delimiter,
            after: after.as_ref(),
            max_keys,
        };
        let page = self.list_objects(bucket, &query)?;
        let next_marker =
            page.next
                .as_ref()
                .filter(|_| delimiter.is_some())
                .map(|next| match next {
                    Resume::AfterKey(key) | Resume::AfterPrefix(key) => key.as_str(),
                });
        let echo = xml::ListEcho {
            bucket,
            prefix,
            delimiter,
            max_keys,
            continuation_token: None,
            start_after: None,
            url_encoded,
        };
        Ok(xml_response(
            StatusCode::OK,
            xml::list_bucket_result_v1(&echo, marker.unwrap_or(""), next_marker, &page),
        ))
    }
}

/// The parameters both versions take, checked.
struct Common<'a> {
    /// `encoding-type=url`: keys and prefixes come back URL-encoded (absent: as stored).
    url_encoded: bool,
    /// `prefix`, empty when absent.
    prefix: &'a str,
    /// `max-keys`, default [`MAX_KEYS`].
    max_keys: usize,
    /// `delimiter`; an empty one is none.
    delimiter: Option<&'a str>,
}

impl<'a> Common<'a> {
    fn parse(parameters: &'a Parameters) -> Result<Self, S3Error> {
        let parameter = |name: &str| parameters.get(name).map(String::as_str);
        let url_encoded = url_encoding(parameters)?;
        let max_keys = count(parameters, "max-keys", MAX_KEYS)?;
        Ok(Self {
            url_encoded,
            prefix: parameter("prefix").unwrap_or(""),
            max_keys,
            delimiter: parameter("delimiter").filter(|delimiter| !delimiter.is_empty()),
        })
    }
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
