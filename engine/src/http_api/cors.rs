//! CORS as an HTTP API with a CORS configuration applies it
//! (<https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html>):
//! "API Gateway automatically responds to preflight `OPTIONS` requests, even if there isn't an
//! `OPTIONS` route configured for your API. For a CORS request, API Gateway adds the configured
//! CORS headers to the response from an integration", and "if you configure CORS for an API, API
//! Gateway ignores CORS headers returned from your backend integration". An origin not in
//! `AllowOrigins` gets no CORS headers, so the browser refuses the response.

use hyper::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE,
    ACCESS_CONTROL_REQUEST_METHOD, HeaderMap, HeaderValue, ORIGIN,
};
use hyper::{Method, StatusCode};

use super::spec::Cors;
use crate::listener::Reply;

/// Whether a request is a preflight: `OPTIONS` with `Origin` and `Access-Control-Request-Method`.
pub fn is_preflight(method: &Method, headers: &HeaderMap) -> bool {
    method == Method::OPTIONS
        && headers.contains_key(ORIGIN)
        && headers.contains_key(ACCESS_CONTROL_REQUEST_METHOD)
}

/// The request's origin when `cors` allows it.
fn allowed_origin<'a>(cors: &Cors, headers: &'a HeaderMap) -> Option<&'a HeaderValue> {
    let origin = headers.get(ORIGIN)?;
    let text = origin.to_str().ok()?;
    cors.allow_origins
        .iter()
        .any(|allowed| allowed == "*" || allowed.eq_ignore_ascii_case(text))
        .then_some(origin)
}

/// `Access-Control-Allow-Origin`: `*` when every origin is allowed (and no credentials), else
/// the request's origin.
fn origin_value(cors: &Cors, origin: &HeaderValue) -> HeaderValue {
    if cors.allow_origins.iter().any(|allowed| allowed == "*") && !cors.allow_credentials {
        HeaderValue::from_static("*")
    } else {
        origin.clone()
    }
}

fn joined(values: &[String]) -> Option<HeaderValue> {
    (!values.is_empty())
        .then(|| HeaderValue::from_str(&values.join(",")).ok())
        .flatten()
}

/// The answer to a preflight: `204 No Content`, with the configured headers when the origin is
/// allowed.
pub fn preflight(cors: &Cors, headers: &HeaderMap) -> Reply {
    let mut reply = Reply::new(http_body_util::Full::default());
    *reply.status_mut() = StatusCode::NO_CONTENT;
    let Some(origin) = allowed_origin(cors, headers) else {
        return reply;
    };
    let out = reply.headers_mut();
    out.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin_value(cors, origin));
    if let Some(methods) = joined(&cors.allow_methods) {
        out.insert(ACCESS_CONTROL_ALLOW_METHODS, methods);
    }
    if let Some(allowed) = joined(&cors.allow_headers) {
        out.insert(ACCESS_CONTROL_ALLOW_HEADERS, allowed);
    }
    if !cors.max_age.is_zero() {
        out.insert(
            ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from(cors.max_age.as_secs()),
        );
    }
    if cors.allow_credentials {
        out.insert(
            ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
    }
    reply
}

/// The backend's CORS headers replaced by the configured ones, for an allowed origin.
pub fn decorate(cors: &Cors, request: &HeaderMap, reply: &mut Reply) {
    let out = reply.headers_mut();
    for name in [
        ACCESS_CONTROL_ALLOW_ORIGIN,
        ACCESS_CONTROL_ALLOW_METHODS,
        ACCESS_CONTROL_ALLOW_HEADERS,
        ACCESS_CONTROL_EXPOSE_HEADERS,
        ACCESS_CONTROL_MAX_AGE,
        ACCESS_CONTROL_ALLOW_CREDENTIALS,
    ] {
        out.remove(name);
    }
    let Some(origin) = allowed_origin(cors, request) else {
        return;
    };
    out.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin_value(cors, origin));
    if let Some(exposed) = joined(&cors.expose_headers) {
        out.insert(ACCESS_CONTROL_EXPOSE_HEADERS, exposed);
    }
    if cors.allow_credentials {
        out.insert(
            ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn cors() -> Cors {
        Cors {
            allow_origins: vec!["https://shop.example.com".into()],
            allow_methods: vec!["POST".into()],
            allow_headers: vec!["content-type".into()],
            max_age: Duration::from_secs(600),
            ..Cors::default()
        }
    }

    fn headers(origin: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(ORIGIN, origin.parse().expect("a value"));
        headers.insert(
            ACCESS_CONTROL_REQUEST_METHOD,
            "POST".parse().expect("a value"),
        );
        headers
    }

    #[test]
    fn preflights_answer_from_the_configuration() {
        let allowed = headers("https://shop.example.com");
        assert!(is_preflight(&Method::OPTIONS, &allowed));
        assert!(!is_preflight(&Method::POST, &allowed));
        let reply = preflight(&cors(), &allowed);
        assert_eq!(reply.status(), StatusCode::NO_CONTENT);
        let out = reply.headers();
        assert_eq!(out[ACCESS_CONTROL_ALLOW_ORIGIN], "https://shop.example.com");
        assert_eq!(out[ACCESS_CONTROL_ALLOW_METHODS], "POST");
        assert_eq!(out[ACCESS_CONTROL_ALLOW_HEADERS], "content-type");
        assert_eq!(out[ACCESS_CONTROL_MAX_AGE], "600");
        let refused = preflight(&cors(), &headers("https://evil.example"));
        assert_eq!(refused.status(), StatusCode::NO_CONTENT);
        assert!(refused.headers().is_empty());
    }

    #[test]
    fn backend_cors_headers_are_replaced() {
        let mut reply = Reply::new(http_body_util::Full::default());
        reply
            .headers_mut()
            .insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        decorate(&cors(), &headers("https://evil.example"), &mut reply);
        assert!(reply.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
        decorate(&cors(), &headers("https://shop.example.com"), &mut reply);
        assert_eq!(
            reply.headers()[ACCESS_CONTROL_ALLOW_ORIGIN],
            "https://shop.example.com"
        );
    }
}
