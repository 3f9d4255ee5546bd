//! EventBridge event patterns, pure: parsed and checked with AWS's rules, matched with AWS's
//! semantics. `gen validate` reports a pattern's problems at their place in pipeline.yaml, the
//! local engine routes `PutEvents` with the same code, so a pattern behaves the same in both.

pub mod input;
