//! What a deploy puts in the assets bucket besides code: a template too large to send inline,
//! and, once deployed, the stage's pipeline.yaml for `gen diff --deployed`.

use super::code::AssetsBucket;
use crate::aws::assets;
use crate::package::hex_sha256;
use crate::printer::Printer;
use crate::synth::TEMPLATE_BODY_LIMIT;

/// Where CloudFormation reads the template when it is over the inline limit (it is put in the
/// assets bucket under its hash); `None` when it goes inline.
pub(super) async fn template_url(
    s3: &aws_sdk_s3::Client,
    assets: &AssetsBucket,
    endpoint: Option<&str>,
    region: &str,
    pipeline: &str,
    body: &str,
) -> Result<Option<String>, String> {
    if body.len() <= TEMPLATE_BODY_LIMIT {
        return Ok(None);
    }
    let key = format!("{pipeline}/templates/{}.json", hex_sha256(body.as_bytes()));
    assets::put_checked(
        s3,
        &assets.bucket,
        &assets.owner,
        &key,
        "application/json",
        body.as_bytes().to_vec(),
    )
    .await
    .map_err(|error| error.to_string())?;
    Ok(Some(assets::object_url(
        endpoint,
        region,
        &assets.bucket,
        &key,
    )))
}

/// Records the deployed pipeline.yaml; failing to does not undo the deploy, so it warns.
pub(super) async fn record_pipeline(
    s3: &aws_sdk_s3::Client,
    assets: &AssetsBucket,
    (pipeline, stage): (&str, &str),
    source: Vec<u8>,
    printer: &Printer,
) {
    let key = &crate::package::deployed_pipeline_key(pipeline, stage);
    let AssetsBucket { bucket, owner } = assets;
    let recorded = assets::put_checked(s3, bucket, owner, key, "application/yaml", source).await;
    if let Err(error) = recorded {
        printer.note(&format!(
            "warning: recording pipeline.yaml in `{bucket}` failed, so `gen diff --deployed` will show resource changes only: {error}\n"
        ));
    }
}
