//! HTTP: `POST /` with `X-Amz-Target: AmazonSQS.<Operation>` and a JSON body, answered with
//! `application/x-amz-json-1.0`; errors are status 400 with `__type` and `x-amzn-query-error`.

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use hyper::{Response, StatusCode};

use super::error::SqsError;
use super::message::new_uuid;
use super::operations::{Shared, dispatch};
use crate::listener::Reply;

/// The JSON protocol's content type.
pub const JSON: &str = "application/x-amz-json-1.0";
const TARGET_PREFIX: &str = "AmazonSQS.";

/// Answers one request whose body has been read.
pub async fn answer(shared: &Shared, headers: &HeaderMap, body: &Bytes) -> Reply {
    let target = headers
        .get("x-amz-target")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix(TARGET_PREFIX));
    let result = match target {
        None => Err(SqsError::UnsupportedOperation(
            "(no X-Amz-Target: AmazonSQS.<Operation> header)".into(),
        )),
        Some(operation) => dispatch(shared, operation, body).await,
    };
    match result {
        Ok(value) => respond(StatusCode::OK, &value, None),
        Err(error) => error_reply(&error),
    }
}

/// An error as the JSON protocol carries it.
pub fn error_reply(error: &SqsError) -> Reply {
    respond(
        error.status(),
        &error.body(),
        Some(error.query_error_header()),
    )
}

fn respond(
    status: StatusCode,
    body: &serde_json::Value,
    query_error: Option<String>,
) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
    if let Ok(id) = HeaderValue::from_str(&new_uuid()) {
        headers.insert("x-amzn-requestid", id);
    }
    if let Some(value) = query_error.and_then(|value| HeaderValue::from_str(&value).ok()) {
        headers.insert("x-amzn-query-error", value);
    }
    response
}
