//! The one interface every service of the engine implements. Adding a service (DynamoDB,
//! EventBridge, an HTTP API) is a module that implements [`AwsService`] and one line in
//! [`crate::Engine::start`] that registers it; the router, the `Host` check and the fault layer
//! need no change.

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;

use hyper::body::Incoming;
use hyper::http::request::Parts;

use crate::faults::Fault;
use crate::listener::Reply;

/// An answer being computed.
pub type Answer<'a> = Pin<Box<dyn Future<Output = Reply> + Send + 'a>>;

/// How requests name a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// AWS JSON protocols: `X-Amz-Target` starts with this (`AmazonSQS.`, `DynamoDB_20120810.`).
    Target(&'static str),
    /// A REST protocol under a path prefix whose requests are signed (`SigV4`) for this service
    /// (SES v2: `/v2/email/`, `ses`); the signature tells it from an S3 request for a bucket of
    /// the prefix's name, which S3 clients sign for `s3`.
    Signed {
        /// The path every request of the service starts with.
        prefix: &'static str,
        /// The service name in the `SigV4` credential scope (`Credential=KEY/DATE/REGION/SERVICE/aws4_request`).
        signing_service: &'static str,
    },
    /// REST protocols that name no target (S3): every request that no other route claims. At
    /// most one service has it.
    Rest,
}

/// A service of the engine.
pub trait AwsService: Debug + Send + Sync + 'static {
    /// The name faults are set under (`"sqs"`, `"s3"`).
    fn name(&self) -> &'static str;

    /// How refusals name it to clients ("SQS (JSON protocol)").
    fn description(&self) -> &'static str;

    /// Which requests are its.
    fn route(&self) -> Route;

    /// Whether the fault layer applies to this request; set-up calls (creating a queue or a
    /// bucket) are spared, so a pipeline can start during an outage.
    fn faultable(&self, request: &Parts) -> bool;

    /// The answer to an injected fault, in the service's protocol.
    fn fault_reply(&self, request: &Parts, fault: Fault) -> Reply;

    /// Answers one request; errors are answers too, in the service's protocol. The service
    /// reads the body itself, within its own limits.
    fn call(&self, request: Parts, body: Incoming) -> Answer<'_>;
}
