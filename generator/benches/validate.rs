//! Load + validate of the root pipeline.yaml (the aim is well under 10 ms).

use criterion::{Criterion, criterion_group, criterion_main};

fn validate(c: &mut Criterion) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../pipeline.yaml");
    let bytes = std::fs::read(path).expect("pipeline.yaml at the workspace root");
    // Build the schema validator once, as a long-lived process would.
    assert!(
        generator::config::load("pipeline.yaml", &bytes)
            .pipeline
            .is_some()
    );
    c.bench_function("load+validate pipeline.yaml", |b| {
        b.iter(|| generator::config::load("pipeline.yaml", std::hint::black_box(&bytes)));
    });
}

criterion_group!(benches, validate);
criterion_main!(benches);
