//! The local S3 server: the path-style REST/XML protocol of aws-sdk-s3 (`/bucket/key`) over an
//! in-memory object store.
//!
//! `store` holds buckets, objects and multipart uploads and the conditional-write rules without
//! I/O; `server` routes HTTP requests to one file per family of operations (`reads`, `writes`,
//! `lists`, `batch_delete`, `uploads`); `service` makes it a service of the engine;
//! `conditions`, `chunked`, `path`, `time` and `xml` are the wire details.

mod batch_delete;
pub mod checksums;
mod chunked;
mod conditions;
pub mod error;
mod lists;
mod path;
mod reads;
pub mod server;
mod service;
pub mod store;
pub(crate) mod time;
mod uploads;
mod versioning;
mod writes;
pub(crate) mod xml;

pub use error::S3Error;
pub use service::{NAME, S3};
pub use store::ObjectStore;
