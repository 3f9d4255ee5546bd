//! The `gen dev` dashboard: the pipeline's graph with live figures on each part, the dead
//! letters with their reasons, a dead-letter queue's redrive, and each function's recent log
//! lines, served on a loopback port of its own ([`server`]) from files embedded in `gen`.

pub mod figures;
pub mod logs;
pub mod server;

pub use figures::Sources;
pub use logs::RecentLogs;
pub use server::Dashboard;
