//! What an API request brings: its id, its route and its body as text (base64-decoded when API
//! Gateway encoded it).

use aws_lambda_events::apigw::ApiGatewayV2httpRequest;
use base64::Engine as _;

use crate::batch::RecordFailure;
use crate::problem::Problem;

/// API Gateway's id of the request, else the Lambda invocation's.
pub fn request_id(request: &ApiGatewayV2httpRequest, invocation: &str) -> String {
    request
        .request_context
        .request_id
        .clone()
        .filter(|id| !id.is_empty())
        .unwrap_or_else(|| invocation.to_owned())
}

/// The route key (`POST /orders`), else the method and path.
pub fn route(request: &ApiGatewayV2httpRequest) -> String {
    request
        .route_key
        .clone()
        .filter(|key| !key.is_empty())
        .unwrap_or_else(|| {
            format!(
                "{} {}",
                request.request_context.http.method,
                request.raw_path.as_deref().unwrap_or("/")
            )
        })
}

/// The body as UTF-8 text: decoded from base64 when `isBase64Encoded`. A missing body is empty.
pub fn body_text(request: &ApiGatewayV2httpRequest) -> Result<String, RecordFailure> {
    let body = request.body.as_deref().unwrap_or_default();
    if !request.is_base64_encoded {
        return Ok(body.to_owned());
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body)
        .map_err(|error| invalid_body(format!("the body is marked base64 but is not: {error}")))?;
    String::from_utf8(bytes)
        .map_err(|error| invalid_body(format!("the body is not UTF-8 text: {error}")))
}

fn invalid_body(reason: String) -> RecordFailure {
    RecordFailure::invalid_with(reason.clone(), vec![Problem::new("", reason)])
}
