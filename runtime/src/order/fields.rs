//! The field rules, shared by strict parsing and repair so the two cannot drift apart.
//!
//! A [`Parser`] is strict, or lenient with a list of repairs: every rule that `repair` relaxes is
//! written once, as "strict → error, lenient → fix and record".

use serde::Deserialize;
use serde_json::value::RawValue;

use super::discount::canonical_code;
use super::error::OrderError;
use super::json::{Json, Slot, malformed, object, quote, shorten};
use super::message::{
    LineItem, MAX_BODY_BYTES, MAX_ITEMS, MAX_NAME_CHARS, MAX_ORDER_ID_CHARS, MAX_PRICE,
    MAX_PROMO_CODE_CHARS, MAX_QUANTITY, Order,
};
use super::money::Money;
use super::number::ExactNumber;
use super::repair::Repair;

#[derive(Deserialize)]
struct OrderFields<'a> {
    #[serde(default, borrow)]
    order_id: Slot<'a>,
    #[serde(default, borrow)]
    items: Slot<'a>,
    #[serde(default, borrow)]
    promo_code: Slot<'a>,
}

#[derive(Deserialize)]
struct ItemFields<'a> {
    #[serde(default, borrow)]
    name: Slot<'a>,
    #[serde(default, borrow)]
    sku: Slot<'a>,
    #[serde(default, borrow)]
    price: Slot<'a>,
    #[serde(default, borrow)]
    quantity: Slot<'a>,
}

/// Reads an [`Order`] strictly, or leniently while recording each [`Repair`].
pub(crate) struct Parser<'r> {
    repairs: Option<&'r mut Vec<Repair>>,
}

impl Parser<'static> {
    /// A parser that rejects anything a repair would fix.
    pub(crate) fn strict() -> Self {
        Parser { repairs: None }
    }
}

impl<'r> Parser<'r> {
    /// A parser that fixes what it can and appends a [`Repair`] for each fix.
    pub(crate) fn lenient(repairs: &'r mut Vec<Repair>) -> Self {
        Parser {
            repairs: Some(repairs),
        }
    }

    /// Reads a whole message body.
    pub(crate) fn order(&mut self, body: &str) -> Result<Order, OrderError> {
        if body.len() > MAX_BODY_BYTES {
            return Err(OrderError::TooLarge { bytes: body.len() });
        }
        let root: &RawValue = serde_json::from_str(body).map_err(|error| OrderError::NotJson {
            detail: error.to_string(),
        })?;
        let fields: OrderFields<'_> = object(root, "body")?;
        let order_id = self.order_id(fields.order_id)?;
        let items = self.items(fields.items)?;
        let promo_code = self.promo_code(fields.promo_code)?;
        Ok(Order {
            order_id,
            items,
            promo_code,
        })
    }

    fn order_id(&mut self, slot: Slot<'_>) -> Result<String, OrderError> {
        let field = "order_id";
        let raw = slot.0.ok_or_else(|| missing(field))?;
        let id = self.text(raw, field, MAX_ORDER_ID_CHARS)?;
        if id.chars().any(char::is_control) {
            return Err(OrderError::NotPrintable {
                field: field.to_owned(),
                found: quote(&id),
            });
        }
        Ok(id)
    }

    fn items(&mut self, slot: Slot<'_>) -> Result<Vec<LineItem>, OrderError> {
        let raw = slot.0.ok_or_else(|| missing("items"))?;
        let entries: Vec<&RawValue> = match Json::classify(raw, "items")? {
            Json::Array(raw) => {
                serde_json::from_str(raw.get()).map_err(|error| malformed("items", &error))?
            }
            other => return Err(wrong_type("items", "an array", &other)),
        };
        if entries.is_empty() || entries.len() > MAX_ITEMS {
            return Err(OrderError::ItemCount {
                count: entries.len(),
            });
        }
        entries
            .into_iter()
            .enumerate()
            .map(|(index, raw)| self.item(raw, index))
            .collect()
    }

    fn item(&mut self, raw: &RawValue, index: usize) -> Result<LineItem, OrderError> {
        let item = format!("items[{index}]");
        let fields: ItemFields<'_> = object(raw, &item)?;
        let name = self.label(fields.name, &format!("{item}.name"))?;
        let sku = self.label(fields.sku, &format!("{item}.sku"))?;
        if name.is_none() && sku.is_none() {
            return Err(OrderError::Unnamed { item });
        }
        let unit_price = self.price(fields.price, &format!("{item}.price"))?;
        let quantity = self.quantity(fields.quantity, &format!("{item}.quantity"))?;
        Ok(LineItem {
            name,
            sku,
            unit_price,
            quantity,
        })
    }

    /// `name` or `sku`: absent and `null` both mean "not given".
    fn label(&mut self, slot: Slot<'_>, field: &str) -> Result<Option<String>, OrderError> {
        match slot.0 {
            None => Ok(None),
            Some(raw) if matches!(Json::classify(raw, field)?, Json::Null) => Ok(None),
            Some(raw) => self.text(raw, field, MAX_NAME_CHARS).map(Some),
        }
    }

    /// A required string, non-empty after trimming, at most `max` characters; surrounding
    /// whitespace is an error when strict and trimmed when lenient.
    fn text(&mut self, raw: &RawValue, field: &str, max: usize) -> Result<String, OrderError> {
        let value = match Json::classify(raw, field)? {
            Json::String(value) => value,
            other => return Err(wrong_type(field, "a string", &other)),
        };
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return Err(OrderError::Empty {
                field: field.to_owned(),
            });
        }
        let length = trimmed.chars().count();
        if length > max {
            return Err(OrderError::TooLong {
                field: field.to_owned(),
                max,
                length,
            });
        }
        if trimmed.len() != value.len() {
            let Some(repairs) = self.repairs.as_deref_mut() else {
                return Err(OrderError::Whitespace {
                    field: field.to_owned(),
                    found: quote(&value),
                });
            };
            repairs.push(Repair::new(field, quote(&value), quote(trimmed)));
        }
        Ok(trimmed.to_owned())
    }

    /// Optional; matched case-insensitively, so it is stored trimmed and upper case in both modes
    /// (a repair records the change, as the requeued body changes).
    fn promo_code(&mut self, slot: Slot<'_>) -> Result<Option<String>, OrderError> {
        let field = "promo_code";
        let value = match slot.0.map(|raw| Json::classify(raw, field)).transpose()? {
            None | Some(Json::Null) => return Ok(None),
            Some(Json::String(value)) => value,
            Some(other) => return Err(wrong_type(field, "a string", &other)),
        };
        let code = canonical_code(&value);
        let length = code.chars().count();
        if length > MAX_PROMO_CODE_CHARS {
            return Err(OrderError::TooLong {
                field: field.to_owned(),
                max: MAX_PROMO_CODE_CHARS,
                length,
            });
        }
        if code != value
            && let Some(repairs) = self.repairs.as_deref_mut()
        {
            let to = if code.is_empty() {
                "null".to_owned()
            } else {
                quote(&code)
            };
            repairs.push(Repair::new(field, quote(&value), to));
        }
        Ok((!code.is_empty()).then_some(code))
    }

    fn price(&mut self, slot: Slot<'_>, field: &str) -> Result<Money, OrderError> {
        let (number, text, original) = self.number(slot, field)?;
        let error =
            |make: fn(String, String) -> OrderError| Err(make(field.to_owned(), shorten(&text)));
        if number.is_negative() {
            return error(|field, found| OrderError::NegativePrice { field, found });
        }
        if number.decimal_places() > 2 {
            return error(|field, found| OrderError::PricePrecision { field, found });
        }
        let price = match number.to_decimal().map(Money::new) {
            Some(Ok(price)) if price.as_decimal() <= MAX_PRICE.into() => price,
            _ => return error(|field, found| OrderError::PriceTooLarge { field, found }),
        };
        self.record_number(field, original, &price.to_string());
        Ok(price)
    }

    fn quantity(&mut self, slot: Slot<'_>, field: &str) -> Result<u32, OrderError> {
        let (number, text, original) = self.number(slot, field)?;
        let error =
            |make: fn(String, String) -> OrderError| Err(make(field.to_owned(), shorten(&text)));
        if number.is_negative() || number.is_zero() || number.decimal_places() > 0 {
            return error(|field, found| OrderError::Quantity { field, found });
        }
        let quantity = match number.to_u64().map(u32::try_from) {
            Some(Ok(quantity)) if quantity <= MAX_QUANTITY => quantity,
            _ => return error(|field, found| OrderError::QuantityTooLarge { field, found }),
        };
        self.record_number(field, original, &quantity.to_string());
        Ok(quantity)
    }

    /// A required number: a JSON number, or (lenient) a string holding one, such as `" 3 "`.
    /// Returns the number, its text, and the original string when it came from one.
    fn number(
        &mut self,
        slot: Slot<'_>,
        field: &str,
    ) -> Result<(ExactNumber, String, Option<String>), OrderError> {
        let raw = slot.0.ok_or_else(|| missing(field))?;
        let (text, original) = match Json::classify(raw, field)? {
            Json::Number(text) => (text.to_owned(), None),
            Json::String(value) if self.repairs.is_some() => (value.trim().to_owned(), Some(value)),
            other => return Err(wrong_type(field, "a number", &other)),
        };
        let Some(number) = ExactNumber::parse(&text) else {
            let found = original.as_deref().map_or_else(
                || shorten(&text),
                |value| format!("string {}", quote(value)),
            );
            return Err(OrderError::NotANumber {
                field: field.to_owned(),
                found,
            });
        };
        Ok((number, text, original))
    }

    fn record_number(&mut self, field: &str, original: Option<String>, value: &str) {
        if let (Some(original), Some(repairs)) = (original, self.repairs.as_deref_mut()) {
            repairs.push(Repair::new(
                field,
                format!("string {}", quote(&original)),
                value.to_owned(),
            ));
        }
    }
}

fn missing(field: &str) -> OrderError {
    OrderError::Missing {
        field: field.to_owned(),
    }
}

fn wrong_type(field: &str, expected: &'static str, found: &Json<'_>) -> OrderError {
    OrderError::WrongType {
        field: field.to_owned(),
        expected,
        found: found.describe(),
    }
}
