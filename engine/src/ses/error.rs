//! SES v2 errors as its REST-JSON protocol carries them: the status, the error name in
//! `x-amzn-ErrorType`, and `{"message": ...}`.
//!
//! The errors `SendEmail` answers (status per error) are listed in the API reference,
//! <https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html#API_SendEmail_Errors>;
//! the REST-JSON error shape (`x-amzn-ErrorType`, a `message` member) is the `restJson1`
//! protocol's, <https://smithy.io/2.0/aws/protocols/aws-restjson1-protocol.html#operation-error-serialization>.

use hyper::StatusCode;
use serde_json::{Value, json};

/// An error `SendEmail` (or another SES v2 path) answers with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SesError {
    /// "The input you provided is invalid" (400). `None` is the body SES sends for a simple
    /// message without `FromEmailAddress`: `{"message": null}`.
    #[error("{}", .0.as_deref().unwrap_or("(no message)"))]
    BadRequest(Option<String>),
    /// "The message can't be sent because it contains invalid content" (400).
    #[error("{0}")]
    MessageRejected(String),
    /// "The resource you attempted to access doesn't exist" (404): a template or configuration
    /// set the engine does not have.
    #[error("{0}")]
    NotFound(String),
    /// "Too many requests have been made to the operation" (429): injected throttling.
    #[error("Rate exceeded (injected by the local engine's fault layer).")]
    TooManyRequests,
    /// An outage injected by the fault layer (503).
    #[error("Service unavailable (an outage injected by the local engine's fault layer).")]
    ServiceUnavailable,
    /// A path under `/v2/email/` other than `SendEmail`'s.
    #[error(
        "`{0}` is not an operation the local engine serves; its SES v2 serves SendEmail (POST /v2/email/outbound-emails)"
    )]
    UnknownOperation(String),
}

impl SesError {
    /// A `BadRequestException` with `message`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::BadRequest(Some(message.into()))
    }

    /// The error name, as `x-amzn-ErrorType` carries it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "BadRequestException",
            Self::MessageRejected(_) => "MessageRejected",
            Self::NotFound(_) => "NotFoundException",
            Self::TooManyRequests => "TooManyRequestsException",
            Self::ServiceUnavailable => "ServiceUnavailableException",
            Self::UnknownOperation(_) => "UnknownOperationException",
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound(_) | Self::UnknownOperation(_) => StatusCode::NOT_FOUND,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::BadRequest(_) | Self::MessageRejected(_) => StatusCode::BAD_REQUEST,
        }
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        match self {
            Self::BadRequest(None) => json!({ "message": null }),
            _ => json!({ "message": self.to_string() }),
        }
    }
}
