//! Why a function could not be packaged or uploaded.

use std::path::PathBuf;

/// A failure of building, zipping or uploading a function's code.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    /// `cargo lambda` does not run.
    #[error(
        "`cargo lambda` is not available ({detail}); `gen deploy` builds with it so that binaries link against the glibc 2.34 of Lambda's `provided.al2023` runtime, whatever this machine's glibc\nhint: run `{install}` (zig is its linker)",
        install = super::install_build_tools()
    )]
    CargoLambdaMissing {
        /// What running `cargo lambda --version` said.
        detail: String,
    },
    /// No Cargo workspace builds the pipeline's crates.
    #[error("{0}")]
    Workspace(String),
    /// `cargo lambda build` could not be started.
    #[error("cannot run `cargo lambda build`: {0}")]
    RunCargoLambda(#[source] std::io::Error),
    /// `cargo lambda build` failed; its own output says why.
    #[error("`cargo lambda build` failed ({0}); its output above says why")]
    BuildFailed(std::process::ExitStatus),
    /// The built binary is not where `cargo lambda build` puts it.
    #[error(
        "cannot read the binary of function `{function}` at `{}`\nhint: build it with `cargo lambda build --release -p {package}` and check that it succeeded",
        path.display()
    )]
    ReadBinary {
        function: String,
        package: String,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Writing the zip failed (in memory, so a bug or out of memory).
    #[error("cannot write the code zip")]
    Zip(#[from] zip::result::ZipError),
    /// S3 refused or could not be reached.
    #[error("cannot upload the code zip to `s3://{bucket}/{key}`: {failure}")]
    Upload {
        bucket: String,
        key: String,
        /// The failed S3 call, classified.
        failure: crate::aws::CallFailed,
    },
}
