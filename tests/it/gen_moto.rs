//! What the tests that run `gen` commands in-process against moto share: the global flags that
//! point at the server, and a printer without colour.

use generator::cli::{GlobalArgs, OutputFormat};
use generator::printer::Printer;
use tests::MotoServer;

/// `--endpoint-url <moto> --region us-east-1`.
pub(crate) fn global(moto: &MotoServer) -> GlobalArgs {
    GlobalArgs {
        output: OutputFormat::Text,
        endpoint_url: Some(moto.endpoint()),
        region: Some("us-east-1".into()),
        profile: None,
        verbose: false,
    }
}

/// Text output, no colour.
pub(crate) fn printer() -> Printer {
    Printer {
        color: false,
        json: false,
    }
}
