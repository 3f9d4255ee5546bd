//! Order ingest (seed 001's front door): validate the request (every problem at once, each with
//! its JSON pointer: `400`), mint a sortable order id, enqueue the order, answer
//! `202 {"order_id", "status": "accepted"}`. A throttled queue is answered `429` with
//! `Retry-After`, a queue that is down `503`: the client learns the order was not taken, and may
//! retry — never a bare `500`.
//!
//! The runtime counts `OrdersReceived` (every request) and `OrdersValidated` (every request that
//! passed validation); the handler adds `OrdersEnqueued`.

use super::IDEMPOTENCY_ATTRIBUTE;
use super::order_id::OrderIds;
use super::order_request::OrderRequest;
use crate::api::Respond;
use crate::batch::RecordFailure;
use crate::config::{ConfigError, vars};
use crate::handler::{Done, Handler, RecordContext};
use crate::ports::{OutgoingMessage, QueueSender};
use crate::problem::Problem;
use crate::resources::Queue;
use crate::startup::{Ports, Startup};
use crate::telemetry::Outcome;

/// The largest message SQS takes, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 262_144;

/// The counter of orders sent to the queue.
pub const ENQUEUED_METRIC: &str = "OrdersEnqueued";

/// An accepted order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The minted order id.
    pub order_id: String,
    /// The id of the message sent to the queue.
    pub message_id: String,
}

impl Done for Accepted {
    fn outcome(&self) -> Outcome {
        Outcome::Accepted {
            enqueued: self.message_id.clone(),
        }
    }

    fn order_id(&self) -> Option<&str> {
        Some(&self.order_id)
    }
}

impl Respond for Accepted {
    fn status(&self) -> u16 {
        202
    }

    fn body(&self) -> serde_json::Value {
        serde_json::json!({ "order_id": self.order_id, "status": "accepted" })
    }
}

/// Validates, mints the id, enqueues.
#[derive(Debug)]
pub struct OrderIngest<Q> {
    queue: Queue<Q>,
    ids: OrderIds,
}

impl<Q: QueueSender> OrderIngest<Q> {
    /// An ingest sending accepted orders to `queue`.
    pub fn new(queue: Queue<Q>, ids: OrderIds) -> Self {
        Self { queue, ids }
    }

    /// Reads `ENQUEUE_QUEUE_URL`.
    pub fn build<P: Ports<Queue = Q>>(startup: &Startup<P>) -> Result<Self, ConfigError> {
        Ok(Self::new(
            Queue::from_startup(startup, vars::ENQUEUE_QUEUE_URL, "writes.enqueue")?,
            OrderIds::default(),
        ))
    }

    /// The queue orders go to.
    pub fn queue(&self) -> &Queue<Q> {
        &self.queue
    }
}

impl<Q: QueueSender + 'static> Handler for OrderIngest<Q> {
    const NAME: &'static str = "order_ingest";
    type Message = OrderRequest;
    type Done = Accepted;

    async fn handle(
        &self,
        order: OrderRequest,
        record: &RecordContext<'_>,
    ) -> Result<Accepted, RecordFailure> {
        let order_id = self.ids.mint();
        let body = order.enqueued_body(&order_id, record.now());
        if body.len() > MAX_MESSAGE_BYTES {
            let problem = format!(
                "the order is {} bytes once enqueued; the queue takes at most {MAX_MESSAGE_BYTES}",
                body.len()
            );
            return Err(RecordFailure::invalid_with(
                format!("invalid order: {problem}"),
                vec![Problem::new("", problem)],
            ));
        }
        let message_id = self
            .queue
            .send_message(OutgoingMessage {
                body,
                attributes: vec![(IDEMPOTENCY_ATTRIBUTE.to_owned(), order_id.clone())],
                delay_seconds: 0,
                // FIFO queues: each order its own group, deduplicated by its id.
                group_id: Some(order_id.clone()),
                deduplication_id: Some(order_id.clone()),
            })
            .await?;
        record.count(ENQUEUED_METRIC, 1);
        Ok(Accepted {
            order_id,
            message_id,
        })
    }
}
