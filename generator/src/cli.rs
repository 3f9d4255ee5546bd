//! Command-line arguments (clap only; nothing here does work).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The pipeline kit: validate pipeline.yaml, generate CloudFormation and Lambda crates,
/// deploy, diff, and run the pipeline locally.
#[derive(Debug, Parser)]
#[command(name = "gen", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub global: GlobalArgs,
}

/// Flags every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Output format: `text` for people, `json` for machines.
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
    /// AWS endpoint for every service (moto, LocalStack); also read from `AWS_ENDPOINT_URL`.
    #[arg(long, global = true, env = "AWS_ENDPOINT_URL")]
    pub endpoint_url: Option<String>,
    /// AWS region (default: pipeline.yaml's `region`).
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// AWS profile of the shared config and credentials files.
    #[arg(long, global = true, env = "AWS_PROFILE")]
    pub profile: Option<String>,
    /// Show more: the full error chain of AWS failures (for a bug report; `RUST_LOG` does too,
    /// and adds the SDK's own logs); with `gen dev --demo`, the functions' logs.
    #[arg(short = 'v', long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check pipeline.yaml against the schema and the semantic rules; report every problem.
    Validate(ValidateArgs),
    /// Print the JSON Schema of pipeline.yaml.
    Schema(SchemaArgs),
    /// Write `generated/`: CloudFormation template, schema, reference and handler crates.
    Synth(SynthArgs),
    /// Fail when `generated/` differs from a fresh `gen synth`.
    Check(CheckArgs),
    /// Planned changes between pipeline.yaml at a git ref and the working tree.
    Diff(DiffArgs),
    /// What the pipeline costs a month at a volume, per service and resource, with assumptions.
    Cost(CostArgs),
    /// Draw the pipeline: its parts and what connects them, as mermaid, SVG or DOT.
    Graph(GraphArgs),
    /// Run the whole pipeline locally on the embedded engine (no AWS account, no Docker).
    Dev(DevArgs),
    /// Send generated orders to a running `gen dev`'s queue, or requests to its API (load
    /// generator).
    Send(SendArgs),
    /// Queue depths, invoices and parked messages of a running `gen dev`.
    Status(StatusArgs),
    /// List the deployed stages of the pipeline: owner, branch, age, expiry, status.
    Ls(StageFileArgs),
    /// Delete a stage: empty its buckets (every version), then delete its stack.
    Destroy(DestroyArgs),
    /// Destroy the ephemeral stages whose expiry has passed.
    Gc(GcArgs),
    /// Build, upload by hash, and apply the pipeline through a CloudFormation change set.
    Deploy(DeployArgs),
    /// Create the assets stack (the bucket for code zips) once per account and region.
    Bootstrap(BootstrapArgs),
    /// Check what a deploy needs (credentials, region, tools, assets stack), each with the fix.
    Doctor(DoctorArgs),
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// The pipeline file (its region is the default; optional).
    #[arg(short = 'f', long = "file", default_value = "pipeline.yaml")]
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct StageFileArgs {
    /// The pipeline file.
    #[arg(short = 'f', long = "file", default_value = "pipeline.yaml")]
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct BootstrapArgs {
    /// The pipeline file (its region is the default).
    #[arg(short = 'f', long = "file", default_value = "pipeline.yaml")]
    pub file: PathBuf,
    /// Print the assets stack's template and deploy nothing (to review it, or deploy it
    /// through your own tooling).
    #[arg(long)]
    pub show_template: bool,
}

#[derive(Debug, Args)]
pub struct DestroyArgs {
    /// The pipeline file.
    #[arg(short = 'f', long = "file", default_value = "pipeline.yaml")]
    pub file: PathBuf,
    /// The stage to destroy.
    #[arg(long)]
    pub stage: String,
    /// Destroy even a stage tagged `protected=true`.
    #[arg(long)]
    pub force: bool,
    /// Destroy without asking (needed where there is no terminal to ask at).
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct GcArgs {
    /// The pipeline file.
    #[arg(short = 'f', long = "file", default_value = "pipeline.yaml")]
    pub file: PathBuf,
    /// List what would be destroyed, destroy nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Destroy without asking (needed where there is no terminal to ask at, e.g. a nightly job).
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The pipeline file whose running `gen dev` to ask (its `.gen/dev.json`).
    #[arg(short = 'f', long = "file", default_value = "pipeline.yaml")]
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct SendArgs {
    /// The pipeline file whose running `gen dev` to send to (its `.gen/dev.json`).
    #[arg(short = 'f', long = "file", default_value = "pipeline.yaml")]
    pub file: PathBuf,
    /// How many orders or requests [default: 100 orders to a queue; each request once to an API].
    /// With `--duration`, the orders or requests are sent over and over, as many as it takes.
    #[arg(long)]
    pub count: Option<usize>,
    /// Messages or requests per second (default: as fast as possible).
    #[arg(long)]
    pub rate: Option<f64>,
    /// Send for this long (e.g. `30s`) instead of `--count` orders once.
    #[arg(long, value_parser = duration)]
    pub duration: Option<std::time::Duration>,
    /// Share of poison orders (0–1).
    #[arg(long, default_value_t = 0.05, value_parser = rate)]
    pub poison_rate: f64,
    /// Share of orders sent twice (0–1).
    #[arg(long, default_value_t = 0.10, value_parser = rate)]
    pub duplicate_rate: f64,
    /// The queue to send to (default: the order processor's trigger queue). A pipeline with an
    /// API gets HTTP requests instead, unless this names a queue.
    #[arg(long, conflicts_with_all = ["route", "request", "api"])]
    pub queue: Option<String>,
    /// The API route to send requests to: a route key of pipeline.yaml (`POST /orders`) or a
    /// request it serves (`GET /orders/42`) [default: the pipeline's only route, else its
    /// `order_ingest` function's].
    #[arg(long)]
    pub route: Option<String>,
    /// The API whose route to send to, when several serve it [default: the one that does].
    #[arg(long)]
    pub api: Option<String>,
    /// A request body (a JSON file) to send; repeat for several, sent in turn [default: every
    /// `requests/*.json` beside the pipeline file].
    #[arg(long, value_name = "FILE")]
    pub request: Vec<PathBuf>,
    /// Requests in flight at once, each on its own kept-alive connection.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub connections: u16,
}

#[derive(Debug, Args)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "clap flags: each is a switch of its own"
)]
pub struct DevArgs {
    /// The pipeline file.
    #[arg(short = 'f', long = "file", default_value = "pipeline.yaml")]
    pub file: PathBuf,
    /// Where the handler crates are generated, as `gen synth` does [default: `generated/`
    /// beside the pipeline file].
    #[arg(long)]
    pub out_dir: Option<PathBuf>,
    /// Engine port on 127.0.0.1 (SQS, S3, DynamoDB and SES); 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Send sample orders (and poison, duplicate and repairable ones), wait for the pipeline to
    /// drain, print the ledger and exit: 0 only if every order is accounted for.
    #[arg(long)]
    pub demo: bool,
    /// With `--demo`, also stream the functions' logs: set from the global `--verbose`.
    #[arg(skip)]
    pub verbose: bool,
    /// Seconds `--demo` waits for the pipeline to drain.
    #[arg(long, default_value_t = 120)]
    pub timeout: u64,
    /// Keep pipeline.yaml's durations. By default one factor divides every timeout, window and
    /// delay (the longest visibility timeout becomes about 5s), so retries, redrives and requeues
    /// happen in seconds and every inequality between them still holds.
    #[arg(long, conflicts_with = "time_scale")]
    pub real_time: bool,
    /// Divide every duration of the pipeline by N instead of the derived factor.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub time_scale: Option<u32>,
    /// Build and run release builds of the handlers (for load tests).
    #[arg(long)]
    pub release: bool,
    /// Rebuild and restart the functions whose code or settings change: a handler crate's
    /// files, its generated glue, or pipeline.yaml (re-synthesized on each edit). The engine and
    /// its queues keep running; a build that fails leaves the function on its previous build.
    #[arg(long, conflicts_with = "demo")]
    pub watch: bool,
    /// With `--demo`: send this many generated orders instead of the seed's samples.
    #[arg(long, value_name = "N")]
    pub orders: Option<usize>,
    /// With `--orders`: share of poison orders (0–1).
    #[arg(long, default_value_t = 0.05, value_parser = rate)]
    pub poison_rate: f64,
    /// With `--orders`: share of orders sent twice (0–1).
    #[arg(long, default_value_t = 0.10, value_parser = rate)]
    pub duplicate_rate: f64,
    /// Fault: share of object-store calls that fail with 503 `SlowDown` (0–1).
    #[arg(long, default_value_t = 0.0, value_parser = rate)]
    pub store_failure_rate: f64,
    /// Fault: the object store is down for a window after start-up, e.g. `3s:5s` (from 3s, for 5s).
    #[arg(long, value_name = "START:LENGTH", value_parser = outage)]
    pub store_outage: Option<OutageWindow>,
    /// Fault: share of queue message calls (send, receive, delete, change visibility) that fail
    /// with `ThrottlingException` (0–1).
    #[arg(long, default_value_t = 0.0, value_parser = rate)]
    pub queue_failure_rate: f64,
    /// Fault: the queues are down (message calls answer 503 `ServiceUnavailable`) for a window
    /// after start-up, e.g. `2s:4s` (from 2s, for 4s).
    #[arg(long, value_name = "START:LENGTH", value_parser = outage)]
    pub queue_outage: Option<OutageWindow>,
    /// Fault: milliseconds added to every queue message call.
    #[arg(long, default_value_t = 0)]
    pub queue_latency_ms: u64,
    /// Fault: share of DynamoDB item calls that fail as throttled or unavailable (0–1).
    #[arg(long, default_value_t = 0.0, value_parser = rate)]
    pub table_failure_rate: f64,
    /// Fault: DynamoDB is down for a window after start-up, e.g. `1s:3s` (from 1s, for 3s).
    #[arg(long, value_name = "START:LENGTH", value_parser = outage)]
    pub table_outage: Option<OutageWindow>,
    /// Fault: share of invocations whose process is killed mid-batch (0–1).
    #[arg(long, default_value_t = 0.0, value_parser = rate)]
    pub crash_rate: f64,
    /// Fault: milliseconds added to every object-store call.
    #[arg(long, default_value_t = 0)]
    pub store_latency_ms: u64,
    /// The account's Lambda concurrency: at most N invocations at once across every function, as
    /// AWS throttles past the account's limit (the API answers `500` as API Gateway does for a
    /// throttled function; event source mappings back off and retry, losing no record).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub account_concurrency: Option<u32>,
    /// Keep the buckets' objects, the queues' messages and the tables' items in this folder, so
    /// they survive a restart of `gen dev`: each object is a file at `DIR/<bucket>/<key>`, the engine's records
    /// are under `DIR/.engine/` (saved each second and on Ctrl-C).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Function logs: `pretty` (time, function, level, message, key fields; EMF metric lines
    /// folded away) or `json` (the lines as the functions write them).
    #[arg(long, value_enum, default_value_t = LogFormat::Pretty)]
    pub log_format: LogFormat,
    /// Show only some function log lines: `function=NAME`, `level=LEVEL` (that level and above),
    /// `order=ORDER_ID`, comma-separated; e.g. `function=task,level=warn`.
    #[arg(long, value_name = "FILTER")]
    pub log_filter: Option<crate::local::logs::LogFilter>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// When the object store is down, relative to start-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutageWindow {
    pub start: std::time::Duration,
    pub length: std::time::Duration,
}

fn rate(text: &str) -> Result<f64, String> {
    text.parse::<f64>()
        .ok()
        .filter(|value| (0.0..=1.0).contains(value))
        .ok_or_else(|| format!("`{text}` is not a share from 0 to 1, e.g. `0.05`"))
}

fn duration(text: &str) -> Result<std::time::Duration, String> {
    text.parse::<crate::config::values::Duration>()
        .map(|d| std::time::Duration::from_secs(d.as_secs()))
        .map_err(|e| e.to_string())
}

fn outage(text: &str) -> Result<OutageWindow, String> {
    let parse = |part: &str| {
        part.parse::<crate::config::values::Duration>()
            .map(|d| std::time::Duration::from_secs(d.as_secs()))
    };
    let (start, length) = text
        .split_once(':')
        .ok_or_else(|| format!("`{text}` is not START:LENGTH, e.g. `3s:5s`"))?;
    Ok(OutageWindow {
        start: parse(start).map_err(|e| e.to_string())?,
        length: parse(length).map_err(|e| e.to_string())?,
    })
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The pipeline file.
    #[arg(short = 'f', long = "file", default_value = "pipeline.yaml")]
    pub file: PathBuf,
    /// The git ref to compare with (a commit, branch or tag).
    #[arg(long, default_value = "HEAD", conflicts_with = "deployed")]
    pub against: String,
    /// Compare with what is deployed to `--stage` instead (needs AWS credentials).
    #[arg(long)]
    pub deployed: bool,
    /// The stage `--deployed` compares with.
    #[arg(long, default_value = "dev", requires = "deployed")]
    pub stage: String,
    /// `text` for terminals, `markdown` for a PR comment, `json` (versioned shape) for tools.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    /// The pipeline file.
    #[arg(short = 'f', long = "file", default_value = "pipeline.yaml")]
    pub file: PathBuf,
    /// `mermaid` (for Markdown, GitHub renders it), `svg` (laid out by `gen` itself), `dot`
    /// (for graphviz).
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    pub format: GraphFormat,
    /// Write to this file instead of stdout.
    #[arg(short = 'o', long = "output-file")]
    pub output_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Mermaid,
    Svg,
    Dot,
}

#[derive(Debug, Args)]
pub struct CostArgs {
    /// The pipeline file.
    #[arg(short = 'f', long = "file", default_value = "pipeline.yaml")]
    pub file: PathBuf,
    /// Orders a month (default: pipeline.yaml's `cost.orders_per_month`, else 1000000).
    #[arg(long)]
    pub orders_per_month: Option<u64>,
    /// Share of messages that fail every receive and end in a dead-letter queue (0–1).
    #[arg(long, default_value = "0.01", value_parser = share)]
    pub failure_rate: rust_decimal::Decimal,
    /// Billed milliseconds per invocation (one batch).
    #[arg(long, default_value_t = 200)]
    pub batch_duration_ms: u64,
    /// A price table (JSON, the shape of `generator/src/cost/prices.json`) instead of the
    /// embedded one: other regions, negotiated rates.
    #[arg(long)]
    pub prices: Option<PathBuf>,
    /// Subtract the always-free monthly allowances (off by default: an account shares them).
    #[arg(long)]
    pub free_tier: bool,
    /// Take each function's billed duration per batch (the median) and its log line sizes
    /// from the last `gen dev` run of this pipeline (`.gen/measured.json` beside it).
    #[arg(long)]
    pub measured: bool,
}

fn share(text: &str) -> Result<rust_decimal::Decimal, String> {
    text.parse::<rust_decimal::Decimal>()
        .ok()
        .filter(|value| (rust_decimal::Decimal::ZERO..=rust_decimal::Decimal::ONE).contains(value))
        .ok_or_else(|| format!("`{text}` is not a share from 0 to 1, e.g. `0.01`"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    Markdown,
    Json,
}

#[derive(Debug, Args)]
pub struct SynthArgs {
    /// The pipeline file.
    #[arg(short = 'f', long = "file", default_value = "pipeline.yaml")]
    pub file: PathBuf,
    /// Default of the template's `Stage` parameter (physical names get `-<stage>`).
    #[arg(long, default_value = "dev")]
    pub stage: String,
    /// Where to write [default: `generated/` beside the pipeline file].
    #[arg(long)]
    pub out_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The pipeline file.
    #[arg(short = 'f', long = "file", default_value = "pipeline.yaml")]
    pub file: PathBuf,
    /// The generated folder to check [default: `generated/` beside the pipeline file].
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The pipeline file.
    #[arg(short = 'f', long = "file", default_value = "pipeline.yaml")]
    pub file: PathBuf,
    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// `json`: the JSON Schema; `markdown`: the pipeline.yaml reference rendered from it.
    #[arg(long, value_enum, default_value_t = SchemaFormat::Json)]
    pub format: SchemaFormat,
    /// Fail (exit 1) if the committed copy (or FILE) differs, instead of printing.
    #[arg(long, value_name = "FILE", num_args = 0..=1, )]
    pub check: Option<Option<PathBuf>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaFormat {
    Json,
    Markdown,
}

impl SchemaFormat {
    /// Where the committed copy lives.
    pub fn committed_path(self) -> &'static str {
        match self {
            SchemaFormat::Json => "generated/pipeline.schema.json",
            SchemaFormat::Markdown => "generated/pipeline.reference.md",
        }
    }
}

#[derive(Debug, Args)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent command-line switches"
)]
pub struct DeployArgs {
    /// The pipeline file.
    #[arg(short = 'f', long = "file", default_value = "pipeline.yaml")]
    pub file: PathBuf,
    /// The stage: a name, or `auto` for the sanitised git branch.
    #[arg(long, default_value = "dev")]
    pub stage: String,
    /// Make the stage ephemeral: it expires after this long (`3d`, `12h`) and `gen gc` removes it.
    #[arg(long, value_name = "DURATION")]
    pub ttl: Option<crate::config::values::Duration>,
    /// Apply without asking.
    #[arg(long)]
    pub yes: bool,
    /// Protect the stage: tag `protected=true` and CloudFormation termination protection;
    /// `gen destroy` then needs `--force` and `gen gc` never removes it. Protection stays on
    /// every later deploy until `--unprotect`.
    #[arg(long, conflicts_with = "unprotect")]
    pub protected: bool,
    /// Remove the stage's protection (the only way to).
    #[arg(long)]
    pub unprotect: bool,
    /// Update the stage even when its stack's tags say it belongs to another pipeline or branch.
    #[arg(long)]
    pub force: bool,
    /// Use binaries already built into DIR (`lambda-<function>` each) instead of running
    /// `cargo lambda build`.
    #[arg(long, value_name = "DIR")]
    pub binaries: Option<PathBuf>,
    /// Bucket for the code zips (created when missing); by default the bucket of the assets
    /// stack, which `gen bootstrap` creates (or the first deploy).
    #[arg(long)]
    pub assets_bucket: Option<String>,
    /// Deploy the queue triggers disabled (for emulators that cannot invoke functions).
    #[arg(long)]
    pub disable_triggers: bool,
}
