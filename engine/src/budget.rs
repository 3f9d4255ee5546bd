//! The bytes the engine holds for its services (object bodies, queued messages) against one
//! cap, so a runaway producer gets AWS-shaped errors instead of an out-of-memory kill.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A shared count of bytes held and the cap on it; clones share the count.
#[derive(Debug, Clone)]
pub struct Budget {
    used: Arc<AtomicU64>,
    cap: u64,
}

/// Holding more would pass the cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the local engine holds {used} bytes of objects and messages; {wanted} more would pass its cap of {cap}"
)]
pub struct Exhausted {
    /// Bytes held now.
    pub used: u64,
    /// Bytes asked for.
    pub wanted: u64,
    /// The cap.
    pub cap: u64,
}

impl Default for Budget {
    fn default() -> Self {
        Self::new(u64::MAX)
    }
}

impl Budget {
    /// Nothing held, at most `cap` bytes.
    pub fn new(cap: u64) -> Self {
        Self {
            used: Arc::new(AtomicU64::new(0)),
            cap,
        }
    }

    /// Bytes held now.
    pub fn used(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }

    /// Replaces `released` held bytes with `wanted` ones, unless the total would pass the cap.
    pub fn swap(&self, released: u64, wanted: u64) -> Result<(), Exhausted> {
        self.used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                used.saturating_sub(released)
                    .checked_add(wanted)
                    .filter(|total| *total <= self.cap)
            })
            .map(drop)
            .map_err(|used| Exhausted {
                used,
                wanted,
                cap: self.cap,
            })
    }

    /// `Ok` when `wanted` more bytes would fit.
    pub fn check(&self, wanted: u64) -> Result<(), Exhausted> {
        let used = self.used();
        if used.saturating_add(wanted) <= self.cap {
            Ok(())
        } else {
            Err(Exhausted {
                used,
                wanted,
                cap: self.cap,
            })
        }
    }

    /// Holds `bytes` more whatever the cap (a move between queues, already counted once).
    pub fn add(&self, bytes: u64) {
        self.used.fetch_add(bytes, Ordering::Relaxed);
    }

    /// No longer holds `bytes`.
    pub fn release(&self, bytes: u64) {
        // Never below zero, even if accounting were off by a message.
        let _ = self
            .used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                Some(used.saturating_sub(bytes))
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swaps_past_the_cap_are_refused_and_releases_make_room() {
        let budget = Budget::new(100);
        budget.swap(0, 60).expect("fits");
        assert_eq!(
            budget.swap(0, 50),
            Err(Exhausted {
                used: 60,
                wanted: 50,
                cap: 100
            })
        );
        budget
            .swap(60, 100)
            .expect("a replacement counts only its new size");
        assert!(budget.check(1).is_err());
        budget.release(30);
        budget.check(30).expect("released bytes are reusable");
        assert_eq!(budget.used(), 70);
    }
}
