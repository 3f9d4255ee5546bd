//! The resources a handler of one's own (`handler: custom`) reaches: one typed value per entry of
//! its function's `writes:`, built from the variable the template sets for it. The generated glue
//! gives the handler a struct with one such field per write, so a write removed from
//! pipeline.yaml removes the field, and code that used it stops compiling — the same list makes
//! the IAM policy.

use crate::batch::RecordFailure;
use crate::config::ConfigError;
use crate::handlers::{GuardedStore, MAX_KEY_BYTES};
use crate::ports::{ObjectStore, OutgoingMessage, PutOutcome, QueueSender, is_fifo_url};
use crate::resilience::{RetryPolicy, retry};
use crate::startup::{AwsPorts, Ports, Startup};

/// A bucket the function writes to: objects are created once (a conditional put), never
/// replaced, and may be read back. Every call is retried with jitter inside the store's
/// circuit breaker.
#[derive(Debug)]
pub struct Bucket<S = <AwsPorts as Ports>::Store> {
    name: String,
    store: GuardedStore<S>,
}

impl<S: ObjectStore> Bucket<S> {
    /// The bucket named by `variable` (set by the template for `writes.<key>`).
    pub fn from_startup<P: Ports<Store = S>>(
        startup: &Startup<P>,
        variable: &'static str,
        resource: &str,
    ) -> Result<Self, ConfigError> {
        let name = startup.variables().require(
            variable,
            &format!("the handler writes to bucket `{resource}` through it"),
        )?;
        Ok(Self {
            store: startup.guarded_store(&name),
            name,
        })
    }

    /// The bucket's physical name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The guarded store, for [`crate::idempotency::Idempotency`].
    pub fn store(&self) -> &GuardedStore<S> {
        &self.store
    }

    /// Creates the object at `key` unless one exists (`If-None-Match: *`); a key over S3's
    /// 1,024 bytes fails the record as invalid, a store failure as transient.
    pub async fn put_if_absent(
        &self,
        key: &str,
        body: &[u8],
        content_type: &str,
    ) -> Result<PutOutcome, RecordFailure> {
        if key.len() > MAX_KEY_BYTES {
            return Err(RecordFailure::invalid(format!(
                "object key of {} bytes; S3 allows {MAX_KEY_BYTES}",
                key.len()
            )));
        }
        self.store
            .put_if_absent(key, body, content_type)
            .await
            .map_err(RecordFailure::transient)
    }

    /// Reads the object at `key`, `None` when there is none.
    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, RecordFailure> {
        self.store.get(key).await.map_err(RecordFailure::transient)
    }
}

/// A queue the function sends to, retried with jitter.
#[derive(Debug)]
pub struct Queue<Q = <AwsPorts as Ports>::Queue> {
    url: String,
    sender: Q,
    retry: RetryPolicy,
}

impl<Q: QueueSender> Queue<Q> {
    /// The queue whose URL `variable` holds (set by the template for `writes.<key>`).
    pub fn from_startup<P: Ports<Queue = Q>>(
        startup: &Startup<P>,
        variable: &'static str,
        resource: &str,
    ) -> Result<Self, ConfigError> {
        let url = startup.variables().require(
            variable,
            &format!("the handler sends to queue `{resource}` through it"),
        )?;
        Ok(Self {
            url,
            sender: startup.queue(),
            retry: RetryPolicy::default(),
        })
    }

    /// The queue's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Sends `body`; on a FIFO queue, in group `group_id` deduplicated by `deduplication_id`.
    /// Returns the new message id; a failure (after retries) fails the record as transient.
    pub async fn send(
        &self,
        body: impl Into<String>,
        group_id: Option<&str>,
        deduplication_id: Option<&str>,
    ) -> Result<String, RecordFailure> {
        let fifo = is_fifo_url(&self.url);
        let message = OutgoingMessage {
            body: body.into(),
            attributes: Vec::new(),
            delay_seconds: 0,
            group_id: fifo.then(|| group_id.unwrap_or("default").to_owned()),
            deduplication_id: fifo.then(|| deduplication_id.map(str::to_owned)).flatten(),
        };
        retry(&self.retry, || self.sender.send(&self.url, message.clone()))
            .await
            .map_err(|error| RecordFailure::transient(format!("send failed: {error}")))
    }
}
