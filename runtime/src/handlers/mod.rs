//! The three handlers of seed 000. Each takes one SQS record and ends it in exactly one
//! terminal state — or fails it with a reason, so SQS delivers it again (and, after
//! `maxReceiveCount`, to the DLQ).
//!
//! | handler | success | failure |
//! |---|---|---|
//! | order processor | invoiced (or already invoiced), notification sent | invalid order, store or queue down |
//! | notification logger | logged | unreadable notification |
//! | DLQ processor | requeued, repaired-and-requeued (once), or parked with its reason | store or queue down |

use std::fmt::Write as _;

mod dlq_processor;
mod notification_logger;
mod order_processor;
mod store;

pub use dlq_processor::{DlqOutcome, DlqProcessor, ParkedMessage};
pub use notification_logger::{Notification, NotificationLogger};
pub use order_processor::{OrderOutcome, OrderProcessor};
pub use store::GuardedStore;

/// Object key prefix of invoices.
pub const INVOICE_PREFIX: &str = "invoices/";
/// Object key prefix of parked dead letters.
pub const DEAD_LETTER_PREFIX: &str = "dead-letters/";
/// Message attribute counting DLQ requeues of a message.
pub const ATTEMPTS_ATTRIBUTE: &str = "requeue-attempts";
/// Message attribute marking a message the DLQ processor repaired.
pub const REPAIRED_ATTRIBUTE: &str = "repaired";
/// Message attribute carrying a notification's idempotency key.
pub const IDEMPOTENCY_ATTRIBUTE: &str = "idempotency-key";

/// A key-safe form of an id: letters, digits, `-`, `_` and `.` stay; anything else becomes
/// `%XX` per UTF-8 byte, so distinct ids never share a key.
pub fn key_segment(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for byte in id.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    // A leading dot would make `.` and `..` segments; encode it.
    match out.strip_prefix('.') {
        Some(rest) => format!("%2E{rest}"),
        None => out,
    }
}

/// The object key of an order's invoice.
pub fn invoice_key(order_id: &str) -> String {
    format!("{INVOICE_PREFIX}{}.json", key_segment(order_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_safe_and_distinct() {
        assert_eq!(invoice_key("ORD-12345"), "invoices/ORD-12345.json");
        assert_eq!(invoice_key("a/b"), "invoices/a%2Fb.json");
        assert_eq!(invoice_key("a%2Fb"), "invoices/a%252Fb.json");
        assert_eq!(invoice_key("../x"), "invoices/%2E.%2Fx.json");
        assert_eq!(invoice_key("é"), "invoices/%C3%A9.json");
    }
}
