//! A problem in a pattern: where (a path from the pattern's root), what (AWS's words where AWS
//! has them) and how to fix it.

use std::fmt;

/// One step of a path into a pattern: an object key or an array index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathSegment {
    /// A key of a JSON object.
    Key(String),
    /// An index of a JSON array.
    Index(usize),
}

/// A problem found in a pattern.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", display_path(path))]
pub struct PatternError {
    /// Where in the pattern: object keys and array indexes from the root.
    pub path: Vec<PathSegment>,
    /// What is wrong, in AWS's words where AWS has them (without the
    /// `Event pattern is not valid. Reason: ` prefix of AWS's answers).
    pub message: String,
    /// How to fix it.
    pub help: String,
}

impl PatternError {
    pub(crate) fn new(
        path: &[PathSegment],
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        Self {
            path: path.to_vec(),
            message: message.into(),
            help: help.into(),
        }
    }

    /// The path as text: `detail.total[0].numeric[1]`, or `(pattern)` for the root.
    pub fn path_text(&self) -> String {
        display_path(&self.path)
    }
}

impl fmt::Display for PathSegment {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathSegment::Key(key) => formatter.write_str(key),
            PathSegment::Index(index) => write!(formatter, "[{index}]"),
        }
    }
}

fn display_path(path: &[PathSegment]) -> String {
    if path.is_empty() {
        return "(pattern)".to_owned();
    }
    let mut text = String::new();
    for segment in path {
        if let PathSegment::Key(key) = segment
            && !text.is_empty()
        {
            text.push('.');
            text.push_str(key);
        } else {
            text.push_str(&segment.to_string());
        }
    }
    text
}

pub(crate) fn too_long(length: usize) -> PatternError {
    PatternError::new(
        &[],
        format!(
            "Event pattern is {length} characters long; the maximum is {}",
            crate::MAX_PATTERN_LENGTH
        ),
        "shorten the pattern (fewer values, a prefix instead of a list), or split it into several rules; \
         AWS raises the quota to 4096 characters on request",
    )
}
