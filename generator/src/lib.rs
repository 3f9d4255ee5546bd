//! `gen`, the pipeline kit: pipeline.yaml → validated model → CloudFormation, Lambda crates,
//! deploys, diffs and a local engine.
//!
//! The binary is a thin shell (`main.rs` dispatches `cli.rs` to `commands/`); everything else
//! is a library so tests and benches call the same code.

pub mod aws;
pub mod cli;
pub mod commands;
pub mod config;
pub mod cost;
pub mod diagnostic;
pub mod diff;
pub mod generate;
pub mod graph;
pub mod local;
pub mod package;
pub mod printer;
pub mod run;
pub mod scaffold;
pub mod synth;
pub mod workspace;
