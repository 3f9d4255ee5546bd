//! `gen bootstrap`: the assets stack (one bucket for code zips and deployed pipeline files),
//! once per account and region. `gen deploy` runs it on first use; this makes it explicit, for
//! accounts where deploys run with narrower rights than set-up.

use crate::aws::stack::Pace;
use crate::aws::{AwsTarget, bootstrap};
use crate::cli::{BootstrapArgs, GlobalArgs};
use crate::commands::deploy::DeployView;
use crate::commands::{CommandError, ExitStatus, load_pipeline, small_runtime};
use crate::printer::Printer;

pub fn run(
    args: &BootstrapArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> Result<ExitStatus, CommandError> {
    if args.show_template {
        printer.data(&bootstrap::template());
        return Ok(ExitStatus::Success);
    }
    let Some(pipeline) = load_pipeline(&args.file, printer)? else {
        return Ok(ExitStatus::Failure);
    };
    let target = AwsTarget::new(global, &pipeline.region);
    let bucket = small_runtime()?.block_on(async {
        let sdk = target.sdk_config().await;
        let client = aws_sdk_cloudformation::Client::new(&sdk);
        let mut view = DeployView::new(printer, bootstrap::STACK);
        bootstrap::bootstrap(&client, &Pace::default(), &mut |step| view.show(step)).await
    });
    match bucket {
        Ok(bucket) => {
            printer.note(&format!(
                "stack `{}` in {}: assets bucket\n",
                bootstrap::STACK,
                target.region
            ));
            printer.data(&format!("{bucket}\n"));
            Ok(ExitStatus::Success)
        }
        Err(error) => {
            printer.note(&format!("error: {error}\n"));
            Ok(ExitStatus::Failure)
        }
    }
}
