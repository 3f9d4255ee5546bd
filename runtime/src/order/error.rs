//! [`OrderError`]: why a message body is not a valid order.

use super::message::{MAX_BODY_BYTES, MAX_ITEMS, MAX_PRICE, MAX_QUANTITY};

/// Why a message body is not a valid order. Each message names the field (`items[2].quantity`)
/// and the value found, so it can be stored as the reason a message was parked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    /// The body is over [`MAX_BODY_BYTES`] (the SQS message size limit).
    #[error("body is {bytes} bytes, over the limit of {MAX_BODY_BYTES} bytes")]
    TooLarge {
        /// Size of the body.
        bytes: usize,
    },
    /// The body does not parse as JSON.
    #[error("body is not valid JSON: {detail}")]
    NotJson {
        /// `serde_json`'s message, with line and column.
        detail: String,
    },
    /// Valid JSON that cannot be read as an order, such as a field given twice.
    #[error("{field} is malformed: {detail}")]
    Malformed {
        /// Where: `body`, `items[0]`, …
        field: String,
        /// `serde_json`'s message.
        detail: String,
    },
    /// A required field is absent.
    #[error("{field} is required")]
    Missing {
        /// The field, such as `order_id` or `items[0].price`.
        field: String,
    },
    /// A field has the wrong JSON type.
    #[error("{field} must be {expected}, got {found}")]
    WrongType {
        /// The field.
        field: String,
        /// What it must be: `a string`, `a number`, …
        expected: &'static str,
        /// What it was: `null`, `string "12.50"`, …
        found: String,
    },
    /// A text field is empty or only whitespace.
    #[error("{field} must not be empty")]
    Empty {
        /// The field.
        field: String,
    },
    /// A text field is too long.
    #[error("{field} must be at most {max} characters, got {length}")]
    TooLong {
        /// The field.
        field: String,
        /// The most characters allowed.
        max: usize,
        /// How many characters it has.
        length: usize,
    },
    /// `order_id` contains a control character.
    #[error("{field} must contain only printable characters, got {found}")]
    NotPrintable {
        /// The field.
        field: String,
        /// The value, quoted with escapes.
        found: String,
    },
    /// A text field starts or ends with whitespace (strict parsing only; `repair` trims it).
    #[error("{field} must not start or end with whitespace, got {found}")]
    Whitespace {
        /// The field.
        field: String,
        /// The value, quoted.
        found: String,
    },
    /// `items` is empty or has more than [`MAX_ITEMS`] entries.
    #[error("items must have 1 to {MAX_ITEMS} entries, got {count}")]
    ItemCount {
        /// How many entries it has.
        count: usize,
    },
    /// An item has neither `name` nor `sku`.
    #[error("{item} must have a name or a sku")]
    Unnamed {
        /// The item: `items[3]`.
        item: String,
    },
    /// A numeric string that is not a number (`repair` only; strict parsing reports
    /// [`OrderError::WrongType`]).
    #[error("{field} must be a number, got {found}")]
    NotANumber {
        /// The field.
        field: String,
        /// The string, quoted.
        found: String,
    },
    /// A price below zero.
    #[error("{field} must not be negative, got {found}")]
    NegativePrice {
        /// The field.
        field: String,
        /// The number as written.
        found: String,
    },
    /// A price with more than two decimal places.
    #[error("{field} must have at most 2 decimal places, got {found}")]
    PricePrecision {
        /// The field.
        field: String,
        /// The number as written.
        found: String,
    },
    /// A price above [`MAX_PRICE`].
    #[error("{field} must be at most {MAX_PRICE}, got {found}")]
    PriceTooLarge {
        /// The field.
        field: String,
        /// The number as written.
        found: String,
    },
    /// A quantity that is zero, negative or fractional.
    #[error("{field} must be a whole number ≥ 1, got {found}")]
    Quantity {
        /// The field.
        field: String,
        /// The number as written.
        found: String,
    },
    /// A quantity above [`MAX_QUANTITY`].
    #[error("{field} must be at most {MAX_QUANTITY}, got {found}")]
    QuantityTooLarge {
        /// The field.
        field: String,
        /// The number as written.
        found: String,
    },
}
