//! S3 as the object store.

use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;

use super::port_error;
use crate::ports::{ObjectStore, PortError, PutOutcome};

/// One bucket of S3.
#[derive(Debug, Clone)]
pub struct S3Store {
    client: Client,
    bucket: String,
}

impl S3Store {
    /// A store over `bucket`; with a custom endpoint (`AWS_ENDPOINT_URL`) it addresses the
    /// bucket by path, as moto and the local engine need.
    pub fn new(sdk: &aws_config::SdkConfig, bucket: impl Into<String>) -> Self {
        // Retries are ours (backoff with jitter inside the circuit breaker), not the SDK's too.
        let mut config = aws_sdk_s3::config::Builder::from(sdk)
            .retry_config(aws_sdk_s3::config::retry::RetryConfig::disabled());
        if sdk.endpoint_url().is_some() {
            config = config.force_path_style(true);
        }
        Self {
            client: Client::from_conf(config.build()),
            bucket: bucket.into(),
        }
    }

    /// The bucket's name.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }
}

impl ObjectStore for S3Store {
    async fn put_if_absent(
        &self,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> Result<PutOutcome, PortError> {
        let result = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .if_none_match("*")
            .content_type(content_type)
            .body(ByteStream::from(body))
            .send()
            .await;
        match result {
            Ok(_) => Ok(PutOutcome::Created),
            Err(error)
                if error
                    .raw_response()
                    .is_some_and(|raw| raw.status().as_u16() == 412) =>
            {
                Ok(PutOutcome::AlreadyExists)
            }
            Err(error) => Err(port_error(
                format!("PutObject s3://{}/{key}", self.bucket),
                &error,
            )),
        }
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, PortError> {
        let operation = || format!("GetObject s3://{}/{key}", self.bucket);
        match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(output) => {
                let bytes = output
                    .body
                    .collect()
                    .await
                    .map_err(|error| PortError::transient(operation(), error.to_string()))?;
                Ok(Some(bytes.into_bytes().to_vec()))
            }
            Err(error)
                if error.as_service_error().is_some_and(
                    aws_sdk_s3::operation::get_object::GetObjectError::is_no_such_key,
                ) =>
            {
                Ok(None)
            }
            Err(error) => Err(port_error(operation(), &error)),
        }
    }
}
