//! Request and response bodies of the AWS JSON 1.0 protocol, as aws-sdk-sqs sends and reads
//! them (`PascalCase` members, absent members omitted).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::message::Attributes;

/// `CreateQueue`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateQueueInput {
    pub queue_name: String,
    #[serde(default)]
    pub attributes: HashMap<String, String>,
}

/// `GetQueueUrl`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetQueueUrlInput {
    pub queue_name: String,
}

/// `CreateQueue` and `GetQueueUrl` answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct QueueUrlOutput {
    pub queue_url: String,
}

/// `ListQueues`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListQueuesInput {
    #[serde(default)]
    pub queue_name_prefix: Option<String>,
    #[serde(default)]
    pub max_results: Option<usize>,
    #[serde(default)]
    pub next_token: Option<String>,
}

/// `ListQueues` answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListQueuesOutput {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub queue_urls: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// Operations that name only a queue (`DeleteQueue`, `PurgeQueue`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct QueueUrlInput {
    pub queue_url: String,
}

/// `GetQueueAttributes`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetQueueAttributesInput {
    pub queue_url: String,
    #[serde(default)]
    pub attribute_names: Vec<String>,
}

/// `GetQueueAttributes` answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetQueueAttributesOutput {
    pub attributes: std::collections::BTreeMap<String, String>,
}

/// `SetQueueAttributes`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetQueueAttributesInput {
    pub queue_url: String,
    #[serde(default)]
    pub attributes: HashMap<String, String>,
}

/// `SendMessage`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SendMessageInput {
    pub queue_url: String,
    #[serde(flatten)]
    pub entry: SendEntry,
}

/// The message part of `SendMessage` and of a `SendMessageBatch` entry.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SendEntry {
    #[serde(default)]
    pub message_body: String,
    #[serde(default)]
    pub delay_seconds: Option<u32>,
    #[serde(default)]
    pub message_attributes: Attributes,
    #[serde(default)]
    pub message_group_id: Option<String>,
    #[serde(default)]
    pub message_deduplication_id: Option<String>,
}

/// `SendMessage` answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SendMessageOutput {
    pub message_id: String,
    #[serde(rename = "MD5OfMessageBody")]
    pub md5_of_message_body: String,
    #[serde(
        rename = "MD5OfMessageAttributes",
        skip_serializing_if = "Option::is_none"
    )]
    pub md5_of_message_attributes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence_number: Option<String>,
}

/// `SendMessageBatch`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SendMessageBatchInput {
    pub queue_url: String,
    #[serde(default)]
    pub entries: Vec<SendBatchEntry>,
}

/// One `SendMessageBatch` entry.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SendBatchEntry {
    pub id: String,
    #[serde(flatten)]
    pub entry: SendEntry,
}

/// One successful `SendMessageBatch` entry.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SendBatchResult {
    pub id: String,
    #[serde(flatten)]
    pub output: SendMessageOutput,
}

/// One failed batch entry.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BatchFailure {
    pub id: String,
    pub sender_fault: bool,
    pub code: String,
    pub message: String,
}

/// A batch answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BatchOutput<T> {
    pub successful: Vec<T>,
    pub failed: Vec<BatchFailure>,
}

/// `ReceiveMessage`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReceiveMessageInput {
    pub queue_url: String,
    #[serde(default)]
    pub attribute_names: Vec<String>,
    #[serde(default)]
    pub message_system_attribute_names: Vec<String>,
    #[serde(default)]
    pub message_attribute_names: Vec<String>,
    #[serde(default)]
    pub max_number_of_messages: Option<i64>,
    #[serde(default)]
    pub visibility_timeout: Option<i64>,
    #[serde(default)]
    pub wait_time_seconds: Option<i64>,
}

/// `ReceiveMessage` answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReceiveMessageOutput {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<OutputMessage>,
}

/// One received message.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OutputMessage {
    pub message_id: String,
    pub receipt_handle: String,
    #[serde(rename = "MD5OfBody")]
    pub md5_of_body: String,
    pub body: String,
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub attributes: std::collections::BTreeMap<String, String>,
    #[serde(
        rename = "MD5OfMessageAttributes",
        skip_serializing_if = "Option::is_none"
    )]
    pub md5_of_message_attributes: Option<String>,
    #[serde(skip_serializing_if = "Attributes::is_empty")]
    pub message_attributes: Attributes,
}

/// `DeleteMessage`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteMessageInput {
    pub queue_url: String,
    pub receipt_handle: String,
}

/// `DeleteMessageBatch`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteMessageBatchInput {
    pub queue_url: String,
    #[serde(default)]
    pub entries: Vec<DeleteBatchEntry>,
}

/// One `DeleteMessageBatch` entry.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteBatchEntry {
    pub id: String,
    pub receipt_handle: String,
}

/// One successful batch entry that carries only its id.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BatchId {
    pub id: String,
}

/// `ChangeMessageVisibility`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChangeMessageVisibilityInput {
    pub queue_url: String,
    pub receipt_handle: String,
    pub visibility_timeout: i64,
}

/// `ChangeMessageVisibilityBatch`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChangeMessageVisibilityBatchInput {
    pub queue_url: String,
    #[serde(default)]
    pub entries: Vec<ChangeVisibilityBatchEntry>,
}

/// One `ChangeMessageVisibilityBatch` entry.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChangeVisibilityBatchEntry {
    pub id: String,
    pub receipt_handle: String,
    pub visibility_timeout: i64,
}
