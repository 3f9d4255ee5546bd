//! Notification logger: reads each notification; its record line (outcome `notified`) is the log.

pub use super::order_processor::InvoicedNotification as Notification;
use crate::batch::RecordFailure;
use crate::config::ConfigError;
use crate::handler::{Done, Handler, RecordContext};
use crate::startup::{Ports, Startup};
use crate::telemetry::Outcome;

/// Reads notifications (an unreadable one fails as invalid, with serde's reason).
#[derive(Debug, Clone, Copy, Default)]
pub struct NotificationLogger;

impl NotificationLogger {
    /// Reads no variables of its own.
    pub fn build<P: Ports>(startup: &Startup<P>) -> Result<Self, ConfigError> {
        let _ = startup;
        Ok(Self)
    }
}

impl Done for Notification {
    fn outcome(&self) -> Outcome {
        Outcome::Notified {
            key: self.invoice_key.clone(),
            total: self.total.clone(),
            currency: self.currency.clone(),
            idempotency_key: self.idempotency_key.clone(),
        }
    }

    fn order_id(&self) -> Option<&str> {
        Some(&self.order_id)
    }
}

impl Handler for NotificationLogger {
    const NAME: &'static str = "notification_logger";
    type Message = Notification;
    type Done = Notification;

    async fn handle(
        &self,
        notification: Notification,
        _record: &RecordContext<'_>,
    ) -> Result<Notification, RecordFailure> {
        Ok(notification)
    }
}
