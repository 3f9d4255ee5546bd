//! EventBridge errors as its AWS JSON 1.1 protocol carries them: status 400 (500 for an
//! internal failure), `{"__type": "<Name>", "message": ...}`.
//!
//! The error names per operation are those of the API reference (e.g.
//! <https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html#API_PutRule_Errors>);
//! the messages are EventBridge's own (`Event bus orders does not exist.`, `Rule can't be deleted
//! since it has targets.`), as moto reproduces them too.

use hyper::StatusCode;
use serde_json::{Value, json};

/// An error an EventBridge operation answers with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventsError {
    /// A bus or rule that does not exist.
    #[error("{0}")]
    ResourceNotFound(String),
    /// `CreateEventBus` with a name taken.
    #[error("{0}")]
    ResourceAlreadyExists(String),
    /// A request EventBridge refuses before acting.
    #[error("{0}")]
    Validation(String),
    /// A pattern `PutRule` or `TestEventPattern` refuses.
    #[error("Event pattern is not valid. Reason: {0}")]
    InvalidEventPattern(String),
    /// More of something than EventBridge allows (targets per rule).
    #[error("{0}")]
    LimitExceeded(String),
    /// An operation the engine does not serve.
    #[error(
        "The operation {0} is not served by the local engine; its EventBridge serves PutEvents, CreateEventBus, DescribeEventBus, DeleteEventBus, ListEventBuses, PutRule, DescribeRule, DeleteRule, ListRules, PutTargets, RemoveTargets, ListTargetsByRule and TestEventPattern"
    )]
    UnknownOperation(String),
    /// A body that is not the JSON the operation takes.
    #[error("{0}")]
    Serialization(String),
    /// Fault injection: throttling.
    #[error("Rate exceeded (injected by the local engine's fault layer).")]
    Throttling,
    /// Fault injection: an outage.
    #[error(
        "This exception occurs due to unexpected causes (an outage injected by the local engine's fault layer)."
    )]
    Internal,
}

impl EventsError {
    /// A `ValidationException` with `message`.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::Validation(message.into())
    }

    /// `ResourceNotFoundException` for a bus.
    pub fn no_bus(name: &str) -> Self {
        Self::ResourceNotFound(format!("Event bus {name} does not exist."))
    }

    /// `ResourceNotFoundException` for a rule.
    pub fn no_rule(rule: &str, bus: &str) -> Self {
        Self::ResourceNotFound(format!("Rule {rule} does not exist on EventBus {bus}."))
    }

    /// The error name, as `__type` carries it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::ResourceNotFound(_) => "ResourceNotFoundException",
            Self::ResourceAlreadyExists(_) => "ResourceAlreadyExistsException",
            Self::Validation(_) => "ValidationException",
            Self::InvalidEventPattern(_) => "InvalidEventPatternException",
            Self::LimitExceeded(_) => "LimitExceededException",
            Self::UnknownOperation(_) => "UnknownOperationException",
            Self::Serialization(_) => "SerializationException",
            Self::Throttling => "ThrottlingException",
            Self::Internal => "InternalException",
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        json!({ "__type": self.name(), "message": self.to_string() })
    }
}
