//! `gen dev --demo` for a pipeline with an HTTP API: the sample requests kept beside its pipeline
//! file (`requests/*.json`, one request body per file) are sent over HTTP to the route of its
//! `order_ingest` function; a file named `*.invalid.json` is a request the API must refuse (`4xx`),
//! every other one it must accept (`202` with an `order_id`). Once the pipeline is idle, every
//! accepted order must be in the `order_store` function's table exactly once (with exactly one
//! e-mail when the store sends them), or parked in a dead-letter queue — nothing lost. When the
//! ingest publishes to a bus instead, each accepted order must be in exactly the consumers'
//! tables its content selects (`fanout.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use tokio::time::Instant;

use super::super::dev::Dev;
use super::super::http_client::HttpClient;
use crate::config::Pipeline;
use crate::config::model::HandlerKind;
use crate::config::pipeline::{Function, RouteTrigger, Table};

/// The folder of sample requests, beside the pipeline file.
pub const REQUESTS_DIR: &str = "requests";
/// The suffix of a sample the API must refuse.
const INVALID_SUFFIX: &str = ".invalid.json";

/// One sample request.
#[derive(Debug, Clone)]
struct Sample {
    file: String,
    body: String,
    invalid: bool,
}

/// What happened to one request (`--output json` lists them).
#[derive(Debug, Clone, Serialize)]
pub struct Answered {
    pub file: String,
    pub status: u16,
    /// The order id the API answered with (accepted requests).
    pub order_id: Option<String>,
    /// The refusal's reason (refused requests).
    pub message: Option<String>,
    /// Whether the answer is the one the file's name expects.
    pub as_expected: bool,
}

/// The outcome of a demo run of sample requests (`--output json` prints it as is).
#[derive(Debug, Clone, Default, Serialize)]
pub struct RequestLedger {
    /// `POST /orders` on `http://127.0.0.1:PORT`.
    pub route: String,
    pub url: String,
    /// Every request and its answer, in file order.
    pub requests: Vec<Answered>,
    /// Requests sent, accepted (`2xx`), refused (`4xx`) and failed (`5xx`, or no answer).
    pub sent: usize,
    pub accepted: usize,
    pub rejected: usize,
    pub failed: usize,
    /// Requests whose answer is not the one their file's name expects.
    pub unexpected: usize,
    /// The table the order store writes, and how many items it holds.
    pub table: String,
    pub items: usize,
    /// Accepted orders found in the table exactly once.
    pub written: usize,
    /// Whether the store sends e-mail; e-mails sent, and accepted orders with exactly one.
    pub sends_email: bool,
    pub emails: usize,
    pub emailed_once: usize,
    /// Accepted orders done: written exactly once, and e-mailed exactly once when the store sends
    /// e-mail.
    pub done: usize,
    /// Orders e-mailed more than once.
    pub emailed_twice: usize,
    /// Accepted orders not done whose message is in a dead-letter queue no function reads.
    pub parked: usize,
    /// Accepted orders neither written nor parked.
    pub missing: Vec<String>,
    /// Messages still in a queue when the wait ended.
    pub in_flight: u64,
    pub drained_in_ms: u128,
    /// When the ingest publishes to a bus: each consumer's ledger (`done` then counts the orders
    /// that reached exactly the consumers their content selects, once each).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub consumers: Vec<super::fanout::ConsumerLedger>,
}

impl RequestLedger {
    /// Every request answered as its name expects, and every accepted order written exactly once
    /// (with exactly one e-mail when the store sends them) or parked.
    pub fn complete(&self) -> bool {
        self.unexpected == 0
            && self.failed == 0
            && self.in_flight == 0
            && self.missing.is_empty()
            && self.emailed_twice == 0
            && self.done + self.parked == self.accepted
            && self
                .consumers
                .iter()
                .all(|consumer| consumer.stray.is_empty())
    }
}

impl fmt::Display for RequestLedger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "requests    {} sent to {} on {}",
            self.sent, self.route, self.url
        )?;
        for answered in &self.requests {
            writeln!(
                f,
                "  {:<32} {} {}{}",
                answered.file,
                answered.status,
                answered
                    .order_id
                    .as_deref()
                    .or(answered.message.as_deref())
                    .unwrap_or_default(),
                if answered.as_expected {
                    ""
                } else {
                    "  (NOT as its file name expects)"
                }
            )?;
        }
        writeln!(
            f,
            "accepted    {}, rejected {}, failed {}",
            self.accepted, self.rejected, self.failed
        )?;
        if self.consumers.is_empty() {
            writeln!(
                f,
                "written     {} of {} accepted orders exactly once in table `{}` ({} items)",
                self.written, self.accepted, self.table, self.items
            )?;
        }
        for consumer in &self.consumers {
            writeln!(
                f,
                "consumer    {:<16} {} of {} selected orders exactly once in `{}` ({} items; rules {}){}",
                consumer.function,
                consumer.written,
                consumer.selected,
                consumer.table,
                consumer.items,
                consumer.rules.join(", "),
                if consumer.stray.is_empty() {
                    String::new()
                } else {
                    format!("; NOT selected but written: {}", consumer.stray.join(", "))
                }
            )?;
        }
        if self.sends_email {
            writeln!(
                f,
                "emails      {} sent; {} orders with exactly one",
                self.emails, self.emailed_once
            )?;
        }
        if self.consumers.is_empty() {
            writeln!(
                f,
                "done        {} of {} accepted orders ({} e-mailed twice)",
                self.done, self.accepted, self.emailed_twice
            )?;
        } else {
            writeln!(
                f,
                "done        {} of {} accepted orders reached exactly the consumers their content selects",
                self.done, self.accepted
            )?;
        }
        writeln!(f, "parked      {}", self.parked)?;
        if !self.missing.is_empty() {
            writeln!(f, "missing     {}", self.missing.join(", "))?;
        }
        writeln!(f, "in flight   {}", self.in_flight)?;
        writeln!(f, "drained in  {} ms", self.drained_in_ms)?;
        writeln!(
            f,
            "{}",
            if self.complete() {
                "every accepted order is accounted for"
            } else {
                "NOT every accepted order is accounted for"
            }
        )
    }
}

/// Whether the demo sends sample requests: the pipeline has an API and `root` holds a
/// `requests/` folder.
pub fn applies(pipeline: &Pipeline, root: &Path) -> bool {
    !pipeline.apis.is_empty() && root.join(REQUESTS_DIR).is_dir()
}

/// The parts of the pipeline the demo talks to: the ingest function's route and the store
/// function with its table.
struct Targets<'p> {
    route: &'p RouteTrigger,
    store: &'p Function,
    table_name: &'p str,
    table: &'p Table,
}

impl<'p> Targets<'p> {
    fn find(pipeline: &'p Pipeline) -> Result<Self, String> {
        let ingest = pipeline
            .functions
            .values()
            .find(|function| function.handler == HandlerKind::OrderIngest)
            .ok_or("the pipeline has no `order_ingest` function to send its sample requests to")?;
        let route = ingest
            .trigger
            .route()
            .ok_or("the `order_ingest` function has no route trigger")?;
        let store = pipeline
            .functions
            .values()
            .find(|function| function.handler == HandlerKind::OrderStore)
            .ok_or("the pipeline has no `order_store` function whose table holds the orders")?;
        let table_name = store
            .writes
            .table
            .as_deref()
            .ok_or("the `order_store` function writes no table")?;
        let table = pipeline
            .tables
            .get(table_name)
            .ok_or_else(|| format!("no table `{table_name}` in pipeline.yaml"))?;
        Ok(Self {
            route,
            store,
            table_name,
            table,
        })
    }
}

/// Sends each sample to `route` at `url`, in order, and records its answer.
async fn send_samples(
    url: &str,
    route: &RouteTrigger,
    samples: &[Sample],
) -> Result<Vec<Answered>, String> {
    let mut client = HttpClient::new(url).map_err(|error| error.to_string())?;
    let method = match route.method.as_str() {
        "ANY" => "POST",
        method => method,
    };
    let method = hyper::Method::from_bytes(method.as_bytes()).map_err(|error| error.to_string())?;
    let mut requests = Vec::with_capacity(samples.len());
    for sample in samples {
        let answer = client
            .send(
                method.clone(),
                &route.path,
                &[],
                hyper::body::Bytes::from(sample.body.clone()),
            )
            .await;
        requests.push(answered(sample, answer));
    }
    Ok(requests)
}

/// Sends the samples under `root/requests/`, waits until the pipeline is idle, and accounts for
/// each accepted order.
pub async fn run(
    dev: &Dev,
    pipeline: &Pipeline,
    root: &Path,
    timeout: Duration,
) -> Result<RequestLedger, String> {
    if let Some((ingest, bus)) = publishing_ingest(pipeline) {
        return run_fanout(dev, pipeline, root, timeout, ingest, bus).await;
    }
    let Targets {
        route,
        store,
        table_name,
        table,
    } = Targets::find(pipeline)?;
    let sent = send_and_drain(dev, pipeline, root, timeout, route).await?;
    let local_table = &dev.tables[table_name];
    let items = dev.engine.dynamodb().items(local_table).unwrap_or_default();
    let in_table = count_keys(&items, &table.partition_key.name);
    let emails = dev.engine.outbox().messages();
    let accepted_ids: Vec<String> = sent
        .requests
        .iter()
        .filter_map(|answered| answered.order_id.clone())
        .collect();
    let written = accepted_ids
        .iter()
        .filter(|id| in_table.get(*id) == Some(&1))
        .count();
    let emailed_once = accepted_ids
        .iter()
        .filter(|id| in_table.get(*id) == Some(&1))
        .filter(|id| emails.iter().filter(|email| mentions(email, id)).count() == 1)
        .count();
    let emailed = |id: &str| emails.iter().filter(|email| mentions(email, id)).count();
    let is_done =
        |id: &str| in_table.get(id) == Some(&1) && (!store.writes.email || emailed(id) == 1);
    let done = accepted_ids.iter().filter(|id| is_done(id)).count();
    let emailed_twice = in_table.keys().filter(|id| emailed(id) > 1).count();
    let ledger = RequestLedger::of(dev, pipeline, route, sent, &accepted_ids, is_done).await;
    Ok(RequestLedger {
        table: local_table.clone(),
        items: items.len(),
        written,
        sends_email: store.writes.email,
        emails: emails.len(),
        emailed_once,
        done,
        emailed_twice,
        ..ledger
    })
}

/// The samples sent to a route, their answers, and how the pipeline drained after them.
struct Sent {
    url: String,
    samples: Vec<Sample>,
    requests: Vec<Answered>,
    /// Messages still in a queue when the wait ended.
    in_flight: u64,
    drained_in_ms: u128,
}

/// Sends the samples under `root/requests/` to `route`, then waits until the pipeline is idle.
async fn send_and_drain(
    dev: &Dev,
    pipeline: &Pipeline,
    root: &Path,
    timeout: Duration,
    route: &RouteTrigger,
) -> Result<Sent, String> {
    let url = dev
        .apis
        .get(&route.api)
        .map(engine::http_api::HttpApi::url)
        .ok_or_else(|| format!("API `{}` is not running", route.api))?;
    let samples = read_samples(&root.join(REQUESTS_DIR))?;
    let started = Instant::now();
    let requests = send_samples(&url, route, &samples).await?;
    let drained = super::drain(dev, pipeline, timeout).await;
    Ok(Sent {
        url,
        samples,
        requests,
        in_flight: drained.in_flight,
        drained_in_ms: drained.since(started).as_millis(),
    })
}

impl RequestLedger {
    /// The ledger's part common to every kind of pipeline: the answers to `sent` counted, and
    /// the accepted orders not `done` split into parked (in a dead-letter queue no function
    /// reads) and missing. The caller fills in what its orders became.
    async fn of(
        dev: &Dev,
        pipeline: &Pipeline,
        route: &RouteTrigger,
        sent: Sent,
        accepted_ids: &[String],
        done: impl Fn(&str) -> bool,
    ) -> Self {
        let parked_ids = parked(dev, pipeline, accepted_ids).await;
        let (parked, missing): (Vec<&String>, Vec<&String>) = accepted_ids
            .iter()
            .filter(|id| !done(id))
            .partition(|id| parked_ids.contains(*id));
        let count = |test: fn(u16) -> bool| sent.requests.iter().filter(|a| test(a.status)).count();
        Self {
            route: route.route_key(),
            url: sent.url,
            sent: sent.requests.len(),
            accepted: count(|status| (200..300).contains(&status)),
            rejected: count(|status| (400..500).contains(&status)),
            failed: count(|status| status == 0 || status >= 500),
            unexpected: sent.requests.iter().filter(|a| !a.as_expected).count(),
            requests: sent.requests,
            parked: parked.len(),
            missing: missing.into_iter().cloned().collect(),
            in_flight: sent.in_flight,
            drained_in_ms: sent.drained_in_ms,
            ..Self::default()
        }
    }
}

/// The ingest function and the bus it publishes to, when it publishes instead of enqueueing.
fn publishing_ingest(pipeline: &Pipeline) -> Option<(&Function, &crate::config::pipeline::Bus)> {
    let ingest = pipeline
        .functions
        .values()
        .find(|function| function.handler == HandlerKind::OrderIngest)?;
    let bus = pipeline.buses.get(ingest.writes.events.as_deref()?)?;
    Some((ingest, bus))
}

/// [`run`] for an ingest that publishes to a bus: each accepted order must be in exactly the
/// consumers' tables its event's content selects, once each, and in no other (or parked).
async fn run_fanout(
    dev: &Dev,
    pipeline: &Pipeline,
    root: &Path,
    timeout: Duration,
    ingest: &Function,
    bus: &crate::config::pipeline::Bus,
) -> Result<RequestLedger, String> {
    let route = ingest
        .trigger
        .route()
        .ok_or("the `order_ingest` function has no route trigger")?;
    let consumers = super::fanout::consumers(pipeline, bus);
    if consumers.is_empty() {
        return Err(format!(
            "no `order_store` function takes orders from a queue that a rule of bus `{}` targets",
            bus.name
        ));
    }
    let sent = send_and_drain(dev, pipeline, root, timeout, route).await?;
    let mut selected: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (answered, sample) in sent.requests.iter().zip(&sent.samples) {
        if let Some(id) = &answered.order_id {
            let event = super::fanout::event(pipeline, ingest, &sample.body, id);
            let chosen = consumers
                .iter()
                .filter(|consumer| consumer.selects(&event))
                .map(|consumer| consumer.function.name.clone())
                .collect();
            selected.insert(id.clone(), chosen);
        }
    }
    let mut counts = BTreeMap::new();
    for consumer in &consumers {
        let key = &pipeline.tables[consumer.table].partition_key.name;
        let items = dev
            .engine
            .dynamodb()
            .items(&dev.tables[consumer.table])
            .unwrap_or_default();
        counts.insert(
            consumer.function.name.clone(),
            (items.len(), count_keys(&items, key)),
        );
    }
    let (ledgers, done) = super::fanout::ledgers(&consumers, &dev.tables, &counts, &selected);
    let accepted_ids: Vec<String> = selected.keys().cloned().collect();
    let ledger = RequestLedger::of(dev, pipeline, route, sent, &accepted_ids, |id| {
        done.contains(id)
    })
    .await;
    Ok(RequestLedger {
        table: ledgers
            .iter()
            .map(|ledger| ledger.table.clone())
            .collect::<Vec<_>>()
            .join(", "),
        items: ledgers.iter().map(|ledger| ledger.items).sum(),
        written: done.len(),
        done: done.len(),
        consumers: ledgers,
        ..ledger
    })
}

/// How many items hold each value of attribute `key` (a string, number or binary key).
fn count_keys(items: &[Value], key: &str) -> BTreeMap<String, usize> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for item in items {
        let value = item[key].as_object().and_then(|value| {
            value
                .values()
                .next()
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
        if let Some(value) = value {
            *counts.entry(value).or_default() += 1;
        }
    }
    counts
}

/// The answer to one sample, and whether it is the one the file's name expects.
fn answered(
    sample: &Sample,
    answer: Result<super::super::http_client::HttpAnswer, super::super::http_client::HttpError>,
) -> Answered {
    match answer {
        Ok(answer) => {
            let body: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
            let order_id = body["order_id"].as_str().map(str::to_owned);
            let accepted = (200..300).contains(&answer.status) && order_id.is_some();
            let refused = (400..500).contains(&answer.status);
            Answered {
                file: sample.file.clone(),
                status: answer.status,
                order_id: order_id.filter(|_| accepted),
                message: body["message"].as_str().map(str::to_owned),
                as_expected: if sample.invalid { refused } else { accepted },
            }
        }
        Err(error) => Answered {
            file: sample.file.clone(),
            status: 0,
            order_id: None,
            message: Some(error.to_string()),
            as_expected: false,
        },
    }
}

/// Whether an e-mail is about order `id` (its tags, subject or body name it).
fn mentions(email: &engine::ses::SentEmail, id: &str) -> bool {
    email.tags.values().any(|value| value == id)
        || email.subject.contains(id)
        || email.text.as_deref().is_some_and(|text| text.contains(id))
        || email.html.as_deref().is_some_and(|html| html.contains(id))
}

/// The accepted orders whose message sits in a dead-letter queue no function reads.
async fn parked(dev: &Dev, pipeline: &Pipeline, accepted: &[String]) -> BTreeSet<String> {
    let mut parked = BTreeSet::new();
    for (name, url) in &dev.queue_urls {
        if pipeline.consumer_of(name).is_some() {
            continue;
        }
        let Ok(output) = dev
            .sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .visibility_timeout(0)
            .send()
            .await
        else {
            continue;
        };
        for message in output.messages() {
            let body: Value = message
                .body()
                .and_then(|body| serde_json::from_str(body).ok())
                .unwrap_or(Value::Null);
            if let Some(id) = body["order_id"].as_str()
                && accepted.iter().any(|accepted| accepted == id)
            {
                parked.insert(id.to_owned());
            }
        }
    }
    parked
}

/// The bodies of the sample requests under `root/requests/`, in file-name order (what
/// `gen send` sends to an API when no `--request` is given).
pub fn sample_bodies(root: &Path) -> Result<Vec<String>, String> {
    Ok(read_samples(&root.join(REQUESTS_DIR))?
        .into_iter()
        .map(|sample| sample.body)
        .collect())
}

/// Every `*.json` of `folder`, by name.
fn read_samples(folder: &Path) -> Result<Vec<Sample>, String> {
    let files = super::read_json_files(
        folder,
        "sample requests",
        "`*.json`, one request body per file; `*.invalid.json` for one the API must refuse",
    )?;
    Ok(files
        .into_iter()
        .map(|super::SampleFile { file, body }| Sample {
            invalid: file.ends_with(INVALID_SUFFIX),
            body,
            file,
        })
        .collect())
}
