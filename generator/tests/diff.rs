//! `gen diff --against HEAD~1 --format markdown` on a scratch git repository: the PR comments a
//! reviewer reads, and the exit code CI branches on (0 none, 2 changes, 3 destructive).

use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args([
            "-c",
            "user.name=gen",
            "-c",
            "user.email=gen@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        status.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

/// The start of the `notification` queue's entry in the seed (unique: the function of the same
/// name starts with `handler:`).
const NOTIFICATION_QUEUE: &str = "  notification:\n    max_receive_count";

/// Commits the seed pipeline, then `edit` of it, and diffs the two commits.
fn diff_after(edit: impl Fn(String) -> String, format: &str) -> (i32, String) {
    diff_between(|seed| seed, edit, format)
}

/// Commits `base` of the seed pipeline, then `edit` of that, and diffs the two commits.
fn diff_between(
    base: impl Fn(String) -> String,
    edit: impl Fn(String) -> String,
    format: &str,
) -> (i32, String) {
    let seed = base(
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../pipeline.yaml"))
            .unwrap(),
    );
    diff_texts(&seed, edit, &[], format)
}

/// Commits `seed` (with `files` beside it: relative path, contents), then `edit` of it, and
/// diffs the two commits.
fn diff_texts(
    seed: &str,
    edit: impl Fn(String) -> String,
    files: &[(&str, &str)],
    format: &str,
) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    for (path, contents) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
    let file = dir.path().join("pipeline.yaml");
    std::fs::write(&file, seed).unwrap();
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "seed"]);
    let edited = edit(seed.to_owned());
    std::fs::write(&file, &edited).unwrap();
    git(
        dir.path(),
        &["commit", "-q", "--allow-empty", "-am", "change"],
    );
    let output = Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(["diff", "--against", "HEAD~1", "--format", format])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    // Warnings about the new pipeline may appear on stderr; errors may not.
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("error["), "{stderr}");
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

/// The seed with the `task` function's `batch_size` 10 → 5.
fn halve_task_batch(seed: &str) -> String {
    seed.replacen(
        "      queue: task\n      batch_size: 10",
        "      queue: task\n      batch_size: 5",
        1,
    )
}

#[test]
fn a_discount_change() {
    let (code, markdown) = diff_after(
        |seed| seed.replace("SAVE10: { percent: 10 }", "SAVE10: { percent: 15 }"),
        "markdown",
    );
    assert_eq!(code, 2);
    insta::assert_snapshot!(markdown);
}

#[test]
fn a_batch_size_change() {
    let (code, markdown) = diff_after(|seed| halve_task_batch(&seed), "markdown");
    assert_eq!(code, 2);
    insta::assert_snapshot!(markdown);
}

/// With `cost.orders_per_month: 50000000` the `task` queue gets 50,250,000 messages a month,
/// 19.4 a second: batches fill to `batch_size`, so halving it doubles `task`'s receives, deletes
/// and invocations — the comment shows what that costs. By hand: `task` delivers 49,750,000
/// successes + 500,000 failures × 2 receives = 50,750,000 records; in batches of 10 that is
/// 5,075,000 receives and 4,975,000 deletes, in batches of 5 twice as many: +10,050,000 SQS
/// requests × $0.0000004 = +$4.02. Lambda: +5,075,000 invocations × $0.0000002 = $1.015, and
/// × 0.2 s × 0.25 GB = +253,750 GB-s × $0.0000133334 = $3.383: +$4.40. Logs: +5,075,000 ×
/// 1,249 bytes per invocation (the runtime's batch summary, EMF line and Lambda's
/// START/END/REPORT for `orders-task-prod`, see `cost::log_lines`) = 6,338,675,000 bytes =
/// 5.9034 GB × $0.50 = $2.9517, stored 14/30 of it × $0.03 = $0.0826: +$3.03.
#[test]
fn a_batch_size_change_shows_the_cost_delta() {
    let (code, markdown) = diff_between(
        |seed| format!("{seed}\ncost:\n  orders_per_month: 50000000\n"),
        |seed| halve_task_batch(&seed),
        "markdown",
    );
    assert_eq!(code, 2);
    insta::assert_snapshot!(markdown);
}

/// The same change at a terminal: the cost section in plain text, aligned, before the plan line.
#[test]
fn a_batch_size_change_in_text_shows_the_cost_delta() {
    let (code, text) = diff_between(
        |seed| format!("{seed}\ncost:\n  orders_per_month: 50000000\n"),
        |seed| halve_task_batch(&seed),
        "text",
    );
    assert_eq!(code, 2);
    assert!(text.contains("Monthly cost at 50000000 orders"), "{text}");
    insta::assert_snapshot!(text);
}

/// The seed with queue `notification` renamed `notifications`, everywhere it is named.
fn rename_notification_queue(seed: &str) -> String {
    seed.replace(
        NOTIFICATION_QUEUE,
        "  notifications:\n    max_receive_count",
    )
    .replace("queue: notification\n", "queue: notifications\n")
    .replace("notify: notification\n", "notify: notifications\n")
}

#[test]
fn a_queue_rename_is_a_destructive_replacement() {
    let (code, markdown) = diff_after(|seed| rename_notification_queue(&seed), "markdown");
    assert_eq!(code, 3);
    assert!(
        markdown.contains("renamed to `notifications`: REPLACE"),
        "{markdown}"
    );
    assert!(
        markdown.contains("⚠️ data loss: the messages waiting in it"),
        "{markdown}"
    );
    insta::assert_snapshot!(markdown);
}

/// The text renderer (what a person sees at a terminal) on the most dangerous change there is:
/// the invoices' bucket replaced by another, which starts empty.
#[test]
fn a_bucket_rename_in_text_is_destructive() {
    let (code, text) = diff_after(
        |seed| {
            seed.replace("  results:\n    versioning", "  invoices:\n    versioning")
                .replace("bucket: results\n", "bucket: invoices\n")
        },
        "text",
    );
    assert_eq!(code, 3, "{text}");
    assert!(
        text.contains("- remove  ResultsBucket (AWS::S3::Bucket)"),
        "{text}"
    );
    assert!(text.contains("warning: data loss"), "{text}");
    assert!(text.contains("— DESTRUCTIVE"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn a_discount_change_in_text() {
    let (code, text) = diff_after(
        |seed| seed.replace("SAVE10: { percent: 10 }", "SAVE10: { percent: 15 }"),
        "text",
    );
    assert_eq!(code, 2);
    insta::assert_snapshot!(text);
}

#[test]
fn an_iam_widening_is_said_in_plain_words() {
    let (code, markdown) = diff_after(
        |seed| {
            seed.replace(
                "  notification-dlq:\n",
                "  audit: {}\n  notification-dlq:\n",
            )
            .replace("      requeue: task\n", "      requeue: audit\n")
        },
        "markdown",
    );
    assert_eq!(code, 2);
    assert!(
        markdown.contains("function `dlq-processor` may now `sqs:SendMessage` to queue `audit`"),
        "{markdown}"
    );
    insta::assert_snapshot!(markdown);
}

/// A queue added on its own: the PR comment draws it as added, and nothing else as changed.
#[test]
fn a_new_queue_is_drawn_as_added() {
    let (code, markdown) = diff_after(
        |seed| {
            seed.replace(
                "  notification-dlq:\n",
                "  audit: {}\n  notification-dlq:\n",
            )
        },
        "markdown",
    );
    assert_eq!(code, 2);
    assert!(
        markdown.contains("queue_audit[[\"audit [added]<br/>"),
        "{markdown}"
    );
    assert!(
        markdown.contains("    class queue_audit added\n"),
        "{markdown}"
    );
    // Nothing else is marked: `[changed]` appears in the legend only.
    assert_eq!(markdown.matches("[changed]").count(), 1, "{markdown}");
    assert!(markdown.contains("Legend: `[added]`"), "{markdown}");
    insta::assert_snapshot!(markdown);
}

/// The JSON plan carries the same statuses as the drawing: a rename is the new part replacing
/// the old, which is removed, with the edges moved from one to the other.
#[test]
fn the_json_plan_gives_each_node_and_edge_its_status() {
    let (code, json) = diff_after(|seed| rename_notification_queue(&seed), "json");
    assert_eq!(code, 3, "{json}");
    let plan: serde_json::Value = serde_json::from_str(&json).unwrap();
    let status = |id: &str| {
        plan["graph"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|node| node["id"] == id)
            .map(|node| node["status"].as_str().unwrap().to_owned())
    };
    assert_eq!(status("queue:notifications").as_deref(), Some("replaced"));
    assert_eq!(status("queue:notification").as_deref(), Some("removed"));
    assert_eq!(status("function:task").as_deref(), Some("changed"));
    assert_eq!(status("queue:task").as_deref(), Some("unchanged"));
    let notifications = plan["graph"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|node| node["id"] == "queue:notifications")
        .unwrap();
    assert_eq!(notifications["was"], "queue:notification");
    let edges: Vec<(String, String, String)> = plan["graph"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|edge| edge["status"] != "unchanged")
        .map(|edge| {
            (
                edge["from"].as_str().unwrap().to_owned(),
                edge["to"].as_str().unwrap().to_owned(),
                edge["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let edge =
        |from: &str, to: &str, status: &str| (from.to_owned(), to.to_owned(), status.to_owned());
    assert_eq!(
        edges,
        [
            edge("function:task", "queue:notification", "removed"),
            edge("function:task", "queue:notifications", "added"),
            edge("queue:notification", "function:notification", "removed"),
            edge("queue:notification", "queue:notification-dlq", "removed"),
            edge("queue:notifications", "function:notification", "added"),
            edge("queue:notifications", "queue:notification-dlq", "added"),
        ]
    );
}

/// A change the graph does not show (a promo code) draws no graph, in Markdown or JSON.
#[test]
fn a_change_outside_the_graph_draws_none() {
    let (code, json) = diff_after(
        |seed| seed.replace("SAVE10: { percent: 10 }", "SAVE10: { percent: 15 }"),
        "json",
    );
    assert_eq!(code, 2, "{json}");
    let plan: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(plan.get("graph").is_none(), "{json}");
    let (_, markdown) = diff_after(
        |seed| seed.replace("SAVE10: { percent: 10 }", "SAVE10: { percent: 15 }"),
        "markdown",
    );
    assert!(!markdown.contains("```mermaid"), "{markdown}");
}

#[test]
fn no_change_exits_0() {
    let (code, markdown) = diff_after(
        |seed| seed.replace("# Seed 000", "# Seed 000 (comment only)"),
        "markdown",
    );
    assert_eq!(code, 0);
    assert!(!markdown.contains("```mermaid"), "{markdown}");
    insta::assert_snapshot!(markdown);
}

#[test]
fn json_is_versioned() {
    let (code, json) = diff_after(
        |seed| seed.replace("max_receive_count: 2", "max_receive_count: 3"),
        "json",
    );
    assert_eq!(code, 2);
    let plan: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(plan["schema_version"], 2);
    assert_eq!(plan["verdict"], "changes");
    assert_eq!(
        plan["pipeline_changes"][0]["description"],
        "max_receive_count 2 → 3"
    );
    // The queue, and the alarms whose descriptions say after how many receives a message moves.
    let changed: Vec<(&str, &str)> = plan["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|change| {
            (
                change["logical_id"].as_str().unwrap(),
                change["action"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        changed,
        [
            ("TaskErrorsAlarm", "modify"),
            ("TaskQueue", "modify"),
            ("TaskThrottlesAlarm", "modify"),
        ]
    );
}

#[test]
fn json_matches_the_published_schema() {
    let schema: serde_json::Value = serde_json::from_str(&generator::diff::plan_schema()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    // A rename: every part of the shape is filled (replacement, data loss, IAM sentences).
    let (code, json) = diff_after(
        |seed| {
            seed.replace(NOTIFICATION_QUEUE, "  alerts:\n    max_receive_count")
                .replace("queue: notification\n", "queue: alerts\n")
                .replace("notify: notification\n", "notify: alerts\n")
        },
        "json",
    );
    assert_eq!(code, 3, "{json}");
    let plan: serde_json::Value = serde_json::from_str(&json).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&plan)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(
        !plan["iam_changes"].as_array().unwrap().is_empty(),
        "{json}"
    );
}

#[test]
fn an_unknown_ref_is_an_error_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../pipeline.yaml"),
        dir.path().join("pipeline.yaml"),
    )
    .unwrap();
    git(dir.path(), &["init", "-q"]);
    let output = Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(["diff", "--against", "nope"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("`nope` is not a commit"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The fixture pipeline with an API, a table and e-mail (`tests/fixtures/pipelines/orders-api`).
fn orders_api() -> (String, Vec<(&'static str, &'static str)>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/pipelines/orders-api");
    let text = std::fs::read_to_string(root.join("pipeline.yaml")).unwrap();
    let schema: &'static str = Box::leak(
        std::fs::read_to_string(root.join("schemas/order.schema.json"))
            .unwrap()
            .into_boxed_str(),
    );
    (text, vec![("schemas/order.schema.json", schema)])
}

/// A table's partition key renamed: CloudFormation must replace the table, the old one is
/// retained with its items and the new one starts empty — destructive, exit 3.
#[test]
fn a_table_key_change_is_a_destructive_replacement() {
    let (seed, files) = orders_api();
    let (code, markdown) = diff_texts(
        &seed,
        |seed| {
            seed.replace(
                "partition_key: { name: order_id }",
                "partition_key: { name: id }",
            )
        },
        &files,
        "markdown",
    );
    assert_eq!(code, 3, "{markdown}");
    assert!(
        markdown.contains("partition_key `order_id` (string) → `id` (string): REPLACE"),
        "{markdown}"
    );
    assert!(
        markdown.contains("the old table is orphaned (retained) with its items"),
        "{markdown}"
    );
    insta::assert_snapshot!(markdown);
}

/// A new route's function and an API's throttling, in the user's terms; no data is at risk.
#[test]
fn api_changes_are_said_in_the_users_terms() {
    let (seed, files) = orders_api();
    let (code, markdown) = diff_texts(
        &seed,
        |seed| {
            seed.replace("burst: 200, rate: 100", "burst: 300, rate: 100")
                .replace("      route: POST /orders\n", "      route: PUT /orders\n")
        },
        &files,
        "markdown",
    );
    assert_eq!(code, 2, "{markdown}");
    assert!(
        markdown.contains("throttling burst 200 → 300"),
        "{markdown}"
    );
    assert!(
        markdown.contains(
            "trigger route `POST /orders` of API `shop` → route `PUT /orders` of API `shop`"
        ),
        "{markdown}"
    );
    // The route's permission names the route, so it is replaced with it.
    assert!(markdown.contains("SubmitApiPermission"), "{markdown}");
    insta::assert_snapshot!(markdown);
}

/// The order store no longer e-mails: its SES grants go, said in plain words.
#[test]
fn dropping_email_revokes_the_send_permission() {
    let (seed, files) = orders_api();
    let (code, markdown) = diff_texts(
        &seed,
        |seed| {
            seed.replace(
                "writes: { table: orders, email: true }",
                "writes: { table: orders }",
            )
        },
        &files,
        "markdown",
    );
    assert_eq!(code, 2, "{markdown}");
    assert!(
        markdown.contains(
            "function `store` may no longer `ses:SendEmail` on e-mail identity `example.com`"
        ),
        "{markdown}"
    );
    assert!(markdown.contains("writes.email true → false"), "{markdown}");
}

/// The cost section of an API pipeline prices its API, table and e-mail: dropping the e-mail at
/// 1,000,000 orders saves SES's 990,000 × $0.0001 = $99.00, and the store's two email-state
/// updates an order, 1,980,000 write units × $0.000000625 = $1.2375 (DynamoDB $5.84 → $4.60).
#[test]
fn dropping_email_shows_the_ses_and_dynamodb_saving() {
    let (seed, files) = orders_api();
    let seed = format!("{seed}cost:\n  orders_per_month: 1000000\n");
    let (code, markdown) = diff_texts(
        &seed,
        |seed| {
            seed.replace(
                "writes: { table: orders, email: true }",
                "writes: { table: orders }",
            )
        },
        &files,
        "markdown",
    );
    assert_eq!(code, 2, "{markdown}");
    assert!(
        markdown.contains("| SES | $99.00 | $0.00 | −$99.00 |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| DynamoDB | $5.84 | $4.60 | −$1.24 |"),
        "{markdown}"
    );
    insta::assert_snapshot!(markdown);
}

/// The fixture pipeline whose API publishes to a bus (`tests/fixtures/pipelines/event-fanout`).
fn event_fanout() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/pipelines/event-fanout/pipeline.yaml"),
    )
    .unwrap()
}

/// A rule's pattern changed: said as the conditions it states, not as JSON; the rule is
/// updated in place (no replacement), and nothing is lost.
#[test]
fn a_changed_pattern_is_said_as_its_conditions() {
    let seed = event_fanout();
    for format in ["text", "markdown"] {
        let (code, out) = diff_texts(
            &seed,
            |seed| {
                seed.replace(
                    r#"total: [{ numeric: [">=", 1000] }]"#,
                    r#"total: [{ numeric: [">=", 500] }]"#,
                )
            },
            &[],
            format,
        );
        assert_eq!(code, 2, "{out}");
        let said = if format == "text" {
            "rule `high-value`: `detail.total` ≥ 1000 → ≥ 500"
        } else {
            "| rule `high-value` | `detail.total` ≥ 1000 → ≥ 500 |"
        };
        assert!(out.contains(said), "{out}");
        assert!(out.contains("OrdersHighValueRule"), "{out}");
        assert!(!out.contains("REPLACE"), "{out}");
        if format == "markdown" {
            insta::assert_snapshot!(out);
        }
    }
    let (_, json) = diff_texts(
        &seed,
        |seed| {
            seed.replace(
                r#"total: [{ numeric: [">=", 1000] }]"#,
                r#"total: [{ numeric: [">=", 500] }]"#,
            )
        },
        &[],
        "json",
    );
    let plan: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(
        plan["pipeline_changes"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!({
                "kind": "rule",
                "name": "high-value",
                "description": "`detail.total` ≥ 1000 → ≥ 500",
            })),
        "{json}"
    );
}

/// Renaming a bus renames every rule on it: CloudFormation replaces the bus and its rules
/// (their names are create-only), and the queue policies follow the new rules' ARNs.
#[test]
fn a_bus_rename_replaces_the_bus_and_its_rules() {
    let seed = event_fanout();
    let (code, out) = diff_texts(
        &seed,
        |seed| {
            seed.replace("buses:\n  orders:", "buses:\n  shop:")
                .replace("events: orders", "events: shop")
        },
        &[],
        "text",
    );
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("bus `orders`: removed, with its rules"),
        "{out}"
    );
    assert!(
        out.contains(
            "bus `shop`: added with rules `analytics`, `high-value`, `inventory`, `priority`"
        ),
        "{out}"
    );
    assert!(
        out.contains("function `submit-order`: writes.events `orders` → `shop`"),
        "{out}"
    );
    assert!(out.contains("events:PutEvents"), "{out}");
}
