//! Alarms that notify someone: every function has error and throttle alarms on the stage's SNS
//! topic, and the topic has a subscriber only if `alarms.email` names one.

use super::Checker;
use crate::diagnostic::Diagnostic;

pub(super) fn check(checker: &mut Checker<'_>) {
    if checker.pipeline.alarm_email.is_some() || checker.pipeline.functions.is_empty() {
        return;
    }
    let span = checker.key(&["pipeline"]);
    let name = &checker.pipeline.name;
    checker.push(
        Diagnostic::warning(
            "alarms-notify-no-one",
            format!("the alarms of pipeline `{name}` notify no one: no `alarms.email`"),
        )
        .at(span, "no `alarms.email`")
        .help(format!(
            "every alarm goes to the stage's topic `{name}-alarms-<stage>`, which has no subscriber; add `alarms:` with `email: ops@example.com` (the address on call), or subscribe someone to the `AlarmTopicArn` output"
        )),
    );
}
