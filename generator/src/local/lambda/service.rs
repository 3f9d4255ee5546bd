//! The local Lambda service's synchronous side: route-triggered functions each run a pool of
//! workers, and the HTTP front door invokes them through [`engine::http_api::Invoke`]. An
//! invocation takes a slot of the account's concurrency (refused with `429
//! TooManyRequestsException` past it, and past the function's reserved concurrency), then the
//! next free worker of the function.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use engine::http_api::{Invocation, Invoke, InvokeError};
use hyper::body::Bytes;
use tokio::sync::{Mutex as AsyncMutex, Semaphore};

use super::concurrency::AccountConcurrency;
use super::worker::Worker;

/// The route-triggered functions and the account's concurrency; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct LambdaService {
    account: AccountConcurrency,
    pools: Arc<Mutex<BTreeMap<String, Arc<Pool>>>>,
    /// Invocations refused with `TooManyRequestsException`, by function.
    throttled: Arc<Mutex<BTreeMap<String, u64>>>,
}

/// One function's workers.
#[derive(Debug)]
struct Pool {
    /// Idle workers.
    idle: AsyncMutex<Vec<Worker>>,
    /// One permit per idle worker.
    free: Semaphore,
    /// The function's reserved concurrency, if set: invocations past it are throttled.
    reserved: Option<Semaphore>,
    reserved_limit: u32,
    crash_rate: f64,
    invocations: AtomicU64,
}

impl LambdaService {
    /// No functions yet; every invocation counts against `account`.
    pub fn new(account: AccountConcurrency) -> Self {
        Self {
            account,
            ..Self::default()
        }
    }

    /// The account's concurrency, shared with the event source mappings.
    pub fn account(&self) -> &AccountConcurrency {
        &self.account
    }

    /// Serves `function` with `workers` (replacing a previous pool; invocations in flight finish
    /// on the old one). `reserved` is its reserved concurrency; `crash_rate` of its invocations
    /// have their process killed (fault injection).
    pub fn serve(
        &self,
        function: &str,
        workers: Vec<Worker>,
        reserved: Option<u32>,
        crash_rate: f64,
    ) {
        let count = workers.len();
        let pool = Pool {
            idle: AsyncMutex::new(workers),
            free: Semaphore::new(count),
            reserved: reserved.map(|limit| Semaphore::new(limit as usize)),
            reserved_limit: reserved.unwrap_or(0),
            crash_rate,
            invocations: AtomicU64::new(0),
        };
        self.pools
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(function.to_owned(), Arc::new(pool));
    }

    /// Stops serving `function`; its workers end once their invocations do.
    pub fn remove(&self, function: &str) {
        self.pools
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(function);
    }

    /// Invocations refused so far, by function.
    pub fn throttled(&self) -> BTreeMap<String, u64> {
        self.throttled
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Invocations answered (or failed) so far, by function.
    pub fn invocations(&self) -> BTreeMap<String, u64> {
        self.pools
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(name, pool)| (name.clone(), pool.invocations.load(Ordering::Relaxed)))
            .collect()
    }

    fn throttle(&self, function: &str, reason: String) -> InvokeError {
        *self
            .throttled
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(function.to_owned())
            .or_default() += 1;
        InvokeError::Throttled(reason)
    }

    async fn call(&self, function: String, event: Bytes) -> Result<Bytes, InvokeError> {
        let pool = self
            .pools
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&function)
            .cloned()
            .ok_or_else(|| InvokeError::Missing(function.clone()))?;
        let _account = self
            .account
            .try_acquire()
            .map_err(|throttled| self.throttle(&function, throttled.to_string()))?;
        let _reserved = match &pool.reserved {
            Some(reserved) => Some(reserved.try_acquire().map_err(|_| {
                self.throttle(
                    &function,
                    format!(
                        "Rate Exceeded: the function's reserved concurrency of {} is in use (Reason: ReservedFunctionConcurrentInvocationLimitExceeded)",
                        pool.reserved_limit
                    ),
                )
            })?),
            None => None,
        };
        let free = pool
            .free
            .acquire()
            .await
            .map_err(|_| InvokeError::Missing(function.clone()))?;
        let Some(mut worker) = pool.idle.lock().await.pop() else {
            return Err(InvokeError::Missing(function));
        };
        pool.invocations.fetch_add(1, Ordering::Relaxed);
        let crash = pool.crash_rate > 0.0 && fastrand::f64() < pool.crash_rate;
        let answer = worker.invoke(event, crash).await;
        pool.idle.lock().await.push(worker);
        drop(free);
        answer.map_err(|failure| InvokeError::Failed(failure.to_string()))
    }
}

impl Invoke for LambdaService {
    fn invoke(&self, function: &str, event: Bytes) -> Invocation<'_> {
        Box::pin(self.call(function.to_owned(), event))
    }
}
