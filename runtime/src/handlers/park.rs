//! Parking: a message that can never succeed is written to the bucket under `dead-letters/`
//! with its reason and original body, once per message id.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{DEAD_LETTER_PREFIX, GuardedStore, key_segment};
use crate::batch::RecordFailure;
use crate::handler::RecordContext;
use crate::ports::ObjectStore;

/// What a parked message looks like in the bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParkedMessage {
    /// The SQS message id.
    pub message_id: String,
    /// Why it could not be processed.
    pub reason: String,
    /// The body exactly as received.
    pub body: String,
    /// The queue it came from (ARN), if known.
    pub source: Option<String>,
    /// SQS attributes (receive count, sent timestamp, group id, …).
    pub attributes: BTreeMap<String, String>,
    /// String message attributes.
    pub message_attributes: BTreeMap<String, String>,
    /// When it was parked (RFC 3339).
    pub parked_at: String,
}

/// Parks the record with `reason`; returns the key it is parked under. Already parked by an earlier delivery is as good as parked
/// now: the first copy is kept.
pub(crate) async fn park<S: ObjectStore>(
    store: &GuardedStore<S>,
    record: &RecordContext<'_>,
    reason: String,
) -> Result<String, RecordFailure> {
    let default = aws_lambda_events::event::sqs::SqsMessage::default();
    let sqs = record.record().unwrap_or(&default);
    let message_id = record.message_id().to_owned();
    let key = format!("{DEAD_LETTER_PREFIX}{}.json", key_segment(&message_id));
    let parked = ParkedMessage {
        message_id,
        reason,
        body: record.body().to_owned(),
        source: sqs.event_source_arn.clone(),
        attributes: sqs
            .attributes
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        message_attributes: sqs
            .message_attributes
            .iter()
            .filter_map(|(name, value)| value.string_value.clone().map(|text| (name.clone(), text)))
            .collect(),
        parked_at: record.now().to_owned(),
    };
    let json = serde_json::to_vec_pretty(&parked)
        .map_err(|error| RecordFailure::transient(error.to_string()))?;
    store
        .put_if_absent(&key, &json, "application/json")
        .await
        .map_err(|error| RecordFailure::transient(format!("could not park: {error}")))?;
    Ok(key)
}
