//! The Lambda entry point: [`serve`] reads the configuration, builds the handler over the AWS
//! adapters, and answers each SQS event with its batch item failures.

use std::collections::HashMap;
use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use lambda_runtime::{LambdaEvent, service_fn};

use crate::aws::{S3Store, SqsSender, sdk_config};
use crate::batch::{BatchOptions, BatchReport, FailureKind, RecordFailure, process_batch};
use crate::config::{ConfigError, HandlerKind, RuntimeConfig, vars};
use crate::handlers::{
    DlqOutcome, DlqProcessor, GuardedStore, Notification, NotificationLogger, OrderOutcome,
    OrderProcessor,
};
use crate::ports::{ObjectStore, QueueSender};
use crate::resilience::{BreakerConfig, CircuitBreaker, RetryPolicy};
use crate::telemetry::record::order_id_of;
use crate::telemetry::{self, BatchMetrics, Outcome, RecordLine, now_rfc3339};

/// The terminal state of one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Terminal {
    /// The order processor wrote the invoice.
    Invoiced(OrderOutcome),
    /// The notification logger received it.
    Notified(Notification),
    /// The DLQ processor requeued, repaired or parked it.
    DeadLetter(DlqOutcome),
}

impl Terminal {
    /// The order the record was about, where the outcome names it.
    pub fn order_id(&self) -> Option<&str> {
        match self {
            Terminal::Invoiced(
                OrderOutcome::Invoiced { order_id, .. } | OrderOutcome::Duplicate { order_id },
            ) => Some(order_id),
            Terminal::Notified(notification) => Some(&notification.order_id),
            Terminal::DeadLetter(_) => None,
        }
    }
}

/// One of the three handlers, ready to take batches.
#[derive(Debug)]
pub enum Handler<S, Q> {
    /// See [`OrderProcessor`].
    Order(OrderProcessor<S, Q>),
    /// See [`NotificationLogger`].
    Notification(NotificationLogger),
    /// See [`DlqProcessor`].
    Dlq(DlqProcessor<S, Q>),
}

impl<S: ObjectStore, Q: QueueSender> Handler<S, Q> {
    /// Builds the handler `config` names over a store and a queue sender. The store is shared by
    /// every invocation of this process, and so is its circuit breaker.
    pub fn new(config: &RuntimeConfig, store: S, queue: Q) -> Result<Self, ConfigError> {
        let breaker = BreakerConfig {
            cooldown: std::time::Duration::from_secs(u64::from(config.breaker_cooldown_seconds)),
            ..BreakerConfig::default()
        };
        let store = GuardedStore::new(store, CircuitBreaker::new(breaker), RetryPolicy::default());
        let missing = |variable: &'static str| ConfigError {
            variable,
            problem: format!("is not set: the {} needs it", config.kind.name()),
        };
        Ok(match config.kind {
            HandlerKind::OrderProcessor => Handler::Order(OrderProcessor::new(
                store,
                queue,
                config
                    .discount_table
                    .clone()
                    .ok_or_else(|| missing(vars::DISCOUNT_TABLE))?,
                config.notify_queue_url.clone(),
            )),
            HandlerKind::NotificationLogger => Handler::Notification(NotificationLogger),
            HandlerKind::DlqProcessor => Handler::Dlq(DlqProcessor::new(
                store,
                queue,
                config
                    .requeue_queue_url
                    .clone()
                    .ok_or_else(|| missing(vars::REQUEUE_QUEUE_URL))?,
                config.requeue_max_attempts,
                config.requeue_delay_seconds,
            )),
        })
    }

    /// Handles one record.
    pub async fn handle(&self, record: &SqsMessage) -> Result<Terminal, RecordFailure> {
        let now = now_rfc3339();
        match self {
            Handler::Order(processor) => {
                processor.handle(record, &now).await.map(Terminal::Invoiced)
            }
            Handler::Notification(logger) => logger.handle(record).map(Terminal::Notified),
            Handler::Dlq(processor) => processor
                .handle(record, &now)
                .await
                .map(Terminal::DeadLetter),
        }
    }

    /// Processes a batch, logs one [`RecordLine`] per record and the batch summary, and returns
    /// the report with its metrics.
    pub async fn process(
        &self,
        records: Vec<SqsMessage>,
        options: BatchOptions,
        request_id: &str,
    ) -> (BatchReport<Terminal>, BatchMetrics) {
        // Bodies that fail to parse still name their order, when they do, on the record line.
        let order_ids: HashMap<String, String> = records
            .iter()
            .filter_map(|record| {
                let order_id = order_id_of(record.body.as_deref()?)?;
                Some((record.message_id.clone().unwrap_or_default(), order_id))
            })
            .collect();
        let report = process_batch(records, options, |record| async move {
            self.handle(&record).await
        })
        .await;
        let metrics = summarize(&report);
        for result in &report.results {
            let order_id = result.outcome.as_ref().ok().and_then(Terminal::order_id);
            RecordLine {
                request_id: request_id.to_owned(),
                message_id: result.message_id.clone(),
                order_id: order_id
                    .or_else(|| order_ids.get(&result.message_id).map(String::as_str))
                    .map(str::to_owned),
                outcome: Outcome::of(&result.outcome),
            }
            .log();
        }
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

/// Counts a batch's outcomes.
pub fn summarize(report: &BatchReport<Terminal>) -> BatchMetrics {
    let mut metrics = BatchMetrics {
        received: report.results.len() as u64,
        ..BatchMetrics::default()
    };
    for result in &report.results {
        match &result.outcome {
            Ok(terminal) => {
                metrics.validated += 1;
                match terminal {
                    Terminal::Invoiced(OrderOutcome::Invoiced { total, .. }) => {
                        metrics.written += 1;
                        metrics.invoice_total += total.as_decimal();
                    }
                    Terminal::Invoiced(OrderOutcome::Duplicate { .. }) => metrics.duplicates += 1,
                    Terminal::Notified(_) => {}
                    Terminal::DeadLetter(outcome) => {
                        metrics.written += 1;
                        match outcome {
                            DlqOutcome::Requeued { .. } => metrics.requeued += 1,
                            DlqOutcome::Repaired { .. } => metrics.repaired += 1,
                            DlqOutcome::Parked { .. } => metrics.parked += 1,
                        }
                    }
                }
            }
            Err(failure) => {
                metrics.failed += 1;
                if failure.kind == FailureKind::Transient {
                    metrics.validated += 1;
                }
            }
        }
    }
    metrics
}

/// Runs a handler as a Lambda function: what every generated `main.rs` calls.
///
/// Reads [`RuntimeConfig`] from the environment (a missing or bad variable stops the function at
/// start, naming the variable), connects to S3 and SQS (honouring `AWS_ENDPOINT_URL`), and
/// serves SQS events until the runtime stops it.
pub async fn serve(kind: HandlerKind) -> Result<(), lambda_runtime::Error> {
    telemetry::init();
    let config = RuntimeConfig::from_env(kind)
        .inspect_err(|error| tracing::error!(%error, "cannot start"))?;
    let sdk = sdk_config().await;
    let store = S3Store::new(&sdk, config.bucket.clone().unwrap_or_default());
    let handler = Handler::new(&config, store, SqsSender::new(&sdk))
        .inspect_err(|error| tracing::error!(%error, "cannot start"))?;
    let handler = Arc::new(handler);
    let options = BatchOptions {
        concurrency: config.concurrency,
        fifo: config.fifo,
    };
    let config = Arc::new(config);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let handler = Arc::clone(&handler);
        let config = Arc::clone(&config);
        async move {
            let (report, metrics) = handler
                .process(event.payload.records, options, &event.context.request_id)
                .await;
            metrics.emit(&config.metrics_namespace, &config.function_name);
            Ok::<SqsBatchResponse, lambda_runtime::Error>(report.response())
        }
    }))
    .await
}
