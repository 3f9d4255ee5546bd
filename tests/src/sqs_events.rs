//! SQS messages as the Lambda event records a handler receives.

use std::collections::HashMap;

use aws_lambda_events::event::sqs::{SqsMessage, SqsMessageAttribute};
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::{Message, MessageSystemAttributeName};

/// Receives every visible message of a queue (up to `expected`, with a few empty polls of grace).
///
/// # Panics
/// When a receive call fails.
pub async fn receive_all(client: &Client, queue_url: &str, expected: usize) -> Vec<Message> {
    let mut messages = Vec::new();
    let mut empty_polls = 0;
    while messages.len() < expected && empty_polls < 3 {
        let output = client
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .message_attribute_names("All")
            .wait_time_seconds(0)
            .send()
            .await
            .expect("ReceiveMessage");
        let batch = output.messages.unwrap_or_default();
        if batch.is_empty() {
            empty_polls += 1;
        }
        messages.extend(batch);
    }
    messages
}

/// The record Lambda's event source mapping would build from a received message.
pub fn to_event_record(message: &Message, queue_arn: &str) -> SqsMessage {
    let mut record = SqsMessage::default();
    record.message_id.clone_from(&message.message_id);
    record.receipt_handle.clone_from(&message.receipt_handle);
    record.body.clone_from(&message.body);
    record.md5_of_body.clone_from(&message.md5_of_body);
    record.event_source = Some("aws:sqs".to_owned());
    record.event_source_arn = Some(queue_arn.to_owned());
    record.aws_region = Some("us-east-1".to_owned());
    record.attributes = message
        .attributes
        .iter()
        .flatten()
        .map(|(name, value)| (name.as_str().to_owned(), value.clone()))
        .collect::<HashMap<_, _>>();
    record.message_attributes = message
        .message_attributes
        .iter()
        .flatten()
        .map(|(name, value)| {
            let mut attribute = SqsMessageAttribute::default();
            attribute.string_value.clone_from(&value.string_value);
            attribute.data_type = Some(value.data_type.clone());
            (name.clone(), attribute)
        })
        .collect();
    record
}
