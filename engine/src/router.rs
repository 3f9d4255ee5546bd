//! The engine's one routing point: the `Host` check, then the service the request is for — the
//! service whose `X-Amz-Target` prefix the request names, a refusal for another target or an SQS
//! query-protocol form (services the engine does not have), a signed REST service whose path
//! prefix and `SigV4` signing service match (SES v2), else the REST service (S3, whose protocol names
//! no target) — then the fault layer, then the service.

use std::future::Future;
use std::sync::Arc;

use hyper::Request;
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderMap};

use crate::faults::Faults;
use crate::foreign;
use crate::host;
use crate::listener::{Reply, Service};
use crate::service::{AwsService, Route};

/// Every service the engine has, behind one [`Service`].
#[derive(Debug)]
pub struct Router {
    /// The engine's port, the one `Host` may name.
    port: u16,
    services: Vec<Arc<dyn AwsService>>,
    faults: Faults,
    /// "SQS (JSON protocol), DynamoDB, SES v2 (`SendEmail`), EventBridge and S3", for refusals.
    served: String,
    /// Closed when the engine stops: requests are then refused as the service refuses them
    /// when unavailable.
    gate: crate::gate::Gate,
}

/// Which service a request is for.
#[derive(Debug, PartialEq, Eq)]
enum Destination {
    /// The service at this index.
    Service(usize),
    /// An SQS query-protocol request (`Action=...`).
    SqsQuery,
    /// An `X-Amz-Target` no service claims.
    OtherTarget(String),
    /// No service claims the request (no REST service).
    Nowhere,
}

impl Router {
    /// Routes to `services` (at most one with [`Route::Rest`]), with `faults` applied.
    pub fn new(port: u16, services: Vec<Arc<dyn AwsService>>, faults: Faults) -> Self {
        let names: Vec<&str> = services
            .iter()
            .map(|service| service.description())
            .collect();
        let served = match names.split_last() {
            Some((last, [])) => (*last).to_owned(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
            None => "no services".to_owned(),
        };
        Self {
            port,
            services,
            faults,
            served,
            gate: crate::gate::Gate::default(),
        }
    }

    /// The gate requests pass, to close it.
    pub fn gate(&self) -> &crate::gate::Gate {
        &self.gate
    }

    /// The services routed to, for people ("SQS (JSON protocol), DynamoDB and S3").
    pub fn served(&self) -> &str {
        &self.served
    }

    fn destination(
        &self,
        headers: &HeaderMap,
        method: &hyper::Method,
        path: &str,
        query: Option<&str>,
    ) -> Destination {
        let mut routes = self.services.iter().map(|service| service.route());
        if let Some(target) = headers.get("x-amz-target") {
            let target = String::from_utf8_lossy(target.as_bytes());
            return routes
                .position(
                    |route| matches!(route, Route::Target(prefix) if target.starts_with(prefix)),
                )
                .map_or_else(
                    || Destination::OtherTarget(target.into_owned()),
                    Destination::Service,
                );
        }
        let form = headers
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"));
        if (*method == hyper::Method::POST && form) || query.and_then(foreign::action).is_some() {
            // No REST service takes a form-encoded POST or an `Action` parameter.
            return Destination::SqsQuery;
        }
        let signed_for = signing_service(headers);
        let signed = self.services.iter().position(|service| {
            matches!(service.route(), Route::Signed { prefix, signing_service }
                if path.starts_with(prefix) && signed_for == Some(signing_service))
        });
        if let Some(index) = signed {
            return Destination::Service(index);
        }
        routes
            .position(|route| route == Route::Rest)
            .map_or(Destination::Nowhere, Destination::Service)
    }

    async fn route(&self, request: Request<Incoming>) -> Reply {
        let (parts, body) = request.into_parts();
        let destination = self.destination(
            &parts.headers,
            &parts.method,
            parts.uri.path(),
            parts.uri.query(),
        );
        if let Err(refused) = host::check(&parts.headers, self.port) {
            return refused.reply(parts.headers.contains_key("x-amz-target"));
        }
        match destination {
            Destination::Service(index) => {
                let service = &self.services[index];
                let Some(_inside) = self.gate.enter() else {
                    return service.fault_reply(&parts, crate::faults::Fault::Unavailable);
                };
                if service.faultable(&parts) {
                    let (latency, fault) = self.faults.draw(service.name());
                    if !latency.is_zero() {
                        tokio::time::sleep(latency).await;
                    }
                    if let Some(fault) = fault {
                        return service.fault_reply(&parts, fault);
                    }
                }
                service.call(parts, body).await
            }
            Destination::OtherTarget(target) => foreign::unknown_target(&target, &self.served),
            Destination::SqsQuery => {
                let action = match parts.uri.query().and_then(foreign::action) {
                    Some(action) => Some(action),
                    None => foreign::form_action(body).await,
                };
                foreign::query_protocol(action.as_deref(), &self.served)
            }
            Destination::Nowhere => foreign::no_service(&self.served),
        }
    }
}

/// The service of the `SigV4` credential scope in `Authorization`
/// (`AWS4-HMAC-SHA256 Credential=KEY/20240101/us-east-1/ses/aws4_request, ...`), see
/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html> ("credential
/// scope").
fn signing_service(headers: &HeaderMap) -> Option<&str> {
    let authorization = headers.get(hyper::header::AUTHORIZATION)?.to_str().ok()?;
    let credential = authorization
        .split([' ', ','])
        .find_map(|part| part.trim().strip_prefix("Credential="))?;
    let mut scope = credential.rsplit('/');
    // aws4_request, then the service.
    scope.next()?;
    scope.next()
}

impl Service for Router {
    fn call(&self, request: Request<Incoming>) -> impl Future<Output = Reply> + Send {
        self.route(request)
    }
}

#[cfg(test)]
mod tests {
    use hyper::Method;

    use super::*;
    use crate::budget::Budget;
    use crate::limits::Limits;

    fn router() -> Router {
        let services: Vec<Arc<dyn AwsService>> = vec![
            Arc::new(crate::sqs::Sqs::new(4566, Budget::new(u64::MAX))),
            Arc::new(crate::dynamodb::DynamoDb::new(Budget::new(u64::MAX))),
            Arc::new(crate::ses::Ses::new(crate::ses::Outbox::default())),
            Arc::new(crate::eventbridge::EventBridge::new(
                crate::sqs::Sqs::new(4566, Budget::new(u64::MAX)),
                Faults::new(),
            )),
            Arc::new(crate::s3::S3::new(
                crate::s3::ObjectStore::new(),
                Limits::default(),
            )),
        ];
        Router::new(4566, services, Faults::new())
    }

    #[track_caller]
    fn case(
        method: &Method,
        headers: &[(&'static str, &str)],
        query: Option<&str>,
        expected: &Destination,
    ) {
        case_at(method, "/", headers, query, expected);
    }

    #[track_caller]
    fn case_at(
        method: &Method,
        path: &str,
        headers: &[(&'static str, &str)],
        query: Option<&str>,
        expected: &Destination,
    ) {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, value.parse().expect("a header value"));
        }
        assert_eq!(&router().destination(&map, method, path, query), expected);
    }

    #[test]
    fn requests_are_routed_by_target_form_and_path() {
        case(
            &Method::POST,
            &[("x-amz-target", "AmazonSQS.SendMessage")],
            None,
            &Destination::Service(0),
        );
        case(
            &Method::POST,
            &[("x-amz-target", "DynamoDB_20120810.PutItem")],
            None,
            &Destination::Service(1),
        );
        case(
            &Method::POST,
            &[("x-amz-target", "AWSEvents.PutEvents")],
            None,
            &Destination::Service(3),
        );
        case(
            &Method::POST,
            &[("x-amz-target", "Kinesis_20131202.PutRecord")],
            None,
            &Destination::OtherTarget("Kinesis_20131202.PutRecord".into()),
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
            &Destination::Service(4),
        );
        case(
            &Method::GET,
            &[],
            Some("list-type=2&prefix=a"),
            &Destination::Service(4),
        );
        let signed = |service: &str| {
            format!(
                "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=00"
            )
        };
        let ses = signed("ses");
        case_at(
            &Method::POST,
            "/v2/email/outbound-emails",
            &[("authorization", &ses)],
            None,
            &Destination::Service(2),
        );
        let s3 = signed("s3");
        case_at(
            &Method::PUT,
            "/v2/email/outbound-emails",
            &[("authorization", &s3)],
            None,
            &Destination::Service(4),
        );
        case_at(
            &Method::POST,
            "/orders",
            &[("authorization", &ses)],
            None,
            &Destination::Service(4),
        );
    }

    #[test]
    fn refusals_name_every_service() {
        assert_eq!(
            router().served,
            "SQS (JSON protocol), DynamoDB, SES v2 (SendEmail), EventBridge and S3"
        );
    }
}
