//! DynamoDB as a service of the engine: `X-Amz-Target: DynamoDB_20120810.*`, bodies up to
//! [`MAX_REQUEST_BYTES`], faults answered as DynamoDB does on item operations, never on table
//! set-up.

use std::sync::{Arc, Mutex};

use http_body_util::{BodyExt as _, Full, LengthLimitError, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::http::request::Parts;
use hyper::{Response, StatusCode};
use serde_json::Value;

use super::error::DynamoError;
use super::operations::{Shared, dispatch, lock};
use super::registry::Registry;
use super::saved::SavedTable;
use super::table::TableSpec;
use crate::budget::Budget;
use crate::faults::Fault;
use crate::listener::Reply;
use crate::service::{Answer, AwsService, Route};

/// The name DynamoDB's faults are set under.
pub const NAME: &str = "dynamodb";

const TARGET_PREFIX: &str = "DynamoDB_20120810.";

/// The largest request body read: a 25-item batch of 400 KB items is 10 MB, and JSON escaping
/// can double it (DynamoDB's own request limit is 16 MB).
pub const MAX_REQUEST_BYTES: usize = 16 * 1024 * 1024;

/// Table set-up: spared by the fault layer.
const SET_UP: [&str; 5] = [
    "CreateTable",
    "DescribeTable",
    "ListTables",
    "DeleteTable",
    "UpdateTable",
];

/// The DynamoDB service over a table registry.
#[derive(Debug, Clone)]
pub struct DynamoDb {
    registry: Shared,
}

impl DynamoDb {
    /// No tables yet; item bytes are held in `budget`.
    pub fn new(budget: Budget) -> Self {
        Self {
            registry: Arc::new(Mutex::new(Registry::new(budget))),
        }
    }

    /// Creates `spec`'s table, as `CreateTable` would; a name already taken is an error.
    pub fn create_table(&self, spec: TableSpec) -> Result<(), DynamoError> {
        lock(&self.registry).create(spec).map(drop)
    }

    /// Every table with its items (what `--data-dir` saves).
    pub fn image(&self) -> Vec<SavedTable> {
        lock(&self.registry).image()
    }

    /// Puts saved tables back (what `--data-dir` restores).
    pub fn restore(&self, saved: Vec<SavedTable>) -> Result<(), DynamoError> {
        lock(&self.registry).restore(saved)
    }

    /// How many items table `name` holds; `None` when there is no such table.
    pub fn item_count(&self, name: &str) -> Option<usize> {
        lock(&self.registry)
            .tables
            .get(name)
            .map(|table| table.items.len())
    }

    /// Every item of table `name` in key order, in DynamoDB's JSON (`{"id": {"S": "1"}}`);
    /// `None` when there is no such table.
    pub fn items(&self, name: &str) -> Option<Vec<Value>> {
        lock(&self.registry).tables.get(name).map(|table| {
            table
                .items
                .values()
                .map(|item| Value::Object(item.clone().into_iter().collect()))
                .collect()
        })
    }

    async fn answer(&self, parts: Parts, body: Incoming) -> Reply {
        let body = match Limited::new(body, MAX_REQUEST_BYTES).collect().await {
            Ok(body) => body.to_bytes(),
            Err(error) => {
                return error_reply(&DynamoError::validation(
                    if error.is::<LengthLimitError>() {
                        format!(
                            "The request body is larger than {MAX_REQUEST_BYTES} bytes, the local engine's limit."
                        )
                    } else {
                        format!("cannot read the request body: {error}")
                    },
                ));
            }
        };
        let operation = parts
            .headers
            .get("x-amz-target")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix(TARGET_PREFIX))
            .unwrap_or_default();
        let result = serde_json::from_slice::<Value>(&body)
            .map_err(|error| {
                DynamoError::Serialization(format!(
                    "Start of structure or map found where not expected: {error}"
                ))
            })
            .and_then(|request| dispatch(&self.registry, operation, &request));
        match result {
            Ok(value) => respond(StatusCode::OK, &value),
            Err(error) => error_reply(&error),
        }
    }
}

/// An error as the JSON protocol carries it.
pub(super) fn error_reply(error: &DynamoError) -> Reply {
    respond(error.status(), &error.body())
}

fn respond(status: StatusCode, body: &Value) -> Reply {
    let text = body.to_string();
    let checksum = crc32(text.as_bytes());
    let mut response = Response::new(Full::new(Bytes::from(text)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/x-amz-json-1.0"),
    );
    // DynamoDB sends the CRC32 of the body; the SDKs check it when present.
    headers.insert("x-amz-crc32", HeaderValue::from(checksum));
    response
}

/// CRC-32 (IEEE), as `x-amz-crc32` carries it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0_u32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

impl AwsService for DynamoDb {
    fn name(&self) -> &'static str {
        NAME
    }

    fn description(&self) -> &'static str {
        "DynamoDB"
    }

    fn route(&self) -> Route {
        Route::Target(TARGET_PREFIX)
    }

    fn faultable(&self, request: &Parts) -> bool {
        request
            .headers
            .get("x-amz-target")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix(TARGET_PREFIX))
            .is_some_and(|operation| !SET_UP.contains(&operation))
    }

    fn fault_reply(&self, _request: &Parts, fault: Fault) -> Reply {
        error_reply(&match fault {
            Fault::Throttled => DynamoError::Throttling,
            Fault::Unavailable => DynamoError::Unavailable,
        })
    }

    fn call(&self, request: Parts, body: Incoming) -> Answer<'_> {
        Box::pin(self.answer(request, body))
    }
}

#[cfg(test)]
mod tests {
    use super::crc32;

    #[test]
    fn crc32_is_the_ieee_checksum() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }
}
