//! The local S3 server: the path-style REST/XML protocol of aws-sdk-s3 (`/bucket/key`) over an
//! in-memory object store.
//!
//! `store` holds buckets and objects and the conditional-write rule without I/O; `server` maps
//! HTTP requests onto it; `service` makes it a service of the engine; `chunked`, `path`, `time`
//! and `xml` are the wire details.

mod chunked;
pub mod error;
mod path;
pub mod server;
mod service;
pub mod store;
mod time;
pub(crate) mod xml;

pub use error::S3Error;
pub use service::{NAME, S3};
pub use store::ObjectStore;
