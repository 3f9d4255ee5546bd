//! What the conformance suites share: the two targets every scenario runs against, and the macro
//! that writes one `engine::<scenario>` and one `moto::<scenario>` test per scenario.

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
