//! The engine's door for requests: once closed, requests are refused, and the engine can wait
//! until those already inside have finished, so a save taken then holds every write the engine
//! acknowledged.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// Counts requests inside; clones share the count.
#[derive(Debug, Clone, Default)]
pub struct Gate {
    state: Arc<State>,
}

#[derive(Debug, Default)]
struct State {
    inside: AtomicUsize,
    closed: AtomicBool,
}

/// A request inside; leaving (or being dropped mid-request) lets it out.
#[derive(Debug)]
pub struct Pass {
    state: Arc<State>,
}

impl Drop for Pass {
    fn drop(&mut self) {
        self.state.inside.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Gate {
    /// Lets a request in; `None` once the gate is closed.
    pub fn enter(&self) -> Option<Pass> {
        // Counted before the check: `close` then either sees this request inside, or this
        // request sees the gate closed.
        self.state.inside.fetch_add(1, Ordering::SeqCst);
        let pass = Pass {
            state: Arc::clone(&self.state),
        };
        (!self.state.closed.load(Ordering::SeqCst)).then_some(pass)
    }

    /// Refuses every request from now on.
    pub fn close(&self) {
        self.state.closed.store(true, Ordering::SeqCst);
    }

    /// Waits until no request is inside.
    pub async fn drained(&self) {
        while self.state.inside.load(Ordering::SeqCst) > 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_closed_gate_refuses_and_drains_once_the_last_request_leaves() {
        let gate = Gate::default();
        let inside = gate.enter().expect("open");
        gate.close();
        assert!(gate.enter().is_none());
        let waiting = tokio::spawn({
            let gate = gate.clone();
            async move { gate.drained().await }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiting.is_finished(), "a request is still inside");
        drop(inside);
        tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("drained")
            .expect("joined");
    }
}
