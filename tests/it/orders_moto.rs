//! The DynamoDB and SES v2 adapters and the order handlers against moto, through the real AWS
//! SDK: the table's conditional calls, `order_ingest` enqueuing to SQS (and `503` when SQS is
//! down), `order_store` writing each order once and emailing it once across redeliveries.

use std::process::Command;

use aws_lambda_events::apigw::ApiGatewayV2httpRequest;
use aws_lambda_events::encodings::Body;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType,
};
use runtime::batch::{BatchOptions, FailureKind};
use runtime::config::{ConfigError, Variables};
use runtime::handlers::{EmailFate, OrderIngest, OrderStore};
use runtime::ports::{Attribute, Condition, Item, PutOutcome, UpdateOutcome};
use runtime::resources::Table;
use runtime::{AwsPorts, Handler, Service, Startup};
use serde_json::{Value, json};
use tests::{MotoServer, free_port, receive_all, sdk_config_for, to_event_record, venv_python};

const TABLE: &str = "orders";
const SENDER: &str = "orders@example.com";

struct Fixture {
    moto: MotoServer,
    sdk: aws_config::SdkConfig,
    dynamodb: aws_sdk_dynamodb::Client,
    sqs: aws_sdk_sqs::Client,
}

impl Fixture {
    async fn start() -> Self {
        let moto = MotoServer::start();
        let sdk = moto.sdk_config().await;
        let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
        dynamodb
            .create_table()
            .table_name(TABLE)
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name("order_id")
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .unwrap(),
            )
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name("order_id")
                    .key_type(KeyType::Hash)
                    .build()
                    .unwrap(),
            )
            .billing_mode(BillingMode::PayPerRequest)
            .send()
            .await
            .expect("CreateTable");
        // moto's SES sends only from verified identities, as SES in its sandbox does.
        aws_sdk_sesv2::Client::new(&sdk)
            .create_email_identity()
            .email_identity(SENDER)
            .send()
            .await
            .expect("CreateEmailIdentity");
        let sqs = aws_sdk_sqs::Client::new(&sdk);
        Self {
            moto,
            sdk,
            dynamodb,
            sqs,
        }
    }

    fn startup(&self, vars: &[(&str, &str)]) -> Startup<AwsPorts> {
        startup_on(&self.sdk, vars)
    }

    fn service<H: Handler>(
        &self,
        build: impl FnOnce(&Startup<AwsPorts>) -> Result<H, ConfigError>,
        vars: &[(&str, &str)],
    ) -> Service<H> {
        Service::build(&self.startup(vars), build).expect("handler")
    }

    async fn queue(&self, name: &str) -> String {
        self.sqs
            .create_queue()
            .queue_name(name)
            .send()
            .await
            .expect("CreateQueue")
            .queue_url
            .unwrap()
    }

    /// Emails moto's SES has sent (`SentLast24Hours` of the SES API, through boto3).
    fn emails_sent(&self) -> u64 {
        let script = format!(
            "import boto3; print(int(boto3.client('ses', endpoint_url='{}', region_name='us-east-1', aws_access_key_id='testing', aws_secret_access_key='testing').get_send_quota()['SentLast24Hours']))",
            self.moto.endpoint()
        );
        let output = Command::new(venv_python())
            .args(["-c", &script])
            .output()
            .expect("python with boto3 (run ./scripts/test.sh)");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout)
            .trim()
            .parse()
            .unwrap()
    }

    async fn item(
        &self,
        order_id: &str,
    ) -> Option<std::collections::HashMap<String, AttributeValue>> {
        self.dynamodb
            .get_item()
            .table_name(TABLE)
            .key("order_id", AttributeValue::S(order_id.to_owned()))
            .consistent_read(true)
            .send()
            .await
            .expect("GetItem")
            .item
    }

    async fn item_count(&self) -> usize {
        self.dynamodb
            .scan()
            .table_name(TABLE)
            .send()
            .await
            .expect("Scan")
            .items
            .unwrap_or_default()
            .len()
    }
}

fn startup_on(sdk: &aws_config::SdkConfig, vars: &[(&str, &str)]) -> Startup<AwsPorts> {
    Startup::new(
        Variables::from_pairs(vars.iter().copied()),
        "test",
        AwsPorts::new(sdk),
    )
    .expect("valid settings")
}

const TABLE_VARS: [(&str, &str); 2] = [("TABLE_NAME", TABLE), ("TABLE_PARTITION_KEY", "order_id")];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_table_answers_conditions_and_keeps_numbers_exact() {
    let fixture = Fixture::start().await;
    let table = Table::from_startup(&fixture.startup(&TABLE_VARS), "TABLE_NAME", "orders").unwrap();
    let mut item = table.key("ORD-1");
    item.insert(
        "order".to_owned(),
        Attribute::from_json(
            r#"{"price": 12345678901234567.891, "items": [{"sku": "A", "qty": 2}]}"#,
        )
        .unwrap(),
    );
    // `status` is a DynamoDB reserved word: every name goes through a placeholder.
    item.insert("status".to_owned(), Attribute::string("new"));
    assert_eq!(
        table.put_if_absent(item.clone()).await.unwrap(),
        PutOutcome::Created
    );
    assert_eq!(
        table.put_if_absent(item.clone()).await.unwrap(),
        PutOutcome::AlreadyExists
    );
    assert_eq!(table.get(table.key("ORD-1")).await.unwrap(), Some(item));
    assert_eq!(table.get(table.key("ORD-404")).await.unwrap(), None);

    let paid = Item::from([("status".to_owned(), Attribute::string("paid"))]);
    let when_new = Condition::Equals("status".to_owned(), Attribute::string("new"));
    assert_eq!(
        table
            .update_if(table.key("ORD-1"), paid.clone(), when_new.clone())
            .await
            .unwrap(),
        UpdateOutcome::Updated
    );
    assert_eq!(
        table
            .update_if(table.key("ORD-1"), paid, when_new)
            .await
            .unwrap(),
        UpdateOutcome::ConditionFailed,
        "ConditionalCheckFailedException is an answer, not a failure"
    );
    let stored = table.get(table.key("ORD-1")).await.unwrap().unwrap();
    assert_eq!(stored["status"], Attribute::string("paid"));
    let raw = fixture.item("ORD-1").await.unwrap();
    let order = raw["order"].as_m().unwrap();
    assert_eq!(
        order["price"],
        AttributeValue::N("12345678901234567.891".to_owned())
    );

    let missing = Table::from_startup(
        &fixture.startup(&[
            ("TABLE_NAME", "no-such-table"),
            ("TABLE_PARTITION_KEY", "order_id"),
        ]),
        "TABLE_NAME",
        "orders",
    )
    .unwrap();
    let failure = missing.get(missing.key("ORD-1")).await.unwrap_err();
    assert_eq!(failure.kind, FailureKind::Transient);
    assert!(
        failure.reason.contains("ResourceNotFoundException"),
        "{}",
        failure.reason
    );
}

fn request(body: &str) -> ApiGatewayV2httpRequest {
    serde_json::from_value(json!({
        "version": "2.0",
        "routeKey": "POST /orders",
        "rawPath": "/orders",
        "requestContext": {"requestId": "api-1", "http": {"method": "POST", "path": "/orders"}},
        "body": body,
        "isBase64Encoded": false,
    }))
    .unwrap()
}

fn answer(response: &aws_lambda_events::apigw::ApiGatewayV2httpResponse) -> (i64, Value) {
    let Some(Body::Text(body)) = &response.body else {
        panic!("a text body")
    };
    (response.status_code, serde_json::from_str(body).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn order_ingest_enqueues_accepted_orders_and_answers_503_when_sqs_is_down() {
    let fixture = Fixture::start().await;
    let url = fixture.queue("orders").await;
    let ingest = fixture.service(OrderIngest::build, &[("ENQUEUE_QUEUE_URL", &url)]);
    let (response, metrics) = ingest
        .respond(
            &request(r#"{"email": "a@example.com", "items": [{"sku": "A-1", "qty": 2}]}"#),
            None,
            "lambda-1",
        )
        .await;
    let (status, body) = answer(&response);
    assert_eq!(status, 202, "{body}");
    let order_id = body["order_id"].as_str().unwrap();
    let messages = receive_all(&fixture.sqs, &url, 1).await;
    assert_eq!(messages.len(), 1);
    let enqueued: Value = serde_json::from_str(messages[0].body().unwrap()).unwrap();
    assert_eq!(enqueued["order_id"], json!(order_id));
    assert_eq!(enqueued["items"], json!([{"sku": "A-1", "qty": 2}]));
    let record = to_event_record(&messages[0], "arn:aws:sqs:us-east-1:123456789012:orders");
    assert_eq!(
        record.message_attributes["idempotency-key"]
            .string_value
            .as_deref(),
        Some(order_id)
    );
    assert_eq!(metrics.counters.get("OrdersEnqueued"), Some(&1));

    let (response, _) = ingest
        .respond(&request(r#"{"items": []}"#), None, "lambda-2")
        .await;
    assert_eq!(answer(&response).0, 400);

    // SQS unreachable: the order was not taken, and the client is told to retry.
    let dead = sdk_config_for(&format!("http://127.0.0.1:{}", free_port())).await;
    let down = Service::build(
        &startup_on(&dead, &[("ENQUEUE_QUEUE_URL", &url)]),
        OrderIngest::build,
    )
    .unwrap();
    let (response, _) = down
        .respond(
            &request(r#"{"email": "a@example.com", "items": [{"sku": "A-1", "qty": 1}]}"#),
            None,
            "lambda-3",
        )
        .await;
    assert_eq!(answer(&response).0, 503);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn order_store_writes_each_order_once_and_emails_it_once() {
    let fixture = Fixture::start().await;
    let url = fixture.queue("store").await;
    let bodies = [
        json!({"order_id": "ORD-1", "email": "a@example.com", "items": [{"sku": "A-1", "qty": 2}], "received_at": "2026-11-30T17:00:00Z"}),
        json!({"order_id": "ORD-2", "email": "b@example.com", "items": [{"sku": "B-1", "qty": 1}]}),
        json!({"email": "c@example.com", "items": []}),
    ];
    for body in &bodies {
        fixture
            .sqs
            .send_message()
            .queue_url(&url)
            .message_body(body.to_string())
            .send()
            .await
            .expect("SendMessage");
    }
    let records: Vec<_> = receive_all(&fixture.sqs, &url, 3)
        .await
        .iter()
        .map(|message| to_event_record(message, "arn:aws:sqs:us-east-1:123456789012:store"))
        .collect();
    let mut vars = TABLE_VARS.to_vec();
    vars.push(("EMAIL_SENDER", SENDER));
    let store = fixture.service(OrderStore::build, &vars);

    let (report, metrics) = store
        .process(records.clone(), BatchOptions::default(), "req-1")
        .await;
    assert_eq!(report.failed(), 1, "the order without an id");
    let invalid = report
        .results
        .iter()
        .find_map(|result| result.outcome.as_ref().err())
        .unwrap();
    assert_eq!(invalid.kind, FailureKind::Invalid);
    assert!(invalid.reason.contains("/order_id"), "{}", invalid.reason);
    assert_eq!(
        (metrics.written, metrics.counters.get("EmailsSent")),
        (2, Some(&2))
    );
    assert_eq!(fixture.emails_sent(), 2);

    // Every record delivered again: nothing written twice, no second email.
    let (report, metrics) = store
        .process(records, BatchOptions::default(), "req-2")
        .await;
    let fates: Vec<EmailFate> = report
        .results
        .iter()
        .filter_map(|result| result.outcome.as_ref().ok())
        .map(|stored| {
            assert!(!stored.written);
            stored.email
        })
        .collect();
    assert_eq!(fates, [EmailFate::AlreadySent, EmailFate::AlreadySent]);
    assert_eq!((metrics.written, metrics.duplicates), (0, 2));
    assert_eq!(fixture.emails_sent(), 2);
    assert_eq!(fixture.item_count().await, 2);
    let item = fixture.item("ORD-1").await.unwrap();
    assert_eq!(item["email_state"], AttributeValue::S("sent".to_owned()));
    assert!(!item["email_message_id"].as_s().unwrap().is_empty());
    assert_eq!(
        item["received_at"],
        AttributeValue::S("2026-11-30T17:00:00Z".to_owned())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_ses_refuses_releases_its_claim_for_the_retry() {
    let fixture = Fixture::start().await;
    let mut vars = TABLE_VARS.to_vec();
    vars.push(("EMAIL_SENDER", "unverified@example.com"));
    let store = fixture.service(OrderStore::build, &vars);
    let mut record = aws_lambda_events::event::sqs::SqsMessage::default();
    record.message_id = Some("m-1".to_owned());
    record.body = Some(
        json!({"order_id": "ORD-9", "email": "a@example.com", "items": [{"sku": "A", "qty": 1}]})
            .to_string(),
    );
    let (report, _) = store
        .process(vec![record], BatchOptions::default(), "req-1")
        .await;
    let failure = report.results[0].outcome.as_ref().unwrap_err();
    assert_eq!(failure.kind, FailureKind::Transient);
    assert!(
        failure.reason.starts_with("email not sent: "),
        "{}",
        failure.reason
    );
    assert!(
        failure.reason.contains("MessageRejected"),
        "{}",
        failure.reason
    );
    let item = fixture.item("ORD-9").await.unwrap();
    assert_eq!(item["email_state"], AttributeValue::S("pending".to_owned()));
    assert_eq!(fixture.emails_sent(), 0);
}
