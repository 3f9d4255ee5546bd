//! HTTP APIs (API Gateway v2): per API the API itself (CORS as pipeline.yaml writes it), its
//! `$default` stage (deployed automatically, throttled by default for every route, logging
//! each request as a JSON line to its own log group); per route function an `AWS_PROXY`
//! integration with payload format 2.0, the route, and the permission for API Gateway to invoke
//! the function through exactly that route.

use std::collections::BTreeMap;

use super::template::{Expr, Output, Resource};
use super::{outputs, parameters, suppressions};
use crate::config::Pipeline;
use crate::config::naming::logical_id;
use crate::config::pipeline::{Api, Function, RouteMethod, RouteTrigger};

/// The stage every API serves from: its URL has no stage segment.
pub(super) const STAGE_NAME: &str = "$default";
/// API Gateway's longest wait for an HTTP API integration.
const MAX_INTEGRATION_MILLIS: u64 = 30_000;

/// One access log line per request, JSON, in the fields an operator looks for first.
pub const ACCESS_LOG_FORMAT: &str = concat!(
    r#"{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","#,
    r#""requestTime":"$context.requestTime","routeKey":"$context.routeKey","#,
    r#""status":"$context.status","responseLength":"$context.responseLength","#,
    r#""latencyMs":"$context.responseLatency","integrationLatencyMs":"$context.integrationLatency","#,
    r#""integrationStatus":"$context.integrationStatus","#,
    r#""integrationError":"$context.integrationErrorMessage","error":"$context.error.message"}"#
);

/// The logical ID of an API.
pub(super) fn api_id(name: &str) -> String {
    logical_id(name, "Api")
}

pub(super) fn add(
    pipeline: &Pipeline,
    resources: &mut BTreeMap<String, Resource>,
    out: &mut BTreeMap<String, Output>,
) {
    for api in pipeline.apis.values() {
        let id = api_id(&api.name);
        let log_group_id = logical_id(&api.name, "ApiLogGroup");
        let stage_id = logical_id(&api.name, "ApiStage");
        resources.insert(id.clone(), api_resource(pipeline, api));
        let retention = pipeline
            .routes_of(&api.name)
            .map(|(function, _)| function.log_retention_days)
            .max()
            .unwrap_or(crate::config::resolve::DEFAULT_LOG_RETENTION_DAYS);
        resources.insert(
            log_group_id.clone(),
            Resource::new(
                "AWS::Logs::LogGroup",
                [
                    (
                        "LogGroupName",
                        Expr::sub(format!(
                            "/aws/apigateway/{}-{}-${{Stage}}",
                            pipeline.name, api.name
                        )),
                    ),
                    ("RetentionInDays", retention.into()),
                ],
            )
            .skip_checks(suppressions::API_LOG_GROUP),
        );
        resources.insert(
            stage_id,
            Resource::new(
                "AWS::ApiGatewayV2::Stage",
                [
                    ("ApiId", Expr::reference(&id)),
                    ("StageName", Expr::str(STAGE_NAME)),
                    ("AutoDeploy", Expr::Bool(true)),
                    (
                        "AccessLogSettings",
                        Expr::map([
                            ("DestinationArn", Expr::get_att(&log_group_id, "Arn")),
                            ("Format", Expr::str(ACCESS_LOG_FORMAT)),
                        ]),
                    ),
                    (
                        "DefaultRouteSettings",
                        Expr::map([
                            ("ThrottlingBurstLimit", api.throttling.burst.into()),
                            ("ThrottlingRateLimit", api.throttling.rate.into()),
                        ]),
                    ),
                    ("Tags", tag_map(pipeline)),
                ],
            ),
        );
        for (function, route) in pipeline.routes_of(&api.name) {
            add_route(function, route, resources);
        }
        outputs::add(
            out,
            logical_id(&api.name, "ApiUrl"),
            format!("Base URL of API `{}`", api.name),
            Expr::get_att(&id, "ApiEndpoint"),
        );
    }
}

fn api_resource(pipeline: &Pipeline, api: &Api) -> Resource {
    let mut properties = vec![
        (
            "Name",
            Expr::sub(format!("{}-{}-${{Stage}}", pipeline.name, api.name)),
        ),
        ("ProtocolType", Expr::str("HTTP")),
        (
            "Description",
            Expr::str(format!(
                "API `{}` of pipeline `{}`: {}.",
                api.name,
                pipeline.name,
                pipeline
                    .routes_of(&api.name)
                    .map(|(function, route)| format!("{} → `{}`", route.route_key(), function.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        ),
        ("Tags", tag_map(pipeline)),
    ];
    if let Some(cors) = &api.cors {
        let strings = |values: &[String]| Expr::list(values.iter().map(|v| Expr::str(v.clone())));
        let mut configuration = vec![
            ("AllowOrigins", strings(&cors.allow_origins)),
            ("AllowMethods", strings(&cors.allow_methods)),
            ("MaxAge", cors.max_age.as_secs().into()),
        ];
        if !cors.allow_headers.is_empty() {
            configuration.push(("AllowHeaders", strings(&cors.allow_headers)));
        }
        properties.push(("CorsConfiguration", Expr::map(configuration)));
    }
    Resource::new("AWS::ApiGatewayV2::Api", properties)
}

fn add_route(
    function: &Function,
    route: &RouteTrigger,
    resources: &mut BTreeMap<String, Resource>,
) {
    let api = api_id(&route.api);
    let function_id = logical_id(&function.name, "Function");
    let integration_id = logical_id(&function.name, "Integration");
    resources.insert(
        integration_id.clone(),
        Resource::new(
            "AWS::ApiGatewayV2::Integration",
            [
                ("ApiId", Expr::reference(&api)),
                ("IntegrationType", Expr::str("AWS_PROXY")),
                ("IntegrationUri", Expr::get_att(&function_id, "Arn")),
                ("PayloadFormatVersion", Expr::str("2.0")),
                (
                    "TimeoutInMillis",
                    (function.timeout.as_secs() * 1000)
                        .min(MAX_INTEGRATION_MILLIS)
                        .into(),
                ),
                (
                    "Description",
                    Expr::str(format!(
                        "`{}` of API `{}` invokes function `{}`.",
                        route.route_key(),
                        route.api,
                        function.name
                    )),
                ),
            ],
        ),
    );
    resources.insert(
        logical_id(&function.name, "Route"),
        Resource::new(
            "AWS::ApiGatewayV2::Route",
            [
                ("ApiId", Expr::reference(&api)),
                ("RouteKey", Expr::str(route.route_key())),
                ("AuthorizationType", Expr::str("NONE")),
                ("Target", Expr::sub(format!("integrations/${{{integration_id}}}"))),
            ],
        )
        .acknowledge_nag(&[(
            "AwsSolutions-APIG4",
            "A public intake route: callers are anonymous (shoppers), so there is nothing to authorise; the stage throttles every route, and the function checks each body (its request schema) and answers 400 to what it rejects.",
        )]),
    );
    resources.insert(
        logical_id(&function.name, "ApiPermission"),
        Resource::new(
            "AWS::Lambda::Permission",
            [
                ("Action", Expr::str("lambda:InvokeFunction")),
                ("FunctionName", Expr::get_att(&function_id, "Arn")),
                ("Principal", Expr::str("apigateway.amazonaws.com")),
                ("SourceAccount", Expr::reference("AWS::AccountId")),
                ("SourceArn", route_arn(&api, route)),
            ],
        ),
    );
}

/// The execute-api ARN of exactly one route of the `$default` stage: method `*` for `ANY`,
/// and `*` for each `{parameter}` segment of the path.
pub(super) fn route_arn(api: &str, route: &RouteTrigger) -> Expr {
    let method = match route.method {
        RouteMethod::Any => "*",
        method @ RouteMethod::Method(_) => method.as_str(),
    };
    let path: Vec<&str> = route
        .path
        .trim_start_matches('/')
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                "*"
            } else {
                segment
            }
        })
        .collect();
    Expr::sub(format!(
        "arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{api}}}/{STAGE_NAME}/{method}/{}",
        path.join("/")
    ))
}

/// The stack's tags as API Gateway v2 takes them: a map, not a list.
fn tag_map(pipeline: &Pipeline) -> Expr {
    let mut tags = vec![
        ("pipeline".to_owned(), Expr::str(pipeline.name.clone())),
        ("stage".to_owned(), Expr::reference(parameters::STAGE)),
        ("branch".to_owned(), Expr::reference(parameters::BRANCH)),
        (
            "expires-at".to_owned(),
            Expr::reference(parameters::EXPIRES_AT),
        ),
    ];
    tags.extend(
        pipeline
            .tags
            .iter()
            .map(|(key, value)| (key.clone(), Expr::str(value.clone()))),
    );
    Expr::map(tags)
}
