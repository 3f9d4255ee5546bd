//! Which stage a deploy targets, and the parameters and tags that describe it.

use crate::aws::stages::{self, Stage};
use crate::cli::DeployArgs;
use crate::config::Pipeline;
use crate::config::naming::MAX_STAGE_LEN;
use crate::printer::Printer;

/// The CI variables that name the branch when git cannot (a detached HEAD, as CI checks out
/// pull requests), in the order they are read: GitHub Actions (a pull request's head, then the
/// ref), GitLab CI, Buildkite, `CircleCI`.
pub(super) const CI_BRANCH_VARIABLES: [&str; 5] = [
    "GITHUB_HEAD_REF",
    "GITHUB_REF_NAME",
    "CI_COMMIT_REF_NAME",
    "BUILDKITE_BRANCH",
    "CIRCLE_BRANCH",
];

/// The branch being deployed: that of the git repository holding the pipeline file, or the
/// CI's when it is on a detached HEAD or not in a repository.
pub(super) fn git_branch(pipeline_file: &std::path::Path) -> Option<String> {
    let folder = pipeline_file
        .parent()
        .filter(|folder| !folder.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    // `symbolic-ref` answers on a branch without commits too, and fails on a detached HEAD.
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(folder)
        .args(["symbolic-ref", "--short", "-q", "HEAD"])
        .output()
        .ok()
        .filter(|output| output.status.success());
    let git = output.map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned());
    branch_from(git.as_deref(), &|name| std::env::var(name).ok())
}

/// The branch from git's answer (`HEAD` when detached) or else the first CI variable set.
pub(super) fn branch_from(
    git: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<String> {
    let known = |branch: &str| !branch.is_empty() && branch != "HEAD";
    git.filter(|branch| known(branch))
        .map(str::to_owned)
        .or_else(|| {
            CI_BRANCH_VARIABLES
                .iter()
                .find_map(|name| env(name).filter(|branch| known(branch)))
        })
}

/// Who deploys: git's `user.name` (a name, not an address), else `$USER`.
fn owner() -> String {
    std::process::Command::new("git")
        .args(["config", "user.name"])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .filter(|name| !name.is_empty())
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_default()
}

/// `feature/Add-Tax` → `feature-add-tax`: lowercase, hyphens, starting with a letter. A
/// name longer than a stage may be is cut and given a suffix hashed from the whole branch, so
/// branches sharing a long prefix keep apart (`dependabot/cargo/serde-1.0.1` →
/// `dependabo-` and six hex digits).
pub fn stage_from_branch(branch: &str) -> String {
    let mut stage = String::new();
    for character in branch.chars() {
        if character.is_ascii_alphanumeric() {
            stage.push(character.to_ascii_lowercase());
        } else if !stage.ends_with('-') && !stage.is_empty() {
            stage.push('-');
        }
    }
    let mut stage = stage
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '-')
        .trim_end_matches('-')
        .to_owned();
    if !stage.is_empty() && stage.len() <= MAX_STAGE_LEN {
        return stage;
    }
    let suffix = &crate::package::hex_sha256(branch.as_bytes())[..HASH_CHARS];
    if stage.is_empty() {
        stage.push('b');
    }
    stage.truncate(MAX_STAGE_LEN - HASH_CHARS - 1);
    while stage.ends_with('-') {
        stage.pop();
    }
    format!("{stage}-{suffix}")
}

/// Hex characters of the branch's hash in a shortened stage name (16⁶ ≈ 17 million).
const HASH_CHARS: usize = 6;

/// The stage `--stage` names: itself, or for `auto` the branch's; `auto` without a branch is
/// refused rather than sent to a stage other branches share.
pub(super) fn resolve(requested: &str, branch: Option<&str>) -> Result<String, String> {
    let stage = if requested == "auto" {
        let Some(branch) = branch else {
            return Err(format!(
                "`--stage auto` cannot tell which branch this is: git is on a detached HEAD (or not in a repository) and none of {} is set\nhelp: pass `--stage NAME`",
                CI_BRANCH_VARIABLES
                    .map(|name| format!("`{name}`"))
                    .join(", ")
            ));
        };
        stage_from_branch(branch)
    } else {
        requested.to_owned()
    };
    if !crate::synth::valid_stage(&stage) {
        return Err(format!(
            "`{stage}` is not a valid stage name: use up to {MAX_STAGE_LEN} lowercase letters, digits and hyphens"
        ));
    }
    Ok(stage)
}

/// When a stage deployed now with `ttl` expires (RFC 3339).
pub(super) fn expiry(ttl: Option<crate::config::values::Duration>) -> Option<String> {
    ttl.map(|ttl| {
        let at = std::time::SystemTime::now() + std::time::Duration::from_secs(ttl.as_secs());
        aws_sdk_s3::primitives::DateTime::from(at)
            .fmt(aws_sdk_s3::primitives::DateTimeFormat::DateTime)
            .unwrap_or_default()
    })
}

/// Key–value pairs: template parameters or stack tags.
type KeyValues = Vec<(String, String)>;

/// The template parameters (stage, code locations, switches) and the stack tags of a stage.
#[expect(
    clippy::too_many_arguments,
    reason = "each is one fact about the stage; a struct would only rename them"
)]
pub(super) fn parameters_and_tags(
    pipeline: &Pipeline,
    stage: &str,
    args: &DeployArgs,
    assets: &str,
    branch: Option<String>,
    expires_at: Option<String>,
    code: Vec<(String, String)>,
    existing: Option<&Stage>,
) -> (KeyValues, KeyValues) {
    // Unknown here, the branch the stage was deployed from stays recorded.
    let branch = branch.or_else(|| existing.and_then(|stage| stage.branch.clone()));
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
    parameters.extend(code);
    let mut tags = vec![
        ("pipeline".to_owned(), pipeline.name.clone()),
        ("stage".to_owned(), stage.to_owned()),
        ("branch".to_owned(), branch.unwrap_or_default()),
        ("expires-at".to_owned(), expires_at.unwrap_or_default()),
        ("owner".to_owned(), owner()),
        (
            "protected".to_owned(),
            protected(args, existing).to_string(),
        ),
    ];
    tags.retain(|(_, value)| !value.is_empty());
    (parameters, tags)
}

/// Whether the stage is protected after this deploy: protection is sticky, only
/// `--unprotect` removes it.
pub(super) fn protected(args: &DeployArgs, existing: Option<&Stage>) -> bool {
    args.protected || (!args.unprotect && existing.is_some_and(|stage| stage.protected))
}

/// Switches the stack's termination protection to match the stage's protection. The
/// `protected` tag already guards it from `gen`; CloudFormation's guard is a second line, so a
/// failure to switch it (emulators lack the call) warns rather than fails the deploy.
pub(super) async fn termination_protection(
    client: &aws_sdk_cloudformation::Client,
    stack: &str,
    had: Option<bool>,
    wanted: bool,
    printer: &Printer,
) {
    if had.unwrap_or(false) == wanted {
        return;
    }
    if let Err(error) = stages::set_termination_protection(client, stack, wanted).await {
        printer.note(&format!(
            "warning: termination protection of `{stack}` not switched {}: {error}\n",
            if wanted { "on" } else { "off" }
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::{branch_from, stage_from_branch};

    #[test]
    fn branches_become_valid_stage_names() {
        #[track_caller]
        fn case(branch: &str, expected: &str) {
            let stage = stage_from_branch(branch);
            assert_eq!(stage, expected);
            assert!(crate::synth::valid_stage(&stage), "{stage}");
        }
        case("main", "main");
        case("feature/Add-Tax", "feature-add-tax");
        case("123-fix", "fix");
        // Over 16 characters: cut, with the first 6 hex digits of the branch's SHA-256.
        case("feature/Add-Promo", "feature-a-35a2ac");
        case("feature/Add-Promo_Codes", "feature-a-68b771");
        case("renovate/aws-sdk-1.x", "renovate-decdaa");
        // Nothing usable: a letter and the hash, never a shared default.
        case("///", "b-732c4e");
    }

    #[test]
    fn long_branches_sharing_a_prefix_keep_apart() {
        let branches = [
            "dependabot/cargo/serde-1.0.1",
            "dependabot/cargo/serde-1.0.2",
            "dependabot/cargo/tokio-1.40.0",
            "dependabot/cargo/tokio-1.41.0",
        ];
        let stages: std::collections::BTreeSet<String> = branches
            .iter()
            .map(|branch| stage_from_branch(branch))
            .collect();
        assert_eq!(stages.len(), branches.len(), "{stages:?}");
        assert!(stages.iter().all(|stage| stage.starts_with("dependabo")));
    }

    #[test]
    fn the_branch_comes_from_ci_on_a_detached_head() {
        #[track_caller]
        fn case(git: Option<&str>, env: &[(&str, &str)], expected: Option<&str>) {
            let lookup = |name: &str| {
                env.iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| (*value).to_owned())
            };
            assert_eq!(branch_from(git, &lookup).as_deref(), expected);
        }
        case(
            Some("feature/x"),
            &[("GITHUB_REF_NAME", "main")],
            Some("feature/x"),
        );
        case(Some("HEAD"), &[], None);
        case(None, &[], None);
        // A pull request on GitHub: its head branch, not the merge ref.
        case(
            Some("HEAD"),
            &[
                ("GITHUB_HEAD_REF", "feature/x"),
                ("GITHUB_REF_NAME", "7/merge"),
            ],
            Some("feature/x"),
        );
        // A push on GitHub sets GITHUB_HEAD_REF empty.
        case(
            Some("HEAD"),
            &[("GITHUB_HEAD_REF", ""), ("GITHUB_REF_NAME", "main")],
            Some("main"),
        );
        case(
            Some("HEAD"),
            &[("CI_COMMIT_REF_NAME", "fix/y")],
            Some("fix/y"),
        );
        case(None, &[("BUILDKITE_BRANCH", "bk")], Some("bk"));
        case(Some("HEAD"), &[("CIRCLE_BRANCH", "circle")], Some("circle"));
    }

    #[test]
    fn protection_sticks_until_unprotect() {
        use clap::Parser as _;
        #[track_caller]
        fn case(flags: &[&str], was_protected: Option<bool>, expected: bool) {
            let cli =
                crate::cli::Cli::try_parse_from(["gen", "deploy"].iter().chain(flags).copied())
                    .unwrap();
            let crate::cli::Command::Deploy(args) = cli.command else {
                unreachable!("parsed `gen deploy`")
            };
            let existing = was_protected.map(|protected| crate::aws::stages::Stage {
                stage: "prod".to_owned(),
                stack: "orders--prod".to_owned(),
                status: "UPDATE_COMPLETE".to_owned(),
                owner: None,
                branch: None,
                created: None,
                expires_at: None,
                protected,
                termination_protection: protected,
                tags: std::collections::BTreeMap::new(),
                code_bucket: None,
            });
            assert_eq!(super::protected(&args, existing.as_ref()), expected);
        }
        case(&[], None, false);
        case(&["--protected"], None, true);
        case(&[], Some(true), true);
        case(&["--protected"], Some(true), true);
        case(&["--unprotect"], Some(true), false);
        case(&[], Some(false), false);
        case(&["--protected"], Some(false), true);
        assert!(
            crate::cli::Cli::try_parse_from(["gen", "deploy", "--protected", "--unprotect"])
                .is_err()
        );
    }

    #[test]
    fn auto_without_a_branch_is_refused_not_sent_to_a_shared_stage() {
        let refused = super::resolve("auto", None).unwrap_err();
        assert!(refused.contains("--stage NAME"), "{refused}");
        assert!(refused.contains("`GITHUB_HEAD_REF`"), "{refused}");
        assert_eq!(
            super::resolve("auto", Some("feature/x")).unwrap(),
            "feature-x"
        );
        assert_eq!(super::resolve("prod", None).unwrap(), "prod");
        assert!(super::resolve("Prod", None).is_err());
    }
}
