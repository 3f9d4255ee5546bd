//! Which stage a deploy targets, and the parameters and tags that describe it.

use crate::cli::DeployArgs;
use crate::config::Pipeline;
use crate::config::naming::logical_id;
use crate::package::Artifact;

pub(super) fn git_branch() -> Option<String> {
    let output = std::process::Command::new("git")
        .args(["rev-parse", "--abbrev-ref", "HEAD"])
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .filter(|b| !b.is_empty() && b != "HEAD")
}

fn owner() -> String {
    std::process::Command::new("git")
        .args(["config", "user.email"])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .filter(|email| !email.is_empty())
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_default()
}

/// `feature/Add-Promo_Codes` → `feature-add-promo` (lowercase, hyphens, at most 16 characters,
/// starting with a letter).
pub fn stage_from_branch(branch: &str) -> String {
    let mut stage = String::new();
    for character in branch.chars() {
        if character.is_ascii_alphanumeric() {
            stage.push(character.to_ascii_lowercase());
        } else if !stage.ends_with('-') && !stage.is_empty() {
            stage.push('-');
        }
    }
    let mut stage: String = stage
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '-')
        .chars()
        .take(16)
        .collect();
    while stage.ends_with('-') {
        stage.pop();
    }
    if stage.is_empty() {
        "dev".to_owned()
    } else {
        stage
    }
}

/// Key–value pairs: template parameters or stack tags.
type KeyValues = Vec<(String, String)>;

/// The template parameters (stage, code locations, switches) and the stack tags of a stage.
pub(super) fn parameters_and_tags(
    pipeline: &Pipeline,
    stage: &str,
    args: &DeployArgs,
    assets: &str,
    branch: Option<String>,
    expires_at: Option<String>,
    artifacts: &[Artifact],
) -> (KeyValues, KeyValues) {
    let mut parameters = vec![
        ("Stage".to_owned(), stage.to_owned()),
        ("Branch".to_owned(), branch.clone().unwrap_or_default()),
        (
            "ExpiresAt".to_owned(),
            expires_at.clone().unwrap_or_default(),
        ),
        ("CodeBucket".to_owned(), assets.to_owned()),
        (
            "EventSourcesEnabled".to_owned(),
            (!args.disable_triggers).to_string(),
        ),
    ];
    parameters.extend(artifacts.iter().map(|artifact| {
        (
            logical_id(&artifact.function, "CodeKey"),
            artifact.key.clone(),
        )
    }));
    let mut tags = vec![
        ("pipeline".to_owned(), pipeline.name.clone()),
        ("stage".to_owned(), stage.to_owned()),
        ("branch".to_owned(), branch.unwrap_or_default()),
        ("expires-at".to_owned(), expires_at.unwrap_or_default()),
        ("owner".to_owned(), owner()),
        ("protected".to_owned(), args.protected.to_string()),
    ];
    tags.retain(|(_, value)| !value.is_empty());
    (parameters, tags)
}

#[cfg(test)]
mod tests {
    use super::stage_from_branch;

    #[test]
    fn branches_become_valid_stage_names() {
        assert_eq!(
            stage_from_branch("feature/Add-Promo_Codes"),
            "feature-add-prom"
        );
        assert_eq!(stage_from_branch("main"), "main");
        assert_eq!(stage_from_branch("123-fix"), "fix");
        assert_eq!(stage_from_branch("///"), "dev");
        assert!(crate::synth::valid_stage(&stage_from_branch(
            "renovate/aws-sdk-1.x"
        )));
    }
}
