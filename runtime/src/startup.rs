//! What a handler is built from: the environment's variables, the shared [`Settings`], and the
//! ports (object stores, queue sender, tables, email, events) — each guarded by retry with jitter inside
//! a circuit breaker. Each handler reads its own variables here; see [`crate::serve`].

use std::time::Duration;

use crate::aws::{DynamoTable, EventBridgePublisher, S3Store, SesMailer, SqsSender};
use crate::config::{ConfigError, Settings, Variables};
use crate::guard::Guarded;
use crate::handlers::GuardedStore;
use crate::ports::{EventPublisher, MailSender, ObjectStore, QueueSender, TableStore};
use crate::resilience::{BreakerConfig, CircuitBreaker, RetryPolicy};

/// Where a handler's ports come from: AWS ([`AwsPorts`]), or whatever a test brings.
pub trait Ports {
    /// The object store of one bucket.
    type Store: ObjectStore;
    /// The queue sender.
    type Queue: QueueSender;
    /// The items of one table.
    type Table: TableStore;
    /// The email sender.
    type Mail: MailSender;
    /// The event publisher.
    type Events: EventPublisher;
    /// A store over `bucket`.
    fn store(&self, bucket: &str) -> Self::Store;
    /// A queue sender.
    fn queue(&self) -> Self::Queue;
    /// The table named `table`.
    fn table(&self, table: &str) -> Self::Table;
    /// An email sender.
    fn mail(&self) -> Self::Mail;
    /// An event publisher.
    fn events(&self) -> Self::Events;
}

/// S3, SQS, DynamoDB, SES v2 and EventBridge through the AWS SDK.
#[derive(Debug, Clone)]
pub struct AwsPorts {
    sdk: aws_config::SdkConfig,
}

impl AwsPorts {
    /// Ports over `sdk` (see [`crate::aws::sdk_config`] for the operation timeout).
    pub fn new(sdk: &aws_config::SdkConfig) -> Self {
        Self { sdk: sdk.clone() }
    }
}

impl Ports for AwsPorts {
    type Store = S3Store;
    type Queue = SqsSender;
    type Table = DynamoTable;
    type Mail = SesMailer;
    type Events = EventBridgePublisher;

    fn store(&self, bucket: &str) -> S3Store {
        S3Store::new(&self.sdk, bucket)
    }

    fn queue(&self) -> SqsSender {
        SqsSender::new(&self.sdk)
    }

    fn table(&self, table: &str) -> DynamoTable {
        DynamoTable::new(&self.sdk, table)
    }

    fn mail(&self) -> SesMailer {
        SesMailer::new(&self.sdk)
    }

    fn events(&self) -> EventBridgePublisher {
        EventBridgePublisher::new(&self.sdk)
    }
}

/// The start of a function: variables, shared settings, ports.
#[derive(Debug)]
pub struct Startup<P> {
    variables: Variables,
    settings: Settings,
    ports: P,
}

impl<P: Ports> Startup<P> {
    /// Reads the shared settings from `variables`; `handler` names the function when Lambda
    /// does not.
    pub fn new(variables: Variables, handler: &str, ports: P) -> Result<Self, ConfigError> {
        let settings = Settings::read(&variables, handler)?;
        Ok(Self {
            variables,
            settings,
            ports,
        })
    }

    /// The variables, for the handler's own.
    pub fn variables(&self) -> &Variables {
        &self.variables
    }

    /// The shared settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The store of `bucket`, behind retry and a circuit breaker of its own (shared by every
    /// invocation of this process).
    pub fn guarded_store(&self, bucket: &str) -> GuardedStore<P::Store> {
        GuardedStore::new(
            self.ports.store(bucket),
            self.breaker(),
            RetryPolicy::default(),
        )
    }

    /// The queue sender.
    pub fn queue(&self) -> P::Queue {
        self.ports.queue()
    }

    /// The queue sender behind retry and a circuit breaker of its own.
    pub fn guarded_queue(&self) -> Guarded<P::Queue> {
        self.guard(self.ports.queue())
    }

    /// The table `table` behind retry and a circuit breaker of its own.
    pub fn guarded_table(&self, table: &str) -> Guarded<P::Table> {
        self.guard(self.ports.table(table))
    }

    /// The email sender behind retry and a circuit breaker of its own.
    pub fn guarded_mail(&self) -> Guarded<P::Mail> {
        self.guard(self.ports.mail())
    }

    /// The event publisher behind retry and a circuit breaker of its own.
    pub fn guarded_events(&self) -> Guarded<P::Events> {
        self.guard(self.ports.events())
    }

    /// `port` behind the default retry policy and a breaker with the configured cooldown.
    pub fn guard<T>(&self, port: T) -> Guarded<T> {
        Guarded::new(port, self.breaker(), RetryPolicy::default())
    }

    fn breaker(&self) -> CircuitBreaker {
        CircuitBreaker::new(BreakerConfig {
            cooldown: Duration::from_secs(u64::from(self.settings.breaker_cooldown_seconds)),
            ..BreakerConfig::default()
        })
    }
}
