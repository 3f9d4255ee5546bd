//! HTTP: `POST /` with `X-Amz-Target: AmazonSQS.<Operation>` and a JSON body, answered with
//! `application/x-amz-json-1.0`; errors are status 400 with `__type` and `x-amzn-query-error`.

use std::convert::Infallible;

use http_body_util::{BodyExt as _, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Request, Response, StatusCode};

use super::error::SqsError;
use super::message::new_uuid;
use super::operations::{Shared, dispatch};

const JSON: &str = "application/x-amz-json-1.0";
const TARGET_PREFIX: &str = "AmazonSQS.";

/// Answers one request.
pub async fn handle(
    shared: Shared,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let target = request
        .headers()
        .get("x-amz-target")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix(TARGET_PREFIX))
        .map(str::to_owned);
    let result = match target {
        None => Err(SqsError::UnsupportedOperation(
            "(no X-Amz-Target: AmazonSQS.<Operation> header)".into(),
        )),
        Some(operation) => match request.into_body().collect().await {
            Ok(body) => dispatch(&shared, &operation, &body.to_bytes()).await,
            Err(error) => Err(SqsError::Serialization(error.to_string())),
        },
    };
    Ok(match result {
        Ok(value) => respond(StatusCode::OK, &value, None),
        Err(error) => respond(
            StatusCode::BAD_REQUEST,
            &error.body(),
            Some(error.query_error_header()),
        ),
    })
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
