//! What a handler sees of the record it handles, beside the decoded message.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use aws_lambda_events::event::apigw::ApiGatewayV2httpRequest;
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

/// One record as its handler sees it — an SQS record, or an API request (see
/// [`crate::serve_api`]): ids, attributes, the time it started, and the counters.
#[derive(Debug)]
pub struct RecordContext<'a> {
    source: Source<'a>,
    now: String,
    counters: &'a Counters,
}

#[derive(Debug)]
enum Source<'a> {
    Queue(&'a SqsMessage),
    Request {
        request: &'a ApiGatewayV2httpRequest,
        id: &'a str,
        body: &'a str,
    },
}

impl<'a> RecordContext<'a> {
    /// The context of `record`, started at `now` (RFC 3339), counting into `counters`.
    pub fn new(record: &'a SqsMessage, now: String, counters: &'a Counters) -> Self {
        Self {
            source: Source::Queue(record),
            now,
            counters,
        }
    }

    /// The context of API request `request` whose id is `id` and decoded body `body`.
    pub fn for_request(
        request: &'a ApiGatewayV2httpRequest,
        id: &'a str,
        body: &'a str,
        now: String,
        counters: &'a Counters,
    ) -> Self {
        Self {
            source: Source::Request { request, id, body },
            now,
            counters,
        }
    }

    /// The SQS message id, or the API request's id (empty if the event lacked one).
    pub fn message_id(&self) -> &str {
        match &self.source {
            Source::Queue(record) => record.message_id.as_deref().unwrap_or_default(),
            Source::Request { id, .. } => id,
        }
    }

    /// The body exactly as received (an API request's after base64 decoding, if it was).
    pub fn body(&self) -> &str {
        match &self.source {
            Source::Queue(record) => record.body.as_deref().unwrap_or_default(),
            Source::Request { body, .. } => body,
        }
    }

    /// When the record started, RFC 3339 with milliseconds.
    pub fn now(&self) -> &str {
        &self.now
    }

    /// A string message attribute set by the sender (anyone who can send to the queue); `None`
    /// for API requests.
    pub fn message_attribute(&self, name: &str) -> Option<&str> {
        self.record()?
            .message_attributes
            .get(name)
            .and_then(|value| value.string_value.as_deref())
    }

    /// An SQS system attribute (`MessageGroupId`, `ApproximateReceiveCount`, …), set by SQS;
    /// `None` for API requests.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.record()?.attributes.get(name).map(String::as_str)
    }

    /// How many times SQS has delivered this message, this delivery included (1 when unknown,
    /// and for API requests).
    pub fn receive_count(&self) -> u32 {
        self.attribute("ApproximateReceiveCount")
            .and_then(|count| count.parse().ok())
            .unwrap_or(1)
    }

    /// The whole SQS record; `None` for API requests.
    pub fn record(&self) -> Option<&'a SqsMessage> {
        match self.source {
            Source::Queue(record) => Some(record),
            Source::Request { .. } => None,
        }
    }

    /// The whole API request (payload 2.0); `None` for SQS records.
    pub fn request(&self) -> Option<&'a ApiGatewayV2httpRequest> {
        match self.source {
            Source::Queue(_) => None,
            Source::Request { request, .. } => Some(request),
        }
    }

    /// A header of the API request (names are case-insensitive); `None` for SQS records.
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.request()?.headers.get(name)?.to_str().ok()
    }

    /// Adds `value` to the counter `name` (an EMF metric of unit `Count`).
    pub fn count(&self, name: &str, value: u64) {
        self.counters.add(name, value);
    }
}
