//! Idempotency, Powertools-style, on a write-once object store: run a step at most once per key,
//! and on a repeat return the result stored the first time.
//!
//! Records live under `idempotency/<key>/` in the bucket, each created with a conditional put (so
//! the role needs no right to replace or delete):
//!
//! - `completed.json` — the step's result, JSON; once it exists every repeat returns it (the
//!   bucket's `expire_after` is the records' expiry);
//! - `in-progress-<window>.json` — a lease while the step runs, one per lease window
//!   (`now / lease`): a second delivery arriving while the lease holds fails as transient, so SQS
//!   delivers it again later; a step that died leaves a lease that expires, and the next window's
//!   claim runs the step again.
//!
//! ```
//! # use runtime::idempotency::{Idempotency, Idempotent};
//! # async fn example(bucket: &runtime::resources::Bucket) -> Result<(), runtime::batch::RecordFailure> {
//! let once = Idempotency::new(std::time::Duration::from_secs(60));
//! let charged = once
//!     .run(bucket.store(), "charge:ORD-1", || async { Ok::<_, runtime::batch::RecordFailure>(42_u32) })
//!     .await?;
//! assert_eq!(charged.into_inner(), 42);
//! # Ok(()) }
//! ```

use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::batch::RecordFailure;
use crate::handlers::{GuardedStore, bounded_key, key_segment};
use crate::ports::{ObjectStore, PutOutcome};

/// The key prefix of idempotency records.
pub const IDEMPOTENCY_PREFIX: &str = "idempotency/";

/// A step's result, and whether it ran now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Idempotent<T> {
    /// The step ran now; this is its result.
    Fresh(T),
    /// The step ran before; this is the result stored then.
    Repeat(T),
}

impl<T> Idempotent<T> {
    /// The result, fresh or stored.
    pub fn into_inner(self) -> T {
        match self {
            Idempotent::Fresh(value) | Idempotent::Repeat(value) => value,
        }
    }
}

/// Runs steps once per key (see the module documentation).
#[derive(Debug, Clone, Copy)]
pub struct Idempotency {
    lease: Duration,
}

#[derive(Serialize, serde::Deserialize)]
struct Lease {
    started_at: u64,
}

#[derive(Serialize, serde::Deserialize)]
struct Completed<T> {
    result: T,
}

impl Idempotency {
    /// Steps hold their lease for `lease` (at least a second). Set it to the function's timeout
    /// or more: the runtime lets a step run until the record's deadline, and a lease that ends
    /// sooner lets a duplicate delivery run the same step alongside it. Keep it below the queue's
    /// visibility timeout: a record failed at its deadline comes back after that, and a lease
    /// still held then refuses it again (using up a receive on the way to the dead-letter queue).
    pub fn new(lease: Duration) -> Self {
        Self {
            lease: lease.max(Duration::from_secs(1)),
        }
    }

    /// Runs `step` once for `key`, now as seconds since the epoch.
    pub async fn run<S, T, F, Fut>(
        &self,
        store: &GuardedStore<S>,
        key: &str,
        step: F,
    ) -> Result<Idempotent<T>, RecordFailure>
    where
        S: ObjectStore,
        T: Serialize + DeserializeOwned,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, RecordFailure>>,
    {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs());
        self.run_at(store, key, now, step).await
    }

    /// [`Idempotency::run`] at `now` (seconds since the epoch), for tests.
    pub async fn run_at<S, T, F, Fut>(
        &self,
        store: &GuardedStore<S>,
        key: &str,
        now: u64,
        step: F,
    ) -> Result<Idempotent<T>, RecordFailure>
    where
        S: ObjectStore,
        T: Serialize + DeserializeOwned,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, RecordFailure>>,
    {
        let folder = format!("{IDEMPOTENCY_PREFIX}{}/", key_segment(key));
        let completed = bounded_key(format!("{folder}completed.json"), key)
            .map_err(|reason| RecordFailure::invalid(format!("idempotency key: {reason}")))?;
        if let Some(result) = read::<Completed<T>, S>(store, &completed).await? {
            return Ok(Idempotent::Repeat(result.result));
        }
        let lease = self.lease.as_secs();
        let window = now / lease;
        // The previous window's lease may still hold (it was taken late in its window).
        if let Some(previous) = window.checked_sub(1)
            && let Some(held) =
                read::<Lease, S>(store, &format!("{folder}in-progress-{previous}.json")).await?
            && held.started_at + lease > now
        {
            return Err(in_progress(key, held.started_at + lease - now));
        }
        let claim = serde_json::to_vec(&Lease { started_at: now })
            .map_err(|error| RecordFailure::transient(error.to_string()))?;
        let claimed = store
            .put_if_absent(
                &format!("{folder}in-progress-{window}.json"),
                &claim,
                "application/json",
            )
            .await
            .map_err(RecordFailure::transient)?;
        if claimed == PutOutcome::AlreadyExists {
            return Err(in_progress(key, lease - now % lease));
        }
        let result = step().await?;
        let record = serde_json::to_vec(&Completed { result: &result })
            .map_err(|error| RecordFailure::transient(error.to_string()))?;
        match store
            .put_if_absent(&completed, &record, "application/json")
            .await
            .map_err(RecordFailure::transient)?
        {
            PutOutcome::Created => Ok(Idempotent::Fresh(result)),
            // Another delivery finished first (after this one's lease expired): its result stands.
            PutOutcome::AlreadyExists => read::<Completed<T>, S>(store, &completed)
                .await?
                .map(|stored| Idempotent::Repeat(stored.result))
                .ok_or_else(|| RecordFailure::transient(format!("{completed} vanished"))),
        }
    }
}

fn in_progress(key: &str, seconds: u64) -> RecordFailure {
    RecordFailure::transient(format!(
        "`{key}` is being processed by another delivery (lease ends in {seconds}s)"
    ))
}

async fn read<T: DeserializeOwned, S: ObjectStore>(
    store: &GuardedStore<S>,
    key: &str,
) -> Result<Option<T>, RecordFailure> {
    let Some(bytes) = store.get(key).await.map_err(RecordFailure::transient)? else {
        return Ok(None);
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|error| RecordFailure::transient(format!("{key} is unreadable: {error}")))
}
