//! SQS as a service of the engine: `X-Amz-Target: AmazonSQS.*`, bodies up to
//! [`MAX_SQS_REQUEST_BYTES`], faults answered as SQS does (`ThrottlingException`,
//! `ServiceUnavailable`) on the message calls, never on queue set-up.

use std::sync::{Arc, Mutex};

use http_body_util::{BodyExt as _, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::http::request::Parts;

use super::error::SqsError;
use super::message::Attributes;
use super::operations::{Shared, lock};
use super::poller::Poller;
use super::queue::SendRequest;
use super::registry::{Registry, SavedQueue};
use super::server::{answer, error_reply};
use crate::budget::Budget;
use crate::faults::{Fault, Faults};
use crate::limits::MAX_SQS_REQUEST_BYTES;
use crate::listener::Reply;
use crate::service::{Answer, AwsService, Route};

/// The name SQS's faults are set under.
pub const NAME: &str = "sqs";

/// The operations the fault layer applies to: those on messages.
const FAULTABLE: [&str; 8] = [
    "AmazonSQS.SendMessage",
    "AmazonSQS.SendMessageBatch",
    "AmazonSQS.ReceiveMessage",
    "AmazonSQS.DeleteMessage",
    "AmazonSQS.DeleteMessageBatch",
    "AmazonSQS.ChangeMessageVisibility",
    "AmazonSQS.ChangeMessageVisibilityBatch",
    "AmazonSQS.PurgeQueue",
];

/// One queue's figures at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueFigures {
    /// `ApproximateNumberOfMessages`.
    pub visible: usize,
    /// `ApproximateNumberOfMessagesNotVisible`.
    pub in_flight: usize,
    /// `ApproximateNumberOfMessagesDelayed`.
    pub delayed: usize,
    /// CloudWatch's `ApproximateAgeOfOldestMessage`, in milliseconds; `None` when empty.
    pub oldest_age_millis: Option<u64>,
}

/// The SQS service over a queue registry.
#[derive(Debug, Clone)]
pub struct Sqs {
    registry: Shared,
}

impl Sqs {
    /// No queues yet; queue URLs name `port`; queued bytes are held in `budget`.
    pub fn new(port: u16, budget: Budget) -> Self {
        Self {
            registry: Arc::new(Mutex::new(Registry::with_budget(port, budget))),
        }
    }

    /// Sends a message to queue `name` in-process, as `SendMessage` would (what EventBridge's
    /// deliveries use); returns the new message id. On a standard queue the group and
    /// deduplication id are dropped.
    pub fn deliver(
        &self,
        name: &str,
        body: String,
        attributes: Attributes,
        group_id: Option<String>,
        deduplication_id: Option<String>,
    ) -> Result<String, SqsError> {
        let mut registry = lock(&self.registry);
        let now = registry.now();
        let slot = registry.by_name(name)?;
        let fifo = slot.queue.settings().fifo;
        let request = SendRequest {
            body,
            attributes,
            delay: None,
            group_id: group_id.filter(|_| fifo),
            deduplication_id: deduplication_id.filter(|_| fifo),
        };
        let sent = slot.queue.send(request, now)?;
        slot.announce();
        Ok(sent.message_id)
    }

    /// Queue `name`'s counts and the age of its oldest message, for people (a dashboard);
    /// `None` when there is no such queue.
    pub fn figures(&self, name: &str) -> Option<QueueFigures> {
        let mut registry = lock(&self.registry);
        let now = registry.now();
        let slot = registry.by_name(name).ok()?;
        let oldest = slot.queue.oldest_sent(now.instant);
        let counts = slot.queue.counts();
        Some(QueueFigures {
            visible: counts.visible,
            in_flight: counts.in_flight,
            delayed: counts.delayed,
            oldest_age_millis: oldest.map(|sent| now.epoch_millis.saturating_sub(sent)),
        })
    }

    /// Up to `maximum` of queue `name`'s visible messages, oldest first, without receiving them.
    pub fn peek(&self, name: &str, maximum: usize) -> Vec<super::message::Message> {
        let mut registry = lock(&self.registry);
        let now = registry.now();
        registry
            .by_name(name)
            .map(|slot| slot.queue.peek_visible(maximum, now.instant))
            .unwrap_or_default()
    }

    /// Every queue with its contents (what `--data-dir` saves).
    pub fn image(&self) -> Vec<SavedQueue> {
        lock(&self.registry).image()
    }

    /// Puts saved queues back (what `--data-dir` restores).
    pub fn restore(&self, saved: Vec<SavedQueue>) -> Result<(), SqsError> {
        lock(&self.registry).restore(saved)
    }

    /// `ReceiveMessage` and `DeleteMessageBatch` in-process, with `faults` applied as the
    /// router applies them (what the local Lambda service's event source mappings poll with).
    pub fn poller(&self, faults: Faults) -> Poller {
        Poller::new(Arc::clone(&self.registry), faults)
    }

    /// Whether queue `name` exists.
    pub fn has_queue(&self, name: &str) -> bool {
        lock(&self.registry).contains(name)
    }

    async fn answer(&self, parts: Parts, body: Incoming) -> Reply {
        match Limited::new(body, MAX_SQS_REQUEST_BYTES).collect().await {
            Ok(body) => answer(&self.registry, &parts.headers, &body.to_bytes()).await,
            Err(error) => error_reply(&SqsError::InvalidParameterValue(
                if error.is::<LengthLimitError>() {
                    format!(
                        "The request body is larger than {MAX_SQS_REQUEST_BYTES} bytes, \
                         the local engine's limit (a message must be shorter than 262144 bytes)."
                    )
                } else {
                    format!("cannot read the request body: {error}")
                },
            )),
        }
    }
}

impl AwsService for Sqs {
    fn name(&self) -> &'static str {
        NAME
    }

    fn description(&self) -> &'static str {
        "SQS (JSON protocol)"
    }

    fn route(&self) -> Route {
        Route::Target("AmazonSQS.")
    }

    fn faultable(&self, request: &Parts) -> bool {
        request
            .headers
            .get("x-amz-target")
            .is_some_and(|target| FAULTABLE.iter().any(|name| target == name))
    }

    fn fault_reply(&self, _request: &Parts, fault: Fault) -> Reply {
        error_reply(&match fault {
            Fault::Throttled => SqsError::Throttling,
            Fault::Unavailable => SqsError::ServiceUnavailable,
        })
    }

    fn call(&self, request: Parts, body: Incoming) -> Answer<'_> {
        Box::pin(self.answer(request, body))
    }
}
