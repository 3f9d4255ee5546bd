//! The engine's one routing point: the `Host` check, then the service the request is for —
//! `X-Amz-Target: AmazonSQS.*` is SQS, another target or an SQS query-protocol form is a
//! service the engine does not have, anything else is S3 (its REST protocol names no target).
//! A new JSON-protocol service is a new arm in [`Destination::of`].

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use http_body_util::{BodyExt as _, LengthLimitError, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderMap};
use hyper::{Method, Request};

use super::foreign;
use super::host;
use super::limits::{Limits, MAX_FORM_BYTES, MAX_SQS_REQUEST_BYTES};
use super::listener::{Reply, Service};
use super::s3::{ObjectStore, S3Error};
use super::sqs::error::SqsError;
use super::sqs::operations::Shared;

/// Every service the engine has, behind one [`Service`].
#[derive(Debug)]
pub struct Router {
    /// The engine's port, the one `Host` may name.
    pub port: u16,
    /// SQS's queues.
    pub sqs: Shared,
    /// S3's objects.
    pub store: ObjectStore,
    /// Milliseconds added to every S3 request (fault injection).
    pub store_latency: Arc<AtomicU64>,
    /// What the engine accepts.
    pub limits: Limits,
}

/// Which service a request is for.
#[derive(Debug, PartialEq, Eq)]
enum Destination {
    Sqs,
    SqsQuery,
    OtherTarget(String),
    S3,
}

impl Destination {
    fn of(method: &Method, headers: &HeaderMap, query: Option<&str>) -> Self {
        if let Some(target) = headers.get("x-amz-target") {
            let target = String::from_utf8_lossy(target.as_bytes()).into_owned();
            return if target.starts_with("AmazonSQS.") {
                Self::Sqs
            } else {
                Self::OtherTarget(target)
            };
        }
        let form = headers
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"));
        if (*method == Method::POST && form) || query.and_then(foreign::action).is_some() {
            // S3 never takes a form-encoded POST or an `Action` parameter.
            return Self::SqsQuery;
        }
        Self::S3
    }
}

impl Service for Router {
    fn call(&self, request: Request<Incoming>) -> impl Future<Output = Reply> + Send {
        self.route(request)
    }
}

impl Router {
    async fn route(&self, request: Request<Incoming>) -> Reply {
        let (parts, body) = request.into_parts();
        let destination = Destination::of(&parts.method, &parts.headers, parts.uri.query());
        if let Err(refused) = host::check(&parts.headers, self.port) {
            let json = matches!(destination, Destination::Sqs | Destination::OtherTarget(_));
            return refused.reply(json);
        }
        match destination {
            Destination::Sqs => match Limited::new(body, MAX_SQS_REQUEST_BYTES).collect().await {
                Ok(body) => {
                    super::sqs::server::answer(&self.sqs, &parts.headers, &body.to_bytes()).await
                }
                Err(error) => super::sqs::server::error_reply(&SqsError::InvalidParameterValue(
                    if error.is::<LengthLimitError>() {
                        format!(
                            "The request body is larger than {MAX_SQS_REQUEST_BYTES} bytes, \
                             the local engine's limit (a message must be shorter than 262144 bytes)."
                        )
                    } else {
                        format!("cannot read the request body: {error}")
                    },
                )),
            },
            Destination::OtherTarget(target) => foreign::unknown_target(&target),
            Destination::SqsQuery => {
                let form = match parts.uri.query() {
                    Some(query) if foreign::action(query).is_some() => query.to_owned(),
                    _ => Limited::new(body, MAX_FORM_BYTES)
                        .collect()
                        .await
                        .map(|body| String::from_utf8_lossy(&body.to_bytes()).into_owned())
                        .unwrap_or_default(),
                };
                foreign::query_protocol(foreign::action(&form).as_deref())
            }
            Destination::S3 => {
                let latency = self.store_latency.load(Ordering::Relaxed);
                if latency > 0 {
                    tokio::time::sleep(Duration::from_millis(latency)).await;
                }
                match self.s3_body(&parts.headers, body).await {
                    Ok(body) => self.store.answer(&parts, body),
                    Err(error) => super::s3::server::error_response(&parts.method, &error),
                }
            }
        }
    }

    /// The S3 request body, refused with `EntityTooLarge` past the object limit (early when
    /// the declared length says so, else while reading).
    async fn s3_body(&self, headers: &HeaderMap, body: Incoming) -> Result<Bytes, S3Error> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn case(
        method: &Method,
        headers: &[(&'static str, &str)],
        query: Option<&str>,
        expected: &Destination,
    ) {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, value.parse().expect("a header value"));
        }
        assert_eq!(&Destination::of(method, &map, query), expected);
    }

    #[test]
    fn requests_are_routed_by_target_form_and_path() {
        case(
            &Method::POST,
            &[("x-amz-target", "AmazonSQS.SendMessage")],
            None,
            &Destination::Sqs,
        );
        case(
            &Method::POST,
            &[("x-amz-target", "DynamoDB_20120810.PutItem")],
            None,
            &Destination::OtherTarget("DynamoDB_20120810.PutItem".into()),
        );
        case(
            &Method::POST,
            &[(
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8",
            )],
            None,
            &Destination::SqsQuery,
        );
        case(
            &Method::GET,
            &[],
            Some("Action=ListQueues"),
            &Destination::SqsQuery,
        );
        case(
            &Method::PUT,
            &[("content-type", "application/x-www-form-urlencoded")],
            None,
            &Destination::S3,
        );
        case(
            &Method::GET,
            &[],
            Some("list-type=2&prefix=a"),
            &Destination::S3,
        );
    }
}
