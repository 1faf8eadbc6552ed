//! Watching what code calls: a table and a mailer that pass everything through and note each
//! use, so a test can derive what a Lambda function needs permission for.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use roster_domain::ports::mailer::{MailError, Mailer, Message};
use roster_domain::ports::table::{Item, Key, Page, Query, Table, TableError, Write};
use roster_dynamo::iam::Access;

#[derive(Clone, Default)]
pub struct Seen {
    accesses: Arc<Mutex<BTreeSet<Access>>>,
    sends: Arc<Mutex<usize>>,
}

impl Seen {
    /// What was seen since the last call, and forget it.
    pub fn take(&self) -> (BTreeSet<Access>, usize) {
        let accesses = std::mem::take(&mut *self.accesses.lock().unwrap());
        let sends = std::mem::take(&mut *self.sends.lock().unwrap());
        (accesses, sends)
    }

    fn note(&self, access: impl IntoIterator<Item = Access>) {
        self.accesses.lock().unwrap().extend(access);
    }
}

pub struct ObservedTable {
    pub inner: Arc<dyn Table>,
    pub seen: Seen,
}

#[async_trait]
impl Table for ObservedTable {
    async fn get(&self, key: &Key) -> Result<Option<Item>, TableError> {
        self.seen.note([Access::Get]);
        self.inner.get(key).await
    }

    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Item>, TableError> {
        self.seen.note([Access::GetMany]);
        self.inner.get_many(keys).await
    }

    async fn query(&self, query: &Query) -> Result<Page, TableError> {
        self.seen.note([Access::query(query.source)]);
        self.inner.query(query).await
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), TableError> {
        self.seen
            .note(Access::of_writes(&writes).collect::<Vec<_>>());
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
        *self.seen.sends.lock().unwrap() += 1;
        self.inner.send(message).await
    }
}
