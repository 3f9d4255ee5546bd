//! Template parameters: the stage, ephemeral-stage tags, code locations and switches.

use std::collections::BTreeMap;

use super::SynthOptions;
use super::template::{Expr, Parameter};
use crate::config::Pipeline;
use crate::config::naming::{MAX_STAGE_LEN, NAME_PATTERN, logical_id};

pub(super) const STAGE: &str = "Stage";
pub(super) const BRANCH: &str = "Branch";
pub(super) const EXPIRES_AT: &str = "ExpiresAt";
pub(super) const CODE_BUCKET: &str = "CodeBucket";
pub(super) const ALARM_EMAIL: &str = "AlarmEmail";
pub(super) const EVENT_SOURCES: &str = "EventSourcesEnabled";
pub(super) const HAS_ALARM_EMAIL: &str = "HasAlarmEmail";
pub(super) const EVENT_SOURCES_ON: &str = "EventSourcesOn";

/// The parameter holding the S3 key of a function's zip.
pub(super) fn code_key(function: &str) -> String {
    logical_id(function, "CodeKey")
}

/// The parameter holding the S3 object version of a function's zip, which pins the code.
pub(super) fn code_version(function: &str) -> String {
    logical_id(function, "CodeVersion")
}

/// The condition that a function's code version is given.
pub(super) fn has_code_version(function: &str) -> String {
    logical_id(function, "HasCodeVersion")
}

pub(super) fn all(pipeline: &Pipeline, options: &SynthOptions) -> BTreeMap<String, Parameter> {
    let mut parameters = BTreeMap::from([
        (STAGE.to_owned(), Parameter {
            allowed_pattern: Some(NAME_PATTERN.to_owned()),
            max_length: Some(u32::try_from(MAX_STAGE_LEN).unwrap_or(u32::MAX)),
            constraint_description: Some(format!("1 to {MAX_STAGE_LEN} lowercase letters, digits and hyphens, starting with a letter")),
            ..Parameter::string("Stage suffixed to every physical name (`gen deploy --stage`).").default(options.stage.clone())
        }),
        (BRANCH.to_owned(), Parameter::string("Git branch of an ephemeral stage (tag only).").default("")),
        (EXPIRES_AT.to_owned(), Parameter::string("RFC 3339 expiry of an ephemeral stage, for `gen gc` (tag only).").default("")),
        (CODE_BUCKET.to_owned(), Parameter::string("Bucket holding the functions' zips (`gen deploy` uploads them by hash).")),
        (EVENT_SOURCES.to_owned(), Parameter {
            allowed_values: vec!["true".to_owned(), "false".to_owned()],
            ..Parameter::string("Whether the queue triggers are enabled (`false` for emulators that cannot invoke).").default("true")
        }),
    ]);
    parameters.insert(
        ALARM_EMAIL.to_owned(),
        Parameter::string(
            "E-mail address subscribed to the stage's alarm topic (`alarms.email`); empty for none.",
        )
        .default(pipeline.alarm_email.clone().unwrap_or_default()),
    );
    for name in pipeline.functions.keys() {
        parameters.insert(
            code_key(name),
            Parameter::string(format!("S3 key of the zip of function `{name}`.")),
        );
        parameters.insert(
            code_version(name),
            Parameter::string(format!(
                "S3 object version of the zip of function `{name}`, which pins its code; empty when the bucket is not versioned."
            ))
            .default(""),
        );
    }
    parameters
}

pub(super) fn conditions(pipeline: &Pipeline) -> BTreeMap<String, Expr> {
    let equals = |parameter: &str, value: &str| {
        Expr::Equals(
            Box::new(Expr::reference(parameter)),
            Box::new(Expr::str(value)),
        )
    };
    let mut conditions = BTreeMap::from([
        (EVENT_SOURCES_ON.to_owned(), equals(EVENT_SOURCES, "true")),
        (
            HAS_ALARM_EMAIL.to_owned(),
            Expr::Not(Box::new(equals(ALARM_EMAIL, ""))),
        ),
    ]);
    for name in pipeline.functions.keys() {
        conditions.insert(
            has_code_version(name),
            Expr::Not(Box::new(equals(&code_version(name), ""))),
        );
    }
    conditions
}
