//! The local engine behind `gen dev`: AWS wire protocols on loopback, so generated binaries and
//! any AWS client run against it unchanged.
//!
//! One module per service ([`sqs`], [`s3`], [`dynamodb`], [`ses`], [`eventbridge`]), each an [`AwsService`]; one
//! [`router`] that checks `Host` and picks the service by `X-Amz-Target`, signature or path; one fault layer ([`faults`]); one
//! loopback server loop ([`listener`]).
//!
//! ```no_run
//! # async fn example() -> Result<(), engine::EngineError> {
//! let engine = engine::Engine::start(engine::EngineConfig::default()).await?;
//! println!("SQS, S3 and DynamoDB endpoint: {}", engine.endpoint());
//! engine.shutdown().await;
//! # Ok(())
//! # }
//! ```

pub mod budget;
pub mod data_dir;
pub mod dynamodb;
pub mod eventbridge;
pub mod faults;
pub mod foreign;
pub mod gate;
pub mod host;
pub mod http_api;
pub mod limits;
pub mod listener;
pub mod router;
pub mod s3;
pub mod service;
pub mod ses;
pub mod sqs;

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use faults::{Fault, FaultPlan, Faults, Outage};
pub use limits::Limits;
pub use service::AwsService;

/// How to start an engine; [`EngineConfig::default`] is any free port, default [`Limits`], no
/// faults.
#[derive(Debug, Clone, Default)]
pub struct EngineConfig {
    /// The port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// What the engine accepts and holds.
    pub limits: Limits,
    /// Faults per service name ([`sqs::NAME`], [`s3::NAME`]); outage windows count from the
    /// start.
    pub faults: BTreeMap<&'static str, FaultPlan>,
    /// DynamoDB tables created at start, as `CreateTable` would (ACTIVE at once).
    pub tables: Vec<dynamodb::TableSpec>,
    /// The folder SES v2 writes each accepted message to (`<message-id>.json`); `None` keeps
    /// them in memory only ([`Engine::outbox`]).
    pub outbox: Option<std::path::PathBuf>,
    /// EventBridge buses created at start, with their rules and targets (the queues they name
    /// must exist by the time events arrive).
    pub buses: Vec<eventbridge::BusSpec>,
    /// The folder objects, queues and tables are kept in across restarts ([`data_dir`]); `None`
    /// keeps them in memory only.
    pub data_dir: Option<std::path::PathBuf>,
}

/// Why the engine could not start.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The port is taken or not ours to bind.
    #[error("cannot listen on 127.0.0.1:{port}; pick another port (or 0 for any free one)")]
    Bind {
        /// The requested port (0 means any).
        port: u16,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Two tables of the configuration share a name.
    #[error("the DynamoDB table `{0}` is configured twice; give each table its own name")]
    DuplicateTable(String),
    /// A bus, rule or target of the configuration that EventBridge would refuse.
    #[error("the EventBridge configuration is not valid: {0}")]
    Buses(#[source] eventbridge::EventsError),
    /// The data folder could not be read.
    #[error("cannot restore the engine's data folder: {0}")]
    DataDir(#[source] data_dir::DataDirError),
}

/// How often a data folder is saved while the engine runs.
pub const SAVE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

/// The data folder and what it saves.
#[derive(Debug, Clone)]
struct Saver {
    folder: Arc<std::sync::Mutex<data_dir::DataDir>>,
    store: s3::ObjectStore,
    sqs: sqs::Sqs,
    dynamodb: dynamodb::DynamoDb,
}

impl Saver {
    /// Writes what changed; blocking.
    fn save(&self) -> Result<(), data_dir::DataDirError> {
        self.folder
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .save(&self.store, &self.sqs, &self.dynamodb)
    }
}

/// A running engine; it stops when dropped or shut down.
#[derive(Debug)]
pub struct Engine {
    address: SocketAddr,
    store: s3::ObjectStore,
    dynamodb: dynamodb::DynamoDb,
    outbox: ses::Outbox,
    eventbridge: eventbridge::EventBridge,
    sqs: sqs::Sqs,
    faults: Faults,
    /// "SQS (JSON protocol), DynamoDB, SES v2 (`SendEmail`), EventBridge and S3".
    served: String,
    server: JoinHandle<()>,
    /// Closed by [`Engine::close`].
    gate: gate::Gate,
    /// With a data folder: what saves it, and the task saving it each [`SAVE_INTERVAL`].
    saver: Option<(Saver, JoinHandle<()>)>,
}

impl Engine {
    /// Listens on `127.0.0.1:config.port` and serves until dropped. Must be called inside a
    /// tokio runtime.
    pub async fn start(config: EngineConfig) -> Result<Self, EngineError> {
        let EngineConfig {
            port,
            limits,
            faults: plans,
            tables,
            outbox,
            buses,
            data_dir,
        } = config;
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .await
            .map_err(|source| EngineError::Bind { port, source })?;
        let address = listener
            .local_addr()
            .map_err(|source| EngineError::Bind { port, source })?;
        let budget = budget::Budget::new(limits.max_stored_bytes);
        let store = s3::ObjectStore::with_limits(limits, budget.clone());
        let faults = Faults::new();
        for (service, plan) in plans {
            faults.set(service, plan);
        }
        // One line per service; a JSON-protocol service routes by its `X-Amz-Target` prefix.
        let dynamodb = dynamodb::DynamoDb::new(budget.clone());
        for spec in tables {
            let name = spec.name.clone();
            dynamodb
                .create_table(spec)
                .map_err(|_| EngineError::DuplicateTable(name))?;
        }
        let outbox = ses::Outbox::new(outbox);
        let sqs = sqs::Sqs::new(address.port(), budget);
        let saver = match data_dir {
            Some(folder) => {
                let folder = data_dir::DataDir::open(&folder, &store, &sqs, &dynamodb)
                    .map_err(EngineError::DataDir)?;
                let saver = Saver {
                    folder: Arc::new(std::sync::Mutex::new(folder)),
                    store: store.clone(),
                    sqs: sqs.clone(),
                    dynamodb: dynamodb.clone(),
                };
                let periodic = saver.clone();
                let task = tokio::spawn(async move {
                    let mut ticks = tokio::time::interval(SAVE_INTERVAL);
                    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                    loop {
                        ticks.tick().await;
                        let saver = periodic.clone();
                        // A failed save is retried on the next tick and reported by `close`.
                        let _ = tokio::task::spawn_blocking(move || saver.save()).await;
                    }
                });
                Some((saver, task))
            }
            None => None,
        };
        let eventbridge = eventbridge::EventBridge::new(sqs.clone(), faults.clone());
        eventbridge.create(&buses).map_err(EngineError::Buses)?;
        let services: Vec<Arc<dyn AwsService>> = vec![
            Arc::new(sqs.clone()),
            Arc::new(dynamodb.clone()),
            Arc::new(ses::Ses::new(outbox.clone())),
            Arc::new(eventbridge.clone()),
            Arc::new(s3::S3::new(store.clone(), limits)),
        ];

        let router = router::Router::new(address.port(), services, faults.clone());
        let services = router.served().to_owned();
        let gate = router.gate().clone();
        let server = tokio::spawn(listener::serve(listener, Arc::new(router)));
        Ok(Self {
            address,
            store,
            dynamodb,
            outbox,
            eventbridge,
            sqs,
            faults,
            served: services,
            server,
            gate,
            saver,
        })
    }

    /// The bound address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The fault layer, to change faults while the engine runs.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// The object store, for inspection.
    pub fn store(&self) -> &s3::ObjectStore {
        &self.store
    }

    /// The DynamoDB tables, for inspection and set-up.
    pub fn dynamodb(&self) -> &dynamodb::DynamoDb {
        &self.dynamodb
    }

    /// SQS in-process for pollers (the local Lambda service's event source mappings):
    /// `ReceiveMessage` and `DeleteMessageBatch` without HTTP, under SQS's faults.
    pub fn sqs_poller(&self) -> sqs::Poller {
        self.sqs.poller(self.faults.clone())
    }

    /// The messages SES v2 accepted.
    pub fn outbox(&self) -> &ses::Outbox {
        &self.outbox
    }

    /// SQS: each queue's figures ([`sqs::Sqs::figures`]) and waiting messages.
    pub fn sqs(&self) -> &sqs::Sqs {
        &self.sqs
    }

    /// EventBridge: its buses and rules, and each rule's counters
    /// ([`eventbridge::EventBridge::stats`]).
    pub fn eventbridge(&self) -> &eventbridge::EventBridge {
        &self.eventbridge
    }

    /// The services the engine serves, for people: "SQS (JSON protocol), DynamoDB, SES v2
    /// (`SendEmail`), EventBridge and S3".
    pub fn services(&self) -> &str {
        &self.served
    }

    /// `http://127.0.0.1:PORT`, the endpoint URL for SDK clients (SQS and path-style S3).
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Saves the data folder now, if there is one (what changed since the last save).
    pub async fn save(&self) -> Result<(), data_dir::DataDirError> {
        let Some((saver, _)) = &self.saver else {
            return Ok(());
        };
        let saver = saver.clone();
        tokio::task::spawn_blocking(move || saver.save())
            .await
            .unwrap_or(Ok(()))
    }

    /// Stops serving, then saves the data folder, if there is one: every write acknowledged
    /// before is in it. The engine answers nothing more afterwards.
    pub async fn close(&mut self) -> Result<(), data_dir::DataDirError> {
        self.gate.close();
        self.server.abort();
        let _ = (&mut self.server).await;
        // Requests already past the gate finish (or were dropped with their connection).
        self.gate.drained().await;
        let Some((saver, task)) = &self.saver else {
            return Ok(());
        };
        task.abort();
        let saver = saver.clone();
        tokio::task::spawn_blocking(move || saver.save())
            .await
            .unwrap_or(Ok(()))
    }

    /// Stops serving and waits until the server loop and its connections have ended.
    pub async fn shutdown(mut self) {
        self.server.abort();
        // Dropping `self` after this aborts again, harmlessly; the join error is the abort.
        let _ = (&mut self.server).await;
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        // Aborting the accept loop drops its `JoinSet`, which aborts every connection.
        self.server.abort();
        if let Some((_, task)) = &self.saver {
            task.abort();
        }
    }
}
