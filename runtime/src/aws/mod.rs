//! The AWS SDK adapters of the ports: S3 as the [`ObjectStore`](crate::ports::ObjectStore), SQS
//! as the [`QueueSender`](crate::ports::QueueSender), DynamoDB as the
//! [`TableStore`](crate::ports::TableStore), SES v2 as the
//! [`MailSender`](crate::ports::MailSender), EventBridge as the
//! [`EventPublisher`](crate::ports::EventPublisher). `AWS_ENDPOINT_URL` (moto, the local engine) is
//! honoured by the SDK; with an endpoint set, S3 uses path-style addressing. Every adapter turns
//! the SDK's own retries off: retries are the runtime's (backoff with jitter inside a circuit
//! breaker).

mod dynamodb;
mod eventbridge;
pub mod gather;
mod s3;
mod sesv2;
mod sqs;

pub use dynamodb::DynamoTable;
pub use eventbridge::EventBridgePublisher;
pub use s3::S3Store;
pub use sesv2::SesMailer;
pub use sqs::{Released, SqsSender, VisibilityRelease};

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};

use crate::ports::PortError;
use crate::resilience::ErrorClass;

/// Loads the shared SDK configuration from the environment; every call (all its attempts) is
/// bounded by `operation_timeout`, so a hung store call fails as transient (`timed out`) instead
/// of holding the record until the Lambda deadline.
pub async fn sdk_config(operation_timeout: std::time::Duration) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .operation_timeout(operation_timeout)
                .connect_timeout(operation_timeout.min(std::time::Duration::from_secs(3)))
                .build(),
        )
        .load()
        .await
}

/// Turns an SDK error into a [`PortError`], deciding whether retrying may help.
fn port_error<E>(operation: String, error: &SdkError<E, HttpResponse>) -> PortError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let mut throttled = false;
    let mut ambiguous = false;
    let (class, message) = match error {
        SdkError::TimeoutError(_) => {
            ambiguous = true;
            (ErrorClass::Transient, "timed out".to_owned())
        }
        SdkError::DispatchFailure(failure) => {
            // A refused connection never carried the request; anything else may have.
            ambiguous = !connection_refused(error);
            (
                ErrorClass::Transient,
                format!("could not reach the service: {failure:?}"),
            )
        }
        SdkError::ResponseError(_) => {
            ambiguous = true;
            (ErrorClass::Transient, "unreadable response".to_owned())
        }
        SdkError::ServiceError(service) => {
            let err = service.err();
            let code = err.code().unwrap_or("Unknown");
            let status = service.raw().status().as_u16();
            throttled = is_throttling(code) || status == 429;
            let class = match code {
                _ if throttled => ErrorClass::Transient,
                "InternalError"
                | "InternalServerError"
                | "ServiceUnavailable"
                | "RequestTimeout" => ErrorClass::Transient,
                _ => ErrorClass::from_status(status),
            };
            (
                class,
                format!("{code}: {}", err.message().unwrap_or("no message")),
            )
        }
        other => (ErrorClass::Permanent, other.to_string()),
    };
    PortError {
        operation,
        message,
        class,
        throttled,
        ambiguous,
    }
}

/// The error codes AWS services throttle with: S3 (`SlowDown`), SQS (`RequestThrottled`),
/// DynamoDB (`ProvisionedThroughputExceededException`, `ThrottlingException`,
/// `RequestLimitExceeded`), SES (`Throttling`, `TooManyRequestsException`).
fn is_throttling(code: &str) -> bool {
    matches!(
        code,
        "SlowDown"
            | "Throttling"
            | "ThrottlingException"
            | "RequestThrottled"
            | "TooManyRequestsException"
            | "ProvisionedThroughputExceededException"
            | "RequestLimitExceeded"
    )
}

/// Whether the error's cause is a refused TCP connection (nothing was sent).
fn connection_refused(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = error.source();
    while let Some(current) = cause {
        if let Some(io) = current.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return true;
        }
        cause = current.source();
    }
    false
}
