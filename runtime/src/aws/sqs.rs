//! SQS as the queue sender.

use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::MessageAttributeValue;

use crate::ports::{OutgoingMessage, PortError, QueueSender};

/// Sends to any queue by URL.
#[derive(Debug, Clone)]
pub struct SqsSender {
    client: Client,
}

impl SqsSender {
    /// A sender using the shared SDK configuration.
    pub fn new(sdk: &aws_config::SdkConfig) -> Self {
        // Retries are ours (backoff with jitter), not the SDK's too.
        let config = aws_sdk_sqs::config::Builder::from(sdk)
            .retry_config(aws_sdk_sqs::config::retry::RetryConfig::disabled());
        Self {
            client: Client::from_conf(config.build()),
        }
    }
}

impl QueueSender for SqsSender {
    async fn send(&self, queue_url: &str, message: OutgoingMessage) -> Result<String, PortError> {
        let operation = || format!("SendMessage {queue_url}");
        let mut request = self
            .client
            .send_message()
            .queue_url(queue_url)
            .message_body(message.body);
        for (name, value) in message.attributes {
            let value = MessageAttributeValue::builder()
                .data_type("String")
                .string_value(value)
                .build()
                .map_err(|error| PortError::permanent(operation(), error.to_string()))?;
            request = request.message_attributes(name, value);
        }
        if message.delay_seconds > 0 {
            request = request.delay_seconds(i32::try_from(message.delay_seconds).unwrap_or(900));
        }
        if let Some(group) = message.group_id {
            request = request.message_group_id(group);
        }
        if let Some(deduplication) = message.deduplication_id {
            request = request.message_deduplication_id(deduplication);
        }
        let output = request
            .send()
            .await
            .map_err(|error| super::port_error(operation(), &error))?;
        Ok(output.message_id.unwrap_or_default())
    }
}
