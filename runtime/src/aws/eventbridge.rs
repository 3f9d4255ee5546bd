//! EventBridge as the event publisher (`PutEvents`).

use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;

use super::port_error;
use crate::ports::{EntryResult, EventPublisher, OutgoingEvent, PortError};

/// Publishes events through EventBridge.
#[derive(Debug, Clone)]
pub struct EventBridgePublisher {
    client: Client,
}

impl EventBridgePublisher {
    /// A publisher over the shared SDK configuration; the SDK's own retries are off (the
    /// runtime retries, and retries only the entries that failed).
    pub fn new(sdk: &aws_config::SdkConfig) -> Self {
        let config = aws_sdk_eventbridge::config::Builder::from(sdk)
            .retry_config(aws_sdk_eventbridge::config::retry::RetryConfig::disabled());
        Self {
            client: Client::from_conf(config.build()),
        }
    }
}

impl EventPublisher for EventBridgePublisher {
    async fn put_events(
        &self,
        bus: &str,
        entries: Vec<OutgoingEvent>,
    ) -> Result<Vec<EntryResult>, PortError> {
        let count = entries.len();
        let operation = || format!("PutEvents ({count} entries) to bus {bus}");
        let entries = entries
            .into_iter()
            .map(|entry| {
                PutEventsRequestEntry::builder()
                    .event_bus_name(bus)
                    .source(entry.source)
                    .detail_type(entry.detail_type)
                    .detail(entry.detail)
                    .set_resources((!entry.resources.is_empty()).then_some(entry.resources))
                    .build()
            })
            .collect();
        let output = self
            .client
            .put_events()
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(|error| port_error(operation(), &error))?;
        let results: Vec<EntryResult> = output
            .entries()
            .iter()
            .map(|entry| match (entry.event_id(), entry.error_code()) {
                (Some(id), None) => EntryResult::Published {
                    event_id: id.to_owned(),
                },
                (_, code) => EntryResult::Failed {
                    code: code.unwrap_or("Unknown").to_owned(),
                    message: entry.error_message().unwrap_or("no message").to_owned(),
                },
            })
            .collect();
        if results.len() == count {
            Ok(results)
        } else {
            Err(PortError::permanent(
                operation(),
                format!(
                    "the answer has {} entries for {count} sent",
                    results.len()
                ),
            ))
        }
    }
}
