//! One function per SQS operation: decode the JSON input, act on the registry, encode the
//! answer. Only `ReceiveMessage` awaits (long polling); the lock is never held across awaits.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::time::Instant;

use super::attributes::requested_names;
use super::error::SqsError;
use super::protocol::{
    BatchFailure, BatchId, BatchOutput, ChangeMessageVisibilityBatchInput,
    ChangeMessageVisibilityInput, CreateQueueInput, DeleteMessageBatchInput, DeleteMessageInput,
    GetQueueAttributesInput, GetQueueAttributesOutput, GetQueueUrlInput, ListQueuesInput,
    ListQueuesOutput, QueueUrlInput, QueueUrlOutput, ReceiveMessageInput, SendBatchResult,
    SendEntry, SendMessageBatchInput, SendMessageInput, SendMessageOutput, SetQueueAttributesInput,
};
use super::queue::{Queue, SendRequest, Sent, message_size};
use super::receive;
use super::registry::Registry;

/// The registry shared by connections.
pub type Shared = Arc<Mutex<Registry>>;

/// Runs `operation` (the part of `X-Amz-Target` after `AmazonSQS.`) on a JSON body.
pub async fn dispatch(shared: &Shared, operation: &str, body: &[u8]) -> Result<Value, SqsError> {
    match operation {
        "CreateQueue" => run(body, |input: CreateQueueInput| {
            let queue_url = lock(shared).create(&input.queue_name, &input.attributes)?;
            Ok(QueueUrlOutput { queue_url })
        }),
        "GetQueueUrl" => run(body, |input: GetQueueUrlInput| {
            let registry = lock(shared);
            if registry.contains(&input.queue_name) {
                Ok(QueueUrlOutput {
                    queue_url: registry.url(&input.queue_name),
                })
            } else {
                Err(SqsError::QueueDoesNotExist)
            }
        }),
        "ListQueues" => run(body, |input: ListQueuesInput| {
            Ok(list_queues(shared, &input))
        }),
        "DeleteQueue" => run(body, |input: QueueUrlInput| {
            lock(shared).delete(&input.queue_url).map(|()| empty())
        }),
        "PurgeQueue" => run(body, |input: QueueUrlInput| {
            lock(shared).by_url(&input.queue_url)?.queue.purge();
            Ok(empty())
        }),
        "GetQueueAttributes" => run(body, |input: GetQueueAttributesInput| {
            get_attributes(shared, &input)
        }),
        "SetQueueAttributes" => run(body, |input: SetQueueAttributesInput| {
            lock(shared)
                .set_attributes(&input.queue_url, &input.attributes)
                .map(|()| empty())
        }),
        "SendMessage" => run(body, |input: SendMessageInput| {
            let mut registry = lock(shared);
            let now = registry.now();
            let slot = registry.by_url(&input.queue_url)?;
            let sent = slot.queue.send(send_request(input.entry)?, now)?;
            slot.announce();
            Ok(send_output(sent))
        }),
        "SendMessageBatch" => run(body, |input: SendMessageBatchInput| {
            send_batch(shared, input)
        }),
        "ReceiveMessage" => {
            let input = decode::<ReceiveMessageInput>(body)?;
            Ok(encode(&receive::receive(shared, input).await?))
        }
        "DeleteMessage" => run(body, |input: DeleteMessageInput| {
            let mut registry = lock(shared);
            let now = registry.now();
            let slot = registry.by_url(&input.queue_url)?;
            slot.queue.delete(&input.receipt_handle, now.instant)?;
            Ok(empty())
        }),
        "DeleteMessageBatch" => run(body, |input: DeleteMessageBatchInput| {
            delete_batch(shared, &input)
        }),
        "ChangeMessageVisibility" => run(body, |input: ChangeMessageVisibilityInput| {
            let timeout = seconds("VisibilityTimeout", input.visibility_timeout, 0, 43_200)?;
            let mut registry = lock(shared);
            let now = registry.now();
            let slot = registry.by_url(&input.queue_url)?;
            slot.queue
                .change_visibility(&input.receipt_handle, timeout, now.instant)?;
            Ok(empty())
        }),
        "ChangeMessageVisibilityBatch" => run(body, |input: ChangeMessageVisibilityBatchInput| {
            change_visibility_batch(shared, &input)
        }),
        "StartMessageMoveTask" => run(body, |input: super::moves::StartInput| {
            super::moves::start(shared, input)
        }),
        "ListMessageMoveTasks" => run(body, |input: super::moves::ListInput| {
            super::moves::list(shared, &input)
        }),
        "CancelMessageMoveTask" => run(body, |input: super::moves::CancelInput| {
            super::moves::cancel(shared, &input)
        }),
        other => Err(SqsError::UnsupportedOperation(other.to_owned())),
    }
}

fn run<I: DeserializeOwned, O: Serialize>(
    body: &[u8],
    operation: impl FnOnce(I) -> Result<O, SqsError>,
) -> Result<Value, SqsError> {
    Ok(encode(&operation(decode(body)?)?))
}

fn decode<I: DeserializeOwned>(body: &[u8]) -> Result<I, SqsError> {
    let body = if body.is_empty() {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|error| SqsError::Serialization(error.to_string()))
}

fn encode<O: Serialize>(output: &O) -> Value {
    serde_json::to_value(output).expect("plain data serialises")
}

fn empty() -> Value {
    Value::Object(serde_json::Map::new())
}

/// Locks the registry; a panic elsewhere cannot leave it half-updated, so poison is ignored.
pub(super) fn lock(shared: &Shared) -> MutexGuard<'_, Registry> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(super) fn seconds(
    name: &str,
    value: i64,
    minimum: u64,
    maximum: u64,
) -> Result<Duration, SqsError> {
    bounded(name, value, minimum, maximum).map(Duration::from_secs)
}

pub(super) fn bounded(name: &str, value: i64, minimum: u64, maximum: u64) -> Result<u64, SqsError> {
    u64::try_from(value)
        .ok()
        .filter(|value| (minimum..=maximum).contains(value))
        .ok_or_else(|| {
            SqsError::InvalidParameterValue(format!(
                "Value {value} for parameter {name} is invalid. Reason: Must be between {minimum} and {maximum}."
            ))
        })
}

fn list_queues(shared: &Shared, input: &ListQueuesInput) -> ListQueuesOutput {
    let registry = lock(shared);
    let prefix = input.queue_name_prefix.as_deref().unwrap_or("");
    let after = input.next_token.as_deref().unwrap_or("");
    let limit = input.max_results.unwrap_or(1000).clamp(1, 1000);
    let mut names = registry
        .names()
        .filter(|name| name.starts_with(prefix) && name.as_str() > after);
    let page: Vec<&String> = names.by_ref().take(limit).collect();
    let more = input.max_results.is_some() && names.next().is_some();
    ListQueuesOutput {
        next_token: more
            .then(|| page.last().map(|name| (*name).clone()))
            .flatten(),
        queue_urls: page.iter().map(|name| registry.url(name)).collect(),
    }
}

fn get_attributes(
    shared: &Shared,
    input: &GetQueueAttributesInput,
) -> Result<GetQueueAttributesOutput, SqsError> {
    let names = requested_names(&input.attribute_names)?;
    let mut registry = lock(shared);
    let now = registry.now();
    let name = input
        .queue_url
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let slot = registry.by_url(&input.queue_url)?;
    slot.queue.tick(now.instant);
    let counts = slot.queue.counts();
    let attributes = names
        .into_iter()
        .filter_map(|attribute| {
            let value = match attribute {
                "QueueArn" => Some(Registry::arn(&name)),
                "ApproximateNumberOfMessages" => Some(counts.visible.to_string()),
                "ApproximateNumberOfMessagesNotVisible" => Some(counts.in_flight.to_string()),
                "ApproximateNumberOfMessagesDelayed" => Some(counts.delayed.to_string()),
                "CreatedTimestamp" => Some(slot.created.to_string()),
                "LastModifiedTimestamp" => Some(slot.modified.to_string()),
                other => slot.queue.settings().render(other),
            };
            value.map(|value| (attribute.to_owned(), value))
        })
        .collect();
    Ok(GetQueueAttributesOutput { attributes })
}

fn send_request(entry: SendEntry) -> Result<SendRequest, SqsError> {
    let delay = entry
        .delay_seconds
        .map(|delay| seconds("DelaySeconds", i64::from(delay), 0, 900))
        .transpose()?;
    for (name, value) in &entry.message_attributes {
        let kind = value.data_type.split('.').next().unwrap_or_default();
        let has_value = match kind {
            "String" | "Number" => value.string_value.is_some(),
            "Binary" => value.binary_value.is_some(),
            _ => false,
        };
        if !has_value {
            return Err(SqsError::InvalidParameterValue(format!(
                "The message attribute '{name}' has an invalid data type or no value."
            )));
        }
    }
    Ok(SendRequest {
        body: entry.message_body,
        attributes: entry.message_attributes,
        delay,
        group_id: entry.message_group_id,
        deduplication_id: entry.message_deduplication_id,
    })
}

fn send_output(sent: Sent) -> SendMessageOutput {
    SendMessageOutput {
        message_id: sent.message_id,
        md5_of_message_body: sent.md5_of_body,
        md5_of_message_attributes: sent.md5_of_attributes,
        sequence_number: sent.sequence_number,
    }
}

fn check_batch<'a>(ids: impl ExactSizeIterator<Item = &'a str>) -> Result<(), SqsError> {
    match ids.len() {
        0 => return Err(SqsError::EmptyBatchRequest),
        count if count > 10 => return Err(SqsError::TooManyEntriesInBatchRequest(count)),
        _ => {}
    }
    let mut seen = HashSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err(SqsError::BatchEntryIdsNotDistinct(id.to_owned()));
        }
    }
    Ok(())
}

fn failure(id: String, error: &SqsError) -> BatchFailure {
    BatchFailure {
        id,
        sender_fault: true,
        code: error.code().to_owned(),
        message: error.to_string(),
    }
}

fn send_batch(
    shared: &Shared,
    input: SendMessageBatchInput,
) -> Result<BatchOutput<SendBatchResult>, SqsError> {
    check_batch(input.entries.iter().map(|entry| entry.id.as_str()))?;
    let mut registry = lock(shared);
    let now = registry.now();
    let slot = registry.by_url(&input.queue_url)?;
    // SendMessageBatch API reference: "The maximum allowed individual message size and the
    // maximum total payload size (the sum of the individual lengths of all of the batched
    // messages) are both" the queue's maximum message size.
    let total: usize = input
        .entries
        .iter()
        .map(|entry| message_size(&entry.entry.message_body, &entry.entry.message_attributes))
        .sum();
    let limit = slot.queue.maximum_message_size();
    if total > limit {
        return Err(SqsError::BatchRequestTooLong(total, limit));
    }
    let mut output = BatchOutput {
        successful: Vec::new(),
        failed: Vec::new(),
    };
    for entry in input.entries {
        match send_request(entry.entry).and_then(|request| slot.queue.send(request, now)) {
            Ok(sent) => output.successful.push(SendBatchResult {
                id: entry.id,
                output: send_output(sent),
            }),
            Err(error) => output.failed.push(failure(entry.id, &error)),
        }
    }
    slot.announce();
    Ok(output)
}

pub(super) fn delete_batch(
    shared: &Shared,
    input: &DeleteMessageBatchInput,
) -> Result<BatchOutput<BatchId>, SqsError> {
    let entries = input
        .entries
        .iter()
        .map(|entry| (entry.id.as_str(), entry.receipt_handle.as_str(), ()));
    each_received(
        shared,
        &input.queue_url,
        entries,
        |queue, handle, (), now| queue.delete(handle, now),
    )
}

fn change_visibility_batch(
    shared: &Shared,
    input: &ChangeMessageVisibilityBatchInput,
) -> Result<BatchOutput<BatchId>, SqsError> {
    let entries = input.entries.iter().map(|entry| {
        (
            entry.id.as_str(),
            entry.receipt_handle.as_str(),
            entry.visibility_timeout,
        )
    });
    each_received(
        shared,
        &input.queue_url,
        entries,
        |queue, handle, timeout, now| {
            let timeout = seconds("VisibilityTimeout", timeout, 0, 43_200)?;
            queue.change_visibility(handle, timeout, now)
        },
    )
}

/// A batch on received messages (`DeleteMessageBatch`, `ChangeMessageVisibilityBatch`): the
/// batch's own checks, then `act` on each `(id, receipt handle, argument)`; an entry's error
/// fails that entry only, as SQS answers.
fn each_received<'a, A>(
    shared: &Shared,
    queue_url: &str,
    entries: impl ExactSizeIterator<Item = (&'a str, &'a str, A)> + Clone,
    mut act: impl FnMut(&mut Queue, &str, A, Instant) -> Result<(), SqsError>,
) -> Result<BatchOutput<BatchId>, SqsError> {
    check_batch(entries.clone().map(|(id, _, _)| id))?;
    let mut registry = lock(shared);
    let now = registry.now();
    let slot = registry.by_url(queue_url)?;
    let mut output = BatchOutput {
        successful: Vec::new(),
        failed: Vec::new(),
    };
    for (id, handle, argument) in entries {
        match act(&mut slot.queue, handle, argument, now.instant) {
            Ok(()) => output.successful.push(BatchId { id: id.to_owned() }),
            Err(error) => output.failed.push(failure(id.to_owned(), &error)),
        }
    }
    Ok(output)
}
