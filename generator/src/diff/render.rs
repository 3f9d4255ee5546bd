//! A plan for people: plain text for terminals, Markdown for pull-request comments.

use std::fmt::Write as _;

use super::{Action, Plan, ResourceChange, Verdict};
use crate::graph::GraphChanges;

fn counts(plan: &Plan) -> String {
    let count = |action: Action| {
        plan.resource_changes
            .iter()
            .filter(|change| change.action == action)
            .count()
    };
    format!(
        "{} to add, {} to modify, {} to replace, {} to remove",
        count(Action::Add),
        count(Action::Modify),
        count(Action::Replace),
        count(Action::Remove)
    )
}

fn action_word(change: &ResourceChange) -> &'static str {
    match change.action {
        Action::Add => "add",
        Action::Modify => "modify",
        Action::Remove => "remove",
        Action::Replace => "REPLACE",
    }
}

fn detail(change: &ResourceChange) -> String {
    let mut detail = String::new();
    if !change.replaced_by.is_empty() {
        let _ = write!(
            detail,
            "replaced because `{}` changed",
            change.replaced_by.join("`, `")
        );
        let others: Vec<&String> = change
            .properties
            .iter()
            .filter(|p| !change.replaced_by.contains(p))
            .collect();
        if !others.is_empty() {
            let _ = write!(
                detail,
                "; also `{}`",
                others
                    .iter()
                    .map(|p| p.as_str())
                    .collect::<Vec<_>>()
                    .join("`, `")
            );
        }
    } else if !change.properties.is_empty() {
        let _ = write!(detail, "`{}`", change.properties.join("`, `"));
    }
    detail
}

/// The terminal rendering.
pub fn text(plan: &Plan) -> String {
    if plan.verdict == Verdict::None {
        return "No changes.\n".to_owned();
    }
    let mut out = String::new();
    if !plan.pipeline_changes.is_empty() {
        out.push_str("Pipeline changes:\n");
        for change in &plan.pipeline_changes {
            let _ = writeln!(
                out,
                "  {} `{}`: {}",
                change.kind, change.name, change.description
            );
        }
    }
    if !plan.resource_changes.is_empty() {
        out.push_str("Resource changes:\n");
        for change in &plan.resource_changes {
            let marker = match change.action {
                Action::Add => '+',
                Action::Modify => '~',
                Action::Remove => '-',
                Action::Replace => '!',
            };
            let _ = write!(
                out,
                "  {marker} {:<7} {} ({})",
                action_word(change),
                change.logical_id,
                change.resource_type
            );
            let detail = detail(change);
            if !detail.is_empty() {
                let _ = write!(out, ": {detail}");
            }
            out.push('\n');
            if let Some(loss) = &change.data_loss {
                let _ = writeln!(out, "      warning: data loss: {loss}");
            }
        }
    }
    if !plan.iam_changes.is_empty() {
        out.push_str("IAM changes:\n");
        for change in &plan.iam_changes {
            let _ = writeln!(
                out,
                "  {} {}",
                if change.change == "granted" { '+' } else { '-' },
                change.description
            );
        }
    }
    if let Some(cost) = &plan.cost {
        out.push_str(&cost.text());
    }
    let verdict = if plan.verdict == Verdict::Destructive {
        " — DESTRUCTIVE"
    } else {
        ""
    };
    let _ = writeln!(out, "Plan: {}{verdict}", counts(plan));
    out
}

/// The pull-request comment.
pub fn markdown(plan: &Plan) -> String {
    if plan.verdict == Verdict::None {
        return "### `gen diff`: no changes\n\nThe template synthesised from `pipeline.yaml` is unchanged.\n".to_owned();
    }
    let mut out = String::new();
    let headline = if plan.verdict == Verdict::Destructive {
        " — ⚠️ destructive"
    } else {
        ""
    };
    let _ = writeln!(out, "### `gen diff`: {}{headline}\n", counts(plan));
    if !plan.pipeline_changes.is_empty() {
        out.push_str("#### pipeline.yaml\n\n| | change |\n|---|---|\n");
        for change in &plan.pipeline_changes {
            let _ = writeln!(
                out,
                "| {} `{}` | {} |",
                change.kind,
                change.name,
                escape(&change.description)
            );
        }
        out.push('\n');
    }
    if let Some(graph) = &plan.graph {
        out.push_str(&graph_section(graph));
    }
    if !plan.resource_changes.is_empty() {
        out.push_str("#### CloudFormation resources\n\n| action | resource | type | details |\n|---|---|---|---|\n");
        for change in &plan.resource_changes {
            let action = match change.action {
                Action::Replace => "**REPLACE**".to_owned(),
                _ => action_word(change).to_owned(),
            };
            let mut detail = escape(&detail(change));
            if let Some(loss) = &change.data_loss {
                let _ = write!(
                    detail,
                    "{}⚠️ data loss: {}",
                    if detail.is_empty() { "" } else { "<br>" },
                    escape(loss)
                );
            }
            let _ = writeln!(
                out,
                "| {action} | `{}` | `{}` | {detail} |",
                change.logical_id, change.resource_type
            );
        }
        out.push('\n');
    }
    if !plan.iam_changes.is_empty() {
        out.push_str("#### IAM\n\n");
        for change in &plan.iam_changes {
            let _ = writeln!(
                out,
                "- {} {}",
                if change.change == "granted" {
                    "➕"
                } else {
                    "➖"
                },
                change.description
            );
        }
        out.push('\n');
    }
    if let Some(cost) = &plan.cost {
        out.push_str(&cost.markdown());
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// The pipeline after the change, drawn, with a legend.
fn graph_section(graph: &GraphChanges) -> String {
    let mut out = String::from("#### The pipeline after the change\n\n```mermaid\n");
    out.push_str(&crate::graph::mermaid::render_changes(graph));
    out.push_str("```\n\n");
    out.push_str(GRAPH_LEGEND);
    out.push('\n');
    out
}

/// What the marks in the graph mean; each status is in the labels too, for readers without
/// colour.
const GRAPH_LEGEND: &str = "Legend: `[added]` new (green, thick border) · `[changed]` changed \
in place (amber, thick border) · `[replaced]` a new resource takes its place (red, thickest \
border) · `[removed]` gone, drawn from before the change (red, dashed) · unmarked: as it was. \
Arrows: `==>` trigger or publish, `-.->` write or dead-letter redrive (dotted), `-->` route or \
rule delivery.\n";

fn escape(text: &str) -> String {
    text.replace('|', "\\|")
}
