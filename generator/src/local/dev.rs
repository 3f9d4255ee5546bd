//! `gen dev`: the whole pipeline on the embedded engine — queues, buckets, tables and event
//! buses (their rules delivering to the queues) from the resolved model, SES into the outbox folder, every function's generated binary running
//! unchanged behind the Runtime API, fed by event source mappings with the configured batch size,
//! window and visibility, or invoked by the HTTP front door for its API route — all within the
//! account's concurrency (`--account-concurrency`). Each function can be restarted alone
//! (`gen dev --watch`): the engine, its queues and the APIs keep running.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::Value;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use engine::http_api::{self, HttpApi};

use super::lambda::concurrency::AccountConcurrency;
use super::lambda::event_source::{self, MappingSpec, MappingStats};
use super::lambda::service::LambdaService;
use super::lambda::worker::{Worker, WorkerSpec};
use super::state::RuleFigures;
use super::time_scale::TimeScale;
use super::{Engine, EngineConfig};
use crate::config::Pipeline;
use crate::config::naming::{crate_name, logical_id};
use crate::config::pipeline::TargetInput;
use crate::synth::Template;

/// How `gen dev` runs the pipeline.
#[derive(Debug, Clone)]
pub struct DevOptions {
    /// Port of the engine (SQS and S3 on one endpoint); 0 picks a free one.
    pub port: u16,
    /// Folder holding the built handler binaries (`lambda-<pipeline>-<fn>`).
    pub binaries: PathBuf,
    /// How much faster than on AWS the pipeline's durations run.
    pub time: TimeScale,
    /// Faults to inject.
    pub faults: Faults,
    /// The account's concurrency: invocations past it are throttled; `None` is unlimited.
    pub account_concurrency: Option<u32>,
    /// Where SES writes each message (`.gen/outbox/`); `None` keeps them in memory.
    pub outbox: Option<PathBuf>,
    /// Where objects and queued messages are kept across restarts (`--data-dir`); `None`
    /// keeps them in memory only.
    pub data_dir: Option<PathBuf>,
}

/// Fault injection for `gen dev`: what goes wrong, and how often.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    /// Share of object-store calls answered with a 503 `SlowDown` (0–1).
    pub store_failure_rate: f64,
    /// The object store is down (every call 503) from `start` for `length` after start-up.
    pub store_outage: Option<(Duration, Duration)>,
    /// Share of invocations whose function process is killed mid-batch (0–1).
    pub crash_rate: f64,
    /// Latency added to every object-store call.
    pub store_latency: Duration,
    /// Share of DynamoDB item calls answered as throttled or unavailable (0–1).
    pub table_failure_rate: f64,
    /// DynamoDB is down (every item call fails) from `start` for `length` after start-up.
    pub table_outage: Option<(Duration, Duration)>,
    /// Share of queue message calls answered with `ThrottlingException` (0–1).
    pub queue_failure_rate: f64,
    /// The queues are down (every message call 503) from `start` for `length` after start-up.
    pub queue_outage: Option<(Duration, Duration)>,
    /// Latency added to every queue message call.
    pub queue_latency: Duration,
}

/// The running pipeline; stops everything when dropped.
#[derive(Debug)]
pub struct Dev {
    pub engine: Engine,
    /// Queue name in pipeline.yaml → its local URL.
    pub queue_urls: BTreeMap<String, String>,
    /// Bucket name in pipeline.yaml → its local bucket.
    pub buckets: BTreeMap<String, String>,
    /// Table name in pipeline.yaml → its local table.
    pub tables: BTreeMap<String, String>,
    /// Bus name in pipeline.yaml → its local bus.
    pub buses: BTreeMap<String, String>,
    /// API name in pipeline.yaml → its front door.
    pub apis: BTreeMap<String, HttpApi>,
    /// The local Lambda service: route-triggered functions and the account's concurrency.
    pub lambda: LambdaService,
    /// Function name → its mapping's counters.
    pub stats: BTreeMap<String, Arc<MappingStats>>,
    pub sqs: aws_sdk_sqs::Client,
    pub s3: aws_sdk_s3::Client,
    /// Function name → what runs it now.
    functions: BTreeMap<String, Running>,
    options: DevOptions,
    logs: mpsc::UnboundedSender<String>,
}

/// How one function runs: its workers' settings, its mapping's (none for a route-triggered
/// function, which the front door invokes), and how many workers.
#[derive(Debug, Clone)]
pub struct FunctionSpec {
    pub worker: WorkerSpec,
    pub mapping: Option<MappingSpec>,
    pub workers: u32,
    /// The function's reserved concurrency, if set.
    pub reserved: Option<u32>,
}

impl FunctionSpec {
    /// Whether `other` runs the function exactly as this does (every setting and variable).
    pub fn same_as(&self, other: &Self) -> bool {
        format!("{self:?}") == format!("{other:?}")
    }
}

/// A running function: its workers' mapping tasks and what stops them.
#[derive(Debug)]
struct Running {
    spec: FunctionSpec,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Dev {
    fn drop(&mut self) {
        for running in self.functions.values() {
            let _ = running.stop.send(true);
        }
    }
}

/// Why the pipeline could not start.
#[derive(Debug, thiserror::Error)]
pub enum DevError {
    #[error(transparent)]
    Engine(#[from] super::EngineError),
    #[error("cannot create {what}: {message}")]
    Create { what: String, message: String },
    #[error("cannot start function `{function}` from `{binary}`: {source}")]
    Spawn {
        function: String,
        binary: String,
        source: std::io::Error,
    },
    #[error("cannot serve API `{api}`: {message}")]
    Api { api: String, message: String },
}

/// SDK configuration for the local engine: fixed region, dummy credentials.
pub async fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "local", "local", None, None, "gen-dev",
        ))
        .load()
        .await
}

/// The local name of table `name` of `pipeline`.
pub fn local_table(pipeline: &Pipeline, name: &str) -> String {
    format!("{}-{name}-local", pipeline.name)
}

/// The local name of queue `name` of `pipeline` (`.fifo` added for FIFO queues).
pub fn local_queue(pipeline: &Pipeline, name: &str) -> String {
    let fifo = pipeline.queues.get(name).is_some_and(|queue| queue.fifo);
    format!(
        "{}-{name}-local{}",
        pipeline.name,
        if fifo { ".fifo" } else { "" }
    )
}

/// The local name of bus `name` of `pipeline`.
pub fn local_bus(pipeline: &Pipeline, name: &str) -> String {
    format!("{}-{name}-local", pipeline.name)
}

/// The engine's tables for the pipeline's (keys and TTL attribute as pipeline.yaml says).
fn table_specs(pipeline: &Pipeline) -> Vec<engine::dynamodb::TableSpec> {
    let attribute = |key: &crate::config::pipeline::Key| engine::dynamodb::KeyAttribute {
        name: key.name.clone(),
        kind: match key.kind {
            crate::config::model::KeyType::String => "S",
            crate::config::model::KeyType::Number => "N",
            crate::config::model::KeyType::Binary => "B",
        }
        .to_owned(),
    };
    pipeline
        .tables
        .values()
        .map(|table| engine::dynamodb::TableSpec {
            name: local_table(pipeline, &table.name),
            partition: attribute(&table.partition_key),
            sort: table.sort_key.as_ref().map(attribute),
            ttl_attribute: table.ttl_attribute.clone(),
            indexes: Vec::new(),
        })
        .collect()
}

/// The engine's buses for the pipeline's: each rule with its pattern and its targets, by the
/// local names of their queues (`gen dev` creates the queues before any function runs, so
/// they exist when the first event arrives).
pub fn bus_specs(pipeline: &Pipeline) -> Vec<engine::eventbridge::BusSpec> {
    let queue = |name: &str| local_queue(pipeline, name);
    pipeline
        .buses
        .values()
        .map(|bus| engine::eventbridge::BusSpec {
            name: local_bus(pipeline, &bus.name),
            rules: bus
                .rules
                .values()
                .map(|rule| engine::eventbridge::RuleSpec {
                    name: rule.name.clone(),
                    pattern: rule.pattern.to_string(),
                    targets: rule
                        .targets
                        .iter()
                        .map(|target| engine::eventbridge::TargetSpec {
                            id: target.id().to_owned(),
                            queue: queue(&target.queue),
                            input_path: match &target.input {
                                TargetInput::Path(path) => Some(path.clone()),
                                _ => None,
                            },
                            input_transformer: match &target.input {
                                TargetInput::Transformer {
                                    input_paths,
                                    template,
                                } => Some((input_paths.clone(), template.clone())),
                                _ => None,
                            },
                            max_attempts: target.max_attempts,
                            max_age: Duration::from_secs(target.max_age.as_secs()),
                            dead_letter_queue: target.dead_letter.as_deref().map(queue),
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect()
}

/// Each event rule's figures from the engine, by the bus's name in pipeline.yaml (`buses`: bus
/// name → local bus name, as [`Dev::buses`]); rules of buses the pipeline does not name (the
/// default bus) are left out.
pub fn rule_figures(
    eventbridge: &engine::eventbridge::EventBridge,
    buses: &BTreeMap<String, String>,
) -> Vec<RuleFigures> {
    let mut figures: Vec<RuleFigures> = eventbridge
        .stats()
        .into_iter()
        .filter_map(|stats| {
            let bus = buses
                .iter()
                .find(|(_, local)| **local == stats.bus)
                .map(|(name, _)| name.clone())?;
            Some(RuleFigures {
                bus,
                rule: stats.rule,
                matched: stats.matched,
                delivered: stats.delivered,
                failed: stats.failed,
            })
        })
        .collect();
    figures.sort_by(|a, b| (&a.bus, &a.rule).cmp(&(&b.bus, &b.rule)));
    figures
}

/// The front door's description of API `name`: its routes, CORS and throttling.
pub fn api_spec(pipeline: &Pipeline, name: &str) -> Result<http_api::ApiSpec, DevError> {
    let api = pipeline.apis.get(name).ok_or_else(|| DevError::Api {
        api: name.to_owned(),
        message: "no such API in pipeline.yaml".to_owned(),
    })?;
    let routes = pipeline
        .routes_of(name)
        .map(|(function, route)| {
            http_api::RouteSpec::new(&route.route_key(), function.name.clone()).map_err(|error| {
                DevError::Api {
                    api: name.to_owned(),
                    message: error.to_string(),
                }
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(http_api::ApiSpec {
        name: name.to_owned(),
        routes,
        cors: api.cors.as_ref().map(|cors| http_api::Cors {
            allow_origins: cors.allow_origins.clone(),
            allow_methods: cors.allow_methods.clone(),
            allow_headers: cors.allow_headers.clone(),
            expose_headers: Vec::new(),
            max_age: Duration::from_secs(cors.max_age.as_secs()),
            allow_credentials: false,
        }),
        throttling: Some(http_api::Throttling {
            burst: api.throttling.burst,
            rate: api.throttling.rate,
        }),
        port: 0,
    })
}

/// Starts the engine, creates the pipeline's queues, buckets and tables, starts every function,
/// then the front door of every API.
pub async fn start(
    pipeline: &Pipeline,
    template: &Template,
    options: &DevOptions,
    logs: mpsc::UnboundedSender<String>,
) -> Result<Dev, DevError> {
    let engine = Engine::start(EngineConfig {
        port: options.port,
        faults: options.faults.plans(),
        tables: table_specs(pipeline),
        buses: bus_specs(pipeline),
        outbox: options.outbox.clone(),
        data_dir: options.data_dir.clone(),
        ..EngineConfig::default()
    })
    .await?;
    let tables = pipeline
        .tables
        .keys()
        .map(|name| (name.clone(), local_table(pipeline, name)))
        .collect();
    let account = options
        .account_concurrency
        .map_or_else(AccountConcurrency::default, AccountConcurrency::limited);
    let sdk = sdk_config(&engine.endpoint()).await;
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(true)
            .build(),
    );

    let buckets = create_buckets(pipeline, &s3, &engine).await?;
    let queue_urls = create_queues(pipeline, &sqs, options).await?;

    let mut dev = Dev {
        engine,
        queue_urls,
        buckets,
        tables,
        buses: pipeline
            .buses
            .keys()
            .map(|name| (name.clone(), local_bus(pipeline, name)))
            .collect(),
        apis: BTreeMap::new(),
        lambda: LambdaService::new(account),
        stats: BTreeMap::new(),
        sqs,
        s3,
        functions: BTreeMap::new(),
        options: options.clone(),
        logs,
    };
    for name in pipeline.functions.keys() {
        if let Some(spec) = dev.spec(pipeline, template, name) {
            dev.run(spec).await?;
        }
    }
    let invoker: Arc<dyn http_api::Invoke> = Arc::new(dev.lambda.clone());
    for name in pipeline.apis.keys() {
        let spec = api_spec(pipeline, name)?;
        let api = HttpApi::start(spec, Arc::clone(&invoker), Some(dev.logs.clone()))
            .await
            .map_err(|error| DevError::Api {
                api: name.clone(),
                message: format!("cannot listen on loopback: {error}"),
            })?;
        dev.apis.insert(name.clone(), api);
    }
    Ok(dev)
}

impl Dev {
    /// How function `name` of `pipeline` runs under `template`; `None` when there is no such
    /// function, or its queue or API is not one the engine has (added to pipeline.yaml after
    /// start-up).
    pub fn spec(
        &self,
        pipeline: &Pipeline,
        template: &Template,
        name: &str,
    ) -> Option<FunctionSpec> {
        let function = pipeline.functions.get(name)?;
        let options = &self.options;
        let worker = WorkerSpec {
            function: function.name.clone(),
            binary: options
                .binaries
                .join(crate_name(&pipeline.name, &function.name)),
            environment: environment(
                template,
                &function.name,
                &Resources {
                    queues: &self.queue_urls,
                    buckets: &self.buckets,
                    tables: &self.tables,
                    buses: &self.buses,
                },
                &self.engine.endpoint(),
                options,
            ),
            // A queue function's timeout is scaled with its queue's visibility; a route function's
            // is kept: no queue timing depends on it, and a compressed one would time out a cold
            // start that API Gateway would wait for.
            timeout: match &function.trigger {
                crate::config::pipeline::Trigger::Queue(_) => options
                    .time
                    .scale(Duration::from_secs(function.timeout.as_secs())),
                crate::config::pipeline::Trigger::Route(_) => {
                    Duration::from_secs(function.timeout.as_secs())
                }
            },
            memory_mb: function.memory_mb,
        };
        let reserved = function.reserved_concurrency;
        let Some(trigger) = function.trigger.queue() else {
            // A route-triggered function: the front door's invocations, one per worker at a time.
            let route = function.trigger.route()?;
            if !self.apis.contains_key(&route.api) && !pipeline.apis.contains_key(&route.api) {
                return None;
            }
            return Some(FunctionSpec {
                worker,
                mapping: None,
                workers: reserved.unwrap_or(4).clamp(1, 8),
                reserved,
            });
        };
        let url = self.queue_urls.get(&trigger.queue)?.clone();
        let mapping = MappingSpec {
            function: function.name.clone(),
            queue_arn: format!(
                "arn:aws:sqs:us-east-1:000000000000:{}",
                url.rsplit('/').next().unwrap_or_default()
            ),
            queue_url: url,
            batch_size: trigger.batch_size,
            batching_window: options
                .time
                .scale(Duration::from_secs(trigger.batching_window.as_secs())),
        };
        Some(FunctionSpec {
            worker,
            mapping: Some(mapping),
            workers: reserved.unwrap_or(2).clamp(1, 4),
            reserved,
        })
    }

    /// How a function runs now, if it runs.
    pub fn running(&self, function: &str) -> Option<&FunctionSpec> {
        self.functions.get(function).map(|running| &running.spec)
    }

    /// The functions running now.
    pub fn functions(&self) -> Vec<String> {
        self.functions.keys().cloned().collect()
    }

    /// Stops a function: its mappings stop polling, a batch in flight ends first (its records
    /// are deleted or come back as usual), then its processes end. Its queue keeps its messages.
    pub async fn stop(&mut self, function: &str) {
        self.lambda.remove(function);
        if let Some(running) = self.functions.remove(function) {
            let _ = running.stop.send(true);
            for task in running.tasks {
                let _ = task.await;
            }
        }
    }

    /// Stops the function if it runs, then starts it as `spec` says; its counters carry on.
    pub async fn restart(&mut self, spec: FunctionSpec) -> Result<(), DevError> {
        self.stop(&spec.worker.function).await;
        self.run(spec).await
    }

    async fn run(&mut self, spec: FunctionSpec) -> Result<(), DevError> {
        let name = spec.worker.function.clone();
        let stats = Arc::clone(self.stats.entry(name.clone()).or_default());
        let (stop, stopped) = watch::channel(false);
        let mut tasks = Vec::new();
        let mut pool = Vec::new();
        for _ in 0..spec.workers {
            let worker = Worker::start(spec.worker.clone(), self.logs.clone())
                .await
                .map_err(|source| DevError::Spawn {
                    function: name.clone(),
                    binary: spec.worker.binary.display().to_string(),
                    source,
                })?;
            match &spec.mapping {
                Some(mapping) => tasks.push(tokio::spawn(event_source::run(
                    mapping.clone(),
                    worker,
                    self.engine.sqs_poller(),
                    Arc::clone(&stats),
                    stopped.clone(),
                    self.options.faults.crash_rate,
                    self.lambda.account().clone(),
                ))),
                None => pool.push(worker),
            }
        }
        if spec.mapping.is_none() {
            self.lambda
                .serve(&name, pool, spec.reserved, self.options.faults.crash_rate);
        }
        self.functions.insert(name, Running { spec, stop, tasks });
        Ok(())
    }
}

impl Faults {
    /// The engine's fault plans: the store faults are S3's, the table faults DynamoDB's, the
    /// queue faults SQS's (crashes are the functions', applied by the event source mappings and
    /// the front door).
    fn plans(&self) -> BTreeMap<&'static str, engine::FaultPlan> {
        let outages = |window: &Option<(Duration, Duration)>| {
            window
                .iter()
                .map(|&(start, length)| engine::Outage { start, length })
                .collect()
        };
        BTreeMap::from([
            (
                engine::s3::NAME,
                engine::FaultPlan {
                    latency: self.store_latency,
                    failure_rate: self.store_failure_rate,
                    outages: outages(&self.store_outage),
                },
            ),
            (
                engine::dynamodb::NAME,
                engine::FaultPlan {
                    latency: Duration::ZERO,
                    failure_rate: self.table_failure_rate,
                    outages: outages(&self.table_outage),
                },
            ),
            (
                engine::sqs::NAME,
                engine::FaultPlan {
                    latency: self.queue_latency,
                    failure_rate: self.queue_failure_rate,
                    outages: outages(&self.queue_outage),
                },
            ),
        ])
    }
}

/// The pipeline's buckets, versioned where pipeline.yaml says so.
async fn create_buckets(
    pipeline: &Pipeline,
    s3: &aws_sdk_s3::Client,
    engine: &Engine,
) -> Result<BTreeMap<String, String>, DevError> {
    let mut buckets = BTreeMap::new();
    for (name, bucket) in &pipeline.buckets {
        let local = format!("{}-{name}-local", pipeline.name);
        // Restored from `--data-dir`, the bucket is there with its objects.
        if engine.store().head_bucket(&local).is_err() {
            s3.create_bucket()
                .bucket(&local)
                .send()
                .await
                .map_err(|error| DevError::Create {
                    what: format!("bucket `{name}`"),
                    message: aws_sdk_s3::error::DisplayErrorContext(error).to_string(),
                })?;
        }
        if bucket.versioning {
            engine
                .store()
                .set_versioning(&local, ::engine::s3::store::Versioning::Enabled)
                .map_err(|error| DevError::Create {
                    what: format!("versioning of bucket `{name}`"),
                    message: error.to_string(),
                })?;
        }
        buckets.insert(name.clone(), local);
    }
    Ok(buckets)
}

/// Dead-letter queues first, so redrive policies can name them.
async fn create_queues(
    pipeline: &Pipeline,
    sqs: &aws_sdk_sqs::Client,
    options: &DevOptions,
) -> Result<BTreeMap<String, String>, DevError> {
    let mut order: Vec<&crate::config::pipeline::Queue> = pipeline.queues.values().collect();
    order.sort_by_key(|queue| queue.redrive.is_some());
    let mut urls = BTreeMap::new();
    let mut arns = BTreeMap::new();
    for queue in order {
        let name = local_queue(pipeline, &queue.name);
        let mut attributes = HashMap::from([
            (
                QueueAttributeName::VisibilityTimeout,
                options
                    .time
                    .scale_seconds(queue.visibility_timeout.as_secs())
                    .to_string(),
            ),
            (
                QueueAttributeName::MessageRetentionPeriod,
                queue.retention.as_secs().to_string(),
            ),
            (
                QueueAttributeName::DelaySeconds,
                options
                    .time
                    .scale_seconds(queue.delay.as_secs())
                    .to_string(),
            ),
        ]);
        if queue.fifo {
            attributes.insert(QueueAttributeName::FifoQueue, "true".to_owned());
            attributes.insert(
                QueueAttributeName::ContentBasedDeduplication,
                queue.content_based_deduplication.to_string(),
            );
        }
        if let Some(redrive) = &queue.redrive {
            let target: &String = &arns[&redrive.dead_letter];
            let policy = serde_json::json!({ "deadLetterTargetArn": target, "maxReceiveCount": redrive.max_receive_count });
            attributes.insert(QueueAttributeName::RedrivePolicy, policy.to_string());
        }
        let failed = |error: String| DevError::Create {
            what: format!("queue `{}`", queue.name),
            message: error,
        };
        let created = sqs
            .create_queue()
            .queue_name(&name)
            .set_attributes(Some(attributes.clone()))
            .send()
            .await;
        let url = match created {
            Ok(output) => output.queue_url.unwrap_or_default(),
            // Restored from `--data-dir` with other settings (pipeline.yaml or the time scale
            // changed): keep its messages, take the new settings.
            Err(error)
                if error.as_service_error().is_some_and(|error| {
                    aws_sdk_sqs::error::ProvideErrorMetadata::code(error)
                        == Some("QueueAlreadyExists")
                }) =>
            {
                let url = sqs
                    .get_queue_url()
                    .queue_name(&name)
                    .send()
                    .await
                    .map_err(|error| {
                        failed(aws_sdk_sqs::error::DisplayErrorContext(error).to_string())
                    })?
                    .queue_url
                    .unwrap_or_default();
                attributes.remove(&QueueAttributeName::FifoQueue);
                sqs.set_queue_attributes()
                    .queue_url(&url)
                    .set_attributes(Some(attributes))
                    .send()
                    .await
                    .map_err(|error| {
                        failed(aws_sdk_sqs::error::DisplayErrorContext(error).to_string())
                    })?;
                url
            }
            Err(error) => {
                return Err(failed(
                    aws_sdk_sqs::error::DisplayErrorContext(error).to_string(),
                ));
            }
        };
        arns.insert(
            queue.name.clone(),
            format!("arn:aws:sqs:us-east-1:000000000000:{name}"),
        );
        urls.insert(queue.name.clone(), url);
    }
    Ok(urls)
}

/// The local names of the pipeline's resources, by their names in pipeline.yaml.
struct Resources<'a> {
    queues: &'a BTreeMap<String, String>,
    buckets: &'a BTreeMap<String, String>,
    tables: &'a BTreeMap<String, String>,
    buses: &'a BTreeMap<String, String>,
}

impl Resources<'_> {
    /// The local value of a `Ref` to logical id `id`: a queue's URL, a bucket's, a table's or a
    /// bus's name.
    fn resolve(&self, id: &str) -> Option<String> {
        [
            (self.queues, "Queue"),
            (self.buckets, "Bucket"),
            (self.tables, "Table"),
            (self.buses, "Bus"),
        ]
        .into_iter()
        .find_map(|(names, kind)| {
            names
                .iter()
                .find(|(name, _)| logical_id(name, kind) == id)
                .map(|(_, local)| local.clone())
        })
    }
}

/// The function's environment from the template, with resource references resolved to the
/// local queues, buckets and tables, plus what the SDK needs to reach the engine.
fn environment(
    template: &Template,
    function: &str,
    resources: &Resources<'_>,
    endpoint: &str,
    options: &DevOptions,
) -> BTreeMap<String, String> {
    let mut environment = BTreeMap::from([
        ("AWS_ENDPOINT_URL".to_owned(), endpoint.to_owned()),
        ("AWS_REGION".to_owned(), "us-east-1".to_owned()),
        ("AWS_ACCESS_KEY_ID".to_owned(), "local".to_owned()),
        ("AWS_SECRET_ACCESS_KEY".to_owned(), "local".to_owned()),
        ("RUST_LOG".to_owned(), "info".to_owned()),
    ]);
    if options.time != TimeScale::REAL {
        let cooldown = options
            .time
            .scale_seconds(u64::from(runtime::config::DEFAULT_BREAKER_COOLDOWN_SECONDS))
            .max(1);
        environment.insert(
            runtime::config::vars::BREAKER_COOLDOWN_SECONDS.to_owned(),
            cooldown.to_string(),
        );
    }
    let Some(resource) = template.resources.get(&logical_id(function, "Function")) else {
        return environment;
    };
    let variables = serde_json::to_value(&resource.properties["Environment"]).unwrap_or_default();
    for (name, value) in variables["Variables"].as_object().into_iter().flatten() {
        let resolved = match value {
            Value::String(text) => Some(text.clone()),
            Value::Object(reference) => reference
                .get("Ref")
                .and_then(Value::as_str)
                .and_then(|id| resources.resolve(id)),
            _ => None,
        };
        if let Some(mut resolved) = resolved {
            if name == runtime::config::vars::REQUEUE_DELAY_SECONDS {
                let delay = resolved.parse().unwrap_or(0);
                resolved = options.time.scale_seconds(delay).to_string();
            }
            environment.insert(name.clone(), resolved);
        }
    }
    environment
}

/// Every key under `prefix` in a bucket (all pages); empty if the bucket cannot be listed.
pub async fn list_keys(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: &str,
) -> std::collections::BTreeSet<String> {
    let mut keys = std::collections::BTreeSet::new();
    let mut token = None;
    loop {
        let Ok(page) = s3
            .list_objects_v2()
            .bucket(bucket)
            .prefix(prefix)
            .set_continuation_token(token)
            .send()
            .await
        else {
            break;
        };
        keys.extend(
            page.contents()
                .iter()
                .filter_map(|object| object.key().map(str::to_owned)),
        );
        token = page.next_continuation_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    keys
}
