//! moto server, started per test on a free loopback port and stopped when dropped.

use std::net::{Ipv4Addr, SocketAddrV4, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_s3::config::Credentials;

/// A running `moto_server`.
#[derive(Debug)]
pub struct MotoServer {
    child: Child,
    port: u16,
}

impl MotoServer {
    /// Starts moto on a free port of 127.0.0.1 and waits until it accepts connections.
    ///
    /// The executable is `$MOTO_SERVER`, else `.venv/bin/moto_server` (what `scripts/test.sh`
    /// installs), else `moto_server` on `PATH`.
    ///
    /// # Panics
    /// When moto cannot be started: the message says how to install it.
    pub fn start() -> Self {
        // The `gen` commands under test resolve credentials like any AWS tool; without any,
        // the SDK falls through to the instance metadata service and fails far from here.
        assert!(
            std::env::var_os("AWS_ACCESS_KEY_ID").is_some()
                || std::env::var_os("AWS_PROFILE").is_some(),
            "no AWS credentials in the environment\nhint: run ./scripts/test.sh, or export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing (moto accepts any)"
        );
        let program = executable();
        let port = free_port();
        let child = Command::new(&program)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| {
                panic!(
                    "cannot start `{}`: {error}\nhint: run ./scripts/test.sh, which installs the pinned moto into .venv, or set MOTO_SERVER",
                    program.display()
                )
            });
        let mut server = Self { child, port };
        server.wait_until_ready();
        server
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// SDK configuration pointing at this server, with dummy credentials.
    pub async fn sdk_config(&self) -> SdkConfig {
        sdk_config_for(&self.endpoint()).await
    }

    fn wait_until_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let address = SocketAddrV4::new(Ipv4Addr::LOCALHOST, self.port);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("moto_server exited at start with {status}");
            }
            if TcpStream::connect_timeout(&address.into(), Duration::from_millis(200)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("moto_server did not listen on {address} within 20s");
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// SDK configuration for any endpoint (also a dead one, for outage tests).
pub async fn sdk_config_for(endpoint: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "moto"))
        .load()
        .await
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free loopback port")
}

/// The Python beside moto (the test venv's, where boto3 is installed with moto), else `python3`.
pub fn venv_python() -> PathBuf {
    let python = executable().with_file_name("python");
    if python.exists() {
        python
    } else {
        PathBuf::from("python3")
    }
}

fn executable() -> PathBuf {
    if let Some(path) = std::env::var_os("MOTO_SERVER") {
        return PathBuf::from(path);
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/moto_server");
    if venv.exists() {
        venv
    } else {
        PathBuf::from("moto_server")
    }
}
