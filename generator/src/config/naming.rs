//! Names: what pipeline.yaml may call things, and the physical names and logical IDs they become.
//!
//! Physical names carry the stage as a suffix (`orders-task-dev`), so every name is checked
//! against each service's limit with the longest stage suffix a stage may add.

/// Queue, bucket, function and pipeline names: lowercase letters, digits, single hyphens.
pub const NAME_PATTERN: &str = "^[a-z][a-z0-9]*(-[a-z0-9]+)*$";

/// An e-mail address as SNS accepts it: one `@`, a dot in the domain, no spaces.
pub const EMAIL_PATTERN: &str = r"^[^@\s]+@[^@\s]+\.[^@\s]+$";

/// The longest stage name (`--stage`), so the longest suffix is `-` plus this many characters.
pub const MAX_STAGE_LEN: usize = 16;

/// Retention periods CloudWatch Logs accepts, in days.
pub const LOG_RETENTION_DAYS: [u32; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// A service whose names have a length limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Queue { fifo: bool },
    Function,
    Bucket,
    Stack,
    Table,
    Api,
}

impl Service {
    /// The service's own limit on a name.
    pub const fn max_len(self) -> usize {
        match self {
            Service::Queue { .. } => 80,
            Service::Function => 64,
            Service::Bucket => 63,
            Service::Stack | Service::Api => 128,
            Service::Table => 255,
        }
    }

    /// What the service is called in messages.
    pub const fn noun(self) -> &'static str {
        match self {
            Service::Queue { .. } => "SQS queue",
            Service::Function => "Lambda function",
            Service::Bucket => "S3 bucket",
            Service::Stack => "CloudFormation stack",
            Service::Table => "DynamoDB table",
            Service::Api => "API Gateway API",
        }
    }
}

/// The physical name of a resource for a stage.
///
/// Buckets also carry the account id, since bucket names are global: the template fills it in
/// with `${AWS::AccountId}`, here `account` stands for it.
pub fn physical_name(
    pipeline: &str,
    name: &str,
    stage: &str,
    service: Service,
    account: &str,
) -> String {
    match service {
        Service::Queue { fifo: true } => format!("{pipeline}-{name}-{stage}.fifo"),
        Service::Queue { fifo: false } | Service::Function | Service::Table | Service::Api => {
            format!("{pipeline}-{name}-{stage}")
        }
        Service::Bucket => format!("{pipeline}-{name}-{stage}-{account}"),
        // `--` appears in no pipeline or stage name (NAME_PATTERN), so pipeline `orders` with
        // stage `feature-x` and pipeline `orders-feature` with stage `x` never share a stack.
        Service::Stack => format!("{pipeline}--{stage}"),
    }
}

/// The stack of a pipeline's stage: `orders--prod`.
pub fn stack_name(pipeline: &str, stage: &str) -> String {
    physical_name(pipeline, "", stage, Service::Stack, "")
}

/// The longest physical name `name` can get, with the longest stage and a 12-digit account id.
pub fn longest_physical_name(pipeline: &str, name: &str, service: Service) -> String {
    physical_name(
        pipeline,
        name,
        &"s".repeat(MAX_STAGE_LEN),
        service,
        "123456789012",
    )
}

/// The Cargo package of a function's handler crate, and the name of its binary:
/// `lambda-<pipeline>-<function>`, so the crates of several pipelines in one workspace never
/// collide.
pub fn crate_name(pipeline: &str, function: &str) -> String {
    format!("lambda-{pipeline}-{function}")
}

/// The stable CloudFormation logical ID of a resource: `task-dlq` + `Queue` → `TaskDlqQueue`.
pub fn logical_id(name: &str, kind: &str) -> String {
    let mut id = String::with_capacity(name.len() + kind.len());
    for word in name.split('-') {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            id.push(first.to_ascii_uppercase());
            id.extend(chars);
        }
    }
    id.push_str(kind);
    id
}

/// The logical ID of rule `rule` of bus `bus`: `orders` + `high-value` → `OrdersHighValueRule`.
pub fn rule_logical_id(bus: &str, rule: &str) -> String {
    logical_id(&format!("{bus}-{rule}"), "Rule")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_ids_are_pascal_case_with_a_kind() {
        assert_eq!(logical_id("task-dlq", "Queue"), "TaskDlqQueue");
        assert_eq!(logical_id("results", "Bucket"), "ResultsBucket");
        assert_eq!(logical_id("a1-b2", "Function"), "A1B2Function");
    }

    #[test]
    fn stack_names_do_not_alias_across_pipelines() {
        #[track_caller]
        fn case(pipeline: &str, stage: &str, expected: &str) {
            assert_eq!(stack_name(pipeline, stage), expected);
        }
        case("orders", "feature-x", "orders--feature-x");
        case("orders-feature", "x", "orders-feature--x");
        case("orders", "prod", "orders--prod");
        let pairs = [
            ("orders", "feature-x"),
            ("orders-feature", "x"),
            ("orders-feature-x", "dev"),
            ("orders", "feature-x-dev"),
        ];
        let names: std::collections::BTreeSet<String> = pairs
            .iter()
            .map(|(pipeline, stage)| stack_name(pipeline, stage))
            .collect();
        assert_eq!(names.len(), pairs.len(), "{names:?}");
    }

    #[test]
    fn physical_names_carry_stage_and_suffixes() {
        assert_eq!(
            physical_name("orders", "task", "dev", Service::Queue { fifo: false }, ""),
            "orders-task-dev"
        );
        assert_eq!(
            physical_name("orders", "task", "dev", Service::Queue { fifo: true }, ""),
            "orders-task-dev.fifo"
        );
        assert_eq!(
            physical_name("orders", "results", "dev", Service::Bucket, "123456789012"),
            "orders-results-dev-123456789012"
        );
        assert_eq!(
            longest_physical_name("o", "b", Service::Bucket).len(),
            1 + 1 + 1 + 1 + 16 + 1 + 12
        );
    }
}
