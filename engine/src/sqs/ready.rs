//! Which visible messages a receive takes next: one line for standard queues, and for FIFO
//! queues one ordered line per message group, of which only groups with nothing in flight may
//! deliver. Every operation is O(1) or O(log n).

use std::collections::{BTreeSet, HashMap, VecDeque};

/// The visible messages of a queue, by sequence number.
#[derive(Debug)]
pub(super) enum Ready {
    /// Standard queue: oldest visible first. Holds stale numbers of messages deleted while
    /// visible; the caller skips those when popped.
    Standard(VecDeque<u64>),
    /// FIFO queue: per-group order and locking; never stale.
    Fifo(Groups),
}

/// FIFO message groups.
#[derive(Debug, Default)]
pub(super) struct Groups {
    by_name: HashMap<String, Group>,
    /// Groups that may deliver; a name may be stale (checked when popped).
    eligible: VecDeque<String>,
    /// The group the current receive is draining.
    current: Option<String>,
}

#[derive(Debug, Default)]
struct Group {
    pending: BTreeSet<u64>,
    in_flight: usize,
    queued: bool,
}

impl Ready {
    pub(super) fn new(fifo: bool) -> Self {
        if fifo {
            Self::Fifo(Groups::default())
        } else {
            Self::Standard(VecDeque::new())
        }
    }

    /// A message became visible.
    pub(super) fn push(&mut self, sequence: u64, group: &str) {
        match self {
            Self::Standard(line) => line.push_back(sequence),
            Self::Fifo(groups) => {
                groups.entry(group).pending.insert(sequence);
                groups.queue_if_eligible(group);
            }
        }
    }

    /// The next visible message for a receive; FIFO counts it in flight at once.
    pub(super) fn pop(&mut self) -> Option<u64> {
        match self {
            Self::Standard(line) => line.pop_front(),
            Self::Fifo(groups) => groups.pop(),
        }
    }

    /// A receive is over: FIFO stops draining its current group.
    pub(super) fn end_receive(&mut self) {
        if let Self::Fifo(groups) = self
            && let Some(name) = groups.current.take()
        {
            groups.queue_if_eligible(&name);
            groups.forget_if_empty(&name);
        }
    }

    /// A visible message was deleted or expired.
    pub(super) fn remove_visible(&mut self, sequence: u64, group: &str) {
        if let Self::Fifo(groups) = self
            && let Some(entry) = groups.by_name.get_mut(group)
        {
            entry.pending.remove(&sequence);
            groups.forget_if_empty(group);
        }
    }

    /// A message stopped being in flight (deleted, visible again, expired or dead-lettered).
    pub(super) fn leave_flight(&mut self, group: &str) {
        if let Self::Fifo(groups) = self
            && let Some(entry) = groups.by_name.get_mut(group)
        {
            entry.in_flight = entry.in_flight.saturating_sub(1);
            groups.queue_if_eligible(group);
            groups.forget_if_empty(group);
        }
    }

    /// A message of `group` is in flight without having been popped (restored from a save).
    pub(super) fn enter_flight(&mut self, group: &str) {
        if let Self::Fifo(groups) = self {
            groups.entry(group).in_flight += 1;
        }
    }

    /// Forgets everything.
    pub(super) fn clear(&mut self) {
        match self {
            Self::Standard(line) => line.clear(),
            Self::Fifo(groups) => *groups = Groups::default(),
        }
    }
}

impl Groups {
    fn entry(&mut self, name: &str) -> &mut Group {
        self.by_name.entry(name.to_owned()).or_default()
    }

    fn queue_if_eligible(&mut self, name: &str) {
        if self.current.as_deref() == Some(name) {
            return;
        }
        if let Some(group) = self.by_name.get_mut(name)
            && group.in_flight == 0
            && !group.pending.is_empty()
            && !group.queued
        {
            group.queued = true;
            self.eligible.push_back(name.to_owned());
        }
    }

    fn forget_if_empty(&mut self, name: &str) {
        if self.current.as_deref() != Some(name)
            && self
                .by_name
                .get(name)
                .is_some_and(|group| group.in_flight == 0 && group.pending.is_empty())
        {
            self.by_name.remove(name);
        }
    }

    fn pop(&mut self) -> Option<u64> {
        loop {
            if let Some(name) = &self.current {
                if let Some(group) = self.by_name.get_mut(name)
                    && let Some(sequence) = group.pending.pop_first()
                {
                    group.in_flight += 1;
                    return Some(sequence);
                }
                self.current = None;
            }
            let name = self.eligible.pop_front()?;
            let Some(group) = self.by_name.get_mut(&name) else {
                continue;
            };
            group.queued = false;
            if group.in_flight == 0 && !group.pending.is_empty() {
                self.current = Some(name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fifo_group_with_a_message_in_flight_delivers_nothing_more() {
        let mut ready = Ready::new(true);
        ready.push(1, "a");
        ready.push(2, "a");
        ready.push(3, "b");
        assert_eq!(ready.pop(), Some(1));
        ready.end_receive();
        assert_eq!(ready.pop(), Some(3));
        ready.end_receive();
        assert_eq!(ready.pop(), None);
        ready.leave_flight("a");
        assert_eq!(ready.pop(), Some(2));
    }

    #[test]
    fn one_fifo_receive_drains_a_group_in_order_then_moves_on() {
        let mut ready = Ready::new(true);
        for (sequence, group) in [(1, "a"), (2, "b"), (3, "a")] {
            ready.push(sequence, group);
        }
        let taken: Vec<_> = std::iter::from_fn(|| ready.pop()).collect();
        assert_eq!(taken, [1, 3, 2]);
    }
}
