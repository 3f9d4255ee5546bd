//! What `gen ls` prints: the stages as aligned columns with ages a person reads.

use std::fmt::Write as _;

use aws_sdk_s3::primitives::{DateTime, DateTimeFormat};
use serde::Serialize;

use crate::aws::stages::Stage;

/// `gen ls`'s result.
#[derive(Debug, Clone, Serialize)]
pub struct Listing {
    pub pipeline: String,
    /// The region looked in.
    pub region: String,
    pub stages: Vec<Stage>,
    /// When the listing was taken (seconds since 1970), the reference of the ages shown.
    #[serde(skip)]
    pub now: i64,
}

impl std::fmt::Display for Listing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.stages.is_empty() {
            return writeln!(
                f,
                "no stage of pipeline `{}` is deployed in `{}` (`--region` looks in another)",
                self.pipeline, self.region
            );
        }
        let dash = |value: &Option<String>| value.clone().unwrap_or_else(|| "-".to_owned());
        let mut rows = vec![[
            "STAGE".to_owned(),
            "STATUS".to_owned(),
            "OWNER".to_owned(),
            "BRANCH".to_owned(),
            "CREATED".to_owned(),
            "EXPIRES".to_owned(),
        ]];
        for stage in &self.stages {
            let created = stage
                .created
                .as_deref()
                .and_then(seconds)
                .map_or_else(|| "-".to_owned(), |at| relative(at, self.now));
            let expires = match stage.expires_at.as_deref().and_then(seconds) {
                _ if stage.protected => "never (protected)".to_owned(),
                Some(at) if at <= self.now => format!("expired {}", relative(at, self.now)),
                Some(at) => relative(at, self.now),
                None => "never".to_owned(),
            };
            rows.push([
                stage.stage.clone(),
                stage.status.clone(),
                dash(&stage.owner),
                dash(&stage.branch),
                created,
                expires,
            ]);
        }
        let mut widths = [0; 6];
        for row in &rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        for row in &rows {
            let mut line = String::new();
            for (cell, width) in row.iter().zip(widths) {
                let _ = write!(line, "{cell:<width$}  ");
            }
            writeln!(f, "{}", line.trim_end())?;
        }
        Ok(())
    }
}

fn seconds(text: &str) -> Option<i64> {
    DateTime::from_str(text, DateTimeFormat::DateTime)
        .ok()
        .map(|at| at.secs())
}

/// `at` relative to `now`: `3h ago`, `in 2d`.
fn relative(at: i64, now: i64) -> String {
    let span = |seconds: i64| {
        let seconds = seconds.unsigned_abs();
        match seconds {
            0..60 => format!("{seconds}s"),
            60..3_600 => format!("{}m", seconds / 60),
            3_600..86_400 => format!("{}h", seconds / 3_600),
            _ => format!("{}d", seconds / 86_400),
        }
    };
    if at > now {
        format!("in {}", span(at - now))
    } else {
        format!("{} ago", span(now - at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_as_people_say_them() {
        #[track_caller]
        fn case(at: i64, now: i64, expected: &str) {
            assert_eq!(relative(at, now), expected);
        }
        case(0, 5, "5s ago");
        case(0, 3 * 3_600 + 59, "3h ago");
        case(2 * 86_400 + 10, 0, "in 2d");
        case(90, 0, "in 1m");
        case(0, 0, "0s ago");
    }

    fn stage(name: &str, owner: &str, expires_at: Option<&str>, protected: bool) -> Stage {
        Stage {
            stage: name.to_owned(),
            stack: format!("orders--{name}"),
            status: "CREATE_COMPLETE".to_owned(),
            owner: Some(owner.to_owned()),
            branch: Some(format!("feature/{name}")),
            created: Some("2026-11-30T07:00:00Z".to_owned()),
            expires_at: expires_at.map(str::to_owned),
            protected,
            termination_protection: protected,
            tags: std::collections::BTreeMap::new(),
            code_bucket: None,
        }
    }

    #[test]
    fn columns_stay_aligned_with_long_owners() {
        let listing = Listing {
            pipeline: "orders".to_owned(),
            region: "us-east-1".to_owned(),
            stages: vec![
                stage("pr-7", "Ann", Some("2026-11-30T09:00:00Z"), false),
                stage(
                    "pr-8",
                    "Bartholomew Longname-Smythe",
                    Some("2026-12-02T10:00:00Z"),
                    false,
                ),
                stage("prod", "Ci", None, true),
                stage("dev", "Ci", None, false),
            ],
            now: seconds("2026-11-30T10:00:00Z").unwrap(),
        };
        insta::assert_snapshot!(listing.to_string());
    }
}
