//! Queue attributes: the settings a queue runs with, parsed from and rendered to the string
//! map of `CreateQueue`, `SetQueueAttributes` and `GetQueueAttributes`.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::error::SqsError;

/// How a queue behaves; defaults are AWS's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueSettings {
    /// `VisibilityTimeout` (0–43200 s, default 30 s).
    pub visibility_timeout: Duration,
    /// `MessageRetentionPeriod` (60–1209600 s, default 4 days).
    pub retention: Duration,
    /// `DelaySeconds` (0–900 s).
    pub delay: Duration,
    /// `ReceiveMessageWaitTimeSeconds` (0–20 s): the default long-poll wait.
    pub receive_wait: Duration,
    /// `MaximumMessageSize` in bytes (1024–262144).
    pub maximum_message_size: u32,
    /// `RedrivePolicy`.
    pub redrive: Option<RedrivePolicy>,
    /// `FifoQueue`.
    pub fifo: bool,
    /// `ContentBasedDeduplication` (FIFO only).
    pub content_based_deduplication: bool,
}

impl Default for QueueSettings {
    fn default() -> Self {
        Self {
            visibility_timeout: Duration::from_secs(30),
            retention: Duration::from_secs(345_600),
            delay: Duration::ZERO,
            receive_wait: Duration::ZERO,
            maximum_message_size: 262_144,
            redrive: None,
            fifo: false,
            content_based_deduplication: false,
        }
    }
}

/// Where messages go after too many receives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RedrivePolicy {
    /// The ARN of the dead-letter queue.
    pub dead_letter_target_arn: String,
    /// Receives after which the next receive moves the message instead.
    #[serde(deserialize_with = "number_or_string")]
    pub max_receive_count: u32,
}

fn number_or_string<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Value {
        Number(u32),
        Text(String),
    }
    match Value::deserialize(deserializer)? {
        Value::Number(number) => Ok(number),
        Value::Text(text) => text.parse().map_err(serde::de::Error::custom),
    }
}

/// Attribute names `GetQueueAttributes` answers to (besides `All`).
pub const READABLE: &[&str] = &[
    "QueueArn",
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
    "VisibilityTimeout",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds",
    "RedrivePolicy",
    "FifoQueue",
    "ContentBasedDeduplication",
    "SqsManagedSseEnabled",
];

impl QueueSettings {
    /// Applies `attributes` on top of `self`; `FifoQueue` is accepted only when `creating`.
    pub fn apply(
        &self,
        attributes: &HashMap<String, String>,
        creating: bool,
    ) -> Result<Self, SqsError> {
        let mut settings = self.clone();
        for (name, value) in attributes {
            match name.as_str() {
                "VisibilityTimeout" => {
                    settings.visibility_timeout = seconds(name, value, 0, 43_200)?;
                }
                "MessageRetentionPeriod" => {
                    settings.retention = seconds(name, value, 60, 1_209_600)?;
                }
                "DelaySeconds" => settings.delay = seconds(name, value, 0, 900)?,
                "ReceiveMessageWaitTimeSeconds" => {
                    settings.receive_wait = seconds(name, value, 0, 20)?;
                }
                "MaximumMessageSize" => {
                    settings.maximum_message_size = number(name, value, 1024, 262_144)?;
                }
                "RedrivePolicy" => settings.redrive = redrive(value)?,
                "FifoQueue" if creating => settings.fifo = boolean(name, value)?,
                "ContentBasedDeduplication" => {
                    settings.content_based_deduplication = boolean(name, value)?;
                }
                // Accepted and ignored: encryption and policies do not apply locally.
                "Policy"
                | "KmsMasterKeyId"
                | "KmsDataKeyReusePeriodSeconds"
                | "SqsManagedSseEnabled"
                | "RedriveAllowPolicy"
                | "DeduplicationScope"
                | "FifoThroughputLimit" => {}
                _ => return Err(SqsError::InvalidAttributeName(name.clone())),
            }
        }
        if settings.content_based_deduplication && !settings.fifo {
            return Err(SqsError::InvalidAttributeName(
                "ContentBasedDeduplication".into(),
            ));
        }
        Ok(settings)
    }

    /// The value of one readable attribute, `None` when it does not apply to this queue.
    pub fn render(&self, name: &str) -> Option<String> {
        let text = match name {
            "VisibilityTimeout" => self.visibility_timeout.as_secs().to_string(),
            "MessageRetentionPeriod" => self.retention.as_secs().to_string(),
            "DelaySeconds" => self.delay.as_secs().to_string(),
            "ReceiveMessageWaitTimeSeconds" => self.receive_wait.as_secs().to_string(),
            "MaximumMessageSize" => self.maximum_message_size.to_string(),
            "RedrivePolicy" => {
                serde_json::to_string(self.redrive.as_ref()?).expect("a redrive policy serialises")
            }
            "FifoQueue" if self.fifo => "true".into(),
            "ContentBasedDeduplication" if self.fifo => {
                self.content_based_deduplication.to_string()
            }
            "SqsManagedSseEnabled" => "false".into(),
            _ => return None,
        };
        Some(text)
    }
}

/// Expands `All` and checks names; the result is sorted and free of duplicates.
pub fn requested_names(names: &[String]) -> Result<Vec<&'static str>, SqsError> {
    let mut wanted = BTreeSet::new();
    for name in names {
        if name == "All" {
            return Ok(READABLE.to_vec());
        }
        let known = READABLE
            .iter()
            .find(|known| **known == name)
            .ok_or_else(|| SqsError::InvalidAttributeName(name.clone()))?;
        wanted.insert(*known);
    }
    Ok(wanted.into_iter().collect())
}

fn number(name: &str, value: &str, minimum: u32, maximum: u32) -> Result<u32, SqsError> {
    value
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|number| (minimum..=maximum).contains(number))
        .ok_or_else(|| SqsError::InvalidAttributeValue(name.to_owned()))
}

fn seconds(name: &str, value: &str, minimum: u32, maximum: u32) -> Result<Duration, SqsError> {
    number(name, value, minimum, maximum).map(|seconds| Duration::from_secs(u64::from(seconds)))
}

fn boolean(name: &str, value: &str) -> Result<bool, SqsError> {
    match value.to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(SqsError::InvalidAttributeValue(name.to_owned())),
    }
}

fn redrive(value: &str) -> Result<Option<RedrivePolicy>, SqsError> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    let policy: RedrivePolicy = serde_json::from_str(value)
        .map_err(|_| SqsError::InvalidAttributeValue("RedrivePolicy".into()))?;
    if !(1..=1000).contains(&policy.max_receive_count) {
        return Err(SqsError::InvalidAttributeValue("RedrivePolicy".into()));
    }
    Ok(Some(policy))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(pairs: &[(&str, &str)]) -> Result<QueueSettings, SqsError> {
        let attributes = pairs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect();
        QueueSettings::default().apply(&attributes, true)
    }

    #[test]
    fn parses_and_renders_settings() {
        let settings = apply(&[
            ("VisibilityTimeout", "5"),
            (
                "RedrivePolicy",
                r#"{"deadLetterTargetArn":"arn:x","maxReceiveCount":"3"}"#,
            ),
        ])
        .expect("valid");
        assert_eq!(settings.visibility_timeout, Duration::from_secs(5));
        assert_eq!(
            settings.render("RedrivePolicy").as_deref(),
            Some(r#"{"deadLetterTargetArn":"arn:x","maxReceiveCount":3}"#)
        );
        assert_eq!(settings.render("FifoQueue"), None);
    }

    #[test]
    fn rejects_bad_values_and_names() {
        #[track_caller]
        fn case(pairs: &[(&str, &str)], expected: &SqsError) {
            assert_eq!(apply(pairs).as_ref(), Err(expected));
        }
        case(
            &[("VisibilityTimeout", "43201")],
            &SqsError::InvalidAttributeValue("VisibilityTimeout".into()),
        );
        case(
            &[("Colour", "red")],
            &SqsError::InvalidAttributeName("Colour".into()),
        );
        case(
            &[("RedrivePolicy", "{}")],
            &SqsError::InvalidAttributeValue("RedrivePolicy".into()),
        );
    }
}
