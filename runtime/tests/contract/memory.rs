//! In-memory ports: a bucket and a queue sender that record what they were given, with an
//! optional stall (the store writes, then never answers) to stand in for a hung S3 call.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};

use runtime::Ports;
use runtime::ports::{ObjectStore, OutgoingMessage, PortError, PutOutcome, QueueSender};

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
        let mut sent = self.sent.lock().unwrap();
        sent.push((queue_url.to_owned(), message));
        Ok(format!("sent-{}", sent.len()))
    }
}

/// One store and one queue, shared by every handler built over them.
#[derive(Debug, Clone, Default)]
pub(crate) struct MemoryPorts {
    pub(crate) store: MemoryStore,
    pub(crate) queue: MemoryQueue,
}

impl Ports for MemoryPorts {
    type Store = MemoryStore;
    type Queue = MemoryQueue;

    fn store(&self, _bucket: &str) -> MemoryStore {
        self.store.clone()
    }

    fn queue(&self) -> MemoryQueue {
        self.queue.clone()
    }
}
