//! Watching what code calls: a table and a mailer that pass everything through and note each
//! use, so a test can derive what a Lambda function needs permission for and count the requests
//! an operation makes.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use roster_domain::ports::mailer::{MailError, Mailer, Message};
use roster_domain::ports::push::{Endpoint, Push, PushError, PushMessage};
use roster_domain::ports::signer::{PublicKey, Signer, SignerError};
use roster_domain::ports::table::{Item, Key, Page, Query, Table, TableError, Write};
use roster_domain::values::Platform;
use roster_dynamo::MAX_BATCH_GET;
use roster_dynamo::iam::Access;

/// The DynamoDB and SES requests a piece of work makes, as the DynamoDB adapter sends them:
/// one GetItem per get, one BatchGetItem per 100 distinct keys of a `get_many`, one Query per
/// page, one TransactWriteItems per transaction (retries after a lost race not counted).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Requests {
    pub get_item: usize,
    pub batch_get_item: usize,
    pub query: usize,
    pub transact_write_items: usize,
    pub send_email: usize,
    /// Requests to SNS mobile push: endpoints made, pushes, endpoints deleted.
    pub sns: usize,
    /// Requests to KMS: a `Sign` per session token (the key's public half is fetched once per
    /// process, and not counted).
    pub kms: usize,
}

impl Requests {
    pub fn dynamodb(&self) -> usize {
        self.get_item + self.batch_get_item + self.query + self.transact_write_items
    }
}

#[derive(Default)]
struct Log {
    accesses: BTreeSet<Access>,
    requests: Requests,
}

#[derive(Clone, Default)]
pub struct Seen {
    log: Arc<Mutex<Log>>,
    sns_actions: Arc<Mutex<BTreeSet<&'static str>>>,
    kms_actions: Arc<Mutex<BTreeSet<&'static str>>>,
}

impl Seen {
    /// What was seen since the last call, and forget it.
    pub fn take(&self) -> (BTreeSet<Access>, Requests) {
        let log = std::mem::take(&mut *self.log.lock().unwrap());
        (log.accesses, log.requests)
    }

    /// The SNS actions called since the last call, and forget them (kept apart from
    /// [`Seen::take`], which counts them as requests).
    pub fn take_sns_actions(&self) -> BTreeSet<&'static str> {
        std::mem::take(&mut *self.sns_actions.lock().unwrap())
    }

    /// The KMS actions called since the last call, and forget them.
    pub fn take_kms_actions(&self) -> BTreeSet<&'static str> {
        std::mem::take(&mut *self.kms_actions.lock().unwrap())
    }

    fn note(&self, access: impl IntoIterator<Item = Access>, count: impl FnOnce(&mut Requests)) {
        let mut log = self.log.lock().unwrap();
        log.accesses.extend(access);
        count(&mut log.requests);
    }
}

pub struct ObservedTable {
    pub inner: Arc<dyn Table>,
    pub seen: Seen,
}

#[async_trait]
impl Table for ObservedTable {
    async fn get(&self, key: &Key) -> Result<Option<Item>, TableError> {
        self.seen.note([Access::Get], |r| r.get_item += 1);
        self.inner.get(key).await
    }

    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Item>, TableError> {
        let distinct = keys.iter().collect::<BTreeSet<_>>().len();
        self.seen.note([Access::GetMany], |r| {
            r.batch_get_item += distinct.div_ceil(MAX_BATCH_GET)
        });
        self.inner.get_many(keys).await
    }

    async fn query(&self, query: &Query) -> Result<Page, TableError> {
        self.seen
            .note([Access::query(query.source)], |r| r.query += 1);
        self.inner.query(query).await
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), TableError> {
        self.seen
            .note(Access::of_writes(&writes).collect::<Vec<_>>(), |r| {
                r.transact_write_items += 1
            });
        self.inner.transact(writes).await
    }
}

pub struct ObservedMailer {
    pub inner: Arc<dyn Mailer>,
    pub seen: Seen,
}

#[async_trait]
impl Mailer for ObservedMailer {
    async fn send(&self, message: &Message) -> Result<(), MailError> {
        self.seen.note([], |r| r.send_email += 1);
        self.inner.send(message).await
    }
}

pub struct ObservedPush {
    pub inner: Arc<dyn Push>,
    pub seen: Seen,
}

impl ObservedPush {
    fn note(&self, action: &'static str) {
        self.seen.sns_actions.lock().unwrap().insert(action);
        self.seen.note([], |r| r.sns += 1);
    }
}

#[async_trait]
impl Push for ObservedPush {
    async fn endpoint(&self, platform: Platform, token: &str) -> Result<Endpoint, PushError> {
        self.note(roster_sns::CREATE_ENDPOINT_ACTION);
        self.inner.endpoint(platform, token).await
    }

    async fn send(&self, endpoint: &Endpoint, message: &PushMessage) -> Result<(), PushError> {
        self.note(roster_sns::PUBLISH_ACTION);
        self.inner.send(endpoint, message).await
    }

    async fn forget(&self, endpoint: &Endpoint) -> Result<(), PushError> {
        self.note(roster_sns::DELETE_ENDPOINT_ACTION);
        self.inner.forget(endpoint).await
    }
}

/// A signer that notes the KMS actions the deployed signer (`roster_kms::KmsSigner`) would
/// call: `Sign` for each token (a request), `GetPublicKey` for the key (once per process there:
/// an action the role needs, not a request counted).
pub struct ObservedSigner {
    pub inner: Arc<dyn Signer>,
    pub seen: Seen,
}

#[async_trait]
impl Signer for ObservedSigner {
    async fn public_key(&self) -> Result<PublicKey, SignerError> {
        self.seen
            .kms_actions
            .lock()
            .unwrap()
            .insert(roster_kms::GET_PUBLIC_KEY_ACTION);
        self.inner.public_key().await
    }

    async fn sign(&self, message: &[u8]) -> Result<[u8; 64], SignerError> {
        self.seen
            .kms_actions
            .lock()
            .unwrap()
            .insert(roster_kms::SIGN_ACTION);
        self.seen.note([], |r| r.kms += 1);
        self.inner.sign(message).await
    }
}
