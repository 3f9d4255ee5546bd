//! Message move tasks (`StartMessageMoveTask`, `ListMessageMoveTasks`,
//! `CancelMessageMoveTask`): a dead-letter queue's waiting messages moved back to the queues they
//! were dead-lettered from (or to one destination), asynchronously, at a fixed rate or as fast as
//! the engine goes, as SQS's redrive does.
//!
//! AWS's rules, from the API reference
//! (<https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html>):
//! the source must be the dead-letter queue of another queue; one active task per source queue;
//! `MaxNumberOfMessagesPerSecond` at most 500; without `DestinationArn` each message goes back to
//! its own source queue. A task counts the messages waiting when it starts
//! (`ApproximateNumberOfMessagesToMove`) and moves at most that many; messages in flight stay.
//! `ListMessageMoveTasks` lists the latest tasks of a source (at most 10, one by default), a
//! task handle only on a running one; only a running task can be cancelled.

use std::time::Duration;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use super::error::SqsError;
use super::message::{Message, new_uuid};
use super::operations::{Shared, lock};
use super::registry::Registry;

/// The fastest rate AWS accepts for `MaxNumberOfMessagesPerSecond`.
pub const MAX_RATE: i64 = 500;

/// How many messages an unlimited task moves between two looks at the lock.
const UNLIMITED_CHUNK: usize = 100;

/// A task's `Status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MoveStatus {
    Running,
    Completed,
    Cancelling,
    Cancelled,
    Failed,
}

/// One message move task, as `ListMessageMoveTasks` reports it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MoveTask {
    /// Only while running.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_handle: Option<String>,
    pub status: MoveStatus,
    pub source_arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_number_of_messages_per_second: Option<i64>,
    pub approximate_number_of_messages_moved: u64,
    pub approximate_number_of_messages_to_move: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    /// Milliseconds since the epoch.
    pub started_timestamp: u64,
    /// The handle, kept after the task stops running (the answer then leaves it out).
    #[serde(skip)]
    handle: String,
}

/// `StartMessageMoveTask`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartInput {
    pub source_arn: String,
    #[serde(default)]
    pub destination_arn: Option<String>,
    #[serde(default)]
    pub max_number_of_messages_per_second: Option<i64>,
}

/// `StartMessageMoveTask` answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartOutput {
    pub task_handle: String,
}

/// `ListMessageMoveTasks`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListInput {
    pub source_arn: String,
    #[serde(default)]
    pub max_results: Option<i64>,
}

/// `ListMessageMoveTasks` answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListOutput {
    pub results: Vec<MoveTask>,
}

/// `CancelMessageMoveTask`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CancelInput {
    pub task_handle: String,
}

/// `CancelMessageMoveTask` answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CancelOutput {
    pub approximate_number_of_messages_moved: u64,
}

/// The queue name of an ARN of this engine, if the queue exists.
fn existing(registry: &Registry, arn: &str, parameter: &str) -> Result<String, SqsError> {
    let name = arn.rsplit(':').next().unwrap_or_default();
    if Registry::arn(name) == arn && registry.contains(name) {
        Ok(name.to_owned())
    } else {
        Err(SqsError::ResourceNotFound(format!(
            "The resource that you specified for the {parameter} parameter doesn't exist."
        )))
    }
}

/// Starts a task; it runs on its own until done or cancelled.
pub fn start(shared: &Shared, input: StartInput) -> Result<StartOutput, SqsError> {
    let mut registry = lock(shared);
    let source = existing(&registry, &input.source_arn, "SourceArn")?;
    if !registry.is_dead_letter_queue(&input.source_arn) {
        return Err(SqsError::InvalidParameterValue(
            "Source queue must be configured as a Dead Letter Queue.".into(),
        ));
    }
    if let Some(destination) = &input.destination_arn {
        existing(&registry, destination, "DestinationArn")?;
    }
    if let Some(rate) = input.max_number_of_messages_per_second
        && !(1..=MAX_RATE).contains(&rate)
    {
        return Err(SqsError::InvalidParameterValue(format!(
            "Value {rate} for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and {MAX_RATE}."
        )));
    }
    if registry
        .moves
        .iter()
        .any(|task| task.source_arn == input.source_arn && task.status == MoveStatus::Running)
    {
        return Err(SqsError::InvalidParameterValue(
            "There is already a task running. Only one active task is allowed for a source queue arn at a given time.".into(),
        ));
    }
    let now = registry.now();
    let slot = registry.by_name(&source)?;
    slot.queue.tick(now.instant);
    let to_move = slot.queue.counts().visible as u64;
    let handle = base64::engine::general_purpose::STANDARD.encode(
        serde_json::json!({ "taskId": new_uuid(), "sourceArn": input.source_arn }).to_string(),
    );
    registry.moves.push(MoveTask {
        task_handle: None,
        status: MoveStatus::Running,
        source_arn: input.source_arn,
        destination_arn: input.destination_arn,
        max_number_of_messages_per_second: input.max_number_of_messages_per_second,
        approximate_number_of_messages_moved: 0,
        approximate_number_of_messages_to_move: to_move,
        failure_reason: None,
        started_timestamp: now.epoch_millis,
        handle: handle.clone(),
    });
    drop(registry);
    tokio::spawn(run(shared.clone(), handle.clone()));
    Ok(StartOutput {
        task_handle: handle,
    })
}

/// The latest tasks of a source queue, newest first.
pub fn list(shared: &Shared, input: &ListInput) -> Result<ListOutput, SqsError> {
    let registry = lock(shared);
    existing(&registry, &input.source_arn, "SourceArn")?;
    let limit = input.max_results.unwrap_or(1);
    if !(1..=10).contains(&limit) {
        return Err(SqsError::InvalidParameterValue(format!(
            "Value {limit} for parameter MaxResults is invalid. Reason: Must be between 1 and 10."
        )));
    }
    let results = registry
        .moves
        .iter()
        .rev()
        .filter(|task| task.source_arn == input.source_arn)
        .take(usize::try_from(limit).unwrap_or(1))
        .map(|task| MoveTask {
            task_handle: (task.status == MoveStatus::Running).then(|| task.handle.clone()),
            ..task.clone()
        })
        .collect();
    Ok(ListOutput { results })
}

/// Cancels a running task; the messages it moved stay moved.
pub fn cancel(shared: &Shared, input: &CancelInput) -> Result<CancelOutput, SqsError> {
    let mut registry = lock(shared);
    let task = registry
        .moves
        .iter_mut()
        .find(|task| task.handle == input.task_handle)
        .ok_or_else(|| SqsError::ResourceNotFound("Task does not exist.".into()))?;
    if task.status != MoveStatus::Running {
        return Err(SqsError::MoveTaskNotRunning);
    }
    // Moves happen under the lock, so none follows this.
    task.status = MoveStatus::Cancelled;
    Ok(CancelOutput {
        approximate_number_of_messages_moved: task.approximate_number_of_messages_moved,
    })
}

/// Moves the task's messages, a second's worth at a time at a fixed rate, else in chunks,
/// until it has moved what it counted, the source has no more waiting, or it is cancelled.
async fn run(shared: Shared, handle: String) {
    loop {
        let pause = {
            let mut registry = lock(&shared);
            match step(&mut registry, &handle) {
                Some(pause) => pause,
                None => return,
            }
        };
        if pause.is_zero() {
            tokio::task::yield_now().await;
        } else {
            tokio::time::sleep(pause).await;
        }
    }
}

/// One step of task `handle`: `None` once it is over, else how long to wait before the next.
fn step(registry: &mut Registry, handle: &str) -> Option<Duration> {
    let task = registry
        .moves
        .iter()
        .find(|task| task.handle == handle)?
        .clone();
    if task.status != MoveStatus::Running {
        return None;
    }
    let remaining = task
        .approximate_number_of_messages_to_move
        .saturating_sub(task.approximate_number_of_messages_moved);
    let chunk = task
        .max_number_of_messages_per_second
        .map_or(UNLIMITED_CHUNK, |rate| usize::try_from(rate).unwrap_or(1));
    let chunk = chunk.min(usize::try_from(remaining).unwrap_or(usize::MAX));
    let source = task.source_arn.rsplit(':').next().unwrap_or_default();
    let now = registry.now();
    let taken = match registry.by_name(source) {
        Ok(slot) if chunk > 0 => slot.queue.take_visible(chunk, now.instant),
        Ok(_) => Vec::new(),
        Err(_) => {
            finish(
                registry,
                handle,
                0,
                Some("The source queue was deleted.".into()),
            );
            return None;
        }
    };
    if taken.is_empty() {
        finish(registry, handle, 0, None);
        return None;
    }
    let mut moved = 0;
    let mut failure = None;
    let mut unmoved: Vec<Message> = Vec::new();
    for message in taken {
        if failure.is_some() {
            unmoved.push(message);
            continue;
        }
        let destination = task
            .destination_arn
            .clone()
            .or_else(|| message.dead_letter_source_arn.clone());
        let Some(destination) = destination else {
            failure = Some(format!(
                "Message {} was not moved here from a queue by its redrive policy, so it has no source queue to go back to; start the task with a DestinationArn.",
                message.message_id
            ));
            unmoved.push(message);
            continue;
        };
        let name = destination
            .rsplit(':')
            .next()
            .unwrap_or_default()
            .to_owned();
        match registry.by_name(&name) {
            Ok(slot) if Registry::arn(&name) == destination => {
                slot.queue.accept_moved(message, now);
                slot.announce();
                moved += 1;
            }
            _ => {
                failure = Some(format!(
                    "The destination queue {destination} does not exist."
                ));
                unmoved.push(message);
            }
        }
    }
    if !unmoved.is_empty()
        && let Ok(slot) = registry.by_name(source)
    {
        for message in unmoved {
            slot.queue.accept_dead_letter(message, now.instant);
        }
    }
    let over = failure.is_some() || moved >= remaining;
    if over {
        finish(registry, handle, moved, failure);
        return None;
    }
    add_moved(registry, handle, moved);
    Some(if task.max_number_of_messages_per_second.is_some() {
        Duration::from_secs(1)
    } else {
        Duration::ZERO
    })
}

fn add_moved(registry: &mut Registry, handle: &str, moved: u64) {
    if let Some(task) = registry.moves.iter_mut().find(|task| task.handle == handle) {
        task.approximate_number_of_messages_moved += moved;
    }
}

fn finish(registry: &mut Registry, handle: &str, moved: u64, failure: Option<String>) {
    if let Some(task) = registry.moves.iter_mut().find(|task| task.handle == handle) {
        task.approximate_number_of_messages_moved += moved;
        task.status = if failure.is_some() {
            MoveStatus::Failed
        } else {
            MoveStatus::Completed
        };
        task.failure_reason = failure;
    }
}
