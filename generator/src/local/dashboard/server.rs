//! The dashboard's HTTP server on its own loopback port: the page, its script and styles and
//! the pipeline's graph (all embedded in `gen`), the figures as JSON and as server-sent events,
//! a function's recent log lines, and the one action, a dead-letter queue's redrive.
//!
//! Loopback only, no authentication, so two guards: `Host` must name this port on a loopback
//! name (DNS rebinding, as the engine checks it), and the action takes only a JSON body from a
//! page of this origin (another site's page can post a form to 127.0.0.1, but not with
//! `Content-Type: application/json` without a CORS preflight, which is never granted).

use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt as _, Full, Limited, StreamBody};
use hyper::body::{Bytes, Frame, Incoming};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::broadcast::error::RecvError;
use tokio::task::{JoinHandle, JoinSet};

use super::figures::Sources;
use super::logs::RecentLogs;

type Body = UnsyncBoxBody<Bytes, Infallible>;

const INDEX: &str = include_str!("assets/index.html");
const SCRIPT: &str = include_str!("assets/app.js");
const STYLES: &str = include_str!("assets/app.css");

/// How often the live stream looks at the figures.
const TICK: Duration = Duration::from_secs(1);
/// The largest request body the action takes.
const MAX_BODY: usize = 4096;

/// What the server answers from.
#[derive(Debug)]
struct State {
    port: u16,
    sources: Sources,
    logs: Arc<RecentLogs>,
    graph: String,
}

/// The running dashboard; it stops when dropped.
#[derive(Debug)]
pub struct Dashboard {
    address: SocketAddr,
    server: JoinHandle<()>,
}

impl Dashboard {
    /// Listens on `127.0.0.1:port` (0: any free port) and serves `graph` (an SVG) with the live
    /// figures of `sources` and the lines of `logs`.
    pub async fn start(
        port: u16,
        sources: Sources,
        logs: Arc<RecentLogs>,
        graph: String,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
        let address = listener.local_addr()?;
        let state = Arc::new(State {
            port: address.port(),
            sources,
            logs,
            graph,
        });
        let server = tokio::spawn(serve(listener, state));
        Ok(Self { address, server })
    }

    /// `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.address)
    }
}

impl Drop for Dashboard {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn serve(listener: TcpListener, state: Arc<State>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Out of descriptors: wait instead of spinning.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                };
                let state = Arc::clone(&state);
                connections.spawn(async move {
                    let handler = service_fn(move |request| {
                        let state = Arc::clone(&state);
                        async move { Ok::<_, Infallible>(answer(&state, request).await) }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), handler)
                        .await;
                });
            }
            Some(_) = connections.join_next() => {}
        }
    }
}

async fn answer(state: &Arc<State>, request: Request<Incoming>) -> Response<Body> {
    if let Err(refused) = engine::host::check(request.headers(), state.port) {
        return text(StatusCode::FORBIDDEN, &refused.to_string());
    }
    let path = request.uri().path().to_owned();
    match (request.method(), path.as_str()) {
        (&Method::GET, "/") => whole(StatusCode::OK, "text/html; charset=utf-8", INDEX),
        (&Method::GET, "/app.js") => {
            whole(StatusCode::OK, "text/javascript; charset=utf-8", SCRIPT)
        }
        (&Method::GET, "/app.css") => whole(StatusCode::OK, "text/css; charset=utf-8", STYLES),
        (&Method::GET, "/graph.svg") => whole(
            StatusCode::OK,
            "image/svg+xml; charset=utf-8",
            state.graph.clone(),
        ),
        (&Method::GET, "/api/snapshot") => json(StatusCode::OK, &state.sources.snapshot().await),
        (&Method::GET, "/api/events") => events(Arc::clone(state)),
        (&Method::GET, "/api/logs") => {
            let function = request
                .uri()
                .query()
                .and_then(|query| query_value(query, "function"))
                .unwrap_or_default();
            json(StatusCode::OK, &state.logs.of(&function))
        }
        (&Method::POST, "/api/redrive") => redrive(state, request).await,
        (
            _,
            "/" | "/app.js" | "/app.css" | "/graph.svg" | "/api/snapshot" | "/api/events"
            | "/api/logs" | "/api/redrive",
        ) => text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed"),
        _ => text(StatusCode::NOT_FOUND, "not found"),
    }
}

/// `POST /api/redrive` with `{"queue": "<dead-letter queue in pipeline.yaml>"}`: starts a
/// message move task of that queue's waiting messages back to their source queues.
async fn redrive(state: &State, request: Request<Incoming>) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let own_origin = format!("http://{}", host_of(&parts.headers));
    if let Some(origin) = parts.headers.get("origin")
        && origin.as_bytes() != own_origin.as_bytes()
    {
        return text(
            StatusCode::FORBIDDEN,
            "the redrive is taken only from the dashboard's own page",
        );
    }
    let is_json = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if !is_json {
        return text(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the redrive as JSON: {\"queue\": \"<dead-letter queue>\"}",
        );
    }
    let Ok(body) = Limited::new(body, MAX_BODY).collect().await else {
        return text(
            StatusCode::PAYLOAD_TOO_LARGE,
            "the request body is too large",
        );
    };
    let queue = serde_json::from_slice::<serde_json::Value>(&body.to_bytes())
        .ok()
        .and_then(|value| value["queue"].as_str().map(str::to_owned));
    let dead_letter_queues = state.sources.dead_letter_queues();
    let Some(queue) = queue.filter(|queue| dead_letter_queues.contains(queue)) else {
        return text(
            StatusCode::BAD_REQUEST,
            &format!(
                "name a dead-letter queue of pipeline.yaml: one of {}",
                dead_letter_queues.join(", ")
            ),
        );
    };
    let started = state
        .sources
        .sqs_client
        .start_message_move_task()
        .source_arn(state.sources.queue_arn(&queue))
        .send()
        .await;
    match started {
        Ok(output) => json(
            StatusCode::ACCEPTED,
            &serde_json::json!({ "queue": queue, "task_handle": output.task_handle }),
        ),
        Err(error) => text(
            StatusCode::CONFLICT,
            &aws_sdk_sqs::error::DisplayErrorContext(error).to_string(),
        ),
    }
}

/// `GET /api/events`: `figures` whenever they change (checked each second), `log` for each new
/// function log line, and a comment now and then so proxies keep the stream open.
fn events(state: Arc<State>) -> Response<Body> {
    struct Stream {
        state: Arc<State>,
        logs: tokio::sync::broadcast::Receiver<super::logs::LogLine>,
        ticks: tokio::time::Interval,
        last: Option<super::figures::Snapshot>,
        quiet_ticks: u32,
    }
    let stream = Stream {
        logs: state.logs.follow(),
        state,
        ticks: tokio::time::interval(TICK),
        last: None,
        quiet_ticks: 0,
    };
    let body = futures_util::stream::unfold(stream, |mut stream| async move {
        loop {
            tokio::select! {
                _ = stream.ticks.tick() => {
                    let snapshot = stream.state.sources.snapshot().await;
                    if stream.last.as_ref() != Some(&snapshot) {
                        let event = sse("figures", &snapshot);
                        stream.last = Some(snapshot);
                        stream.quiet_ticks = 0;
                        return Some((event, stream));
                    }
                    stream.quiet_ticks += 1;
                    if stream.quiet_ticks >= 15 {
                        stream.quiet_ticks = 0;
                        return Some((Bytes::from_static(b": still here\n\n"), stream));
                    }
                }
                line = stream.logs.recv() => match line {
                    Ok(line) => return Some((sse("log", &line), stream)),
                    Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return None,
                },
            }
        }
    })
    .map(|bytes| Ok::<_, Infallible>(Frame::data(bytes)));
    let mut response = Response::new(StreamBody::new(body).boxed_unsync());
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    headers.insert("cache-control", HeaderValue::from_static("no-store"));
    response
}

fn sse<T: serde::Serialize>(event: &str, value: &T) -> Bytes {
    let data = serde_json::to_string(value).unwrap_or_default();
    Bytes::from(format!("event: {event}\ndata: {data}\n\n"))
}

/// The `Host` the request named (already checked to be a loopback name of this port).
fn host_of(headers: &hyper::HeaderMap) -> String {
    headers
        .get(hyper::header::HOST)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The value of `name` in a query string (`function=task`), percent-decoded.
fn query_value(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == name).then(|| percent_decode(value))
    })
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'%' if index + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[index + 1..index + 3]).unwrap_or("");
                if let Ok(byte) = u8::from_str_radix(hex, 16) {
                    decoded.push(byte);
                    index += 3;
                    continue;
                }
                decoded.push(b'%');
            }
            b'+' => decoded.push(b' '),
            byte => decoded.push(byte),
        }
        index += 1;
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

fn whole(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Response<Body> {
    let mut response = Response::new(Full::new(body.into()).boxed_unsync());
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert("cache-control", HeaderValue::from_static("no-store"));
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
        ),
    );
    response
}

fn json<T: serde::Serialize>(status: StatusCode, value: &T) -> Response<Body> {
    whole(
        status,
        "application/json",
        serde_json::to_string(value).unwrap_or_default(),
    )
}

fn text(status: StatusCode, message: &str) -> Response<Body> {
    whole(status, "text/plain; charset=utf-8", format!("{message}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_decoded() {
        assert_eq!(
            query_value("function=dlq-processor", "function").as_deref(),
            Some("dlq-processor")
        );
        assert_eq!(
            query_value("a=1&function=my%20fn", "function").as_deref(),
            Some("my fn")
        );
        assert_eq!(query_value("a=1", "function"), None);
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
