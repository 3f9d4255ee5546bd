//! Notification logger: reads each notification; its record line (outcome `notified`) is the log.

use aws_lambda_events::event::sqs::SqsMessage;

pub use super::order_processor::InvoicedNotification as Notification;
use crate::batch::RecordFailure;

/// Reads notifications.
#[derive(Debug, Clone, Copy, Default)]
pub struct NotificationLogger;

impl NotificationLogger {
    /// Reads one notification; an unreadable one fails with the reason.
    pub fn handle(self, record: &SqsMessage) -> Result<Notification, RecordFailure> {
        let body = record.body.as_deref().unwrap_or_default();
        let notification: Notification = serde_json::from_str(body)
            .map_err(|error| RecordFailure::invalid(format!("unreadable notification: {error}")))?;
        Ok(notification)
    }
}
