//! EventBridge as a service of the engine: `X-Amz-Target: AWSEvents.*`, AWS JSON 1.1, bodies up
//! to [`MAX_REQUEST_BYTES`], faults answered as EventBridge does on `PutEvents` (set-up is
//! spared), and the per-rule counters `gen status` shows.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::sync::atomic::Ordering;

use http_body_util::{BodyExt as _, Full, LengthLimitError, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::http::request::Parts;
use hyper::{Response, StatusCode};
use serde_json::Value;

use super::delivery::Deliveries;
use super::error::EventsError;
use super::operations::dispatch;
use super::registry::Registry;
use super::spec::BusSpec;
use super::targets;
use crate::faults::{Fault, Faults};
use crate::listener::Reply;
use crate::service::{Answer, AwsService, Route};
use crate::sqs::Sqs;

/// The name EventBridge's faults are set under.
pub const NAME: &str = "events";

const TARGET_PREFIX: &str = "AWSEvents.";

/// The largest request body read: `PutEvents` takes 256 KB of entries, and JSON escaping can
/// quadruple a detail full of quotes.
pub const MAX_REQUEST_BYTES: usize = 1024 * 1024;

/// How one rule has fared since the engine started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleStats {
    /// The bus.
    pub bus: String,
    /// The rule.
    pub rule: String,
    /// Events the rule matched.
    pub matched: u64,
    /// Target deliveries that reached their queue.
    pub delivered: u64,
    /// Target deliveries that did not (sent to the target's dead-letter queue, or dropped).
    pub failed: u64,
}

/// The EventBridge service: buses, rules and targets, delivering to the engine's SQS.
#[derive(Debug, Clone)]
pub struct EventBridge {
    registry: Arc<Mutex<Registry>>,
    deliveries: Deliveries,
}

impl EventBridge {
    /// Only the default bus; deliveries go to `sqs`'s queues under `faults`' SQS plan.
    pub fn new(sqs: Sqs, faults: Faults) -> Self {
        Self {
            registry: Arc::new(Mutex::new(Registry::new())),
            deliveries: Deliveries::new(sqs, faults),
        }
    }

    /// Creates each bus with its rules and targets, as `CreateEventBus`, `PutRule` and
    /// `PutTargets` would.
    pub fn create(&self, specs: &[BusSpec]) -> Result<(), EventsError> {
        let mut registry = self.lock();
        for spec in specs {
            registry.create_bus(&spec.name, None)?;
            for rule in &spec.rules {
                registry.put_rule(&spec.name, &rule.name, &rule.pattern, None, true)?;
                let targets = rule
                    .targets
                    .iter()
                    .map(targets::from_spec)
                    .collect::<Result<Vec<_>, _>>()?;
                if !targets.is_empty() {
                    registry.put_targets(&spec.name, &rule.name, targets)?;
                }
            }
        }
        Ok(())
    }

    /// Every rule's counters, by bus and rule name.
    pub fn stats(&self) -> Vec<RuleStats> {
        let registry = self.lock();
        registry
            .buses
            .values()
            .flat_map(|bus| bus.rules.values())
            .map(|rule| RuleStats {
                bus: rule.bus.clone(),
                rule: rule.name.clone(),
                matched: rule.counters.matched.load(Ordering::Relaxed),
                delivered: rule.counters.delivered.load(Ordering::Relaxed),
                failed: rule.counters.failed.load(Ordering::Relaxed),
            })
            .collect()
    }

    /// Locks the registry; a panic elsewhere cannot leave it half-updated, so poison is ignored.
    pub(super) fn lock(&self) -> MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn deliveries(&self) -> &Deliveries {
        &self.deliveries
    }

    async fn answer(&self, parts: Parts, body: Incoming) -> Reply {
        let body = match Limited::new(body, MAX_REQUEST_BYTES).collect().await {
            Ok(body) => body.to_bytes(),
            Err(error) => {
                return error_reply(&EventsError::validation(if error.is::<LengthLimitError>() {
                    format!(
                        "The request body is larger than {MAX_REQUEST_BYTES} bytes, the local engine's limit."
                    )
                } else {
                    format!("cannot read the request body: {error}")
                }));
            }
        };
        let operation = operation_of(&parts).unwrap_or_default();
        let body = if body.is_empty() {
            Bytes::from_static(b"{}")
        } else {
            body
        };
        let result = serde_json::from_slice::<Value>(&body)
            .map_err(|error| EventsError::Serialization(format!("the body is not JSON: {error}")))
            .and_then(|request| dispatch(self, operation, &request));
        match result {
            Ok(value) => respond(StatusCode::OK, &value),
            Err(error) => error_reply(&error),
        }
    }
}

fn operation_of(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get("x-amz-target")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix(TARGET_PREFIX))
}

/// An error as AWS JSON 1.1 carries it.
fn error_reply(error: &EventsError) -> Reply {
    respond(error.status(), &error.body())
}

fn respond(status: StatusCode, body: &Value) -> Reply {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    if let Ok(id) = HeaderValue::from_str(&crate::sqs::message::new_uuid()) {
        headers.insert("x-amzn-RequestId", id);
    }
    response
}

impl AwsService for EventBridge {
    fn name(&self) -> &'static str {
        NAME
    }

    fn description(&self) -> &'static str {
        "EventBridge"
    }

    fn route(&self) -> Route {
        Route::Target(TARGET_PREFIX)
    }

    fn faultable(&self, request: &Parts) -> bool {
        operation_of(request) == Some("PutEvents")
    }

    fn fault_reply(&self, _request: &Parts, fault: Fault) -> Reply {
        error_reply(&match fault {
            Fault::Throttled => EventsError::Throttling,
            Fault::Unavailable => EventsError::Internal,
        })
    }

    fn call(&self, request: Parts, body: Incoming) -> Answer<'_> {
        Box::pin(self.answer(request, body))
    }
}
