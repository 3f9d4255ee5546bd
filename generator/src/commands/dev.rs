//! `gen dev`: builds the handler crates, starts the embedded engine and every function, and
//! streams their logs; `--demo` sends sample orders, waits for the pipeline to drain and prints
//! the ledger (exit 0 only if every order is accounted for); `--watch` rebuilds and restarts the
//! functions whose code or settings change, while the engine and its queues keep running.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use crate::cli::{DevArgs, LogFormat};
use crate::commands::{CommandError, ExitStatus, load_pipeline};
use crate::config::naming::crate_name;
use crate::generate::generated_files;
use crate::local::logs::{DevMeasurements, LogSink, MetricTally, Style, measure};
use crate::local::state::DevState;
use crate::local::time_scale::TimeScale;
use crate::local::{dashboard, demo, dev, watch};
use crate::printer::Printer;
use crate::synth::{SynthOptions, synthesize};
use crate::workspace::{PipelineDirs, Workspace};

pub fn run(args: &DevArgs, printer: &Printer) -> Result<ExitStatus, CommandError> {
    let Some(pipeline) = load_pipeline(&args.file, printer)? else {
        return Ok(ExitStatus::Failure);
    };
    let options = SynthOptions::default();
    let (template, files) = match (
        synthesize(&pipeline, &options),
        generated_files(&pipeline, &options),
    ) {
        (Ok(template), Ok(files)) => (template, files),
        (Err(error), _) => return fail(printer, &error.to_string()),
        (_, Err(error)) => return fail(printer, &error.to_string()),
    };
    // The crates must match pipeline.yaml before they are built: write what synth writes,
    // beside this pipeline file (never into another pipeline's folder).
    let dirs = PipelineDirs::of(&args.file, args.out_dir.as_deref());
    super::synth::write_files(&dirs.generated, &files)?;
    let binaries = match build_handlers(&pipeline, &dirs, args.release, printer) {
        Ok(binaries) => binaries,
        Err(message) => return fail(printer, &message),
    };
    let options = dev_options(args, &pipeline, &dirs, binaries);
    printer.note(&format!("{}\n", options.time));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|source| CommandError::Write {
            path: PathBuf::from("<tokio runtime>"),
            source,
        })?;
    runtime.block_on(async {
        let (logs, lines) = mpsc::unbounded_channel::<String>();
        let sink = log_sink(args, &pipeline, printer);
        let tally = Arc::clone(&sink.tally);
        let measured = Arc::clone(&sink.measured);
        let recent = Arc::new(dashboard::RecentLogs::default());
        let lines = dashboard::tap(lines, Arc::clone(&recent));
        tokio::spawn(sink.forward(lines, printer.clone()));
        let running = match dev::start(&pipeline, &template, &options, logs).await {
            Ok(running) => running,
            Err(error) => return fail(printer, &error.to_string()),
        };
        announce(&running, &pipeline, printer);
        let faults = options.faults != dev::Faults::default();
        let samples_timeout = Duration::from_secs(args.timeout);
        if args.demo && demo::requests::applies(&pipeline, &dirs.root) {
            let ledger =
                demo::requests::run(&running, &pipeline, &dirs.root, samples_timeout).await;
            return sample_demo(printer, ledger, demo::requests::RequestLedger::complete);
        }
        if args.demo && demo::messages::applies(&pipeline, &dirs.root) {
            let ledger =
                demo::messages::run(&running, &pipeline, &dirs.root, samples_timeout).await;
            return sample_demo(printer, ledger, demo::messages::MessageLedger::complete);
        }
        if args.demo {
            let workload = match args.orders {
                Some(orders) => demo::Workload::Generated {
                    orders,
                    poison_rate: args.poison_rate,
                    duplicate_rate: args.duplicate_rate,
                },
                None => demo::Workload::Seed,
            };
            let mut ledger = match demo::run(
                &running,
                &pipeline,
                workload,
                Duration::from_secs(args.timeout),
                faults,
            )
            .await
            {
                Ok(ledger) => ledger,
                Err(message) => return fail(printer, &message),
            };
            if let Ok(tally) = tally.lock() {
                ledger.metrics.clone_from(&tally.totals);
            }
            keep_measurements(&measured, &dirs, args.release, faults, printer);
            return Ok(print_ledger(printer, &ledger, ledger.complete()));
        }
        for (name, url) in &running.queue_urls {
            printer.note(&format!("queue {name}: {url}\n"));
        }
        let dashboard = serve_dashboard(&running, &pipeline, &measured, recent, printer).await;
        write_state(&running, &pipeline, &dirs, dashboard.as_ref(), printer);
        publish_figures(&running, &tally, &dirs);
        let saved = until_stopped(args, &dirs, printer, running, &pipeline, &template).await;
        keep_measurements(&measured, &dirs, args.release, faults, printer);
        stopped(&tally, &dirs, printer);
        Ok(if saved {
            ExitStatus::Success
        } else {
            ExitStatus::Failure
        })
    })
}

/// Where the engine and the APIs listen.
fn announce(running: &dev::Dev, pipeline: &crate::config::Pipeline, printer: &Printer) {
    printer.note(&format!(
        "engine on {} ({}); {} functions running\n",
        running.engine.endpoint(),
        running.engine.services(),
        pipeline.functions.len()
    ));
    for (name, api) in &running.apis {
        printer.note(&format!("api {name}: {}\n", api.url()));
    }
}

/// The dashboard of the running pipeline, its URL printed; `None` (with a warning) when it
/// cannot listen.
async fn serve_dashboard(
    running: &dev::Dev,
    pipeline: &crate::config::Pipeline,
    measured: &Arc<Mutex<DevMeasurements>>,
    recent: Arc<dashboard::RecentLogs>,
    printer: &Printer,
) -> Option<dashboard::Dashboard> {
    match dashboard::start(running, pipeline, Arc::clone(measured), recent).await {
        Ok(dashboard) => {
            printer.note(&format!("dashboard: {}\n", dashboard.url()));
            Some(dashboard)
        }
        Err(error) => {
            printer.note(&format!(
                "warning: no dashboard, cannot listen on loopback: {error}\n"
            ));
            None
        }
    }
}

/// After Ctrl-C: the EMF figures summed, and the state files that point at the engine gone.
fn stopped(tally: &Mutex<MetricTally>, dirs: &PipelineDirs, printer: &Printer) {
    if let Ok(tally) = tally.lock()
        && tally.lines > 0
    {
        printer.note(&format!("{tally}\n"));
    }
    let _ = std::fs::remove_file(DevState::path(dirs));
    let _ = std::fs::remove_file(DevState::metrics_path(dirs));
    let _ = std::fs::remove_file(DevState::rules_path(dirs));
}

/// Runs until Ctrl-C; with `--watch`, rebuilding and restarting what changes meanwhile. `false`
/// when the data folder could not be saved at the end.
async fn until_stopped(
    args: &DevArgs,
    dirs: &PipelineDirs,
    printer: &Printer,
    mut running: dev::Dev,
    pipeline: &crate::config::Pipeline,
    template: &crate::synth::Template,
) -> bool {
    if args.watch {
        printer.note("watching pipeline.yaml and the functions' crates; press Ctrl-C to stop\n");
        let watching = Watch {
            args,
            dirs,
            printer,
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = watching.run(&mut running, pipeline.clone(), template.clone()) => {}
        }
    } else {
        printer.note("press Ctrl-C to stop\n");
        let _ = tokio::signal::ctrl_c().await;
    }
    close_engine(args, printer, &mut running).await
}

/// Stops the engine; with `--data-dir`, after a last save of everything it acknowledged.
/// `false` when that save failed.
async fn close_engine(args: &DevArgs, printer: &Printer, running: &mut dev::Dev) -> bool {
    match (running.engine.close().await, &args.data_dir) {
        (Ok(()), Some(folder)) => {
            printer.note(&format!(
                "objects and queues saved in `{}`\n",
                folder.display()
            ));
        }
        (Ok(()), None) => {}
        (Err(error), _) => {
            printer.note(&format!("error: {error}\n"));
            return false;
        }
    }
    true
}

/// `gen dev --demo` of an example's sample files (messages of custom handlers, or requests to an
/// HTTP API): the ledger of their run, or why it could not run.
fn sample_demo<T: serde::Serialize + std::fmt::Display>(
    printer: &Printer,
    ledger: Result<T, String>,
    complete: fn(&T) -> bool,
) -> Result<ExitStatus, CommandError> {
    match ledger {
        Ok(ledger) => Ok(print_ledger(printer, &ledger, complete(&ledger))),
        Err(message) => fail(printer, &message),
    }
}

/// Prints a demo's ledger (JSON with `--output json`); success only when `complete`.
fn print_ledger<T: serde::Serialize + std::fmt::Display>(
    printer: &Printer,
    ledger: &T,
    complete: bool,
) -> ExitStatus {
    if printer.json {
        printer.data(&format!(
            "{:#}\n",
            serde_json::to_value(ledger).unwrap_or_default()
        ));
    } else {
        printer.data(&ledger.to_string());
    }
    if complete {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    }
}

#[expect(
    clippy::unnecessary_wraps,
    reason = "every early return of `run` goes through it"
)]
fn fail(printer: &Printer, message: &str) -> Result<ExitStatus, CommandError> {
    printer.note(&format!("error: {message}\n"));
    Ok(ExitStatus::Failure)
}

/// Builds the handler binaries the engine will run, in the workspace that holds this pipeline's
/// crates; returns the folder they are in.
fn build_handlers(
    pipeline: &crate::config::Pipeline,
    dirs: &PipelineDirs,
    release: bool,
    printer: &Printer,
) -> Result<PathBuf, String> {
    let workspace = Workspace::locate(&dirs.root).map_err(|error| error.to_string())?;
    let lambdas = dirs.lambdas();
    let crates: Vec<PathBuf> = pipeline
        .functions
        .keys()
        .map(|name| lambdas.join(name))
        .collect();
    workspace
        .require_members(&lambdas, &crates)
        .map_err(|error| error.to_string())?;
    let packages: Vec<String> = pipeline
        .functions
        .keys()
        .map(|name| crate_name(&pipeline.name, name))
        .collect();
    build_packages(&workspace, dirs, &packages, release, printer)
}

/// `cargo build` of `packages`; the compiler's messages go to stderr as cargo writes them.
fn build_packages(
    workspace: &Workspace,
    dirs: &PipelineDirs,
    packages: &[String],
    release: bool,
    printer: &Printer,
) -> Result<PathBuf, String> {
    printer.note(&format!(
        "building {}{}\n",
        packages.join(", "),
        if release { " (release)" } else { "" }
    ));
    let mut build = Command::new(crate::workspace::cargo());
    build.current_dir(&dirs.root).args(["build", "--quiet"]);
    if release {
        build.arg("--release");
    }
    for package in packages {
        build.args(["-p", package]);
    }
    match build.status() {
        Ok(status) if status.success() => Ok(workspace.binaries(release)),
        Ok(status) => Err(format!("building the handler crates failed ({status})")),
        Err(error) => Err(format!("cannot run cargo: {error}")),
    }
}

/// `gen dev --watch`: polls pipeline.yaml and each function's crates; re-synthesizes on a
/// pipeline.yaml edit; rebuilds the functions whose files or settings changed and restarts
/// only those. A failed build leaves them running their previous build.
struct Watch<'a> {
    args: &'a DevArgs,
    dirs: &'a PipelineDirs,
    printer: &'a Printer,
}

impl Watch<'_> {
    async fn run(
        &self,
        running: &mut dev::Dev,
        mut pipeline: crate::config::Pipeline,
        mut template: crate::synth::Template,
    ) {
        let lambdas = self.dirs.lambdas();
        let file = vec![self.args.file.clone()];
        let mut seen_file = watch::stamps(&file);
        let mut seen = watch::function_stamps(&pipeline, &self.dirs.root, &lambdas);
        // Functions changed since they last started: kept after a failed build, so a fix of
        // one function's code also applies a settings change of another.
        let mut pending = BTreeSet::new();
        loop {
            tokio::time::sleep(watch::POLL).await;
            let now_file = watch::stamps(&file);
            let mut changed = BTreeSet::new();
            if now_file != seen_file {
                seen_file = now_file;
                let Some((new_pipeline, new_template)) = self.resynth() else {
                    continue;
                };
                pipeline = new_pipeline;
                template = new_template;
                for name in running.functions() {
                    if !pipeline.functions.contains_key(&name) {
                        running.stop(&name).await;
                        self.printer.note(&format!(
                            "stopped `{name}`: pipeline.yaml no longer has it\n"
                        ));
                    }
                }
                for name in pipeline.functions.keys() {
                    let new = running.spec(&pipeline, &template, name);
                    let same = match (&new, running.running(name)) {
                        (Some(new), Some(old)) => new.same_as(old),
                        _ => false,
                    };
                    if !same {
                        changed.insert(name.clone());
                    }
                }
            }
            let now = watch::function_stamps(&pipeline, &self.dirs.root, &lambdas);
            changed.extend(
                now.iter()
                    .filter(|(name, stamps)| seen.get(*name) != Some(*stamps))
                    .map(|(name, _)| name.clone()),
            );
            seen = now;
            if changed.is_empty() {
                continue;
            }
            pending.extend(changed);
            let started = Instant::now();
            if let Some(restarted) = self.rebuild(running, &pipeline, &template, &pending).await {
                pending.clear();
                if restarted.is_empty() {
                    continue;
                }
                self.printer.note(&format!(
                    "restarted {} with the new build ({} ms after the change was seen)\n",
                    restarted.join(", "),
                    started.elapsed().as_millis()
                ));
            }
        }
    }

    /// pipeline.yaml again: its diagnostics, the template, and the glue written as `gen synth`
    /// writes it; `None` (with the reason shown) keeps everything as it runs.
    fn resynth(&self) -> Option<(crate::config::Pipeline, crate::synth::Template)> {
        let keep = "; the functions keep running as they were\n";
        let pipeline = match load_pipeline(&self.args.file, self.printer) {
            Ok(Some(pipeline)) => pipeline,
            Ok(None) => {
                self.printer
                    .note(&format!("pipeline.yaml has errors (above){keep}"));
                return None;
            }
            Err(error) => {
                self.printer.note(&format!("error: {error}{keep}"));
                return None;
            }
        };
        let options = SynthOptions::default();
        let (template, files) = match (
            synthesize(&pipeline, &options),
            generated_files(&pipeline, &options),
        ) {
            (Ok(template), Ok(files)) => (template, files),
            (Err(error), _) => {
                self.printer.note(&format!("error: {error}{keep}"));
                return None;
            }
            (_, Err(error)) => {
                self.printer.note(&format!("error: {error}{keep}"));
                return None;
            }
        };
        if let Err(error) = super::synth::write_files(&self.dirs.generated, &files) {
            self.printer.note(&format!("error: {error}{keep}"));
            return None;
        }
        Some((pipeline, template))
    }

    /// Builds the functions in `names` and restarts them; returns the ones restarted. A build
    /// that fails restarts none.
    async fn rebuild(
        &self,
        running: &mut dev::Dev,
        pipeline: &crate::config::Pipeline,
        template: &crate::synth::Template,
        names: &BTreeSet<String>,
    ) -> Option<Vec<String>> {
        let names: Vec<&String> = names
            .iter()
            .filter(|name| pipeline.functions.contains_key(*name))
            .collect();
        let packages: Vec<String> = names
            .iter()
            .map(|name| crate_name(&pipeline.name, name))
            .collect();
        let workspace = match Workspace::locate(&self.dirs.root) {
            Ok(workspace) => workspace,
            Err(error) => {
                self.printer.note(&format!("error: {error}\n"));
                return None;
            }
        };
        let (dirs, printer, release) = (self.dirs.clone(), self.printer.clone(), self.args.release);
        let built = tokio::task::spawn_blocking(move || {
            build_packages(&workspace, &dirs, &packages, release, &printer)
        })
        .await
        .unwrap_or_else(|error| Err(error.to_string()));
        let listed = names
            .iter()
            .map(|name| format!("`{name}`"))
            .collect::<Vec<_>>()
            .join(", ");
        if let Err(message) = built {
            self.printer.note(&format!(
                "error: {message}: {listed} keep running their previous build\n"
            ));
            return None;
        }
        let mut restarted = Vec::new();
        for name in names {
            let Some(spec) = running.spec(pipeline, template, name) else {
                self.printer.note(&format!(
                    "`{name}` reads a queue added since `gen dev` started: restart `gen dev` to run it\n"
                ));
                continue;
            };
            match running.restart(spec).await {
                Ok(()) => restarted.push(format!("`{name}`")),
                Err(error) => self.printer.note(&format!("error: {error}\n")),
            }
        }
        Some(restarted)
    }
}

/// How function logs are shown, from the flags.
fn log_sink(args: &DevArgs, pipeline: &crate::config::Pipeline, printer: &Printer) -> LogSink {
    LogSink {
        style: match args.log_format {
            LogFormat::Json => Style::Raw,
            LogFormat::Pretty => Style::Pretty {
                color: printer.color,
                function_width: pipeline
                    .functions
                    .keys()
                    .map(String::len)
                    .max()
                    .unwrap_or(0),
            },
        },
        filter: args.log_filter.clone().unwrap_or_default(),
        quiet: args.demo && !args.verbose,
        tally: Arc::default(),
        measured: Arc::default(),
    }
}

/// Keeps what the run measured (each function's billed durations and log line sizes) in
/// `.gen/measured.json`, for `gen cost --measured`; nothing when no function was invoked.
fn keep_measurements(
    measured: &Mutex<DevMeasurements>,
    dirs: &PipelineDirs,
    release: bool,
    faults: bool,
    printer: &Printer,
) {
    let Ok(measured) = measured.lock() else {
        return;
    };
    let invocations: usize = measured
        .functions
        .values()
        .map(|samples| samples.billed_ms.len())
        .sum();
    if invocations == 0 {
        return;
    }
    let run = DevMeasurements {
        schema_version: measure::SCHEMA_VERSION,
        recorded_at: runtime::telemetry::now_rfc3339(),
        release,
        faults,
        functions: measured.functions.clone(),
    };
    match run.write(dirs) {
        Ok(path) => printer.note(&format!(
            "durations of {invocations} invocations kept in {} for `gen cost --measured`\n",
            path.display()
        )),
        Err(error) => printer.note(&format!(
            "warning: cannot write {}: {error}\n",
            DevMeasurements::path(dirs).display()
        )),
    }
}

/// Keeps the functions' summed EMF figures in `.gen/metrics.json` for `gen status`: written
/// each second in which they changed.
async fn publish_metrics(tally: Arc<std::sync::Mutex<MetricTally>>, path: PathBuf) {
    let mut written = None;
    loop {
        let totals = tally.lock().map(|tally| tally.totals.clone()).ok();
        if totals.is_some() && totals != written {
            let json = serde_json::to_string_pretty(&totals).unwrap_or_default();
            if std::fs::write(&path, json).is_ok() {
                written = totals;
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Keeps the figures `gen status` shows current while `gen dev` runs: the functions' EMF
/// totals, and each event rule's counters when the pipeline has buses.
fn publish_figures(running: &dev::Dev, tally: &Arc<Mutex<MetricTally>>, dirs: &PipelineDirs) {
    tokio::spawn(publish_metrics(
        Arc::clone(tally),
        DevState::metrics_path(dirs),
    ));
    if !running.buses.is_empty() {
        tokio::spawn(publish_rules(
            running.engine.eventbridge().clone(),
            running.buses.clone(),
            DevState::rules_path(dirs),
        ));
    }
}

/// Keeps each event rule's figures (matched, delivered, failed) in `.gen/rules.json` for
/// `gen status`: written each second in which they changed.
async fn publish_rules(
    eventbridge: engine::eventbridge::EventBridge,
    buses: std::collections::BTreeMap<String, String>,
    path: PathBuf,
) {
    let mut written = None;
    loop {
        let figures = dev::rule_figures(&eventbridge, &buses);
        if written.as_ref() != Some(&figures) {
            let json = serde_json::to_string_pretty(&figures).unwrap_or_default();
            if std::fs::write(&path, json).is_ok() {
                written = Some(figures);
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// The engine's settings from the flags.
fn dev_options(
    args: &DevArgs,
    pipeline: &crate::config::Pipeline,
    dirs: &PipelineDirs,
    binaries: PathBuf,
) -> dev::DevOptions {
    let time = match (args.real_time, args.time_scale) {
        (true, _) => TimeScale::REAL,
        (false, Some(factor)) => TimeScale::new(factor),
        (false, None) => TimeScale::for_pipeline(pipeline),
    };
    dev::DevOptions {
        port: args.port,
        binaries,
        time,
        faults: dev::Faults {
            store_failure_rate: args.store_failure_rate,
            store_outage: args
                .store_outage
                .map(|window| (window.start, window.length)),
            crash_rate: args.crash_rate,
            store_latency: Duration::from_millis(args.store_latency_ms),
            table_failure_rate: args.table_failure_rate,
            table_outage: args
                .table_outage
                .map(|window| (window.start, window.length)),
            queue_failure_rate: args.queue_failure_rate,
            queue_outage: args
                .queue_outage
                .map(|window| (window.start, window.length)),
            queue_latency: Duration::from_millis(args.queue_latency_ms),
        },
        account_concurrency: args.account_concurrency,
        outbox: Some(DevState::outbox_path(dirs)),
        data_dir: args.data_dir.clone(),
    }
}

/// Tells `gen send` and `gen status` where the engine is.
fn write_state(
    running: &dev::Dev,
    pipeline: &crate::config::Pipeline,
    dirs: &PipelineDirs,
    dashboard: Option<&dashboard::Dashboard>,
    printer: &Printer,
) {
    let state = DevState {
        endpoint: running.engine.endpoint(),
        dashboard: dashboard.map(dashboard::Dashboard::url),
        pid: std::process::id(),
        queues: running.queue_urls.clone(),
        buckets: running.buckets.clone(),
        apis: running
            .apis
            .iter()
            .map(|(name, api)| (name.clone(), api.url()))
            .collect(),
        tables: running.tables.clone(),
        buses: running.buses.clone(),
        outbox: running
            .engine
            .outbox()
            .folder()
            .map(|folder| folder.display().to_string()),
        orders_queue: pipeline
            .functions
            .values()
            .find(|f| f.handler == crate::config::model::HandlerKind::OrderProcessor)
            .and_then(|f| f.trigger.queue_name().map(str::to_owned)),
    };
    match state.write(dirs) {
        Ok(path) => printer.note(&format!(
            "`gen send` and `gen status` find the engine through {}\n",
            path.display()
        )),
        Err(error) => printer.note(&format!(
            "warning: cannot write {}: {error}\n",
            DevState::path(dirs).display()
        )),
    }
}
