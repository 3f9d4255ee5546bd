//! A `SendEmail` request read and checked as SES v2 checks it, and the message it sends.
//!
//! Request shape: <https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html>
//! (`Content` required; exactly one of `Simple`, `Raw`, `Template`, per
//! <https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_EmailContent.html>; a simple
//! message needs `Subject` and `Body`,
//! <https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_Message.html>). Limits: at most 50
//! recipients across To, CC and BCC, and tag names and values of ASCII letters, digits, `_`, `-`
//! and `.` up to 256 characters (<https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_MessageTag.html>,
//! <https://docs.aws.amazon.com/ses/latest/dg/quotas.html>). The exact messages for a missing
//! sender are what SES answers (a raw message: "Missing required header 'From'."; a simple one:
//! `{"message": null}`), as recorded by probes of the live service.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::Serialize;
use serde_json::Value;

use super::error::SesError;

/// At most this many recipients across To, CC and BCC ("Amazon SES quotas": "The maximum number
/// of recipients per message is 50").
pub const MAX_RECIPIENTS: usize = 50;

/// The longest tag name or value.
pub const MAX_TAG_LENGTH: usize = 256;

/// One message SES accepted, as the outbox keeps it (`<message_id>.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentEmail {
    /// The id `SendEmail` answered with.
    pub message_id: String,
    /// When it was accepted (ISO 8601, UTC).
    pub sent_at: String,
    /// `FromEmailAddress`, or the raw message's `From` header.
    pub from: String,
    /// `Destination.ToAddresses`.
    pub to: Vec<String>,
    /// `Destination.CcAddresses`.
    pub cc: Vec<String>,
    /// `Destination.BccAddresses`.
    pub bcc: Vec<String>,
    /// `ReplyToAddresses`.
    pub reply_to: Vec<String>,
    /// The subject (`Simple.Subject.Data`, or the raw message's `Subject` header).
    pub subject: String,
    /// The text body, if any.
    pub text: Option<String>,
    /// The HTML body, if any.
    pub html: Option<String>,
    /// The whole MIME message of a raw send.
    pub raw: Option<String>,
    /// `ConfigurationSetName`, if any.
    pub configuration_set: Option<String>,
    /// `EmailTags`, name → value.
    pub tags: BTreeMap<String, String>,
}

/// Reads a `SendEmail` body into the message SES would send; `message_id` and `sent_at` are
/// given by the caller.
pub fn read(body: &[u8], message_id: String, sent_at: String) -> Result<SentEmail, SesError> {
    let request: Value = serde_json::from_slice(body).map_err(|error| {
        SesError::bad_request(format!("The request body is not valid JSON: {error}"))
    })?;
    if !request.is_object() {
        return Err(SesError::bad_request(
            "The request body must be a JSON object.",
        ));
    }
    let content = request
        .get("Content")
        .filter(|content| content.is_object())
        .ok_or_else(|| SesError::bad_request("Content is required."))?;
    let kinds: Vec<&str> = ["Simple", "Raw", "Template"]
        .into_iter()
        .filter(|kind| content.get(*kind).is_some_and(|value| !value.is_null()))
        .collect();
    let destination = Destination::read(&request)?;
    let mut email = SentEmail {
        message_id,
        sent_at,
        from: optional_string(&request, "FromEmailAddress")?.unwrap_or_default(),
        to: destination.to,
        cc: destination.cc,
        bcc: destination.bcc,
        reply_to: strings(&request, "ReplyToAddresses")?,
        subject: String::new(),
        text: None,
        html: None,
        raw: None,
        configuration_set: optional_string(&request, "ConfigurationSetName")?,
        tags: tags(&request)?,
    };
    match kinds.as_slice() {
        ["Simple"] => simple(&content["Simple"], &mut email)?,
        ["Raw"] => raw(&content["Raw"], &mut email)?,
        ["Template"] => {
            let name = content["Template"]
                .get("TemplateName")
                .and_then(Value::as_str)
                .unwrap_or_default();
            // The engine has no templates (no `CreateEmailTemplate`): SES's answer for a
            // template that does not exist.
            return Err(SesError::NotFound(format!(
                "Template {name} does not exist."
            )));
        }
        [] => {
            return Err(SesError::bad_request(
                "Content must contain one of Simple, Raw or Template.",
            ));
        }
        _ => {
            return Err(SesError::bad_request(
                "Content must contain only one of Simple, Raw or Template.",
            ));
        }
    }
    check_addresses(&email)?;
    Ok(email)
}

/// `Destination`'s three lists.
struct Destination {
    to: Vec<String>,
    cc: Vec<String>,
    bcc: Vec<String>,
}

impl Destination {
    fn read(request: &Value) -> Result<Self, SesError> {
        let Some(destination) = request.get("Destination").filter(|value| !value.is_null()) else {
            return Ok(Self {
                to: Vec::new(),
                cc: Vec::new(),
                bcc: Vec::new(),
            });
        };
        Ok(Self {
            to: strings(destination, "ToAddresses")?,
            cc: strings(destination, "CcAddresses")?,
            bcc: strings(destination, "BccAddresses")?,
        })
    }
}

fn simple(message: &Value, email: &mut SentEmail) -> Result<(), SesError> {
    let subject = message
        .get("Subject")
        .filter(|subject| subject.is_object())
        .ok_or_else(|| SesError::bad_request("Subject is required."))?;
    email.subject = data(subject, "Subject")?;
    let body = message
        .get("Body")
        .filter(|body| body.is_object())
        .ok_or_else(|| SesError::bad_request("Body is required."))?;
    email.text = body
        .get("Text")
        .filter(|text| !text.is_null())
        .map(|text| data(text, "Body.Text"))
        .transpose()?;
    email.html = body
        .get("Html")
        .filter(|html| !html.is_null())
        .map(|html| data(html, "Body.Html"))
        .transpose()?;
    if email.from.is_empty() {
        // What SES answers for a simple message without a sender: no message at all.
        return Err(SesError::BadRequest(None));
    }
    Ok(())
}

fn raw(message: &Value, email: &mut SentEmail) -> Result<(), SesError> {
    let encoded = message
        .get("Data")
        .and_then(Value::as_str)
        .ok_or_else(|| SesError::bad_request("Raw.Data is required."))?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|error| SesError::bad_request(format!("Raw.Data is not base64: {error}")))?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let header = |name: &str| {
        text.lines()
            .take_while(|line| !line.trim().is_empty())
            .find_map(|line| {
                let (field, value) = line.split_once(':')?;
                field
                    .trim()
                    .eq_ignore_ascii_case(name)
                    .then(|| value.trim().to_owned())
            })
    };
    if email.from.is_empty() {
        email.from = header("From")
            .ok_or_else(|| SesError::bad_request("Missing required header 'From'."))?;
    }
    if email.to.is_empty() && email.cc.is_empty() && email.bcc.is_empty() {
        email.to = header("To")
            .map(|to| to.split(',').map(|one| one.trim().to_owned()).collect())
            .ok_or_else(|| SesError::bad_request("Missing required header 'To'."))?;
    }
    email.subject = header("Subject").unwrap_or_default();
    email.raw = Some(text);
    Ok(())
}

/// Every address has a local part and a domain; at least one and at most
/// [`MAX_RECIPIENTS`] recipients.
fn check_addresses(email: &SentEmail) -> Result<(), SesError> {
    let recipients = email.to.len() + email.cc.len() + email.bcc.len();
    if recipients == 0 {
        return Err(SesError::bad_request("Missing required header 'To'."));
    }
    if recipients > MAX_RECIPIENTS {
        return Err(SesError::MessageRejected(format!(
            "Recipient count exceeds {MAX_RECIPIENTS}."
        )));
    }
    let addresses = std::iter::once(&email.from)
        .chain(&email.to)
        .chain(&email.cc)
        .chain(&email.bcc)
        .chain(&email.reply_to);
    for address in addresses {
        let bare = address
            .rsplit_once('<')
            .map_or(address.as_str(), |(_, inner)| inner.trim_end_matches('>'));
        let valid = bare
            .rsplit_once('@')
            .is_some_and(|(local, domain)| !local.trim().is_empty() && !domain.trim().is_empty());
        if !valid {
            return Err(SesError::bad_request(format!(
                "Missing final '@domain' in `{address}`."
            )));
        }
    }
    Ok(())
}

/// `Data` of a `Content` (subject or body part).
fn data(content: &Value, field: &str) -> Result<String, SesError> {
    content
        .get("Data")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| SesError::bad_request(format!("{field}.Data is required.")))
}

fn optional_string(object: &Value, field: &str) -> Result<Option<String>, SesError> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(SesError::bad_request(format!("{field} must be a string."))),
    }
}

fn strings(object: &Value, field: &str) -> Result<Vec<String>, SesError> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str().map(str::to_owned).ok_or_else(|| {
                    SesError::bad_request(format!("{field} must be a list of strings."))
                })
            })
            .collect(),
        Some(_) => Err(SesError::bad_request(format!(
            "{field} must be a list of strings."
        ))),
    }
}

fn tags(request: &Value) -> Result<BTreeMap<String, String>, SesError> {
    let Some(list) = request.get("EmailTags").filter(|value| !value.is_null()) else {
        return Ok(BTreeMap::new());
    };
    let list = list
        .as_array()
        .ok_or_else(|| SesError::bad_request("EmailTags must be a list."))?;
    let mut tags = BTreeMap::new();
    for tag in list {
        let name = data_field(tag, "Name")?;
        let value = data_field(tag, "Value")?;
        tags.insert(name, value);
    }
    Ok(tags)
}

fn data_field(tag: &Value, field: &str) -> Result<String, SesError> {
    let text = tag
        .get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| SesError::bad_request(format!("A message tag needs a {field}.")))?;
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    if text.is_empty() || text.len() > MAX_TAG_LENGTH || !text.chars().all(allowed) {
        return Err(SesError::bad_request(format!(
            "Invalid tag {}: `{text}` must be 1 to {MAX_TAG_LENGTH} ASCII letters, digits, underscores, dashes or periods.",
            field.to_ascii_lowercase()
        )));
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn send(request: &Value) -> Result<SentEmail, SesError> {
        read(request.to_string().as_bytes(), "id".into(), "now".into())
    }

    fn simple_request() -> Value {
        json!({
            "FromEmailAddress": "orders@example.com",
            "Destination": {"ToAddresses": ["a@example.com"], "BccAddresses": ["audit@example.com"]},
            "Content": {"Simple": {"Subject": {"Data": "Order ORD-1"}, "Body": {"Text": {"Data": "Thanks"}, "Html": {"Data": "<p>Thanks</p>"}}}},
            "ConfigurationSetName": "orders-events",
            "EmailTags": [{"Name": "order_id", "Value": "ORD-1"}],
        })
    }

    #[test]
    fn a_simple_message_keeps_every_part() {
        let email = send(&simple_request()).expect("accepted");
        assert_eq!(email.from, "orders@example.com");
        assert_eq!(email.to, ["a@example.com"]);
        assert_eq!(email.bcc, ["audit@example.com"]);
        assert_eq!(email.subject, "Order ORD-1");
        assert_eq!(email.text.as_deref(), Some("Thanks"));
        assert_eq!(email.html.as_deref(), Some("<p>Thanks</p>"));
        assert_eq!(email.configuration_set.as_deref(), Some("orders-events"));
        assert_eq!(email.tags["order_id"], "ORD-1");
    }

    #[track_caller]
    fn refused(change: impl FnOnce(&mut Value), expected: &SesError) {
        let mut request = simple_request();
        change(&mut request);
        assert_eq!(send(&request).as_ref(), Err(expected));
    }

    #[test]
    fn requests_are_refused_as_ses_refuses_them() {
        refused(
            |r| {
                r.as_object_mut().map(|o| o.remove("FromEmailAddress"));
            },
            &SesError::BadRequest(None),
        );
        refused(
            |r| r["Destination"] = json!({}),
            &SesError::bad_request("Missing required header 'To'."),
        );
        refused(
            |r| r["Destination"]["ToAddresses"] = json!(["nobody"]),
            &SesError::bad_request("Missing final '@domain' in `nobody`."),
        );
        refused(
            |r| {
                let many: Vec<String> = (0..51).map(|n| format!("r{n}@example.com")).collect();
                r["Destination"]["ToAddresses"] = json!(many);
            },
            &SesError::MessageRejected("Recipient count exceeds 50.".into()),
        );
        refused(
            |r| {
                r.as_object_mut().map(|o| o.remove("Content"));
            },
            &SesError::bad_request("Content is required."),
        );
        refused(
            |r| r["Content"] = json!({"Template": {"TemplateName": "welcome"}}),
            &SesError::NotFound("Template welcome does not exist.".into()),
        );
        refused(
            |r| r["EmailTags"] = json!([{"Name": "bad name", "Value": "x"}]),
            &SesError::bad_request(
                "Invalid tag name: `bad name` must be 1 to 256 ASCII letters, digits, underscores, dashes or periods.",
            ),
        );
    }

    #[test]
    fn a_raw_message_takes_its_sender_and_recipients_from_its_headers() {
        let mime = "From: orders@example.com\r\nTo: a@example.com, b@example.com\r\nSubject: Hi\r\n\r\nbody";
        let request = json!({"Content": {"Raw": {"Data": base64::engine::general_purpose::STANDARD.encode(mime)}}});
        let email = send(&request).expect("accepted");
        assert_eq!(email.from, "orders@example.com");
        assert_eq!(email.to, ["a@example.com", "b@example.com"]);
        assert_eq!(email.subject, "Hi");
        let no_from = json!({"Content": {"Raw": {"Data": base64::engine::general_purpose::STANDARD.encode("To: a@example.com\r\n\r\nx")}}});
        assert_eq!(
            send(&no_from),
            Err(SesError::bad_request("Missing required header 'From'."))
        );
    }
}
