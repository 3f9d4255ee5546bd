//! EventBridge events: the envelope consumers decode ([`Event`]) and the bus a function publishes
//! to ([`Bus`], also [`crate::resources::Bus`]).

mod bus;
mod envelope;

pub use bus::{Bus, MAX_ENTRIES_PER_CALL, MAX_ENTRY_BYTES, PublishError, entry_size};
pub use envelope::Event;
