//! Answers for requests the engine has no service for, in the shape the client's protocol
//! expects, each naming the services the engine does have.

use http_body_util::{BodyExt as _, Full, Limited};
use hyper::StatusCode;
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_TYPE, HeaderValue};

use super::limits::MAX_FORM_BYTES;
use super::listener::Reply;
use super::s3::xml;

/// An `X-Amz-Target` of another JSON-protocol service (`DynamoDB_20120810.PutItem`,
/// `AWSEvents.PutEvents`): status 400 and an `UnknownOperationException` body, as AWS answers
/// a target its endpoint does not know. `served` names the services the engine has.
pub fn unknown_target(target: &str, served: &str) -> Reply {
    let body = serde_json::json!({
        "__type": "UnknownOperationException",
        "message": format!("`{target}` names a service the local engine does not have; this engine serves {served}"),
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
pub fn query_protocol(action: Option<&str>, served: &str) -> Reply {
    let action = action.map_or_else(String::new, |action| format!(" `Action={action}`"));
    let message = format!(
        "the local engine speaks the SQS JSON protocol (`X-Amz-Target: AmazonSQS.<Operation>`, \
         AWS SDKs from 2023 on), not the query protocol{action}; upgrade the SDK. This engine serves {served}"
    );
    let mut body = String::from(xml::DECLARATION);
    body.push_str("<ErrorResponse><Error><Type>Sender</Type>");
    xml::element(&mut body, "Code", "InvalidAction");
    xml::element(&mut body, "Message", &message);
    body.push_str("</Error></ErrorResponse>");
    reply(StatusCode::BAD_REQUEST, "text/xml", body)
}

/// A request no service claims (an engine without a REST service): status 400, XML.
pub fn no_service(served: &str) -> Reply {
    let mut body = String::from(xml::DECLARATION);
    body.push_str("<Error>");
    xml::element(&mut body, "Code", "InvalidRequest");
    xml::element(
        &mut body,
        "Message",
        &format!("no service of the local engine takes this request; this engine serves {served}"),
    );
    body.push_str("</Error>");
    reply(StatusCode::BAD_REQUEST, "application/xml", body)
}

/// The `Action` of a form-encoded body (read up to [`MAX_FORM_BYTES`]), if any.
pub async fn form_action(body: Incoming) -> Option<String> {
    let form = Limited::new(body, MAX_FORM_BYTES)
        .collect()
        .await
        .ok()?
        .to_bytes();
    action(&String::from_utf8_lossy(&form))
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
