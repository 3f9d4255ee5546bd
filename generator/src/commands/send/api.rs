//! `gen send` to a pipeline with an API: HTTP requests to one route of the running `gen dev`'s
//! front door (its base URL from `.gen/dev.json` `apis`), with the bodies of `--request` files or
//! the pipeline's sample requests; once each, `--count` of them, or for `--duration`, paced to
//! `--rate`. The report: requests per second achieved, answers by status, p50/p99 latency.

use std::path::Path;

use engine::http_api::RouteKey;
use hyper::Method;
use hyper::body::Bytes;

use crate::cli::SendArgs;
use crate::commands::{CommandError, ExitStatus};
use crate::config::Pipeline;
use crate::config::model::HandlerKind;
use crate::local::demo::requests::sample_bodies;
use crate::local::http_load::{self, LoadPlan};
use crate::local::state::DevState;
use crate::printer::Printer;
use crate::workspace::PipelineDirs;

/// Where the requests go: the API, the route key that serves them, and the request line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    api: String,
    /// The route key in pipeline.yaml (`POST /orders`).
    route: String,
    method: String,
    path: String,
}

pub(super) fn run(
    args: &SendArgs,
    state: &DevState,
    printer: &Printer,
) -> Result<ExitStatus, CommandError> {
    let Some(pipeline) = super::super::load_pipeline(&args.file, printer)? else {
        return Ok(ExitStatus::Failure);
    };
    let failed = |message: String| {
        printer.note(&format!("error: {message}\n"));
        Ok(ExitStatus::Failure)
    };
    let target = match target(&pipeline, args.route.as_deref(), args.api.as_deref()) {
        Ok(target) => target,
        Err(message) => return failed(message),
    };
    let Some(url) = state.apis.get(&target.api).cloned() else {
        return failed(format!(
            "the running `gen dev` (pid {}) serves no API `{}`: it started before the API was added to pipeline.yaml; restart `gen dev`",
            state.pid, target.api
        ));
    };
    let bodies = match bodies(&args.request, &PipelineDirs::of(&args.file, None).root) {
        Ok(bodies) => bodies,
        Err(message) => return failed(message),
    };
    let Ok(method) = Method::from_bytes(target.method.as_bytes()) else {
        return failed(format!("`{}` is not an HTTP method", target.method));
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|source| CommandError::Write {
            path: "<tokio runtime>".into(),
            source,
        })?;
    let authority = url.trim_start_matches("http://").to_owned();
    if let Err(error) = runtime.block_on(tokio::net::TcpStream::connect(&authority)) {
        return failed(format!(
            "cannot reach API `{}` at {url}: {error}\nhint: `.gen/dev.json` is left from a `gen dev` (pid {}) that is no longer running; start `gen dev{}` again",
            target.api,
            state.pid,
            super::super::file_flag(&args.file)
        ));
    }
    let plan = LoadPlan {
        url,
        method,
        path: target.path.clone(),
        count: args.count.unwrap_or(bodies.len()),
        bodies,
        rate: args.rate.filter(|rate| *rate > 0.0),
        duration: args.duration,
        connections: usize::from(args.connections),
    };
    let route = format!("{} {}", target.method, target.path);
    if route != target.route {
        printer.note(&format!(
            "`{route}` is served by route `{}`\n",
            target.route
        ));
    }
    let report = runtime.block_on(http_load::run(plan, route));
    printer.report(&report);
    Ok(if report.healthy() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

/// The request bodies: each `--request` file, else the sample requests beside the pipeline.
fn bodies(files: &[std::path::PathBuf], root: &Path) -> Result<Vec<Bytes>, String> {
    if files.is_empty() {
        return sample_bodies(root)
            .map(|bodies| bodies.into_iter().map(Bytes::from).collect())
            .map_err(|message| {
                format!("{message}\nhint: pass a request body with `--request FILE`")
            });
    }
    files
        .iter()
        .map(|file| {
            std::fs::read(file)
                .map(|body| Bytes::from(body.trim_ascii().to_vec()))
                .map_err(|error| format!("cannot read request file `{}`: {error}", file.display()))
        })
        .collect()
}

/// A route of pipeline.yaml: its key, its API, and its function's handler.
type Route<'p> = (RouteKey, String, &'p HandlerKind);

/// The route `asked` names (a route key, or a request one of the routes serves), in API `api`
/// when given; without `asked`, the pipeline's only route, else its `order_ingest` function's.
fn target(pipeline: &Pipeline, asked: Option<&str>, api: Option<&str>) -> Result<Target, String> {
    if let Some(api) = api
        && !pipeline.apis.contains_key(api)
    {
        let names: Vec<String> = pipeline
            .apis
            .keys()
            .map(|name| format!("`{name}`"))
            .collect();
        return Err(format!(
            "no API `{api}` in pipeline.yaml; its APIs: {}",
            if names.is_empty() {
                "none".to_owned()
            } else {
                names.join(", ")
            }
        ));
    }
    let routes: Vec<Route<'_>> = pipeline
        .functions
        .values()
        .filter_map(|function| {
            let route = function.trigger.route()?;
            let key = route.route_key().parse().ok()?;
            Some((key, route.api.clone(), &function.handler))
        })
        .filter(|(_, route_api, _)| api.is_none_or(|api| api == route_api))
        .collect();
    if routes.is_empty() {
        return Err(
            "the pipeline has no API route to send requests to\nhint: `gen send --queue NAME` sends orders to a queue"
                .to_owned(),
        );
    }
    match asked {
        Some(asked) => asked_target(pipeline, &routes, asked),
        None => default_target(&routes),
    }
}

/// `` `POST /orders` (API `orders`), … ``
fn listed(routes: &[Route<'_>]) -> String {
    routes
        .iter()
        .map(|(key, api, _)| format!("`{key}` (API `{api}`)"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The only route, else the `order_ingest` function's.
fn default_target(routes: &[Route<'_>]) -> Result<Target, String> {
    let chosen = match routes {
        [only] => only,
        _ => routes
            .iter()
            .find(|(_, _, handler)| **handler == HandlerKind::OrderIngest)
            .ok_or_else(|| {
                format!(
                    "the pipeline has several routes: {}\nhint: name one with `--route \"METHOD /path\"`",
                    listed(routes)
                )
            })?,
    };
    let (key, api, _) = chosen;
    let RouteKey::Route { method, .. } = key else {
        return Err(format!(
            "the route of API `{api}` is `$default`\nhint: name a request with `--route \"METHOD /path\"`"
        ));
    };
    let line = key.to_string();
    let path = line.split_once(' ').map_or("/", |(_, path)| path);
    if path.contains('{') {
        return Err(format!(
            "route `{key}` has path variables\nhint: name a request it serves, e.g. `--route \"{} {}\"`",
            sendable(method),
            path.replace('{', "").replace(['}', '+'], "")
        ));
    }
    Ok(Target {
        api: api.clone(),
        route: line.clone(),
        method: sendable(method).to_owned(),
        path: path.to_owned(),
    })
}

/// The route serving `asked` (`METHOD /path`), chosen as API Gateway chooses within each API.
fn asked_target(pipeline: &Pipeline, routes: &[Route<'_>], asked: &str) -> Result<Target, String> {
    let (method, path) = asked
        .trim()
        .split_once(' ')
        .map(|(method, path)| (method.to_ascii_uppercase(), path.trim().to_owned()))
        .filter(|(_, path)| path.starts_with('/'))
        .ok_or_else(|| format!("`--route {asked}` is not `METHOD /path`, e.g. `POST /orders`"))?;
    if path.contains(['{', '}']) {
        return Err(format!(
            "`{asked}` has path variables\nhint: name a request the route serves, e.g. `{method} {}`",
            path.replace('{', "").replace(['}', '+'], "")
        ));
    }
    let mut matched: Vec<(String, String)> = Vec::new();
    for api in pipeline.apis.keys() {
        let of_api = routes
            .iter()
            .filter(|(_, route_api, _)| route_api == api)
            .map(|(key, route_api, _)| (key, route_api));
        if let Some(found) = engine::http_api::route::select(of_api, &method, &path) {
            matched.push((found.target.clone(), found.key.to_string()));
        }
    }
    match matched.as_slice() {
        [] => Err(format!(
            "no route of pipeline.yaml serves `{method} {path}`; its routes: {}",
            listed(routes)
        )),
        [(api, route)] => Ok(Target {
            api: api.clone(),
            route: route.clone(),
            method,
            path,
        }),
        several => Err(format!(
            "`{method} {path}` is served by APIs {}\nhint: choose one with `--api NAME`",
            several
                .iter()
                .map(|(api, _)| format!("`{api}`"))
                .collect::<Vec<_>>()
                .join(" and ")
        )),
    }
}

/// The method a request to a route of `method` uses: `ANY` routes get `POST`.
fn sendable(method: &str) -> &str {
    if method == "ANY" { "POST" } else { method }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pipeline(yaml: &str) -> Pipeline {
        let loaded = crate::config::load("pipeline.yaml", yaml.as_bytes());
        loaded
            .pipeline
            .unwrap_or_else(|| panic!("{}", loaded.report.render(false)))
    }

    const TWO_ROUTES: &str = "pipeline: shop
region: us-east-1
apis:
  orders: {}
queues:
  orders: {}
functions:
  ingest:
    handler: order_ingest
    trigger: { route: POST /orders }
    writes: { enqueue: orders }
  lookup:
    handler: custom
    trigger: { route: 'GET /orders/{id}' }
";

    #[track_caller]
    fn case(asked: Option<&str>, expected: Result<(&str, &str, &str), &str>) {
        let found = target(&pipeline(TWO_ROUTES), asked, None);
        match expected {
            Ok((route, method, path)) => {
                let found = found.unwrap_or_else(|message| panic!("{asked:?}: {message}"));
                assert_eq!(
                    (
                        found.api.as_str(),
                        found.route.as_str(),
                        found.method.as_str(),
                        found.path.as_str()
                    ),
                    ("orders", route, method, path)
                );
            }
            Err(fragment) => {
                let message = found.expect_err("an error");
                assert!(message.contains(fragment), "{asked:?}: {message}");
            }
        }
    }

    #[test]
    fn routes_are_found_by_key_or_by_a_request_they_serve() {
        case(None, Ok(("POST /orders", "POST", "/orders")));
        case(
            Some("POST /orders"),
            Ok(("POST /orders", "POST", "/orders")),
        );
        case(
            Some("post /orders"),
            Ok(("POST /orders", "POST", "/orders")),
        );
        case(
            Some("GET /orders/42"),
            Ok(("GET /orders/{id}", "GET", "/orders/42")),
        );
        case(
            Some("GET /nothing"),
            Err(
                "no route of pipeline.yaml serves `GET /nothing`; its routes: `POST /orders` (API `orders`), `GET /orders/{id}` (API `orders`)",
            ),
        );
        case(Some("GET /orders/{id}"), Err("has path variables"));
        case(Some("/orders"), Err("is not `METHOD /path`"));
    }

    #[test]
    fn without_a_route_the_only_one_or_the_ingest_route_is_used() {
        let lookup_only = pipeline(
            "pipeline: shop
region: us-east-1
apis:
  orders: {}
functions:
  lookup:
    handler: custom
    trigger: { route: 'GET /orders/{id}' }
",
        );
        let message = target(&lookup_only, None, None).expect_err("variables");
        assert!(message.contains("--route \"GET /orders/id\""), "{message}");
        let message = target(&pipeline(TWO_ROUTES), None, Some("other")).expect_err("no API");
        assert!(message.contains("no API `other`"), "{message}");
        let queue_only = pipeline(
            "pipeline: shop
region: us-east-1
queues:
  orders: {}
functions:
  worker:
    handler: custom
    trigger: { queue: orders }
",
        );
        let message = target(&queue_only, None, None).expect_err("no route");
        assert!(message.contains("gen send --queue NAME"), "{message}");
    }
}
