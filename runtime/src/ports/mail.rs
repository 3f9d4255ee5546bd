//! [`MailSender`]: email out (SES v2, or the local engine's outbox).

use std::future::Future;

use super::PortError;

/// One email with simple content.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OutgoingEmail {
    /// The From address (a verified identity, or an address of a verified domain).
    pub from: String,
    /// The recipients.
    pub to: Vec<String>,
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body, if any.
    pub html: Option<String>,
    /// The SES configuration set (event publishing, suppression), if any.
    pub configuration_set: Option<String>,
}

/// Sends email. A send is not idempotent (SES takes no idempotency token): a failure marked
/// [`PortError::ambiguous`] (a timeout, a broken connection) may have sent the email, and must
/// not be retried blindly.
pub trait MailSender: Send + Sync {
    /// Sends `email`; returns the service's message id.
    fn send(&self, email: OutgoingEmail) -> impl Future<Output = Result<String, PortError>> + Send;
}
