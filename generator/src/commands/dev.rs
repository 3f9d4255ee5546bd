//! `gen dev`: builds the handler crates, starts the embedded engine and every function, and
//! streams their logs; `--demo` sends sample orders, waits for the pipeline to drain and prints
//! the ledger (exit 0 only if every order is accounted for).

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::cli::{DevArgs, LogFormat};
use crate::commands::{CommandError, ExitStatus, load_pipeline};
use crate::generate::generated_files;
use crate::local::logs::{LogSink, Style};
use crate::local::{demo, dev};
use crate::printer::Printer;
use crate::synth::{SynthOptions, synthesize};

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
    // The crates must match pipeline.yaml before they are built: write what synth writes.
    super::synth::write_files(&args.out_dir, &files)?;
    if let Err(message) = build_handlers(&pipeline, printer) {
        return fail(printer, &message);
    }
    let options = dev_options(args);
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
        tokio::spawn(sink.forward(lines, printer.clone()));
        let running = match dev::start(&pipeline, &template, &options, logs).await {
            Ok(running) => running,
            Err(error) => return fail(printer, &error.to_string()),
        };
        printer.note(&format!(
            "engine on {} (SQS and S3); {} functions running\n",
            running.engine.endpoint(),
            pipeline.functions.len()
        ));
        if args.demo {
            let workload = match args.orders {
                Some(orders) => demo::Workload::Generated {
                    orders,
                    poison_rate: args.poison_rate,
                    duplicate_rate: args.duplicate_rate,
                },
                None => demo::Workload::Seed,
            };
            let ledger = demo::run(
                &running,
                &pipeline,
                workload,
                Duration::from_secs(args.timeout),
            )
            .await;
            if printer.json {
                printer.data(&format!(
                    "{:#}\n",
                    serde_json::to_value(&ledger).unwrap_or_default()
                ));
            } else {
                printer.data(&ledger.to_string());
            }
            return Ok(if ledger.complete() {
                ExitStatus::Success
            } else {
                ExitStatus::Failure
            });
        }
        for (name, url) in &running.queue_urls {
            printer.note(&format!("queue {name}: {url}\n"));
        }
        write_state(&running, &pipeline, printer);
        printer.note("press Ctrl-C to stop\n");
        let _ = tokio::signal::ctrl_c().await;
        if let Ok(tally) = tally.lock()
            && tally.lines > 0
        {
            printer.note(&format!("{tally}\n"));
        }
        let _ = std::fs::remove_file(crate::local::state::STATE_FILE);
        Ok(ExitStatus::Success)
    })
}

#[expect(
    clippy::unnecessary_wraps,
    reason = "every early return of `run` goes through it"
)]
fn fail(printer: &Printer, message: &str) -> Result<ExitStatus, CommandError> {
    printer.note(&format!("error: {message}\n"));
    Ok(ExitStatus::Failure)
}

/// Builds the handler binaries (debug) the engine will run.
fn build_handlers(pipeline: &crate::config::Pipeline, printer: &Printer) -> Result<(), String> {
    let packages: Vec<String> = pipeline
        .functions
        .keys()
        .map(|name| format!("lambda-{name}"))
        .collect();
    printer.note(&format!("building {}\n", packages.join(", ")));
    let mut build = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    build.args(["build", "--quiet"]);
    for package in &packages {
        build.args(["-p", package]);
    }
    match build.status() {
        Ok(status) if status.success() => {}
        Ok(status) => return Err(format!("building the handler crates failed ({status})")),
        Err(error) => return Err(format!("cannot run cargo: {error}")),
    }
    Ok(())
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
    }
}

/// The engine's settings from the flags.
fn dev_options(args: &DevArgs) -> dev::DevOptions {
    let binaries = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| PathBuf::from("target"), PathBuf::from)
        .join("debug");
    dev::DevOptions {
        port: args.port,
        binaries,
        compress_time: (!args.real_time).then_some(Duration::from_secs(2)),
        faults: dev::Faults {
            store_failure_rate: args.store_failure_rate,
            store_outage: args
                .store_outage
                .map(|window| (window.start, window.length)),
            crash_rate: args.crash_rate,
            store_latency: Duration::from_millis(args.store_latency_ms),
        },
    }
}

/// Tells `gen send` and `gen status` where the engine is.
fn write_state(running: &dev::Dev, pipeline: &crate::config::Pipeline, printer: &Printer) {
    let state = crate::local::state::DevState {
        endpoint: running.engine.endpoint(),
        pid: std::process::id(),
        queues: running.queue_urls.clone(),
        buckets: running.buckets.clone(),
        orders_queue: pipeline
            .functions
            .values()
            .find(|f| f.handler == crate::config::model::HandlerKind::OrderProcessor)
            .map(|f| f.trigger.queue.clone()),
    };
    match state.write(std::path::Path::new(".")) {
        Ok(path) => printer.note(&format!(
            "`gen send` and `gen status` find the engine through {}\n",
            path.display()
        )),
        Err(error) => printer.note(&format!(
            "warning: cannot write {}: {error}\n",
            crate::local::state::STATE_FILE
        )),
    }
}
