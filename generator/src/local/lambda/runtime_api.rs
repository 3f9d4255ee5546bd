//! The Lambda Runtime API (`/2018-06-01/runtime/...`) for one worker: the generated binary
//! asks for the next invocation and posts its response or error, exactly as on Lambda.

use std::collections::HashMap;
use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use tokio::net::TcpListener;
use tokio::sync::{Mutex as AsyncMutex, mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::local::listener::{Reply, Service, serve};

/// What the function answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The handler's response body.
    Response(Bytes),
    /// The handler reported an error (`/invocation/{id}/error`).
    Error(Bytes),
}

/// One invocation waiting for the function.
#[derive(Debug)]
pub struct Invocation {
    pub request_id: String,
    pub event: Bytes,
    pub deadline: SystemTime,
    pub answer: oneshot::Sender<Answer>,
}

struct State {
    function_arn: String,
    next: AsyncMutex<mpsc::Receiver<Invocation>>,
    pending: Mutex<HashMap<String, oneshot::Sender<Answer>>>,
}

/// A Runtime API endpoint for one worker process; stops when dropped.
#[derive(Debug)]
pub struct RuntimeApi {
    address: SocketAddr,
    server: JoinHandle<()>,
}

impl RuntimeApi {
    /// Listens on a free loopback port; invocations sent on the returned channel are handed to
    /// the function's `next` calls in order.
    pub async fn start(function_arn: String) -> std::io::Result<(Self, mpsc::Sender<Invocation>)> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let address = listener.local_addr()?;
        let (sender, receiver) = mpsc::channel(1);
        let state = Arc::new(State {
            function_arn,
            next: AsyncMutex::new(receiver),
            pending: Mutex::new(HashMap::new()),
        });
        let server = tokio::spawn(serve(listener, state));
        Ok((Self { address, server }, sender))
    }

    /// `127.0.0.1:PORT`, the value of `AWS_LAMBDA_RUNTIME_API`.
    pub fn authority(&self) -> String {
        self.address.to_string()
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Service for State {
    fn call(&self, request: Request<Incoming>) -> impl Future<Output = Reply> + Send {
        handle(self, request)
    }
}

async fn handle(state: &State, request: Request<Incoming>) -> Reply {
    let path = request.uri().path().to_owned();
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (request.method(), segments.as_slice()) {
        (&Method::GET, ["2018-06-01", "runtime", "invocation", "next"]) => next(state).await,
        (
            &Method::POST,
            [
                "2018-06-01",
                "runtime",
                "invocation",
                id,
                kind @ ("response" | "error"),
            ],
        ) => {
            let id = (*id).to_owned();
            let is_error = *kind == "error";
            let body = request
                .into_body()
                .collect()
                .await
                .map(http_body_util::Collected::to_bytes)
                .unwrap_or_default();
            let waiter = state
                .pending
                .lock()
                .map(|mut pending| pending.remove(&id))
                .unwrap_or_default();
            match waiter {
                Some(waiter) => {
                    let _ = waiter.send(if is_error {
                        Answer::Error(body)
                    } else {
                        Answer::Response(body)
                    });
                    status(StatusCode::ACCEPTED, r#"{"status":"OK"}"#)
                }
                None => status(
                    StatusCode::BAD_REQUEST,
                    r#"{"errorMessage":"unknown request id","errorType":"InvalidRequestID"}"#,
                ),
            }
        }
        (&Method::POST, ["2018-06-01", "runtime", "init", "error"]) => {
            status(StatusCode::ACCEPTED, r#"{"status":"OK"}"#)
        }
        _ => status(
            StatusCode::NOT_FOUND,
            r#"{"errorMessage":"not found","errorType":"NotFound"}"#,
        ),
    }
}

/// Blocks until an invocation is available (the function polls here between invocations).
async fn next(state: &State) -> Response<Full<Bytes>> {
    let invocation = state.next.lock().await.recv().await;
    let Some(invocation) = invocation else {
        return status(
            StatusCode::GONE,
            r#"{"errorMessage":"engine stopping","errorType":"Shutdown"}"#,
        );
    };
    if let Ok(mut pending) = state.pending.lock() {
        pending.insert(invocation.request_id.clone(), invocation.answer);
    }
    let deadline = invocation
        .deadline
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_millis();
    Response::builder()
        .status(StatusCode::OK)
        .header("Content-Type", "application/json")
        .header("Lambda-Runtime-Aws-Request-Id", &invocation.request_id)
        .header("Lambda-Runtime-Deadline-Ms", deadline.to_string())
        .header("Lambda-Runtime-Invoked-Function-Arn", &state.function_arn)
        .header(
            "Lambda-Runtime-Trace-Id",
            format!(
                "Root=1-00000000-{}",
                invocation
                    .request_id
                    .replace('-', "")
                    .get(..24)
                    .unwrap_or("0")
            ),
        )
        .body(Full::new(invocation.event))
        .unwrap_or_else(|_| status(StatusCode::INTERNAL_SERVER_ERROR, "{}"))
}

fn status(code: StatusCode, body: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *response.status_mut() = code;
    response
}
