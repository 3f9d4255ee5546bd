//! `gen dev --watch` on a pipeline with a custom handler, in a Cargo workspace of its own: an
//! edit of the handler is rebuilt and the next messages are handled by the new build (never by
//! the old one after it), a build that fails prints the compiler's error and keeps the running
//! build, and a pipeline.yaml edit of the function's settings restarts it. Messages are sent all
//! along: the queue keeps them across restarts. The time from the edit to the first record the
//! new build handled is printed (`--nocapture`), not asserted.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

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

/// Generous: a first build of the workspace's crates on a busy machine.
const DEADLINE: Duration = Duration::from_secs(600);

fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("generator/ sits in the workspace")
}

/// The target directory the test binaries were built in, so the workspace below reuses the
/// compiled dependencies.
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_gen"))
        .ancestors()
        .nth(2)
        .expect("target/<profile>/gen")
        .to_path_buf()
}

fn gen_in(folder: &Path, args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(args)
        .current_dir(folder)
        .env("NO_COLOR", "1")
        .env("CARGO_TARGET_DIR", target_dir())
        .output()
        .expect("gen runs");
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

/// A folder holding pipeline `name` in a Cargo workspace of its own.
fn workspace(name: &str) -> PathBuf {
    let folder = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    let root = workspace_root();
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let members = manifest
        .lines()
        .find(|line| line.starts_with("members = "))
        .expect("the root manifest lists its members");
    let manifest = manifest
        .replace(members, r#"members = ["generated/lambdas/*"]"#)
        .replace(
            r#"runtime = { path = "runtime" }"#,
            &format!(
                "runtime = {{ path = \"{}\" }}",
                root.join("runtime").display()
            ),
        )
        .replace(
            r#"generator = { path = "generator" }"#,
            &format!(
                "generator = {{ path = \"{}\" }}",
                root.join("generator").display()
            ),
        );
    std::fs::write(folder.join("Cargo.toml"), manifest).unwrap();
    std::fs::copy(root.join("Cargo.lock"), folder.join("Cargo.lock")).unwrap();
    std::fs::write(
        folder.join("pipeline.yaml"),
        format!("pipeline: {name}\n{PIPELINE}"),
    )
    .unwrap();
    folder
}

/// A running `gen dev --watch`, stopped (SIGINT, then kill) when dropped, also on failure.
struct Dev {
    child: Child,
    lines: mpsc::Receiver<String>,
    /// Everything it printed so far, for failure messages.
    seen: Vec<String>,
}

impl Dev {
    fn start(folder: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gen"))
            .args(["dev", "--watch", "--log-format", "json"])
            .current_dir(folder)
            .env("NO_COLOR", "1")
            .env("CARGO_TARGET_DIR", target_dir())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("gen dev starts");
        let (sender, lines) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        let err = child.stderr.take().unwrap();
        for stream in [
            Box::new(out) as Box<dyn std::io::Read + Send>,
            Box::new(err),
        ] {
            let sender = sender.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if sender.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        Self {
            child,
            lines,
            seen: Vec::new(),
        }
    }

    /// The lines printed since the last call, waiting up to `wait` for the first.
    fn read(&mut self, wait: Duration) -> Vec<String> {
        let mut lines = Vec::new();
        if let Ok(line) = self.lines.recv_timeout(wait) {
            lines.push(line);
        }
        lines.extend(self.lines.try_iter());
        self.seen.extend(lines.iter().cloned());
        lines
    }

    /// Waits for a line containing `text`; panics with everything printed at the deadline.
    fn wait_for(&mut self, text: &str) {
        let deadline = Instant::now() + DEADLINE;
        while Instant::now() < deadline {
            if self
                .read(Duration::from_millis(200))
                .iter()
                .any(|line| line.contains(text))
            {
                return;
            }
        }
        panic!("no `{text}` from gen dev:\n{}", self.seen.join("\n"));
    }
}

impl Drop for Dev {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

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
    let folder = workspace("watched");
    let (ok, output) = gen_in(&folder, &["synth"]);
    assert!(ok, "{output}");
    let lib = folder.join("handlers/worker/src/lib.rs");
    let starter = std::fs::read_to_string(&lib).unwrap();
    let old = "received a `{}` message";
    assert!(starter.contains(old), "the starter's detail changed");

    let mut dev = Dev::start(&folder);
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
