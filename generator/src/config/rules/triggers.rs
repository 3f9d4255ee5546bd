//! Triggers, APIs, tables and e-mail: a function is triggered by a queue or by a route, each
//! route belongs to one API and is served by one function, each API has a route, a table's
//! keys are distinct, and e-mail is configured before a function sends it.

use std::collections::BTreeMap;

use super::Checker;
use super::functions::kind_name;
use crate::config::model::HandlerKind;
use crate::config::pipeline::RouteMethod;
use crate::config::resolve::{parse_route, valid_route_path};
use crate::diagnostic::Diagnostic;

pub(super) fn check(checker: &mut Checker<'_>) {
    trigger_kinds(checker);
    routes(checker);
    apis(checker);
    tables(checker);
    email(checker);
}

/// The route format, for help lines.
const ROUTE_HELP: &str = "write `<METHOD> <path>`, e.g. `POST /orders` or `GET /orders/{id}`: METHOD is GET, POST, PUT, PATCH, DELETE or ANY, the path starts with `/`";

fn trigger_kinds(checker: &mut Checker<'_>) {
    for (name, function) in &checker.config.functions {
        let trigger = &function.trigger;
        let entry = ["functions", name.as_str(), "trigger"];
        match (&trigger.queue, &trigger.route) {
            (None, None) => {
                let span = checker.key(&entry);
                checker.out.push(
                    Diagnostic::error(
                        "trigger-kind",
                        format!("the trigger of function `{name}` names neither a queue nor a route"),
                    )
                    .at(span, "needs `queue` or `route`")
                    .help(match function.handler {
                        HandlerKind::OrderIngest => "add `route: POST /orders` (an order ingest takes requests from an API route)".to_owned(),
                        HandlerKind::Custom => "add `queue: <queue>` to take messages, or `route: POST /<path>` to take API requests".to_owned(),
                        _ => "add `queue: <queue>`".to_owned(),
                    }),
                );
                continue;
            }
            (Some(_), Some(_)) => {
                let span = checker.key(&["functions", name, "trigger", "route"]);
                checker.out.push(
                    Diagnostic::error(
                        "trigger-kind",
                        format!("the trigger of function `{name}` names both a queue and a route"),
                    )
                    .at(span, "a second trigger")
                    .help("keep one: `queue` to take messages, or `route` to take API requests; a second function can take the other"),
                );
                continue;
            }
            _ => {}
        }
        let is_route = trigger.route.is_some();
        let wrong_side: &[(&str, bool)] = if is_route {
            &[
                ("batch_size", trigger.batch_size.is_some()),
                ("batching_window", trigger.batching_window.is_some()),
                ("max_concurrency", trigger.max_concurrency.is_some()),
            ]
        } else {
            &[
                ("api", trigger.api.is_some()),
                ("request_schema", trigger.request_schema.is_some()),
            ]
        };
        for (field, present) in wrong_side {
            if *present {
                let span = checker.key(&["functions", name, "trigger", field]);
                checker.out.push(
                    Diagnostic::error(
                        "trigger-kind",
                        format!(
                            "`{field}` applies only to {} triggers, and function `{name}` is triggered by a {}",
                            if is_route { "queue" } else { "route" },
                            if is_route { "route" } else { "queue" },
                        ),
                    )
                    .at(span, "not used by this trigger")
                    .help(if is_route {
                        format!("remove `{field}`: an API invokes the function once per request; bound it with the API's `throttling` or `reserved_concurrency`")
                    } else {
                        format!("remove `{field}`, or trigger the function with `route: <METHOD> <path>`")
                    }),
                );
            }
        }
        let needs_route = function.handler == HandlerKind::OrderIngest;
        let needs_queue = !matches!(
            function.handler,
            HandlerKind::OrderIngest | HandlerKind::Custom
        );
        if (needs_route && !is_route) || (needs_queue && is_route) {
            let field = if is_route { "route" } else { "queue" };
            let span = checker.key(&["functions", name, "trigger", field]);
            checker.out.push(
                Diagnostic::error(
                    "handler-trigger",
                    format!(
                        "function `{name}` ({}) takes {}, not {}",
                        kind_name(function.handler),
                        if needs_route { "API requests" } else { "queue messages" },
                        if needs_route { "queue messages" } else { "API requests" },
                    ),
                )
                .at(span, "the wrong kind of trigger")
                .help(if needs_route {
                    "trigger it with `route: POST /orders`; its accepted orders go to `writes.enqueue`".to_owned()
                } else {
                    format!(
                        "trigger it with `queue: <queue>`; to take API requests use `handler: order_ingest` or `handler: custom`, which can enqueue for `{name}`"
                    )
                }),
            );
        }
    }
}

fn routes(checker: &mut Checker<'_>) {
    let api_names: Vec<String> = checker.config.apis.keys().cloned().collect();
    // (API, method, path) → the function that first claimed it.
    let mut claimed: BTreeMap<(String, RouteMethod, String), String> = BTreeMap::new();
    for (name, function) in &checker.config.functions {
        let trigger = &function.trigger;
        let (Some(route), None) = (&trigger.route, &trigger.queue) else {
            continue;
        };
        let route_path = ["functions", name.as_str(), "trigger", "route"];
        let Some((method, path)) = parse_route(route) else {
            let span = checker.value(&route_path);
            let why = match route.split_once(' ') {
                None => "no space between method and path".to_owned(),
                Some((method, _)) if RouteMethod::parse(method).is_none() => {
                    format!("`{method}` is not a method routes take")
                }
                Some((_, path)) if !valid_route_path(path) => {
                    format!("`{path}` is not a route path")
                }
                Some(_) => "not a route".to_owned(),
            };
            checker.out.push(
                Diagnostic::error(
                    "route",
                    format!("route `{route}` of function `{name}` does not parse: {why}"),
                )
                .at(span, "not `<METHOD> <path>`")
                .help(ROUTE_HELP),
            );
            continue;
        };
        let api = match &trigger.api {
            Some(api) => api.clone(),
            None if api_names.len() == 1 => api_names[0].clone(),
            None => {
                let span = checker.key(&route_path);
                let (message, help) = if api_names.is_empty() {
                    (
                        format!("function `{name}` takes a route, but the pipeline defines no API"),
                        "add `apis: { orders: {} }` at the top level (an HTTP API serving the route)".to_owned(),
                    )
                } else {
                    (
                        format!(
                            "function `{name}` takes a route, and the pipeline has {} APIs",
                            api_names.len()
                        ),
                        format!(
                            "add `api: <name>` to the trigger, one of {}",
                            api_names
                                .iter()
                                .map(|a| format!("`{a}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                };
                checker.out.push(
                    Diagnostic::error("route-api", message)
                        .at(span, "which API serves this route?")
                        .help(help),
                );
                continue;
            }
        };
        if !api_names.contains(&api) {
            continue; // reported as `unknown-api`
        }
        let key = (api.clone(), method, path.trim_end_matches('/').to_owned());
        if let Some(first) = claimed.get(&key) {
            let span = checker.value(&route_path);
            let first_span = checker.value(&["functions", first, "trigger", "route"]);
            checker.out.push(
                Diagnostic::error(
                    "duplicate-route",
                    format!("route `{route}` of API `{api}` is taken by functions `{first}` and `{name}`"),
                )
                .at(span, "the same route again")
                .related(first_span, "first taken here")
                .help("a route invokes one function: change the method or path of one of them, or serve it from another API"),
            );
        } else {
            claimed.insert(key, name.clone());
        }
    }
}

fn apis(checker: &mut Checker<'_>) {
    // A route whose API is not known (none named among several, or a misspelt one) is reported
    // on its own; the APIs it may have meant are not said to have no route as well.
    let unplaced = checker.pipeline.functions.values().any(|function| {
        function
            .trigger
            .route()
            .is_some_and(|route| !checker.pipeline.apis.contains_key(&route.api))
    });
    for (name, api) in &checker.config.apis {
        if !unplaced && checker.pipeline.routes_of(name).next().is_none() {
            let span = checker.key(&["apis", name]);
            checker.out.push(
                Diagnostic::error("api-without-routes", format!("API `{name}` has no route: no function's trigger names it"))
                    .at(span, "serves nothing")
                    .help(format!("add `trigger: {{ route: POST /orders, api: {name} }}` to a function, or remove the API")),
            );
        }
        if let Some(cors) = &api.cors
            && let Some(max_age) = cors.max_age.filter(|age| age.as_secs() > 86_400)
        {
            let span = checker.value(&["apis", name, "cors", "max_age"]);
            checker.out.push(
                Diagnostic::error(
                    "out-of-range",
                    format!("CORS `max_age` `{max_age}` of API `{name}` is above 24h"),
                )
                .at(span, "at most 24h")
                .help(
                    "API Gateway lets browsers cache a preflight answer for at most 86400 seconds",
                ),
            );
        }
        if let Some(cors) = &api.cors
            && cors.allow_origins.iter().any(|origin| origin == "*")
            && cors.allow_origins.len() > 1
        {
            let span = checker.value(&["apis", name, "cors", "allow_origins"]);
            checker.out.push(
                Diagnostic::warning(
                    "cors-origins",
                    format!("API `{name}` allows every origin (`*`) besides named ones"),
                )
                .at(span, "`*` covers the others")
                .help("keep `*` alone, or list only the origins that may call the API"),
            );
        }
    }
}

fn tables(checker: &mut Checker<'_>) {
    for (name, table) in &checker.config.tables {
        let partition = &table.partition_key.name;
        if let Some(sort) = &table.sort_key
            && sort.name == *partition
        {
            let span = checker.value(&["tables", name, "sort_key", "name"]);
            checker.out.push(
                Diagnostic::error(
                    "table-keys",
                    format!(
                        "the sort key of table `{name}` is its partition key `{partition}` again"
                    ),
                )
                .at(span, "same attribute as the partition key")
                .help("name another attribute, or remove `sort_key`"),
            );
        }
        if let Some(ttl) = &table.ttl_attribute {
            let keys: Vec<&String> = std::iter::once(partition)
                .chain(table.sort_key.as_ref().map(|key| &key.name))
                .collect();
            if keys.contains(&ttl) {
                let span = checker.value(&["tables", name, "ttl_attribute"]);
                checker.out.push(
                    Diagnostic::error("table-ttl", format!("the TTL attribute of table `{name}` is its key `{ttl}`"))
                        .at(span, "a key attribute")
                        .help("name an attribute that holds an expiry time (seconds since 1970), e.g. `expires_at`"),
                );
            }
        }
        match (table.read_capacity, table.write_capacity) {
            (Some(_), None) | (None, Some(_)) => {
                let (written, missing) = if table.read_capacity.is_some() {
                    ("read_capacity", "write_capacity")
                } else {
                    ("write_capacity", "read_capacity")
                };
                let span = checker.key(&["tables", name, written]);
                checker.out.push(
                    Diagnostic::error("table-capacity", format!("table `{name}` sets `{written}` but not `{missing}`"))
                        .at(span, format!("needs `{missing}`"))
                        .help(format!("provisioned tables set both; add `{missing}`, or remove `{written}` for on-demand capacity")),
                );
            }
            _ => {}
        }
    }
}

fn email(checker: &mut Checker<'_>) {
    for (name, function) in &checker.config.functions {
        if function.writes.email && checker.config.email.is_none() {
            let span = checker.key(&["functions", name, "writes", "email"]);
            checker.out.push(
                Diagnostic::error("email-not-configured", format!("function `{name}` sends e-mail, but the pipeline has no `email` section"))
                    .at(span, "needs the top-level `email`")
                    .help("add `email: { sender: orders@example.com }` at the top level (the address must be a verified SES identity, or in one)"),
            );
        }
    }
    let Some(email) = &checker.config.email else {
        return;
    };
    if let Some(identity) = &email.identity {
        let sender_domain = email
            .sender
            .rsplit_once('@')
            .map_or("", |(_, domain)| domain);
        let covers = if identity.contains('@') {
            identity.eq_ignore_ascii_case(&email.sender)
        } else {
            let identity = identity.to_ascii_lowercase();
            let domain = sender_domain.to_ascii_lowercase();
            domain == identity || domain.ends_with(&format!(".{identity}"))
        };
        if !covers {
            let span = checker.value(&["email", "identity"]);
            checker.out.push(
                Diagnostic::error("email-identity", format!("sender `{}` is not covered by identity `{identity}`", email.sender))
                    .at(span, "does not verify the sender")
                    .help(format!("SES sends from an address only through its own identity or its domain's: set `identity: {sender_domain}`, or leave `identity` out to use the sender address")),
            );
        }
    }
    let senders = checker
        .config
        .functions
        .values()
        .any(|function| function.writes.email);
    if !senders {
        let span = checker.key(&["email"]);
        checker.out.push(
            Diagnostic::warning(
                "email-unused",
                "the pipeline configures `email`, but no function sends any",
            )
            .at(span, "unused")
            .help("add `writes: { email: true }` to the function that sends it, or remove `email`"),
        );
    }
}
