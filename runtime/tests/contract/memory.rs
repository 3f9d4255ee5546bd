//! In-memory ports: a bucket and a queue sender that record what they were given, with an
//! optional stall (the store writes, then never answers) to stand in for a hung S3 call.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};

use runtime::Ports;
use runtime::ports::{
    Condition, EntryResult, EventPublisher, Item, MailSender, ObjectStore, OutgoingEmail,
    OutgoingEvent, OutgoingMessage, PortError, PutOutcome, QueueSender, TableStore,
    UpdateOutcome,
};

#[derive(Debug, Clone, Default)]
pub(crate) struct MemoryStore {
    pub(crate) objects: Arc<Mutex<BTreeMap<String, Vec<u8>>>>,
    /// Keys whose next put is written and then never answered.
    pub(crate) stall_once: Arc<Mutex<HashSet<String>>>,
}

impl MemoryStore {
    pub(crate) fn keys(&self, prefix: &str) -> Vec<String> {
        self.objects
            .lock()
            .unwrap()
            .keys()
            .filter(|key| key.starts_with(prefix))
            .cloned()
            .collect()
    }

    pub(crate) fn json(&self, key: &str) -> serde_json::Value {
        serde_json::from_slice(&self.objects.lock().unwrap()[key]).unwrap()
    }
}

impl ObjectStore for MemoryStore {
    async fn put_if_absent(
        &self,
        key: &str,
        body: Vec<u8>,
        _content_type: &str,
    ) -> Result<PutOutcome, PortError> {
        let outcome = {
            let mut objects = self.objects.lock().unwrap();
            if objects.contains_key(key) {
                PutOutcome::AlreadyExists
            } else {
                objects.insert(key.to_owned(), body);
                PutOutcome::Created
            }
        };
        if self.stall_once.lock().unwrap().remove(key) {
            std::future::pending::<()>().await;
        }
        Ok(outcome)
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, PortError> {
        Ok(self.objects.lock().unwrap().get(key).cloned())
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct MemoryQueue {
    pub(crate) sent: Arc<Mutex<Vec<(String, OutgoingMessage)>>>,
    /// Errors the next sends fail with, last first.
    pub(crate) fail_next: Arc<Mutex<Vec<PortError>>>,
}

impl MemoryQueue {
    pub(crate) fn bodies(&self) -> Vec<serde_json::Value> {
        self.sent
            .lock()
            .unwrap()
            .iter()
            .map(|(_, message)| serde_json::from_str(&message.body).unwrap())
            .collect()
    }
}

impl QueueSender for MemoryQueue {
    async fn send(&self, queue_url: &str, message: OutgoingMessage) -> Result<String, PortError> {
        if let Some(error) = self.fail_next.lock().unwrap().pop() {
            return Err(error);
        }
        let mut sent = self.sent.lock().unwrap();
        sent.push((queue_url.to_owned(), message));
        Ok(format!("sent-{}", sent.len()))
    }
}

/// Items keyed by their key attributes' JSON, conditions evaluated as DynamoDB does
/// ([`Condition::holds`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct MemoryTable {
    pub(crate) items: Arc<Mutex<BTreeMap<String, Item>>>,
}

fn key_of(item: &Item, names: &[&str]) -> String {
    names
        .iter()
        .map(|name| {
            item.get(*name)
                .map(runtime::ports::Attribute::to_json)
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("|")
}

impl TableStore for MemoryTable {
    async fn put_if_absent(
        &self,
        key_attribute: &str,
        item: Item,
    ) -> Result<PutOutcome, PortError> {
        let key = key_of(&item, &[key_attribute]);
        let mut items = self.items.lock().unwrap();
        if items.contains_key(&key) {
            return Ok(PutOutcome::AlreadyExists);
        }
        items.insert(key, item);
        Ok(PutOutcome::Created)
    }

    async fn get(&self, key: Item) -> Result<Option<Item>, PortError> {
        let names: Vec<&str> = key.keys().map(String::as_str).collect();
        Ok(self
            .items
            .lock()
            .unwrap()
            .get(&key_of(&key, &names))
            .cloned())
    }

    async fn update_if(
        &self,
        key: Item,
        set: Item,
        condition: Condition,
    ) -> Result<UpdateOutcome, PortError> {
        let names: Vec<&str> = key.keys().map(String::as_str).collect();
        let id = key_of(&key, &names);
        let mut items = self.items.lock().unwrap();
        if !condition.holds(items.get(&id)) {
            return Ok(UpdateOutcome::ConditionFailed);
        }
        let item = items.entry(id).or_insert(key);
        item.extend(set);
        Ok(UpdateOutcome::Updated)
    }
}

/// Records every email; `fail_next` makes the next sends fail with the error given.
#[derive(Debug, Clone, Default)]
pub(crate) struct MemoryMail {
    pub(crate) sent: Arc<Mutex<Vec<OutgoingEmail>>>,
    pub(crate) fail_next: Arc<Mutex<Vec<PortError>>>,
}

impl MailSender for MemoryMail {
    async fn send(&self, email: OutgoingEmail) -> Result<String, PortError> {
        if let Some(error) = self.fail_next.lock().unwrap().pop() {
            if error.ambiguous {
                // The service took it, the answer was lost.
                self.sent.lock().unwrap().push(email);
            }
            return Err(error);
        }
        let mut sent = self.sent.lock().unwrap();
        sent.push(email);
        Ok(format!("email-{}", sent.len()))
    }
}

/// Records every event published, by bus; `throttle_next` entries are answered
/// `ThrottlingException` first.
#[derive(Debug, Clone, Default)]
pub(crate) struct MemoryEvents {
    pub(crate) published: Arc<Mutex<Vec<(String, OutgoingEvent)>>>,
    pub(crate) throttle_next: Arc<Mutex<usize>>,
}

impl EventPublisher for MemoryEvents {
    async fn put_events(
        &self,
        bus: &str,
        entries: Vec<OutgoingEvent>,
    ) -> Result<Vec<EntryResult>, PortError> {
        let mut throttle = self.throttle_next.lock().unwrap();
        let mut published = self.published.lock().unwrap();
        Ok(entries
            .into_iter()
            .map(|entry| {
                if *throttle > 0 {
                    *throttle -= 1;
                    return EntryResult::Failed {
                        code: "ThrottlingException".into(),
                        message: "Rate exceeded".into(),
                    };
                }
                published.push((bus.to_owned(), entry));
                EntryResult::Published {
                    event_id: format!("event-{}", published.len()),
                }
            })
            .collect())
    }
}

/// One store, one queue, one table and one mailbox, shared by every handler built over them.
#[derive(Debug, Clone, Default)]
pub(crate) struct MemoryPorts {
    pub(crate) store: MemoryStore,
    pub(crate) queue: MemoryQueue,
    pub(crate) table: MemoryTable,
    pub(crate) mail: MemoryMail,
    pub(crate) events: MemoryEvents,
}

impl Ports for MemoryPorts {
    type Store = MemoryStore;
    type Queue = MemoryQueue;
    type Table = MemoryTable;
    type Mail = MemoryMail;
    type Events = MemoryEvents;

    fn store(&self, _bucket: &str) -> MemoryStore {
        self.store.clone()
    }

    fn queue(&self) -> MemoryQueue {
        self.queue.clone()
    }

    fn table(&self, _table: &str) -> MemoryTable {
        self.table.clone()
    }

    fn mail(&self) -> MemoryMail {
        self.mail.clone()
    }

    fn events(&self) -> MemoryEvents {
        self.events.clone()
    }
}
