//! [`RequestSchema`]: the JSON Schema of a route's requests (`request_schema:` in pipeline.yaml),
//! compiled once at start; a request that violates it is answered `400` with every problem and
//! its JSON pointer.

use jsonschema::Validator;
use serde_json::Value;

use crate::batch::RecordFailure;
use crate::problem::Problem;

/// A compiled request schema.
#[derive(Debug)]
pub struct RequestSchema {
    validator: Validator,
}

/// Why a request schema cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the request schema {problem} (hint: `gen check` validates `request_schema` files)")]
pub struct SchemaError {
    /// What is wrong with it.
    pub problem: String,
}

impl RequestSchema {
    /// Compiles the schema `text` (JSON). Remote `$ref`s are not fetched.
    pub fn parse(text: &str) -> Result<Self, SchemaError> {
        let schema: Value = serde_json::from_str(text).map_err(|error| SchemaError {
            problem: format!("is not JSON: {error}"),
        })?;
        let validator = jsonschema::validator_for(&schema).map_err(|error| SchemaError {
            problem: format!("is not a valid JSON Schema: {error}"),
        })?;
        Ok(Self { validator })
    }

    /// Every problem of `body` (JSON text): empty when it conforms. A body that is not JSON is
    /// one problem at the root.
    pub fn problems(&self, body: &str) -> Vec<Problem> {
        let instance: Value = match serde_json::from_str(body) {
            Ok(instance) => instance,
            Err(error) => return vec![Problem::new("", format!("not JSON: {error}"))],
        };
        self.validator
            .iter_errors(&instance)
            .map(|error| Problem::new(error.instance_path().as_str(), error.to_string()))
            .collect()
    }

    /// `Ok` when `body` conforms; otherwise an invalid failure listing every problem.
    pub fn check(&self, body: &str) -> Result<(), RecordFailure> {
        let problems = self.problems(body);
        if problems.is_empty() {
            return Ok(());
        }
        let count = problems.len();
        Err(RecordFailure::invalid_with(
            format!(
                "the request does not match the route's schema ({count} problem{})",
                if count == 1 { "" } else { "s" }
            ),
            problems,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &str = r#"{
        "type": "object",
        "required": ["email", "items"],
        "properties": {
            "email": {"type": "string"},
            "items": {"type": "array", "minItems": 1, "items": {
                "type": "object", "required": ["sku", "qty"],
                "properties": {"sku": {"type": "string"}, "qty": {"type": "integer", "minimum": 1}}
            }}
        }
    }"#;

    #[test]
    fn every_problem_comes_with_its_pointer() {
        let schema = RequestSchema::parse(SCHEMA).unwrap();
        let failure = schema
            .check(r#"{"items": [{"sku": "A", "qty": 0}, {"qty": "2"}]}"#)
            .unwrap_err();
        let mut pointers: Vec<&str> = failure
            .problems
            .iter()
            .map(|problem| problem.pointer.as_str())
            .collect();
        pointers.sort_unstable();
        assert_eq!(pointers, ["", "/items/0/qty", "/items/1", "/items/1/qty"]);
        assert!(failure.reason.contains("4 problems"), "{}", failure.reason);
        assert!(
            schema
                .check(r#"{"email": "a@b.co", "items": [{"sku": "A", "qty": 1}]}"#)
                .is_ok()
        );
        assert_eq!(schema.problems("{")[0].pointer, "");
    }

    #[test]
    fn a_broken_schema_is_refused_at_start() {
        let error = RequestSchema::parse(r#"{"type": "objekt"}"#).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("the request schema is not a valid JSON Schema"),
            "{error}"
        );
        assert!(
            RequestSchema::parse("{")
                .unwrap_err()
                .problem
                .starts_with("is not JSON")
        );
    }
}
