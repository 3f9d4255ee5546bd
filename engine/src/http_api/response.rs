//! The function's answer turned into the HTTP response, by API Gateway's rule for payload format
//! 2.0 (<https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html>,
//! "Lambda function response for format 2.0"):
//!
//! - An object with `statusCode` is a structured response: `statusCode`, `headers`, `cookies`
//!   (each one a `Set-Cookie` header), `body`, `isBase64Encoded` (the body is decoded before it is
//!   sent). `multiValueHeaders`, which the Rust event types always serialise, adds its values to
//!   the header of the same name.
//! - "If your Lambda function returns valid JSON and doesn't return a `statusCode`, API Gateway
//!   makes the following assumptions: `isBase64Encoded` is `false`, `statusCode` is `200`,
//!   `content-type` is `application/json`, `body` is the function's response" — the simple
//!   response; a JSON string is the body as text (`"Hello from Lambda!"` answers
//!   `Hello from Lambda!`).
//! - An answer that is not JSON, or a malformed structured one, is the gateway's own
//!   `500 {"message":"Internal Server Error"}`.

use base64::Engine as _;
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{CONTENT_TYPE, HeaderName, HeaderValue, SET_COOKIE};
use hyper::{Response, StatusCode};
use serde_json::Value;

use crate::listener::Reply;

/// Why an answer is not a response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the function's answer is not a payload 2.0 response: {0}")]
pub struct Malformed(pub String);

/// The HTTP response for a function's `answer`.
pub fn from_answer(answer: &[u8]) -> Result<Reply, Malformed> {
    let value: Value =
        serde_json::from_slice(answer).map_err(|error| Malformed(format!("not JSON ({error})")))?;
    match &value {
        Value::Object(object) if object.contains_key("statusCode") => structured(&value),
        Value::String(text) => Ok(simple(Bytes::from(text.clone()))),
        _ => Ok(simple(Bytes::copy_from_slice(answer))),
    }
}

/// The simple response: 200, `application/json`, the body as given.
fn simple(body: Bytes) -> Reply {
    let mut response = Response::new(Full::new(body));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn structured(value: &Value) -> Result<Reply, Malformed> {
    let status = value["statusCode"]
        .as_u64()
        .and_then(|code| u16::try_from(code).ok())
        .and_then(|code| StatusCode::from_u16(code).ok())
        .ok_or_else(|| {
            Malformed(format!(
                "`statusCode` {} is not an HTTP status",
                value["statusCode"]
            ))
        })?;
    let text = match &value["body"] {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    let body = if value["isBase64Encoded"].as_bool() == Some(true) {
        base64::engine::general_purpose::STANDARD
            .decode(&text)
            .map_err(|error| Malformed(format!("`body` is not base64 ({error})")))?
    } else {
        text.into_bytes()
    };
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    for (name, field) in value["headers"].as_object().into_iter().flatten() {
        let text = match field {
            Value::String(text) => text.clone(),
            Value::Null => continue,
            other => other.to_string(),
        };
        headers.insert(header_name(name)?, header_value(&text)?);
    }
    for (name, values) in value["multiValueHeaders"].as_object().into_iter().flatten() {
        for field in values.as_array().into_iter().flatten() {
            if let Some(text) = field.as_str() {
                headers.append(header_name(name)?, header_value(text)?);
            }
        }
    }
    for cookie in value["cookies"].as_array().into_iter().flatten() {
        if let Some(cookie) = cookie.as_str() {
            headers.append(SET_COOKIE, header_value(cookie)?);
        }
    }
    Ok(response)
}

fn header_name(name: &str) -> Result<HeaderName, Malformed> {
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Malformed(format!("`{name}` is not a header name")))
}

fn header_value(text: &str) -> Result<HeaderValue, Malformed> {
    HeaderValue::from_str(text).map_err(|_| Malformed(format!("`{text}` is not a header value")))
}

/// API Gateway's own answer: `status` with `{"message": "..."}`.
pub fn gateway(status: StatusCode, message: &str) -> Reply {
    let body = serde_json::json!({ "message": message }).to_string();
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

#[cfg(test)]
mod tests {
    use http_body_util::BodyExt as _;

    use super::*;

    async fn text(reply: Reply) -> String {
        let bytes = reply
            .into_body()
            .collect()
            .await
            .expect("a body")
            .to_bytes();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    #[tokio::test]
    async fn simple_responses_are_200_json() {
        let reply = from_answer(br#"{"order_id":"1"}"#).expect("a response");
        assert_eq!(reply.status(), StatusCode::OK);
        assert_eq!(reply.headers()[CONTENT_TYPE], "application/json");
        assert_eq!(text(reply).await, r#"{"order_id":"1"}"#);
        let reply = from_answer(br#""Hello from Lambda!""#).expect("a response");
        assert_eq!(text(reply).await, "Hello from Lambda!");
        let reply = from_answer(b"[1,2]").expect("a response");
        assert_eq!(text(reply).await, "[1,2]");
        assert!(from_answer(b"not json").is_err());
    }

    #[tokio::test]
    async fn structured_responses_keep_status_headers_and_cookies() {
        let answer = br#"{"statusCode":202,"headers":{"content-type":"application/json","x-n":1},"multiValueHeaders":{"x-m":["a","b"]},"cookies":["s=1; Secure","t=2"],"body":"{\"ok\":true}","isBase64Encoded":false}"#;
        let reply = from_answer(answer).expect("a response");
        assert_eq!(reply.status(), StatusCode::ACCEPTED);
        assert_eq!(reply.headers()["x-n"], "1");
        let multi: Vec<_> = reply.headers().get_all("x-m").iter().collect();
        assert_eq!(multi, ["a", "b"]);
        let cookies: Vec<_> = reply.headers().get_all(SET_COOKIE).iter().collect();
        assert_eq!(cookies, ["s=1; Secure", "t=2"]);
        assert_eq!(text(reply).await, r#"{"ok":true}"#);
        let encoded = from_answer(br#"{"statusCode":200,"body":"aGk=","isBase64Encoded":true}"#)
            .expect("a response");
        assert_eq!(text(encoded).await, "hi");
        assert!(from_answer(br#"{"statusCode":"x"}"#).is_err());
        assert!(from_answer(br#"{"statusCode":99}"#).is_err());
    }
}
