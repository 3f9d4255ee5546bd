//! Debian's chromium driven headless by the scripts under `tests/browser/` (playwright-core and
//! mermaid, pinned in its package-lock.json).
//!
//! Where chromium or the scripts' node modules are missing, a test skips its browser part with
//! the reason printed, unless `GEN_BROWSER_TEST=required` (set by `scripts/test.sh`, which
//! installs both): then it fails.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

use super::workspace::workspace_root;

/// Where the browser scripts run from, and the chromium they drive.
pub(crate) struct Browser {
    pub(crate) scripts: PathBuf,
    pub(crate) chromium: PathBuf,
}

impl Browser {
    /// The browser, or `None` (with the reason printed) where it cannot run and is not required.
    pub(crate) fn find(needs: &[&str]) -> Option<Self> {
        let scripts = workspace_root().join("tests/browser");
        let chromium = std::env::var_os("GEN_CHROMIUM")
            .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
        let missing = if !chromium.is_file() {
            Some(format!(
                "no chromium at {} (install it with `apt-get install -y chromium`)",
                chromium.display()
            ))
        } else if let Some(module) = needs
            .iter()
            .find(|module| !scripts.join("node_modules").join(module).is_dir())
        {
            Some(format!(
                "no {module} in {}/node_modules (run `npm ci --prefix {}`)",
                scripts.display(),
                scripts.display()
            ))
        } else if Command::new("node").arg("--version").output().is_err() {
            Some("no `node` on PATH".to_owned())
        } else {
            None
        };
        match missing {
            None => Some(Self { scripts, chromium }),
            Some(missing) => {
                assert!(
                    std::env::var("GEN_BROWSER_TEST").as_deref() != Ok("required"),
                    "the browser test is required here (GEN_BROWSER_TEST=required) but {missing}"
                );
                eprintln!("skipping the browser part: {missing}");
                None
            }
        }
    }

    /// `node <script>` from the scripts' folder, with `--chromium` set.
    pub(crate) fn script(&self, script: &str) -> Command {
        let mut command = Command::new("node");
        command
            .arg(self.scripts.join(script))
            .args(["--chromium", self.chromium.to_str().unwrap()]);
        command
    }
}
