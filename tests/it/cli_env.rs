//! Running the `gen` binary (`gen-cli`, built by this package) as a user would, with an AWS
//! environment of the test's choosing: no credentials, dummy ones, a profile file. Each run
//! gets its own folder holding a copy of the seed pipeline.yaml and empty AWS config files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// What the default output must never show: the SDK's debug structures.
const FORBIDDEN: [&str; 3] = ["DispatchFailure", "ConnectorError", "{ source:"];

/// A folder with `pipeline.yaml` and the AWS config and credentials files `gen` will read.
pub(crate) struct CliEnv {
    pub(crate) dir: tempfile::TempDir,
    credentials: Option<(&'static str, &'static str)>,
}

impl CliEnv {
    /// No credentials anywhere: empty config files, no `AWS_*` variables, no metadata service.
    pub(crate) fn without_credentials() -> Self {
        let dir = tempfile::tempdir().expect("a temp dir");
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        std::fs::copy(root.join("pipeline.yaml"), dir.path().join("pipeline.yaml"))
            .expect("the seed pipeline.yaml");
        std::fs::write(dir.path().join("config"), "").expect("config file");
        std::fs::write(dir.path().join("credentials"), "").expect("credentials file");
        Self {
            dir,
            credentials: None,
        }
    }

    /// Dummy keys in the environment (moto accepts any).
    pub(crate) fn with_dummy_credentials() -> Self {
        Self {
            credentials: Some(("testing", "testing")),
            ..Self::without_credentials()
        }
    }

    /// Writes the shared config file (`[profile NAME]` sections).
    pub(crate) fn config_file(&self, text: &str) {
        std::fs::write(self.dir.path().join("config"), text).expect("config file");
    }

    /// Runs `gen ARGS` in the folder. Only `PATH` and `HOME` of the test's environment pass
    /// through; `AWS_MAX_ATTEMPTS=1` keeps failing connections from being retried (the message
    /// is the same, the test is seconds faster).
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_gen-cli"));
        command
            .args(args)
            .current_dir(self.dir.path())
            .env_clear()
            .env("NO_COLOR", "1")
            .env("AWS_CONFIG_FILE", self.path("config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", self.path("credentials"))
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_MAX_ATTEMPTS", "1");
        for variable in ["PATH", "HOME", "RUSTUP_HOME", "CARGO_HOME"] {
            if let Some(value) = std::env::var_os(variable) {
                command.env(variable, value);
            }
        }
        if let Some((key, secret)) = self.credentials {
            command
                .env("AWS_ACCESS_KEY_ID", key)
                .env("AWS_SECRET_ACCESS_KEY", secret);
        }
        command.output().expect("gen-cli runs")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `text` with this run's folder shown as `[DIR]`.
    pub(crate) fn shown(&self, text: &[u8]) -> String {
        String::from_utf8_lossy(text).replace(&self.dir.path().display().to_string(), "[DIR]")
    }
}

/// Stderr as a person reads it: asserts it holds none of the SDK's debug structures and is a
/// few lines, not a wall.
#[track_caller]
pub(crate) fn readable(stderr: &str) -> &str {
    for forbidden in FORBIDDEN {
        assert!(
            !stderr.contains(forbidden),
            "`{forbidden}` in the default output:\n{stderr}"
        );
    }
    assert!(
        stderr.lines().count() <= 6,
        "more than a few lines:\n{stderr}"
    );
    stderr
}
