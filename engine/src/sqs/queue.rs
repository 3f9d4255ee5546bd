//! One queue's messages and SQS semantics, free of I/O: the caller passes the time in.
//!
//! Every operation is O(1) or O(log n) amortised: visible messages wait in [`Ready`], messages
//! in flight or delayed wait in a heap keyed by the instant they become visible, and expiry
//! (visibility, delay, retention, deduplication) is applied lazily by [`Queue::tick`].

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::time::Duration;

use tokio::time::Instant;

use super::attributes::QueueSettings;
use super::deduplication::Deduplication;
use super::error::SqsError;
use super::message::{self, Attributes, Message};
use super::ready::Ready;
use super::receipt::Receipt;
use crate::budget::Budget;

/// The time of an operation, monotonic and as wall-clock milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now {
    /// For timeouts.
    pub instant: Instant,
    /// For `SentTimestamp` and friends.
    pub epoch_millis: u64,
}

/// What `SendMessage` asks for.
#[derive(Debug, Clone, Default)]
pub struct SendRequest {
    /// `MessageBody`.
    pub body: String,
    /// `MessageAttributes`.
    pub attributes: Attributes,
    /// `DelaySeconds`, overriding the queue's (standard queues only).
    pub delay: Option<Duration>,
    /// `MessageGroupId` (required by FIFO queues).
    pub group_id: Option<String>,
    /// `MessageDeduplicationId` (FIFO queues).
    pub deduplication_id: Option<String>,
}

/// What `SendMessage` answers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Sent {
    /// `MessageId` (the original one for a deduplicated send).
    pub message_id: String,
    /// `MD5OfMessageBody`.
    pub md5_of_body: String,
    /// `MD5OfMessageAttributes`.
    pub md5_of_attributes: Option<String>,
    /// `SequenceNumber` (FIFO).
    pub sequence_number: Option<String>,
}

/// A received message with the receipt handle of this receive.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The message as of this receive (receive count included).
    pub message: Message,
    /// `ReceiptHandle`.
    pub receipt_handle: String,
}

/// What a receive produced: deliveries, and messages that exceeded `maxReceiveCount` and were
/// taken out for the caller to put on the dead-letter queue.
#[derive(Debug, Default)]
pub struct Received {
    /// Messages to return.
    pub deliveries: Vec<Delivery>,
    /// Messages to move to the dead-letter queue.
    pub dead_letters: Vec<Message>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Delayed,
    Visible,
    InFlight,
}

#[derive(Debug)]
struct Entry {
    message: Message,
    state: State,
    /// Bumped whenever a visibility timer is set, so older heap entries are ignored.
    timer: u64,
}

/// Message counts as `GetQueueAttributes` reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// `ApproximateNumberOfMessages`.
    pub visible: usize,
    /// `ApproximateNumberOfMessagesNotVisible`.
    pub in_flight: usize,
    /// `ApproximateNumberOfMessagesDelayed`.
    pub delayed: usize,
}

/// A queue.
#[derive(Debug)]
pub struct Queue {
    /// A random id baked into receipt handles, so handles of other queues are rejected.
    id: u64,
    settings: QueueSettings,
    entries: HashMap<u64, Entry>,
    ready: Ready,
    timers: BinaryHeap<Reverse<(Instant, u64, u64)>>,
    /// Sequence numbers by arrival, for retention; may hold deleted ones.
    arrivals: VecDeque<(Instant, u64)>,
    deduplication: Deduplication,
    counts: Counts,
    next_sequence: u64,
    /// The bytes of the messages held, also counted in `budget`.
    stored_bytes: u64,
    budget: Budget,
}

impl Queue {
    /// An empty queue whose messages are not bounded.
    pub fn new(settings: QueueSettings) -> Self {
        Self::with_budget(settings, Budget::default())
    }

    /// An empty queue holding its messages' bytes in `budget`.
    pub fn with_budget(settings: QueueSettings, budget: Budget) -> Self {
        Self {
            id: fastrand::u64(..),
            ready: Ready::new(settings.fifo),
            settings,
            entries: HashMap::new(),
            timers: BinaryHeap::new(),
            arrivals: VecDeque::new(),
            deduplication: Deduplication::default(),
            counts: Counts::default(),
            next_sequence: 1,
            stored_bytes: 0,
            budget,
        }
    }

    /// The settings in force.
    pub fn settings(&self) -> &QueueSettings {
        &self.settings
    }

    /// Replaces the settings (`SetQueueAttributes`); `FifoQueue` cannot change.
    pub fn set_settings(&mut self, settings: QueueSettings) {
        self.settings = QueueSettings {
            fifo: self.settings.fifo,
            ..settings
        };
    }

    /// Current message counts (call [`Queue::tick`] first).
    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// When the earliest pending timer fires, if any (a long poll wakes then to look again).
    pub fn next_timer(&self) -> Option<Instant> {
        self.timers.peek().map(|Reverse((at, _, _))| *at)
    }

    /// Applies everything due by `now`: visibility and delay timers, retention, deduplication.
    pub fn tick(&mut self, now: Instant) {
        while let Some(Reverse((at, sequence, timer))) = self.timers.peek().copied()
            && at <= now
        {
            self.timers.pop();
            if let Some(entry) = self.entries.get_mut(&sequence)
                && entry.timer == timer
                && entry.state != State::Visible
            {
                let was = entry.state;
                entry.state = State::Visible;
                let group = group_of(&entry.message).to_owned();
                self.leave(was, &group);
                self.counts.visible += 1;
                self.ready.push(sequence, &group);
            }
        }
        let retention = self.settings.retention;
        while let Some(&(arrived, sequence)) = self.arrivals.front()
            && arrived + retention <= now
        {
            self.arrivals.pop_front();
            self.remove(sequence);
        }
        self.deduplication.expire(now);
    }

    /// `SendMessage`.
    pub fn send(&mut self, request: SendRequest, now: Now) -> Result<Sent, SqsError> {
        self.tick(now.instant);
        self.validate(&request)?;
        let deduplication_id = if self.settings.fifo {
            let id = match request.deduplication_id {
                Some(id) => id,
                None => message::sha256_of_body(&request.body),
            };
            if let Some(previous) = self.deduplication.get(&id) {
                return Ok(previous.clone());
            }
            Some(id)
        } else {
            None
        };
        self.budget
            .check(message_size(&request.body, &request.attributes) as u64)
            .map_err(SqsError::OverLimit)?;
        let sequence = self.next_sequence;
        self.next_sequence += 1;
        let message = Message {
            message_id: message::new_uuid(),
            md5_of_body: message::md5_of_body(&request.body),
            md5_of_attributes: message::md5_of_attributes(&request.attributes),
            body: request.body,
            attributes: request.attributes,
            sent_timestamp: now.epoch_millis,
            receive_count: 0,
            first_receive_timestamp: None,
            group_id: request.group_id,
            deduplication_id,
            sequence_number: self.settings.fifo.then(|| format!("{sequence:020}")),
            dead_letter_source_arn: None,
        };
        let sent = Sent {
            message_id: message.message_id.clone(),
            md5_of_body: message.md5_of_body.clone(),
            md5_of_attributes: message.md5_of_attributes.clone(),
            sequence_number: message.sequence_number.clone(),
        };
        if let Some(id) = &message.deduplication_id {
            self.deduplication
                .remember(id.clone(), sent.clone(), now.instant);
        }
        let delay = request.delay.unwrap_or(self.settings.delay);
        self.insert(sequence, message, delay, now.instant);
        Ok(sent)
    }

    /// Takes a message moved here from a queue whose `maxReceiveCount` it exceeded.
    pub fn accept_dead_letter(&mut self, message: Message, now: Instant) {
        let sequence = self.next_sequence;
        self.next_sequence += 1;
        self.insert(sequence, message, Duration::ZERO, now);
    }

    /// Takes up to `maximum` visible messages out of the queue, oldest first, for a message move
    /// task; messages in flight or delayed stay.
    pub fn take_visible(&mut self, maximum: usize, now: Instant) -> Vec<Message> {
        self.tick(now);
        let mut taken = Vec::new();
        while taken.len() < maximum {
            let Some(sequence) = self.ready.pop() else {
                break;
            };
            let Some(entry) = self.entries.get(&sequence) else {
                continue;
            };
            if entry.state != State::Visible {
                continue;
            }
            self.counts.visible -= 1;
            if let Some(entry) = self.entries.remove(&sequence) {
                let group = group_of(&entry.message).to_owned();
                self.release(&entry.message);
                // FIFO counted it in flight when popped.
                self.ready.leave_flight(&group);
                taken.push(entry.message);
            }
        }
        self.ready.end_receive();
        taken
    }

    /// Takes a message moved here by a message move task: a fresh start (never received), its
    /// id, body and attributes kept.
    pub fn accept_moved(&mut self, mut message: Message, now: Now) {
        message.receive_count = 0;
        message.first_receive_timestamp = None;
        message.dead_letter_source_arn = None;
        message.sent_timestamp = now.epoch_millis;
        let sequence = self.next_sequence;
        self.next_sequence += 1;
        if self.settings.fifo {
            message.sequence_number = Some(format!("{sequence:020}"));
            message.group_id.get_or_insert_with(String::new);
        } else {
            message.sequence_number = None;
            message.group_id = None;
            message.deduplication_id = None;
        }
        self.insert(sequence, message, Duration::ZERO, now.instant);
    }

    /// `SentTimestamp` of the oldest message held (visible, in flight or delayed): the queue's
    /// `ApproximateAgeOfOldestMessage` is now minus this.
    pub fn oldest_sent(&mut self, now: Instant) -> Option<u64> {
        self.tick(now);
        self.entries
            .values()
            .map(|entry| entry.message.sent_timestamp)
            .min()
    }

    /// Visible messages, oldest first, without receiving them (for people, e.g. a dashboard's
    /// list of dead letters): up to `maximum`.
    pub fn peek_visible(&mut self, maximum: usize, now: Instant) -> Vec<Message> {
        self.tick(now);
        let mut visible: Vec<(u64, &Message)> = self
            .entries
            .iter()
            .filter(|(_, entry)| entry.state == State::Visible)
            .map(|(sequence, entry)| (*sequence, &entry.message))
            .collect();
        visible.sort_by_key(|(sequence, _)| *sequence);
        visible
            .into_iter()
            .take(maximum)
            .map(|(_, message)| message.clone())
            .collect()
    }

    /// The most bytes one message, or one batch of messages together, may hold.
    pub fn maximum_message_size(&self) -> usize {
        self.settings.maximum_message_size as usize
    }

    fn validate(&self, request: &SendRequest) -> Result<(), SqsError> {
        if request.body.is_empty() {
            return Err(SqsError::MissingParameter("MessageBody".into()));
        }
        let size = message_size(&request.body, &request.attributes);
        if size > self.settings.maximum_message_size as usize {
            return Err(SqsError::InvalidParameterValue(format!(
                "One or more parameters are invalid. Reason: Message must be shorter than {} bytes.",
                self.settings.maximum_message_size
            )));
        }
        if self.settings.fifo {
            if request.group_id.is_none() {
                return Err(SqsError::MissingParameter("MessageGroupId".into()));
            }
            if request.deduplication_id.is_none() && !self.settings.content_based_deduplication {
                return Err(SqsError::InvalidParameterValue(
                    "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly".into(),
                ));
            }
            if request.delay.is_some_and(|delay| !delay.is_zero()) {
                return Err(SqsError::InvalidParameterValue(
                    "Value for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.".into(),
                ));
            }
        } else if request.deduplication_id.is_some() {
            return Err(SqsError::InvalidParameterValue(
                "The request include parameter MessageDeduplicationId that is not valid for this queue type".into(),
            ));
        }
        Ok(())
    }

    fn insert(&mut self, sequence: u64, message: Message, delay: Duration, now: Instant) {
        let size = stored_size(&message);
        self.stored_bytes += size;
        self.budget.add(size);
        let group = group_of(&message).to_owned();
        let state = if delay.is_zero() {
            self.counts.visible += 1;
            self.ready.push(sequence, &group);
            State::Visible
        } else {
            self.counts.delayed += 1;
            self.timers.push(Reverse((now + delay, sequence, 0)));
            State::Delayed
        };
        self.entries.insert(
            sequence,
            Entry {
                message,
                state,
                timer: 0,
            },
        );
        self.arrivals.push_back((now, sequence));
        self.compact_arrivals();
    }

    /// `ReceiveMessage` without waiting: up to `maximum` messages, each hidden for
    /// `visibility_timeout` (else the queue's).
    pub fn receive(
        &mut self,
        maximum: usize,
        visibility_timeout: Option<Duration>,
        now: Now,
    ) -> Received {
        self.tick(now.instant);
        let visibility = visibility_timeout.unwrap_or(self.settings.visibility_timeout);
        let max_receive_count = self
            .settings
            .redrive
            .as_ref()
            .map(|policy| policy.max_receive_count);
        let mut received = Received::default();
        let mut immediately_visible = Vec::new();
        while received.deliveries.len() < maximum {
            let Some(sequence) = self.ready.pop() else {
                break;
            };
            let Some(entry) = self.entries.get_mut(&sequence) else {
                continue;
            };
            if entry.state != State::Visible {
                continue;
            }
            self.counts.visible -= 1;
            if max_receive_count.is_some_and(|limit| entry.message.receive_count >= limit) {
                let group = group_of(&entry.message).to_owned();
                if let Some(entry) = self.entries.remove(&sequence) {
                    self.release(&entry.message);
                    received.dead_letters.push(entry.message);
                }
                // FIFO counted it in flight when popped.
                self.ready.leave_flight(&group);
                continue;
            }
            entry.message.receive_count += 1;
            entry
                .message
                .first_receive_timestamp
                .get_or_insert(now.epoch_millis);
            entry.state = State::InFlight;
            entry.timer += 1;
            self.counts.in_flight += 1;
            let receipt = Receipt {
                queue: self.id,
                sequence,
                receive: entry.message.receive_count,
            };
            received.deliveries.push(Delivery {
                message: entry.message.clone(),
                receipt_handle: receipt.encode(),
            });
            if visibility.is_zero() {
                immediately_visible.push(sequence);
            } else {
                self.timers
                    .push(Reverse((now.instant + visibility, sequence, entry.timer)));
            }
        }
        self.ready.end_receive();
        // After the loop, so one receive does not return the same message twice.
        for sequence in immediately_visible {
            self.make_visible(sequence);
        }
        received
    }

    /// `DeleteMessage`: succeeds for messages already gone; a handle from an earlier receive
    /// succeeds without deleting (as AWS documents).
    pub fn delete(&mut self, receipt_handle: &str, now: Instant) -> Result<(), SqsError> {
        self.tick(now);
        let receipt = self.receipt(receipt_handle)?;
        if self
            .entries
            .get(&receipt.sequence)
            .is_some_and(|entry| entry.message.receive_count == receipt.receive)
        {
            self.remove(receipt.sequence);
        }
        Ok(())
    }

    /// `ChangeMessageVisibility`: only for a message in flight, with its latest handle.
    pub fn change_visibility(
        &mut self,
        receipt_handle: &str,
        timeout: Duration,
        now: Instant,
    ) -> Result<(), SqsError> {
        self.tick(now);
        let receipt = self.receipt(receipt_handle)?;
        let entry = self
            .entries
            .get_mut(&receipt.sequence)
            .ok_or_else(|| SqsError::ReceiptHandleIsInvalid(receipt_handle.to_owned()))?;
        if entry.state != State::InFlight {
            return Err(SqsError::MessageNotInflight);
        }
        if entry.message.receive_count != receipt.receive {
            return Err(SqsError::ReceiptHandleIsInvalid(receipt_handle.to_owned()));
        }
        entry.timer += 1;
        if timeout.is_zero() {
            self.make_visible(receipt.sequence);
        } else {
            self.timers
                .push(Reverse((now + timeout, receipt.sequence, entry.timer)));
        }
        Ok(())
    }

    /// `PurgeQueue`.
    pub fn purge(&mut self) {
        self.budget.release(self.stored_bytes);
        self.stored_bytes = 0;
        self.entries.clear();
        self.ready.clear();
        self.timers.clear();
        self.arrivals.clear();
        self.counts = Counts::default();
    }

    fn receipt(&self, receipt_handle: &str) -> Result<Receipt, SqsError> {
        Receipt::decode(receipt_handle)
            .filter(|receipt| receipt.queue == self.id)
            .ok_or_else(|| SqsError::ReceiptHandleIsInvalid(receipt_handle.to_owned()))
    }

    fn make_visible(&mut self, sequence: u64) {
        if let Some(entry) = self.entries.get_mut(&sequence)
            && entry.state == State::InFlight
        {
            entry.state = State::Visible;
            entry.timer += 1;
            let group = group_of(&entry.message).to_owned();
            self.leave(State::InFlight, &group);
            self.counts.visible += 1;
            self.ready.push(sequence, &group);
        }
    }

    /// Bookkeeping for a message leaving `state` (not `Visible`).
    fn leave(&mut self, state: State, group: &str) {
        match state {
            State::Delayed => self.counts.delayed -= 1,
            State::InFlight => {
                self.counts.in_flight -= 1;
                self.ready.leave_flight(group);
            }
            State::Visible => self.counts.visible -= 1,
        }
    }

    fn release(&mut self, message: &Message) {
        let size = stored_size(message);
        self.stored_bytes -= size;
        self.budget.release(size);
    }

    fn remove(&mut self, sequence: u64) {
        if let Some(entry) = self.entries.remove(&sequence) {
            self.release(&entry.message);
            let group = group_of(&entry.message);
            if entry.state == State::Visible {
                self.ready.remove_visible(sequence, group);
            }
            self.leave(entry.state, group);
        }
    }

    /// Drops arrivals of deleted messages once they dominate, keeping memory O(messages).
    fn compact_arrivals(&mut self) {
        if self.arrivals.len() > 2 * self.entries.len() + 1024 {
            let entries = &self.entries;
            self.arrivals
                .retain(|(_, sequence)| entries.contains_key(sequence));
        }
    }
}

/// A message's size as SQS counts it against `MaximumMessageSize`: the body and every
/// attribute's name, type and value.
pub(super) fn message_size(body: &str, attributes: &Attributes) -> usize {
    body.len()
        + attributes
            .iter()
            .map(|(name, value)| {
                name.len()
                    + value.data_type.len()
                    + value.string_value.as_ref().map_or(0, String::len)
                    + value.binary_value.as_ref().map_or(0, String::len)
            })
            .sum::<usize>()
}

fn stored_size(message: &Message) -> u64 {
    message_size(&message.body, &message.attributes) as u64
}

fn group_of(message: &Message) -> &str {
    message.group_id.as_deref().unwrap_or("")
}

#[path = "queue_image.rs"]
mod image;
pub use image::{DeduplicationImage, MessageImage, MessageState, QueueImage};

#[cfg(test)]
#[path = "queue_tests.rs"]
mod tests;
