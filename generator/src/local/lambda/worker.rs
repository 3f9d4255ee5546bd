//! One execution environment: a generated handler binary running as a child process against its
//! own Runtime API, restarted after a crash or a timeout as Lambda would start a new sandbox.
//! Each answered invocation gets Lambda's `START`/`END`/`REPORT` lines in its log stream.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, SystemTime};

use hyper::body::Bytes;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::{mpsc, oneshot};

use super::runtime_api::{Answer, Invocation, RuntimeApi};
use crate::local::logs::platform;

/// How to start a function's binary.
#[derive(Debug, Clone)]
pub struct WorkerSpec {
    /// The function's name in pipeline.yaml (log prefix).
    pub function: String,
    /// The built handler binary.
    pub binary: PathBuf,
    /// Its environment: the template's variables resolved to local URLs, plus the AWS ones.
    pub environment: BTreeMap<String, String>,
    /// The function's timeout.
    pub timeout: Duration,
    /// The function's memory, reported to the runtime as Lambda does.
    pub memory_mb: u32,
}

/// Why an invocation produced no response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvokeFailure {
    #[error("the handler reported an error: {0}")]
    Handler(String),
    #[error("the function timed out after {0:?}")]
    Timeout(Duration),
    #[error("the function process exited: {0}")]
    Crashed(String),
}

/// A live worker.
#[derive(Debug)]
pub struct Worker {
    spec: WorkerSpec,
    api: RuntimeApi,
    invocations: mpsc::Sender<Invocation>,
    child: Child,
    /// Where log lines go (already prefixed).
    logs: mpsc::UnboundedSender<String>,
    /// Invocations served, for request ids.
    served: u64,
}

impl Worker {
    /// Starts the binary; its stdout and stderr lines are sent to `logs` as `[function] line`.
    pub async fn start(
        spec: WorkerSpec,
        logs: mpsc::UnboundedSender<String>,
    ) -> std::io::Result<Self> {
        let arn = format!(
            "arn:aws:lambda:us-east-1:000000000000:function:{}",
            spec.function
        );
        let (api, invocations) = RuntimeApi::start(arn).await?;
        let child = spawn(&spec, &api, &logs)?;
        Ok(Self {
            spec,
            api,
            invocations,
            child,
            logs,
            served: 0,
        })
    }

    /// Sends one event and waits for the answer, at most the function's timeout. With `crash`,
    /// the process is killed a few milliseconds into the batch (fault injection).
    pub async fn invoke(&mut self, event: Bytes, crash: bool) -> Result<Bytes, InvokeFailure> {
        if let Ok(Some(status)) = self.child.try_wait() {
            self.restart(&format!("exited with {status}")).await;
        }
        self.served += 1;
        let request_id = format!(
            "{:08x}-0000-4000-8000-{:012x}",
            std::process::id(),
            self.served
        );
        let (answer, receiver) = oneshot::channel();
        self.platform_line(&platform::start(&request_id));
        let started = std::time::Instant::now();
        let invocation = Invocation {
            request_id: request_id.clone(),
            event,
            deadline: SystemTime::now() + self.spec.timeout,
            answer,
        };
        if self.invocations.send(invocation).await.is_err() {
            return Err(InvokeFailure::Crashed("the runtime API stopped".to_owned()));
        }
        let timeout = self.spec.timeout;
        // An injected crash kills the process a few milliseconds into the batch whatever the
        // handler has done by then: an answer it already gave is lost with it, as when a
        // sandbox dies before Lambda has read the response.
        let outcome = tokio::select! {
            answer = receiver, if !crash => match answer {
                Ok(Answer::Response(body)) => Ok(body),
                Ok(Answer::Error(body)) => Err(InvokeFailure::Handler(String::from_utf8_lossy(&body).into_owned())),
                Err(_) => Err(InvokeFailure::Crashed("no answer".to_owned())),
            },
            status = self.child.wait() => Err(InvokeFailure::Crashed(status.map_or_else(|e| e.to_string(), |s| s.to_string()))),
            () = tokio::time::sleep(timeout) => Err(InvokeFailure::Timeout(timeout)),
            () = tokio::time::sleep(Duration::from_millis(5)), if crash => {
                let _ = self.child.kill().await;
                Err(InvokeFailure::Crashed("killed mid-batch (injected crash)".to_owned()))
            }
        };
        match &outcome {
            Err(failure @ (InvokeFailure::Timeout(_) | InvokeFailure::Crashed(_))) => {
                self.restart(&failure.to_string()).await;
            }
            Ok(_) | Err(InvokeFailure::Handler(_)) => {
                let duration = started.elapsed();
                self.platform_line(&platform::end(&request_id));
                self.platform_line(&platform::report(
                    &request_id,
                    duration,
                    self.spec.memory_mb,
                ));
            }
        }
        outcome
    }

    /// One of Lambda's own lines into the function's log stream, as `[function] line`.
    fn platform_line(&self, line: &str) {
        let _ = self.logs.send(format!("[{}] {line}", self.spec.function));
    }

    /// Kills this process (a crash or timeout ends the sandbox) and starts a fresh one.
    async fn restart(&mut self, why: &str) {
        let _ = self.child.kill().await;
        let _ = self.logs.send(format!(
            "[{}] (engine) restarting the function: {why}",
            self.spec.function
        ));
        match RuntimeApi::start(format!(
            "arn:aws:lambda:us-east-1:000000000000:function:{}",
            self.spec.function
        ))
        .await
        {
            Ok((api, invocations)) => {
                self.api = api;
                self.invocations = invocations;
                if let Ok(child) = spawn(&self.spec, &self.api, &self.logs) {
                    self.child = child;
                }
            }
            Err(error) => {
                let _ = self.logs.send(format!(
                    "[{}] (engine) cannot restart: {error}",
                    self.spec.function
                ));
            }
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

fn spawn(
    spec: &WorkerSpec,
    api: &RuntimeApi,
    logs: &mpsc::UnboundedSender<String>,
) -> std::io::Result<Child> {
    let mut child = Command::new(&spec.binary)
        .env_clear()
        .envs(&spec.environment)
        .env("AWS_LAMBDA_RUNTIME_API", api.authority())
        .env("AWS_LAMBDA_FUNCTION_NAME", &spec.function)
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env(
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            spec.memory_mb.to_string(),
        )
        .env(
            "AWS_LAMBDA_LOG_GROUP_NAME",
            format!("/aws/lambda/{}", spec.function),
        )
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "local")
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    for stream in [
        child.stdout.take().map(Either::Out),
        child.stderr.take().map(Either::Err),
    ]
    .into_iter()
    .flatten()
    {
        let logs = logs.clone();
        let prefix = format!("[{}] ", spec.function);
        tokio::spawn(async move {
            let mut lines = match stream {
                Either::Out(out) => Lines::Out(BufReader::new(out).lines()),
                Either::Err(err) => Lines::Err(BufReader::new(err).lines()),
            };
            while let Some(line) = lines.next().await {
                if logs.send(format!("{prefix}{line}")).is_err() {
                    break;
                }
            }
        });
    }
    Ok(child)
}

enum Either {
    Out(tokio::process::ChildStdout),
    Err(tokio::process::ChildStderr),
}

enum Lines {
    Out(tokio::io::Lines<BufReader<tokio::process::ChildStdout>>),
    Err(tokio::io::Lines<BufReader<tokio::process::ChildStderr>>),
}

impl Lines {
    async fn next(&mut self) -> Option<String> {
        match self {
            Lines::Out(lines) => lines.next_line().await.ok().flatten(),
            Lines::Err(lines) => lines.next_line().await.ok().flatten(),
        }
    }
}
