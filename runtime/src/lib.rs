//! The runtime every generated Lambda links.
//!
//! `order` holds the pure domain: parsing an order message, pricing it with the pipeline's
//! discount table and building the invoice. Nothing in it does I/O.
#![warn(missing_docs)]

pub mod order;
