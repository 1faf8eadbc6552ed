//! A table that fails on purpose: every Nth write is refused as if the store went away, so a
//! test can interrupt an operation halfway and watch a re-run converge.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use roster_domain::ports::table::{Item, Key, Page, Query, Table, TableError, Write};

pub struct FailingTable {
    inner: Arc<dyn Table>,
    every: usize,
    writes: AtomicUsize,
}

impl FailingTable {
    /// Fails write number `every`, `2 * every`, …
    pub fn every(inner: Arc<dyn Table>, every: usize) -> Self {
        Self {
            inner,
            every: every.max(1),
            writes: AtomicUsize::new(0),
        }
    }

    pub fn failed(&self) -> usize {
        self.writes.load(Ordering::SeqCst) / self.every
    }
}

#[async_trait]
impl Table for FailingTable {
    async fn get(&self, key: &Key) -> Result<Option<Item>, TableError> {
        self.inner.get(key).await
    }

    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Item>, TableError> {
        self.inner.get_many(keys).await
    }

    async fn query(&self, query: &Query) -> Result<Page, TableError> {
        self.inner.query(query).await
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), TableError> {
        let n = self.writes.fetch_add(1, Ordering::SeqCst) + 1;
        if n % self.every == 0 {
            return Err(TableError::Unavailable(format!(
                "write {n} refused by the test"
            )));
        }
        self.inner.transact(writes).await
    }
}
