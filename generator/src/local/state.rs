//! What a running `gen dev` tells other `gen` commands (`gen send`, `gen status`): the engine's
//! endpoint, the local names of the pipeline's queues, buckets, tables and buses, the APIs' base
//! URLs and the SES outbox folder, in `.gen/dev.json`; the event rules' figures beside it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::workspace::PipelineDirs;

/// The state file's name in the pipeline's `.gen/` folder (one per pipeline, so `gen dev` runs
/// of different pipelines can run side by side).
pub const STATE_FILE: &str = "dev.json";

/// Beside it, the functions' EMF figures summed so far (written by `gen dev` each second).
pub const METRICS_FILE: &str = "metrics.json";

/// Beside it, each event rule's figures so far (written by `gen dev` each second).
pub const RULES_FILE: &str = "rules.json";

/// What one event rule has done since `gen dev` started: events that matched its pattern,
/// deliveries to its targets that succeeded, and deliveries that failed for good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleFigures {
    /// The bus's name in pipeline.yaml.
    pub bus: String,
    /// The rule's name in pipeline.yaml.
    pub rule: String,
    pub matched: u64,
    pub delivered: u64,
    pub failed: u64,
}

/// A running engine, as seen from outside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevState {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// The process id of `gen dev`.
    pub pid: u32,
    /// Queue name in pipeline.yaml → local URL.
    pub queues: BTreeMap<String, String>,
    /// Bucket name in pipeline.yaml → local bucket.
    pub buckets: BTreeMap<String, String>,
    /// The queue orders go to (the order processor's trigger), if any.
    pub orders_queue: Option<String>,
    /// API name in pipeline.yaml → its base URL (`http://127.0.0.1:PORT`).
    #[serde(default)]
    pub apis: BTreeMap<String, String>,
    /// Table name in pipeline.yaml → local table name.
    #[serde(default)]
    pub tables: BTreeMap<String, String>,
    /// The folder SES writes each message to (`<message-id>.json`).
    #[serde(default)]
    pub outbox: Option<String>,
    /// Bus name in pipeline.yaml → local bus name.
    #[serde(default)]
    pub buses: BTreeMap<String, String>,
    /// The dashboard's URL (`http://127.0.0.1:PORT/`), when it could listen.
    #[serde(default)]
    pub dashboard: Option<String>,
}

/// The outbox folder's name in the pipeline's `.gen/` folder.
pub const OUTBOX_DIR: &str = "outbox";

impl DevState {
    /// Where the state of `dirs`' pipeline is kept.
    pub fn path(dirs: &PipelineDirs) -> PathBuf {
        dirs.state.join(STATE_FILE)
    }

    /// Where `gen dev` has SES write each message: `.gen/outbox/`.
    pub fn outbox_path(dirs: &PipelineDirs) -> PathBuf {
        dirs.state.join(OUTBOX_DIR)
    }

    /// Where the running `gen dev` keeps its functions' summed EMF figures (metric → total).
    pub fn metrics_path(dirs: &PipelineDirs) -> PathBuf {
        dirs.state.join(METRICS_FILE)
    }

    /// The summed EMF figures of the running `gen dev`; empty before any function wrote one.
    pub fn metrics(dirs: &PipelineDirs) -> std::collections::BTreeMap<String, f64> {
        std::fs::read(Self::metrics_path(dirs))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Where the running `gen dev` keeps its event rules' figures.
    pub fn rules_path(dirs: &PipelineDirs) -> PathBuf {
        dirs.state.join(RULES_FILE)
    }

    /// The event rules' figures of the running `gen dev`, in bus then rule order; empty when
    /// the pipeline has no rules or nothing was written yet.
    pub fn rules(dirs: &PipelineDirs) -> Vec<RuleFigures> {
        std::fs::read(Self::rules_path(dirs))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Writes the state file of `dirs`' pipeline whole (a reader sees the old file or the new
    /// one, never a part); returns its path.
    pub fn write(&self, dirs: &PipelineDirs) -> std::io::Result<PathBuf> {
        let path = Self::path(dirs);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let json = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        let partial = path.with_extension("json.partial");
        std::fs::write(&partial, json)?;
        std::fs::rename(&partial, &path)?;
        Ok(path)
    }

    /// Reads the state file, with an error that says to start `gen dev` first.
    pub fn read(dirs: &PipelineDirs) -> Result<Self, String> {
        let path = Self::path(dirs);
        let text = std::fs::read_to_string(&path)
            .map_err(|_| format!("no running `gen dev` found (`{}` is missing): start `gen dev` for this pipeline in another terminal first", path.display()))?;
        serde_json::from_str(&text)
            .map_err(|error| format!("`{}` is unreadable: {error}", path.display()))
    }
}
