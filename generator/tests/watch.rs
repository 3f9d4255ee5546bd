//! `gen dev --watch` on a pipeline with a custom handler, in a Cargo workspace of its own: an
//! edit of the handler is rebuilt and the next messages are handled by the new build (never by
//! the old one after it), a build that fails prints the compiler's error and keeps the running
//! build, and a pipeline.yaml edit of the function's settings restarts it. Messages are sent all
//! along: the queue keeps them across restarts. The time from the edit to the first record the
//! new build handled is printed (`--nocapture`), not asserted.

mod scratch {
    pub(crate) mod dev;
    pub(crate) mod workspace;
}

use std::path::Path;
use std::time::{Duration, Instant};

use scratch::dev::{DEADLINE, Dev};
use scratch::workspace::{gen_in, workspace};

const PIPELINE: &str = "region: us-east-1
queues:
  jobs: { dead_letter: jobs-dlq, max_receive_count: 3 }
  jobs-dlq: { alarm: { above: 0 } }
alarms: { email: ops@example.com }
functions:
  worker:
    handler: custom
    trigger: { queue: jobs }
";

fn send_one(folder: &Path) {
    let (ok, output) = gen_in(
        folder,
        &[
            "send",
            "--queue",
            "jobs",
            "--count",
            "1",
            "--poison-rate",
            "0",
            "--duplicate-rate",
            "0",
        ],
    );
    assert!(ok, "{output}");
}

/// Sends a message every half second until gen dev prints a line containing `new`; returns how
/// long that took and every line printed meanwhile. `old` must not follow the first `new`.
fn send_until(dev: &mut Dev, folder: &Path, new: &str, old: &str) -> Duration {
    let edited = Instant::now();
    let deadline = edited + DEADLINE;
    let mut first = None;
    while Instant::now() < deadline && first.is_none() {
        send_one(folder);
        for line in dev.read(Duration::from_millis(500)) {
            if first.is_some() {
                assert!(
                    !line.contains(old),
                    "the old build handled a record after the new one:\n{}",
                    dev.seen.join("\n")
                );
            }
            if first.is_none() && line.contains(new) {
                first = Some(edited.elapsed());
            }
        }
    }
    let Some(first) = first else {
        panic!("no `{new}` from gen dev:\n{}", dev.seen.join("\n"));
    };
    // The records sent meanwhile end too; none of them in the old build.
    for line in dev.read(Duration::from_secs(2)) {
        assert!(!line.contains(old), "{}", dev.seen.join("\n"));
    }
    first
}

#[test]
fn gen_dev_watch_rebuilds_an_edited_handler_keeps_it_on_a_failed_build_and_restarts_on_settings() {
    let folder = workspace("watched", PIPELINE);
    let (ok, output) = gen_in(&folder, &["synth"]);
    assert!(ok, "{output}");
    let lib = folder.join("handlers/worker/src/lib.rs");
    let starter = std::fs::read_to_string(&lib).unwrap();
    let old = "received a `{}` message";
    assert!(starter.contains(old), "the starter's detail changed");

    let mut dev = Dev::start(&folder, &["--watch", "--log-format", "json"]);
    dev.wait_for("find the engine through");
    send_one(&folder);
    dev.wait_for("received a `");

    // An edit of the handler: the new build handles the next records.
    std::fs::write(
        &lib,
        starter.replace(old, "second build saw a `{}` message"),
    )
    .unwrap();
    let took = send_until(&mut dev, &folder, "second build saw a `", "received a `");
    eprintln!(
        "edit -> first record handled by the new build: {} ms",
        took.as_millis()
    );

    // A build that fails: the compiler's error is shown, the running build goes on.
    std::fs::write(
        &lib,
        starter.replace(old, "second build saw a `{}` message")
            + "\nfn broken() -> u32 { \"no\" }\n",
    )
    .unwrap();
    dev.wait_for("mismatched types");
    dev.wait_for("keep running their previous build");
    send_one(&folder);
    dev.wait_for("second build saw a `");

    // The fix builds, and the next records are the third build's.
    std::fs::write(&lib, starter.replace(old, "third build saw a `{}` message")).unwrap();
    send_until(
        &mut dev,
        &folder,
        "third build saw a `",
        "second build saw a `",
    );

    // A settings edit in pipeline.yaml restarts the function, which goes on handling records.
    let pipeline = std::fs::read_to_string(folder.join("pipeline.yaml")).unwrap();
    std::fs::write(
        folder.join("pipeline.yaml"),
        pipeline.replace(
            "    handler: custom\n",
            "    handler: custom\n    memory_mb: 1024\n",
        ),
    )
    .unwrap();
    dev.wait_for("restarted `worker`");
    send_one(&folder);
    dev.wait_for("third build saw a `");
}
