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

pub mod sqs;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

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
        let server = tokio::spawn(serve(listener, shared));
        Ok(Self { address, server })
    }

    /// The bound address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// `http://127.0.0.1:PORT`, the endpoint URL for SDK clients.
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

async fn serve(listener: TcpListener, shared: sqs::operations::Shared) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let shared = Arc::clone(&shared);
                connections.spawn(async move {
                    let service = service_fn(move |request| {
                        sqs::server::handle(Arc::clone(&shared), request)
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
