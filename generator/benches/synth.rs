//! Synthesis cost: the seed pipeline, and generated pipelines of about 100, 200 and 400
//! resources, to show the cost grows linearly with the pipeline.

use std::fmt::Write as _;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use generator::config::{self, Pipeline};
use generator::synth::{SynthOptions, synthesize};

/// `units` queue + function pairs (5 resources each) and one bucket (2 resources).
fn generated_pipeline(units: usize) -> Pipeline {
    let mut yaml =
        String::from("pipeline: bench\nregion: us-east-1\nbuckets:\n  out: {}\nqueues:\n");
    for n in 0..units {
        writeln!(yaml, "  q{n}: {{}}").unwrap();
    }
    yaml.push_str("functions:\n");
    for n in 0..units {
        writeln!(
            yaml,
            "  f{n}: {{ handler: notification_logger, trigger: {{ queue: q{n} }} }}"
        )
        .unwrap();
    }
    let loaded = config::load("bench.yaml", yaml.as_bytes());
    loaded
        .pipeline
        .unwrap_or_else(|| panic!("{}", loaded.report.render(false)))
}

fn synth(c: &mut Criterion) {
    let seed = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../pipeline.yaml")).unwrap();
    let seed = config::load("pipeline.yaml", &seed).pipeline.unwrap();
    let options = SynthOptions::default();
    c.bench_function("synth seed pipeline (18 resources) to JSON", |b| {
        b.iter(|| {
            synthesize(std::hint::black_box(&seed), &options)
                .unwrap()
                .to_json()
        });
    });
    let mut group = c.benchmark_group("synth generated pipeline to JSON");
    for units in [20, 40, 80] {
        let pipeline = generated_pipeline(units);
        let resources = synthesize(&pipeline, &options).unwrap().resources.len();
        group.bench_with_input(
            BenchmarkId::from_parameter(format!("{resources} resources")),
            &pipeline,
            |b, pipeline| {
                b.iter(|| {
                    synthesize(std::hint::black_box(pipeline), &options)
                        .unwrap()
                        .to_json()
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, synth);
criterion_main!(benches);
