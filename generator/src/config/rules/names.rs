//! Names must fit every service once the stage suffix is added, and must not collide as
//! CloudFormation logical IDs.

use std::collections::BTreeMap;

use super::Checker;
use crate::config::naming::{MAX_STAGE_LEN, Service, logical_id, longest_physical_name};
use crate::diagnostic::Diagnostic;

pub(super) fn check(checker: &mut Checker<'_>) {
    let pipeline = checker.config.pipeline.clone();
    let stack = longest_physical_name(&pipeline, "", Service::Stack);
    if stack.len() > Service::Stack.max_len() {
        let span = checker.value(&["pipeline"]);
        checker.push(too_long(&pipeline, Service::Stack, stack.len()).at(span, "name too long"));
    }
    let resources = checker
        .config
        .queues
        .iter()
        .map(|(name, queue)| ("queues", name, Service::Queue { fifo: queue.fifo }, "Queue"))
        .chain(
            checker
                .config
                .buckets
                .keys()
                .map(|name| ("buckets", name, Service::Bucket, "Bucket")),
        )
        .chain(
            checker
                .config
                .functions
                .keys()
                .map(|name| ("functions", name, Service::Function, "Function")),
        )
        .chain(
            checker
                .config
                .tables
                .keys()
                .map(|name| ("tables", name, Service::Table, "Table")),
        )
        .chain(
            checker
                .config
                .apis
                .keys()
                .map(|name| ("apis", name, Service::Api, "Api")),
        )
        .map(|(section, name, service, kind)| (section, name.clone(), service, kind))
        .collect::<Vec<_>>();

    let mut logical_ids: BTreeMap<String, (&str, String)> = BTreeMap::new();
    for (section, name, service, kind) in resources {
        let longest = longest_physical_name(&pipeline, &name, service);
        if longest.len() > service.max_len() {
            let span = checker.key(&[section, &name]);
            checker.push(
                too_long(&name, service, longest.len())
                    .at(span, format!("`{longest}` with the longest stage"))
                    .help(format!(
                        "shorten `{name}` or the pipeline name `{pipeline}` by {} characters",
                        longest.len() - service.max_len()
                    )),
            );
        }
        let id = logical_id(&name, kind);
        if let Some((other_section, other)) = logical_ids.get(&id) {
            let span = checker.key(&[section, &name]);
            let first = checker.key(&[other_section, other]);
            checker.push(
                Diagnostic::error(
                    "logical-id-collision",
                    format!(
                        "`{name}` and `{other}` both become the CloudFormation logical ID `{id}`"
                    ),
                )
                .at(span, "collides")
                .related(first, "with this one")
                .help("rename one of them so they differ by more than hyphens"),
            );
        } else {
            logical_ids.insert(id, (section, name));
        }
    }
}

fn too_long(name: &str, service: Service, len: usize) -> Diagnostic {
    Diagnostic::error(
        "name-too-long",
        format!(
            "`{name}` gives a {} name of {len} characters with a {MAX_STAGE_LEN}-character stage; the limit is {}",
            service.noun(),
            service.max_len()
        ),
    )
}
