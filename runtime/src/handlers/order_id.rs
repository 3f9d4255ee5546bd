//! [`OrderIds`]: minted order ids — ULIDs, 26 characters of Crockford base32 whose order is the
//! order they were minted in: the first 48 bits are the time in milliseconds, the other 80
//! random. Ids minted by one process in the same millisecond (or after the clock stepped back)
//! follow the last one (its random part plus one), so they still sort in minting order.

use std::sync::{Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use ulid::Ulid;

/// Mints order ids (shared by every request a process answers).
#[derive(Debug)]
pub struct OrderIds {
    state: Mutex<(Ulid, fastrand::Rng)>,
}

impl Default for OrderIds {
    fn default() -> Self {
        Self::with_rng(fastrand::Rng::new())
    }
}

impl OrderIds {
    /// Ids whose random parts come from `rng` (seed it for reproducible ids in tests).
    pub fn with_rng(rng: fastrand::Rng) -> Self {
        Self {
            state: Mutex::new((Ulid::nil(), rng)),
        }
    }

    /// A new id, now.
    pub fn mint(&self) -> String {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| {
                u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
            });
        self.mint_at(now_ms).to_string()
    }

    /// A new id at `now_ms` (milliseconds since the epoch): after every id minted before it.
    pub fn mint_at(&self, now_ms: u64) -> Ulid {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let (last, rng) = &mut *state;
        let fresh = Ulid::from_parts(now_ms, rng.u128(..));
        let next = if fresh > *last {
            fresh
        } else {
            // Same millisecond, or the clock stepped back: one past the last id.
            last.increment()
                .unwrap_or_else(|_| Ulid::from_parts(last.timestamp_ms() + 1, rng.u128(..)))
        };
        *last = next;
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_in_minting_order_even_within_a_millisecond() {
        let ids = OrderIds::with_rng(fastrand::Rng::with_seed(7));
        let minted: Vec<String> = [1_000, 1_000, 1_000, 999, 1_001, 5_000]
            .into_iter()
            .map(|ms| ids.mint_at(ms).to_string())
            .collect();
        let mut sorted = minted.clone();
        sorted.sort();
        assert_eq!(minted, sorted, "string order is minting order");
        let unique: std::collections::BTreeSet<&String> = minted.iter().collect();
        assert_eq!(unique.len(), minted.len());
        assert!(minted.iter().all(|id| id.len() == 26));
        assert_eq!(Ulid::from_string(&minted[5]).unwrap().timestamp_ms(), 5_000);
    }

    #[test]
    fn minted_now_ids_are_ulids_of_now() {
        let ids = OrderIds::default();
        let first = ids.mint();
        let second = ids.mint();
        assert!(first < second);
        let ms = Ulid::from_string(&first).unwrap().timestamp_ms();
        let now = u64::try_from(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_millis(),
        )
        .unwrap();
        assert!(now - ms < 60_000, "minted within the last minute");
    }
}
