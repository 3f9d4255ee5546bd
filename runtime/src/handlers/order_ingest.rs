//! Order ingest (seed 001's front door): validate the request (every problem at once, each with
//! its JSON pointer: `400`), mint a sortable order id, enqueue the order — or, when the function
//! publishes to a bus (`EVENT_BUS_NAME`, `writes.events`), publish one `OrderPlaced` event whose
//! `detail` is the order it would have enqueued — and answer `202 {"order_id", "status":
//! "accepted"}`. A throttled queue is answered `429` with
//! `Retry-After`, a queue that is down `503`: the client learns the order was not taken, and may
//! retry — never a bare `500`.
//!
//! The runtime counts `OrdersReceived` (every request) and `OrdersValidated` (every request that
//! passed validation); the handler adds `OrdersEnqueued` (or `OrdersPublished`).

use super::IDEMPOTENCY_ATTRIBUTE;
use super::order_id::OrderIds;
use super::order_request::OrderRequest;
use crate::api::Respond;
use crate::batch::RecordFailure;
use crate::config::{ConfigError, vars};
use crate::handler::{Done, Handler, RecordContext};
use crate::events::{Bus, PublishError};
use crate::ports::{EventPublisher, OutgoingMessage, QueueSender};
use crate::problem::Problem;
use crate::resources::Queue;
use crate::startup::{AwsPorts, Ports, Startup};
use crate::telemetry::Outcome;

/// The largest message SQS takes, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 262_144;

/// The counter of orders sent to the queue.
pub const ENQUEUED_METRIC: &str = "OrdersEnqueued";

/// The counter of orders published to the bus.
pub const PUBLISHED_METRIC: &str = "OrdersPublished";

/// The `detail-type` of the event an accepted order is published as.
pub const ORDER_PLACED: &str = "OrderPlaced";

/// An accepted order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The minted order id.
    pub order_id: String,
    /// The id of the message sent to the queue (or of the event published to the bus).
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

/// Where accepted orders go.
#[derive(Debug)]
enum Destination<Q, E> {
    /// `writes.enqueue`: a message per order.
    Queue(Queue<Q>),
    /// `writes.events`: an `OrderPlaced` event per order.
    Bus(Bus<E>),
}

/// Validates, mints the id, enqueues (or publishes).
#[derive(Debug)]
pub struct OrderIngest<Q, E = <AwsPorts as Ports>::Events> {
    destination: Destination<Q, E>,
    ids: OrderIds,
}

impl<Q: QueueSender, E: EventPublisher> OrderIngest<Q, E> {
    /// An ingest sending accepted orders to `queue`.
    pub fn new(queue: Queue<Q>, ids: OrderIds) -> Self {
        Self {
            destination: Destination::Queue(queue),
            ids,
        }
    }

    /// An ingest publishing each accepted order to `bus` as an `OrderPlaced` event.
    pub fn publishing(bus: Bus<E>, ids: OrderIds) -> Self {
        Self {
            destination: Destination::Bus(bus),
            ids,
        }
    }

    /// Reads `EVENT_BUS_NAME` (and `EVENT_SOURCE`) when set, else `ENQUEUE_QUEUE_URL`.
    pub fn build<P: Ports<Queue = Q, Events = E>>(
        startup: &Startup<P>,
    ) -> Result<Self, ConfigError> {
        if startup.variables().get(vars::EVENT_BUS_NAME).is_some() {
            return Ok(Self::publishing(
                Bus::from_startup(startup, vars::EVENT_BUS_NAME, "writes.events")?,
                OrderIds::default(),
            ));
        }
        Ok(Self::new(
            Queue::from_startup(startup, vars::ENQUEUE_QUEUE_URL, "writes.enqueue")?,
            OrderIds::default(),
        ))
    }

    /// The queue orders go to, when they go to a queue.
    pub fn queue(&self) -> Option<&Queue<Q>> {
        match &self.destination {
            Destination::Queue(queue) => Some(queue),
            Destination::Bus(_) => None,
        }
    }

    /// The bus orders are published to, when they are.
    pub fn bus(&self) -> Option<&Bus<E>> {
        match &self.destination {
            Destination::Bus(bus) => Some(bus),
            Destination::Queue(_) => None,
        }
    }
}

impl<Q: QueueSender + 'static, E: EventPublisher + 'static> Handler for OrderIngest<Q, E> {
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
        let message_id = match &self.destination {
            Destination::Queue(queue) => {
                let message_id = queue
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
                message_id
            }
            Destination::Bus(bus) => {
                let detail: serde_json::Value = serde_json::from_str(&body)
                    .map_err(|error| RecordFailure::invalid(format!("invalid order: {error}")))?;
                let event_id = bus
                    .publish_one(ORDER_PLACED, &detail)
                    .await
                    .map_err(|error| match error {
                        PublishError::Invalid { reason, .. } => RecordFailure::invalid_with(
                            format!("invalid order: {reason}"),
                            vec![Problem::new("", reason)],
                        ),
                        other => RecordFailure::from(other),
                    })?;
                record.count(PUBLISHED_METRIC, 1);
                event_id
            }
        };
        Ok(Accepted {
            order_id,
            message_id,
        })
    }
}
