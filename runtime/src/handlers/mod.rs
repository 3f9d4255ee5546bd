//! The built-in handlers, each an implementation of the [`Handler`](crate::Handler) contract:
//! one decodes and ends each record in exactly one terminal state — or fails it with a reason, so
//! SQS delivers it again (and, after `maxReceiveCount`, to the DLQ). Each reads its own variables
//! when it is built (`build`, from a [`Startup`](crate::Startup)).
//!
//! | handler | success | failure |
//! |---|---|---|
//! | order processor | invoiced (or already invoiced), notification sent; a redelivered id with other content parked | invalid order, store or queue down |
//! | notification logger | logged | unreadable notification |
//! | DLQ processor | requeued, repaired-and-requeued (once), or parked with its reason | store or queue down |
//! | order ingest (API) | `202` accepted and enqueued | `400` with every problem; `429`/`503` queue throttled/down |
//! | order store | written once, emailed at most once | no `order_id`/`email`; table or email down |

use std::fmt::Write as _;

mod dlq_processor;
mod notification_logger;
mod order_id;
mod order_ingest;
mod order_processor;
mod order_request;
mod order_store;
mod park;
mod store;

pub use dlq_processor::{DlqOutcome, DlqProcessor};
pub use notification_logger::{Notification, NotificationLogger};
pub use order_id::OrderIds;
pub use order_ingest::{
    Accepted, ENQUEUED_METRIC, MAX_MESSAGE_BYTES, ORDER_PLACED, OrderIngest, PUBLISHED_METRIC,
};
pub use order_processor::{OrderOutcome, OrderProcessor};
pub use order_request::OrderRequest;
pub use order_store::{
    EMAILS_SENT_METRIC, EMAILS_UNKNOWN_METRIC, EmailFate, ITEM_ATTRIBUTES, OrderStore, QueuedOrder,
    Stored,
};
pub use park::ParkedMessage;
pub use store::GuardedStore;

/// Object key prefix of invoices.
pub const INVOICE_PREFIX: &str = "invoices/";
/// Object key prefix of parked dead letters.
pub const DEAD_LETTER_PREFIX: &str = "dead-letters/";
/// Object key prefix of the DLQ processor's requeue records (one object per requeue of an
/// order): the bound on requeues lives in the bucket, where no sender can reset it.
pub const REQUEUE_PREFIX: &str = "requeues/";
/// Message attribute telling which requeue of its order a message is (information only: the
/// count that bounds requeues is kept under [`REQUEUE_PREFIX`]).
pub const ATTEMPTS_ATTRIBUTE: &str = "requeue-attempts";
/// Message attribute marking a message the DLQ processor repaired (information only).
pub const REPAIRED_ATTRIBUTE: &str = "repaired";
/// Message attribute carrying a notification's idempotency key.
pub const IDEMPOTENCY_ATTRIBUTE: &str = "idempotency-key";
/// The longest object key S3 accepts, in bytes (UTF-8).
pub const MAX_KEY_BYTES: usize = 1024;

/// One bucket prefix a built-in handler touches: it creates objects there, always with a
/// conditional put (`If-None-Match: *`, never replacing one), and reads them back when `reads`.
/// The template's IAM policy is generated from these lists, so what a handler's code does and
/// what its role allows come from one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrefixAccess {
    /// The key prefix, `/`-terminated: `invoices/`.
    pub prefix: &'static str,
    /// Whether the handler reads objects under it (`GetObject`).
    pub reads: bool,
}

/// The order processor writes invoices (and reads one back when a redelivery finds it) and
/// parks orders that conflict with a stored invoice.
pub const ORDER_PROCESSOR_BUCKET: &[PrefixAccess] = &[
    PrefixAccess {
        prefix: INVOICE_PREFIX,
        reads: true,
    },
    PrefixAccess {
        prefix: DEAD_LETTER_PREFIX,
        reads: false,
    },
];

/// A handler of one's own (`handler: custom`) creates and reads objects anywhere in the bucket
/// its `writes` names ([`crate::resources::Bucket`]).
pub const CUSTOM_BUCKET: &[PrefixAccess] = &[PrefixAccess {
    prefix: "",
    reads: true,
}];

/// The DLQ processor parks dead letters and records each requeue.
pub const DLQ_PROCESSOR_BUCKET: &[PrefixAccess] = &[
    PrefixAccess {
        prefix: DEAD_LETTER_PREFIX,
        reads: false,
    },
    PrefixAccess {
        prefix: REQUEUE_PREFIX,
        reads: false,
    },
];

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

/// `key`, or why S3 would refuse it: an order id of multi-byte characters encodes to three bytes
/// per byte, and S3 answers a key over [`MAX_KEY_BYTES`] with `KeyTooLongError`. The reason names
/// the order, for an invalid-order failure.
pub fn bounded_key(key: String, order_id: &str) -> Result<String, String> {
    if key.len() <= MAX_KEY_BYTES {
        return Ok(key);
    }
    let shown: String = order_id.chars().take(32).collect();
    Err(format!(
        "invalid order: order_id `{shown}…` encodes to an object key of {} bytes; S3 allows {MAX_KEY_BYTES} (use a shorter id, or fewer non-ASCII characters)",
        key.len()
    ))
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

    #[test]
    fn keys_over_the_s3_limit_are_an_invalid_order() {
        let id = "日".repeat(128);
        let key = invoice_key(&id);
        assert_eq!(key.len(), "invoices/".len() + 128 * 9 + ".json".len());
        let reason = bounded_key(key, &id).unwrap_err();
        assert!(reason.starts_with("invalid order: order_id `"), "{reason}");
        assert!(reason.contains("1166 bytes; S3 allows 1024"), "{reason}");
        let short = invoice_key("ORD-1");
        assert_eq!(bounded_key(short.clone(), "ORD-1"), Ok(short));
    }
}
