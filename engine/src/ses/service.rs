//! SES v2 as a service of the engine: requests under `/v2/email/` signed for the `SigV4` service
//! `ses` (S3 takes every other path), bodies up to [`MAX_REQUEST_BYTES`], faults answered as SES
//! does (`429 TooManyRequestsException`, a 503 outage) on `SendEmail`.

use http_body_util::{BodyExt as _, Full, LengthLimitError, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::http::request::Parts;
use hyper::{Method, Response, StatusCode};
use serde_json::json;

use super::error::SesError;
use super::message::{SentEmail, read};
use super::outbox::Outbox;
use crate::faults::Fault;
use crate::listener::Reply;
use crate::service::{Answer, AwsService, Route};

/// The name SES's faults are set under.
pub const NAME: &str = "ses";

/// The path every SES v2 operation is under.
const PREFIX: &str = "/v2/email/";

/// `SendEmail`'s path (`POST`).
const SEND_EMAIL: &str = "/v2/email/outbound-emails";

/// The largest request read: SES v2 takes messages up to 40 MB, base64 in JSON adds a third
/// ("Amazon SES quotas": "The maximum message size (including attachments) is 40 MB per message
/// after base64 encoding").
pub const MAX_REQUEST_BYTES: usize = 41 * 1024 * 1024;

/// The SES v2 service over an [`Outbox`].
#[derive(Debug, Clone)]
pub struct Ses {
    outbox: Outbox,
}

impl Ses {
    /// Sends into `outbox`.
    pub fn new(outbox: Outbox) -> Self {
        Self { outbox }
    }

    async fn answer(&self, parts: Parts, body: Incoming) -> Reply {
        if parts.method != Method::POST || parts.uri.path() != SEND_EMAIL {
            return error_reply(&SesError::UnknownOperation(format!(
                "{} {}",
                parts.method,
                parts.uri.path()
            )));
        }
        let body = match Limited::new(body, MAX_REQUEST_BYTES).collect().await {
            Ok(body) => body.to_bytes(),
            Err(error) => {
                return error_reply(&if error.is::<LengthLimitError>() {
                    SesError::MessageRejected(format!(
                        "Message length is more than {MAX_REQUEST_BYTES} bytes long."
                    ))
                } else {
                    SesError::bad_request(format!("cannot read the request body: {error}"))
                });
            }
        };
        match self.send(&body) {
            Ok(email) => respond(StatusCode::OK, &json!({ "MessageId": email.message_id })),
            Err(error) => error_reply(&error),
        }
    }

    fn send(&self, body: &[u8]) -> Result<SentEmail, SesError> {
        let sent_at = crate::s3::time::iso_8601(std::time::SystemTime::now());
        let email = read(body, message_id(), sent_at)?;
        self.outbox
            .deliver(email.clone())
            .map_err(|error| SesError::MessageRejected(error.to_string()))?;
        Ok(email)
    }
}

/// An id shaped like SES's: 16 hex digits, a UUID, `-000000`.
fn message_id() -> String {
    format!(
        "{:016x}-{}-000000",
        fastrand::u64(..),
        crate::sqs::message::new_uuid()
    )
}

/// An error as SES v2's REST-JSON protocol carries it.
fn error_reply(error: &SesError) -> Reply {
    let mut response = respond(error.status(), &error.body());
    response
        .headers_mut()
        .insert("x-amzn-ErrorType", HeaderValue::from_static(error.name()));
    response
}

fn respond(status: StatusCode, body: &serde_json::Value) -> Reply {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Ok(id) = HeaderValue::from_str(&crate::sqs::message::new_uuid()) {
        headers.insert("x-amzn-RequestId", id);
    }
    response
}

impl AwsService for Ses {
    fn name(&self) -> &'static str {
        NAME
    }

    fn description(&self) -> &'static str {
        "SES v2 (SendEmail)"
    }

    fn route(&self) -> Route {
        Route::Signed {
            prefix: PREFIX,
            signing_service: "ses",
        }
    }

    fn faultable(&self, request: &Parts) -> bool {
        request.uri.path() == SEND_EMAIL
    }

    fn fault_reply(&self, _request: &Parts, fault: Fault) -> Reply {
        error_reply(&match fault {
            Fault::Throttled => SesError::TooManyRequests,
            Fault::Unavailable => SesError::ServiceUnavailable,
        })
    }

    fn call(&self, request: Parts, body: Incoming) -> Answer<'_> {
        Box::pin(self.answer(request, body))
    }
}
