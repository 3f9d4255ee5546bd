//! SES v2 as the email sender (`SendEmail`, simple content).

use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};

use super::port_error;
use crate::ports::{MailSender, OutgoingEmail, PortError};

/// Sends email through SES v2.
#[derive(Debug, Clone)]
pub struct SesMailer {
    client: Client,
}

impl SesMailer {
    /// A sender over the shared SDK configuration.
    pub fn new(sdk: &aws_config::SdkConfig) -> Self {
        // Never retried by the SDK: a send is not idempotent (see `MailSender`).
        let config = aws_sdk_sesv2::config::Builder::from(sdk)
            .retry_config(aws_sdk_sesv2::config::retry::RetryConfig::disabled());
        Self {
            client: Client::from_conf(config.build()),
        }
    }
}

impl MailSender for SesMailer {
    async fn send(&self, email: OutgoingEmail) -> Result<String, PortError> {
        let operation = || format!("SendEmail to {}", email.to.join(", "));
        let content = |text: &str| {
            Content::builder()
                .data(text)
                .charset("UTF-8")
                .build()
                .map_err(|error| PortError::permanent(operation(), error.to_string()))
        };
        let mut body = Body::builder().text(content(&email.text)?);
        if let Some(html) = &email.html {
            body = body.html(content(html)?);
        }
        let message = Message::builder()
            .subject(content(&email.subject)?)
            .body(body.build())
            .build();
        let output = self
            .client
            .send_email()
            .from_email_address(&email.from)
            .destination(
                Destination::builder()
                    .set_to_addresses(Some(email.to.clone()))
                    .build(),
            )
            .content(EmailContent::builder().simple(message).build())
            .set_configuration_set_name(email.configuration_set.clone())
            .send()
            .await
            .map_err(|error| port_error(operation(), &error))?;
        Ok(output.message_id.unwrap_or_default())
    }
}
