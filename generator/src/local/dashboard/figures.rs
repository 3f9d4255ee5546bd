//! What the dashboard shows of each part of the pipeline, read from the running engine and the
//! functions' counters once a second: one [`Part`] per node of the pipeline's graph (same ids),
//! the parked dead letters with their reasons, and each dead-letter queue's latest redrive.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use serde_json::{Value, json};

use crate::config::Pipeline;
use crate::local::dev::{local_queue, local_table};
use crate::local::lambda::event_source::MappingStats;
use crate::local::lambda::service::LambdaService;
use crate::local::logs::DevMeasurements;
use runtime::handlers::DEAD_LETTER_PREFIX;

/// Parked dead letters listed, newest first.
const PARKED_SHOWN: usize = 20;
/// Waiting messages of a dead-letter queue listed.
const WAITING_SHOWN: usize = 10;

/// Everything the figures are read from: the engine's services, the functions' counters and
/// the pipeline's names.
#[derive(Debug, Clone)]
pub struct Sources {
    pub pipeline: Pipeline,
    pub sqs: engine::sqs::Sqs,
    pub store: engine::s3::ObjectStore,
    pub dynamodb: engine::dynamodb::DynamoDb,
    pub outbox: engine::ses::Outbox,
    pub eventbridge: engine::eventbridge::EventBridge,
    /// Bucket name in pipeline.yaml → local bucket.
    pub buckets: BTreeMap<String, String>,
    /// Bus name in pipeline.yaml → local bus.
    pub buses: BTreeMap<String, String>,
    /// Function name → its mapping's counters (queue-triggered functions).
    pub stats: BTreeMap<String, Arc<MappingStats>>,
    /// Route-triggered functions' invocations.
    pub lambda: LambdaService,
    /// Durations from the functions' `REPORT` lines.
    pub measured: Arc<Mutex<DevMeasurements>>,
    /// The SDK client the redrive and the move tasks' figures go through.
    pub sqs_client: aws_sdk_sqs::Client,
}

/// One part of the pipeline with its live figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    /// The graph node's id (`queue:task`, `function:task`, …).
    pub id: String,
    /// `queue`, `function`, `bucket`, …
    pub kind: &'static str,
    /// Its name in pipeline.yaml.
    pub label: String,
    /// The figures for people, one short line each.
    pub lines: Vec<String>,
    /// The same figures as numbers, by name (for scripts and tests).
    pub values: BTreeMap<&'static str, Value>,
}

/// A message that ended as a dead letter: parked in a bucket, or waiting in a dead-letter queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeadLetter {
    /// `bucket:results` or `queue:task-dlq`.
    pub at: String,
    pub message_id: String,
    /// Why it was parked; for a waiting message, the queue it was dead-lettered from.
    pub reason: String,
    /// When (RFC 3339), if known.
    pub when: Option<String>,
    /// The body's first characters.
    pub body: String,
}

/// The latest message move task of a dead-letter queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Redrive {
    pub status: String,
    pub moved: i64,
    pub to_move: i64,
    pub failure: Option<String>,
}

/// All figures at one moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snapshot {
    pub pipeline: String,
    pub parts: Vec<Part>,
    pub dead_letters: Vec<DeadLetter>,
    /// Dead-letter queue name in pipeline.yaml → its latest redrive.
    pub redrives: BTreeMap<String, Redrive>,
}

impl Sources {
    /// Reads every figure now.
    pub async fn snapshot(&self) -> Snapshot {
        let mut parts = Vec::new();
        let mut dead_letters = Vec::new();
        self.queues(&mut parts, &mut dead_letters);
        self.functions(&mut parts);
        self.apis(&mut parts);
        self.buckets(&mut parts, &mut dead_letters);
        self.tables(&mut parts);
        self.events(&mut parts);
        self.email(&mut parts);
        parts.sort_by(|a, b| a.id.cmp(&b.id));
        let mut redrives = BTreeMap::new();
        for name in self.dead_letter_queues() {
            if let Some(redrive) = self.latest_redrive(&name).await {
                redrives.insert(name, redrive);
            }
        }
        Snapshot {
            pipeline: self.pipeline.name.clone(),
            parts,
            dead_letters,
            redrives,
        }
    }

    /// The queues some queue's redrive policy names, by their names in pipeline.yaml.
    pub fn dead_letter_queues(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .pipeline
            .queues
            .values()
            .filter_map(|queue| queue.redrive.as_ref().map(|r| r.dead_letter.clone()))
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// `arn:aws:sqs:…:<local name>` of queue `name` of pipeline.yaml.
    pub fn queue_arn(&self, name: &str) -> String {
        engine::sqs::registry::Registry::arn(&local_queue(&self.pipeline, name))
    }

    async fn latest_redrive(&self, name: &str) -> Option<Redrive> {
        let listed = self
            .sqs_client
            .list_message_move_tasks()
            .source_arn(self.queue_arn(name))
            .send()
            .await
            .ok()?;
        let task = listed.results().first()?;
        Some(Redrive {
            status: task.status().unwrap_or_default().to_owned(),
            moved: task.approximate_number_of_messages_moved(),
            to_move: task.approximate_number_of_messages_to_move().unwrap_or(0),
            failure: task.failure_reason().map(str::to_owned),
        })
    }

    fn queues(&self, parts: &mut Vec<Part>, dead_letters: &mut Vec<DeadLetter>) {
        let dead_letter_queues = self.dead_letter_queues();
        for queue in self.pipeline.queues.values() {
            let local = local_queue(&self.pipeline, &queue.name);
            let figures = self
                .sqs
                .figures(&local)
                .unwrap_or(engine::sqs::QueueFigures {
                    visible: 0,
                    in_flight: 0,
                    delayed: 0,
                    oldest_age_millis: None,
                });
            let mut lines = vec![format!(
                "{} waiting · {} in flight",
                figures.visible + figures.delayed,
                figures.in_flight
            )];
            let mut values = BTreeMap::from([
                ("visible", json!(figures.visible)),
                ("in_flight", json!(figures.in_flight)),
                ("delayed", json!(figures.delayed)),
                ("oldest_age_ms", json!(figures.oldest_age_millis)),
            ]);
            if let Some(age) = figures.oldest_age_millis {
                lines.push(format!("oldest {}", age_text(age)));
            }
            if let Some(redrive) = &queue.redrive {
                let dlq = self
                    .sqs
                    .figures(&local_queue(&self.pipeline, &redrive.dead_letter))
                    .map_or(0, |dlq| dlq.visible + dlq.in_flight + dlq.delayed);
                lines.push(format!("DLQ {}: {dlq}", redrive.dead_letter));
                values.insert("dlq_depth", json!(dlq));
            }
            if dead_letter_queues.contains(&queue.name) {
                values.insert("dead_letter_queue", json!(true));
                for message in self.sqs.peek(&local, WAITING_SHOWN) {
                    let from = message.dead_letter_source_arn.as_deref().map_or_else(
                        || "sent here directly".to_owned(),
                        |arn| {
                            format!(
                                "dead-lettered from {} after too many receives",
                                self.pipeline_queue_of(arn)
                            )
                        },
                    );
                    dead_letters.push(DeadLetter {
                        at: format!("queue:{}", queue.name),
                        message_id: message.message_id,
                        reason: from,
                        when: None,
                        body: preview(&message.body),
                    });
                }
            }
            parts.push(Part {
                id: format!("queue:{}", queue.name),
                kind: "queue",
                label: queue.name.clone(),
                lines,
                values,
            });
        }
    }

    /// The name in pipeline.yaml of the queue with ARN `arn` (else the ARN's last part).
    fn pipeline_queue_of(&self, arn: &str) -> String {
        let local = arn.rsplit(':').next().unwrap_or(arn);
        self.pipeline
            .queues
            .keys()
            .find(|name| local_queue(&self.pipeline, name) == local)
            .cloned()
            .unwrap_or_else(|| local.to_owned())
    }

    fn functions(&self, parts: &mut Vec<Part>) {
        let measured = self
            .measured
            .lock()
            .map(|measured| measured.functions.clone())
            .unwrap_or_default();
        let routed = self.lambda.invocations();
        for function in self.pipeline.functions.values() {
            let name = &function.name;
            let mut billed = measured
                .get(name)
                .map(|samples| samples.billed_ms.clone())
                .unwrap_or_default();
            billed.sort_unstable();
            let stats = self.stats.get(name);
            let load = |counter: fn(&MappingStats) -> &std::sync::atomic::AtomicU64| {
                stats.map_or(0, |stats| counter(stats).load(Ordering::Relaxed))
            };
            let invocations = load(|s| &s.invocations)
                .max(billed.len() as u64)
                .max(routed.get(name).copied().unwrap_or(0));
            let errors = load(|s| &s.invoke_failures);
            let failed_records = load(|s| &s.failed);
            let p50 = percentile(&billed, 50);
            let p99 = percentile(&billed, 99);
            let mut lines = vec![format!("{invocations} invocations · {errors} errors")];
            if let (Some(p50), Some(p99)) = (p50, p99) {
                lines.push(format!("p50 {p50} ms · p99 {p99} ms"));
            }
            if failed_records > 0 {
                lines.push(format!("{failed_records} records failed"));
            }
            parts.push(Part {
                id: format!("function:{name}"),
                kind: "function",
                label: name.clone(),
                lines,
                values: BTreeMap::from([
                    ("invocations", json!(invocations)),
                    ("errors", json!(errors)),
                    ("failed_records", json!(failed_records)),
                    ("p50_ms", json!(p50)),
                    ("p99_ms", json!(p99)),
                ]),
            });
        }
    }

    /// Each route's invocations of its function, and each API's sum over its routes (the front
    /// door's throttled or refused requests reach no function and are not counted).
    fn apis(&self, parts: &mut Vec<Part>) {
        let invocations = |function: &str| {
            parts
                .iter()
                .find(|part| part.id == format!("function:{function}"))
                .and_then(|part| part.values.get("invocations"))
                .and_then(Value::as_u64)
                .unwrap_or(0)
        };
        let mut found = Vec::new();
        for api in self.pipeline.apis.keys() {
            let mut total = 0;
            let mut routes = 0;
            for (function, route) in self.pipeline.routes_of(api) {
                let count = invocations(&function.name);
                total += count;
                routes += 1;
                found.push(Part {
                    id: format!("route:{api}:{}", route.route_key()),
                    kind: "route",
                    label: route.route_key(),
                    lines: vec![format!("{count} invocations of {}", function.name)],
                    values: BTreeMap::from([("invocations", json!(count))]),
                });
            }
            found.push(Part {
                id: format!("api:{api}"),
                kind: "api",
                label: api.clone(),
                lines: vec![format!(
                    "{total} invocations over {routes} route{}",
                    if routes == 1 { "" } else { "s" }
                )],
                values: BTreeMap::from([("invocations", json!(total))]),
            });
        }
        parts.extend(found);
    }

    fn buckets(&self, parts: &mut Vec<Part>, dead_letters: &mut Vec<DeadLetter>) {
        for name in self.pipeline.buckets.keys() {
            let local = self
                .buckets
                .get(name)
                .cloned()
                .unwrap_or_else(|| format!("{}-{name}-local", self.pipeline.name));
            let local = &local;
            let objects = self.store.list(local, "").len();
            let parked_keys = self.store.list(local, DEAD_LETTER_PREFIX);
            let mut lines = vec![format!("{objects} objects")];
            if !parked_keys.is_empty() {
                lines.push(format!("{} parked", parked_keys.len()));
            }
            let mut parked: Vec<DeadLetter> = parked_keys
                .iter()
                .filter_map(|(key, _)| {
                    let body: Value = serde_json::from_slice(&self.store.get(local, key)?).ok()?;
                    let text = |field: &str| body[field].as_str().unwrap_or_default().to_owned();
                    Some(DeadLetter {
                        at: format!("bucket:{name}"),
                        message_id: text("message_id"),
                        reason: text("reason"),
                        when: body["parked_at"].as_str().map(str::to_owned),
                        body: preview(&text("body")),
                    })
                })
                .collect();
            parked.sort_by(|a, b| b.when.cmp(&a.when));
            dead_letters.extend(parked.into_iter().take(PARKED_SHOWN));
            parts.push(Part {
                id: format!("bucket:{name}"),
                kind: "bucket",
                label: name.clone(),
                lines,
                values: BTreeMap::from([
                    ("objects", json!(objects)),
                    ("parked", json!(parked_keys.len())),
                ]),
            });
        }
    }

    fn tables(&self, parts: &mut Vec<Part>) {
        for name in self.pipeline.tables.keys() {
            let items = self
                .dynamodb
                .item_count(&local_table(&self.pipeline, name))
                .unwrap_or(0);
            parts.push(Part {
                id: format!("table:{name}"),
                kind: "table",
                label: name.clone(),
                lines: vec![format!("{items} items")],
                values: BTreeMap::from([("items", json!(items))]),
            });
        }
    }

    fn events(&self, parts: &mut Vec<Part>) {
        let figures = crate::local::dev::rule_figures(&self.eventbridge, &self.buses);
        for bus in self.pipeline.buses.values() {
            let matched: u64 = figures
                .iter()
                .filter(|rule| rule.bus == bus.name)
                .map(|rule| rule.matched)
                .sum();
            parts.push(Part {
                id: format!("bus:{}", bus.name),
                kind: "bus",
                label: bus.name.clone(),
                lines: vec![format!("{matched} matches")],
                values: BTreeMap::from([("matched", json!(matched))]),
            });
            for rule in bus.rules.values() {
                let found = figures
                    .iter()
                    .find(|figures| figures.bus == bus.name && figures.rule == rule.name);
                let (matched, delivered, failed) =
                    found.map_or((0, 0, 0), |f| (f.matched, f.delivered, f.failed));
                parts.push(Part {
                    id: format!("rule:{}/{}", bus.name, rule.name),
                    kind: "rule",
                    label: rule.name.clone(),
                    lines: vec![
                        format!("{matched} matched"),
                        format!("{delivered} delivered · {failed} failed"),
                    ],
                    values: BTreeMap::from([
                        ("matched", json!(matched)),
                        ("delivered", json!(delivered)),
                        ("failed", json!(failed)),
                    ]),
                });
            }
        }
    }

    fn email(&self, parts: &mut Vec<Part>) {
        if let Some(email) = &self.pipeline.email {
            let sent = self.outbox.messages().len();
            parts.push(Part {
                // The graph's one e-mail node is named after pipeline.yaml's key.
                id: "email:email".to_owned(),
                kind: "email",
                label: email.sender.clone(),
                lines: vec![format!("{sent} emails in the outbox")],
                values: BTreeMap::from([("outbox", json!(sent))]),
            });
        }
    }
}

/// The `percent`th percentile of sorted samples (nearest rank).
fn percentile(sorted: &[u64], percent: usize) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (percent * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// `850 ms`, `12.3 s`, `4 min`.
fn age_text(millis: u64) -> String {
    match millis {
        0..1000 => format!("{millis} ms"),
        1000..60_000 => format!("{}.{} s", millis / 1000, millis / 100 % 10),
        _ => format!("{} min", millis / 60_000),
    }
}

/// The first 120 characters of a body.
fn preview(body: &str) -> String {
    let mut text: String = body.chars().take(120).collect();
    if text.len() < body.len() {
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The root pipeline and every example's.
    fn pipelines() -> Vec<std::path::PathBuf> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("generator/ sits in the workspace")
            .to_path_buf();
        let mut files = vec![root.join("pipeline.yaml")];
        for entry in std::fs::read_dir(root.join("examples")).unwrap() {
            let file = entry.unwrap().path().join("pipeline.yaml");
            if file.is_file() {
                files.push(file);
            }
        }
        files
    }

    #[test]
    fn every_node_of_every_pipelines_graph_has_figures() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let engine = engine::Engine::start(engine::EngineConfig::default())
                .await
                .unwrap();
            let sdk = crate::local::dev::sdk_config(&engine.endpoint()).await;
            for file in pipelines() {
                let bytes = std::fs::read(&file).unwrap();
                let pipeline = crate::config::load(&file.display().to_string(), &bytes)
                    .pipeline
                    .expect("a valid pipeline");
                let graph: Vec<String> = crate::graph::Graph::of(&pipeline)
                    .nodes
                    .into_iter()
                    .map(|node| node.id)
                    .collect();
                let sources = Sources {
                    pipeline,
                    sqs: engine.sqs().clone(),
                    store: engine.store().clone(),
                    dynamodb: engine.dynamodb().clone(),
                    outbox: engine.outbox().clone(),
                    eventbridge: engine.eventbridge().clone(),
                    buckets: BTreeMap::new(),
                    buses: BTreeMap::new(),
                    stats: BTreeMap::new(),
                    lambda: LambdaService::default(),
                    measured: Arc::default(),
                    sqs_client: aws_sdk_sqs::Client::new(&sdk),
                };
                let parts: Vec<String> = sources
                    .snapshot()
                    .await
                    .parts
                    .into_iter()
                    .map(|part| part.id)
                    .collect();
                // Both sorted by id.
                assert_eq!(parts, graph, "{}", file.display());
            }
        });
    }

    #[test]
    fn percentiles_take_the_nearest_rank() {
        #[track_caller]
        fn case(samples: &[u64], percent: usize, expected: Option<u64>) {
            assert_eq!(percentile(samples, percent), expected);
        }
        case(&[], 50, None);
        case(&[7], 99, Some(7));
        case(&[1, 2, 3, 4], 50, Some(2));
        case(&[1, 2, 3, 4], 99, Some(4));
        let hundred: Vec<u64> = (1..=100).collect();
        case(&hundred, 99, Some(99));
        case(&hundred, 50, Some(50));
    }

    #[test]
    fn ages_read_at_a_glance() {
        assert_eq!(age_text(850), "850 ms");
        assert_eq!(age_text(12_340), "12.3 s");
        assert_eq!(age_text(240_000), "4 min");
    }
}
