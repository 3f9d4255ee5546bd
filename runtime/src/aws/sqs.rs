//! SQS as the queue sender, and the release of received records a retry cannot mend.

use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::{ChangeMessageVisibilityBatchRequestEntry, MessageAttributeValue};

use crate::ports::{OutgoingMessage, PortError, QueueSender};

/// Sends to any queue by URL.
#[derive(Debug, Clone)]
pub struct SqsSender {
    client: Client,
}

impl SqsSender {
    /// A sender using the shared SDK configuration.
    pub fn new(sdk: &aws_config::SdkConfig) -> Self {
        Self {
            client: client(sdk),
        }
    }
}

/// An SQS client on the shared configuration; retries are ours (backoff with jitter), not the
/// SDK's too.
fn client(sdk: &aws_config::SdkConfig) -> Client {
    let config = aws_sdk_sqs::config::Builder::from(sdk)
        .retry_config(aws_sdk_sqs::config::retry::RetryConfig::disabled());
    Client::from_conf(config.build())
}

/// Makes received messages visible again at once (`ChangeMessageVisibilityBatch` with a
/// timeout of 0): a record found invalid then comes back for its next receive, and after
/// `maxReceiveCount` receives SQS moves it to the dead-letter queue, instead of waiting out one
/// visibility timeout per receive.
#[derive(Debug, Clone)]
pub struct VisibilityRelease {
    client: Client,
}

/// What [`VisibilityRelease::release`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Released {
    /// Messages made visible again.
    pub released: usize,
    /// Messages left to their visibility timeout, each with why (they lose nothing: they come
    /// back when it ends).
    pub failed: Vec<String>,
}

impl VisibilityRelease {
    /// A release using the shared SDK configuration.
    pub fn new(sdk: &aws_config::SdkConfig) -> Self {
        Self {
            client: client(sdk),
        }
    }

    /// Makes the messages of `receipt_handles` on `queue_url` visible again, ten to a request.
    pub async fn release(&self, queue_url: &str, receipt_handles: &[String]) -> Released {
        let mut outcome = Released::default();
        for chunk in receipt_handles.chunks(10) {
            let entries = chunk.iter().enumerate().map(|(index, handle)| {
                ChangeMessageVisibilityBatchRequestEntry::builder()
                    .id(index.to_string())
                    .receipt_handle(handle)
                    .visibility_timeout(0)
                    .build()
            });
            let entries: Result<Vec<_>, _> = entries.collect();
            let answer = match entries {
                Ok(entries) => self
                    .client
                    .change_message_visibility_batch()
                    .queue_url(queue_url)
                    .set_entries(Some(entries))
                    .send()
                    .await
                    .map_err(|error| {
                        let operation = format!("ChangeMessageVisibilityBatch {queue_url}");
                        super::port_error(operation, &error).to_string()
                    }),
                Err(error) => Err(error.to_string()),
            };
            match answer {
                Ok(output) => {
                    outcome.released += output.successful.len();
                    outcome.failed.extend(output.failed.iter().map(|entry| {
                        format!(
                            "{}: {}",
                            entry.code,
                            entry.message.as_deref().unwrap_or("no message")
                        )
                    }));
                }
                Err(reason) => outcome
                    .failed
                    .extend(std::iter::repeat_n(reason, chunk.len())),
            }
        }
        outcome
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
