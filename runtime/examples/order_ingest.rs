//! The `main.rs` of a route-triggered function, as `gen synth` generates it for `handler:
//! order_ingest` with a `request_schema`: the schema is compiled into the binary, so the build is
//! hermetic. Build it with `cargo build --release -p runtime --example order_ingest` to see what
//! a front-door Lambda weighs.

const REQUEST_SCHEMA: Option<&str> = Some(
    r#"{"type": "object", "required": ["email", "items"],
        "properties": {"items": {"type": "array", "minItems": 1}}}"#,
);

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    runtime::serve_api(runtime::handlers::OrderIngest::build, REQUEST_SCHEMA).await
}
