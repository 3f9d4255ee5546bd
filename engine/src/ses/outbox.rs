//! Where accepted messages go: kept in memory for inspection, and written as
//! `<folder>/<message-id>.json` (written to a temporary name, then renamed, so a reader never
//! sees half a message) when the engine has an outbox folder.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use super::message::SentEmail;

/// The messages SES accepted; cheap to clone, clones share the messages.
#[derive(Debug, Clone, Default)]
pub struct Outbox {
    folder: Option<PathBuf>,
    sent: Arc<Mutex<Vec<SentEmail>>>,
}

/// A message could not be written to the outbox folder.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the message to the outbox `{}`: {source}; check that the folder is writable", path.display())]
pub struct OutboxError {
    /// The file being written.
    pub path: PathBuf,
    /// The cause.
    #[source]
    pub source: std::io::Error,
}

impl Outbox {
    /// Messages kept in memory, and in `folder` (created on the first message) if given.
    pub fn new(folder: Option<PathBuf>) -> Self {
        Self {
            folder,
            sent: Arc::default(),
        }
    }

    /// The folder messages are written to, if any.
    pub fn folder(&self) -> Option<&Path> {
        self.folder.as_deref()
    }

    /// Keeps `email` (and writes its file).
    pub fn deliver(&self, email: SentEmail) -> Result<(), OutboxError> {
        if let Some(folder) = &self.folder {
            let path = folder.join(format!("{}.json", email.message_id));
            let partial = folder.join(format!(".{}.json.partial", email.message_id));
            let json = serde_json::to_vec_pretty(&email).map_err(std::io::Error::other);
            json.and_then(|json| {
                std::fs::create_dir_all(folder)?;
                std::fs::write(&partial, json)?;
                std::fs::rename(&partial, &path)
            })
            .map_err(|source| OutboxError { path, source })?;
        }
        self.sent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(email);
        Ok(())
    }

    /// Every message accepted so far, oldest first.
    pub fn messages(&self) -> Vec<SentEmail> {
        self.sent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}
