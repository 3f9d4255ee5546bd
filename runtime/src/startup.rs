//! What a handler is built from: the environment's variables, the shared [`Settings`], and the
//! ports (object stores, queue sender) — each store already guarded by retry with jitter inside
//! a circuit breaker. Each handler reads its own variables here; see [`crate::serve`].

use std::time::Duration;

use crate::aws::{S3Store, SqsSender};
use crate::config::{ConfigError, Settings, Variables};
use crate::handlers::GuardedStore;
use crate::ports::{ObjectStore, QueueSender};
use crate::resilience::{BreakerConfig, CircuitBreaker, RetryPolicy};

/// Where a handler's ports come from: AWS ([`AwsPorts`]), or whatever a test brings.
pub trait Ports {
    /// The object store of one bucket.
    type Store: ObjectStore;
    /// The queue sender.
    type Queue: QueueSender;
    /// A store over `bucket`.
    fn store(&self, bucket: &str) -> Self::Store;
    /// A queue sender.
    fn queue(&self) -> Self::Queue;
}

/// S3 and SQS through the AWS SDK.
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

    fn store(&self, bucket: &str) -> S3Store {
        S3Store::new(&self.sdk, bucket)
    }

    fn queue(&self) -> SqsSender {
        SqsSender::new(&self.sdk)
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
        let breaker = BreakerConfig {
            cooldown: Duration::from_secs(u64::from(self.settings.breaker_cooldown_seconds)),
            ..BreakerConfig::default()
        };
        GuardedStore::new(
            self.ports.store(bucket),
            CircuitBreaker::new(breaker),
            RetryPolicy::default(),
        )
    }

    /// The queue sender.
    pub fn queue(&self) -> P::Queue {
        self.ports.queue()
    }
}
