//! `gen doctor`: checks what a deploy needs — the region, credentials and the identity they
//! resolve to, the assets stack, cargo-lambda and zig, the Rust targets — and prints each with
//! pass/fail and the fix. Exits 1 when a check fails.

mod report;
mod tools;

use aws_sdk_cloudformation::types::StackStatus;

use crate::aws::identity::{self, CredentialsFound};
use crate::aws::stack::{self, Pace};
use crate::aws::{AwsProblem, AwsTarget, CallFailed, bootstrap};
use crate::cli::{DoctorArgs, GlobalArgs};
use crate::commands::{CommandError, ExitStatus, load_pipeline, small_runtime};
use crate::config::Pipeline;
use crate::config::model::Architecture;
use crate::printer::Printer;

pub use report::{Check, DoctorReport, Status};

pub fn run(
    args: &DoctorArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> Result<ExitStatus, CommandError> {
    let mut checks = Vec::new();
    let pipeline = if args.file.exists() {
        let pipeline = load_pipeline(&args.file, printer)?;
        checks.push(match &pipeline {
            Some(pipeline) => Check::pass(
                "pipeline",
                format!(
                    "`{}` is valid (pipeline `{}`)",
                    args.file.display(),
                    pipeline.name
                ),
            ),
            None => Check::new(
                "pipeline",
                Status::Fail,
                format!("`{}` is not valid", args.file.display()),
                vec![format!("run `gen validate -f {}`", args.file.display())],
            ),
        });
        pipeline
    } else {
        None
    };
    checks.extend(small_runtime()?.block_on(aws_checks(global, pipeline.as_ref())));
    let architectures: Vec<&str> = match &pipeline {
        Some(pipeline) => pipeline
            .functions
            .values()
            .map(|function| match function.architecture {
                Architecture::Arm64 => "arm64",
                Architecture::X86_64 => "x86_64",
            })
            .collect(),
        None => vec!["arm64", "x86_64"],
    };
    checks.extend(tools::checks(&architectures));
    let report = DoctorReport::new(checks);
    if printer.json {
        printer.data(&format!(
            "{:#}\n",
            serde_json::to_value(&report).expect("a report is plain data")
        ));
    } else {
        printer.data(&report.to_string());
    }
    Ok(if report.ok {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

/// Region, credentials, identity and the assets stack, each depending on the one before.
async fn aws_checks(global: &GlobalArgs, pipeline: Option<&Pipeline>) -> Vec<Check> {
    let mut checks = Vec::new();
    let (region, source) = match (&global.region, pipeline) {
        (Some(region), _) => (Some(region.clone()), "`--region`"),
        (None, Some(pipeline)) => (Some(pipeline.region.clone()), "pipeline.yaml"),
        (None, None) => (
            identity::default_region(global.profile.as_deref()).await,
            "the environment or profile",
        ),
    };
    checks.push(match &region {
        Some(region) => Check::pass("region", format!("`{region}` (from {source})")),
        None => Check::failed_call("region", &CallFailed::new("region", AwsProblem::NoRegion)),
    });
    if let Some(endpoint) = &global.endpoint_url {
        checks.push(Check::pass(
            "endpoint",
            format!("`{endpoint}` (from `--endpoint-url` or `AWS_ENDPOINT_URL`)"),
        ));
    }
    let target = AwsTarget {
        endpoint_url: global.endpoint_url.clone(),
        // Credentials and the identity do not depend on the region; STS answers in any.
        region: region.clone().unwrap_or_else(|| "us-east-1".to_owned()),
        profile: global.profile.clone(),
    };
    let sdk = target.sdk_config().await;
    match identity::credentials(&sdk).await {
        Ok(found) => checks.push(Check::pass("credentials", describe(&found, global))),
        Err(failure) => {
            checks.push(Check::failed_call("credentials", &failure));
            checks.push(Check::skipped("identity", "no credentials"));
            checks.push(Check::skipped("assets stack", "no credentials"));
            return checks;
        }
    }
    match identity::caller_identity(&sdk).await {
        Ok(identity) => checks.push(Check::pass(
            "identity",
            format!("`{}` (account {})", identity.arn, identity.account),
        )),
        Err(failure) => {
            checks.push(Check::failed_call("identity", &failure));
            checks.push(Check::skipped("assets stack", "no identity"));
            return checks;
        }
    }
    checks.push(match region {
        Some(region) => assets_stack(&sdk, &region).await,
        None => Check::skipped("assets stack", "no region"),
    });
    checks
}

fn describe(found: &CredentialsFound, global: &GlobalArgs) -> String {
    let from = global
        .profile
        .as_deref()
        .map(|profile| format!(" from profile `{profile}`"))
        .unwrap_or_default();
    match &found.expires_at {
        Some(at) => format!(
            "access key `{}`{from}, temporary until {at}",
            found.access_key
        ),
        None => format!("access key `{}`{from}", found.access_key),
    }
}

/// The assets stack `gen-bootstrap` in `region`: missing is fine (the first deploy creates it),
/// a failed state is not.
async fn assets_stack(sdk: &aws_config::SdkConfig, region: &str) -> Check {
    const NAME: &str = "assets stack";
    let client = aws_sdk_cloudformation::Client::new(sdk);
    let pace = Pace::default();
    let status = match stack::status(&client, bootstrap::STACK, &pace).await {
        Ok(status) => status,
        Err(failure) => return Check::failed_call(NAME, &failure),
    };
    let stack = bootstrap::STACK;
    match status {
        None => Check::new(
            NAME,
            Status::Warn,
            format!("`{stack}` is not created in `{region}` yet"),
            vec!["run `gen bootstrap`, or let the first `gen deploy` create it".to_owned()],
        ),
        Some(status) if stack::in_progress(&status) => Check::new(
            NAME,
            Status::Warn,
            format!("`{stack}` is {}", status.as_str()),
            vec!["wait for it to settle, then run `gen doctor` again".to_owned()],
        ),
        Some(
            status @ (StackStatus::CreateComplete
            | StackStatus::UpdateComplete
            | StackStatus::UpdateRollbackComplete),
        ) => {
            let bucket = bootstrap::assets_bucket(&client, &pace).await.ok().flatten();
            Check::pass(
                NAME,
                match bucket {
                    Some(bucket) => format!("`{stack}` {} with bucket `{bucket}`", status.as_str()),
                    None => format!("`{stack}` {}", status.as_str()),
                },
            )
        }
        Some(status) => Check::new(
            NAME,
            Status::Fail,
            format!("`{stack}` is in {}", status.as_str()),
            vec!["run `gen bootstrap` again; if it stays there, read its events in the CloudFormation console".to_owned()],
        ),
    }
}
