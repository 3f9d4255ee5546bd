//! Resource and role policies read from the generated templates: every queue and bucket refuses
//! requests without TLS; no role can overwrite an invoice or reach a prefix it does not own.

use serde_json::{Value, json};

use crate::synth::{fixture_pipelines, id, template_json};

/// The first statement of a resource policy, which must deny everything without TLS.
#[track_caller]
fn assert_denies_without_tls(policy: &Value, action: &str, resources: &Value) {
    let statements = policy["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap();
    assert_eq!(
        statements[..1],
        vec![json!({
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": action,
            "Resource": resources,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        })]
    );
}

#[test]
fn every_queue_and_bucket_refuses_requests_without_tls() {
    for (name, pipeline) in fixture_pipelines() {
        let template = template_json(&pipeline);
        let resources = &template["Resources"];
        for queue in pipeline.queues.keys() {
            let queue_id = id(queue, "Queue");
            let policy = &resources[id(queue, "QueuePolicy")];
            assert_eq!(policy["Type"], "AWS::SQS::QueuePolicy", "{name}/{queue}");
            assert_eq!(policy["Properties"]["Queues"], json!([{"Ref": queue_id}]));
            assert_denies_without_tls(policy, "sqs:*", &json!([{"Fn::GetAtt": [queue_id, "Arn"]}]));
            // Besides it, one statement per rule delivering to the queue: EventBridge may send,
            // and only for that rule.
            let allows = &policy["Properties"]["PolicyDocument"]["Statement"]
                .as_array()
                .unwrap()[1..];
            assert_eq!(
                allows.len(),
                pipeline.rules_delivering_to(queue).count(),
                "{name}/{queue}"
            );
            for allow in allows {
                assert_eq!(allow["Effect"], "Allow", "{name}/{queue}");
                assert_eq!(
                    allow["Principal"],
                    json!({"Service": "events.amazonaws.com"})
                );
                assert_eq!(allow["Action"], "sqs:SendMessage", "{name}/{queue}");
                assert_eq!(allow["Resource"], json!({"Fn::GetAtt": [queue_id, "Arn"]}));
                assert!(
                    allow["Condition"]["ArnEquals"]["aws:SourceArn"]["Fn::GetAtt"][1] == "Arn",
                    "{name}/{queue}: {allow}"
                );
            }
        }
        for bucket in pipeline.buckets.keys() {
            let bucket_id = id(bucket, "Bucket");
            let policy = &resources[id(bucket, "BucketPolicy")];
            assert_eq!(policy["Properties"]["Bucket"], json!({"Ref": bucket_id}));
            assert_denies_without_tls(
                policy,
                "s3:*",
                &json!([
                    {"Fn::GetAtt": [bucket_id, "Arn"]},
                    {"Fn::Sub": format!("${{{bucket_id}.Arn}}/*")},
                ]),
            );
            let statements = policy["Properties"]["PolicyDocument"]["Statement"].as_array();
            assert_eq!(statements.map(Vec::len), Some(1), "{name}/{bucket}");
        }
    }
}

/// The statements of a function's role policy.
fn statements<'a>(template: &'a Value, function: &str) -> &'a Vec<Value> {
    template["Resources"][id(function, "Role")]["Properties"]["Policies"][0]["PolicyDocument"]
        ["Statement"]
        .as_array()
        .unwrap()
}

#[test]
fn no_role_can_overwrite_an_object_or_touch_a_prefix_it_does_not_own() {
    let mut write_once_grants = 0;
    for (name, pipeline) in fixture_pipelines() {
        let template = template_json(&pipeline);
        for function in pipeline.functions.values() {
            // The prefixes the runtime declares for the handler: the only ones its role reaches.
            let access = generator::synth::policies::bucket_access(function.handler);
            let own = |prefix: &str| {
                function
                    .writes
                    .bucket
                    .as_ref()
                    .map(|bucket| format!("${{{}.Arn}}/{prefix}*", id(bucket, "Bucket")))
            };
            for statement in statements(&template, &function.name) {
                let actions: Vec<&str> = statement["Action"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|action| action.as_str().unwrap())
                    .collect();
                let s3: Vec<&str> = actions
                    .iter()
                    .copied()
                    .filter(|action| action.starts_with("s3:"))
                    .collect();
                if s3.is_empty() {
                    continue;
                }
                let context = format!("{name}/{}: {statement}", function.name);
                assert_eq!(actions.len(), 1, "{context}");
                let resource = statement["Resource"]["Fn::Sub"].as_str();
                let granted = access
                    .iter()
                    .find(|access| resource == own(access.prefix).as_deref())
                    .unwrap_or_else(|| panic!("{context}: not a prefix it declares"));
                match s3[0] {
                    // A put that may replace an object is refused: `If-None-Match: *` is required.
                    "s3:PutObject" => {
                        assert_eq!(
                            statement["Condition"],
                            json!({"StringEquals": {"s3:if-none-match": "*"}}),
                            "{context}"
                        );
                        write_once_grants += 1;
                    }
                    "s3:GetObject" => assert!(granted.reads, "{context}: reads undeclared"),
                    other => panic!("{context}: {other}"),
                }
            }
        }
        // Nothing in the template grants object deletes to anyone.
        let text = template.to_string();
        assert!(!text.contains("s3:DeleteObject"), "{name}");
    }
    assert!(write_once_grants >= 4, "the fixtures write to buckets");
}

#[test]
fn every_wildcard_resource_states_its_evidence() {
    for (name, pipeline) in fixture_pipelines() {
        let template = template_json(&pipeline);
        for function in pipeline.functions.values() {
            let role = &template["Resources"][id(&function.name, "Role")];
            // One piece of evidence per wildcard resource, however many statements name it (a
            // prefix read back has a put and a get statement).
            let mut wildcards: Vec<String> = statements(&template, &function.name)
                .iter()
                .filter_map(|statement| statement["Resource"]["Fn::Sub"].as_str())
                .filter(|resource| resource.ends_with('*'))
                .map(|resource| {
                    format!(
                        "Resource::<{}",
                        resource.trim_start_matches("${").replacen('}', ">", 1)
                    )
                })
                .collect();
            wildcards.dedup();
            let stated: Vec<String> = role["Metadata"]["cdk_nag"]["rules_to_suppress"]
                .as_array()
                .map(|rules| {
                    rules
                        .iter()
                        .inspect(|rule| {
                            assert_eq!(rule["id"], "AwsSolutions-IAM5");
                            assert!(rule["reason"].as_str().unwrap().len() > 40, "{rule}");
                        })
                        .flat_map(|rule| rule["applies_to"].as_array().unwrap().clone())
                        .map(|applies| applies.as_str().unwrap().to_owned())
                        .collect()
                })
                .unwrap_or_default();
            assert_eq!(stated, wildcards, "{name}/{}", function.name);
        }
    }
}
