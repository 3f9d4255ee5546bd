//! The API front and the order handlers over in-memory ports: status mapping through
//! `Service::respond` (202, 400 with every problem, 429 with Retry-After, 503), the counters of a
//! request, and the order store's email step across its crash windows — never a second email.

use aws_lambda_events::apigw::ApiGatewayV2httpRequest;
use aws_lambda_events::encodings::Body;
use runtime::api::RequestSchema;
use runtime::batch::BatchOptions;
use runtime::handlers::{EmailFate, OrderIngest, OrderStore, Stored};
use runtime::ports::{Attribute, PortError};
use runtime::{Service, Startup};
use serde_json::{Value, json};

use super::memory::{MemoryEvents, MemoryMail, MemoryPorts, MemoryQueue, MemoryTable};
use super::{record, startup};

fn request(body: &str, base64: bool) -> ApiGatewayV2httpRequest {
    serde_json::from_value(json!({
        "version": "2.0",
        "routeKey": "POST /orders",
        "rawPath": "/orders",
        "headers": {"content-type": "application/json"},
        "requestContext": {"requestId": "api-req-1", "http": {"method": "POST", "path": "/orders"}},
        "body": body,
        "isBase64Encoded": base64,
    }))
    .unwrap()
}

fn ingest(ports: &MemoryPorts) -> Service<OrderIngest<MemoryQueue, MemoryEvents>> {
    let startup = startup(ports, &[("ENQUEUE_QUEUE_URL", "https://sqs/orders")]);
    Service::build(&startup, OrderIngest::build).unwrap()
}

fn answer(
    response: &aws_lambda_events::apigw::ApiGatewayV2httpResponse,
) -> (i64, Value, Option<String>) {
    let Some(Body::Text(body)) = &response.body else {
        panic!("a text body")
    };
    (
        response.status_code,
        serde_json::from_str(body).unwrap(),
        response
            .headers
            .get("retry-after")
            .map(|value| value.to_str().unwrap().to_owned()),
    )
}

const ORDER: &str =
    r#"{"email": "a@example.com", "items": [{"sku": "A-1", "qty": 2}], "note": 1.10}"#;

fn publishing_ingest(ports: &MemoryPorts) -> Service<OrderIngest<MemoryQueue, MemoryEvents>> {
    let startup = startup(
        ports,
        &[
            ("EVENT_BUS_NAME", "shop-orders"),
            ("EVENT_SOURCE", "shop.submit-order"),
        ],
    );
    Service::build(&startup, OrderIngest::build).unwrap()
}

#[tokio::test]
async fn with_a_bus_an_accepted_order_is_published_as_order_placed_instead_of_enqueued() {
    let ports = MemoryPorts::default();
    *ports.events.throttle_next.lock().unwrap() = 1;
    let service = publishing_ingest(&ports);
    let (response, metrics) = service
        .respond(&request(ORDER, false), None, "lambda-1")
        .await;
    let (status, body, _) = answer(&response);
    assert_eq!(status, 202, "{body}");
    let published = ports.events.published.lock().unwrap().clone();
    assert_eq!(published.len(), 1, "published once, after one throttled attempt");
    let (bus, event) = &published[0];
    assert_eq!(bus, "shop-orders");
    assert_eq!(event.source, "shop.submit-order");
    assert_eq!(event.detail_type, "OrderPlaced");
    let detail: Value = serde_json::from_str(&event.detail).unwrap();
    assert_eq!(detail["order_id"], body["order_id"]);
    assert_eq!(detail["email"], "a@example.com");
    assert!(detail["received_at"].is_string(), "{detail}");
    assert!(ports.queue.sent.lock().unwrap().is_empty(), "nothing enqueued");
    assert_eq!(metrics.counters.get("OrdersPublished"), Some(&1));
}

#[test]
fn a_bus_without_its_source_stops_the_function_at_start() {
    let ports = MemoryPorts::default();
    let startup = startup(&ports, &[("EVENT_BUS_NAME", "shop-orders")]);
    let error = Service::build(&startup, OrderIngest::build).unwrap_err();
    assert_eq!(error.variable, "EVENT_SOURCE");
}

#[tokio::test]
async fn an_accepted_order_is_enqueued_and_answered_202() {
    let ports = MemoryPorts::default();
    let service = ingest(&ports);
    let (response, metrics) = service
        .respond(&request(ORDER, false), None, "lambda-1")
        .await;
    let (status, body, retry_after) = answer(&response);
    assert_eq!((status, retry_after), (202, None));
    let order_id = body["order_id"].as_str().unwrap().to_owned();
    assert_eq!((order_id.len(), &body["status"]), (26, &json!("accepted")));
    let sent = ports.queue.sent.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    let (url, message) = &sent[0];
    assert_eq!(url, "https://sqs/orders");
    assert!(
        message.body.contains(r#""note":1.10"#),
        "numbers kept exactly: {}",
        message.body
    );
    let enqueued: Value = serde_json::from_str(&message.body).unwrap();
    assert_eq!(enqueued["order_id"], json!(order_id));
    assert!(enqueued["received_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        message.attributes,
        vec![("idempotency-key".to_owned(), order_id.clone())]
    );
    assert_eq!(message.group_id, None, "a standard queue takes no group");
    assert_eq!((metrics.received, metrics.validated), (1, 1));
    assert_eq!(metrics.counters.get("OrdersEnqueued"), Some(&1));

    // A base64 body decodes the same; ids keep their minting order.
    let encoded = base64_encode(ORDER);
    let (response, _) = service
        .respond(&request(&encoded, true), None, "lambda-2")
        .await;
    let (status, body, _) = answer(&response);
    assert_eq!(status, 202);
    assert!(body["order_id"].as_str().unwrap() > order_id.as_str());
}

fn base64_encode(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[tokio::test]
async fn an_invalid_order_is_answered_400_with_every_problem_and_nothing_is_enqueued() {
    let ports = MemoryPorts::default();
    let service = ingest(&ports);
    let (response, metrics) = service
        .respond(
            &request(
                r#"{"email": "nobody", "items": [{"sku": "", "qty": 0}]}"#,
                false,
            ),
            None,
            "lambda-1",
        )
        .await;
    let (status, body, _) = answer(&response);
    assert_eq!(status, 400);
    let pointers: Vec<&str> = body["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|problem| problem["pointer"].as_str().unwrap())
        .collect();
    assert_eq!(pointers, ["/email", "/items/0/sku", "/items/0/qty"]);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("invalid order: /email:")
    );
    assert!(ports.queue.sent.lock().unwrap().is_empty());
    assert_eq!(
        (metrics.received, metrics.validated, metrics.failed),
        (1, 0, 1)
    );
    assert_eq!(metrics.counters.get("OrdersEnqueued"), None);

    // A route's schema answers first, with its own pointers.
    let schema = RequestSchema::parse(
        r#"{"type": "object", "required": ["email"], "properties": {"coupon": {"type": "string", "maxLength": 4}}}"#,
    )
    .unwrap();
    let (response, _) = service
        .respond(
            &request(r#"{"coupon": "TOO-LONG"}"#, false),
            Some(&schema),
            "lambda-2",
        )
        .await;
    let (status, body, _) = answer(&response);
    assert_eq!(status, 400);
    let mut pointers: Vec<&str> = body["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|problem| problem["pointer"].as_str().unwrap())
        .collect();
    pointers.sort_unstable();
    assert_eq!(pointers, ["", "/coupon"]);

    // A body marked base64 that is not, or not UTF-8: 400 at the root.
    let (response, _) = service
        .respond(&request("%%%", true), None, "lambda-3")
        .await;
    assert_eq!(answer(&response).0, 400);
}

#[tokio::test(start_paused = true)]
async fn a_throttled_queue_is_429_and_a_queue_that_is_down_503() {
    let ports = MemoryPorts::default();
    let service = ingest(&ports);
    let throttled = || PortError::throttled("SendMessage orders", "RequestThrottled: slow down");
    ports
        .queue
        .fail_next
        .lock()
        .unwrap()
        .extend([throttled(), throttled(), throttled()]);
    let (response, _) = service
        .respond(&request(ORDER, false), None, "lambda-1")
        .await;
    let (status, body, retry_after) = answer(&response);
    assert_eq!((status, retry_after.as_deref()), (429, Some("1")));
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("too many requests")
    );

    let down = || PortError::transient("SendMessage orders", "could not reach the service");
    ports
        .queue
        .fail_next
        .lock()
        .unwrap()
        .extend([down(), down(), down()]);
    let (response, metrics) = service
        .respond(&request(ORDER, false), None, "lambda-2")
        .await;
    let (status, body, _) = answer(&response);
    assert_eq!(status, 503);
    assert!(
        !body.to_string().contains("SendMessage"),
        "internals stay in the log"
    );
    assert_eq!(
        (metrics.validated, metrics.failed),
        (1, 1),
        "valid, not taken"
    );
    assert!(ports.queue.sent.lock().unwrap().is_empty());

    // One throttled attempt is retried with jitter and the order goes through.
    ports.queue.fail_next.lock().unwrap().push(throttled());
    let (response, _) = service
        .respond(&request(ORDER, false), None, "lambda-3")
        .await;
    assert_eq!(answer(&response).0, 202);
}

fn store(ports: &MemoryPorts, email: bool) -> Service<OrderStore<MemoryTable, MemoryMail>> {
    let mut vars = vec![
        ("TABLE_NAME", "orders"),
        ("TABLE_PARTITION_KEY", "order_id"),
    ];
    if email {
        vars.push(("EMAIL_SENDER", "orders@example.com"));
    }
    let startup: Startup<MemoryPorts> = startup(ports, &vars);
    Service::build(&startup, OrderStore::build).unwrap()
}

const QUEUED: &str = r#"{"order_id": "ORD-1", "email": "a@example.com", "items": [{"sku": "A-1", "qty": 2}], "received_at": "2026-11-30T17:00:00Z"}"#;

async fn deliver(
    service: &Service<OrderStore<MemoryTable, MemoryMail>>,
    id: &str,
    body: &str,
) -> Result<Stored, runtime::batch::RecordFailure> {
    let (report, _) = service
        .process(vec![record(id, body, None)], BatchOptions::default(), "req")
        .await;
    report.results.into_iter().next().unwrap().outcome
}

fn email_state(ports: &MemoryPorts) -> String {
    let items = ports.table.items.lock().unwrap();
    let item = items.values().next().unwrap();
    item["email_state"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn redeliveries_write_nothing_twice_and_send_no_second_email() {
    let ports = MemoryPorts::default();
    let service = store(&ports, true);
    let first = deliver(&service, "m-1", QUEUED).await.unwrap();
    assert_eq!((first.written, first.email), (true, EmailFate::Sent));
    let again = deliver(&service, "m-1", QUEUED).await.unwrap();
    assert_eq!(
        (again.written, again.email),
        (false, EmailFate::AlreadySent)
    );
    assert_eq!(ports.mail.sent.lock().unwrap().len(), 1);
    let sent = ports.mail.sent.lock().unwrap()[0].clone();
    assert_eq!(
        (sent.from.as_str(), sent.to.as_slice()),
        (
            "orders@example.com",
            ["a@example.com".to_owned()].as_slice()
        )
    );
    assert_eq!(sent.subject, "Order ORD-1 received");
    assert_eq!(email_state(&ports), "sent");
    let items = ports.table.items.lock().unwrap();
    let item = items.values().next().unwrap();
    assert_eq!(item["order_id"], Attribute::string("ORD-1"));
    assert_eq!(
        item["received_at"],
        Attribute::string("2026-11-30T17:00:00Z")
    );
    assert!(matches!(item["order"], Attribute::M(_)));
}

#[tokio::test]
async fn a_crash_after_the_put_is_emailed_once_by_the_redelivery() {
    let ports = MemoryPorts::default();
    let without_email = store(&ports, false);
    let stored = deliver(&without_email, "m-1", QUEUED).await.unwrap();
    assert_eq!(stored.email, EmailFate::None);
    let item = ports
        .table
        .items
        .lock()
        .unwrap()
        .values()
        .next()
        .unwrap()
        .clone();
    ports.table.items.lock().unwrap().clear();
    let mut pending = item;
    pending.insert("email_state".to_owned(), Attribute::string("pending"));
    ports
        .table
        .items
        .lock()
        .unwrap()
        .insert("\"ORD-1\"".to_owned(), pending);
    let service = store(&ports, true);
    let redelivered = deliver(&service, "m-1", QUEUED).await.unwrap();
    assert_eq!(
        (redelivered.written, redelivered.email),
        (false, EmailFate::Sent)
    );
    assert_eq!(ports.mail.sent.lock().unwrap().len(), 1);
}

/// SES refused the send (nothing went): the claim is released, the record retried, and the
/// retry sends it.
#[tokio::test(start_paused = true)]
async fn a_refused_send_is_released_and_sent_by_the_retry() {
    let ports = MemoryPorts::default();
    let service = store(&ports, true);
    let refused = || PortError::transient("SendEmail", "ServiceUnavailable");
    ports
        .mail
        .fail_next
        .lock()
        .unwrap()
        .extend([refused(), refused(), refused()]);
    let failure = deliver(&service, "m-1", QUEUED).await.unwrap_err();
    assert!(
        failure.reason.starts_with("email not sent: "),
        "{}",
        failure.reason
    );
    assert_eq!(email_state(&ports), "pending");
    assert_eq!(
        deliver(&service, "m-1", QUEUED).await.unwrap().email,
        EmailFate::Sent
    );
    assert_eq!(ports.mail.sent.lock().unwrap().len(), 1);
}

/// The send timed out (it may have gone): not retried, recorded unknown, never sent again.
#[tokio::test]
async fn an_ambiguous_send_is_recorded_unknown_and_never_repeated() {
    let ports = MemoryPorts::default();
    let service = store(&ports, true);
    let mut timed_out = PortError::transient("SendEmail", "timed out");
    timed_out.ambiguous = true;
    ports.mail.fail_next.lock().unwrap().push(timed_out);
    let (report, metrics) = service
        .process(
            vec![record("m-1", QUEUED, None)],
            BatchOptions::default(),
            "req",
        )
        .await;
    let stored = report.results[0].outcome.clone().unwrap();
    assert_eq!(stored.email, EmailFate::Unknown);
    assert_eq!(metrics.counters.get("EmailsUnknown"), Some(&1));
    assert_eq!(email_state(&ports), "unknown");
    assert_eq!(
        deliver(&service, "m-1", QUEUED).await.unwrap().email,
        EmailFate::Unknown
    );
    assert_eq!(
        ports.mail.sent.lock().unwrap().len(),
        1,
        "the one that went, no second"
    );

    // Crashed after claiming the send: within the lease a redelivery backs off; after it, the
    // item says unknown and nothing is sent.
    let ports = MemoryPorts::default();
    let service = store(&ports, true);
    deliver(&store(&ports, false), "m-1", QUEUED).await.unwrap();
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    for (claimed_at, expected) in [(now_ms, None), (now_ms - 60_000, Some(EmailFate::Unknown))] {
        {
            let mut items = ports.table.items.lock().unwrap();
            let item = items.values_mut().next().unwrap();
            item.insert("email_state".to_owned(), Attribute::string("sending"));
            item.insert("email_claim".to_owned(), Attribute::string("m-0/1"));
            item.insert(
                "email_claimed_at".to_owned(),
                Attribute::number(&claimed_at),
            );
        }
        let outcome = deliver(&service, "m-1", QUEUED).await;
        match expected {
            None => {
                let failure = outcome.unwrap_err();
                assert!(
                    failure.reason.contains("being sent by another delivery"),
                    "{}",
                    failure.reason
                );
                assert!(failure.retry_after.is_some());
            }
            Some(fate) => assert_eq!(outcome.unwrap().email, fate),
        }
    }
    assert!(ports.mail.sent.lock().unwrap().is_empty());
}

#[tokio::test]
async fn an_order_without_its_id_or_address_is_invalid_with_its_reason() {
    let ports = MemoryPorts::default();
    let service = store(&ports, true);
    let failure = deliver(&service, "m-1", r#"{"email": "a@example.com"}"#)
        .await
        .unwrap_err();
    assert_eq!(failure.kind, runtime::batch::FailureKind::Invalid);
    assert_eq!(
        failure.reason,
        "invalid order: /order_id: required: a non-empty string (the table's key)"
    );
    let failure = deliver(
        &service,
        "m-2",
        r#"{"order_id": "ORD-2", "email": "nobody"}"#,
    )
    .await
    .unwrap_err();
    assert_eq!(
        failure.reason,
        "invalid order: /email: required: the customer's email address"
    );
    assert!(ports.table.items.lock().unwrap().is_empty());
    assert!(ports.mail.sent.lock().unwrap().is_empty());

    // A partition key the store writes itself is refused at start.
    let startup: Startup<MemoryPorts> = startup(
        &ports,
        &[("TABLE_NAME", "orders"), ("TABLE_PARTITION_KEY", "email")],
    );
    let error = Service::build(&startup, OrderStore::build).unwrap_err();
    assert_eq!(error.variable, "TABLE_PARTITION_KEY");
}

#[test]
fn table_and_email_variables_are_named_with_their_purpose() {
    let ports = MemoryPorts::default();
    let table = |vars: &[(&str, &str)]| {
        runtime::resources::Table::<MemoryTable>::from_startup(
            &startup(&ports, vars),
            "TABLE_NAME",
            "orders",
        )
        .map(|table| (table.name().to_owned(), table.partition_key().to_owned()))
        .map_err(|error| error.to_string())
    };
    assert_eq!(
        table(&[]).unwrap_err(),
        "environment variable `TABLE_NAME` is not set: the handler writes to table `orders` through it"
    );
    assert_eq!(
        table(&[("TABLE_NAME", "orders-dev")]).unwrap_err(),
        "environment variable `TABLE_PARTITION_KEY` is not set: the handler keys the items of table `orders` by this attribute"
    );
    assert_eq!(
        table(&[
            ("TABLE_NAME", "orders-dev"),
            ("TABLE_PARTITION_KEY", "order_id")
        ]),
        Ok(("orders-dev".to_owned(), "order_id".to_owned()))
    );
    let email = |vars: &[(&str, &str)]| {
        runtime::resources::Email::<MemoryMail>::from_startup(
            &startup(&ports, vars),
            "EMAIL_SENDER",
            "email",
        )
        .map(|email| {
            (
                email.sender().to_owned(),
                email.configuration_set().map(str::to_owned),
            )
        })
        .map_err(|error| error.to_string())
    };
    assert_eq!(
        email(&[("EMAIL_SENDER", "orders")]).unwrap_err(),
        "environment variable `EMAIL_SENDER` must be an email address such as `orders@example.com`, found `orders`"
    );
    assert_eq!(
        email(&[
            ("EMAIL_SENDER", "orders@example.com"),
            ("EMAIL_CONFIGURATION_SET", "orders-events")
        ]),
        Ok((
            "orders@example.com".to_owned(),
            Some("orders-events".to_owned())
        ))
    );
}
