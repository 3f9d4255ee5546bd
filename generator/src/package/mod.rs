//! Step 1 of `gen deploy`: each function's built `bootstrap` becomes a code zip, uploaded to S3
//! under its hash.
//!
//! The zip is deterministic (fixed name, mode and timestamp), so the same binary always gives the
//! same bytes and the same key: a redeploy of unchanged code uploads nothing and leaves the
//! template's `S3Key` unchanged.
//!
//! ```text
//! plan_builds ─▶ build_command (cargo lambda build) ─▶ built_binary ─▶ read_binary
//!   ─▶ ZipCache::artifact (zips only binaries not seen before) ─▶ upload_if_new
//! ```

mod archive;
mod build;
mod cache;
mod package_error;
mod upload;

pub use archive::{BOOTSTRAP, BOOTSTRAP_MODE, zip_bootstrap};
pub use build::{
    BuildPlan, CARGO_LAMBDA_VERSION, LAMBDA_PROFILE, LAMBDA_PROFILE_SETTINGS, ZIGLANG_VERSION,
    build_command, build_handlers, built_binary, cargo_lambda_available, install_build_tools,
    plan_builds,
};
pub use cache::ZipCache;
pub use package_error::PackageError;
pub use upload::{Placed, Uploaded, upload_if_new};

use std::path::Path;

use sha2::{Digest as _, Sha256};

/// One function's code zip, ready to upload.
#[derive(Clone, PartialEq, Eq)]
pub struct Artifact {
    /// Name of the function, as in pipeline.yaml.
    pub function: String,
    /// The zip holding `bootstrap` (see [`zip_bootstrap`]).
    pub zip: Vec<u8>,
    /// SHA-256 of `zip`, lowercase hex.
    pub sha256: String,
    /// S3 key: `<pipeline>/<function>/<sha256>.zip`.
    pub key: String,
}

impl std::fmt::Debug for Artifact {
    /// Everything but the zip's bytes, which would flood logs and assertion messages.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Artifact")
            .field("function", &self.function)
            .field("zip", &format_args!("<{} bytes>", self.zip.len()))
            .field("sha256", &self.sha256)
            .field("key", &self.key)
            .finish()
    }
}

/// Where a deploy records the pipeline.yaml it deployed to a stage, in the assets bucket.
pub fn deployed_pipeline_key(pipeline: &str, stage: &str) -> String {
    format!("{pipeline}/stages/{stage}/pipeline.yaml")
}

/// Zips `binary` as `bootstrap` and names the zip by its hash.
pub fn artifact(pipeline: &str, function: &str, binary: &[u8]) -> Result<Artifact, PackageError> {
    Ok(artifact_from_zip(
        pipeline,
        function,
        zip_bootstrap(binary)?,
    ))
}

fn artifact_from_zip(pipeline: &str, function: &str, zip: Vec<u8>) -> Artifact {
    let sha256 = hex_sha256(&zip);
    let key = format!("{pipeline}/{function}/{sha256}.zip");
    Artifact {
        function: function.to_owned(),
        zip,
        sha256,
        key,
    }
}

/// Reads the built binary of `function`, whose crate is `package`.
pub fn read_binary(path: &Path, function: &str, package: &str) -> Result<Vec<u8>, PackageError> {
    std::fs::read(path).map_err(|source| PackageError::ReadBinary {
        function: function.to_owned(),
        package: package.to_owned(),
        path: path.to_owned(),
        source,
    })
}

/// SHA-256 of `bytes`, lowercase hex.
pub fn hex_sha256(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            write!(hex, "{byte:02x}").expect("writing to a String cannot fail");
            hex
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_pipeline_function_and_hash_of_the_zip() {
        let artifact = artifact("orders", "enrich", b"\x7fELF binary").unwrap();
        assert_eq!(artifact.function, "enrich");
        assert_eq!(artifact.sha256, hex_sha256(&artifact.zip));
        assert_eq!(artifact.sha256.len(), 64);
        assert!(
            artifact
                .sha256
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert_eq!(
            artifact.key,
            format!("orders/enrich/{}.zip", artifact.sha256)
        );
    }

    #[test]
    fn same_binary_same_key_other_binary_other_key() {
        let first = artifact("p", "f", b"one").unwrap();
        assert_eq!(first, artifact("p", "f", b"one").unwrap());
        assert_ne!(first.key, artifact("p", "f", b"two").unwrap().key);
    }

    #[test]
    fn hex_of_known_digest() {
        assert_eq!(
            hex_sha256(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn missing_build_output_says_to_build() {
        let dir = tempfile::tempdir().unwrap();
        let error = read_binary(
            &built_binary(dir.path(), "shop", "enrich"),
            "enrich",
            "lambda-shop-enrich",
        )
        .unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("lambda-shop-enrich/bootstrap"),
            "{message}"
        );
        assert!(message.contains("cargo lambda build"), "{message}");
    }

    #[test]
    fn reads_the_built_binary() {
        let dir = tempfile::tempdir().unwrap();
        let path = built_binary(dir.path(), "shop", "enrich");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, b"built").unwrap();
        assert_eq!(
            read_binary(&path, "enrich", "lambda-shop-enrich").unwrap(),
            b"built"
        );
    }
}
