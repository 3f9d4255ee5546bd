//! SQS in-process, for the local Lambda service's event source mappings: `ReceiveMessage` and
//! `DeleteMessageBatch` on the same queues with the same semantics (visibility, receive counts,
//! redrive to the dead-letter queue, long polling), without HTTP, JSON or `SigV4`.
//!
//! Lambda's pollers call SQS's API like any client, so SQS's faults reach them: each call here
//! draws from the engine's fault layer under [`NAME`](super::NAME) exactly as a request through
//! the router would (the added latency first, then a throttling or outage answer).

use super::error::SqsError;
use super::operations::{self, Shared};
use super::protocol::{
    BatchId, BatchOutput, DeleteMessageBatchInput, ReceiveMessageInput, ReceiveMessageOutput,
};
use super::receive;
use crate::faults::{Fault, Faults};

/// `ReceiveMessage` and `DeleteMessageBatch` in-process; cheap to clone.
#[derive(Debug, Clone)]
pub struct Poller {
    registry: Shared,
    faults: Faults,
}

impl Poller {
    pub(super) fn new(registry: Shared, faults: Faults) -> Self {
        Self { registry, faults }
    }

    /// `ReceiveMessage`, long polling as `input` says.
    pub async fn receive(
        &self,
        input: ReceiveMessageInput,
    ) -> Result<ReceiveMessageOutput, SqsError> {
        self.fault().await?;
        receive::receive(&self.registry, input).await
    }

    /// `DeleteMessageBatch`: each entry deleted or failed as over HTTP.
    pub async fn delete_batch(
        &self,
        input: &DeleteMessageBatchInput,
    ) -> Result<BatchOutput<BatchId>, SqsError> {
        self.fault().await?;
        operations::delete_batch(&self.registry, input)
    }

    /// The fault layer's draw for SQS, as the router applies it to a message call.
    async fn fault(&self) -> Result<(), SqsError> {
        let (latency, fault) = self.faults.draw(super::NAME);
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        match fault {
            None => Ok(()),
            Some(Fault::Throttled) => Err(SqsError::Throttling),
            Some(Fault::Unavailable) => Err(SqsError::ServiceUnavailable),
        }
    }
}
