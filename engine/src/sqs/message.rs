//! A message as SQS stores it, and the MD5 digests SQS returns for its body and attributes.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use base64::Engine as _;
use md5::{Digest as _, Md5};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// A message attribute value as the JSON protocol carries it (`BinaryValue` is base64).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeValue {
    /// `String`, `Number` or `Binary`, optionally with a `.custom` suffix.
    pub data_type: String,
    /// The value of `String` and `Number` attributes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub string_value: Option<String>,
    /// The base64 value of `Binary` attributes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub binary_value: Option<String>,
}

/// Message attributes by name, in the byte order SQS digests them.
pub type Attributes = BTreeMap<String, AttributeValue>;

/// A stored message: what was sent plus what SQS tracks about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// The id SQS assigned on send (a UUID).
    pub message_id: String,
    /// The body as sent.
    pub body: String,
    /// The message attributes as sent.
    pub attributes: Attributes,
    /// Hex MD5 of the body.
    pub md5_of_body: String,
    /// Hex MD5 of the attributes, when there are any.
    pub md5_of_attributes: Option<String>,
    /// `SentTimestamp`: milliseconds since the Unix epoch.
    pub sent_timestamp: u64,
    /// `ApproximateReceiveCount`.
    pub receive_count: u32,
    /// `ApproximateFirstReceiveTimestamp`: milliseconds since the Unix epoch.
    pub first_receive_timestamp: Option<u64>,
    /// FIFO only: `MessageGroupId`.
    pub group_id: Option<String>,
    /// FIFO only: `MessageDeduplicationId` (explicit or the body's SHA-256).
    pub deduplication_id: Option<String>,
    /// FIFO only: `SequenceNumber`.
    pub sequence_number: Option<String>,
    /// `DeadLetterQueueSourceArn`: the queue it was dead-lettered from, on a dead-letter queue;
    /// where a message move task without `DestinationArn` sends it back.
    pub dead_letter_source_arn: Option<String>,
}

/// Hex MD5 of a message body, as `MD5OfMessageBody` / `MD5OfBody`.
pub fn md5_of_body(body: &str) -> String {
    hex(&Md5::digest(body.as_bytes()))
}

/// Hex SHA-256 of a body: the deduplication id under `ContentBasedDeduplication`.
pub fn sha256_of_body(body: &str) -> String {
    hex(&Sha256::digest(body.as_bytes()))
}

/// Hex MD5 of message attributes in SQS's encoding (length-prefixed name, type, transport byte
/// and value, names in byte order), or `None` when there are none.
pub fn md5_of_attributes(attributes: &Attributes) -> Option<String> {
    if attributes.is_empty() {
        return None;
    }
    let mut buffer = Vec::new();
    for (name, value) in attributes {
        push_length_prefixed(&mut buffer, name.as_bytes());
        push_length_prefixed(&mut buffer, value.data_type.as_bytes());
        if let Some(binary) = &value.binary_value {
            buffer.push(2);
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(binary)
                .unwrap_or_default();
            push_length_prefixed(&mut buffer, &decoded);
        } else {
            buffer.push(1);
            push_length_prefixed(
                &mut buffer,
                value.string_value.as_deref().unwrap_or("").as_bytes(),
            );
        }
    }
    Some(hex(&Md5::digest(&buffer)))
}

fn push_length_prefixed(buffer: &mut Vec<u8>, bytes: &[u8]) {
    let length = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    buffer.extend_from_slice(&length.to_be_bytes());
    buffer.extend_from_slice(bytes);
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut text, byte| {
            let _ = write!(text, "{byte:02x}");
            text
        })
}

/// A random UUID (version 4) for message ids and request ids.
pub fn new_uuid() -> String {
    let high = fastrand::u64(..);
    let low = fastrand::u64(..);
    let time_low = high >> 32;
    let time_mid = (high >> 16) & 0xffff;
    let version = (high & 0x0fff) | 0x4000;
    let variant = ((low >> 48) & 0x3fff) | 0x8000;
    let node = low & 0xffff_ffff_ffff;
    format!("{time_low:08x}-{time_mid:04x}-{version:04x}-{variant:04x}-{node:012x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_digests_match_known_values() {
        assert_eq!(md5_of_body("hello"), "5d41402abc4b2a76b9719d911017c592");
        assert_eq!(
            sha256_of_body("hello"),
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
    }

    #[test]
    fn attribute_digest_matches_the_sdk_documentation_example() {
        // Computed with the algorithm of the SQS developer guide for one String attribute.
        let mut attributes = Attributes::new();
        attributes.insert(
            "a".into(),
            AttributeValue {
                data_type: "String".into(),
                string_value: Some("b".into()),
                binary_value: None,
            },
        );
        let expected = hex(&Md5::digest([
            0, 0, 0, 1, b'a', 0, 0, 0, 6, b'S', b't', b'r', b'i', b'n', b'g', 1, 0, 0, 0, 1, b'b',
        ]));
        assert_eq!(md5_of_attributes(&attributes), Some(expected));
        assert_eq!(md5_of_attributes(&Attributes::new()), None);
    }

    #[test]
    fn uuids_have_the_version_4_shape() {
        let id = new_uuid();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
    }
}
