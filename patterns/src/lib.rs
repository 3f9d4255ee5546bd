//! EventBridge event patterns, pure: parsed and checked with AWS's rules, matched with AWS's
//! semantics. `gen validate` reports a pattern's problems at their place in pipeline.yaml, the
//! local engine routes `PutEvents` with the same code, so a pattern behaves the same in both.
//!
//! ```
//! use patterns::Pattern;
//! let pattern = Pattern::parse_str(
//!     r#"{"detail-type": ["OrderPlaced"], "detail": {"total": [{"numeric": [">=", 1000]}]}}"#,
//! )
//! .expect("a valid pattern");
//! let event = serde_json::json!({"detail-type": "OrderPlaced", "detail": {"total": 1200}});
//! assert!(pattern.matches(&event));
//! assert_eq!(
//!     pattern.conditions(),
//!     vec![
//!         ("detail-type".to_owned(), "is OrderPlaced".to_owned()),
//!         ("detail.total".to_owned(), "≥ 1000".to_owned()),
//!     ]
//! );
//! ```

mod cidr;
mod conditions;
mod error;
pub mod input;
mod matcher;
mod model;
mod number;
mod parse;
mod wildcard;

pub use error::{PathSegment, PatternError};

use serde_json::Value;

/// The longest pattern AWS accepts by default, in characters (the "Event pattern size" quota;
/// AWS raises it to 4096 on request).
pub const MAX_PATTERN_LENGTH: usize = 2048;

/// A parsed event pattern: checked with AWS's rules, ready to match events.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    root: model::Object,
}

impl Pattern {
    /// Parses a pattern with AWS's rules: the pattern is a JSON object; leaves are arrays;
    /// operators and their argument types; `$or` shape; limits. Every problem found is
    /// reported, not only the first, each with its path into the pattern.
    pub fn parse(pattern: &Value) -> Result<Pattern, Vec<PatternError>> {
        let mut errors = Vec::new();
        let length = pattern.to_string().chars().count();
        if length > MAX_PATTERN_LENGTH {
            errors.push(error::too_long(length));
        }
        let root = parse::root(pattern, &mut errors);
        match root {
            Some(root) if errors.is_empty() => Ok(Pattern { root }),
            _ => Err(errors),
        }
    }

    /// Parses a pattern from JSON text (what `PutRule` and `TestEventPattern` receive). A
    /// syntax error is one [`PatternError`] at the root.
    pub fn parse_str(text: &str) -> Result<Pattern, Vec<PatternError>> {
        let value: Value = serde_json::from_str(text).map_err(|source| {
            vec![PatternError {
                path: Vec::new(),
                message: format!("the pattern is not JSON: {source}"),
                help: "write the pattern as a JSON object, e.g. {\"source\": [\"orders\"]}"
                    .to_owned(),
            }]
        })?;
        let mut errors = Vec::new();
        let length = text.chars().count();
        if length > MAX_PATTERN_LENGTH {
            errors.push(error::too_long(length));
        }
        match parse::root(&value, &mut errors) {
            Some(root) if errors.is_empty() => Ok(Pattern { root }),
            _ => Err(errors),
        }
    }

    /// Whether `event` (the whole envelope: `version`, `id`, `detail-type`, `source`, …,
    /// `detail`) matches.
    pub fn matches(&self, event: &Value) -> bool {
        matcher::object(&self.root, Some(event))
    }

    /// The pattern in user terms, one line per field, sorted, deterministic:
    /// `[("detail-type", "is OrderPlaced"), ("detail.total", "≥ 1000")]`. The branches of a
    /// `$or` are one entry per branch field, their key prefixed `or[i].` (after the path of
    /// the object holding the `$or`, when it is not the root).
    pub fn conditions(&self) -> Vec<(String, String)> {
        conditions::of(&self.root)
    }
}
