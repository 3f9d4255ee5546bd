//! The API front of the handler contract: [`serve_api`] runs a [`Handler`] behind an HTTP API
//! route (API Gateway payload format 2.0), with the same runtime around it as [`crate::serve`]
//! gives a queue's handler — the Lambda deadline, one JSON line per request, EMF metrics with the
//! handler's counters, every port behind retry and a circuit breaker.
//!
//! A request ends as:
//!
//! | request | answer |
//! |---|---|
//! | handled: `Ok(done)` | `done.status()` with `done.body()` ([`Respond`]) |
//! | body not UTF-8, not JSON, against the route's schema, not decodable, or [`RecordFailure::invalid`] | `400 {"message", "problems": [{"pointer", "problem"}]}` |
//! | a dependency throttled ([`RecordFailure::throttled`]) | `429` with `Retry-After` |
//! | any other failure (a dependency down, the deadline) | `503` (with `Retry-After` when known) |
//!
//! Never a bare `500`: a handler that fails says why, and the client learns whether to retry.
//! Responses are `aws_lambda_events`' `ApiGatewayV2httpResponse`, which always serialises
//! `multiValueHeaders` (empty) and `cookies` (empty): payload 2.0 has no `multiValueHeaders`
//! and API Gateway ignores the member, and an empty `cookies` sets no cookie, so neither changes
//! what the client receives.

mod request;
mod response;
mod schema;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use lambda_runtime::{LambdaEvent, service_fn};
use tokio::time::Instant;

pub use request::{body_text, request_id, route};
pub use response::{failure_status, json_response, response_for};
pub use schema::{RequestSchema, SchemaError};

use crate::batch::{BatchReport, RecordFailure, RecordResult};
use crate::config::ConfigError;
use crate::handler::{Counters, Decode, Done, Handler, RecordContext};
use crate::service::{Service, deadline_instant, start, summarize};
use crate::startup::{AwsPorts, Startup};
use crate::telemetry::record::order_id_of;
use crate::telemetry::{BatchMetrics, Outcome, RequestLine, now_rfc3339};

/// One request's work, as the runtime polls it.
type RequestFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, RecordFailure>> + Send + 'a>>;

/// What a handled request answers: its status and JSON body.
///
/// ```
/// struct Accepted { order_id: String }
///
/// impl runtime::Respond for Accepted {
///     fn status(&self) -> u16 { 202 }
///     fn body(&self) -> serde_json::Value {
///         serde_json::json!({ "order_id": self.order_id, "status": "accepted" })
///     }
/// }
/// ```
pub trait Respond {
    /// The HTTP status, `2xx` for a request that was handled.
    fn status(&self) -> u16;
    /// The JSON body.
    fn body(&self) -> serde_json::Value;
}

/// Runs a handler as the Lambda function of an HTTP API route: what every generated `main.rs`
/// of a route-triggered function calls, with the handler's constructor and the route's request
/// schema (the JSON Schema text, if pipeline.yaml names one):
///
/// ```no_run
/// const REQUEST_SCHEMA: Option<&str> = None;
///
/// #[tokio::main]
/// async fn main() -> Result<(), lambda_runtime::Error> {
///     runtime::serve_api(runtime::handlers::OrderIngest::build, REQUEST_SCHEMA).await
/// }
/// ```
///
/// Starts as [`crate::serve`] does (a missing or bad variable, or a request schema that is not
/// a valid JSON Schema, stops the function at start with the reason), then answers each request
/// within its deadline (see the module documentation).
pub async fn serve_api<H, F>(
    build: F,
    request_schema: Option<&'static str>,
) -> Result<(), lambda_runtime::Error>
where
    H: Handler,
    H::Done: Respond,
    F: FnOnce(&Startup<AwsPorts>) -> Result<H, ConfigError>,
{
    let (service, _) = start(build).await?;
    let schema = request_schema
        .map(RequestSchema::parse)
        .transpose()
        .inspect_err(|error| tracing::error!(%error, "cannot start"))?
        .map(Arc::new);
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<ApiGatewayV2httpRequest>| {
            let service = Arc::clone(&service);
            let schema = schema.clone();
            async move {
                let deadline =
                    deadline_instant(event.context.deadline, service.settings().deadline_margin);
                let (response, metrics) = service
                    .respond_until(
                        &event.payload,
                        schema.as_deref(),
                        &event.context.request_id,
                        Some(deadline),
                    )
                    .await;
                service.emit(&metrics);
                Ok::<ApiGatewayV2httpResponse, lambda_runtime::Error>(response)
            }
        },
    ))
    .await
}

impl<H: Handler> Service<H>
where
    H::Done: Respond,
{
    /// Answers one request with no deadline; see [`Service::respond_until`].
    pub async fn respond(
        &self,
        request: &ApiGatewayV2httpRequest,
        schema: Option<&RequestSchema>,
        invocation: &str,
    ) -> (ApiGatewayV2httpResponse, BatchMetrics) {
        self.respond_until(request, schema, invocation, None).await
    }

    /// Answers one request: decodes its body, checks it against `schema`, decodes the message,
    /// handles it (abandoned at `deadline`: `503`), logs its [`RequestLine`] and returns the
    /// answer with the request's metrics (`received` 1, `validated` 1 unless it was invalid, and
    /// the handler's counters). `invocation` is the Lambda request id.
    pub async fn respond_until(
        &self,
        request: &ApiGatewayV2httpRequest,
        schema: Option<&RequestSchema>,
        invocation: &str,
        deadline: Option<Instant>,
    ) -> (ApiGatewayV2httpResponse, BatchMetrics) {
        let id = request_id(request, invocation);
        let counters = Counters::default();
        let body = body_text(request);
        let outcome: Result<H::Done, RecordFailure> = match &body {
            Err(failure) => Err(failure.clone()),
            Ok(body) => {
                let context =
                    RecordContext::for_request(request, &id, body, now_rfc3339(), &counters);
                // Boxed: the handler's future, nested in the Lambda runtime's, would otherwise
                // make a type too deep for the compiler to lay out.
                let work: RequestFuture<'_, H::Done> = Box::pin(async {
                    if let Some(schema) = schema {
                        schema.check(body)?;
                    }
                    let message = H::Message::decode(body)?;
                    self.handler().handle(message, &context).await
                });
                self.within_deadline(deadline, work).await
            }
        };
        let response = response_for(&outcome);
        let order_id = outcome
            .as_ref()
            .ok()
            .and_then(Done::order_id)
            .map(str::to_owned)
            .or_else(|| order_id_of(body.as_deref().ok()?));
        RequestLine {
            request_id: invocation.to_owned(),
            message_id: id.clone(),
            route: route(request),
            status: u16::try_from(response.status_code).unwrap_or_default(),
            order_id,
            outcome: match &outcome {
                Ok(done) => done.outcome(),
                Err(failure) => Outcome::failed(failure),
            },
        }
        .log();
        let report = BatchReport {
            results: vec![RecordResult {
                message_id: id,
                outcome,
            }],
        };
        let metrics = summarize(&report, &counters);
        (response, metrics)
    }
}
