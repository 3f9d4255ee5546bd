//! The AWS SDK adapters of the ports: S3 as the [`ObjectStore`](crate::ports::ObjectStore), SQS
//! as the [`QueueSender`](crate::ports::QueueSender). `AWS_ENDPOINT_URL` (moto, the local
//! engine) is honoured by the SDK; with an endpoint set, S3 uses path-style addressing.

mod s3;
mod sqs;

pub use s3::S3Store;
pub use sqs::SqsSender;

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
    E: ProvideErrorMetadata + std::error::Error,
{
    let (class, message) = match error {
        SdkError::TimeoutError(_) => (ErrorClass::Transient, "timed out".to_owned()),
        SdkError::DispatchFailure(failure) => (
            ErrorClass::Transient,
            format!("could not reach the service: {failure:?}"),
        ),
        SdkError::ResponseError(_) => (ErrorClass::Transient, "unreadable response".to_owned()),
        SdkError::ServiceError(service) => {
            let err = service.err();
            let code = err.code().unwrap_or("Unknown");
            let class = match code {
                "SlowDown"
                | "Throttling"
                | "ThrottlingException"
                | "RequestThrottled"
                | "InternalError"
                | "ServiceUnavailable"
                | "RequestTimeout" => ErrorClass::Transient,
                _ => ErrorClass::from_status(service.raw().status().as_u16()),
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
    }
}
