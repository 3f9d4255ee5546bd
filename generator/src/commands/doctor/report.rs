//! What `gen doctor` found: one line per check with its status, and the fix for each that did
//! not pass. `Serialize` for `--output json`, `Display` for people.

use std::fmt;

use serde::Serialize;

use crate::aws::CallFailed;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    /// Not in the way of a deploy, but worth knowing (the assets stack is not created yet).
    Warn,
    /// A deploy from here would fail on it.
    Fail,
    /// Not checked: a check it depends on failed.
    Skip,
}

impl Status {
    fn marker(self) -> &'static str {
        match self {
            Status::Pass => "ok",
            Status::Warn => "warn",
            Status::Fail => "FAIL",
            Status::Skip => "skip",
        }
    }
}

/// One check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub name: String,
    pub status: Status,
    /// What was found, or what is wrong.
    pub detail: String,
    /// What to do, one step a line (empty when it passed).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fix: Vec<String>,
}

impl Check {
    pub fn pass(name: &str, detail: impl Into<String>) -> Self {
        Self::new(name, Status::Pass, detail, Vec::new())
    }

    pub fn new(name: &str, status: Status, detail: impl Into<String>, fix: Vec<String>) -> Self {
        Self {
            name: name.to_owned(),
            status,
            detail: detail.into(),
            fix,
        }
    }

    /// A failed AWS call: its one line, and its help as the fix.
    pub fn failed_call(name: &str, failure: &CallFailed) -> Self {
        Self::new(name, Status::Fail, failure.headline(), failure.help())
    }

    pub fn skipped(name: &str, because: &str) -> Self {
        Self::new(
            name,
            Status::Skip,
            format!("not checked: {because}"),
            Vec::new(),
        )
    }
}

/// Every check, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DoctorReport {
    pub schema_version: u32,
    /// No check failed.
    pub ok: bool,
    pub checks: Vec<Check>,
}

impl DoctorReport {
    pub fn new(checks: Vec<Check>) -> Self {
        Self {
            schema_version: 1,
            ok: checks.iter().all(|check| check.status != Status::Fail),
            checks,
        }
    }
}

impl fmt::Display for DoctorReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self
            .checks
            .iter()
            .map(|check| check.name.len())
            .max()
            .unwrap_or_default();
        for check in &self.checks {
            writeln!(
                f,
                "{:<4}  {:<width$}  {}",
                check.status.marker(),
                check.name,
                check.detail
            )?;
            for step in &check.fix {
                writeln!(f, "{:<4}  {:<width$}  fix: {step}", "", "")?;
            }
        }
        let failed = self
            .checks
            .iter()
            .filter(|check| check.status == Status::Fail)
            .count();
        if failed == 0 {
            writeln!(f, "ready to deploy")
        } else {
            let (plural, them) = if failed == 1 {
                ("", "it")
            } else {
                ("s", "them")
            };
            writeln!(
                f,
                "{failed} check{plural} failed: fix {them} before `gen deploy`"
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Check, DoctorReport, Status};
    use crate::aws::{AwsProblem, CallFailed};

    fn report() -> DoctorReport {
        DoctorReport::new(vec![
            Check::pass("region", "`eu-west-1` (from pipeline.yaml)"),
            Check::failed_call(
                "credentials",
                &CallFailed::new("GetCallerIdentity", AwsProblem::ExpiredToken),
            ),
            Check::skipped("assets stack", "no credentials"),
            Check::new(
                "target arm64",
                Status::Warn,
                "`aarch64-unknown-linux-gnu` is not installed",
                vec!["rustup target add aarch64-unknown-linux-gnu".to_owned()],
            ),
        ])
    }

    #[test]
    fn text_aligns_the_checks_and_puts_each_fix_under_its_check() {
        insta::assert_snapshot!(report().to_string());
    }

    #[test]
    fn json_has_a_status_per_check_and_fixes_only_where_needed() {
        let report = report();
        assert!(!report.ok, "a failed check makes the report not ok");
        insta::assert_json_snapshot!(report);
    }
}
