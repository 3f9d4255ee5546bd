//! What the engine accepts and holds, so a runaway handler or client gets AWS's errors instead
//! of the developer's machine running out of memory.

/// The engine's bounds; [`Limits::default`] suits a developer's machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest object one `PutObject` may write (AWS allows 5 GiB; past this the engine
    /// answers `EntityTooLarge`, as S3 does past its own limit).
    pub max_object_bytes: u64,
    /// The most bytes of objects and queued messages held at once; past it S3 writes get
    /// `503 ServiceUnavailable` and SQS sends `OverLimit`.
    pub max_stored_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_object_bytes: 256 * MIB,
            max_stored_bytes: 2 * 1024 * MIB,
        }
    }
}

/// The largest SQS request body read: AWS's largest batch payload is 1 MiB (`SendMessageBatch`
/// API reference), and JSON escaping can double it.
pub const MAX_SQS_REQUEST_BYTES: usize = 2 * MIB_USIZE;

/// The most of a query-protocol form read to name its `Action`.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

const MIB: u64 = 1024 * 1024;
const MIB_USIZE: usize = 1024 * 1024;
