//! Order processor: validate → price → write the invoice once → notify.

use aws_lambda_events::event::sqs::SqsMessage;
use serde::Serialize;

use super::{GuardedStore, IDEMPOTENCY_ATTRIBUTE, invoice_key};
use crate::batch::RecordFailure;
use crate::order::{DiscountTable, Money, parse, price};
use crate::ports::{ObjectStore, OutgoingMessage, PutOutcome, QueueSender, is_fifo_url};
use crate::resilience::{RetryPolicy, retry};

/// How a record ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderOutcome {
    /// The invoice was written now.
    Invoiced {
        /// The order.
        order_id: String,
        /// The invoice total.
        total: Money,
        /// ISO 4217 currency of the total.
        currency: String,
    },
    /// An earlier delivery already wrote the invoice; the notification was sent again.
    Duplicate {
        /// The order.
        order_id: String,
    },
}

/// The notification sent per invoiced order; at-least-once, deduplicate by `idempotency_key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct InvoicedNotification {
    /// Always `order.invoiced`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The order.
    pub order_id: String,
    /// Where the invoice is.
    pub invoice_key: String,
    /// The invoice total, two decimals.
    pub total: String,
    /// ISO 4217 currency of the total.
    pub currency: String,
    /// Same for every delivery of the same order.
    pub idempotency_key: String,
}

/// Prices orders and writes their invoices.
#[derive(Debug)]
pub struct OrderProcessor<S, Q> {
    store: GuardedStore<S>,
    queue: Q,
    table: DiscountTable,
    notify_queue_url: Option<String>,
    retry: RetryPolicy,
}

impl<S: ObjectStore, Q: QueueSender> OrderProcessor<S, Q> {
    /// An order processor writing to `store` and notifying `notify_queue_url`, if any.
    pub fn new(
        store: GuardedStore<S>,
        queue: Q,
        table: DiscountTable,
        notify_queue_url: Option<String>,
    ) -> Self {
        Self {
            store,
            queue,
            table,
            notify_queue_url,
            retry: RetryPolicy::default(),
        }
    }

    /// The guarded store, for telemetry and tests.
    pub fn store(&self) -> &GuardedStore<S> {
        &self.store
    }

    /// Handles one record; `priced_at` is the invoice timestamp (RFC 3339).
    pub async fn handle(
        &self,
        record: &SqsMessage,
        priced_at: &str,
    ) -> Result<OrderOutcome, RecordFailure> {
        let body = record.body.as_deref().unwrap_or_default();
        let order = parse(body)
            .map_err(|error| RecordFailure::invalid(format!("invalid order: {error}")))?;
        let invoice = price(&order, &self.table, priced_at);
        let key = invoice_key(&invoice.order_id);
        let json = serde_json::to_vec_pretty(&invoice)
            .map_err(|error| RecordFailure::transient(error.to_string()))?;
        let written = self
            .store
            .put_if_absent(&key, &json, "application/json")
            .await
            .map_err(RecordFailure::transient)?;
        if let Some(url) = &self.notify_queue_url {
            let notification = InvoicedNotification {
                kind: "order.invoiced".to_owned(),
                order_id: invoice.order_id.clone(),
                invoice_key: key.clone(),
                total: invoice.total.to_string(),
                currency: invoice.currency.clone(),
                idempotency_key: invoice.idempotency_key.clone(),
            };
            self.notify(url, &notification).await?;
        }
        Ok(match written {
            PutOutcome::Created => OrderOutcome::Invoiced {
                order_id: invoice.order_id,
                total: invoice.total,
                currency: invoice.currency,
            },
            PutOutcome::AlreadyExists => OrderOutcome::Duplicate {
                order_id: invoice.order_id,
            },
        })
    }

    async fn notify(
        &self,
        url: &str,
        notification: &InvoicedNotification,
    ) -> Result<(), RecordFailure> {
        let body = serde_json::to_string(notification)
            .map_err(|error| RecordFailure::transient(error.to_string()))?;
        let fifo = is_fifo_url(url);
        let message = OutgoingMessage {
            body,
            attributes: vec![(
                IDEMPOTENCY_ATTRIBUTE.to_owned(),
                notification.idempotency_key.clone(),
            )],
            delay_seconds: 0,
            group_id: fifo.then(|| notification.order_id.clone()),
            deduplication_id: fifo.then(|| notification.idempotency_key.clone()),
        };
        retry(&self.retry, || self.queue.send(url, message.clone()))
            .await
            .map(drop)
            .map_err(|error| RecordFailure::transient(format!("notification not sent: {error}")))
    }
}
