//! `ReceiveMessage`: batches of up to ten, per-call visibility, long polling that wakes when a
//! message arrives or becomes visible (no polling loop), and the attribute selection of the
//! answer.

use std::collections::BTreeMap;
use std::sync::Arc;

use tokio::sync::Notify;

use super::error::SqsError;
use super::message::{self, Attributes, Message};
use super::operations::{Shared, bounded, lock, seconds};
use super::protocol::{OutputMessage, ReceiveMessageInput, ReceiveMessageOutput};
use super::registry::ACCOUNT;

/// Receives, waiting up to `WaitTimeSeconds` (else the queue's) for a first message.
pub(super) async fn receive(
    shared: &Shared,
    input: ReceiveMessageInput,
) -> Result<ReceiveMessageOutput, SqsError> {
    let maximum = input.max_number_of_messages.unwrap_or(1);
    let maximum = usize::try_from(bounded("MaxNumberOfMessages", maximum, 1, 10)?).unwrap_or(1);
    let visibility = input
        .visibility_timeout
        .map(|timeout| seconds("VisibilityTimeout", timeout, 0, 43_200))
        .transpose()?;
    let wait = input
        .wait_time_seconds
        .map(|wait| seconds("WaitTimeSeconds", wait, 0, 20))
        .transpose()?;
    let mut deadline = None;
    loop {
        let (arrivals, sends, wake) = {
            let mut registry = lock(shared);
            let now = registry.now();
            let slot = registry.by_url(&input.queue_url)?;
            let wait = wait.unwrap_or(slot.queue.settings().receive_wait);
            let deadline = *deadline.get_or_insert(now.instant + wait);
            let received = slot.queue.receive(maximum, visibility, now);
            let messages: Vec<OutputMessage> = received
                .deliveries
                .into_iter()
                .map(|delivery| output_message(delivery.message, delivery.receipt_handle, &input))
                .collect();
            // Messages in flight or delayed may become visible before the deadline.
            let wake = slot
                .queue
                .next_timer()
                .map_or(deadline, |timer| timer.min(deadline));
            let waiting = (Arc::clone(&slot.arrivals), slot.sends, wake);
            registry.dead_letter(&input.queue_url, received.dead_letters);
            if !messages.is_empty() || now.instant >= deadline {
                return Ok(ReceiveMessageOutput { messages });
            }
            waiting
        };
        wait_for(&arrivals, shared, &input.queue_url, sends, wake).await;
    }
}

/// Waits until something is sent to the queue after the receive that saw `sends` sends, or
/// until `wake`. A send between that receive and registering the waiter is caught by
/// comparing the send count once registered.
async fn wait_for(
    arrivals: &Notify,
    shared: &Shared,
    url: &str,
    sends: u64,
    wake: tokio::time::Instant,
) {
    let notified = arrivals.notified();
    tokio::pin!(notified);
    notified.as_mut().enable();
    let missed = lock(shared)
        .by_url(url)
        .map_or(true, |slot| slot.sends != sends);
    if !missed {
        let _ = tokio::time::timeout_at(wake, notified).await;
    }
}

fn output_message(
    message: Message,
    receipt_handle: String,
    input: &ReceiveMessageInput,
) -> OutputMessage {
    let wanted =
        |name: &str, names: &[String]| names.iter().any(|wanted| wanted == "All" || wanted == name);
    let system_names: Vec<String> = input
        .attribute_names
        .iter()
        .chain(&input.message_system_attribute_names)
        .cloned()
        .collect();
    let mut attributes = BTreeMap::new();
    let mut add = |name: &str, value: Option<String>| {
        if let Some(value) = value
            && wanted(name, &system_names)
        {
            attributes.insert(name.to_owned(), value);
        }
    };
    add("SenderId", Some(ACCOUNT.to_owned()));
    add("SentTimestamp", Some(message.sent_timestamp.to_string()));
    add(
        "ApproximateReceiveCount",
        Some(message.receive_count.to_string()),
    );
    add(
        "ApproximateFirstReceiveTimestamp",
        message
            .first_receive_timestamp
            .map(|timestamp| timestamp.to_string()),
    );
    add("MessageGroupId", message.group_id.clone());
    add("MessageDeduplicationId", message.deduplication_id.clone());
    add("SequenceNumber", message.sequence_number.clone());
    add(
        "DeadLetterQueueSourceArn",
        message.dead_letter_source_arn.clone(),
    );
    let message_attributes: Attributes = message
        .attributes
        .into_iter()
        .filter(|(name, _)| {
            input.message_attribute_names.iter().any(|wanted| {
                wanted == "All"
                    || wanted == ".*"
                    || wanted == name
                    || wanted
                        .strip_suffix(".*")
                        .is_some_and(|prefix| name.starts_with(&format!("{prefix}.")))
            })
        })
        .collect();
    OutputMessage {
        message_id: message.message_id,
        receipt_handle,
        md5_of_body: message.md5_of_body,
        body: message.body,
        attributes,
        md5_of_message_attributes: message::md5_of_attributes(&message_attributes),
        message_attributes,
    }
}
