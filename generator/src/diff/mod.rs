//! Planned changes between two versions of a pipeline, in two layers: what changed in the
//! user's own terms (queues, functions, promo codes), and what CloudFormation will do to each
//! resource — add, modify, remove or REPLACE, with what a replacement or removal loses — plus
//! IAM changes in plain words. Pure: both sides come in as resolved pipelines.

mod buses;
mod cost;
mod graph;
mod iam;
mod pipeline;
mod render;
mod resources;

use schemars::JsonSchema;
use serde::Serialize;

pub use cost::{CostChange, ServiceCostChange};
pub use render::{markdown, text};

use crate::config::Pipeline;
use crate::graph::GraphChanges;
use crate::synth::{SynthError, SynthOptions, synthesize};

/// Version of the JSON shape of a [`Plan`]; bumped on any change of shape, documented in
/// `docs/diff-plan.md`.
///
/// - 1: verdict, pipeline, resource and IAM changes, cost.
/// - 2: `graph`, the pipeline's parts and connections with a status each.
pub const PLAN_SCHEMA_VERSION: u32 = 2;

/// Everything that differs, and how risky it is: the output of `gen diff --format json`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(title = "gen diff plan")]
pub struct Plan {
    /// The version of this shape: bumped on any incompatible change, so tools should check it.
    pub schema_version: u32,
    /// `none`, `changes` or `destructive`: the same as the exit code says.
    pub verdict: Verdict,
    /// In pipeline.yaml's terms: "queue `task`: `max_receive_count` 2 → 3".
    pub pipeline_changes: Vec<PipelineChange>,
    /// Per CloudFormation resource.
    pub resource_changes: Vec<ResourceChange>,
    /// Permissions gained or lost, per function.
    pub iam_changes: Vec<IamChange>,
    /// The monthly cost before and after, when pipeline.yaml states `cost.orders_per_month`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<CostChange>,
    /// Since version 2: the pipeline after the change as a graph, with the parts the change
    /// removes, each node and edge with its status (`added`, `changed`, `replaced`, `removed`,
    /// `unchanged`). Absent when the graph does not change (a promo code, a comment) or the
    /// pipeline before the change is not known (`--deployed` without its recorded file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub graph: Option<GraphChanges>,
}

/// How a plan is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    None,
    Changes,
    Destructive,
}

/// One change in the user's terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct PipelineChange {
    /// `queue`, `bucket`, `function`, `api`, `table`, `email`, `bus`, `rule`, `promo`,
    /// `bulk tier`, `discounts`, `pipeline`.
    pub kind: &'static str,
    /// The name of the queue, function, code…
    pub name: String,
    /// `field old → new`, `added`, `removed`.
    pub description: String,
}

/// What CloudFormation does to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Add,
    Modify,
    Remove,
    Replace,
}

/// One resource's change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ResourceChange {
    pub action: Action,
    pub logical_id: String,
    pub resource_type: String,
    /// Top-level properties that differ (for modify and replace).
    pub properties: Vec<String>,
    /// The properties that force the replacement.
    pub replaced_by: Vec<String>,
    /// What is lost: "its messages", "its objects".
    pub data_loss: Option<String>,
}

/// One permission gained or lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct IamChange {
    pub function: String,
    /// `granted` or `revoked`.
    pub change: &'static str,
    /// The IAM actions, comma-separated.
    pub action: String,
    /// The resource in the user's terms: "queue `audit`".
    pub resource: String,
    /// The sentence shown: "function `task` may now `sqs:SendMessage` to queue `audit`".
    pub description: String,
}

/// The JSON Schema of [`Plan`], the shape of `gen diff --format json`; committed as
/// `docs/diff-plan.schema.json`.
pub fn plan_schema() -> String {
    let mut schema = schemars::schema_for!(Plan);
    schema.insert(
        "$id".to_owned(),
        format!("gen-diff-plan-v{PLAN_SCHEMA_VERSION}").into(),
    );
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema is plain data");
    text.push('\n');
    text
}

/// The plan from `old` to `new`.
pub fn plan(old: &Pipeline, new: &Pipeline) -> Result<Plan, SynthError> {
    let options = SynthOptions::default();
    let old_template =
        serde_json::to_value(synthesize(old, &options)?).expect("a template is plain data");
    plan_against_template(Some(old), &old_template, new, &options)
}

/// The plan from a deployed template to `new`, synthesised for the same stage. Resource
/// changes come from the templates; changes in the user's terms and IAM changes need the
/// pipeline that was deployed, and are left out when it is not known.
pub fn plan_against_template(
    old: Option<&Pipeline>,
    old_template: &serde_json::Value,
    new: &Pipeline,
    options: &SynthOptions,
) -> Result<Plan, SynthError> {
    let new_template =
        serde_json::to_value(synthesize(new, options)?).expect("a template is plain data");
    let resource_changes = resources::changes(old_template, &new_template);
    let (pipeline_changes, iam_changes, cost) = old.map_or_else(
        || (Vec::new(), Vec::new(), None),
        |old| {
            (
                pipeline::changes(old, new),
                iam::changes(old, new),
                cost::change(old, new),
            )
        },
    );
    let graph = old.and_then(|old| {
        graph::changes(old, new, &pipeline_changes, &resource_changes, &iam_changes)
    });
    let verdict = if resource_changes
        .iter()
        .any(|change| change.data_loss.is_some())
    {
        Verdict::Destructive
    } else if resource_changes.is_empty() && pipeline_changes.is_empty() {
        Verdict::None
    } else {
        Verdict::Changes
    };
    Ok(Plan {
        schema_version: PLAN_SCHEMA_VERSION,
        verdict,
        pipeline_changes,
        resource_changes,
        iam_changes,
        cost,
        graph,
    })
}
