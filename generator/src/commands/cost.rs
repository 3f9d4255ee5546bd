//! `gen cost`: the monthly cost of the pipeline at a volume, per service and resource, with the
//! assumption beside each line; exit 0 priced, 1 invalid pipeline, 2 no prices or unreadable file.
//! `--measured` takes durations and log sizes from a `gen dev` run; `--region` prices another
//! region than the pipeline's.

use crate::cli::{CostArgs, GlobalArgs};
use crate::commands::{CommandError, ExitStatus, load_pipeline, read_limited};
use crate::cost::{self, Assumptions, Measured, PriceTable};
use crate::local::logs::DevMeasurements;
use crate::printer::Printer;
use crate::workspace::PipelineDirs;

/// The volume when neither `--orders-per-month` nor pipeline.yaml's `cost` says.
pub const DEFAULT_ORDERS_PER_MONTH: u64 = 1_000_000;

pub fn run(
    args: &CostArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> Result<ExitStatus, CommandError> {
    let Some(pipeline) = load_pipeline(&args.file, printer)? else {
        return Ok(ExitStatus::Failure);
    };
    let table = match &args.prices {
        None => PriceTable::embedded(),
        Some(path) => {
            let bytes = read_limited(path)?;
            PriceTable::parse(&String::from_utf8_lossy(&bytes)).map_err(|source| {
                CommandError::Prices {
                    path: path.clone(),
                    source,
                }
            })?
        }
    };
    let CostArgs {
        file: _,
        orders_per_month,
        failure_rate,
        batch_duration_ms,
        prices: _,
        free_tier,
        measured,
    } = args;
    let mut assumptions = Assumptions::at(
        orders_per_month
            .or(pipeline.cost_orders_per_month)
            .unwrap_or(DEFAULT_ORDERS_PER_MONTH),
    );
    assumptions.failure_rate = *failure_rate;
    assumptions.batch_duration_ms = *batch_duration_ms;
    assumptions.free_tier = *free_tier;
    assumptions.region.clone_from(&global.region);
    if *measured {
        let path = DevMeasurements::path(&PipelineDirs::of(&args.file, None));
        let run = DevMeasurements::read(&path)?;
        assumptions.measured = Some(Measured::from_run(&path.display().to_string(), &run));
    }
    printer.report(&cost::estimate(&pipeline, &assumptions, &table)?);
    Ok(ExitStatus::Success)
}
