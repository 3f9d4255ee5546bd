//! The SES v2 conformance suite through `aws_sdk_sesv2`: the scenarios moto answers as AWS does
//! run against both moto and the local engine; the rest (`engine_follows_aws`) run against the
//! engine alone, because moto sends SES v2 through its v1 backend (it keeps only the HTML body,
//! answers v1's error codes, and crashes on template content) — see
//! `tests/conformance/MOTO_DEVIATIONS.md`, "SES v2".

use ::engine::{Engine, EngineConfig};
use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::error::ProvideErrorMetadata as _;
use aws_sdk_sesv2::primitives::Blob;
use aws_sdk_sesv2::types::{
    Body, Content, Destination, EmailContent, Message, MessageTag, RawMessage, Template,
};
use tests::{Backend, sdk_config_for};

const SENDER: &str = "orders@example.com";

/// A client of `backend`; on moto the sender is verified first (moto, like SES in its sandbox,
/// refuses unverified senders; the engine sends as an account out of the sandbox does).
async fn client(backend: &Backend) -> Client {
    let client = Client::new(&sdk_config_for(&backend.endpoint()).await);
    if let Backend::Moto(_) = backend {
        client
            .create_email_identity()
            .email_identity(SENDER)
            .send()
            .await
            .expect("CreateEmailIdentity on moto");
    }
    client
}

tests::conformance!(
    a_simple_email_gets_a_message_id,
    a_raw_email_gets_a_message_id,
    more_than_50_recipients_are_rejected,
);

fn text(data: &str) -> Content {
    Content::builder().data(data).build().expect("content")
}

fn simple(subject: &str, body_text: &str, html: &str) -> EmailContent {
    EmailContent::builder()
        .simple(
            Message::builder()
                .subject(text(subject))
                .body(
                    Body::builder()
                        .text(text(body_text))
                        .html(text(html))
                        .build(),
                )
                .build(),
        )
        .build()
}

fn to(addresses: &[&str]) -> Destination {
    Destination::builder()
        .set_to_addresses(Some(addresses.iter().map(|a| (*a).to_owned()).collect()))
        .build()
}

async fn a_simple_email_gets_a_message_id(client: &Client) {
    let sent = client
        .send_email()
        .from_email_address(SENDER)
        .destination(to(&["a@example.com"]))
        .content(simple("Order ORD-1", "Thanks", "<p>Thanks</p>"))
        .send()
        .await
        .expect("SendEmail");
    assert!(
        sent.message_id().is_some_and(|id| !id.is_empty()),
        "a message id: {sent:?}"
    );
}

async fn a_raw_email_gets_a_message_id(client: &Client) {
    let mime = format!("From: {SENDER}\r\nTo: a@example.com\r\nSubject: Raw\r\n\r\nbody\r\n");
    let sent = client
        .send_email()
        .content(
            EmailContent::builder()
                .raw(
                    RawMessage::builder()
                        .data(Blob::new(mime))
                        .build()
                        .expect("a raw message"),
                )
                .build(),
        )
        .send()
        .await
        .expect("SendEmail (raw)");
    assert!(sent.message_id().is_some_and(|id| !id.is_empty()));
}

async fn more_than_50_recipients_are_rejected(client: &Client) {
    let many: Vec<String> = (0..51).map(|n| format!("r{n}@example.com")).collect();
    let refused = client
        .send_email()
        .from_email_address(SENDER)
        .destination(Destination::builder().set_to_addresses(Some(many)).build())
        .content(simple("Too many", "x", "<p>x</p>"))
        .send()
        .await
        .expect_err("51 recipients are refused");
    assert_eq!(refused.code(), Some("MessageRejected"), "{refused:?}");
    assert_eq!(
        refused.raw_response().map(|raw| raw.status().as_u16()),
        Some(400)
    );
}

/// What AWS answers where moto does not (`MOTO_DEVIATIONS.md`, "SES v2"), against the engine.
mod engine_follows_aws {
    use super::*;

    async fn engine(outbox: &std::path::Path) -> (Engine, Client) {
        let engine = Engine::start(EngineConfig {
            outbox: Some(outbox.to_path_buf()),
            ..EngineConfig::default()
        })
        .await
        .expect("the engine starts");
        let client = Client::new(&sdk_config_for(&engine.endpoint()).await);
        (engine, client)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn each_message_is_one_file_in_the_outbox_with_every_part() {
        let folder = tempfile::tempdir().expect("a temp dir");
        let (engine, client) = engine(folder.path()).await;
        let sent = client
            .send_email()
            .from_email_address(SENDER)
            .destination(
                Destination::builder()
                    .to_addresses("a@example.com")
                    .cc_addresses("b@example.com")
                    .bcc_addresses("audit@example.com")
                    .build(),
            )
            .reply_to_addresses("help@example.com")
            .content(simple("Order ORD-1", "Thanks", "<p>Thanks</p>"))
            .configuration_set_name("orders-events")
            .email_tags(
                MessageTag::builder()
                    .name("order_id")
                    .value("ORD-1")
                    .build()
                    .expect("a tag"),
            )
            .send()
            .await
            .expect("SendEmail");
        let id = sent.message_id().expect("an id");
        let file = folder.path().join(format!("{id}.json"));
        let written: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&file).expect("the message's file"))
                .expect("JSON");
        assert_eq!(written["message_id"], id);
        assert_eq!(written["from"], SENDER);
        assert_eq!(written["to"], serde_json::json!(["a@example.com"]));
        assert_eq!(written["cc"], serde_json::json!(["b@example.com"]));
        assert_eq!(written["bcc"], serde_json::json!(["audit@example.com"]));
        assert_eq!(written["reply_to"], serde_json::json!(["help@example.com"]));
        assert_eq!(written["subject"], "Order ORD-1");
        assert_eq!(written["text"], "Thanks");
        assert_eq!(
            written["html"], "<p>Thanks</p>",
            "moto keeps only this part"
        );
        assert_eq!(written["configuration_set"], "orders-events");
        assert_eq!(written["tags"], serde_json::json!({"order_id": "ORD-1"}));
        assert_eq!(engine.outbox().messages().len(), 1);
        let files = std::fs::read_dir(folder.path())
            .expect("the outbox")
            .count();
        assert_eq!(files, 1, "one file per message, no partial files left");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn bad_requests_are_answered_as_ses_answers_them() {
        let folder = tempfile::tempdir().expect("a temp dir");
        let (engine, client) = engine(folder.path()).await;
        let no_sender = client
            .send_email()
            .destination(to(&["a@example.com"]))
            .content(simple("s", "t", "h"))
            .send()
            .await
            .expect_err("no sender");
        assert_eq!(no_sender.code(), Some("BadRequestException"));
        assert_eq!(no_sender.message(), None, "SES sends {{\"message\": null}}");
        let no_recipient = client
            .send_email()
            .from_email_address(SENDER)
            .content(simple("s", "t", "h"))
            .send()
            .await
            .expect_err("no recipient");
        assert_eq!(no_recipient.code(), Some("BadRequestException"));
        let bad_address = client
            .send_email()
            .from_email_address(SENDER)
            .destination(to(&["nobody"]))
            .content(simple("s", "t", "h"))
            .send()
            .await
            .expect_err("no domain");
        assert_eq!(bad_address.code(), Some("BadRequestException"));
        assert!(
            bad_address
                .message()
                .is_some_and(|message| message.starts_with("Missing final '@domain'")),
            "{bad_address:?}"
        );
        let template = client
            .send_email()
            .from_email_address(SENDER)
            .destination(to(&["a@example.com"]))
            .content(
                EmailContent::builder()
                    .template(
                        Template::builder()
                            .template_name("welcome")
                            .template_data("{}")
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .expect_err("no such template");
        assert_eq!(template.code(), Some("NotFoundException"));
        assert!(engine.outbox().messages().is_empty(), "nothing was sent");
        assert_eq!(
            std::fs::read_dir(folder.path()).map_or(0, Iterator::count),
            0
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn injected_throttling_is_too_many_requests() {
        let engine = Engine::start(EngineConfig::default())
            .await
            .expect("the engine starts");
        engine.faults().set(
            ::engine::ses::NAME,
            ::engine::FaultPlan {
                failure_rate: 1.0,
                ..::engine::FaultPlan::default()
            },
        );
        let config =
            aws_sdk_sesv2::config::Builder::from(&sdk_config_for(&engine.endpoint()).await)
                .retry_config(aws_sdk_sesv2::config::retry::RetryConfig::disabled())
                .build();
        let refused = Client::from_conf(config)
            .send_email()
            .from_email_address(SENDER)
            .destination(to(&["a@example.com"]))
            .content(simple("s", "t", "h"))
            .send()
            .await
            .expect_err("throttled");
        assert_eq!(refused.code(), Some("TooManyRequestsException"));
        assert_eq!(
            refused.raw_response().map(|raw| raw.status().as_u16()),
            Some(429)
        );
    }
}
