//! The handler crates of the root pipeline.yaml, as snapshots, plus the properties every
//! scaffold keeps.

use super::templates::{self, Template};
use super::{GeneratedFile, ScaffoldError, scaffold, user_crates};
use crate::config::{self, Pipeline};

fn root_pipeline() -> Pipeline {
    let bytes = include_bytes!("../../../pipeline.yaml");
    config::load("pipeline.yaml", bytes)
        .pipeline
        .expect("the root pipeline.yaml is valid")
}

fn root_files() -> Vec<GeneratedFile> {
    scaffold(&root_pipeline()).expect("the templates render")
}

#[test]
fn snapshots_of_the_root_pipeline() {
    let files = root_files();
    for file in &files {
        let name = file.path.replace('/', "__");
        insta::assert_snapshot!(name, file.contents);
    }
}

#[test]
fn two_runs_are_identical() {
    assert_eq!(root_files(), root_files());
}

#[test]
fn files_are_sorted_by_path() {
    let paths: Vec<_> = root_files().into_iter().map(|file| file.path).collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
}

#[test]
fn every_function_gets_a_crate_running_its_handler() {
    let pipeline = root_pipeline();
    let files = root_files();
    assert_eq!(files.len(), 2 * pipeline.functions.len());
    for (name, function) in &pipeline.functions {
        let find = |path: String| {
            files
                .iter()
                .find(|file| file.path == path)
                .unwrap_or_else(|| panic!("`{path}` is generated"))
        };
        let manifest = find(format!("lambdas/{name}/Cargo.toml"));
        assert!(
            manifest
                .contents
                .contains(&format!("name = \"lambda-{}-{name}\"\n", pipeline.name)),
            "{}",
            manifest.contents
        );
        let main = find(format!("lambdas/{name}/src/main.rs"));
        let variant = match function.handler {
            config::model::HandlerKind::OrderProcessor => "OrderProcessor",
            config::model::HandlerKind::NotificationLogger => "NotificationLogger",
            config::model::HandlerKind::DlqProcessor => "DlqProcessor",
            config::model::HandlerKind::Custom
            | config::model::HandlerKind::OrderIngest
            | config::model::HandlerKind::OrderStore => {
                panic!("the root pipeline has only queue-triggered built-in handlers")
            }
        };
        let call = format!("    runtime::serve(runtime::handlers::{variant}::build).await\n");
        assert!(main.contents.contains(&call), "{}", main.contents);
        assert_eq!(main.contents.matches("runtime::serve(").count(), 1);
    }
}

#[test]
fn generated_rust_fits_in_100_columns_without_trailing_whitespace() {
    for file in root_files()
        .into_iter()
        .filter(|file| file.path.ends_with("/src/main.rs"))
    {
        for line in file.contents.lines() {
            assert!(line.len() <= 100, "{}: {line}", file.path);
            assert_eq!(line, line.trim_end(), "{}", file.path);
        }
        assert!(file.contents.ends_with("}\n"), "{}", file.path);
    }
}

#[test]
fn an_undefined_variable_is_an_error() {
    let broken = Template {
        name: "broken.j2",
        source: "{{ misspelled }}\n",
        output: "broken",
    };
    let environment = templates::environment(&[broken]).expect("the template parses");
    let error = templates::render(&environment, "broken.j2", "task", &())
        .expect_err("strict undefined behaviour");
    assert!(matches!(
        &error,
        ScaffoldError::Render { template: "broken.j2", function, .. } if function == "task"
    ));
    assert_eq!(
        error.to_string(),
        "template `broken.j2` failed to render for function `task`"
    );
}

#[test]
fn a_template_that_does_not_parse_is_named() {
    let broken = Template {
        name: "unclosed.j2",
        source: "{% if x %}",
        output: "unclosed",
    };
    let error = templates::environment(&[broken]).expect_err("does not parse");
    assert!(matches!(
        error,
        ScaffoldError::Parse {
            template: "unclosed.j2",
            ..
        }
    ));
}

const CUSTOM: &str = "pipeline: jobs
region: us-east-1
queues:
  jobs: { dead_letter: jobs-dlq, max_receive_count: 3 }
  jobs-dlq: {}
  jobs-out: {}
buckets:
  files: {}
functions:
  worker:
    handler: custom
    code: crates/worker/
    trigger: { queue: jobs }
    writes: { bucket: files, notify: jobs-out }
";

#[test]
fn a_custom_handler_gets_glue_typed_resources_and_a_starter_of_its_own() {
    let pipeline = config::load("pipeline.yaml", CUSTOM.as_bytes())
        .pipeline
        .expect("valid");
    let files = scaffold(&pipeline).unwrap();
    let paths: Vec<&str> = files.iter().map(|file| file.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "lambdas/worker/Cargo.toml",
            "lambdas/worker/resources/Cargo.toml",
            "lambdas/worker/resources/src/lib.rs",
            "lambdas/worker/src/main.rs",
        ]
    );
    let text = |path: &str| {
        &files
            .iter()
            .find(|file| file.path == path)
            .unwrap()
            .contents
    };
    // One typed field per write, read from the variable the template sets for it.
    let resources = text("lambdas/worker/resources/src/lib.rs");
    assert!(
        resources.contains("    pub files: runtime::resources::Bucket,\n"),
        "{resources}"
    );
    assert!(
        resources.contains("    pub jobs_out: runtime::resources::Queue,\n"),
        "{resources}"
    );
    assert!(resources.contains("\"BUCKET_NAME\""), "{resources}");
    assert!(resources.contains("\"NOTIFY_QUEUE_URL\""), "{resources}");
    assert!(text("lambdas/worker/Cargo.toml").contains(
        "handler = { package = \"handler-jobs-worker\", path = \"../../../crates/worker\" }"
    ));
    let starter = user_crates(&pipeline).unwrap();
    assert_eq!(starter.len(), 1);
    assert_eq!(starter[0].folder, "crates/worker");
    let manifest = &starter[0].files[0].contents;
    assert!(
        manifest.contains("path = \"../../generated/lambdas/worker/resources\""),
        "{manifest}"
    );
    let lib = &starter[0].files[1].contents;
    assert!(lib.contains(".files\n            .put_if_absent("), "{lib}");
    assert!(lib.contains("#[test]"), "{lib}");
}

/// The fixture pipeline with an API, a table and e-mail, its request schema read as the
/// commands read it.
fn orders_api() -> Pipeline {
    let bytes = include_bytes!("../../../tests/fixtures/pipelines/orders-api/pipeline.yaml");
    let mut pipeline = config::load("pipeline.yaml", bytes)
        .pipeline
        .expect("the orders-api fixture is valid");
    pipeline.request_schemas.insert(
        "submit".to_owned(),
        include_str!("../../../tests/fixtures/pipelines/orders-api/schemas/order.schema.json")
            .to_owned(),
    );
    pipeline
}

#[test]
fn snapshots_of_a_route_triggered_ingest_and_a_table_writing_store() {
    let files = scaffold(&orders_api()).expect("the templates render");
    let paths: Vec<&str> = files.iter().map(|file| file.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "lambdas/store/Cargo.toml",
            "lambdas/store/src/main.rs",
            "lambdas/submit/Cargo.toml",
            "lambdas/submit/request.schema.json",
            "lambdas/submit/src/main.rs",
        ]
    );
    for file in &files {
        let extension = std::path::Path::new(&file.path).extension();
        if extension.is_some_and(|extension| extension.eq_ignore_ascii_case("json")) {
            // The user's schema, byte for byte: what `include_str!` compiles in.
            assert_eq!(
                file.contents,
                orders_api().request_schemas["submit"],
                "the request schema is copied as is"
            );
            continue;
        }
        let name = format!("orders_api__{}", file.path.replace('/', "__"));
        insta::assert_snapshot!(name, file.contents);
        if extension.is_some_and(|extension| extension.eq_ignore_ascii_case("rs")) {
            for line in file.contents.lines() {
                assert!(line.chars().count() <= 100, "{}: {line}", file.path);
            }
        }
    }
}

#[test]
fn a_route_without_its_schema_read_is_an_error_not_a_crate_without_it() {
    let mut pipeline = orders_api();
    pipeline.request_schemas.clear();
    let error = scaffold(&pipeline).unwrap_err();
    assert!(
        matches!(&error, ScaffoldError::RequestSchemaUnread { function, path }
            if function == "submit" && path == "schemas/order.schema.json"),
        "{error}"
    );
}

const CUSTOM_ROUTE: &str = "pipeline: shop
region: us-east-1
apis:
  shop: {}
tables:
  carts: { partition_key: { name: cart_id } }
email:
  sender: shop@example.com
queues:
  orders: { dead_letter: orders-dlq, max_receive_count: 3 }
  orders-dlq: { alarm: { above: 0 } }
functions:
  cart:
    handler: custom
    trigger: { route: 'PUT /carts/{id}' }
    writes: { table: carts, email: true, enqueue: orders }
";

#[test]
fn a_custom_route_handler_serves_the_api_with_typed_table_email_and_queue() {
    let pipeline = config::load("pipeline.yaml", CUSTOM_ROUTE.as_bytes())
        .pipeline
        .expect("valid");
    let files = scaffold(&pipeline).unwrap();
    for file in &files {
        let name = format!("custom_route__{}", file.path.replace('/', "__"));
        insta::assert_snapshot!(name, file.contents);
    }
    let text = |path: &str| {
        &files
            .iter()
            .find(|file| file.path == path)
            .unwrap()
            .contents
    };
    let main = text("lambdas/cart/src/main.rs");
    assert!(main.contains("runtime::serve_api("), "{main}");
    assert!(
        main.contains("const REQUEST_SCHEMA: Option<&str> = None;"),
        "{main}"
    );
    let resources = text("lambdas/cart/resources/src/lib.rs");
    for (field, kind, variable) in [
        ("carts", "Table", "TABLE_NAME"),
        ("email", "Email", "EMAIL_SENDER"),
        ("orders", "Queue", "ENQUEUE_QUEUE_URL"),
    ] {
        assert!(
            resources.contains(&format!("    pub {field}: runtime::resources::{kind},\n")),
            "{resources}"
        );
        assert!(
            resources.contains(&format!("\"{variable}\"")),
            "{resources}"
        );
    }
    let starter = user_crates(&pipeline).unwrap();
    let manifest = &starter[0].files[0].contents;
    insta::assert_snapshot!("custom_route__starter__Cargo.toml", manifest);
    let lib = &starter[0].files[1].contents;
    insta::assert_snapshot!("custom_route__starter__lib.rs", lib);
    assert!(lib.contains("impl Respond for Accepted"), "{lib}");
    assert!(lib.contains("type Done = Accepted;"), "{lib}");
}

#[test]
fn a_custom_handler_publishing_events_gets_a_typed_bus() {
    let pipeline = config::load(
        "pipeline.yaml",
        b"pipeline: shop
region: us-east-1
queues:
  orders: { dead_letter: orders-dlq, max_receive_count: 3 }
  orders-dlq: { alarm: { above: 0 } }
  shipped: { dead_letter: orders-dlq, max_receive_count: 3 }
buses:
  orders:
    rules:
      shipped:
        pattern: { detail-type: [OrderShipped] }
        targets: [{ queue: shipped }]
functions:
  ship:
    handler: custom
    trigger: { queue: orders }
    writes: { events: orders }
  log:
    handler: notification_logger
    trigger: { queue: shipped }
",
    )
    .pipeline
    .expect("valid");
    let files = scaffold(&pipeline).unwrap();
    let resources = &files
        .iter()
        .find(|file| file.path == "lambdas/ship/resources/src/lib.rs")
        .unwrap()
        .contents;
    assert!(
        resources.contains("    pub orders: runtime::resources::Bus,\n"),
        "{resources}"
    );
    assert!(
        resources.contains("runtime::resources::Bus::from_startup(")
            && resources.contains("\"EVENT_BUS_NAME\""),
        "{resources}"
    );
}
