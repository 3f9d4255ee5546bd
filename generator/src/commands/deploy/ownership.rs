//! Whose stage a deploy would update: a stack that another pipeline or another branch deployed
//! is refused unless `--force`, with a message that names its owner.

use crate::aws::stack::Pace;
use crate::aws::stages::{self, Stage};

/// Why a deploy may not update an existing stack.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum NotYours {
    #[error(
        "stack `{stack}` belongs to {owner}, not to pipeline `{pipeline}`\nhelp: pick another `--stage`, or pass `--force` to take it over"
    )]
    OtherPipeline {
        stack: String,
        pipeline: String,
        owner: String,
    },
    #[error(
        "stage `{stage}` was deployed from branch `{theirs}`{by}, not from `{ours}`\nhelp: deploy from `{theirs}`, pick another `--stage`, or pass `--force` to take it over"
    )]
    OtherBranch {
        stage: String,
        theirs: String,
        ours: String,
        by: String,
    },
}

/// The stage's stack as it is now, if it exists, once [`check`] found it this deploy's to
/// update.
pub(super) async fn existing(
    client: &aws_sdk_cloudformation::Client,
    pipeline: &str,
    stage: &str,
    branch: Option<&str>,
    force: bool,
) -> Result<Option<Stage>, String> {
    let existing = stages::find(client, pipeline, stage, &Pace::default())
        .await
        .map_err(|error| error.to_string())?;
    check(existing.as_ref(), pipeline, branch, force).map_err(|error| error.to_string())?;
    Ok(existing)
}

/// Checks that `existing` (the stage's stack, if there is one) is this pipeline's and was
/// deployed from `branch`. An unknown branch on either side matches.
pub(super) fn check(
    existing: Option<&Stage>,
    pipeline: &str,
    branch: Option<&str>,
    force: bool,
) -> Result<(), NotYours> {
    let Some(existing) = existing else {
        return Ok(());
    };
    if force {
        return Ok(());
    }
    let by = existing
        .owner
        .as_deref()
        .map(|owner| format!(" by {owner}"))
        .unwrap_or_default();
    match existing.tags.get("pipeline") {
        Some(theirs) if theirs == pipeline => {}
        theirs => {
            return Err(NotYours::OtherPipeline {
                stack: existing.stack.clone(),
                pipeline: pipeline.to_owned(),
                owner: theirs.map_or_else(
                    || "something other than `gen` (it has no `pipeline` tag)".to_owned(),
                    |theirs| format!("pipeline `{theirs}`{by}"),
                ),
            });
        }
    }
    match (existing.branch.as_deref(), branch) {
        (Some(theirs), Some(ours)) if theirs != ours => Err(NotYours::OtherBranch {
            stage: existing.stage.clone(),
            theirs: theirs.to_owned(),
            ours: ours.to_owned(),
            by,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn stage(tags: &[(&str, &str)]) -> Stage {
        let tags: BTreeMap<String, String> = tags
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Stage {
            stage: tags.get("stage").cloned().unwrap_or_default(),
            stack: "orders--dev".to_owned(),
            status: "UPDATE_COMPLETE".to_owned(),
            owner: tags.get("owner").cloned(),
            branch: tags.get("branch").cloned(),
            created: None,
            expires_at: None,
            protected: false,
            termination_protection: false,
            tags,
            code_bucket: None,
        }
    }

    #[test]
    fn only_the_same_pipeline_and_branch_may_update_a_stage() {
        #[track_caller]
        fn case(
            tags: Option<&[(&str, &str)]>,
            branch: Option<&str>,
            force: bool,
            refused: Option<&str>,
        ) {
            let existing = tags.map(stage);
            let result = check(existing.as_ref(), "orders", branch, force);
            match refused {
                None => assert_eq!(result, Ok(())),
                Some(said) => {
                    let message = result.unwrap_err().to_string();
                    assert!(message.contains(said), "{message}");
                    assert!(message.contains("--force"), "{message}");
                }
            }
        }
        let main = [
            ("pipeline", "orders"),
            ("stage", "dev"),
            ("branch", "main"),
            ("owner", "Ann"),
        ];
        case(None, Some("feature/x"), false, None);
        case(Some(&main), Some("main"), false, None);
        case(Some(&main), None, false, None);
        case(
            Some(&main),
            Some("feature/x"),
            false,
            Some("deployed from branch `main` by Ann, not from `feature/x`"),
        );
        case(Some(&main), Some("feature/x"), true, None);
        let other = [
            ("pipeline", "orders-feature"),
            ("stage", "x"),
            ("owner", "Bo"),
        ];
        case(
            Some(&other),
            Some("main"),
            false,
            Some("belongs to pipeline `orders-feature` by Bo"),
        );
        case(Some(&other), Some("main"), true, None);
        case(Some(&[]), Some("main"), false, Some("no `pipeline` tag"));
        let no_branch = [("pipeline", "orders"), ("stage", "dev")];
        case(Some(&no_branch), Some("main"), false, None);
    }
}
