//! The order domain: read an order from a message body, price it with the pipeline's discount
//! table, and build its invoice. Pure: no I/O, no clock (the caller passes the time), no `f64`.
//!
//! ```
//! use runtime::order::{DiscountTable, PromoCodeStatus, parse, price};
//!
//! let table: DiscountTable = serde_json::from_str(r#"{"currency": "USD",
//!     "promo_codes": {"SAVE10": {"percent": "10"}}, "bulk_tiers": []}"#)?;
//! let order = parse(r#"{"order_id": "ORD-1", "promo_code": "save10",
//!     "items": [{"name": "Pen", "price": 2.50, "quantity": 4}]}"#)?;
//! let invoice = price(&order, &table, "2026-11-22T21:00:00Z");
//! assert_eq!(invoice.promo_code_status, PromoCodeStatus::Applied);
//! assert_eq!(invoice.total.to_string(), "9.00"); // 10.00 − 10 %
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Reading a message ([`parse`], [`repair`](fn@repair))
//!
//! A body is a JSON object of at most [`MAX_BODY_BYTES`]:
//! `{"order_id": "ORD-1", "items": [{"name": "…", "sku": "…", "price": 999.99, "quantity": 1}],
//! "promo_code": "SAVE10"}`. Unknown fields are ignored. The rules:
//!
//! - `order_id`: a string, not empty, at most [`MAX_ORDER_ID_CHARS`] characters, no control
//!   characters.
//! - `items`: 1 to [`MAX_ITEMS`] objects, each with a `name` or a `sku` (or both: non-empty
//!   strings of at most [`MAX_NAME_CHARS`] characters), a `price` and a `quantity`.
//! - `price`: a JSON number, read from its text (never through `f64`), ≥ 0, at most two
//!   decimal places by value (`12.50` and `1.5e1` are fine, `12.345` is not), at most
//!   [`MAX_PRICE`].
//! - `quantity`: a JSON number that is a whole number from 1 to [`MAX_QUANTITY`] (`2.0` is 2).
//! - `promo_code`: optional; `null`, `""` and whitespace mean none. It is matched ignoring case
//!   and surrounding whitespace, and stored canonical (trimmed, upper case).
//!
//! [`parse`] is strict: a numeric string for a price or quantity, or whitespace around
//! `order_id`, a name or a SKU, is an [`OrderError`]. [`repair`](fn@repair), for the DLQ
//! processor, accepts and fixes exactly those, and lists each fix; it tells a body that was
//! already valid ([`Repaired::Valid`]) from one it repaired.
//!
//! # Pricing ([`price`])
//!
//! - line total = unit price × quantity; subtotal = Σ line totals.
//! - promo, looked up in the [`DiscountTable`]: a percent of the subtotal, or a fixed amount
//!   capped at the subtotal. Below the code's `min_subtotal` it gives nothing
//!   ([`PromoCodeStatus::BelowMinimum`]); an unknown code gives nothing
//!   ([`PromoCodeStatus::Unknown`]); both are recorded on the invoice with the reason.
//! - bulk: the highest tier whose `min_subtotal` ≤ subtotal; its percent applies to
//!   (subtotal − promo).
//! - total = subtotal − promo − bulk, never below 0.
//!
//! # Rounding: what is rounded, and the invariant
//!
//! Amounts are [`rust_decimal::Decimal`]s; percentages are exact (at most four decimal places),
//! so every intermediate below is exact while it fits 28 significant digits, which holds for
//! any subtotal under 10^12.
//!
//! - **Line totals and the subtotal are exact**: prices have at most two decimal places and
//!   quantities are whole, so nothing needs rounding.
//! - **The promo and bulk discounts are computed unrounded**: `promo` exactly as above, and
//!   `bulk = percent × (subtotal − promo)` with the unrounded promo.
//! - **The total is rounded once**: `total = round(max(0, subtotal − promo − bulk))`, where
//!   `round` is half-even to cents ([`rust_decimal::RoundingStrategy::MidpointNearestEven`]).
//! - **The discounts shown are the drops in the rounded running balance**: with
//!   `after_promo = round(subtotal − promo)`, the invoice shows the promo discount as
//!   `subtotal − after_promo` and the bulk discount as `after_promo − total`.
//!
//! Hence, for every invoice:
//!
//! 1. Σ `lines[].line_total` = `subtotal`, exactly;
//! 2. `subtotal` − Σ `discounts[].amount` = `total`, exactly: the invoice adds up;
//! 3. `total` is the exact total rounded half-even once, so it does not depend on how the
//!    discounts are shown;
//! 4. each shown discount is within one cent of its exact value (the promo discount within half
//!    a cent), and `0 ≤ total ≤ subtotal`.
//!
//! A shown discount is therefore not always its own exact value rounded: at a half-cent tie the
//! even rounding applies to the balance. 10 % of 0.05 is 0.005; the balance 0.045 rounds to
//! 0.04, so the invoice shows 0.01 off and a total of 0.04 (rounding the discount alone would
//! show 0.00 off, which with a total of 0.04 would not add up).

mod discount;
mod error;
mod fields;
mod invoice;
mod json;
mod message;
mod money;
mod number;
mod pricing;
mod repair;

pub use discount::{BulkTier, DiscountTable, DiscountTableError, Promo, PromoKind};
pub use error::OrderError;
pub use invoice::{Discount, Invoice, InvoiceLine, PromoCodeStatus};
pub use message::{
    LineItem, MAX_BODY_BYTES, MAX_ITEMS, MAX_NAME_CHARS, MAX_ORDER_ID_CHARS, MAX_PRICE,
    MAX_PROMO_CODE_CHARS, MAX_QUANTITY, Order, parse,
};
pub use money::{Money, Percent, ValueError};
pub use pricing::price;
pub use repair::{Repair, Repaired, repair};
