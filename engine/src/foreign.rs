//! Answers for requests the engine has no service for, in the shape the client's protocol
//! expects, each naming the services the engine does have.

use http_body_util::Full;
use hyper::StatusCode;
use hyper::body::Bytes;
use hyper::header::{CONTENT_TYPE, HeaderValue};

use super::listener::Reply;
use super::s3::xml;

/// What the engine serves, as every refusal says it.
pub const SERVED: &str = "this engine serves SQS (JSON protocol) and S3";

/// An `X-Amz-Target` of another JSON-protocol service (`DynamoDB_20120810.PutItem`,
/// `AWSEvents.PutEvents`): status 400 and an `UnknownOperationException` body, as AWS answers
/// a target its endpoint does not know.
pub fn unknown_target(target: &str) -> Reply {
    let body = serde_json::json!({
        "__type": "UnknownOperationException",
        "message": format!("`{target}` names a service the local engine does not have; {SERVED}"),
    });
    reply(
        StatusCode::BAD_REQUEST,
        "application/x-amz-json-1.0",
        body.to_string(),
    )
}

/// An SQS query-protocol request (`Action=SendMessage` in a form body or the query string),
/// what SDKs before the JSON protocol (2023) send: status 400 and the query protocol's XML
/// `ErrorResponse`, so the old client shows the message.
pub fn query_protocol(action: Option<&str>) -> Reply {
    let action = action.map_or_else(String::new, |action| format!(" `Action={action}`"));
    let message = format!(
        "the local engine speaks the SQS JSON protocol (`X-Amz-Target: AmazonSQS.<Operation>`, \
         AWS SDKs from 2023 on), not the query protocol{action}; upgrade the SDK. {SERVED}"
    );
    let mut body = String::from(xml::DECLARATION);
    body.push_str("<ErrorResponse><Error><Type>Sender</Type>");
    xml::element(&mut body, "Code", "InvalidAction");
    xml::element(&mut body, "Message", &message);
    body.push_str("</Error></ErrorResponse>");
    reply(StatusCode::BAD_REQUEST, "text/xml", body)
}

/// The `Action` parameter of a form-encoded query, if any.
pub fn action(form: &str) -> Option<String> {
    form.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        (name == "Action").then(|| value.to_owned())
    })
}

/// A whole answer: `status`, `Content-Type` and `body`.
pub fn reply(status: StatusCode, content_type: &'static str, body: String) -> Reply {
    let mut response = Reply::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_action_is_read_from_a_form() {
        assert_eq!(
            action("QueueUrl=x&Action=SendMessage&Version=2012-11-05").as_deref(),
            Some("SendMessage")
        );
        assert_eq!(action("QueueUrl=x"), None);
    }
}
