//! The one loopback server loop every local server runs (the engine, the Lambda Runtime API):
//! it accepts connections, serves HTTP/1 on each with a [`Service`], and backs off when
//! accepting fails (e.g. `EMFILE`, out of file descriptors) instead of spinning.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

/// A whole response, as every local server answers.
pub type Reply = Response<Full<Bytes>>;

/// Something that answers HTTP requests: a server of the engine.
pub trait Service: Send + Sync + 'static {
    /// Answers one request; errors are answers too (in the protocol's shape).
    fn call(&self, request: Request<Incoming>) -> impl Future<Output = Reply> + Send;
}

/// The first pause after a failed accept; doubled on each further failure up to [`MAX_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_millis(5);
/// The longest pause between accept attempts.
const MAX_PAUSE: Duration = Duration::from_secs(1);

/// Serves `service` on `listener` until the task is aborted; aborting drops the connections'
/// `JoinSet`, which aborts every connection.
pub async fn serve<S: Service>(listener: TcpListener, service: Arc<S>) {
    let mut connections = JoinSet::new();
    let mut pause = FIRST_PAUSE;
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    pause = FIRST_PAUSE;
                    let service = Arc::clone(&service);
                    connections.spawn(async move {
                        let handler = service_fn(move |request| {
                            let service = Arc::clone(&service);
                            async move { Ok::<_, std::convert::Infallible>(service.call(request).await) }
                        });
                        // A client that hangs up mid-request is not a server error.
                        let _ = http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), handler)
                            .await;
                    });
                } else {
                    // Out of descriptors or memory: retrying at once would spin a core.
                    tokio::time::sleep(pause).await;
                    pause = next_pause(pause);
                }
            },
            Some(_) = connections.join_next() => {}
        }
    }
}

fn next_pause(pause: Duration) -> Duration {
    (pause * 2).min(MAX_PAUSE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_up_to_a_second() {
        let mut pause = FIRST_PAUSE;
        let mut seen = Vec::new();
        for _ in 0..10 {
            seen.push(pause.as_millis());
            pause = next_pause(pause);
        }
        assert_eq!(seen, [5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
    }
}
