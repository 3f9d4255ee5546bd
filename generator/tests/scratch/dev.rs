//! A running `gen dev`, its output read line by line, stopped (SIGINT, then kill) when dropped,
//! also when the test fails.
//!
//! Several test binaries include this module and each uses a part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::workspace::target_dir;

/// Generous: a first build of the workspace's crates on a busy machine.
pub(crate) const DEADLINE: Duration = Duration::from_secs(600);

pub(crate) struct Dev {
    child: Child,
    lines: mpsc::Receiver<String>,
    /// Everything it printed so far, for assertions and failure messages.
    pub(crate) seen: Vec<String>,
}

impl Dev {
    /// `gen dev <args>` in `folder`.
    pub(crate) fn start(folder: &Path, args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gen"))
            .arg("dev")
            .args(args)
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
    pub(crate) fn read(&mut self, wait: Duration) -> Vec<String> {
        let mut lines = Vec::new();
        if let Ok(line) = self.lines.recv_timeout(wait) {
            lines.push(line);
        }
        lines.extend(self.lines.try_iter());
        self.seen.extend(lines.iter().cloned());
        lines
    }

    /// Waits for a line containing `text`; panics with everything printed at the deadline.
    pub(crate) fn wait_for(&mut self, text: &str) {
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

    /// Waits until `path` exists (e.g. the `.gen/dev.json` gen dev writes once it runs); panics
    /// with everything printed when gen dev exits first or at the deadline.
    pub(crate) fn wait_for_file(&mut self, path: &Path) {
        let deadline = Instant::now() + DEADLINE;
        while !path.is_file() {
            if Instant::now() > deadline || matches!(self.child.try_wait(), Ok(Some(_))) {
                self.read(Duration::ZERO);
                panic!(
                    "`gen dev` wrote no {}:\n{}",
                    path.display(),
                    self.seen.join("\n")
                );
            }
            self.read(Duration::from_millis(200));
        }
    }

    /// Everything it printed so far, one line each.
    pub(crate) fn output(&mut self) -> String {
        self.read(Duration::ZERO);
        self.seen.join("\n")
    }

    /// Stops it as Ctrl-C does and returns how it exited.
    pub(crate) fn stop(mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        self.child.wait().expect("gen dev stops")
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
