//! Targets as `PutTargets` sends them and as [`TargetSpec`] configures them, checked with
//! EventBridge's rules (`API_Target`, `API_RetryPolicy`, `API_InputTransformer`): an id of 1–64
//! `[.\-_A-Za-z0-9]`, at most one of `Input`, `InputPath` and `InputTransformer`, retry attempts
//! 0–185 and an event age of 60–86,400 seconds, a message group for FIFO queues. The engine
//! delivers to its own SQS queues only, and says so for any other ARN.

use std::collections::BTreeMap;
use std::time::Duration;

use patterns::input::{InputPath, InputTransformer};
use serde_json::{Value, json};

use super::error::EventsError;
use super::registry::{
    DEFAULT_MAX_AGE, DEFAULT_MAX_ATTEMPTS, Target, TargetInput, check_name, queue_of,
};
use super::spec::TargetSpec;
use crate::sqs::registry::Registry as Queues;

/// Reads one target of a `PutTargets` request; `position` (from 1) names it in messages.
pub fn from_request(target: &Value, position: usize) -> Result<Target, EventsError> {
    let id = target.get("Id").and_then(Value::as_str).unwrap_or_default();
    check_name("Id", id, 64)?;
    let arn = target
        .get("Arn")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if queue_of(&arn).is_none() {
        return Err(EventsError::validation(format!(
            "Parameter {arn} is not valid for target {id}: the local engine delivers to its own SQS queues only (arn:aws:sqs:us-east-1:000000000000:<queue>)."
        )));
    }
    let text = |field: &str| target.get(field).and_then(Value::as_str).map(str::to_owned);
    let input = text("Input");
    let input_path = text("InputPath");
    let transformer = target.get("InputTransformer").filter(|value| !value.is_null());
    let given = [input.is_some(), input_path.is_some(), transformer.is_some()]
        .into_iter()
        .filter(|given| *given)
        .count();
    if given > 1 {
        return Err(EventsError::validation(format!(
            "Only one of Input, InputPath, or InputTransformer must be provided for target {id}."
        )));
    }
    let input = if let Some(input) = input {
        if serde_json::from_str::<Value>(&input).is_err() {
            return Err(EventsError::validation(format!(
                "Input for target {id} is not valid JSON text."
            )));
        }
        TargetInput::Constant(input)
    } else if let Some(path) = input_path {
        TargetInput::Path(parse_path(id, &path)?)
    } else if let Some(transformer) = transformer {
        let paths: BTreeMap<String, String> = transformer
            .get("InputPathsMap")
            .and_then(Value::as_object)
            .map(|map| {
                map.iter()
                    .map(|(name, path)| (name.clone(), path.as_str().unwrap_or_default().to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let template = transformer
            .get("InputTemplate")
            .and_then(Value::as_str)
            .unwrap_or_default();
        TargetInput::Transformer(parse_transformer(id, &paths, template)?)
    } else {
        TargetInput::Event
    };
    let retry = target.get("RetryPolicy");
    let max_attempts = bounded(
        retry.and_then(|retry| retry.get("MaximumRetryAttempts")),
        position,
        "retryPolicy.maximumRetryAttempts",
        0,
        185,
    )?
    .map_or(DEFAULT_MAX_ATTEMPTS, |value| u32::try_from(value).unwrap_or(DEFAULT_MAX_ATTEMPTS));
    let max_age = bounded(
        retry.and_then(|retry| retry.get("MaximumEventAgeInSeconds")),
        position,
        "retryPolicy.maximumEventAgeInSeconds",
        60,
        86_400,
    )?
    .map_or(DEFAULT_MAX_AGE, Duration::from_secs);
    let dead_letter_arn = target
        .get("DeadLetterConfig")
        .and_then(|config| config.get("Arn"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    if let Some(dead_letter) = &dead_letter_arn
        && queue_of(dead_letter).is_none()
    {
        return Err(EventsError::validation(format!(
            "The dead-letter queue {dead_letter} of target {id} is not a queue of the local engine (arn:aws:sqs:us-east-1:000000000000:<queue>)."
        )));
    }
    let message_group_id = target
        .get("SqsParameters")
        .and_then(|parameters| parameters.get("MessageGroupId"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    if arn.ends_with(".fifo") && message_group_id.is_none() {
        return Err(EventsError::validation(format!(
            "Parameter(s) SqsParameters must be specified for target: {id}."
        )));
    }
    Ok(Target {
        id: id.to_owned(),
        arn,
        input,
        max_attempts,
        max_age,
        dead_letter_arn,
        message_group_id,
        description: target.clone(),
    })
}

/// The target a [`TargetSpec`] configures, described as `PutTargets` would have received it.
pub fn from_spec(spec: &TargetSpec) -> Result<Target, EventsError> {
    let mut description = json!({
        "Id": spec.id,
        "Arn": Queues::arn(&spec.queue),
        "RetryPolicy": {
            "MaximumRetryAttempts": spec.max_attempts,
            "MaximumEventAgeInSeconds": spec.max_age.as_secs(),
        },
    });
    if let Some(path) = &spec.input_path {
        description["InputPath"] = json!(path);
    }
    if let Some((paths, template)) = &spec.input_transformer {
        description["InputTransformer"] =
            json!({ "InputPathsMap": paths, "InputTemplate": template });
    }
    if let Some(queue) = &spec.dead_letter_queue {
        description["DeadLetterConfig"] = json!({ "Arn": Queues::arn(queue) });
    }
    from_request(&description, 1)
}

fn parse_path(id: &str, path: &str) -> Result<InputPath, EventsError> {
    InputPath::parse(path).map_err(|error| {
        EventsError::validation(format!(
            "InputPath for target {id} is not valid: {} ({})",
            error.message, error.help
        ))
    })
}

fn parse_transformer(
    id: &str,
    paths: &BTreeMap<String, String>,
    template: &str,
) -> Result<InputTransformer, EventsError> {
    InputTransformer::new(paths, template).map_err(|error| {
        EventsError::validation(format!(
            "InputTransformer for target {id} is not valid: {} ({})",
            error.message, error.help
        ))
    })
}

/// A whole number in `minimum..=maximum`, or the constraint message EventBridge answers.
fn bounded(
    value: Option<&Value>,
    position: usize,
    member: &str,
    minimum: u64,
    maximum: u64,
) -> Result<Option<u64>, EventsError> {
    let Some(value) = value.filter(|value| !value.is_null()) else {
        return Ok(None);
    };
    let number = value.as_i64().unwrap_or(-1);
    match u64::try_from(number) {
        Ok(number) if number < minimum => Err(constraint(
            number.to_string(),
            position,
            member,
            &format!("greater than or equal to {minimum}"),
        )),
        Ok(number) if number > maximum => Err(constraint(
            number.to_string(),
            position,
            member,
            &format!("less than or equal to {maximum}"),
        )),
        Ok(number) => Ok(Some(number)),
        Err(_) => Err(constraint(
            value.to_string(),
            position,
            member,
            &format!("greater than or equal to {minimum}"),
        )),
    }
}

fn constraint(value: String, position: usize, member: &str, bound: &str) -> EventsError {
    EventsError::validation(format!(
        "1 validation error detected: Value '{value}' at 'targets.{position}.member.{member}' failed to satisfy constraint: Member must have value {bound}"
    ))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[track_caller]
    fn refused(target: &Value, fragment: &str) {
        let error = from_request(target, 1).expect_err("refused");
        assert!(error.to_string().contains(fragment), "{error}");
    }

    #[test]
    fn targets_are_checked_as_eventbridge_checks_them() {
        let queue = "arn:aws:sqs:us-east-1:000000000000:orders";
        let target = from_request(&json!({"Id": "orders", "Arn": queue}), 1).expect("valid");
        assert_eq!(target.max_attempts, 185);
        assert_eq!(target.max_age, Duration::from_secs(86_400));
        refused(
            &json!({"Id": "o", "Arn": queue, "Input": "{}", "InputPath": "$.detail"}),
            "Only one of Input, InputPath, or InputTransformer",
        );
        refused(
            &json!({"Id": "o", "Arn": queue, "RetryPolicy": {"MaximumRetryAttempts": 186}}),
            "'targets.1.member.retryPolicy.maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 185",
        );
        refused(
            &json!({"Id": "o", "Arn": queue, "RetryPolicy": {"MaximumEventAgeInSeconds": 59}}),
            "greater than or equal to 60",
        );
        refused(
            &json!({"Id": "o", "Arn": "arn:aws:sqs:us-east-1:000000000000:o.fifo"}),
            "Parameter(s) SqsParameters must be specified for target: o.",
        );
        refused(
            &json!({"Id": "o", "Arn": "arn:aws:lambda:us-east-1:000000000000:function:f"}),
            "its own SQS queues only",
        );
        refused(
            &json!({"Id": "o", "Arn": queue, "InputTransformer": {"InputTemplate": "<missing>"}}),
            "no input path defines",
        );
        refused(&json!({"Id": "a b", "Arn": queue}), "regular expression pattern");
    }
}
