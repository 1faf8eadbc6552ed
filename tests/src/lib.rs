//! The test harness: stores to run the same tests against (SQLite in a temporary folder, DynamoDB
//! on the moto server the test command starts), a `roster serve` process per test, an HTTP
//! client, and moto's SES read-back.

pub mod checker;
mod contract;
pub mod events;
pub mod fault_proxy;
pub mod faults;
mod http;
pub mod load;
mod mail;
pub mod moto;
pub mod observe;
mod push;
mod server;
mod store;
pub mod synth;

pub use http::{Http, Reply};
pub use mail::RecordingMailer;
pub use push::RecordingPush;
pub use server::{
    OTHER_SIGNING_KEY, SES_SENDER, TEST_SIGNING_KEY, TestServer, reset_token_in, token_for,
    token_signed_with,
};
pub use store::{StoreKind, TestStore, moto_endpoint};

/// Generates, for every named `async fn case(store: &TestStore)` in the calling module, one test
/// per store: `<module>::sqlite::case` and `<module>::dynamodb::case`.
#[macro_export]
macro_rules! for_each_store {
    ($($case:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let store = $crate::TestStore::sqlite().await;
                    super::$case(&store).await;
                }
            )+
        }
        mod dynamodb {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let store = $crate::TestStore::dynamodb().await;
                    super::$case(&store).await;
                }
            )+
        }
    };
}
