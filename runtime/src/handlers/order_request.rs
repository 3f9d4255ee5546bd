//! An order request as seed 001 posts it — `{"email": "...", "items": [{"sku": "A-1", "qty": 2}]}`
//! plus any other fields, which are kept exactly (numbers keep their text) — and its validation:
//! every problem at once, each with its JSON pointer.

use std::fmt;
use std::fmt::Write as _;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::batch::RecordFailure;
use crate::handler::Decode;
use crate::problem::{Problem, pointer};
use crate::resources::plausible_address;

/// A valid order request.
#[derive(Debug, Clone)]
pub struct OrderRequest {
    email: String,
    items: usize,
    fields: Vec<(String, Box<RawValue>)>,
}

impl OrderRequest {
    /// The customer's address.
    pub fn email(&self) -> &str {
        &self.email
    }

    /// How many items it has.
    pub fn item_count(&self) -> usize {
        self.items
    }

    /// Validates `body`: `email` a plausible address, `items` a non-empty array, each item an
    /// object with a non-empty string `sku` and a whole `qty` of at least 1.
    pub fn validate(body: &str) -> Result<Self, Vec<Problem>> {
        let Ok(RawObject(fields)) = serde_json::from_str::<RawObject>(body) else {
            let problem = match serde_json::from_str::<serde::de::IgnoredAny>(body) {
                Ok(_) => "the order must be a JSON object".to_owned(),
                Err(error) => format!("the body is not JSON: {error}"),
            };
            return Err(vec![Problem::new("", problem)]);
        };
        let field = |name: &str| {
            fields
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.get())
        };
        let mut problems = Vec::new();
        let email = match field("email") {
            None => {
                problems.push(Problem::new(
                    "/email",
                    "required: the customer's email address",
                ));
                String::new()
            }
            Some(raw) => match serde_json::from_str::<String>(raw) {
                Ok(email) if plausible_address(email.trim()) => email.trim().to_owned(),
                Ok(email) => {
                    problems.push(Problem::new(
                        "/email",
                        format!("`{}` is not an email address", shown(&email)),
                    ));
                    email
                }
                Err(_) => {
                    problems.push(Problem::new(
                        "/email",
                        format!("must be a string, found `{}`", shown(raw)),
                    ));
                    String::new()
                }
            },
        };
        let items = match field("items") {
            None => {
                problems.push(Problem::new("/items", "required: at least one item"));
                0
            }
            Some(raw) => match serde_json::from_str::<Vec<&RawValue>>(raw) {
                Ok(items) if items.is_empty() => {
                    problems.push(Problem::new("/items", "must have at least one item"));
                    0
                }
                Ok(items) => {
                    for (index, item) in items.iter().enumerate() {
                        check_item(index, item, &mut problems);
                    }
                    items.len()
                }
                Err(_) => {
                    problems.push(Problem::new(
                        "/items",
                        format!("must be an array of items, found `{}`", shown(raw)),
                    ));
                    0
                }
            },
        };
        if problems.is_empty() {
            Ok(Self {
                email,
                items,
                fields,
            })
        } else {
            Err(problems)
        }
    }

    /// The message to enqueue: the request's fields as received, then `order_id` and
    /// `received_at` (a request's own `order_id` or `received_at` is replaced).
    pub fn enqueued_body(&self, order_id: &str, received_at: &str) -> String {
        let mut body = String::from("{");
        for (name, value) in &self.fields {
            if name == "order_id" || name == "received_at" {
                continue;
            }
            body.push_str(&serde_json::Value::from(name.as_str()).to_string());
            body.push(':');
            body.push_str(value.get());
            body.push(',');
        }
        let _ = write!(
            body,
            "\"order_id\":{},\"received_at\":{}}}",
            serde_json::Value::from(order_id),
            serde_json::Value::from(received_at)
        );
        body
    }
}

/// A request decodes only when it is valid; otherwise it fails as invalid with every problem.
impl Decode for OrderRequest {
    fn decode(body: &str) -> Result<Self, RecordFailure> {
        Self::validate(body).map_err(|problems| {
            let summary: Vec<String> = problems
                .iter()
                .map(|problem| {
                    format!("{}: {}", display_pointer(&problem.pointer), problem.problem)
                })
                .collect();
            RecordFailure::invalid_with(format!("invalid order: {}", summary.join("; ")), problems)
        })
    }
}

fn display_pointer(pointer: &str) -> &str {
    if pointer.is_empty() { "/" } else { pointer }
}

fn check_item(index: usize, raw: &RawValue, problems: &mut Vec<Problem>) {
    let at = |member: &str| {
        if member.is_empty() {
            pointer(&["items", &index.to_string()])
        } else {
            pointer(&["items", &index.to_string(), member])
        }
    };
    let Ok(RawObject(fields)) = serde_json::from_str::<RawObject>(raw.get()) else {
        problems.push(Problem::new(
            at(""),
            format!(
                "must be an object with `sku` and `qty`, found `{}`",
                shown(raw.get())
            ),
        ));
        return;
    };
    let field = |name: &str| {
        fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.get())
    };
    match field("sku").map(serde_json::from_str::<String>) {
        None => problems.push(Problem::new(at("sku"), "required: the item's SKU")),
        Some(Ok(sku)) if !sku.trim().is_empty() => {}
        Some(_) => problems.push(Problem::new(at("sku"), "must be a non-empty string")),
    }
    match field("qty") {
        None => problems.push(Problem::new(at("qty"), "required: how many")),
        Some(text) if text.parse::<u64>().is_ok_and(|qty| qty >= 1) => {}
        Some(text) => problems.push(Problem::new(
            at("qty"),
            format!(
                "must be a whole number of at least 1, found `{}`",
                shown(text)
            ),
        )),
    }
}

/// At most 40 characters of `text`, for messages.
fn shown(text: &str) -> String {
    if text.chars().count() <= 40 {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(40).collect::<String>())
    }
}

/// A JSON object's members in their order, each value's text kept exactly.
struct RawObject(Vec<(String, Box<RawValue>)>);

impl<'de> Deserialize<'de> for RawObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> Visitor<'de> for Members {
            type Value = RawObject;
            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawObject, A::Error> {
                let mut members = Vec::new();
                while let Some((name, value)) = map.next_entry::<String, Box<RawValue>>()? {
                    // A repeated member: the last one counts, as in JavaScript.
                    members.retain(|(known, _): &(String, Box<RawValue>)| *known != name);
                    members.push((name, value));
                }
                Ok(RawObject(members))
            }
        }
        deserializer.deserialize_map(Members)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn problems(body: &str) -> Vec<(String, String)> {
        OrderRequest::validate(body)
            .unwrap_err()
            .into_iter()
            .map(|problem| (problem.pointer, problem.problem))
            .collect()
    }

    #[test]
    fn every_problem_is_reported_with_its_pointer() {
        let found = problems(
            r#"{"email": "not-an-address", "items": [{"sku": "A-1", "qty": 0}, "x", {"qty": 1.5}, {"sku": " ", "qty": "2"}]}"#,
        );
        let pointers: Vec<&str> = found.iter().map(|(pointer, _)| pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/email",
                "/items/0/qty",
                "/items/1",
                "/items/2/sku",
                "/items/2/qty",
                "/items/3/sku",
                "/items/3/qty"
            ]
        );
        assert_eq!(
            found[1].1,
            "must be a whole number of at least 1, found `0`"
        );
        assert_eq!(
            found[4].1,
            "must be a whole number of at least 1, found `1.5`"
        );
        assert_eq!(
            found[6].1,
            "must be a whole number of at least 1, found `\"2\"`"
        );
    }

    #[test]
    fn missing_and_mistyped_fields() {
        #[track_caller]
        fn case(body: &str, expected: &[(&str, &str)]) {
            let found = problems(body);
            let found: Vec<(&str, &str)> = found
                .iter()
                .map(|(pointer, problem)| (pointer.as_str(), problem.as_str()))
                .collect();
            assert_eq!(found, expected, "{body}");
        }
        case(
            "{}",
            &[
                ("/email", "required: the customer's email address"),
                ("/items", "required: at least one item"),
            ],
        );
        case(
            r#"{"email": 7, "items": []}"#,
            &[
                ("/email", "must be a string, found `7`"),
                ("/items", "must have at least one item"),
            ],
        );
        case(
            r#"{"email": "a@example.com", "items": {"sku": "A"}}"#,
            &[(
                "/items",
                "must be an array of items, found `{\"sku\": \"A\"}`",
            )],
        );
        case("[1, 2]", &[("", "the order must be a JSON object")]);
        assert!(
            problems("{")
                .first()
                .unwrap()
                .1
                .starts_with("the body is not JSON")
        );
    }

    #[test]
    fn a_valid_order_keeps_its_fields_exactly() {
        let order = OrderRequest::validate(
            r#"{"order_id": "client-chosen", "email": " a@example.com ", "items": [{"sku": "A-1", "qty": 2, "price": 19.990000000000000001}], "note": "gift"}"#,
        )
        .unwrap();
        assert_eq!((order.email(), order.item_count()), ("a@example.com", 1));
        let body = order.enqueued_body("01JDQ0000000000000000000AB", "2026-11-30T17:00:00Z");
        assert_eq!(
            body,
            r#"{"email":" a@example.com ","items":[{"sku": "A-1", "qty": 2, "price": 19.990000000000000001}],"note":"gift","order_id":"01JDQ0000000000000000000AB","received_at":"2026-11-30T17:00:00Z"}"#
        );
        let failure = OrderRequest::decode(r#"{"items": []}"#).unwrap_err();
        assert_eq!(failure.problems.len(), 2);
        assert_eq!(
            failure.reason,
            "invalid order: /email: required: the customer's email address; /items: must have at least one item"
        );
    }
}
