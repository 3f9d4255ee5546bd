//! The embedded local engine behind `gen dev`: AWS wire protocols on loopback, so generated
//! binaries and the SDK run against it unchanged.
//!
//! ```no_run
//! # async fn example() -> Result<(), generator::local::EngineError> {
//! let engine = generator::local::Engine::start(0).await?;
//! println!("SQS endpoint: {}", engine.endpoint());
//! # Ok(())
//! # }
//! ```

pub mod budget;
pub mod demo;
pub mod dev;
pub mod foreign;
pub mod host;
pub mod lambda;
pub mod limits;
pub mod listener;
pub mod logs;
pub mod router;
pub mod s3;
pub mod sqs;
pub mod state;
pub mod time_scale;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use limits::Limits;
use router::Router;
use sqs::registry::Registry;

/// Why the engine could not start.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The port is taken or not ours to bind.
    #[error("cannot listen on 127.0.0.1:{port}")]
    Bind {
        /// The requested port (0 means any).
        port: u16,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// A running engine; it stops when dropped.
#[derive(Debug)]
pub struct Engine {
    address: SocketAddr,
    store: s3::ObjectStore,
    /// Milliseconds added to every S3 request (fault injection).
    store_latency: Arc<AtomicU64>,
    server: JoinHandle<()>,
}

impl Engine {
    /// Listens on `127.0.0.1:port` (0 picks a free port) with the default [`Limits`] and serves
    /// until dropped. Must be called inside a tokio runtime.
    pub async fn start(port: u16) -> Result<Self, EngineError> {
        Self::start_with(port, Limits::default()).await
    }

    /// [`Engine::start`] bounded by `limits`.
    pub async fn start_with(port: u16, limits: Limits) -> Result<Self, EngineError> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .await
            .map_err(|source| EngineError::Bind { port, source })?;
        let address = listener
            .local_addr()
            .map_err(|source| EngineError::Bind { port, source })?;
        let budget = budget::Budget::new(limits.max_stored_bytes);
        let shared = Arc::new(Mutex::new(Registry::with_budget(
            address.port(),
            budget.clone(),
        )));
        let store = s3::ObjectStore::with_limits(limits, budget);
        let store_latency = Arc::new(AtomicU64::new(0));
        let router = Router {
            port: address.port(),
            sqs: shared,
            store: store.clone(),
            store_latency: Arc::clone(&store_latency),
            limits,
        };
        let server = tokio::spawn(listener::serve(listener, Arc::new(router)));
        Ok(Self {
            address,
            store,
            store_latency,
            server,
        })
    }

    /// The bound address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Adds `latency` to every S3 request from now on.
    pub fn set_store_latency(&self, latency: Duration) {
        self.store_latency.store(
            u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    /// The object store, for inspection and fault injection.
    pub fn store(&self) -> &s3::ObjectStore {
        &self.store
    }

    /// `http://127.0.0.1:PORT`, the endpoint URL for SDK clients (SQS and path-style S3).
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.address)
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        // Aborting the accept loop drops its `JoinSet`, which aborts every connection.
        self.server.abort();
    }
}
