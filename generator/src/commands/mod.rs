//! One module per verb; each exposes `run(args, &Printer) -> Result<ExitStatus, CommandError>`.

pub mod bootstrap;
pub mod check;
pub mod cost;
pub mod deploy;
pub mod dev;
pub mod diff;
pub mod doctor;
pub mod graph;
pub(crate) mod prompt;
pub mod schema;
pub mod send;
pub mod stages;
pub mod status;
pub mod synth;
pub mod validate;

use std::path::PathBuf;

/// How `gen` exits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: done, nothing wrong.
    Success,
    /// 1: the input is invalid, or a check failed.
    Failure,
    /// 2: bad usage or an I/O error.
    Error,
    /// 2 (`gen diff`): changes are planned.
    Changes,
    /// 3 (`gen diff`): planned changes replace or remove resources that hold data.
    Destructive,
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        std::process::ExitCode::from(match status {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Error | ExitStatus::Changes => 2,
            ExitStatus::Destructive => 3,
        })
    }
}

/// A failure outside the user's pipeline: files that cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error("cannot read `{path}`: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write `{path}`: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("`{path}`: {source}")]
    Prices {
        path: PathBuf,
        source: crate::cost::prices::PriceError,
    },
    #[error(transparent)]
    Cost(#[from] crate::cost::CostError),
    #[error(transparent)]
    Measured(#[from] crate::local::logs::measure::MeasuredError),
}

/// Reads a file, refusing anything much larger than a pipeline could be before loading it all.
pub(crate) fn read_limited(path: &std::path::Path) -> Result<Vec<u8>, CommandError> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|source| CommandError::Read {
        path: path.to_owned(),
        source,
    })?;
    let mut bytes = Vec::new();
    let limit = (crate::config::MAX_FILE_BYTES as u64) * 8;
    file.take(limit)
        .read_to_end(&mut bytes)
        .map_err(|source| CommandError::Read {
            path: path.to_owned(),
            source,
        })?;
    Ok(bytes)
}

/// Loads and validates a pipeline file, printing its diagnostics; `None` when it has errors.
pub(crate) fn load_pipeline(
    path: &std::path::Path,
    printer: &crate::printer::Printer,
) -> Result<Option<crate::config::Pipeline>, CommandError> {
    let bytes = read_limited(path)?;
    Ok(parse_pipeline(path, &bytes, printer))
}

/// Validates the bytes of a pipeline file read from `path`, printing its diagnostics.
pub(crate) fn parse_pipeline(
    path: &std::path::Path,
    bytes: &[u8],
    printer: &crate::printer::Printer,
) -> Option<crate::config::Pipeline> {
    let loaded = load_checked(path, bytes);
    if !loaded.report.diagnostics.is_empty() {
        printer.note(&loaded.report.render(printer.color));
    }
    loaded.pipeline
}

/// Loads a pipeline file's bytes with every check: the rules, synthesis' limits, and the
/// request schema files (read relative to the file's folder, and handed on in
/// `Pipeline::request_schemas`).
pub(crate) fn load_checked(path: &std::path::Path, bytes: &[u8]) -> crate::config::Loaded {
    let dir = path
        .parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or_else(|| std::path::Path::new("."));
    let texts = std::cell::RefCell::new(std::collections::BTreeMap::new());
    let mut loaded =
        crate::config::load_with(&path.display().to_string(), bytes, &|pipeline, sources| {
            let mut diagnostics = crate::generate::synth_checks(pipeline, sources);
            let (schema_diagnostics, read) =
                crate::config::request_schema::check(pipeline, sources, dir);
            diagnostics.extend(schema_diagnostics);
            *texts.borrow_mut() = read;
            diagnostics
        });
    if let Some(pipeline) = &mut loaded.pipeline {
        pipeline.request_schemas = texts.into_inner();
    }
    loaded
}

/// ` -f FILE` when `file` is not the default `pipeline.yaml`, for hints that repeat a command.
pub(crate) fn file_flag(file: &std::path::Path) -> String {
    if file == std::path::Path::new("pipeline.yaml") {
        String::new()
    } else {
        format!(" -f {}", file.display())
    }
}

/// The state of the `gen dev` running `file`, or `None` after telling the user to start one.
pub(crate) fn running_dev(
    file: &std::path::Path,
    printer: &crate::printer::Printer,
) -> Option<crate::local::state::DevState> {
    let dirs = crate::workspace::PipelineDirs::of(file, None);
    match crate::local::state::DevState::read(&dirs) {
        Ok(state) => Some(state),
        Err(message) => {
            printer.note(&format!("error: {message}\n"));
            None
        }
    }
}

/// A single-threaded tokio runtime for commands that make a few SDK calls.
pub(crate) fn small_runtime() -> Result<tokio::runtime::Runtime, CommandError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|source| CommandError::Write {
            path: "<tokio runtime>".into(),
            source,
        })
}
