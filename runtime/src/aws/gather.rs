//! Sends to one queue made within a moment of each other go out as one `SendMessageBatch`: a
//! batch of records that each notify (or requeue, or enqueue) makes one request instead of ten.
//! SQS bills a batch of up to ten messages as one request, and every request saved is a round
//! trip and a signature saved.
//!
//! The first send to a queue opens a batch and a timer of [`LINGER`]; sends to the same queue
//! join it until it holds [`MAX_ENTRIES`] messages or would pass [`MAX_BYTES`], or the timer
//! ends. Each send gets its own entry's answer: one failed entry fails that send only. The batch
//! is sent by a task of its own, so a caller that gives up (a record past its deadline) does not
//! take the others' sends with it.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::oneshot;

use crate::ports::{OutgoingMessage, PortError};

/// How long an open batch waits for more sends. The records of a batch run concurrently and
/// reach their send within about this much of each other; a send waits at most this long.
pub const LINGER: Duration = Duration::from_millis(2);
/// SQS's most entries in one `SendMessageBatch`.
pub const MAX_ENTRIES: usize = 10;
/// The most bytes one batch carries: SQS's limit on a batch is the queue's maximum message size,
/// and 256 KiB is the smallest maximum a queue made by `gen` has.
pub const MAX_BYTES: usize = 262_144;

/// Sends a batch: one answer per message, in the order given.
pub trait Flush: Clone + Send + Sync + 'static {
    /// Sends `messages` to `queue_url` together.
    fn flush(
        &self,
        queue_url: String,
        messages: Vec<OutgoingMessage>,
    ) -> impl Future<Output = Vec<Result<String, PortError>>> + Send;
}

/// Gathers sends into batches and sends each with `F`.
#[derive(Debug, Clone)]
pub struct Gatherer<F> {
    flush: F,
    open: Arc<Mutex<Open>>,
}

type Answer = oneshot::Sender<Result<String, PortError>>;

#[derive(Debug, Default)]
struct Open {
    opened: u64,
    batches: HashMap<String, Batch>,
}

#[derive(Debug)]
struct Batch {
    id: u64,
    entries: Vec<(OutgoingMessage, Answer)>,
    bytes: usize,
}

impl<F: Flush> Gatherer<F> {
    /// No batch open yet.
    pub fn new(flush: F) -> Self {
        Self {
            flush,
            open: Arc::default(),
        }
    }

    /// Sends `message` to `queue_url` in the batch open for it; returns the new message id.
    pub async fn send(
        &self,
        queue_url: &str,
        message: OutgoingMessage,
    ) -> Result<String, PortError> {
        let size = message_size(&message);
        let (answer, answered) = oneshot::channel();
        let mut full = Vec::new();
        let mut opened = None;
        {
            let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
            let Open {
                opened: count,
                batches,
            } = &mut *open;
            if batches
                .get(queue_url)
                .is_some_and(|batch| batch.bytes + size > MAX_BYTES)
            {
                full.extend(batches.remove(queue_url));
            }
            let batch = batches.entry(queue_url.to_owned()).or_insert_with(|| {
                *count += 1;
                opened = Some(*count);
                Batch {
                    id: *count,
                    entries: Vec::new(),
                    bytes: 0,
                }
            });
            batch.entries.push((message, answer));
            batch.bytes += size;
            if batch.entries.len() >= MAX_ENTRIES {
                full.extend(batches.remove(queue_url));
            }
        }
        for batch in full {
            tokio::spawn(deliver(
                self.flush.clone(),
                queue_url.to_owned(),
                batch.entries,
            ));
        }
        if let Some(id) = opened {
            tokio::spawn(self.clone().close_after_linger(queue_url.to_owned(), id));
        }
        answered.await.unwrap_or_else(|_| {
            Err(PortError {
                ambiguous: true,
                ..PortError::transient(
                    format!("SendMessage {queue_url}"),
                    "the batch it was gathered into ended without an answer",
                )
            })
        })
    }

    /// Sends batch `id` when its linger ends, unless it filled up and went already.
    async fn close_after_linger(self, queue_url: String, id: u64) {
        tokio::time::sleep(LINGER).await;
        let batch = {
            let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
            if open
                .batches
                .get(&queue_url)
                .is_some_and(|batch| batch.id == id)
            {
                open.batches.remove(&queue_url)
            } else {
                None
            }
        };
        if let Some(batch) = batch {
            deliver(self.flush, queue_url, batch.entries).await;
        }
    }
}

/// Sends a batch and hands each entry its answer.
async fn deliver<F: Flush>(flush: F, queue_url: String, entries: Vec<(OutgoingMessage, Answer)>) {
    let (messages, answers): (Vec<_>, Vec<_>) = entries.into_iter().unzip();
    let results = flush.flush(queue_url, messages).await;
    for (answer, result) in answers.into_iter().zip(results) {
        // A caller that gave up no longer listens; its message went anyway.
        let _ = answer.send(result);
    }
}

/// A message's size as SQS counts it: the body and each attribute's name, type and value.
pub fn message_size(message: &OutgoingMessage) -> usize {
    message.body.len()
        + message
            .attributes
            .iter()
            .map(|(name, value)| name.len() + "String".len() + value.len())
            .sum::<usize>()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// Records each batch; fails the entries whose body is `bad`.
    #[derive(Clone, Default)]
    struct Recorder {
        batches: Arc<Mutex<Vec<Vec<String>>>>,
        calls: Arc<AtomicUsize>,
    }

    impl Recorder {
        /// How many messages each batch held, in the order the batches went.
        fn sizes(&self) -> Vec<usize> {
            self.batches.lock().unwrap().iter().map(Vec::len).collect()
        }
    }

    impl Flush for Recorder {
        async fn flush(
            &self,
            _queue_url: String,
            messages: Vec<OutgoingMessage>,
        ) -> Vec<Result<String, PortError>> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            let bodies: Vec<String> = messages.iter().map(|m| m.body.clone()).collect();
            self.batches.lock().unwrap().push(bodies.clone());
            bodies
                .into_iter()
                .map(|body| {
                    if body == "bad" {
                        Err(PortError::permanent(
                            "SendMessage q",
                            "InvalidMessageContents",
                        ))
                    } else {
                        Ok(format!("id-{body}"))
                    }
                })
                .collect()
        }
    }

    fn message(body: impl Into<String>) -> OutgoingMessage {
        OutgoingMessage {
            body: body.into(),
            ..OutgoingMessage::default()
        }
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_sends_go_in_batches_of_ten() {
        let recorder = Recorder::default();
        let gatherer = Gatherer::new(recorder.clone());
        let sends = (0..25).map(|n| gatherer.send("q", message(n.to_string())));
        let ids = futures_util::future::join_all(sends).await;
        let ids: Vec<String> = ids.into_iter().map(Result::unwrap).collect();
        assert_eq!(ids, (0..25).map(|n| format!("id-{n}")).collect::<Vec<_>>());
        let sizes = recorder.sizes();
        assert_eq!(
            sizes,
            [10, 10, 5],
            "two full batches at once, the rest after the linger"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn each_queue_has_its_own_batch_and_a_lone_send_goes_after_the_linger() {
        let recorder = Recorder::default();
        let gatherer = Gatherer::new(recorder.clone());
        let started = tokio::time::Instant::now();
        let (a, b) = tokio::join!(
            gatherer.send("a", message("1")),
            gatherer.send("b", message("2"))
        );
        assert_eq!(
            (a.unwrap(), b.unwrap()),
            ("id-1".to_owned(), "id-2".to_owned())
        );
        assert_eq!(recorder.calls.load(Ordering::SeqCst), 2);
        assert_eq!(started.elapsed(), LINGER);
    }

    #[tokio::test(start_paused = true)]
    async fn one_failed_entry_fails_only_its_own_send() {
        let recorder = Recorder::default();
        let gatherer = Gatherer::new(recorder.clone());
        let (good, bad, other) = tokio::join!(
            gatherer.send("q", message("good")),
            gatherer.send("q", message("bad")),
            gatherer.send("q", message("other")),
        );
        assert_eq!(good.unwrap(), "id-good");
        assert_eq!(other.unwrap(), "id-other");
        assert_eq!(bad.unwrap_err().message, "InvalidMessageContents");
        assert_eq!(recorder.calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_batch_never_passes_the_size_limit() {
        let recorder = Recorder::default();
        let gatherer = Gatherer::new(recorder.clone());
        let big = "x".repeat(MAX_BYTES / 2);
        let sends = (0..3).map(|_| gatherer.send("q", message(big.clone())));
        for id in futures_util::future::join_all(sends).await {
            id.unwrap();
        }
        let sizes = recorder.sizes();
        assert_eq!(
            sizes,
            [2, 1],
            "two halves fill a batch; the third opens the next"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_caller_that_gives_up_does_not_cancel_the_batch() {
        let recorder = Recorder::default();
        let gatherer = Gatherer::new(recorder.clone());
        let abandoned = tokio::time::timeout(
            Duration::from_micros(10),
            gatherer.send("q", message("late")),
        );
        let (abandoned, kept) = tokio::join!(abandoned, gatherer.send("q", message("kept")));
        assert!(
            abandoned.is_err(),
            "the first caller gave up before the linger ended"
        );
        assert_eq!(kept.unwrap(), "id-kept");
        assert_eq!(
            recorder.batches.lock().unwrap().as_slice(),
            [vec!["late".to_owned(), "kept".to_owned()]]
        );
    }
}
