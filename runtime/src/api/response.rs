//! How an API request's end becomes its HTTP answer: the handler's status and body when it is
//! done; `400` with the reason and every problem when the request is invalid; `429` with
//! `Retry-After` when a dependency throttled; `503` (with `Retry-After` when known) for any other
//! failure. Never a bare `500`.

use std::time::Duration;

use aws_lambda_events::apigw::ApiGatewayV2httpResponse;
use aws_lambda_events::encodings::Body;
use aws_lambda_events::http::{HeaderMap, HeaderValue, header};
use serde_json::{Value, json};

use super::Respond;
use crate::batch::{FailureKind, RecordFailure};

/// The status a failure is answered with.
pub fn failure_status(failure: &RecordFailure) -> u16 {
    match failure.kind {
        FailureKind::Invalid => 400,
        FailureKind::Transient if failure.throttled => 429,
        FailureKind::Transient | FailureKind::Blocked => 503,
    }
}

/// The answer to a request that ended in `outcome`.
pub fn response_for<D: Respond>(outcome: &Result<D, RecordFailure>) -> ApiGatewayV2httpResponse {
    match outcome {
        Ok(done) => json_response(done.status(), &done.body(), None),
        Err(failure) => {
            let status = failure_status(failure);
            let body = match status {
                400 => json!({ "message": failure.reason, "problems": failure.problems }),
                429 => {
                    json!({ "message": "too many requests: a service this API depends on is throttling; retry later" })
                }
                // The reason names tables and endpoints: it goes to the log line, not the client.
                _ => {
                    json!({ "message": "temporarily unavailable: a service this API depends on is failing; retry later" })
                }
            };
            let retry_after = match status {
                429 => Some(failure.retry_after.unwrap_or(Duration::from_secs(1))),
                _ => failure.retry_after,
            };
            json_response(status, &body, retry_after)
        }
    }
}

/// A JSON answer with `status`, and `Retry-After` in whole seconds (at least 1) when given.
pub fn json_response(
    status: u16,
    body: &Value,
    retry_after: Option<Duration>,
) -> ApiGatewayV2httpResponse {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Some(wait) = retry_after {
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
    }
    let mut response = ApiGatewayV2httpResponse::default();
    response.status_code = i64::from(status);
    response.headers = headers;
    response.body = Some(Body::Text(body.to_string()));
    response.is_base64_encoded = false;
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Created;
    impl Respond for Created {
        fn status(&self) -> u16 {
            202
        }
        fn body(&self) -> Value {
            json!({"status": "accepted"})
        }
    }

    fn answer(outcome: &Result<Created, RecordFailure>) -> (i64, Option<String>, Value) {
        let response = response_for(outcome);
        let retry_after = response
            .headers
            .get(header::RETRY_AFTER)
            .map(|value| value.to_str().unwrap().to_owned());
        let Some(Body::Text(body)) = response.body else {
            panic!("a text body")
        };
        (
            response.status_code,
            retry_after,
            serde_json::from_str(&body).unwrap(),
        )
    }

    #[test]
    fn statuses_follow_the_failure() {
        let (status, retry, body) = answer(&Ok(Created));
        assert_eq!(
            (status, retry, body),
            (202, None, json!({"status": "accepted"}))
        );

        let invalid = RecordFailure::invalid_with(
            "invalid order",
            vec![crate::problem::Problem::new("/items", "must not be empty")],
        );
        let (status, retry, body) = answer(&Err(invalid));
        assert_eq!((status, retry), (400, None));
        assert_eq!(
            body,
            json!({"message": "invalid order", "problems": [{"pointer": "/items", "problem": "must not be empty"}]})
        );

        let (status, retry, _) = answer(&Err(RecordFailure::throttled(
            "SendMessage: RequestThrottled",
            None,
        )));
        assert_eq!((status, retry.as_deref()), (429, Some("1")));
        let (status, retry, _) = answer(&Err(RecordFailure::throttled(
            "throttled",
            Some(Duration::from_millis(2500)),
        )));
        assert_eq!((status, retry.as_deref()), (429, Some("3")));

        let (status, retry, body) =
            answer(&Err(RecordFailure::transient("PutItem orders: timed out")));
        assert_eq!((status, retry), (503, None));
        assert!(
            !body.to_string().contains("PutItem"),
            "internals stay in the log: {body}"
        );
        let open = RecordFailure::transient("circuit open").retry_after(Duration::from_secs(30));
        let (status, retry, _) = answer(&Err(open));
        assert_eq!((status, retry.as_deref()), (503, Some("30")));
        let blocked = RecordFailure::new(FailureKind::Blocked, "blocked");
        assert_eq!(answer(&Err(blocked)).0, 503);
    }
}
