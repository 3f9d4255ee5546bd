//! [`Event`]: an EventBridge event as a rule's target queue receives it (without an input
//! transform), per "Amazon EventBridge events"
//! (<https://docs.aws.amazon.com/eventbridge/latest/ref/overiew-event-structure.html>).

use serde::{Deserialize, Serialize};

/// An event as EventBridge delivers it. A handler on a queue that a rule targets declares
/// `type Message = runtime::events::Event<MyDetail>;` and gets the decoded `detail`:
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct OrderPlaced { order_id: String }
///
/// let body = r#"{"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718",
///   "detail-type":"OrderPlaced","source":"shop.submit-order","account":"111122223333",
///   "time":"2017-12-22T18:43:48Z","region":"us-west-1","resources":[],
///   "detail":{"order_id":"ORD-1"}}"#;
/// let event: runtime::events::Event<OrderPlaced> = serde_json::from_str(body)?;
/// assert_eq!(event.detail_type, "OrderPlaced");
/// assert_eq!(event.detail.order_id, "ORD-1");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event<D> {
    /// `0` for every event.
    pub version: String,
    /// The event's id (a UUID), the same in every target's copy: an idempotency key.
    pub id: String,
    /// What happened (`OrderPlaced`).
    #[serde(rename = "detail-type")]
    pub detail_type: String,
    /// Who published it.
    pub source: String,
    /// The account of the bus.
    pub account: String,
    /// When it happened (ISO 8601, UTC, whole seconds).
    pub time: String,
    /// The region of the bus.
    pub region: String,
    /// ARNs the event is about.
    #[serde(default)]
    pub resources: Vec<String>,
    /// The publisher's data.
    pub detail: D,
}
