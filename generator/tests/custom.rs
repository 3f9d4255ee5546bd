//! `handler: custom` end to end, in a Cargo workspace of its own: `gen synth` scaffolds the
//! user's crate once, an edit survives the next synth, `gen check` passes, the starter builds
//! and its unit test passes, code using a resource that `writes:` no longer names fails to
//! compile with an error naming the field, and a removed function leaves its crate, with a note.

mod scratch {
    pub(crate) mod workspace;
}

use std::path::Path;
use std::process::Command;

use scratch::workspace::{gen_in, run, workspace};

const PIPELINE: &str = "region: us-east-1
queues:
  jobs: { dead_letter: jobs-dlq, max_receive_count: 3 }
  jobs-dlq: { alarm: { above: 0 } }
buckets:
  files: {}
alarms: { email: ops@example.com }
functions:
  worker:
    handler: custom
    trigger: { queue: jobs }
    writes: { bucket: files }
";

fn cargo_in(folder: &Path, args: &[&str]) -> (bool, String) {
    run(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
            .args(args)
            .arg("--quiet")
            .current_dir(folder),
    )
}

#[test]
fn a_custom_handler_is_scaffolded_once_kept_through_edits_and_left_when_removed() {
    let folder = workspace("custom", PIPELINE);
    let lib = folder.join("handlers/worker/src/lib.rs");

    let (ok, output) = gen_in(&folder, &["synth"]);
    assert!(ok, "{output}");
    assert!(
        output.contains("created `handlers/worker/`, the starter crate of a custom handler"),
        "{output}"
    );
    for file in [
        "handlers/worker/Cargo.toml",
        "generated/lambdas/worker/src/main.rs",
        "generated/lambdas/worker/resources/src/lib.rs",
    ] {
        assert!(folder.join(file).is_file(), "{file}: {output}");
    }

    // The starter compiles, and its unit test passes.
    let (ok, output) = cargo_in(&folder, &["test", "-p", "handler-custom-worker"]);
    assert!(ok, "{output}");

    // An edit of the user's code survives the next synth; `gen check` passes.
    let edited = format!(
        "{}\n/// Added by hand.\npub const EDITED: bool = true;\n",
        std::fs::read_to_string(&lib).unwrap()
    );
    std::fs::write(&lib, &edited).unwrap();
    let (ok, output) = gen_in(&folder, &["synth"]);
    assert!(ok, "{output}");
    assert!(!output.contains("created"), "{output}");
    assert_eq!(std::fs::read_to_string(&lib).unwrap(), edited);
    let (ok, output) = gen_in(&folder, &["check"]);
    assert!(ok, "{output}");

    // Without `writes.bucket`, the field goes, and the code that used it stops compiling.
    let pipeline = std::fs::read_to_string(folder.join("pipeline.yaml")).unwrap();
    std::fs::write(
        folder.join("pipeline.yaml"),
        pipeline.replace("    writes: { bucket: files }\n", ""),
    )
    .unwrap();
    let (ok, output) = gen_in(&folder, &["synth"]);
    assert!(ok, "{output}");
    let (ok, output) = cargo_in(&folder, &["check", "-p", "lambda-custom-worker"]);
    assert!(
        !ok,
        "code using a resource that is not written compiles:\n{output}"
    );
    assert!(output.contains("no field `files`"), "{output}");

    // Removing the function leaves the user's crate, and says it is unused.
    std::fs::write(
        folder.join("pipeline.yaml"),
        pipeline.replace("  worker:\n", "  other:\n"),
    )
    .unwrap();
    let (ok, output) = gen_in(&folder, &["synth"]);
    assert!(ok, "{output}");
    assert!(
        output.contains("note: `handlers/worker/` is not the code of any function"),
        "{output}"
    );
    assert_eq!(std::fs::read_to_string(&lib).unwrap(), edited);
    assert!(!folder.join("generated/lambdas/worker").exists());
    assert!(folder.join("handlers/other/src/lib.rs").is_file());
}
