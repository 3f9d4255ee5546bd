//! What the conformance suites share: the two targets every scenario runs against, the macro
//! that writes one `engine::<scenario>` and one `moto::<scenario>` test per scenario, and the
//! DynamoDB scenarios' table and item helpers ([`dynamodb`]).

use crate::MotoServer;

/// A target kept alive for the length of a scenario: the local engine or moto.
#[derive(Debug)]
pub enum Backend {
    Engine(engine::Engine),
    Moto(MotoServer),
}

impl Backend {
    /// The local engine, started alone with its defaults.
    pub async fn engine() -> Self {
        Self::Engine(
            engine::Engine::start(engine::EngineConfig::default())
                .await
                .expect("the engine starts"),
        )
    }

    /// A moto server of its own.
    pub fn moto() -> Self {
        Self::Moto(MotoServer::start())
    }

    /// Where the target listens.
    pub fn endpoint(&self) -> String {
        match self {
            Self::Engine(engine) => engine.endpoint(),
            Self::Moto(moto) => moto.endpoint(),
        }
    }
}

/// `engine::<scenario>` and `moto::<scenario>` tests for each scenario: each is an
/// `async fn(&Client)` beside a `client(&Backend) -> Client` in the invoking module.
#[macro_export]
macro_rules! conformance {
    ($($scenario:ident),* $(,)?) => {
        mod engine {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    let backend = ::tests::Backend::engine().await;
                    super::$scenario(&super::client(&backend).await).await;
                }
            )*
        }
        mod moto {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    let backend = ::tests::Backend::moto();
                    super::$scenario(&super::client(&backend).await).await;
                }
            )*
        }
    };
}

/// The table and item helpers of the DynamoDB scenarios and benches: one table shape (a string
/// partition key `pk`, optionally a number sort key `sk`), attribute and item builders, puts,
/// gets, and a refused call's code and message.
pub mod dynamodb {
    use std::collections::HashMap;
    use std::future::Future;

    use aws_sdk_dynamodb::Client;
    use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
    use aws_sdk_dynamodb::types::{
        AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
        ScalarAttributeType, TableStatus,
    };

    /// An item, or a key.
    pub type Item = HashMap<String, AttributeValue>;

    /// A string attribute.
    pub fn s(text: &str) -> AttributeValue {
        AttributeValue::S(text.to_owned())
    }

    /// A number attribute.
    pub fn n(number: i64) -> AttributeValue {
        AttributeValue::N(number.to_string())
    }

    /// An item of `pairs`.
    pub fn item(pairs: &[(&str, AttributeValue)]) -> Item {
        pairs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), value.clone()))
            .collect()
    }

    /// A key schema element.
    pub fn key(name: &str, kind: KeyType) -> KeySchemaElement {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
            .expect("a key schema element")
    }

    /// An attribute definition.
    pub fn definition(name: &str, kind: ScalarAttributeType) -> AttributeDefinition {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(kind)
            .build()
            .expect("an attribute definition")
    }

    /// Creates `name` on demand with a string partition key `pk` and, if `sort` is set, a number
    /// sort key `sk`; it is `ACTIVE` at once.
    pub async fn create_table(client: &Client, name: &str, sort: bool) {
        let mut request = client
            .create_table()
            .table_name(name)
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key("pk", KeyType::Hash))
            .attribute_definitions(definition("pk", ScalarAttributeType::S));
        if sort {
            request = request
                .key_schema(key("sk", KeyType::Range))
                .attribute_definitions(definition("sk", ScalarAttributeType::N));
        }
        let created = request.send().await.expect("CreateTable");
        let description = created.table_description().expect("a description");
        assert_eq!(description.table_status(), Some(&TableStatus::Active));
    }

    /// Puts each of `items` into `table`.
    pub async fn put_items(client: &Client, table: &str, items: impl IntoIterator<Item = Item>) {
        for item in items {
            client
                .put_item()
                .table_name(table)
                .set_item(Some(item))
                .send()
                .await
                .expect("PutItem");
        }
    }

    /// An `UpdateItem` of the item whose `pk` is `pk` in `table`, to finish.
    pub fn update(
        client: &Client,
        table: &str,
        pk: &str,
    ) -> aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder {
        client.update_item().table_name(table).key("pk", s(pk))
    }

    /// The item of `table` at `key`, if any.
    pub async fn get(client: &Client, table: &str, key: Item) -> Option<Item> {
        client
            .get_item()
            .table_name(table)
            .set_key(Some(key))
            .send()
            .await
            .expect("GetItem")
            .item
    }

    /// The error code and message of a call that must be refused.
    ///
    /// # Panics
    /// When the call succeeds.
    pub async fn refused<T, E, R>(
        call: impl Future<Output = Result<T, SdkError<E, R>>>,
    ) -> (String, String)
    where
        T: std::fmt::Debug,
        E: ProvideErrorMetadata + std::fmt::Debug,
        R: std::fmt::Debug,
    {
        let error = call.await.expect_err("the call is refused");
        (
            error.code().unwrap_or_default().to_owned(),
            error.message().unwrap_or_default().to_owned(),
        )
    }

    /// A table as the engine takes it at start: a string partition key `pk`, expiring items by
    /// `ttl_attribute` if given, no index.
    pub fn engine_table(name: &str, ttl_attribute: Option<&str>) -> engine::dynamodb::TableSpec {
        engine::dynamodb::TableSpec {
            name: name.to_owned(),
            partition: engine::dynamodb::KeyAttribute {
                name: "pk".to_owned(),
                kind: "S".to_owned(),
            },
            sort: None,
            ttl_attribute: ttl_attribute.map(str::to_owned),
            indexes: Vec::new(),
        }
    }
}
