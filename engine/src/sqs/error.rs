//! SQS errors and how the JSON protocol carries them: a `__type` shape name in the body and,
//! because the SDK is query-compatible, the legacy code in `x-amzn-query-error` — the code the
//! SDK actually matches on (e.g. `AWS.SimpleQueueService.NonExistentQueue` → `QueueDoesNotExist`).

use crate::budget::Exhausted;

/// An error an SQS operation answers with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SqsError {
    /// The queue named by `QueueUrl` or `QueueName` does not exist.
    #[error("The specified queue does not exist.")]
    QueueDoesNotExist,
    /// `CreateQueue` with an existing name but different attributes.
    #[error("A queue already exists with the same name and a different value for attribute {0}")]
    QueueAlreadyExists(String),
    /// A receipt handle that is malformed, of another queue, or no longer current.
    #[error("The input receipt handle \"{0}\" is not a valid receipt handle.")]
    ReceiptHandleIsInvalid(String),
    /// `ChangeMessageVisibility` on a message that is not in flight.
    #[error("Message does not exist or is not available for visibility timeout change.")]
    MessageNotInflight,
    /// An unknown attribute name.
    #[error("Unknown Attribute {0}.")]
    InvalidAttributeName(String),
    /// An attribute value out of range or malformed.
    #[error("Invalid value for the parameter {0}.")]
    InvalidAttributeValue(String),
    /// A request parameter out of range or not valid for this queue type.
    #[error("{0}")]
    InvalidParameterValue(String),
    /// A required parameter is missing.
    #[error("The request must contain the parameter {0}.")]
    MissingParameter(String),
    /// A batch without entries.
    #[error("There should be at least one entry in the request.")]
    EmptyBatchRequest,
    /// A batch with more than ten entries.
    #[error("Maximum number of entries per request are 10. You have sent {0}.")]
    TooManyEntriesInBatchRequest(usize),
    /// A batch whose messages together exceed the queue's maximum message size: (sent, limit).
    #[error("Batch requests cannot be longer than {1} bytes. You have sent {0} bytes.")]
    BatchRequestTooLong(usize, usize),
    /// Two batch entries with one id.
    #[error("Id {0} repeated.")]
    BatchEntryIdsNotDistinct(String),
    /// A queue named by an ARN, or a message move task, that does not exist.
    #[error("{0}")]
    ResourceNotFound(String),
    /// `CancelMessageMoveTask` of a task that is no longer running.
    #[error("Only a task with RUNNING status can be cancelled.")]
    MoveTaskNotRunning,
    /// An operation this engine does not implement.
    #[error("The operation {0} is not supported by the local engine.")]
    UnsupportedOperation(String),
    /// A body that is not the JSON the operation expects.
    #[error("{0}")]
    Serialization(String),
    /// A send past the engine's cap on bytes held; SQS's error for a violated limit.
    #[error("The specified action violates a limit: {0}.")]
    OverLimit(Exhausted),
    /// Fault injection: a random throttling answer.
    #[error("Rate exceeded (injected by the local engine's fault layer).")]
    Throttling,
    /// Fault injection: an outage.
    #[error(
        "The request has failed due to a temporary failure of the server (an outage injected by the local engine's fault layer)."
    )]
    ServiceUnavailable,
}

impl SqsError {
    /// The shape name for `__type` (prefixed with `com.amazonaws.sqs#`).
    pub fn shape(&self) -> &'static str {
        match self {
            Self::QueueDoesNotExist => "QueueDoesNotExist",
            Self::QueueAlreadyExists(_) => "QueueNameExists",
            Self::ReceiptHandleIsInvalid(_) => "ReceiptHandleIsInvalid",
            Self::MessageNotInflight => "MessageNotInflight",
            Self::InvalidAttributeName(_) => "InvalidAttributeName",
            Self::InvalidAttributeValue(_) => "InvalidAttributeValue",
            Self::InvalidParameterValue(_) => "InvalidParameterValueException",
            Self::MissingParameter(_) => "MissingRequiredParameterException",
            Self::EmptyBatchRequest => "EmptyBatchRequest",
            Self::TooManyEntriesInBatchRequest(_) => "TooManyEntriesInBatchRequest",
            Self::BatchEntryIdsNotDistinct(_) => "BatchEntryIdsNotDistinct",
            Self::BatchRequestTooLong(..) => "BatchRequestTooLong",
            Self::UnsupportedOperation(_) | Self::MoveTaskNotRunning => "UnsupportedOperation",
            Self::ResourceNotFound(_) => "ResourceNotFoundException",
            Self::Serialization(_) => "SerializationException",
            Self::OverLimit(_) => "OverLimit",
            Self::Throttling => "ThrottlingException",
            Self::ServiceUnavailable => "ServiceUnavailable",
        }
    }

    /// The HTTP status: 503 for an outage, 400 for everything else (the SQS API reference,
    /// "Common Errors").
    pub fn status(&self) -> hyper::StatusCode {
        match self {
            Self::ServiceUnavailable => hyper::StatusCode::SERVICE_UNAVAILABLE,
            _ => hyper::StatusCode::BAD_REQUEST,
        }
    }

    /// The query-protocol code for `x-amzn-query-error` and batch entries' `Code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::QueueDoesNotExist => "AWS.SimpleQueueService.NonExistentQueue",
            Self::QueueAlreadyExists(_) => "QueueAlreadyExists",
            Self::ReceiptHandleIsInvalid(_) => "ReceiptHandleIsInvalid",
            Self::MessageNotInflight => "AWS.SimpleQueueService.MessageNotInflight",
            Self::InvalidAttributeName(_) => "InvalidAttributeName",
            Self::InvalidAttributeValue(_) => "InvalidAttributeValue",
            Self::InvalidParameterValue(_) => "InvalidParameterValue",
            Self::MissingParameter(_) => "MissingParameter",
            Self::EmptyBatchRequest => "AWS.SimpleQueueService.EmptyBatchRequest",
            Self::TooManyEntriesInBatchRequest(_) => {
                "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"
            }
            Self::BatchEntryIdsNotDistinct(_) => "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
            Self::BatchRequestTooLong(..) => "AWS.SimpleQueueService.BatchRequestTooLong",
            Self::UnsupportedOperation(_) | Self::MoveTaskNotRunning => {
                "AWS.SimpleQueueService.UnsupportedOperation"
            }
            Self::ResourceNotFound(_) => "ResourceNotFoundException",
            Self::Serialization(_) => "SerializationException",
            Self::OverLimit(_) => "OverLimit",
            Self::Throttling => "ThrottlingException",
            Self::ServiceUnavailable => "ServiceUnavailable",
        }
    }

    /// `x-amzn-query-error`: `<code>;Sender`, or `;Receiver` for an outage (the server's fault).
    pub fn query_error_header(&self) -> String {
        let fault = match self {
            Self::ServiceUnavailable => "Receiver",
            _ => "Sender",
        };
        format!("{};{fault}", self.code())
    }

    /// The JSON body: `{"__type": "com.amazonaws.sqs#<Shape>", "message": ...}`.
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({
            "__type": format!("com.amazonaws.sqs#{}", self.shape()),
            "message": self.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_queue_carries_the_code_the_sdk_matches() {
        let error = SqsError::QueueDoesNotExist;
        assert_eq!(
            error.query_error_header(),
            "AWS.SimpleQueueService.NonExistentQueue;Sender"
        );
        assert_eq!(
            error.body()["__type"],
            "com.amazonaws.sqs#QueueDoesNotExist"
        );
    }
}
