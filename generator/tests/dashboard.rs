//! The `gen dev` dashboard of the seed pipeline: its guards (a foreign `Host`, another site's
//! request and a form post are refused), then the page in a real browser — Debian's `chromium`
//! driven headless by `tests/browser/dashboard.mjs` (playwright-core, pinned in its
//! package-lock.json): it loads with no console errors, shows every part of the seed pipeline, its
//! counters move after `gen send`, the parked and waiting dead letters show their reasons, and a
//! redrive confirmed in the page moves a dead-letter queue's messages back to their source.
//!
//! Without chromium or `tests/browser/node_modules` the browser part is skipped with the reason
//! printed, unless `GEN_BROWSER_TEST=required` (set by `scripts/test.sh`, which installs both).
//! `GEN_DASHBOARD_SCREENSHOT=docs/dashboard.png` keeps the screenshot there.

mod scratch {
    pub(crate) mod browser;
    pub(crate) mod dev;
    pub(crate) mod workspace;
}

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use scratch::browser::Browser;
use scratch::dev::Dev;
use scratch::workspace::{target_dir, workspace, workspace_root};

/// Every part of the seed pipeline (`pipeline.yaml`), by its graph id.
const SEED_PARTS: &[&str] = &[
    "queue:task",
    "queue:task-dlq",
    "queue:notification",
    "queue:notification-dlq",
    "function:task",
    "function:notification",
    "function:dlq-processor",
    "bucket:results",
];

/// The seed pipeline in a workspace of its own, so this test's `.gen/` and binaries collide
/// with no other run.
fn seed_workspace() -> PathBuf {
    let seed = std::fs::read_to_string(workspace_root().join("pipeline.yaml")).unwrap();
    let mut rest = String::new();
    for line in seed.lines().filter(|line| !line.starts_with("pipeline:")) {
        rest.push_str(line);
        rest.push('\n');
    }
    workspace("dashboard", &rest)
}

/// Starts `gen dev` on the pipeline in `folder`; returns it with its dashboard URL once
/// `.gen/dev.json` names it.
fn start(folder: &Path) -> (Dev, String) {
    let mut dev = Dev::start(
        folder,
        &["-f", folder.join("pipeline.yaml").to_str().unwrap()],
    );
    let state = folder.join(".gen/dev.json");
    dev.wait_for_file(&state);
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&state).unwrap()).expect("`.gen/dev.json` is JSON");
    let Some(url) = state["dashboard"].as_str().map(str::to_owned) else {
        panic!(
            "`.gen/dev.json` names no dashboard: {state}\n{}",
            dev.output()
        );
    };
    (dev, url)
}

/// One raw HTTP/1.1 request to the dashboard; the status code and the body.
fn request(url: &str, head: &str, body: &str) -> (u16, String) {
    let address = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let mut stream = TcpStream::connect(&address).expect("the dashboard listens");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let head = head.replace("{address}", &address);
    write!(
        stream,
        "{head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn the_dashboard_shows_the_seed_pipeline_live_and_redrives_a_dead_letter_queue() {
    let folder = seed_workspace();
    let (mut dev, url) = start(&folder);

    // `gen status` points at it too.
    let (ok, status) = scratch::workspace::gen_in(
        &folder,
        &[
            "status",
            "-f",
            folder.join("pipeline.yaml").to_str().unwrap(),
        ],
    );
    assert!(
        ok && status.contains(&format!("dashboard {url}")),
        "{status}"
    );

    // Guards, without a browser: DNS rebinding, another site's request, a form post.
    let (status, body) = request(&url, "GET / HTTP/1.1\r\nHost: evil.example:80", "");
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("DNS rebinding"), "{body}");
    let (status, page) = request(&url, "GET / HTTP/1.1\r\nHost: {address}", "");
    assert_eq!(status, 200);
    assert!(page.contains("<script src=\"app.js\">"), "{page}");
    let redrive = r#"{"queue":"notification-dlq"}"#;
    let (status, body) = request(
        &url,
        "POST /api/redrive HTTP/1.1\r\nHost: {address}\r\nOrigin: http://evil.example\r\nContent-Type: application/json",
        redrive,
    );
    assert_eq!(status, 403, "{body}");
    let (status, body) = request(
        &url,
        "POST /api/redrive HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/x-www-form-urlencoded",
        "queue=notification-dlq",
    );
    assert_eq!(status, 415, "{body}");
    let (status, body) = request(
        &url,
        "POST /api/redrive HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json",
        r#"{"queue":"task"}"#,
    );
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("notification-dlq, task-dlq"), "{body}");

    let Some(browser) = Browser::find(&["playwright-core"]) else {
        return;
    };
    let screenshot = std::env::var_os("GEN_DASHBOARD_SCREENSHOT").map_or_else(
        || folder.join("dashboard.png"),
        |path| workspace_root().join(path),
    );
    let output = browser
        .script("dashboard.mjs")
        .args(["--url", &url])
        .args(["--gen", env!("CARGO_BIN_EXE_gen")])
        .args(["--file", folder.join("pipeline.yaml").to_str().unwrap()])
        .args(["--parts", &SEED_PARTS.join(",")])
        .args(["--screenshot", screenshot.to_str().unwrap()])
        .current_dir(&folder)
        .env("NO_COLOR", "1")
        .env("CARGO_TARGET_DIR", target_dir())
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let printed = dev.output();
    drop(dev);
    assert!(
        output.status.success(),
        "the browser scenario failed:\n{stdout}\n{}\n--- gen dev ---\n{printed}",
        String::from_utf8_lossy(&output.stderr),
    );
    let seen: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
    assert_eq!(seen["ok"], true, "{seen}");
    assert_eq!(seen["parts"], SEED_PARTS.len(), "{seen}");
    assert!(seen["moved"].as_u64() >= Some(3), "{seen}");
    assert!(screenshot.is_file());
}
