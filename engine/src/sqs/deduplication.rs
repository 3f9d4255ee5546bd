//! FIFO deduplication: ids remembered for five minutes, with what the first send answered.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use tokio::time::Instant;

use super::queue::Sent;

/// How long FIFO queues remember a deduplication id.
pub(super) const DEDUPLICATION_WINDOW: Duration = Duration::from_secs(300);

/// Deduplication ids seen in the last five minutes; expiry is O(1) amortised.
#[derive(Debug, Default)]
pub(super) struct Deduplication {
    seen: HashMap<String, (Instant, Sent)>,
    /// Ids by expiry; ids are inserted at most once per window, so this is in order.
    expiries: VecDeque<(Instant, String)>,
}

impl Deduplication {
    /// What the first send with `id` answered, if it is still remembered.
    pub(super) fn get(&self, id: &str) -> Option<&Sent> {
        self.seen.get(id).map(|(_, sent)| sent)
    }

    /// Remembers a send until `now` + five minutes.
    pub(super) fn remember(&mut self, id: String, sent: Sent, now: Instant) {
        let expires = now + DEDUPLICATION_WINDOW;
        self.expiries.push_back((expires, id.clone()));
        self.seen.insert(id, (expires, sent));
    }

    /// Every remembered id with when it is forgotten and its first send's answer.
    pub(super) fn entries(&self) -> impl Iterator<Item = (&str, Instant, &Sent)> {
        self.seen
            .iter()
            .map(|(id, (expires, sent))| (id.as_str(), *expires, sent))
    }

    /// Remembers `id` until `expires` (a restored id keeps the rest of its window).
    pub(super) fn restore(&mut self, id: String, sent: Sent, expires: Instant) {
        let at = self
            .expiries
            .partition_point(|(other, _)| *other <= expires);
        self.expiries.insert(at, (expires, id.clone()));
        self.seen.insert(id, (expires, sent));
    }

    /// Forgets ids whose window closed by `now`.
    pub(super) fn expire(&mut self, now: Instant) {
        while let Some((expires, _)) = self.expiries.front()
            && *expires <= now
        {
            if let Some((_, id)) = self.expiries.pop_front()
                && self
                    .seen
                    .get(&id)
                    .is_some_and(|(expires, _)| *expires <= now)
            {
                self.seen.remove(&id);
            }
        }
    }
}
