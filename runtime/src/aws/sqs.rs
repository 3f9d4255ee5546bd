//! SQS as the queue sender (sends gathered into batches, see [`super::gather`]), and the release
//! of received records a retry cannot mend.

use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::{
    ChangeMessageVisibilityBatchRequestEntry, MessageAttributeValue, SendMessageBatchRequestEntry,
};

use super::gather::{Flush, Gatherer};
use crate::ports::{OutgoingMessage, PortError, QueueSender};
use crate::resilience::ErrorClass;

/// Sends to any queue by URL; sends to one queue made within a moment of each other go out as
/// one `SendMessageBatch` (`sqs:SendMessage` allows it), each send answered for itself.
#[derive(Debug, Clone)]
pub struct SqsSender {
    gatherer: Gatherer<BatchSend>,
}

impl SqsSender {
    /// A sender using the shared SDK configuration.
    pub fn new(sdk: &aws_config::SdkConfig) -> Self {
        Self {
            gatherer: Gatherer::new(BatchSend {
                client: client(sdk),
            }),
        }
    }
}

impl QueueSender for SqsSender {
    async fn send(&self, queue_url: &str, message: OutgoingMessage) -> Result<String, PortError> {
        self.gatherer.send(queue_url, message).await
    }
}

/// `SendMessageBatch` of a gathered batch.
#[derive(Debug, Clone)]
struct BatchSend {
    client: Client,
}

impl Flush for BatchSend {
    async fn flush(
        &self,
        queue_url: String,
        messages: Vec<OutgoingMessage>,
    ) -> Vec<Result<String, PortError>> {
        let operation = || format!("SendMessage {queue_url}");
        let count = messages.len();
        let entries: Result<Vec<_>, _> = messages
            .into_iter()
            .enumerate()
            .map(|(index, message)| entry(index, message))
            .collect();
        let entries = match entries {
            Ok(entries) => entries,
            Err(error) => {
                return vec![Err(PortError::permanent(operation(), error.to_string())); count];
            }
        };
        let output = match self
            .client
            .send_message_batch()
            .queue_url(&queue_url)
            .set_entries(Some(entries))
            .send()
            .await
        {
            Ok(output) => output,
            Err(error) => return vec![Err(super::port_error(operation(), &error)); count],
        };
        let mut answers: Vec<Result<String, PortError>> = (0..count)
            .map(|_| {
                Err(PortError {
                    ambiguous: true,
                    ..PortError::transient(operation(), "SQS answered nothing for this entry")
                })
            })
            .collect();
        for sent in output.successful {
            if let Some(answer) = index_of(&sent.id).and_then(|index| answers.get_mut(index)) {
                *answer = Ok(sent.message_id);
            }
        }
        for failed in output.failed {
            if let Some(answer) = index_of(&failed.id).and_then(|index| answers.get_mut(index)) {
                let throttled = super::is_throttling(&failed.code);
                *answer = Err(PortError {
                    operation: operation(),
                    message: format!(
                        "{}: {}",
                        failed.code,
                        failed.message.as_deref().unwrap_or("no message")
                    ),
                    // SQS marks the entries the sender must change; the others may succeed later.
                    class: if failed.sender_fault && !throttled {
                        ErrorClass::Permanent
                    } else {
                        ErrorClass::Transient
                    },
                    throttled,
                    ambiguous: false,
                });
            }
        }
        answers
    }
}

fn index_of(id: &str) -> Option<usize> {
    id.parse().ok()
}

/// One batch entry, its id the message's place in the batch.
fn entry(
    index: usize,
    message: OutgoingMessage,
) -> Result<SendMessageBatchRequestEntry, aws_sdk_sqs::error::BuildError> {
    let mut entry = SendMessageBatchRequestEntry::builder()
        .id(index.to_string())
        .message_body(message.body);
    for (name, value) in message.attributes {
        let value = MessageAttributeValue::builder()
            .data_type("String")
            .string_value(value)
            .build()?;
        entry = entry.message_attributes(name, value);
    }
    if message.delay_seconds > 0 {
        entry = entry.delay_seconds(i32::try_from(message.delay_seconds).unwrap_or(900));
    }
    entry
        .set_message_group_id(message.group_id)
        .set_message_deduplication_id(message.deduplication_id)
        .build()
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
