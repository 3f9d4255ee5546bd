//! The payload format 2.0 event API Gateway sends a Lambda function for an HTTP API request, as
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html>
//! describes it:
//!
//! - "Format 2.0 doesn't have `multiValueHeaders` or `multiValueQueryStringParameters` fields.
//!   Duplicate headers are combined with commas and included in the `headers` field. Duplicate
//!   query strings are combined with commas and included in the `queryStringParameters` field."
//! - "Format 2.0 includes a new `cookies` field. All cookie headers in the request are combined
//!   with commas and added to the `cookies` field" (one entry per cookie; the `cookie` header is
//!   not repeated in `headers`).
//! - `rawPath` and `rawQueryString` are the path and query as the client sent them; with the
//!   `$default` stage the path has no stage prefix. `requestContext` carries `accountId`, `apiId`,
//!   `domainName`, `domainPrefix`, `http` (`method`, `path`, `protocol`, `sourceIp`, `userAgent`),
//!   `requestId`, `routeKey`, `stage` (`$default`), `time` (`12/Mar/2020:19:03:58 +0000`) and
//!   `timeEpoch` (milliseconds).
//! - Fields with nothing in them (`cookies`, `queryStringParameters`, `pathParameters`, `body`)
//!   are left out, as in the events API Gateway sends.
//! - "If the request body is binary, API Gateway base64-encodes it and sets `isBase64Encoded`"; the
//!   engine sends a body that is valid UTF-8 as text and any other body base64-encoded.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use hyper::body::Bytes;
use hyper::header::{COOKIE, HOST, USER_AGENT};
use hyper::http::request::Parts;
use serde_json::{Map, Value, json};

use super::route::percent_decode;

/// The account id local events carry (moto's and the engine's ARNs use the same).
pub const ACCOUNT_ID: &str = "000000000000";

/// What the front door knows about a request besides its HTTP parts.
#[derive(Debug, Clone)]
pub struct RequestFacts<'a> {
    /// The API's id (10 lowercase letters and digits, like API Gateway's).
    pub api_id: &'a str,
    /// The route key that matched (`POST /orders`, `$default`).
    pub route_key: &'a str,
    /// The matched route's path parameters.
    pub path_parameters: &'a BTreeMap<String, String>,
    /// The client's address.
    pub source_ip: IpAddr,
    /// API Gateway's request id for this request.
    pub request_id: &'a str,
    /// When the request arrived.
    pub time: SystemTime,
}

/// The payload 2.0 event for `parts` and `body`.
pub fn build(parts: &Parts, body: &Bytes, facts: &RequestFacts<'_>) -> Value {
    let mut headers: BTreeMap<String, String> = BTreeMap::new();
    let mut cookies: Vec<String> = Vec::new();
    for (name, value) in &parts.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        if name == COOKIE {
            cookies.extend(
                value
                    .split(';')
                    .map(str::trim)
                    .filter(|cookie| !cookie.is_empty())
                    .map(str::to_owned),
            );
            continue;
        }
        headers
            .entry(name.as_str().to_owned())
            .and_modify(|joined| {
                joined.push(',');
                joined.push_str(&value);
            })
            .or_insert(value);
    }
    let raw_query = parts.uri.query().unwrap_or_default();
    let mut query: Map<String, Value> = Map::new();
    for pair in raw_query.split('&').filter(|pair| !pair.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (name, value) = (form_decode(name), form_decode(value));
        match query.get_mut(&name) {
            Some(Value::String(joined)) => {
                joined.push(',');
                joined.push_str(&value);
            }
            _ => {
                query.insert(name, Value::String(value));
            }
        }
    }
    let domain = parts
        .headers
        .get(HOST)
        .map(|host| String::from_utf8_lossy(host.as_bytes()).into_owned())
        .unwrap_or_default();
    let domain_prefix = domain
        .split(['.', ':'])
        .next()
        .unwrap_or_default()
        .to_owned();
    let user_agent = parts
        .headers
        .get(USER_AGENT)
        .map(|agent| String::from_utf8_lossy(agent.as_bytes()).into_owned())
        .unwrap_or_default();
    let epoch_millis = facts.time.duration_since(UNIX_EPOCH).map_or(0, |since| {
        u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
    });
    let mut event = json!({
        "version": "2.0",
        "routeKey": facts.route_key,
        "rawPath": parts.uri.path(),
        "rawQueryString": raw_query,
    });
    if !cookies.is_empty() {
        event["cookies"] = json!(cookies);
    }
    event["headers"] = json!(headers);
    if !query.is_empty() {
        event["queryStringParameters"] = Value::Object(query);
    }
    event["requestContext"] = json!({
        "accountId": ACCOUNT_ID,
        "apiId": facts.api_id,
        "domainName": domain,
        "domainPrefix": domain_prefix,
        "http": {
            "method": parts.method.as_str(),
            "path": parts.uri.path(),
            "protocol": protocol(parts.version),
            "sourceIp": facts.source_ip.to_string(),
            "userAgent": user_agent,
        },
        "requestId": facts.request_id,
        "routeKey": facts.route_key,
        "stage": "$default",
        "time": crate::s3::time::request_time(facts.time),
        "timeEpoch": epoch_millis,
    });
    if !facts.path_parameters.is_empty() {
        event["pathParameters"] = json!(facts.path_parameters);
    }
    if body.is_empty() {
        event["isBase64Encoded"] = json!(false);
    } else if let Ok(text) = std::str::from_utf8(body) {
        event["body"] = json!(text);
        event["isBase64Encoded"] = json!(false);
    } else {
        event["body"] = json!(base64::engine::general_purpose::STANDARD.encode(body));
        event["isBase64Encoded"] = json!(true);
    }
    event
}

fn protocol(version: hyper::Version) -> &'static str {
    match version {
        hyper::Version::HTTP_10 => "HTTP/1.0",
        hyper::Version::HTTP_2 => "HTTP/2.0",
        _ => "HTTP/1.1",
    }
}

/// A query string name or value decoded (`+` is a space, then `%XX`).
fn form_decode(text: &str) -> String {
    percent_decode(&text.replace('+', " "))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use hyper::Request;

    use super::*;

    #[test]
    fn the_event_has_every_field_of_payload_2_0() {
        let request = Request::post("/orders/7?a=1&a=2&b=x%20y")
            .header("Host", "127.0.0.1:3000")
            .header("User-Agent", "curl/8")
            .header("X-Trace", "one")
            .header("x-trace", "two")
            .header("Cookie", "s=1; t=2")
            .body(())
            .expect("a request");
        let (parts, ()) = request.into_parts();
        let parameters = BTreeMap::from([("id".to_owned(), "7".to_owned())]);
        let facts = RequestFacts {
            api_id: "abcdefghij",
            route_key: "POST /orders/{id}",
            path_parameters: &parameters,
            source_ip: "127.0.0.1".parse().expect("an address"),
            request_id: "req-1",
            time: UNIX_EPOCH + Duration::from_millis(1_583_348_638_390),
        };
        let event = build(&parts, &Bytes::from_static(br#"{"qty":1}"#), &facts);
        assert_eq!(
            event,
            json!({
                "version": "2.0",
                "routeKey": "POST /orders/{id}",
                "rawPath": "/orders/7",
                "rawQueryString": "a=1&a=2&b=x%20y",
                "cookies": ["s=1", "t=2"],
                "headers": {"host": "127.0.0.1:3000", "user-agent": "curl/8", "x-trace": "one,two"},
                "queryStringParameters": {"a": "1,2", "b": "x y"},
                "requestContext": {
                    "accountId": "000000000000",
                    "apiId": "abcdefghij",
                    "domainName": "127.0.0.1:3000",
                    "domainPrefix": "127",
                    "http": {"method": "POST", "path": "/orders/7", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "curl/8"},
                    "requestId": "req-1",
                    "routeKey": "POST /orders/{id}",
                    "stage": "$default",
                    "time": "04/Mar/2020:19:03:58 +0000",
                    "timeEpoch": 1_583_348_638_390_u64,
                },
                "pathParameters": {"id": "7"},
                "body": "{\"qty\":1}",
                "isBase64Encoded": false,
            })
        );
        let binary = build(&parts, &Bytes::from_static(&[0xff, 0x00]), &facts);
        assert_eq!(binary["body"], "/wA=");
        assert_eq!(binary["isBase64Encoded"], true);
    }
}
