//! All queues of one engine by name, their URLs and ARNs, and the clock they run on.

use std::collections::BTreeMap;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::Notify;
use tokio::time::Instant;

use super::attributes::QueueSettings;
use super::error::SqsError;
use super::message::Message;
use super::queue::{Now, Queue, QueueImage};
use crate::budget::Budget;

/// The account id in URLs and ARNs.
pub const ACCOUNT: &str = "000000000000";
/// The region in ARNs.
pub const REGION: &str = "us-east-1";

/// A queue and the signal long polls on it wait for.
#[derive(Debug)]
pub struct Slot {
    /// The queue.
    pub queue: Queue,
    /// Notified when messages are sent to the queue.
    pub arrivals: Arc<Notify>,
    /// `CreatedTimestamp`, seconds since the epoch.
    pub created: u64,
    /// `LastModifiedTimestamp`, seconds since the epoch.
    pub modified: u64,
    /// Messages that arrived so far (sent or dead-lettered), so a long poll can tell whether
    /// one arrived while it was not yet listening.
    pub sends: u64,
}

impl Slot {
    /// Records that messages arrived and wakes long polls.
    pub fn announce(&mut self) {
        self.sends += 1;
        self.arrivals.notify_waiters();
    }
}

/// A queue as `--data-dir` saves it: its name, settings, timestamps and contents.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SavedQueue {
    /// Its name.
    pub name: String,
    /// Its settings, as `CreateQueue` attributes.
    pub attributes: BTreeMap<String, String>,
    /// `CreatedTimestamp`, seconds since the epoch.
    pub created: u64,
    /// `LastModifiedTimestamp`, seconds since the epoch.
    pub modified: u64,
    /// Its messages and FIFO state.
    pub contents: QueueImage,
}

/// The attributes that make up a queue's settings.
const SETTINGS: [&str; 8] = [
    "VisibilityTimeout",
    "MessageRetentionPeriod",
    "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds",
    "MaximumMessageSize",
    "RedrivePolicy",
    "FifoQueue",
    "ContentBasedDeduplication",
];

/// The queues.
#[derive(Debug)]
pub struct Registry {
    port: u16,
    queues: BTreeMap<String, Slot>,
    started: Instant,
    started_epoch_millis: u64,
    /// Every queued message's bytes are held here.
    budget: Budget,
    /// Message move tasks, oldest first.
    pub(super) moves: Vec<super::moves::MoveTask>,
}

impl Registry {
    /// No queues; URLs name `port`; messages are not bounded.
    pub fn new(port: u16) -> Self {
        Self::with_budget(port, Budget::default())
    }

    /// No queues; URLs name `port`; queued messages' bytes are held in `budget`.
    pub fn with_budget(port: u16, budget: Budget) -> Self {
        let started_epoch_millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| {
                u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
            });
        Self {
            port,
            queues: BTreeMap::new(),
            started: Instant::now(),
            started_epoch_millis,
            budget,
            moves: Vec::new(),
        }
    }

    /// The current time, on the (pausable) tokio clock.
    pub fn now(&self) -> Now {
        let instant = Instant::now();
        let elapsed =
            u64::try_from(instant.duration_since(self.started).as_millis()).unwrap_or(u64::MAX);
        Now {
            instant,
            epoch_millis: self.started_epoch_millis.saturating_add(elapsed),
        }
    }

    /// `http://127.0.0.1:PORT/000000000000/<name>`.
    pub fn url(&self, name: &str) -> String {
        format!("http://127.0.0.1:{}/{ACCOUNT}/{name}", self.port)
    }

    /// `arn:aws:sqs:us-east-1:000000000000:<name>`.
    pub fn arn(name: &str) -> String {
        format!("arn:aws:sqs:{REGION}:{ACCOUNT}:{name}")
    }

    /// The queue a `QueueUrl` names (its last path segment).
    pub fn by_url(&mut self, url: &str) -> Result<&mut Slot, SqsError> {
        self.queues
            .get_mut(name_in(url))
            .ok_or(SqsError::QueueDoesNotExist)
    }

    /// The queue named `name`.
    pub fn by_name(&mut self, name: &str) -> Result<&mut Slot, SqsError> {
        self.queues.get_mut(name).ok_or(SqsError::QueueDoesNotExist)
    }

    /// Whether a queue of this name exists.
    pub fn contains(&self, name: &str) -> bool {
        self.queues.contains_key(name)
    }

    /// Queue names, in order.
    pub fn names(&self) -> impl Iterator<Item = &String> {
        self.queues.keys()
    }

    /// `CreateQueue`: idempotent for identical attributes.
    pub fn create(
        &mut self,
        name: &str,
        attributes: &HashMap<String, String>,
    ) -> Result<String, SqsError> {
        validate_name(name)?;
        let settings = QueueSettings::default().apply(attributes, true)?;
        let fifo_name = name.strip_suffix(".fifo").is_some();
        if fifo_name != settings.fifo {
            return Err(SqsError::InvalidParameterValue(
                "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix".into(),
            ));
        }
        self.check_redrive(&settings)?;
        if let Some(existing) = self.queues.get(name) {
            if let Some(different) = attributes
                .keys()
                .find(|key| existing.queue.settings().render(key) != settings.render(key))
            {
                return Err(SqsError::QueueAlreadyExists(different.clone()));
            }
            return Ok(self.url(name));
        }
        let seconds = self.now().epoch_millis / 1000;
        self.queues.insert(
            name.to_owned(),
            Slot {
                queue: Queue::with_budget(settings, self.budget.clone()),
                arrivals: Arc::new(Notify::new()),
                created: seconds,
                modified: seconds,
                sends: 0,
            },
        );
        Ok(self.url(name))
    }

    /// Every queue with its contents, expired messages dropped first.
    pub fn image(&mut self) -> Vec<SavedQueue> {
        let now = self.now();
        self.queues
            .iter_mut()
            .map(|(name, slot)| {
                slot.queue.tick(now.instant);
                let settings = slot.queue.settings();
                SavedQueue {
                    name: name.clone(),
                    attributes: SETTINGS
                        .iter()
                        .filter_map(|&key| Some((key.to_owned(), settings.render(key)?)))
                        .collect(),
                    created: slot.created,
                    modified: slot.modified,
                    contents: slot.queue.image(now),
                }
            })
            .collect()
    }

    /// Puts saved queues back, replacing any of the same name.
    pub fn restore(&mut self, saved: Vec<SavedQueue>) -> Result<(), SqsError> {
        let now = self.now();
        for queue in saved {
            validate_name(&queue.name)?;
            let attributes: HashMap<String, String> = queue.attributes.into_iter().collect();
            let settings = QueueSettings::default().apply(&attributes, true)?;
            self.queues.insert(
                queue.name,
                Slot {
                    queue: Queue::restore(settings, queue.contents, self.budget.clone(), now),
                    arrivals: Arc::new(Notify::new()),
                    created: queue.created,
                    modified: queue.modified,
                    sends: 0,
                },
            );
        }
        Ok(())
    }

    /// `SetQueueAttributes`.
    pub fn set_attributes(
        &mut self,
        url: &str,
        attributes: &HashMap<String, String>,
    ) -> Result<(), SqsError> {
        let seconds = self.now().epoch_millis / 1000;
        let settings = self
            .by_url(url)?
            .queue
            .settings()
            .apply(attributes, false)?;
        self.check_redrive(&settings)?;
        let slot = self.by_url(url)?;
        slot.queue.set_settings(settings);
        slot.modified = seconds;
        Ok(())
    }

    /// `DeleteQueue`; waiting long polls wake and find the queue gone.
    pub fn delete(&mut self, url: &str) -> Result<(), SqsError> {
        let mut slot = self
            .queues
            .remove(name_in(url))
            .ok_or(SqsError::QueueDoesNotExist)?;
        // Its messages' bytes go with it.
        slot.queue.purge();
        slot.arrivals.notify_waiters();
        Ok(())
    }

    /// Moves messages that exceeded `maxReceiveCount` on `source` to its dead-letter queue;
    /// they are dropped when that queue no longer exists.
    pub fn dead_letter(&mut self, source: &str, messages: Vec<Message>) {
        if messages.is_empty() {
            return;
        }
        let now = self.now();
        let Some(target) = self
            .by_url(source)
            .ok()
            .and_then(|slot| slot.queue.settings().redrive.clone())
        else {
            return;
        };
        let name = target
            .dead_letter_target_arn
            .rsplit(':')
            .next()
            .unwrap_or_default();
        let source_arn = Self::arn(name_in(source));
        if let Some(slot) = self.queues.get_mut(name) {
            for mut message in messages {
                message.dead_letter_source_arn = Some(source_arn.clone());
                slot.queue.accept_dead_letter(message, now.instant);
            }
            slot.announce();
        }
    }

    /// Whether some queue's redrive policy names `arn` as its dead-letter queue.
    pub fn is_dead_letter_queue(&self, arn: &str) -> bool {
        self.queues.values().any(|slot| {
            slot.queue
                .settings()
                .redrive
                .as_ref()
                .is_some_and(|policy| policy.dead_letter_target_arn == arn)
        })
    }

    fn check_redrive(&self, settings: &QueueSettings) -> Result<(), SqsError> {
        let Some(policy) = &settings.redrive else {
            return Ok(());
        };
        let name = policy
            .dead_letter_target_arn
            .rsplit(':')
            .next()
            .unwrap_or_default();
        if policy.dead_letter_target_arn == Self::arn(name) && self.contains(name) {
            Ok(())
        } else {
            Err(SqsError::InvalidParameterValue(format!(
                "Value {} for parameter RedrivePolicy is invalid. Reason: Dead-letter target does not exist.",
                policy.dead_letter_target_arn
            )))
        }
    }
}

/// The queue name in a `QueueUrl`: its last path segment.
fn name_in(url: &str) -> &str {
    url.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
}

fn validate_name(name: &str) -> Result<(), SqsError> {
    let stem = name.strip_suffix(".fifo").unwrap_or(name);
    let valid = !stem.is_empty()
        && name.len() <= 80
        && stem
            .chars()
            .all(|character| character.is_ascii_alphanumeric() || matches!(character, '-' | '_'));
    if valid {
        Ok(())
    } else {
        Err(SqsError::InvalidParameterValue(
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
                .into(),
        ))
    }
}
