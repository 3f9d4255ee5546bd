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

pub mod demo;
pub mod dev;
pub mod lambda;
pub mod logs;
pub mod s3;
pub mod sqs;
pub mod state;
pub mod time_scale;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

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
    /// Listens on `127.0.0.1:port` (0 picks a free port) and serves until dropped. Must be
    /// called inside a tokio runtime.
    pub async fn start(port: u16) -> Result<Self, EngineError> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .await
            .map_err(|source| EngineError::Bind { port, source })?;
        let address = listener
            .local_addr()
            .map_err(|source| EngineError::Bind { port, source })?;
        let shared = Arc::new(Mutex::new(Registry::new(address.port())));
        let store = s3::ObjectStore::new();
        let store_latency = Arc::new(AtomicU64::new(0));
        let server = tokio::spawn(serve(
            listener,
            shared,
            store.clone(),
            Arc::clone(&store_latency),
        ));
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

/// One listener for both services, as `AWS_ENDPOINT_URL` points every SDK client at one
/// endpoint: requests carrying `X-Amz-Target: AmazonSQS.*` are SQS, the rest are S3.
async fn serve(
    listener: TcpListener,
    shared: sqs::operations::Shared,
    store: s3::ObjectStore,
    store_latency: Arc<AtomicU64>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let shared = Arc::clone(&shared);
                let store = store.clone();
                let store_latency = Arc::clone(&store_latency);
                connections.spawn(async move {
                    let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                        let shared = Arc::clone(&shared);
                        let store = store.clone();
                        let latency = store_latency.load(Ordering::Relaxed);
                        async move {
                            let is_sqs = request
                                .headers()
                                .get("x-amz-target")
                                .and_then(|target| target.to_str().ok())
                                .is_some_and(|target| target.starts_with("AmazonSQS."));
                            if is_sqs {
                                sqs::server::handle(shared, request).await
                            } else {
                                if latency > 0 {
                                    tokio::time::sleep(Duration::from_millis(latency)).await;
                                }
                                Ok(store.handle(request).await)
                            }
                        }
                    });
                    // A client that hangs up mid-request is not an engine error.
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            Some(_) = connections.join_next() => {}
        }
    }
}
