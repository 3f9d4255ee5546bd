//! [`Order`] and [`LineItem`]: what a valid message body holds, and [`parse`], which reads one.

use serde::ser::Error as _;
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

use super::error::OrderError;
use super::fields::Parser;
use super::money::Money;

/// Largest message body accepted, in bytes: 256 KiB, the SQS message size limit.
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// Most items an order may have.
pub const MAX_ITEMS: usize = 1000;
/// Most characters in an `order_id`.
pub const MAX_ORDER_ID_CHARS: usize = 128;
/// Most characters in an item's `name` or `sku`.
pub const MAX_NAME_CHARS: usize = 256;
/// Most characters in a promo code.
pub const MAX_PROMO_CODE_CHARS: usize = 64;
/// Highest unit price.
pub const MAX_PRICE: u32 = 1_000_000_000;
/// Highest quantity of one item.
pub const MAX_QUANTITY: u32 = 1_000_000;

/// A valid order, as read from a message body by [`parse`] or [`repair`](fn@super::repair).
///
/// Only those two build one, so every `Order` satisfies the rules in the [module
/// docs](super): a non-empty printable `order_id`, 1 to 1000 items, each named, priced
/// exactly with at most two decimal places and a whole quantity from 1 to 1 000 000.
///
/// Serializing it with `serde_json` gives back a body [`parse`] accepts, with prices written as
/// exact JSON numbers (`"price": 12.50`); this is how the DLQ processor requeues a repaired order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[expect(
    clippy::struct_field_names,
    reason = "`order_id` is the field's name in every message"
)]
pub struct Order {
    pub(super) order_id: String,
    pub(super) items: Vec<LineItem>,
    pub(super) promo_code: Option<String>,
}

impl Order {
    /// The order's identifier, as sent.
    pub fn order_id(&self) -> &str {
        &self.order_id
    }

    /// The items, in message order (never empty).
    pub fn items(&self) -> &[LineItem] {
        &self.items
    }

    /// The promo code in canonical form (trimmed, upper case), if one was given.
    pub fn promo_code(&self) -> Option<&str> {
        self.promo_code.as_deref()
    }
}

/// One item of an [`Order`]: at least one of `name` and `sku`, a unit price and a quantity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineItem {
    pub(super) name: Option<String>,
    pub(super) sku: Option<String>,
    pub(super) unit_price: Money,
    pub(super) quantity: u32,
}

impl LineItem {
    /// The item's name, if given.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The item's SKU, if given.
    pub fn sku(&self) -> Option<&str> {
        self.sku.as_deref()
    }

    /// What to call the item on an invoice: its name, or else its SKU.
    pub fn label(&self) -> &str {
        self.name
            .as_deref()
            .or(self.sku.as_deref())
            .unwrap_or_default()
    }

    /// Price of one unit.
    pub fn unit_price(&self) -> Money {
        self.unit_price
    }

    /// How many units (1 to [`MAX_QUANTITY`]).
    pub fn quantity(&self) -> u32 {
        self.quantity
    }

    /// `unit_price × quantity`, exact.
    pub fn line_total(&self) -> Money {
        self.unit_price.times(self.quantity)
    }
}

/// Reads an order from a message body, strictly: anything that is not exactly right is an
/// [`OrderError`] naming the field. Never panics, whatever the input.
///
/// Prices and quantities must be JSON numbers (read from their text, never through `f64`);
/// text fields must not start or end with whitespace. The promo code is the exception: it is
/// matched case-insensitively and trimmed, so any casing is valid and stored upper case.
/// Unknown fields are ignored.
///
/// ```
/// let order = runtime::order::parse(
///     r#"{"order_id": "ORD-1", "items": [{"name": "Laptop", "price": 999.99, "quantity": 1}]}"#,
/// )?;
/// assert_eq!(order.items()[0].unit_price().to_string(), "999.99");
///
/// let error = runtime::order::parse(
///     r#"{"order_id": "ORD-1", "items": [{"name": "Laptop", "price": "999.99", "quantity": 1}]}"#,
/// )
/// .unwrap_err();
/// assert_eq!(error.to_string(), r#"items[0].price must be a number, got string "999.99""#);
/// # Ok::<(), runtime::order::OrderError>(())
/// ```
pub fn parse(body: &str) -> Result<Order, OrderError> {
    Parser::strict().order(body)
}

impl Serialize for Order {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let items = self
            .items
            .iter()
            .map(|item| {
                Ok(ItemBody {
                    name: item.name.as_deref(),
                    sku: item.sku.as_deref(),
                    price: RawValue::from_string(item.unit_price.to_string())
                        .map_err(S::Error::custom)?,
                    quantity: item.quantity,
                })
            })
            .collect::<Result<Vec<_>, S::Error>>()?;
        OrderBody {
            order_id: &self.order_id,
            items,
            promo_code: self.promo_code.as_deref(),
        }
        .serialize(serializer)
    }
}

#[derive(Serialize)]
struct OrderBody<'a> {
    order_id: &'a str,
    items: Vec<ItemBody<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    promo_code: Option<&'a str>,
}

#[derive(Serialize)]
struct ItemBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sku: Option<&'a str>,
    price: Box<RawValue>,
    quantity: u32,
}
