//! The HTTP front door: each HTTP API of the pipeline served on loopback as API Gateway serves it
//! — its routes matched, each request turned into a payload format 2.0 event, the function invoked
//! through an [`Invoke`] implementation (`gen dev`'s local Lambda service), and its answer turned
//! into the HTTP response by API Gateway's rules; CORS preflights, throttling and the gateway's own
//! errors (`404`, `429`, `500`, `503`, `413`) answered as API Gateway answers them.
//!
//! Each API gets its own port (one base URL per API, `http://127.0.0.1:PORT`), the way each HTTP
//! API has its own `https://{api-id}.execute-api.{region}.amazonaws.com` with the `$default` stage:
//! the path a client sends is then exactly the event's `rawPath` and `requestContext.http.path`,
//! with no prefix to strip (a shared port with a per-API path prefix would either put the prefix
//! into `rawPath`, which AWS never does for `$default`, or strip it and make the event's path
//! differ from the URL the client called).
//!
//! `spec` describes an API, `route` matches route keys, `event` builds the event, `response`
//! reads the function's answer, `cors` and `throttle` are the stage's CORS and throttling, `server`
//! serves one API.

pub mod cors;
pub mod event;
pub mod response;
pub mod route;
mod server;
pub mod spec;
pub mod throttle;

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;

use hyper::body::Bytes;

pub use route::{RouteError, RouteKey};
pub use server::{HttpApi, INTEGRATION_TIMEOUT, MAX_REQUEST_BYTES};
pub use spec::{ApiSpec, Cors, RouteSpec, Throttling};

/// A synchronous invocation being computed.
pub type Invocation<'a> = Pin<Box<dyn Future<Output = Result<Bytes, InvokeError>> + Send + 'a>>;

/// Invokes functions synchronously (`RequestResponse`), as API Gateway invokes a Lambda
/// integration. `gen dev` implements it with its local Lambda service; the engine does not know
/// how functions run.
pub trait Invoke: Debug + Send + Sync + 'static {
    /// Invokes `function` with `event`; the answer is the function's response payload.
    fn invoke(&self, function: &str, event: Bytes) -> Invocation<'_>;
}

/// Why an invocation has no answer. API Gateway answers every one of them with its own
/// `500 {"message":"Internal Server Error"}`: it does not pass Lambda's `429` on (a throttled
/// invocation is an integration failure,
/// <https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html>), nor a function
/// error or timeout.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvokeError {
    /// Lambda refused the invocation: `429 TooManyRequestsException` (the function's reserved or
    /// the account's concurrency is exhausted).
    #[error("Lambda throttled the invocation (TooManyRequestsException): {0}")]
    Throttled(String),
    /// The function ran and failed: an error, a timeout or a crash.
    #[error("the function failed: {0}")]
    Failed(String),
    /// No such function.
    #[error("no function `{0}` is running")]
    Missing(String),
}
