//! The Lambda deadline through the local engine: a custom handler runs each job once with
//! `runtime::idempotency`, keyed by the job's id, and on a message's first delivery works far past
//! the function's timeout. The runtime must report the record failed at the deadline (less its
//! margin), the engine delivers it again, and every job ends applied exactly once: nothing lost,
//! nothing applied twice, though each job is also sent twice as two messages.
//!
//! `gen dev --real-time` keeps the pipeline's figures: a 10 s timeout (records still running
//! 1 s before it are failed), a 12 s visibility timeout, a 10 s idempotency lease (the timeout,
//! below the visibility timeout, as `Idempotency::new` asks). The first delivery sleeps 600 s,
//! so whether it passes the deadline never depends on the machine's load.

mod scratch {
    pub(crate) mod dev;
    pub(crate) mod workspace;
}

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

use aws_sdk_sqs::types::QueueAttributeName;
use generator::local::dev::{list_keys, sdk_config};
use generator::local::state::{DevState, STATE_FILE};
use scratch::dev::{DEADLINE, Dev};
use scratch::workspace::{gen_in, workspace};

const PIPELINE: &str = "region: us-east-1
queues:
  jobs: { visibility_timeout: 12s, dead_letter: jobs-dlq, max_receive_count: 10 }
  jobs-dlq: { alarm: { above: 0 } }
buckets:
  files: {}
alarms: { email: ops@example.com }
functions:
  worker:
    handler: custom
    timeout: 10s
    trigger: { queue: jobs, batch_size: 10 }
    writes: { bucket: files }
";

/// The handler: the side effect is an object per application,
/// `applied/<job>/<message id>-<receive count>.json`, so an application made twice would show.
const HANDLER: &str = r#"//! Applies each job once; on a message's first delivery, works far past the deadline first.

use std::time::Duration;

use resources::Resources;
use runtime::batch::RecordFailure;
use runtime::idempotency::{Idempotency, Idempotent};
use runtime::telemetry::Outcome;
use runtime::{Done, RecordContext};

#[derive(Debug, serde::Deserialize)]
pub struct Message {
    pub id: String,
}

#[derive(Debug)]
pub struct Handled {
    pub detail: String,
}

impl Done for Handled {
    fn outcome(&self) -> Outcome {
        Outcome::Handled {
            detail: self.detail.clone(),
        }
    }
}

#[derive(Debug)]
pub struct Handler {
    resources: Resources,
}

impl Handler {
    pub fn new(resources: Resources) -> Self {
        Self { resources }
    }
}

impl runtime::Handler for Handler {
    const NAME: &'static str = "worker";
    type Message = Message;
    type Done = Handled;

    async fn handle(
        &self,
        message: Message,
        record: &RecordContext<'_>,
    ) -> Result<Handled, RecordFailure> {
        let receive_count = record.receive_count();
        let bucket = &self.resources.files;
        let applied = Idempotency::new(Duration::from_secs(10))
            .run(bucket.store(), &message.id, || async {
                if receive_count == 1 {
                    tokio::time::sleep(Duration::from_secs(600)).await;
                }
                let key = format!(
                    "applied/{}/{}-{receive_count}.json",
                    message.id,
                    record.message_id()
                );
                bucket
                    .put_if_absent(&key, b"{}", "application/json")
                    .await?;
                Ok(receive_count)
            })
            .await?;
        let detail = match applied {
            Idempotent::Fresh(at) => format!("applied job `{}` at receive {at}", message.id),
            Idempotent::Repeat(at) => {
                format!("job `{}` was applied before, at receive {at}", message.id)
            }
        };
        Ok(Handled { detail })
    }
}
"#;

const JOBS: usize = 4;

/// The running engine, through the AWS SDK at the endpoint `.gen/dev.json` names.
struct Engine {
    tokio: tokio::runtime::Runtime,
    state: DevState,
    sqs: aws_sdk_sqs::Client,
    s3: aws_sdk_s3::Client,
}

impl Engine {
    fn connect(folder: &Path) -> Self {
        let text = std::fs::read_to_string(folder.join(".gen").join(STATE_FILE)).unwrap();
        let state: DevState = serde_json::from_str(&text).unwrap();
        let tokio = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let sdk = tokio.block_on(sdk_config(&state.endpoint));
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&sdk)
                .force_path_style(true)
                .build(),
        );
        Self {
            tokio,
            state,
            sqs: aws_sdk_sqs::Client::new(&sdk),
            s3,
        }
    }

    fn send(&self, body: &str) {
        self.tokio
            .block_on(
                self.sqs
                    .send_message()
                    .queue_url(&self.state.queues["jobs"])
                    .message_body(body)
                    .send(),
            )
            .expect("the engine takes the message");
    }

    /// Queue `name`'s visible + in-flight + delayed messages.
    fn depth(&self, name: &str) -> u64 {
        let attributes = self
            .tokio
            .block_on(
                self.sqs
                    .get_queue_attributes()
                    .queue_url(&self.state.queues[name])
                    .attribute_names(QueueAttributeName::All)
                    .send(),
            )
            .expect("the engine answers GetQueueAttributes");
        [
            QueueAttributeName::ApproximateNumberOfMessages,
            QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
            QueueAttributeName::ApproximateNumberOfMessagesDelayed,
        ]
        .iter()
        .map(|attribute| {
            attributes
                .attributes()
                .and_then(|all| all.get(attribute))
                .and_then(|value| value.parse::<u64>().ok())
                .expect("the engine reports the queue's depths")
        })
        .sum()
    }

    /// The keys of bucket `files` under `prefix`.
    fn keys(&self, prefix: &str) -> BTreeSet<String> {
        self.tokio
            .block_on(list_keys(&self.s3, &self.state.buckets["files"], prefix))
    }
}

/// Job → the receive counts at which it was applied, from the `applied/` keys.
fn applications(applied: &BTreeSet<String>) -> BTreeMap<String, Vec<u32>> {
    let mut per_job: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for key in applied {
        let (job, name) = key
            .trim_start_matches("applied/")
            .split_once('/')
            .unwrap_or_else(|| panic!("unexpected key `{key}`"));
        let receive = name
            .trim_end_matches(".json")
            .rsplit('-')
            .next()
            .and_then(|count| count.parse().ok())
            .unwrap_or_else(|| panic!("unexpected key `{key}`"));
        per_job.entry(job.to_owned()).or_default().push(receive);
    }
    per_job
}

/// Scaffolds the custom handler and replaces it with [`HANDLER`].
fn write_handler(folder: &Path) {
    let (ok, output) = gen_in(folder, &["synth"]);
    assert!(ok, "{output}");
    let manifest = folder.join("handlers/worker/Cargo.toml");
    let starter = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        starter.replace(
            "runtime.workspace = true\n",
            "runtime.workspace = true\ntokio.workspace = true\n",
        ),
    )
    .unwrap();
    std::fs::write(folder.join("handlers/worker/src/lib.rs"), HANDLER).unwrap();
}

#[test]
fn a_record_past_the_deadline_is_failed_delivered_again_and_applied_once() {
    let folder = workspace("deadline", PIPELINE);
    write_handler(&folder);
    let mut dev = Dev::start(&folder, &["--real-time", "--log-format", "json"]);
    dev.wait_for("find the engine through");
    let engine = Engine::connect(&folder);

    // Each job twice, as two messages: the idempotency key is the job's id, not the message's.
    let jobs: Vec<String> = (1..=JOBS).map(|n| format!("job-{n}")).collect();
    let sent = Instant::now();
    for job in jobs.iter().chain(&jobs) {
        engine.send(&format!(r#"{{"id": "{job}"}}"#));
    }

    // Done when every job has its completed record and the queue is empty (in flight included).
    let deadline = sent + DEADLINE;
    let (applied, took) = loop {
        let completed = engine
            .keys("idempotency/")
            .iter()
            .filter(|key| key.ends_with("/completed.json"))
            .count();
        let applied = engine.keys("applied/");
        if completed == JOBS && engine.depth("jobs") == 0 {
            break (applied, sent.elapsed());
        }
        dev.read(Duration::from_millis(500));
        assert!(
            Instant::now() < deadline,
            "not every job ended in {DEADLINE:?}; applied: {applied:?}\n{}",
            dev.seen.join("\n")
        );
    };
    let dead_lettered = engine.depth("jobs-dlq");
    dev.read(Duration::from_secs(1));
    let log = dev.seen.join("\n");

    // Applied once per job, on a later delivery than the first (the first never finished).
    let per_job = applications(&applied);
    for job in &jobs {
        let receives = per_job.get(job).cloned().unwrap_or_default();
        assert_eq!(
            receives.len(),
            1,
            "`{job}` applied {} times: {applied:?}\n{log}",
            receives.len()
        );
        assert!(receives[0] >= 2, "`{job}` applied at receive 1:\n{log}");
    }
    assert_eq!(per_job.len(), JOBS, "{applied:?}");
    assert_eq!(dead_lettered, 0, "messages were dead-lettered:\n{log}");
    // The first deliveries were reported failed at the deadline (not timed out as a batch).
    let at_deadline = log
        .lines()
        .filter(|line| line.contains("before the Lambda deadline"))
        .count();
    // Each job's first claim was made on a first delivery, which slept: at least one per job.
    assert!(
        at_deadline >= JOBS,
        "{at_deadline} records failed at the deadline:\n{log}"
    );
    assert!(
        !log.contains("restarting the function"),
        "an invocation timed out or crashed:\n{log}"
    );
    let fresh = log.matches("applied job `").count();
    let repeats = log.matches("was applied before, at receive").count();
    assert_eq!(fresh, JOBS, "{log}");
    assert_eq!(
        repeats, JOBS,
        "each job's other message ends as a repeat, and no message ends twice:\n{log}"
    );
    eprintln!(
        "{JOBS} jobs, each sent twice: applied once each at receives {per_job:?}; {at_deadline} \
         records failed at the deadline; {repeats} repeats; all done {} ms after sending",
        took.as_millis()
    );
}
