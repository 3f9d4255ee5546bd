//! What an HTTP API of the front door is made of: its routes (each to a function), its CORS
//! configuration and its throttling — the parts of an `AWS::ApiGatewayV2::Api` and its `$default`
//! stage that change what a client sees.

use std::time::Duration;

use super::route::{RouteError, RouteKey};

/// One HTTP API.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiSpec {
    /// The API's name in pipeline.yaml.
    pub name: String,
    /// Its routes, each to the function that serves it.
    pub routes: Vec<RouteSpec>,
    /// Its CORS configuration; `None` answers preflights like any other request.
    pub cors: Option<Cors>,
    /// The `$default` stage's default route throttling; `None` throttles nothing. API Gateway
    /// always has a limit (the account's, 10,000 requests/s by default, when the stage sets
    /// none), so `gen dev` always passes pipeline.yaml's; `None` is for measuring the front door
    /// itself (`tests/benches/front_door.rs`), where a limit would answer the load's excess.
    pub throttling: Option<Throttling>,
    /// The port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
}

/// A route and the function behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    /// `POST /orders`, `GET /orders/{id}`, `ANY /files/{proxy+}` or `$default`.
    pub key: RouteKey,
    /// The function invoked (the name the [`Invoke`](super::Invoke) implementation knows).
    pub function: String,
}

impl RouteSpec {
    /// A route from its key's text.
    pub fn new(key: &str, function: impl Into<String>) -> Result<Self, RouteError> {
        Ok(Self {
            key: key.parse()?,
            function: function.into(),
        })
    }
}

/// An API's CORS configuration (`AWS::ApiGatewayV2::Api` `CorsConfiguration`), see
/// <https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html>.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cors {
    /// `AllowOrigins`: exact origins, or `*`.
    pub allow_origins: Vec<String>,
    /// `AllowMethods`.
    pub allow_methods: Vec<String>,
    /// `AllowHeaders`.
    pub allow_headers: Vec<String>,
    /// `ExposeHeaders`.
    pub expose_headers: Vec<String>,
    /// `MaxAge`; zero sends no `Access-Control-Max-Age`.
    pub max_age: Duration,
    /// `AllowCredentials`.
    pub allow_credentials: bool,
}

/// A stage's route throttling: a token bucket of `burst` tokens refilled at `rate` per second
/// (<https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html>).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttling {
    /// `ThrottlingBurstLimit`.
    pub burst: u32,
    /// `ThrottlingRateLimit`, whole requests per second.
    pub rate: u32,
}

impl Default for Throttling {
    /// pipeline.yaml's defaults: burst 100, rate 50.
    fn default() -> Self {
        Self {
            burst: 100,
            rate: 50,
        }
    }
}
