//! What a running `gen dev` tells other `gen` commands (`gen send`, `gen status`): the engine's
//! endpoint and the local names of the pipeline's queues and buckets, in `.gen/dev.json`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Where the state file lives, relative to the working directory.
pub const STATE_FILE: &str = ".gen/dev.json";

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
}

impl DevState {
    /// Writes the state file; returns its path.
    pub fn write(&self, directory: &Path) -> std::io::Result<PathBuf> {
        let path = directory.join(STATE_FILE);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let json = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(&path, json)?;
        Ok(path)
    }

    /// Reads the state file, with an error that says to start `gen dev` first.
    pub fn read(directory: &Path) -> Result<Self, String> {
        let path = directory.join(STATE_FILE);
        let text = std::fs::read_to_string(&path)
            .map_err(|_| format!("no running `gen dev` found (`{}` is missing): start `gen dev` in another terminal first", path.display()))?;
        serde_json::from_str(&text)
            .map_err(|error| format!("`{}` is unreadable: {error}", path.display()))
    }
}
