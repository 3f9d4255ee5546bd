//! Notification logger: logs each notification with its order id.

use aws_lambda_events::event::sqs::SqsMessage;

pub use super::order_processor::InvoicedNotification as Notification;
use crate::batch::RecordFailure;

/// Logs notifications.
#[derive(Debug, Clone, Copy, Default)]
pub struct NotificationLogger;

impl NotificationLogger {
    /// Reads and logs one notification; an unreadable one fails with the reason.
    pub fn handle(self, record: &SqsMessage) -> Result<Notification, RecordFailure> {
        let body = record.body.as_deref().unwrap_or_default();
        let notification: Notification = serde_json::from_str(body)
            .map_err(|error| RecordFailure::invalid(format!("unreadable notification: {error}")))?;
        tracing::info!(
            order_id = %notification.order_id,
            total = %notification.total,
            currency = %notification.currency,
            invoice_key = %notification.invoice_key,
            idempotency_key = %notification.idempotency_key,
            "order invoiced"
        );
        Ok(notification)
    }
}
