//! The resources a handler of one's own (`handler: custom`) reaches: one typed value per entry of
//! its function's `writes:`, built from the variable the template sets for it. The generated glue
//! gives the handler a struct with one such field per write, so a write removed from
//! pipeline.yaml removes the field, and code that used it stops compiling — the same list makes
//! the IAM policy.

use crate::batch::RecordFailure;
use crate::config::{ConfigError, vars};
use crate::guard::{GuardError, Guarded};
use crate::handlers::{GuardedStore, MAX_KEY_BYTES};
use crate::ports::{
    Condition, Item, MailSender, ObjectStore, OutgoingEmail, OutgoingMessage, PutOutcome,
    QueueSender, TableStore, UpdateOutcome, is_fifo_url,
};
use crate::startup::{AwsPorts, Ports, Startup};

/// The bus of `writes.events` (see [`crate::events::Bus`]).
pub use crate::events::Bus;

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

/// A queue the function sends to, retried with jitter inside a circuit breaker of its own. A
/// throttled send fails the record as throttled (an API function answers `429`).
#[derive(Debug)]
pub struct Queue<Q = <AwsPorts as Ports>::Queue> {
    url: String,
    sender: Guarded<Q>,
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
            sender: startup.guarded_queue(),
        })
    }

    /// The queue's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Whether the queue is FIFO.
    pub fn is_fifo(&self) -> bool {
        is_fifo_url(&self.url)
    }

    /// Sends `body`; on a FIFO queue, in group `group_id` deduplicated by `deduplication_id`.
    /// Returns the new message id; a failure (after retries) fails the record as transient.
    pub async fn send(
        &self,
        body: impl Into<String>,
        group_id: Option<&str>,
        deduplication_id: Option<&str>,
    ) -> Result<String, RecordFailure> {
        self.send_message(OutgoingMessage {
            body: body.into(),
            group_id: group_id.map(str::to_owned),
            deduplication_id: deduplication_id.map(str::to_owned),
            ..OutgoingMessage::default()
        })
        .await
    }

    /// Sends `message` with its attributes. On a FIFO queue the group defaults to `default`
    /// and the delay is dropped (FIFO queues take none); on a standard queue the group and
    /// deduplication id are dropped.
    pub async fn send_message(
        &self,
        mut message: OutgoingMessage,
    ) -> Result<String, RecordFailure> {
        if self.is_fifo() {
            message.group_id = Some(message.group_id.unwrap_or_else(|| "default".to_owned()));
            message.delay_seconds = 0;
        } else {
            message.group_id = None;
            message.deduplication_id = None;
        }
        self.sender
            .call(|sender| sender.send(&self.url, message.clone()))
            .await
            .map_err(|error| {
                let mut failure = RecordFailure::from(error);
                failure.reason = format!("send failed: {}", failure.reason);
                failure
            })
    }
}

/// A DynamoDB table the function writes to (`writes.table`): conditional puts, consistent reads
/// and conditional updates, each retried with jitter inside the table's circuit breaker. A
/// condition that does not hold is an answer ([`PutOutcome::AlreadyExists`],
/// [`UpdateOutcome::ConditionFailed`]); a throttled call fails the record as throttled.
#[derive(Debug)]
pub struct Table<D = <AwsPorts as Ports>::Table> {
    name: String,
    partition_key: String,
    items: Guarded<D>,
}

impl<D: TableStore> Table<D> {
    /// The table named by `variable` (set by the template for `writes.table`), keyed by the
    /// attribute `TABLE_PARTITION_KEY` names.
    pub fn from_startup<P: Ports<Table = D>>(
        startup: &Startup<P>,
        variable: &'static str,
        resource: &str,
    ) -> Result<Self, ConfigError> {
        let variables = startup.variables();
        let name = variables.require(
            variable,
            &format!("the handler writes to table `{resource}` through it"),
        )?;
        let partition_key = variables.require(
            vars::TABLE_PARTITION_KEY,
            &format!("the handler keys the items of table `{resource}` by this attribute"),
        )?;
        Ok(Self {
            items: startup.guarded_table(&name),
            name,
            partition_key,
        })
    }

    /// The table's physical name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The partition key's attribute name.
    pub fn partition_key(&self) -> &str {
        &self.partition_key
    }

    /// The key of the item whose partition key is the string `id`.
    pub fn key(&self, id: &str) -> Item {
        Item::from([(
            self.partition_key.clone(),
            crate::ports::Attribute::string(id),
        )])
    }

    /// The guarded table, for calls of one's own.
    pub fn items(&self) -> &Guarded<D> {
        &self.items
    }

    /// Writes `item` unless an item with its partition key exists.
    pub async fn put_if_absent(&self, item: Item) -> Result<PutOutcome, RecordFailure> {
        Ok(self
            .items
            .call(|table| table.put_if_absent(&self.partition_key, item.clone()))
            .await?)
    }

    /// Reads the item with `key` (strongly consistent), `None` if there is none.
    pub async fn get(&self, key: Item) -> Result<Option<Item>, RecordFailure> {
        Ok(self.items.call(|table| table.get(key.clone())).await?)
    }

    /// Sets the attributes of `set` on the item with `key` if `condition` holds.
    pub async fn update_if(
        &self,
        key: Item,
        set: Item,
        condition: Condition,
    ) -> Result<UpdateOutcome, RecordFailure> {
        Ok(self
            .items
            .call(|table| table.update_if(key.clone(), set.clone(), condition.clone()))
            .await?)
    }
}

/// Email from the pipeline's sender (`writes.email`), through SES v2. A send is never retried
/// after a failure that may have sent it (a timeout): the error says so
/// ([`GuardError::is_ambiguous`]), so the caller can record that instead of sending twice.
#[derive(Debug)]
pub struct Email<M = <AwsPorts as Ports>::Mail> {
    sender: String,
    configuration_set: Option<String>,
    mail: Guarded<M>,
}

impl<M: MailSender> Email<M> {
    /// The sender address `variable` holds (set by the template for `writes.email`), with the
    /// configuration set of `EMAIL_CONFIGURATION_SET` when set.
    pub fn from_startup<P: Ports<Mail = M>>(
        startup: &Startup<P>,
        variable: &'static str,
        resource: &str,
    ) -> Result<Self, ConfigError> {
        let variables = startup.variables();
        let sender = variables.require(
            variable,
            &format!("the handler sends `{resource}` from this address"),
        )?;
        if !plausible_address(&sender) {
            return Err(ConfigError {
                variable,
                problem: format!(
                    "must be an email address such as `orders@example.com`, found `{sender}`"
                ),
            });
        }
        Ok(Self {
            sender,
            configuration_set: variables.get(vars::EMAIL_CONFIGURATION_SET),
            mail: startup.guarded_mail(),
        })
    }

    /// The From address.
    pub fn sender(&self) -> &str {
        &self.sender
    }

    /// The configuration set, if any.
    pub fn configuration_set(&self) -> Option<&str> {
        self.configuration_set.as_deref()
    }

    /// Sends `subject` with `text` (and `html`, if any) to `to`; returns the SES message id.
    /// Retried only while the failure shows it was not sent (throttled, refused, breaker open).
    pub async fn send(
        &self,
        to: &str,
        subject: &str,
        text: &str,
        html: Option<&str>,
    ) -> Result<String, GuardError> {
        let email = OutgoingEmail {
            from: self.sender.clone(),
            to: vec![to.to_owned()],
            subject: subject.to_owned(),
            text: text.to_owned(),
            html: html.map(str::to_owned),
            configuration_set: self.configuration_set.clone(),
        };
        self.mail
            .call_at_most_once(|mail| mail.send(email.clone()))
            .await
    }
}

/// Whether `address` looks like an email address: one `@` with text before it, and a domain
/// with a dot after it, no spaces.
pub fn plausible_address(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !address.chars().any(char::is_whitespace)
}
