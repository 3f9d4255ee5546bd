//! `gen diff`: planned changes between pipeline.yaml at a git ref and the working tree — no AWS
//! credentials needed, made for pull-request checks — or, with `--deployed`, between what is
//! deployed to a stage and the working tree. Exit 0 none, 2 changes, 3 destructive, 1 error.

use std::path::Path;
use std::process::Command;

use crate::aws::{AwsTarget, s3_client, stages};
use crate::cli::{DiffArgs, DiffFormat, GlobalArgs};
use crate::commands::{CommandError, ExitStatus, load_pipeline, small_runtime};
use crate::config::{self, Pipeline};
use crate::diff::{self, Plan, Verdict};
use crate::printer::Printer;
use crate::synth::SynthOptions;

pub fn run(
    args: &DiffArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> Result<ExitStatus, CommandError> {
    let Some(plan) = plan(args, global, printer)? else {
        return Ok(ExitStatus::Failure);
    };
    let rendered = match args.format {
        DiffFormat::Text if !printer.json => diff::text(&plan),
        DiffFormat::Markdown => diff::markdown(&plan),
        DiffFormat::Text | DiffFormat::Json => {
            let mut json = serde_json::to_string_pretty(&plan).expect("a plan is plain data");
            json.push('\n');
            json
        }
    };
    printer.data(&rendered);
    Ok(match plan.verdict {
        Verdict::None => ExitStatus::Success,
        Verdict::Changes => ExitStatus::Changes,
        Verdict::Destructive => ExitStatus::Destructive,
    })
}

/// The plan `gen diff` shows; `None` after printing why there is none.
pub fn plan(
    args: &DiffArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> Result<Option<Plan>, CommandError> {
    let Some(new) = load_pipeline(&args.file, printer)? else {
        return Ok(None);
    };
    let planned = if args.deployed {
        against_deployed(&new, args, global, printer)?
    } else {
        against_ref(&new, args, printer)
    };
    Ok(planned
        .inspect_err(|message| printer.note(&format!("error: {message}\n")))
        .ok())
}

/// The plan from pipeline.yaml at `--against` to the working tree.
fn against_ref(new: &Pipeline, args: &DiffArgs, printer: &Printer) -> Result<Plan, String> {
    let old = match file_at_ref(&args.file, &args.against)? {
        Some(bytes) => {
            let shown = format!("{}:{}", args.against, args.file.display());
            let loaded = config::load(&shown, &bytes);
            let Some(old) = loaded.pipeline else {
                printer.note(&loaded.report.render(printer.color));
                return Err(format!(
                    "`{shown}` is not a valid pipeline, so there is nothing to compare with"
                ));
            };
            old
        }
        // Not in that commit yet: everything is new.
        None => empty_like(new),
    };
    diff::plan(&old, new).map_err(|error| error.to_string())
}

/// The plan from what is deployed to `--stage` to the working tree.
fn against_deployed(
    new: &Pipeline,
    args: &DiffArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> Result<Result<Plan, String>, CommandError> {
    let target = AwsTarget::new(global, &new.region);
    let deployed = small_runtime()?.block_on(async {
        let sdk = target.sdk_config().await;
        stages::deployed(
            &aws_sdk_cloudformation::Client::new(&sdk),
            &s3_client(&sdk),
            &new.name,
            &args.stage,
        )
        .await
    });
    let options = SynthOptions {
        stage: args.stage.clone(),
    };
    let planned = match deployed {
        Err(error) => Err(error.to_string()),
        Ok(None) => {
            printer.note(&format!(
                "stage `{}` is not deployed in `{}` (no stack `{}-{}`): everything is new; a stage in another region needs `--region`\n",
                args.stage, target.region, new.name, args.stage
            ));
            diff::plan(&empty_like(new), new).map_err(|error| error.to_string())
        }
        Ok(Some(deployed)) => {
            let shown = format!("deployed:{}", args.stage);
            let old = if let Some(bytes) = deployed.pipeline_file {
                let loaded = config::load(&shown, &bytes);
                if loaded.pipeline.is_none() {
                    printer.note(&loaded.report.render(printer.color));
                    printer.note("the recorded pipeline.yaml no longer loads (written by another version of gen?): showing resource changes only\n");
                }
                loaded.pipeline
            } else {
                printer.note(&format!(
                    "the pipeline.yaml deployed to `{}` is not recorded in its assets bucket: showing resource changes only\n",
                    args.stage
                ));
                None
            };
            diff::plan_against_template(old.as_ref(), &deployed.template, new, &options)
                .map_err(|error| error.to_string())
        }
    };
    Ok(planned)
}

/// The file's bytes at `reference`, `None` if it did not exist there.
fn file_at_ref(file: &Path, reference: &str) -> Result<Option<Vec<u8>>, String> {
    let directory = file
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = file
        .file_name()
        .ok_or_else(|| format!("`{}` is not a file", file.display()))?;
    let prefix = git(directory, &["rev-parse", "--show-prefix"])?;
    let path = format!(
        "{}{}",
        String::from_utf8_lossy(&prefix).trim(),
        name.to_string_lossy()
    );
    git(
        directory,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{reference}^{{commit}}"),
        ],
    )
    .map_err(|_| format!("`{reference}` is not a commit in this repository"))?;
    match git(
        directory,
        &["cat-file", "-e", &format!("{reference}:{path}")],
    ) {
        Ok(_) => git(directory, &["show", &format!("{reference}:{path}")]).map(Some),
        Err(_) => Ok(None),
    }
}

fn git(directory: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(directory)
        .args(args)
        .output()
        .map_err(|error| format!("cannot run git: {error}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// A pipeline with nothing in it, so a first commit diffs as "everything added".
fn empty_like(pipeline: &Pipeline) -> Pipeline {
    Pipeline {
        name: pipeline.name.clone(),
        region: pipeline.region.clone(),
        queues: std::collections::BTreeMap::new(),
        buckets: std::collections::BTreeMap::new(),
        discounts: None,
        functions: std::collections::BTreeMap::new(),
        tags: pipeline.tags.clone(),
        cost_orders_per_month: pipeline.cost_orders_per_month,
        alarm_email: pipeline.alarm_email.clone(),
        apis: std::collections::BTreeMap::new(),
        tables: std::collections::BTreeMap::new(),
        email: None,
        buses: std::collections::BTreeMap::new(),
        dashboard: false,
        request_schemas: std::collections::BTreeMap::new(),
    }
}
