//! One HTTP API on its own loopback port: the `Host` check, CORS preflights, throttling, route
//! selection, the event, the invocation and the response, in that order.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use http_body_util::{BodyExt as _, LengthLimitError, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::HeaderValue;
use hyper::{Request, StatusCode};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::event::{self, RequestFacts};
use super::response::{from_answer, gateway};
use super::route::select;
use super::spec::ApiSpec;
use super::throttle::TokenBucket;
use super::{Invoke, cors};
use crate::listener::{Reply, Service, serve};

/// The largest request body: HTTP APIs take payloads up to 10 MB ("Quotas for configuring and
/// running an HTTP API", <https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html>),
/// answering `413` past it.
pub const MAX_REQUEST_BYTES: usize = 10 * 1024 * 1024;

/// The longest an integration may take: 30 seconds for HTTP APIs (same quotas page); past it API
/// Gateway answers `503 Service Unavailable`.
pub const INTEGRATION_TIMEOUT: Duration = Duration::from_secs(30);

/// A running HTTP API; stops when dropped.
#[derive(Debug)]
pub struct HttpApi {
    name: String,
    address: SocketAddr,
    api_id: String,
    server: JoinHandle<()>,
}

struct Door {
    spec: ApiSpec,
    api_id: String,
    port: u16,
    /// `None` when the stage throttles nothing.
    bucket: Option<TokenBucket>,
    invoker: Arc<dyn Invoke>,
    logs: Option<mpsc::UnboundedSender<String>>,
}

impl HttpApi {
    /// Serves `spec` on `127.0.0.1:spec.port` (0: any free port), invoking through `invoker`;
    /// a line per failed invocation goes to `logs`.
    pub async fn start(
        spec: ApiSpec,
        invoker: Arc<dyn Invoke>,
        logs: Option<mpsc::UnboundedSender<String>>,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, spec.port)).await?;
        let address = listener.local_addr()?;
        let api_id = api_id(&spec.name);
        let name = spec.name.clone();
        let door = Door {
            bucket: spec.throttling.map(TokenBucket::new),
            spec,
            api_id: api_id.clone(),
            port: address.port(),
            invoker,
            logs,
        };
        let server = tokio::spawn(serve(listener, Arc::new(door)));
        Ok(Self {
            name,
            address,
            api_id,
            server,
        })
    }

    /// The API's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `http://127.0.0.1:PORT`, the API's base URL (the `$default` stage's invoke URL).
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The API's id, as events carry it (`requestContext.apiId`).
    pub fn api_id(&self) -> &str {
        &self.api_id
    }
}

impl Drop for HttpApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// A stable 10-character id from the API's name (API Gateway's ids are 10 lowercase letters and
/// digits).
fn api_id(name: &str) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    // FNV-1a, then base 36.
    let mut hash = 0xcbf2_9ce4_8422_2325_u64;
    for byte in name.bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    (0..10)
        .map(|_| {
            let digit = usize::try_from(hash % 36).unwrap_or(0);
            hash /= 36;
            char::from(ALPHABET[digit])
        })
        .collect()
}

/// A request id shaped like API Gateway's (`JKJaXmPLvHcESHA=`).
fn request_id() -> String {
    let bytes: Vec<u8> = (0..11).map(|_| fastrand::u8(..)).collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

impl Service for Door {
    fn call(&self, request: Request<Incoming>) -> impl Future<Output = Reply> + Send {
        self.answer(request)
    }
}

impl Door {
    async fn answer(&self, request: Request<Incoming>) -> Reply {
        let id = request_id();
        let mut reply = self.route(request, &id).await;
        if let Ok(value) = HeaderValue::from_str(&id) {
            reply.headers_mut().insert("apigw-requestid", value);
        }
        reply
    }

    async fn route(&self, request: Request<Incoming>, id: &str) -> Reply {
        let arrived = SystemTime::now();
        let (parts, body) = request.into_parts();
        if crate::host::check(&parts.headers, self.port).is_err() {
            return gateway(StatusCode::FORBIDDEN, "Forbidden");
        }
        if let Some(cors) = &self.spec.cors
            && cors::is_preflight(&parts.method, &parts.headers)
        {
            return cors::preflight(cors, &parts.headers);
        }
        if self.bucket.as_ref().is_some_and(|bucket| !bucket.take()) {
            return gateway(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests");
        }
        let routes = self
            .spec
            .routes
            .iter()
            .map(|route| (&route.key, &route.function));
        let Some(matched) = select(routes, parts.method.as_str(), parts.uri.path()) else {
            return gateway(StatusCode::NOT_FOUND, "Not Found");
        };
        let body = match Limited::new(body, MAX_REQUEST_BYTES).collect().await {
            Ok(body) => body.to_bytes(),
            Err(error) if error.is::<LengthLimitError>() => {
                return gateway(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large");
            }
            Err(_) => return gateway(StatusCode::BAD_REQUEST, "Bad Request"),
        };
        let route_key = matched.key.to_string();
        let event = event::build(
            &parts,
            &body,
            &RequestFacts {
                api_id: &self.api_id,
                route_key: &route_key,
                path_parameters: &matched.parameters,
                source_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
                request_id: id,
                time: arrived,
            },
        );
        let function = matched.target.as_str();
        let invoked = tokio::time::timeout(
            INTEGRATION_TIMEOUT,
            self.invoker
                .invoke(function, Bytes::from(event.to_string())),
        )
        .await;
        let mut reply = match invoked {
            Err(_) => {
                self.log(&route_key, function, "the integration ran past 30 s: 503");
                gateway(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable")
            }
            Ok(Err(error)) => {
                self.log(&route_key, function, &format!("{error}: 500"));
                gateway(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
            }
            Ok(Ok(answer)) => match from_answer(&answer) {
                Ok(reply) => reply,
                Err(malformed) => {
                    self.log(&route_key, function, &format!("{malformed}: 500"));
                    gateway(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
                }
            },
        };
        if let Some(cors) = &self.spec.cors {
            cors::decorate(cors, &parts.headers, &mut reply);
        }
        reply
    }

    fn log(&self, route: &str, function: &str, what: &str) {
        if let Some(logs) = &self.logs {
            let _ = logs.send(format!(
                "[api {}] {route} → `{function}`: {what}",
                self.spec.name
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_ids_are_ten_stable_characters() {
        let id = api_id("orders");
        assert_eq!(id.len(), 10);
        assert_eq!(id, api_id("orders"));
        assert_ne!(id, api_id("payments"));
        assert!(
            id.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        );
        assert_eq!(request_id().len(), 16);
    }
}
