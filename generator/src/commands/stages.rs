//! `gen ls`, `gen destroy --stage S`, `gen gc [--dry-run]`: the deployed stages of a pipeline.

use std::fmt::Write as _;
use std::time::SystemTime;

use crate::aws::stages::{self, Stage};
use crate::aws::{AwsTarget, s3_client};
use crate::cli::{DestroyArgs, GcArgs, GlobalArgs, StageFileArgs};
use crate::commands::{CommandError, ExitStatus, load_pipeline, small_runtime};
use crate::printer::Printer;

/// `gen ls`.
pub fn ls(
    args: &StageFileArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> Result<ExitStatus, CommandError> {
    let Some(pipeline) = load_pipeline(&args.file, printer)? else {
        return Ok(ExitStatus::Failure);
    };
    let target = AwsTarget::new(global, &pipeline.region);
    let listed = small_runtime()?.block_on(async {
        let sdk = target.sdk_config().await;
        stages::list(&aws_sdk_cloudformation::Client::new(&sdk), &pipeline.name).await
    });
    let stages = match listed {
        Ok(stages) => stages,
        Err(error) => return fail(printer, &error),
    };
    if printer.json {
        printer.data(&format!(
            "{:#}\n",
            serde_json::to_value(&stages).unwrap_or_default()
        ));
        return Ok(ExitStatus::Success);
    }
    if stages.is_empty() {
        printer.note(&format!(
            "no stage of pipeline `{}` is deployed in `{}` (`--region` looks in another)\n",
            pipeline.name, target.region
        ));
        return Ok(ExitStatus::Success);
    }
    let now = now();
    let mut table = format!(
        "{:<18} {:<22} {:<16} {:<20} {:<22} {:<22}\n",
        "STAGE", "STATUS", "OWNER", "BRANCH", "CREATED", "EXPIRES"
    );
    for stage in &stages {
        let dash = |value: &Option<String>| value.clone().unwrap_or_else(|| "-".to_owned());
        let expiry = match &stage.expires_at {
            Some(at) if stage.expired(now) => format!("{at} (expired)"),
            Some(at) => at.clone(),
            None if stage.protected => "never (protected)".to_owned(),
            None => "never".to_owned(),
        };
        let _ = writeln!(
            table,
            "{:<18} {:<22} {:<16} {:<20} {:<22} {expiry}",
            stage.stage,
            stage.status,
            dash(&stage.owner),
            dash(&stage.branch),
            dash(&stage.created)
        );
    }
    printer.data(&table);
    Ok(ExitStatus::Success)
}

/// `gen destroy --stage S`.
pub fn destroy(
    args: &DestroyArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> Result<ExitStatus, CommandError> {
    let Some(pipeline) = load_pipeline(&args.file, printer)? else {
        return Ok(ExitStatus::Failure);
    };
    let target = AwsTarget::new(global, &pipeline.region);
    let result = small_runtime()?.block_on(async {
        let sdk = target.sdk_config().await;
        let cloudformation = aws_sdk_cloudformation::Client::new(&sdk);
        let stages = stages::list(&cloudformation, &pipeline.name).await?;
        let Some(stage) = stages.into_iter().find(|stage| stage.stage == args.stage) else {
            return Err(stages::StageError::NotFound {
                pipeline: pipeline.name.clone(),
                stage: args.stage.clone(),
            });
        };
        stages::destroy(&cloudformation, &s3_client(&sdk), &stage, args.force).await
    });
    match result {
        Ok(destroyed) => {
            report(printer, &destroyed);
            Ok(ExitStatus::Success)
        }
        Err(error) => fail(printer, &error),
    }
}

/// `gen gc [--dry-run]`.
pub fn gc(
    args: &GcArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> Result<ExitStatus, CommandError> {
    let Some(pipeline) = load_pipeline(&args.file, printer)? else {
        return Ok(ExitStatus::Failure);
    };
    let target = AwsTarget::new(global, &pipeline.region);
    let dry_run = args.dry_run;
    let result = small_runtime()?.block_on(async {
        let sdk = target.sdk_config().await;
        let cloudformation = aws_sdk_cloudformation::Client::new(&sdk);
        let now = now();
        let expired: Vec<Stage> = stages::list(&cloudformation, &pipeline.name)
            .await?
            .into_iter()
            .filter(|stage| stage.expired(now))
            .collect();
        let mut destroyed = Vec::new();
        for stage in &expired {
            if dry_run {
                printer.data(&format!(
                    "would destroy stage `{}` (expired {})\n",
                    stage.stage,
                    stage.expires_at.as_deref().unwrap_or_default()
                ));
            } else {
                // Expiry is the owner's own decision to let it go: protection does not apply.
                destroyed
                    .push(stages::destroy(&cloudformation, &s3_client(&sdk), stage, true).await?);
            }
        }
        Ok::<_, stages::StageError>((expired.len(), destroyed))
    });
    match result {
        Ok((expired, destroyed)) => {
            for item in &destroyed {
                report(printer, item);
            }
            if expired == 0 {
                printer.note(&format!(
                    "no expired stage of pipeline `{}`\n",
                    pipeline.name
                ));
            }
            Ok(ExitStatus::Success)
        }
        Err(error) => fail(printer, &error),
    }
}

fn report(printer: &Printer, destroyed: &stages::Destroyed) {
    let mut text = format!("destroyed stack `{}`", destroyed.stack);
    for (bucket, versions) in &destroyed.buckets {
        let plural = if *versions == 1 { "" } else { "s" };
        let _ = write!(
            text,
            "; bucket `{bucket}` emptied ({versions} object version{plural}) and deleted"
        );
    }
    printer.data(&format!("{text}\n"));
}

fn now() -> aws_sdk_s3::primitives::DateTime {
    aws_sdk_s3::primitives::DateTime::from(SystemTime::now())
}

#[expect(
    clippy::unnecessary_wraps,
    reason = "every failure of these commands returns through it"
)]
fn fail(printer: &Printer, error: &stages::StageError) -> Result<ExitStatus, CommandError> {
    printer.note(&format!("error: {error}\n"));
    Ok(ExitStatus::Failure)
}
