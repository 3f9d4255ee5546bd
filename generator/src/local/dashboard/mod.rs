//! The `gen dev` dashboard: the pipeline's graph with live figures on each part, the dead
//! letters with their reasons, a dead-letter queue's redrive, and each function's recent log
//! lines, served on a loopback port of its own ([`server`]) from files embedded in `gen`.

pub mod figures;
pub mod logs;
pub mod server;

use std::sync::{Arc, Mutex};

pub use figures::Sources;
pub use logs::{RecentLogs, tap};
pub use server::Dashboard;

use crate::config::Pipeline;
use crate::graph::{Graph, svg};
use crate::local::dev::Dev;
use crate::local::logs::DevMeasurements;

/// Serves the dashboard of the running pipeline `dev` on a free loopback port: `pipeline`'s
/// graph, the durations in `measured`, the lines kept in `logs`.
pub async fn start(
    dev: &Dev,
    pipeline: &Pipeline,
    measured: Arc<Mutex<DevMeasurements>>,
    logs: Arc<RecentLogs>,
) -> std::io::Result<Dashboard> {
    let sources = Sources {
        pipeline: pipeline.clone(),
        sqs: dev.engine.sqs().clone(),
        store: dev.engine.store().clone(),
        dynamodb: dev.engine.dynamodb().clone(),
        outbox: dev.engine.outbox().clone(),
        eventbridge: dev.engine.eventbridge().clone(),
        buckets: dev.buckets.clone(),
        buses: dev.buses.clone(),
        stats: dev.stats.clone(),
        lambda: dev.lambda.clone(),
        measured,
        sqs_client: dev.sqs.clone(),
    };
    Dashboard::start(0, sources, logs, svg::render(&Graph::of(pipeline))).await
}
