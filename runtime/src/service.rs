//! The runtime around a [`Handler`]: [`Service`] takes a batch, decodes each record, runs the
//! handler within the Lambda deadline, logs each record's line as it finishes and counts the
//! batch's metrics; [`serve`] is the entry point of every generated Lambda.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use lambda_runtime::{LambdaEvent, service_fn};
use tokio::time::Instant;

use crate::aws::{Released, VisibilityRelease, sdk_config};
use crate::batch::{BatchOptions, BatchReport, FailureKind, RecordFailure, process_batch_with};
use crate::config::{ConfigError, Settings, Variables};
use crate::handler::{Counters, Decode, Done, Handler, RecordContext};
use crate::startup::{AwsPorts, Startup};
use crate::telemetry::record::order_id_of;
use crate::telemetry::{self, BatchMetrics, Outcome, RecordLine, now_rfc3339};

/// A handler with the runtime around it.
#[derive(Debug)]
pub struct Service<H> {
    handler: H,
    settings: Settings,
}

impl<H: Handler> Service<H> {
    /// `handler` run with `settings` (concurrency, FIFO, metrics, deadline margin).
    pub fn new(handler: H, settings: Settings) -> Self {
        Self { handler, settings }
    }

    /// Builds the handler with `build` from `startup`, and keeps its settings.
    pub fn build<P>(
        startup: &Startup<P>,
        build: impl FnOnce(&Startup<P>) -> Result<H, ConfigError>,
    ) -> Result<Self, ConfigError>
    where
        P: crate::startup::Ports,
    {
        Ok(Self::new(build(startup)?, startup.settings().clone()))
    }

    /// The handler, for tests and telemetry.
    pub fn handler(&self) -> &H {
        &self.handler
    }

    /// The shared settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The batch options the settings name.
    pub fn options(&self) -> BatchOptions {
        BatchOptions {
            concurrency: self.settings.concurrency,
            fifo: self.settings.fifo,
        }
    }

    /// Processes a batch with no deadline; see [`Service::process_until`].
    pub async fn process(
        &self,
        records: Vec<SqsMessage>,
        options: BatchOptions,
        request_id: &str,
    ) -> (BatchReport<H::Done>, BatchMetrics) {
        self.process_until(records, options, request_id, None).await
    }

    /// Processes a batch: decodes each record (a body that does not decode fails as invalid),
    /// handles it, and logs its [`RecordLine`] as soon as it ends. A record still running at
    /// `deadline` is abandoned and reported failed (transient), so SQS delivers it again rather
    /// than the whole batch timing out. Returns the report with its metrics; logs the batch
    /// summary.
    pub async fn process_until(
        &self,
        records: Vec<SqsMessage>,
        options: BatchOptions,
        request_id: &str,
        deadline: Option<Instant>,
    ) -> (BatchReport<H::Done>, BatchMetrics) {
        // Bodies that fail to decode still name their order, when they do, on the record line.
        let order_ids: HashMap<String, String> = records
            .iter()
            .filter_map(|record| {
                let order_id = order_id_of(record.body.as_deref()?)?;
                Some((record.message_id.clone().unwrap_or_default(), order_id))
            })
            .collect();
        let counters = Counters::default();
        let handler = &self.handler;
        let counters_ref = &counters;
        let report = process_batch_with(
            records,
            options,
            |record| -> RecordFuture<'_, H::Done> {
                // Boxed: the handler's future, nested in the batch's, would otherwise make a type
                // too deep for the compiler to lay out.
                Box::pin(async move {
                    let context = RecordContext::new(&record, now_rfc3339(), counters_ref);
                    self.within_deadline(deadline, async {
                        let message = H::Message::decode(context.body())?;
                        handler.handle(message, &context).await
                    })
                    .await
                })
            },
            |result| {
                let order_id = result.outcome.as_ref().ok().and_then(Done::order_id);
                RecordLine {
                    request_id: request_id.to_owned(),
                    message_id: result.message_id.clone(),
                    order_id: order_id
                        .or_else(|| order_ids.get(&result.message_id).map(String::as_str))
                        .map(str::to_owned),
                    outcome: match &result.outcome {
                        Ok(done) => done.outcome(),
                        Err(failure) => Outcome::failed(failure),
                    },
                }
                .log();
            },
        )
        .await;
        let metrics = summarize(&report, &counters);
        tracing::info!(
            request_id,
            received = metrics.received,
            validated = metrics.validated,
            written = metrics.written,
            duplicates = metrics.duplicates,
            failed = metrics.failed,
            parked = metrics.parked,
            requeued = metrics.requeued,
            repaired = metrics.repaired,
            "batch done"
        );
        (report, metrics)
    }
}

impl<H> Service<H> {
    /// Runs `work` until `deadline` (none: to its end); work still running then is abandoned
    /// and fails as transient, so SQS delivers the record again (an API answers `503`).
    pub(crate) async fn within_deadline<T>(
        &self,
        deadline: Option<Instant>,
        work: impl Future<Output = Result<T, RecordFailure>>,
    ) -> Result<T, RecordFailure> {
        match deadline {
            Some(deadline) => tokio::time::timeout_at(deadline, work)
                .await
                .unwrap_or_else(|_| Err(past_deadline(self.settings.deadline_margin))),
            None => work.await,
        }
    }

    /// Writes the EMF line of `metrics` under the settings' namespace and function name.
    pub fn emit(&self, metrics: &BatchMetrics) {
        metrics.emit(
            &self.settings.metrics_namespace,
            &self.settings.function_name,
        );
    }
}

/// One record's work, as the batch polls it.
type RecordFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, RecordFailure>> + Send + 'a>>;

fn past_deadline(margin: Duration) -> RecordFailure {
    RecordFailure::transient(format!(
        "not finished {} ms before the Lambda deadline; reported failed so it is retried (SQS delivers it again; an API client is answered 503)",
        margin.as_millis()
    ))
}

/// Counts a batch's outcomes and the counters its handler added.
pub fn summarize<T: Done>(report: &BatchReport<T>, counters: &Counters) -> BatchMetrics {
    let mut metrics = BatchMetrics {
        received: report.results.len() as u64,
        ..BatchMetrics::default()
    };
    for result in &report.results {
        match &result.outcome {
            Ok(done) => {
                metrics.validated += 1;
                done.count(&mut metrics);
            }
            Err(failure) => {
                metrics.failed += 1;
                if failure.kind == FailureKind::Transient {
                    metrics.validated += 1;
                }
            }
        }
    }
    metrics.counters = counters.snapshot();
    metrics
}

/// The instant records must be finished by: the Lambda deadline (milliseconds since the epoch)
/// less `margin`, the margin never more than a fifth of the time left.
pub fn deadline_instant(deadline_epoch_ms: u64, margin: Duration) -> Instant {
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
        });
    let left = Duration::from_millis(deadline_epoch_ms.saturating_sub(now_ms));
    Instant::now() + left - margin.min(left / 5)
}

/// Runs a handler as a Lambda function: what every generated `main.rs` calls, with the
/// handler's constructor:
///
/// ```no_run
/// #[tokio::main]
/// async fn main() -> Result<(), lambda_runtime::Error> {
///     runtime::serve(runtime::handlers::NotificationLogger::build).await
/// }
/// ```
///
/// Reads the shared [`Settings`] and lets `build` read the handler's own variables (a missing or
/// bad variable stops the function at start, naming the variable), connects to S3 and SQS
/// (honouring `AWS_ENDPOINT_URL`, each call bounded by `PORT_TIMEOUT_SECONDS`), and serves SQS
/// events until the runtime stops it, each within its deadline. On a trigger queue with a
/// dead-letter queue (`TRIGGER_QUEUE_URL` set), records found invalid are made visible again at
/// once so they reach it without waiting out their visibility timeouts.
pub async fn serve<H, F>(build: F) -> Result<(), lambda_runtime::Error>
where
    H: Handler,
    F: FnOnce(&Startup<AwsPorts>) -> Result<H, ConfigError>,
{
    let (service, sdk) = start(build).await?;
    let release = service
        .settings
        .release_invalid_on
        .clone()
        .map(|queue_url| (queue_url, VisibilityRelease::new(&sdk)));
    let release = Arc::new(release);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let service = Arc::clone(&service);
        let release = Arc::clone(&release);
        async move {
            let margin = service.settings.deadline_margin;
            let deadline = deadline_instant(event.context.deadline, margin);
            let records = event.payload.records;
            // The report has one result per record, in the event's order.
            let handles: Vec<Option<String>> = match release.as_ref() {
                Some(_) => records
                    .iter()
                    .map(|record| record.receipt_handle.clone())
                    .collect(),
                None => Vec::new(),
            };
            let (report, metrics) = service
                .process_until(
                    records,
                    service.options(),
                    &event.context.request_id,
                    Some(deadline),
                )
                .await;
            if let Some((queue_url, release)) = release.as_ref() {
                // Half the margin is left before Lambda's own deadline; a release cut short
                // loses nothing (those records come back when their visibility timeout ends).
                let by = deadline + margin / 2;
                release_invalid(&report, handles, queue_url, release, by).await;
            }
            service.emit(&metrics);
            Ok::<SqsBatchResponse, lambda_runtime::Error>(report.response())
        }
    }))
    .await
}

/// Makes the batch's invalid records visible again on their trigger queue at once, by `by`:
/// they fail the same way on every receive, so they go on to the dead-letter queue after
/// `maxReceiveCount` quick receives instead of as many visibility timeouts. Transient failures
/// keep their timeout, as the backoff before their retry.
async fn release_invalid<T>(
    report: &BatchReport<T>,
    handles: Vec<Option<String>>,
    queue_url: &str,
    release: &VisibilityRelease,
    by: Instant,
) {
    let invalid: Vec<String> = report
        .results
        .iter()
        .zip(handles)
        .filter_map(|(result, handle)| handle.filter(|_| result.is_invalid()))
        .collect();
    if invalid.is_empty() {
        return;
    }
    match tokio::time::timeout_at(by, release.release(queue_url, &invalid)).await {
        Ok(Released { released, failed }) if failed.is_empty() => {
            tracing::debug!(released, "invalid records made visible again");
        }
        Ok(Released { released, failed }) => tracing::warn!(
            released,
            failed = failed.len(),
            reason = failed.first().map(String::as_str).unwrap_or_default(),
            "some invalid records stay invisible until their visibility timeout ends"
        ),
        Err(_) => tracing::warn!(
            records = invalid.len(),
            "releasing invalid records ran into the deadline; they come back when their visibility timeout ends"
        ),
    }
}

/// The start every function shares ([`serve`], [`crate::serve_api`]): installs the JSON logger,
/// reads the shared [`Settings`], connects to AWS (honouring `AWS_ENDPOINT_URL`, each call bounded
/// by `PORT_TIMEOUT_SECONDS`) and builds the handler; a failure is logged and stops the function.
/// Returns the SDK configuration too, for the runtime's own calls.
pub(crate) async fn start<H, F>(
    build: F,
) -> Result<(Arc<Service<H>>, aws_config::SdkConfig), ConfigError>
where
    H: Handler,
    F: FnOnce(&Startup<AwsPorts>) -> Result<H, ConfigError>,
{
    telemetry::init();
    let variables = Variables::from_env();
    let settings = Settings::read(&variables, H::NAME)
        .inspect_err(|error| tracing::error!(%error, "cannot start"))?;
    let sdk = sdk_config(settings.port_timeout).await;
    let startup = Startup::new(variables, H::NAME, AwsPorts::new(&sdk))
        .inspect_err(|error| tracing::error!(%error, "cannot start"))?;
    let service = Service::build(&startup, build)
        .inspect_err(|error| tracing::error!(%error, "cannot start"))?;
    Ok((Arc::new(service), sdk))
}
