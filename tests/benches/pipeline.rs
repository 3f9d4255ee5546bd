//! The end-to-end figure of `gen dev`: `gen dev --demo --orders N` with debug handlers, then
//! with release handlers (`--release`), each run's rate (orders sent over the time the pipeline
//! took to drain) and its order latency from send to invoice (p50/p99), as the ledger prints them.
//!
//! Not a criterion bench and not a test: one run of each is the figure, and the run fails only
//! when an order is not accounted for. Run with `cargo bench -p tests --bench pipeline`;
//! `PIPELINE_BENCH_ORDERS` sets N (default 20000), `PIPELINE_BENCH_PROFILES=debug` (or
//! `release`) runs one of the two. The first release run builds the handlers in release.

use std::path::Path;
use std::process::Command;

fn main() {
    let orders = std::env::var("PIPELINE_BENCH_ORDERS").unwrap_or_else(|_| "20000".to_owned());
    let profiles =
        std::env::var("PIPELINE_BENCH_PROFILES").unwrap_or_else(|_| "debug,release".to_owned());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate sits in the workspace");
    let mut complete = true;
    for profile in profiles.split(',').map(str::trim) {
        eprintln!("gen dev --demo --orders {orders} ({profile} handlers)");
        let mut command = Command::new(env!("CARGO_BIN_EXE_gen-cli"));
        command
            .current_dir(root)
            .args(["dev", "--demo", "--orders", &orders, "--timeout", "600"]);
        if profile == "release" {
            command.arg("--release");
        }
        let output = command.output().expect("gen runs");
        let ledger = String::from_utf8_lossy(&output.stdout);
        let figures: Vec<&str> = ledger
            .lines()
            .filter(|line| line.starts_with("drained in") || line.starts_with("latency"))
            .collect();
        println!(
            "{profile} handlers, {orders} orders: {}",
            figures.join("; ")
        );
        if !output.status.success() {
            complete = false;
            eprintln!("{ledger}{}", String::from_utf8_lossy(&output.stderr));
        }
    }
    assert!(complete, "every order must be accounted for");
}
