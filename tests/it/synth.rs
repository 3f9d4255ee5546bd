//! `gen synth` on the fixture pipelines: snapshots of the template and the crates, determinism,
//! least privilege proven from the policies themselves, and partial-failure reporting that
//! cannot drift from the handlers.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use generator::config::pipeline::Function;
use generator::config::{self, Pipeline};
use generator::scaffold::scaffold;
use generator::synth::{SynthOptions, synthesize};
use serde_json::Value;

pub(crate) fn load(path: &Path) -> Pipeline {
    let loaded = config::load(&path.display().to_string(), &std::fs::read(path).unwrap());
    let mut pipeline = loaded
        .pipeline
        .unwrap_or_else(|| panic!("{}", loaded.report.render(false)));
    // What `gen synth` reads besides pipeline.yaml: the request schemas of route triggers.
    for function in pipeline.functions.values() {
        if let Some(schema) = function
            .trigger
            .route()
            .and_then(|route| route.request_schema.as_ref())
        {
            let text = std::fs::read_to_string(path.parent().unwrap().join(schema)).unwrap();
            pipeline.request_schemas.insert(function.name.clone(), text);
        }
    }
    pipeline
}

pub(crate) fn template_json(pipeline: &Pipeline) -> Value {
    serde_json::from_str(
        &synthesize(pipeline, &SynthOptions::default())
            .unwrap()
            .to_json(),
    )
    .unwrap()
}

pub(crate) fn fixture_pipelines() -> Vec<(String, Pipeline)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/pipelines");
    let mut pipelines: Vec<(String, Pipeline)> = std::fs::read_dir(&root)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .map(|dir| {
            (
                dir.file_name().unwrap().to_string_lossy().into_owned(),
                load(&dir.join("pipeline.yaml")),
            )
        })
        .collect();
    pipelines.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(pipelines.len() >= 4);
    pipelines
}

#[test]
fn templates_and_crates_match_their_snapshots() {
    insta::glob!("../fixtures/pipelines", "*/pipeline.yaml", |path| {
        let pipeline = load(path);
        let template = synthesize(&pipeline, &SynthOptions::default()).unwrap();
        insta::assert_snapshot!("template", template.to_json());
        let mut crates = String::new();
        for file in scaffold(&pipeline).unwrap() {
            writeln!(crates, "==> {} <==\n{}", file.path, file.contents).unwrap();
        }
        insta::assert_snapshot!("crates", crates);
    });
}

#[test]
fn synth_is_byte_for_byte_deterministic() {
    for (name, pipeline) in fixture_pipelines() {
        let first = synthesize(&pipeline, &SynthOptions::default())
            .unwrap()
            .to_json();
        let again = synthesize(
            &load(
                &Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join(format!("fixtures/pipelines/{name}/pipeline.yaml")),
            ),
            &SynthOptions::default(),
        )
        .unwrap()
        .to_json();
        assert_eq!(first, again, "{name}");
    }
}

/// Logical IDs an expression refers to, by `Ref`, `Fn::GetAtt` or `${Id...}` in `Fn::Sub`.
fn referenced(value: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    match value {
        Value::Object(map) => {
            if let Some(Value::String(name)) = map.get("Ref") {
                out.insert(name.clone());
            }
            if let Some(Value::Array(parts)) = map.get("Fn::GetAtt") {
                out.insert(parts[0].as_str().unwrap().to_owned());
            }
            if let Some(Value::String(text)) = map.get("Fn::Sub") {
                for piece in text.split("${").skip(1) {
                    out.insert(piece.split(['}', '.']).next().unwrap().to_owned());
                }
            }
            for value in map.values() {
                out.extend(referenced(value));
            }
        }
        Value::Array(items) => items.iter().for_each(|item| out.extend(referenced(item))),
        _ => {}
    }
    out
}

pub(crate) fn id(name: &str, kind: &str) -> String {
    generator::config::naming::logical_id(name, kind)
}

/// What `function`'s role may do, by the logical id (or `ses:` ARN suffix) of each resource:
/// exactly what its trigger and its `writes` need.
fn expected_grants(pipeline: &Pipeline, function: &Function) -> BTreeMap<String, BTreeSet<String>> {
    let mut allowed: BTreeMap<String, BTreeSet<&str>> = BTreeMap::from([(
        id(&function.name, "LogGroup"),
        BTreeSet::from(["logs:CreateLogStream", "logs:PutLogEvents"]),
    )]);
    if let Some(queue) = function.trigger.queue_name() {
        let mut actions = BTreeSet::from([
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
            "sqs:ReceiveMessage",
        ]);
        // Invalid records are made visible again at once, only where a dead-letter queue
        // takes them after their last receive.
        if pipeline.queues[queue].redrive.is_some() {
            actions.insert("sqs:ChangeMessageVisibility");
        }
        allowed.insert(id(queue, "Queue"), actions);
    }
    if let Some(table) = &function.writes.table {
        allowed.insert(
            id(table, "Table"),
            generator::synth::policies::TABLE_ACTIONS
                .iter()
                .copied()
                .collect(),
        );
    }
    // SES: the sender's identity, and the configuration set when there is one.
    if function.writes.email {
        let email = pipeline.email.as_ref().unwrap();
        allowed.insert(
            format!("ses:identity/{}", email.identity),
            BTreeSet::from(["ses:SendEmail"]),
        );
        if let Some(set) = &email.configuration_set {
            allowed.insert(
                format!("ses:configuration-set/{set}"),
                BTreeSet::from(["ses:SendEmail"]),
            );
        }
    }
    // EventBridge: PutEvents on the function's own bus, nothing else.
    if let Some(bus) = &function.writes.events {
        allowed.insert(id(bus, "Bus"), BTreeSet::from(["events:PutEvents"]));
    }
    let access = generator::synth::policies::bucket_access(function.handler);
    if let Some(bucket) = &function.writes.bucket {
        let mut actions = BTreeSet::from(["s3:PutObject"]);
        if access.iter().any(|access| access.reads) {
            actions.insert("s3:GetObject");
        }
        allowed.insert(id(bucket, "Bucket"), actions);
    }
    for queue in [
        &function.writes.notify,
        &function.writes.requeue,
        &function.writes.enqueue,
    ]
    .into_iter()
    .flatten()
    {
        allowed
            .entry(id(queue, "Queue"))
            .or_default()
            .insert("sqs:SendMessage");
    }
    allowed
        .into_iter()
        .map(|(target, actions)| (target, actions.into_iter().map(str::to_owned).collect()))
        .collect()
}

/// What `role` grants, by resource as [`expected_grants`] names them; fails on wildcards,
/// literal resources, statements over several resources, and object grants outside the
/// function's declared prefixes.
fn granted_grants(
    name: &str,
    function: &Function,
    role: &Value,
) -> BTreeMap<String, BTreeSet<String>> {
    let access = generator::synth::policies::bucket_access(function.handler);
    let policies = role["Properties"]["Policies"].as_array().unwrap();
    assert_eq!(
        policies.len(),
        1,
        "{name}/{}: one inline policy",
        function.name
    );
    let mut granted: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for statement in policies[0]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
    {
        assert_eq!(statement["Effect"], "Allow");
        let actions: Vec<String> = statement["Action"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_owned())
            .collect();
        assert!(
            actions.iter().all(|action| !action.contains('*')),
            "{name}/{}: wildcard action in {actions:?}",
            function.name
        );
        let resource = &statement["Resource"];
        assert!(
            !resource.is_string(),
            "{name}/{}: literal resource {resource}",
            function.name
        );
        if let Some(Value::String(sub)) = resource.get("Fn::Sub")
            && let Some((_, ses)) = sub.split_once(":ses:${AWS::Region}:${AWS::AccountId}:")
        {
            granted
                .entry(format!("ses:{ses}"))
                .or_default()
                .extend(actions);
            continue;
        }
        let targets = referenced(resource);
        assert_eq!(
            targets.len(),
            1,
            "{name}/{}: one resource per statement, got {targets:?}",
            function.name
        );
        let target = targets.into_iter().next().unwrap();
        if let Some(Value::String(sub)) = resource.get("Fn::Sub") {
            assert!(
                access
                    .iter()
                    .any(|access| sub == &format!("${{{target}.Arn}}/{}*", access.prefix)),
                "{name}/{}: objects only under its declared prefixes, not {sub}",
                function.name
            );
        }
        granted.entry(target).or_default().extend(actions);
    }
    granted
}

#[test]
fn every_function_reaches_only_its_own_resources() {
    for (name, pipeline) in fixture_pipelines() {
        let template = template_json(&pipeline);
        let resources = template["Resources"].as_object().unwrap();
        for function in pipeline.functions.values() {
            let role = &resources[&id(&function.name, "Role")];
            assert_eq!(
                granted_grants(&name, function, role),
                expected_grants(&pipeline, function),
                "{name}/{}: exactly its own resources",
                function.name
            );
        }
    }
}

#[test]
fn every_mapping_reports_batch_item_failures_to_a_handler_that_returns_them() {
    for (name, pipeline) in fixture_pipelines() {
        let template = template_json(&pipeline);
        let resources = template["Resources"].as_object().unwrap();
        let crates = scaffold(&pipeline).unwrap();
        let mappings: Vec<(&String, &Value)> = resources
            .iter()
            .filter(|(_, resource)| resource["Type"] == "AWS::Lambda::EventSourceMapping")
            .collect();
        assert_eq!(
            mappings.len(),
            pipeline
                .functions
                .values()
                .filter(|function| function.trigger.queue().is_some())
                .count(),
            "{name}: one mapping per queue-triggered function"
        );
        for (mapping_id, mapping) in mappings {
            assert_eq!(
                mapping["Properties"]["FunctionResponseTypes"],
                serde_json::json!(["ReportBatchItemFailures"]),
                "{name}/{mapping_id}"
            );
            let function_id = mapping["Properties"]["FunctionName"]["Ref"]
                .as_str()
                .unwrap();
            let function = pipeline
                .functions
                .values()
                .find(|f| id(&f.name, "Function") == function_id)
                .expect("the mapping targets a pipeline function");
            let main = &crates
                .iter()
                .find(|file| file.path == format!("lambdas/{}/src/main.rs", function.name))
                .unwrap()
                .contents;
            // `runtime::serve` answers every SQS event with an `SqsBatchResponse`.
            assert!(
                main.contains("runtime::serve(runtime::handlers::"),
                "{name}/{}: {main}",
                function.name
            );
            let trigger = referenced(&mapping["Properties"]["EventSourceArn"]);
            assert_eq!(
                trigger,
                BTreeSet::from([id(function.trigger.queue_name().unwrap(), "Queue")])
            );
        }
    }
}

#[test]
fn derived_visibility_and_redrive_reach_the_template() {
    let pipeline = load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../pipeline.yaml"));
    let template = template_json(&pipeline);
    let task = &template["Resources"]["TaskQueue"]["Properties"];
    assert_eq!(task["VisibilityTimeout"], 180);
    assert_eq!(task["RedrivePolicy"]["maxReceiveCount"], 2);
    assert_eq!(task["QueueName"]["Fn::Sub"], "orders-task-${Stage}");
    let environment =
        &template["Resources"]["TaskFunction"]["Properties"]["Environment"]["Variables"];
    let table: runtime::order::DiscountTable =
        serde_json::from_str(environment["DISCOUNT_TABLE"].as_str().unwrap()).unwrap();
    assert!(
        table.promo("save10").is_some(),
        "the runtime reads the table the template carries"
    );
}

#[test]
fn the_stage_option_sets_the_parameter_default_and_is_checked() {
    let pipeline = load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../pipeline.yaml"));
    let template = synthesize(
        &pipeline,
        &SynthOptions {
            stage: "feature-x".into(),
        },
    )
    .unwrap();
    assert_eq!(
        template.parameters["Stage"].default.as_deref(),
        Some("feature-x")
    );
    for bad in ["Feature", "a_b", "", "much-too-long-stage-name"] {
        let error = synthesize(&pipeline, &SynthOptions { stage: bad.into() }).unwrap_err();
        assert!(
            error.to_string().contains("is not a valid stage name"),
            "{bad}: {error}"
        );
    }
}

#[test]
fn the_seed_pipeline_alarms_on_what_matters() {
    let pipeline = load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../pipeline.yaml"));
    let template = template_json(&pipeline);
    let mut alarms = String::new();
    for (logical_id, resource) in template["Resources"].as_object().unwrap() {
        if resource["Type"] != "AWS::CloudWatch::Alarm" {
            continue;
        }
        let properties = &resource["Properties"];
        assert_eq!(
            properties["AlarmActions"],
            serde_json::json!([{"Ref": "AlarmTopic"}]),
            "{logical_id} notifies the stage's topic"
        );
        writeln!(
            alarms,
            "{logical_id}: {} {}/{} {} {} > {} per {}s\n  {}",
            properties["AlarmName"]["Fn::Sub"].as_str().unwrap(),
            properties["Namespace"].as_str().unwrap(),
            properties["MetricName"].as_str().unwrap(),
            properties["Dimensions"][0],
            properties["Statistic"].as_str().unwrap(),
            properties["Threshold"],
            properties["Period"],
            properties["AlarmDescription"].as_str().unwrap(),
        )
        .unwrap();
    }
    let topic = &template["Resources"]["AlarmTopic"];
    assert_eq!(topic["Type"], "AWS::SNS::Topic");
    assert_eq!(
        topic["Properties"]["KmsMasterKeyId"],
        serde_json::json!({"Ref": "AlarmTopicKey"})
    );
    insta::assert_snapshot!(alarms);
}

#[test]
fn every_mapping_bounds_its_concurrency_from_pipeline_yaml() {
    #[track_caller]
    fn case(function: &str, expected: u64) {
        let yaml = format!(
            "pipeline: shop\nregion: us-east-1\nqueues:\n  orders: {{}}\nfunctions:\n  log:\n    handler: notification_logger\n{function}"
        );
        let loaded = config::load("pipeline.yaml", yaml.as_bytes());
        let pipeline = loaded.pipeline.expect("valid");
        let template = template_json(&pipeline);
        assert_eq!(
            template["Resources"]["LogEventSourceMapping"]["Properties"]["ScalingConfig"],
            serde_json::json!({"MaximumConcurrency": expected}),
            "{function}"
        );
    }
    case("    trigger: { queue: orders }\n", 10);
    case("    trigger: { queue: orders, max_concurrency: 40 }\n", 40);
    // Within a reservation by default, but never below Lambda's minimum of 2.
    case(
        "    reserved_concurrency: 5\n    trigger: { queue: orders }\n",
        5,
    );
    case(
        "    reserved_concurrency: 1\n    trigger: { queue: orders }\n",
        2,
    );
    case(
        "    reserved_concurrency: 50\n    trigger: { queue: orders }\n",
        10,
    );
}

#[test]
fn checkov_skips_are_the_same_for_every_pipeline() {
    // Skips come from one reviewed list per resource type, never from what a pipeline sets:
    // a check that would fail for one pipeline is not silenced for it.
    let mut skips_by_type: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, pipeline) in fixture_pipelines() {
        let template = template_json(&pipeline);
        for (logical_id, resource) in template["Resources"].as_object().unwrap() {
            // The log bucket is a bucket with its own reviewed list.
            let kind = if logical_id == "AccessLogBucket" {
                logical_id.clone()
            } else {
                resource["Type"].as_str().unwrap().to_owned()
            };
            let skips: BTreeSet<String> = resource["Metadata"]["checkov"]["skip"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|skip| {
                    assert!(
                        skip["comment"]
                            .as_str()
                            .is_some_and(|reason| reason.len() > 20),
                        "{name}/{logical_id}: {skip}"
                    );
                    skip["id"].as_str().unwrap().to_owned()
                })
                .collect();
            let first = skips_by_type.entry(kind).or_insert_with(|| skips.clone());
            assert_eq!(first, &skips, "{name}/{logical_id}");
        }
    }
    assert!(skips_by_type["AWS::Lambda::Function"].contains("CKV_AWS_115"));
}

#[test]
fn every_pipeline_bucket_logs_its_access_into_the_log_bucket_which_does_not_log_itself() {
    for (name, pipeline) in fixture_pipelines() {
        let template = template_json(&pipeline);
        let resources = &template["Resources"];
        if pipeline.buckets.is_empty() {
            // No bucket logs, so there is no log bucket to keep (a pipeline of tables and APIs).
            assert!(resources.get("AccessLogBucket").is_none(), "{name}");
            continue;
        }
        for bucket in pipeline.buckets.keys() {
            assert_eq!(
                resources[id(bucket, "Bucket")]["Properties"]["LoggingConfiguration"],
                serde_json::json!({
                    "DestinationBucketName": {"Ref": "AccessLogBucket"},
                    "LogFilePrefix": format!("{bucket}/"),
                }),
                "{name}/{bucket}"
            );
        }
        let log_bucket = &resources["AccessLogBucket"];
        assert_eq!(log_bucket["Type"], "AWS::S3::Bucket", "{name}");
        assert!(
            log_bucket["Properties"]
                .get("LoggingConfiguration")
                .is_none(),
            "{name}: the log bucket must not log into itself"
        );
        let statements =
            resources["AccessLogBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
                .as_array()
                .unwrap();
        let allows: Vec<&Value> = statements
            .iter()
            .filter(|statement| statement["Effect"] == "Allow")
            .collect();
        assert_eq!(allows.len(), 1, "{name}");
        assert_eq!(
            allows[0]["Principal"],
            serde_json::json!({"Service": "logging.s3.amazonaws.com"})
        );
        assert_eq!(allows[0]["Action"], "s3:PutObject");
        assert!(
            statements
                .iter()
                .any(|statement| statement["Sid"] == "DenyInsecureTransport"),
            "{name}"
        );
    }
}

/// EventBridge in every fixture: each rule sits on its pipeline's bus and targets the queues
/// pipeline.yaml names; each queue a rule delivers to has exactly one policy, and that policy
/// lets `events.amazonaws.com` send only on behalf of the rules that deliver to it.
#[test]
fn every_rule_delivers_only_to_its_queues_through_one_policy_per_queue() {
    let mut rules_seen = 0;
    for (name, pipeline) in fixture_pipelines() {
        let template = template_json(&pipeline);
        let resources = template["Resources"].as_object().unwrap();
        let mut senders: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (bus, rule) in pipeline.rules() {
            rules_seen += 1;
            let rule_id = generator::config::naming::rule_logical_id(&bus.name, &rule.name);
            let resource = &resources[&rule_id];
            assert_eq!(resource["Type"], "AWS::Events::Rule", "{name}/{rule_id}");
            let properties = &resource["Properties"];
            assert_eq!(
                properties["EventBusName"],
                serde_json::json!({"Fn::GetAtt": [id(&bus.name, "Bus"), "Name"]})
            );
            assert_eq!(properties["EventPattern"], rule.pattern, "{name}/{rule_id}");
            let targets = properties["Targets"].as_array().unwrap();
            assert_eq!(targets.len(), rule.targets.len());
            for (target, expected) in targets.iter().zip(&rule.targets) {
                assert_eq!(target["Id"], expected.queue.as_str());
                assert_eq!(target["Arn"]["Fn::GetAtt"][0], id(&expected.queue, "Queue"));
                senders
                    .entry(expected.queue.clone())
                    .or_default()
                    .insert(rule_id.clone());
                if let Some(dead_letter) = &expected.dead_letter {
                    assert_eq!(
                        target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0],
                        id(dead_letter, "Queue")
                    );
                    senders
                        .entry(dead_letter.clone())
                        .or_default()
                        .insert(rule_id.clone());
                }
            }
        }
        for queue in pipeline.queues.keys() {
            let queue_id = id(queue, "Queue");
            let policies: Vec<&Value> = resources
                .values()
                .filter(|resource| {
                    resource["Type"] == "AWS::SQS::QueuePolicy"
                        && resource["Properties"]["Queues"]
                            .as_array()
                            .unwrap()
                            .contains(&serde_json::json!({"Ref": queue_id}))
                })
                .collect();
            assert_eq!(policies.len(), 1, "{name}/{queue}: one policy per queue");
            let allowed: BTreeSet<String> =
                policies[0]["Properties"]["PolicyDocument"]["Statement"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|statement| statement["Effect"] == "Allow")
                    .map(|statement| {
                        assert_eq!(statement["Principal"]["Service"], "events.amazonaws.com");
                        assert_eq!(statement["Action"], "sqs:SendMessage");
                        assert_eq!(statement["Resource"]["Fn::GetAtt"][0], queue_id);
                        statement["Condition"]["ArnEquals"]["aws:SourceArn"]["Fn::GetAtt"][0]
                            .as_str()
                            .unwrap()
                            .to_owned()
                    })
                    .collect();
            assert_eq!(
                allowed,
                senders.remove(queue).unwrap_or_default(),
                "{name}/{queue}: exactly the rules delivering to it may send"
            );
        }
    }
    assert!(rules_seen >= 4, "a fixture pipeline has rules");
}
