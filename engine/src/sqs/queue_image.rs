//! A queue's messages and FIFO state as plain data, to save and restore (`--data-dir`): times
//! become wall-clock milliseconds, so a message in flight stays hidden until its visibility
//! timeout ends, counted across the restart, and a deduplication id is remembered for the rest
//! of its five minutes.

use std::cmp::Reverse;
use std::collections::HashMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use super::{Entry, Now, Queue, Sent, State, group_of, stored_size};
use crate::budget::Budget;
use crate::sqs::attributes::QueueSettings;
use crate::sqs::message::Message;

/// A queue's contents and counters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueImage {
    /// The id in its receipt handles, kept so handles given out before a restart still work.
    pub id: u64,
    /// The next message's sequence number.
    pub next_sequence: u64,
    /// Its messages, by sequence number.
    pub messages: Vec<MessageImage>,
    /// FIFO: deduplication ids still remembered.
    pub deduplication: Vec<DeduplicationImage>,
}

/// One message and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageImage {
    /// Its sequence number in the queue (in its receipt handles).
    pub sequence: u64,
    /// The message, receive count included.
    pub message: Message,
    /// Visible, in flight or delayed.
    pub state: MessageState,
    /// When an in-flight or delayed message becomes visible, in milliseconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visible_at: Option<u64>,
    /// When it arrived, in milliseconds since the epoch (its retention counts from then).
    pub arrived: u64,
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageState {
    /// Receivable.
    Visible,
    /// Received and not yet deleted or visible again.
    InFlight,
    /// Sent with a delay not yet over.
    Delayed,
}

/// A remembered FIFO deduplication id and what its first send answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeduplicationImage {
    /// The deduplication id.
    pub id: String,
    /// The answer a repeated send gets.
    pub sent: Sent,
    /// When the id is forgotten, in milliseconds since the epoch.
    pub expires: u64,
}

/// `instant` in milliseconds since the epoch, given what `now` is in both.
fn to_epoch(instant: Instant, now: Now) -> u64 {
    if instant >= now.instant {
        now.epoch_millis
            .saturating_add(millis(instant.duration_since(now.instant)))
    } else {
        now.epoch_millis
            .saturating_sub(millis(now.instant.duration_since(instant)))
    }
}

/// Milliseconds since the epoch as an instant, given what `now` is in both.
fn to_instant(epoch_millis: u64, now: Now) -> Instant {
    if epoch_millis >= now.epoch_millis {
        now.instant + Duration::from_millis(epoch_millis - now.epoch_millis)
    } else {
        now.instant
            .checked_sub(Duration::from_millis(now.epoch_millis - epoch_millis))
            .unwrap_or(now.instant)
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

impl Queue {
    /// The queue's contents as of `now` (call [`Queue::tick`] first to drop what expired).
    pub fn image(&self, now: Now) -> QueueImage {
        let mut deadlines: HashMap<u64, Instant> = HashMap::new();
        for Reverse((at, sequence, timer)) in &self.timers {
            if self
                .entries
                .get(sequence)
                .is_some_and(|entry| entry.timer == *timer)
            {
                deadlines.insert(*sequence, *at);
            }
        }
        let arrivals: HashMap<u64, Instant> = self
            .arrivals
            .iter()
            .map(|&(instant, sequence)| (sequence, instant))
            .collect();
        let mut messages: Vec<MessageImage> = self
            .entries
            .iter()
            .map(|(&sequence, entry)| MessageImage {
                sequence,
                message: entry.message.clone(),
                state: match entry.state {
                    State::Visible => MessageState::Visible,
                    State::InFlight => MessageState::InFlight,
                    State::Delayed => MessageState::Delayed,
                },
                visible_at: match entry.state {
                    State::Visible => None,
                    // Without a timer (visibility 0 pending) it is visible at once.
                    State::InFlight | State::Delayed => Some(
                        deadlines
                            .get(&sequence)
                            .map_or(now.epoch_millis, |&at| to_epoch(at, now)),
                    ),
                },
                arrived: arrivals
                    .get(&sequence)
                    .map_or(now.epoch_millis, |&at| to_epoch(at, now)),
            })
            .collect();
        messages.sort_by_key(|message| message.sequence);
        let deduplication = self
            .deduplication
            .entries()
            .map(|(id, expires, sent)| DeduplicationImage {
                id: id.to_owned(),
                sent: sent.clone(),
                expires: to_epoch(expires, now),
            })
            .collect();
        QueueImage {
            id: self.id,
            next_sequence: self.next_sequence,
            messages,
            deduplication,
        }
    }

    /// A queue with `settings` holding what `image` saved, its bytes held in `budget` whatever
    /// its cap (they were accepted before); timers that ended while it was stopped fire at the
    /// next operation.
    pub fn restore(settings: QueueSettings, image: QueueImage, budget: Budget, now: Now) -> Self {
        let mut queue = Self::with_budget(settings, budget);
        queue.id = image.id;
        queue.next_sequence = image.next_sequence;
        let mut messages = image.messages;
        messages.sort_by_key(|message| message.sequence);
        for saved in messages {
            let sequence = saved.sequence;
            queue.next_sequence = queue.next_sequence.max(sequence + 1);
            let size = stored_size(&saved.message);
            queue.stored_bytes += size;
            queue.budget.add(size);
            let state = match saved.state {
                MessageState::Visible => {
                    queue.counts.visible += 1;
                    queue.ready.push(sequence, group_of(&saved.message));
                    State::Visible
                }
                MessageState::InFlight | MessageState::Delayed => {
                    let at = to_instant(saved.visible_at.unwrap_or(now.epoch_millis), now);
                    queue.timers.push(Reverse((at, sequence, 0)));
                    if saved.state == MessageState::InFlight {
                        queue.counts.in_flight += 1;
                        queue.ready.enter_flight(group_of(&saved.message));
                        State::InFlight
                    } else {
                        queue.counts.delayed += 1;
                        State::Delayed
                    }
                }
            };
            queue
                .arrivals
                .push_back((to_instant(saved.arrived, now), sequence));
            queue.entries.insert(
                sequence,
                Entry {
                    message: saved.message,
                    state,
                    timer: 0,
                },
            );
        }
        for remembered in image.deduplication {
            queue.deduplication.restore(
                remembered.id,
                remembered.sent,
                to_instant(remembered.expires, now),
            );
        }
        queue
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqs::queue::SendRequest;

    fn at(now: Now, seconds: u64) -> Now {
        Now {
            instant: now.instant + Duration::from_secs(seconds),
            epoch_millis: now.epoch_millis + seconds * 1000,
        }
    }

    #[tokio::test]
    async fn a_restored_queue_keeps_receive_counts_visibility_handles_and_deduplication() {
        let fifo = QueueSettings {
            fifo: true,
            visibility_timeout: Duration::from_secs(30),
            ..QueueSettings::default()
        };
        let now = Now {
            instant: Instant::now(),
            epoch_millis: 1_800_000_000_000,
        };
        let mut queue = Queue::new(fifo.clone());
        let send = |body: &str, group: &str| SendRequest {
            body: body.into(),
            group_id: Some(group.into()),
            deduplication_id: Some(body.into()),
            ..SendRequest::default()
        };
        let first = queue.send(send("one", "a"), now).expect("sent");
        queue.send(send("two", "b"), now).expect("sent");
        let received = queue.receive(1, None, now);
        let handle = received.deliveries[0].receipt_handle.clone();
        let image = queue.image(at(now, 10));
        let round_trip: QueueImage =
            serde_json::from_str(&serde_json::to_string(&image).expect("serialises"))
                .expect("parses");
        assert_eq!(round_trip, image);

        // Restarted 10 s later in a new process whose clock starts elsewhere.
        let later = Now {
            instant: Instant::now() + Duration::from_secs(500),
            epoch_millis: now.epoch_millis + 10_000,
        };
        let budget = Budget::new(u64::MAX);
        let mut restored = Queue::restore(fifo.clone(), round_trip.clone(), budget.clone(), later);
        assert!(budget.used() > 0);
        assert_eq!(restored.counts().in_flight, 1);
        assert_eq!(
            restored
                .send(send("one", "a"), later)
                .expect("deduplicated"),
            first,
            "the deduplication id is still remembered"
        );
        let next = restored.receive(10, None, later);
        assert_eq!(next.deliveries.len(), 1, "group a is still locked");
        assert_eq!(next.deliveries[0].message.body, "two");
        assert!(
            restored
                .receive(10, None, at(later, 19))
                .deliveries
                .is_empty()
        );
        let expired = restored.receive(10, None, at(later, 20));
        assert_eq!(
            expired.deliveries.len(),
            1,
            "visible again after 30 s in all"
        );
        assert_eq!(expired.deliveries[0].message.receive_count, 2);

        let mut again = Queue::restore(fifo, round_trip, Budget::new(u64::MAX), later);
        again
            .delete(&handle, later.instant)
            .expect("a handle from before the restart is still this queue's");
        assert_eq!(again.counts().in_flight, 0, "and it deletes the message");
    }
}
