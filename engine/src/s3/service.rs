//! S3 as a service of the engine: every request no other service claims, its body read within
//! the object limit, faults answered as S3 does (`503 SlowDown`, `503 ServiceUnavailable`).

use http_body_util::{BodyExt as _, LengthLimitError, Limited};
use hyper::Method;
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_LENGTH, HeaderMap};
use hyper::http::request::Parts;

use super::error::S3Error;
use super::path::{Target, target};
use super::server::error_response;
use super::store::ObjectStore;
use crate::faults::Fault;
use crate::limits::Limits;
use crate::listener::Reply;
use crate::service::{Answer, AwsService, Route};

/// The name S3's faults are set under.
pub const NAME: &str = "s3";

/// The S3 service over an [`ObjectStore`].
#[derive(Debug, Clone)]
pub struct S3 {
    store: ObjectStore,
    limits: Limits,
}

impl S3 {
    /// Serves `store`, bounded by `limits`.
    pub fn new(store: ObjectStore, limits: Limits) -> Self {
        Self { store, limits }
    }

    async fn answer(&self, parts: Parts, body: Incoming) -> Reply {
        match self.body(&parts.headers, body).await {
            Ok(body) => self.store.answer(&parts, body),
            Err(error) => error_response(&parts.method, &error),
        }
    }

    /// The request body, refused with `EntityTooLarge` past the object limit (early when the
    /// declared length says so, else while reading).
    async fn body(&self, headers: &HeaderMap, body: Incoming) -> Result<Bytes, S3Error> {
        let cap = self.limits.max_object_bytes;
        let declared = ["x-amz-decoded-content-length", CONTENT_LENGTH.as_str()]
            .into_iter()
            .find_map(|name| headers.get(name)?.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|length| length > cap) {
            return Err(S3Error::EntityTooLarge(cap));
        }
        // aws-chunked framing adds a little per chunk; the store checks the decoded payload.
        let read_cap = cap.saturating_add(cap / 32).saturating_add(64 * 1024);
        Limited::new(body, usize::try_from(read_cap).unwrap_or(usize::MAX))
            .collect()
            .await
            .map(http_body_util::Collected::to_bytes)
            .map_err(|error| {
                if error.is::<LengthLimitError>() {
                    S3Error::EntityTooLarge(cap)
                } else {
                    S3Error::InvalidRequest(format!("cannot read the request body: {error}"))
                }
            })
    }
}

impl AwsService for S3 {
    fn name(&self) -> &'static str {
        NAME
    }

    fn description(&self) -> &'static str {
        "S3"
    }

    fn route(&self) -> Route {
        Route::Rest
    }

    /// Object calls and listings; bucket set-up (create, head, delete) is spared.
    fn faultable(&self, request: &Parts) -> bool {
        match target(request.uri.path()) {
            Ok(Target::Object { .. }) => true,
            Ok(Target::Bucket(_)) => {
                request.method == Method::GET || request.method == Method::POST
            }
            Ok(Target::Service) | Err(_) => false,
        }
    }

    fn fault_reply(&self, request: &Parts, fault: Fault) -> Reply {
        let error = match fault {
            Fault::Throttled => S3Error::SlowDown,
            Fault::Unavailable => S3Error::ServiceUnavailable,
        };
        error_response(&request.method, &error)
    }

    fn call(&self, request: Parts, body: Incoming) -> Answer<'_> {
        Box::pin(self.answer(request, body))
    }
}
