//! What a handler sees of the record it handles, beside the decoded message.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use aws_lambda_events::event::sqs::SqsMessage;

/// Counters handlers add to during a batch; emitted as EMF metrics with the batch's own.
#[derive(Debug, Default)]
pub struct Counters(Mutex<BTreeMap<String, u64>>);

impl Counters {
    /// Adds `value` to the counter `name`.
    pub fn add(&self, name: &str, value: u64) {
        let mut counters = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *counters.entry(name.to_owned()).or_default() += value;
    }

    /// The counters so far, by name.
    pub fn snapshot(&self) -> BTreeMap<String, u64> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// One record as its handler sees it: ids, attributes, the time it started, and the batch's
/// counters.
#[derive(Debug)]
pub struct RecordContext<'a> {
    record: &'a SqsMessage,
    now: String,
    counters: &'a Counters,
}

impl<'a> RecordContext<'a> {
    /// The context of `record`, started at `now` (RFC 3339), counting into `counters`.
    pub fn new(record: &'a SqsMessage, now: String, counters: &'a Counters) -> Self {
        Self {
            record,
            now,
            counters,
        }
    }

    /// The SQS message id (empty if the event lacked one).
    pub fn message_id(&self) -> &str {
        self.record.message_id.as_deref().unwrap_or_default()
    }

    /// The body exactly as received.
    pub fn body(&self) -> &str {
        self.record.body.as_deref().unwrap_or_default()
    }

    /// When the record started, RFC 3339 with milliseconds.
    pub fn now(&self) -> &str {
        &self.now
    }

    /// A string message attribute set by the sender (anyone who can send to the queue).
    pub fn message_attribute(&self, name: &str) -> Option<&str> {
        self.record
            .message_attributes
            .get(name)
            .and_then(|value| value.string_value.as_deref())
    }

    /// An SQS system attribute (`MessageGroupId`, `ApproximateReceiveCount`, …), set by SQS.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.record.attributes.get(name).map(String::as_str)
    }

    /// How many times SQS has delivered this message, this delivery included (1 when unknown).
    pub fn receive_count(&self) -> u32 {
        self.attribute("ApproximateReceiveCount")
            .and_then(|count| count.parse().ok())
            .unwrap_or(1)
    }

    /// The whole SQS record.
    pub fn record(&self) -> &SqsMessage {
        self.record
    }

    /// Adds `value` to the batch's counter `name` (an EMF metric of unit `Count`).
    pub fn count(&self, name: &str, value: u64) {
        self.counters.add(name, value);
    }
}
