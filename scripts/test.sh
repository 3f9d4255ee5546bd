#!/usr/bin/env bash
# The one command that passes every check: formatting, lints, then all tests.
# CI (.ci/run) calls exactly this; run it from anywhere in the repository.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> cargo fmt --check"
cargo fmt --all -- --check

echo "==> cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "==> cargo test"
cargo test --workspace --locked
