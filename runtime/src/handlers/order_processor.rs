//! Order processor: validate → price → write the invoice once → notify with what was stored.
//!
//! A redelivered order whose content (items, promo code) matches the stored invoice is a
//! duplicate: the notification is sent again with the stored total. One whose content differs
//! is a conflict: the stored invoice stands, and the message is parked with the reason.

use serde::Serialize;

use super::park::park;
use super::{DlqOutcome, GuardedStore, IDEMPOTENCY_ATTRIBUTE, bounded_key, invoice_key};
use crate::batch::RecordFailure;
use crate::config::{ConfigError, vars};
use crate::handler::{Decode, Done, Handler, RecordContext};
use crate::order::{DiscountTable, Invoice, Money, Order, parse, price};
use crate::ports::{ObjectStore, OutgoingMessage, PutOutcome, QueueSender, is_fifo_url};
use crate::resilience::{RetryPolicy, retry};
use crate::startup::{Ports, Startup};
use crate::telemetry::{BatchMetrics, Outcome};

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
    /// An earlier delivery already wrote the invoice, for the same content; the notification was
    /// sent again with the stored total.
    Duplicate {
        /// The order.
        order_id: String,
    },
    /// An invoice for this order id exists with other content: the message was parked.
    Conflict {
        /// The order.
        order_id: String,
        /// Where the message is parked.
        key: String,
        /// What differs.
        reason: String,
    },
}

impl Done for OrderOutcome {
    fn outcome(&self) -> Outcome {
        match self {
            OrderOutcome::Invoiced {
                order_id,
                total,
                currency,
            } => Outcome::Invoiced {
                key: invoice_key(order_id),
                total: total.to_string(),
                currency: currency.clone(),
            },
            OrderOutcome::Duplicate { order_id } => Outcome::Duplicate {
                key: invoice_key(order_id),
            },
            OrderOutcome::Conflict { key, reason, .. } => Outcome::DeadLetter(DlqOutcome::Parked {
                key: key.clone(),
                reason: reason.clone(),
            }),
        }
    }

    fn order_id(&self) -> Option<&str> {
        match self {
            OrderOutcome::Invoiced { order_id, .. }
            | OrderOutcome::Duplicate { order_id }
            | OrderOutcome::Conflict { order_id, .. } => Some(order_id),
        }
    }

    fn count(&self, metrics: &mut BatchMetrics) {
        match self {
            OrderOutcome::Invoiced { total, .. } => {
                metrics.written += 1;
                metrics.invoice_total += total.as_decimal();
            }
            OrderOutcome::Duplicate { .. } => metrics.duplicates += 1,
            OrderOutcome::Conflict { .. } => metrics.parked += 1,
        }
    }
}

/// An order body decodes with the strict order rules (exact prices, see [`parse`]).
impl Decode for Order {
    fn decode(body: &str) -> Result<Self, RecordFailure> {
        parse(body).map_err(|error| RecordFailure::invalid(format!("invalid order: {error}")))
    }
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

    /// Reads `BUCKET_NAME`, `DISCOUNT_TABLE` and (optional) `NOTIFY_QUEUE_URL`.
    pub fn build<P: Ports<Store = S, Queue = Q>>(
        startup: &Startup<P>,
    ) -> Result<Self, ConfigError> {
        let variables = startup.variables();
        let bucket = variables.require(
            vars::BUCKET_NAME,
            "the order processor writes invoices to this bucket",
        )?;
        let table = variables.json(
            vars::DISCOUNT_TABLE,
            "discount table",
            "the order processor prices orders with this table",
        )?;
        Ok(Self::new(
            startup.guarded_store(&bucket),
            startup.queue(),
            table,
            variables.get(vars::NOTIFY_QUEUE_URL),
        ))
    }

    /// The guarded store, for telemetry and tests.
    pub fn store(&self) -> &GuardedStore<S> {
        &self.store
    }

    /// The invoice stored under `key` by an earlier delivery.
    async fn stored(&self, key: &str) -> Result<Invoice, RecordFailure> {
        let bytes = self
            .store
            .get(key)
            .await
            .map_err(RecordFailure::transient)?
            .ok_or_else(|| {
                RecordFailure::transient(format!(
                    "{key} answered the conditional put as existing but cannot be read"
                ))
            })?;
        serde_json::from_slice(&bytes).map_err(|error| {
            RecordFailure::transient(format!("stored invoice {key} is unreadable: {error}"))
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

impl<S, Q> Handler for OrderProcessor<S, Q>
where
    S: ObjectStore + 'static,
    Q: QueueSender + 'static,
{
    const NAME: &'static str = "order_processor";
    type Message = Order;
    type Done = OrderOutcome;

    async fn handle(
        &self,
        order: Order,
        record: &RecordContext<'_>,
    ) -> Result<OrderOutcome, RecordFailure> {
        let invoice = price(&order, &self.table, record.now());
        let key = bounded_key(invoice_key(&invoice.order_id), &invoice.order_id)
            .map_err(RecordFailure::invalid)?;
        let json = serde_json::to_vec_pretty(&invoice)
            .map_err(|error| RecordFailure::transient(error.to_string()))?;
        let written = self
            .store
            .put_if_absent(&key, &json, "application/json")
            .await
            .map_err(RecordFailure::transient)?;
        let (stored, outcome) = match written {
            PutOutcome::Created => {
                let outcome = OrderOutcome::Invoiced {
                    order_id: invoice.order_id.clone(),
                    total: invoice.total,
                    currency: invoice.currency.clone(),
                };
                (invoice, outcome)
            }
            PutOutcome::AlreadyExists => {
                let stored = self.stored(&key).await?;
                if let Some(difference) = content_difference(&stored, &invoice) {
                    let reason = format!(
                        "order `{}` was invoiced before with other content ({difference}); the stored invoice {key} stands",
                        invoice.order_id
                    );
                    let key = park(&self.store, record, reason.clone()).await?;
                    return Ok(OrderOutcome::Conflict {
                        order_id: invoice.order_id,
                        key,
                        reason,
                    });
                }
                let outcome = OrderOutcome::Duplicate {
                    order_id: stored.order_id.clone(),
                };
                (stored, outcome)
            }
        };
        if let Some(url) = &self.notify_queue_url {
            let notification = InvoicedNotification {
                kind: "order.invoiced".to_owned(),
                order_id: stored.order_id.clone(),
                invoice_key: key,
                total: stored.total.to_string(),
                currency: stored.currency.clone(),
                idempotency_key: stored.idempotency_key.clone(),
            };
            self.notify(url, &notification).await?;
        }
        Ok(outcome)
    }
}

/// What the order in `fresh` asks for that the order invoiced in `stored` did not: its items
/// (name, SKU, unit price, quantity) and its promo code. Prices and discounts are not compared:
/// a changed discount table reprices the same order, which is not a conflict.
fn content_difference(stored: &Invoice, fresh: &Invoice) -> Option<String> {
    fn items(invoice: &Invoice) -> Vec<(&str, Option<&str>, Money, u32)> {
        invoice
            .lines
            .iter()
            .map(|line| {
                (
                    line.name.as_str(),
                    line.sku.as_deref(),
                    line.unit_price,
                    line.quantity,
                )
            })
            .collect()
    }
    if items(stored) != items(fresh) {
        return Some(format!(
            "items differ: {} stored line(s), {} now",
            stored.lines.len(),
            fresh.lines.len()
        ));
    }
    if stored.promo_code != fresh.promo_code {
        return Some(format!(
            "promo code differs: {} stored, {} now",
            stored.promo_code.as_deref().unwrap_or("none"),
            fresh.promo_code.as_deref().unwrap_or("none")
        ));
    }
    None
}
