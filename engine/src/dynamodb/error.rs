//! DynamoDB errors as the JSON protocol carries them: status 400 (500/503 for server faults),
//! `__type` `com.amazonaws.dynamodb.v20120810#<Shape>` and `message`.

use hyper::StatusCode;
use serde_json::{Value, json};

/// An error a DynamoDB operation answers with.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DynamoError {
    /// The table does not exist (the message differs per operation).
    #[error("{0}")]
    ResourceNotFound(String),
    /// `CreateTable` with a name already taken.
    #[error("Table already exists: {0}")]
    ResourceInUse(String),
    /// A request AWS rejects before looking at data.
    #[error("{0}")]
    Validation(String),
    /// A `ConditionExpression` that evaluated to false; carries the old item when asked for
    /// with `ReturnValuesOnConditionCheckFailure: ALL_OLD`.
    #[error("The conditional request failed")]
    ConditionalCheckFailed(Option<Value>),
    /// A transaction with an action that could not go through: one reason per action, in
    /// request order (`{"Code": "None"}` for the others).
    #[error("Transaction cancelled, please refer cancellation reasons for specific reasons [{}]", codes(.0))]
    TransactionCanceled(Vec<Value>),
    /// A `ClientRequestToken` reused with another request within its 10 minutes.
    #[error(
        "DynamoDB rejected the request because you retried a request with a different payload but with an idempotent token that was already used."
    )]
    IdempotentParameterMismatch,
    /// More index changes at once than DynamoDB takes.
    #[error("{0}")]
    LimitExceeded(String),
    /// A write past the engine's byte cap.
    #[error("{0}")]
    OverCap(String),
    /// An operation the engine does not implement.
    #[error("The operation {0} is not supported by the local engine.")]
    UnknownOperation(String),
    /// A body that is not JSON.
    #[error("{0}")]
    Serialization(String),
    /// Fault injection: throttling.
    #[error("Rate exceeded (injected by the local engine's fault layer).")]
    Throttling,
    /// Fault injection: an outage.
    #[error("Service unavailable (an outage injected by the local engine's fault layer).")]
    Unavailable,
}

impl DynamoError {
    /// A `ValidationException` with `message`.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::Validation(message.into())
    }

    /// The shape name for `__type`.
    pub fn shape(&self) -> &'static str {
        match self {
            Self::ResourceNotFound(_) => "ResourceNotFoundException",
            Self::ResourceInUse(_) => "ResourceInUseException",
            Self::Validation(_) => "ValidationException",
            Self::ConditionalCheckFailed(_) => "ConditionalCheckFailedException",
            Self::TransactionCanceled(_) => "TransactionCanceledException",
            Self::IdempotentParameterMismatch => "IdempotentParameterMismatchException",
            Self::LimitExceeded(_) => "LimitExceededException",
            Self::OverCap(_) => "ProvisionedThroughputExceededException",
            Self::UnknownOperation(_) => "UnknownOperationException",
            Self::Serialization(_) => "SerializationException",
            Self::Throttling => "ThrottlingException",
            Self::Unavailable => "ServiceUnavailableException",
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        let mut body = json!({
            "__type": format!("com.amazonaws.dynamodb.v20120810#{}", self.shape()),
            "message": self.to_string(),
        });
        if let Self::ConditionalCheckFailed(Some(item)) = self {
            body["Item"] = item.clone();
        }
        if let Self::TransactionCanceled(reasons) = self {
            body["CancellationReasons"] = Value::Array(reasons.clone());
        }
        body
    }
}

/// The codes of cancellation reasons, as the message lists them: `ConditionalCheckFailed, None`.
fn codes(reasons: &[Value]) -> String {
    reasons
        .iter()
        .map(|reason| reason["Code"].as_str().unwrap_or("None"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `ResourceNotFoundException` item operations answer.
pub fn no_table() -> DynamoError {
    DynamoError::ResourceNotFound("Requested resource not found".into())
}
