//! Receipt handles: which queue, which message, which receive — so a handle from an earlier
//! receive can be told apart from the current one.

/// A decoded receipt handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Receipt {
    /// The queue's random id.
    pub(super) queue: u64,
    /// The message's sequence number in that queue.
    pub(super) sequence: u64,
    /// The message's receive count at that receive.
    pub(super) receive: u32,
}

impl Receipt {
    /// 56 hex digits.
    pub(super) fn encode(self) -> String {
        format!(
            "{:016x}{:016x}{:08x}{:016x}",
            self.queue,
            self.sequence,
            self.receive,
            fastrand::u64(..)
        )
    }

    /// `None` for anything [`Receipt::encode`] did not produce.
    pub(super) fn decode(text: &str) -> Option<Self> {
        if text.len() != 56 || !text.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            return None;
        }
        Some(Self {
            queue: u64::from_str_radix(&text[..16], 16).ok()?,
            sequence: u64::from_str_radix(&text[16..32], 16).ok()?,
            receive: u32::from_str_radix(&text[32..40], 16).ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_junk() {
        let receipt = Receipt {
            queue: 7,
            sequence: 42,
            receive: 3,
        };
        assert_eq!(Receipt::decode(&receipt.encode()), Some(receipt));
        assert_eq!(Receipt::decode("not-a-handle"), None);
    }
}
