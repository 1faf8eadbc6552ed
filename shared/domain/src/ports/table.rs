//! The Table port: storage at the level DynamoDB itself offers. Get one item, query one partition
//! (of the table or of its one sparse index) by sort-key prefix a page at a time, and write a
//! transaction of puts, deletes and condition checks with typed conditions.
//!
//! All key design and every invariant is written once, in the domain, on top of this port. The
//! adapters (DynamoDB, SQLite) implement exactly these semantics, and one conformance suite holds
//! them to it.

use std::collections::HashSet;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Attribute names the table itself uses. The DynamoDB table definition (adapter and
/// `infra/template.yaml`) and the SQLite schema are both written from these.
pub mod schema {
    pub const PK: &str = "pk";
    pub const SK: &str = "sk";
    pub const VERSION: &str = "version";
    /// The one sparse global secondary index; only items that set its keys appear in it.
    pub const INDEX_NAME: &str = "gsi1";
    pub const INDEX_PK: &str = "gsi1pk";
    pub const INDEX_SK: &str = "gsi1sk";
    /// Epoch seconds after which the store may delete the item (DynamoDB TTL).
    pub const TTL: &str = "expires_at";

    /// Names an item's own attributes may not use.
    pub const RESERVED: [&str; 6] = [PK, SK, VERSION, INDEX_PK, INDEX_SK, TTL];
}

/// DynamoDB's limit on the items of one transaction; both adapters enforce it.
pub const MAX_TRANSACTION_ITEMS: usize = 100;
/// DynamoDB's limit on one item (attribute names and values together).
pub const MAX_ITEM_BYTES: usize = 400 * 1024;
/// DynamoDB returns at most this much data per query page; both adapters page at it.
pub const MAX_PAGE_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Self {
            pk: pk.into(),
            sk: sk.into(),
        }
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} / {}", self.pk, self.sk)
    }
}

/// An item's place in the sparse index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct IndexKey {
    pub pk: String,
    pub sk: String,
}

/// One stored item: its key, an optimistic-lock version, optional index keys and expiry, and its
/// own attributes as a JSON object (stored natively: a DynamoDB map, a SQLite JSON column).
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub key: Key,
    pub version: u64,
    pub index: Option<IndexKey>,
    /// Epoch seconds; past it the store may remove the item at any time (or not yet).
    pub expires_at: Option<i64>,
    pub attrs: Map<String, Value>,
}

impl Item {
    /// An item whose attributes are `body` serialised; `body` must serialise to a JSON object.
    pub fn from_body(key: Key, version: u64, body: &impl Serialize) -> Result<Self, TableError> {
        match serde_json::to_value(body) {
            Ok(Value::Object(attrs)) => Ok(Self {
                key,
                version,
                index: None,
                expires_at: None,
                attrs,
            }),
            Ok(other) => Err(TableError::Invalid(format!(
                "item {key} body must be an object, not {other}"
            ))),
            Err(e) => Err(TableError::Invalid(format!("item {key} body: {e}"))),
        }
    }

    pub fn with_index(mut self, pk: impl Into<String>, sk: impl Into<String>) -> Self {
        self.index = Some(IndexKey {
            pk: pk.into(),
            sk: sk.into(),
        });
        self
    }

    pub fn with_expiry(mut self, epoch_seconds: i64) -> Self {
        self.expires_at = Some(epoch_seconds);
        self
    }

    /// The attributes read back as `T`.
    pub fn body<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(Value::Object(self.attrs.clone()))
    }

    /// Bytes the item takes, counted as DynamoDB does closely enough to enforce its limits:
    /// names plus values, with the JSON text as the measure of values.
    pub fn approximate_size(&self) -> usize {
        let attrs: usize = self
            .attrs
            .iter()
            .map(|(k, v)| k.len() + v.to_string().len())
            .sum();
        let index = self
            .index
            .as_ref()
            .map_or(0, |i| i.pk.len() + i.sk.len() + 12);
        self.key.pk.len() + self.key.sk.len() + 4 + 16 + index + attrs
    }
}

/// A typed condition on the current state of one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    MustNotExist,
    MustExist,
    /// The item exists and its version is exactly this.
    VersionIs(u64),
}

/// The attributes of a counter item (see [`Tally`]).
pub mod counter {
    pub const COUNT: &str = "count";
    pub const LIMIT: &str = "limit";
}

/// A change to a counter item, made where the item is stored with no read before it, so
/// concurrent changes all count (DynamoDB's `ADD` under a condition). A counter item holds
/// [`counter::COUNT`] and, when it has one, [`counter::LIMIT`]; it is created by an ordinary
/// put. Each change bumps the item's version. Every change fails its transaction (as a failed
/// condition) when the counter does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tally {
    /// `count + 1`, unless the count has reached the limit.
    Take,
    /// `count − 1`, unless the count is 0.
    Release,
    /// Sets the limit (`None` removes it), unless the count is above it.
    Limit(Option<u64>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    Put {
        item: Item,
        condition: Option<Condition>,
    },
    Delete {
        key: Key,
        condition: Option<Condition>,
    },
    /// Writes nothing; fails the transaction unless the condition holds.
    Check { key: Key, condition: Condition },
    /// Changes a counter item in place; its condition is the change's own (see [`Tally`]).
    Tally { key: Key, change: Tally },
}

impl Write {
    pub fn put(item: Item, condition: impl Into<Option<Condition>>) -> Self {
        Self::Put {
            item,
            condition: condition.into(),
        }
    }

    pub fn delete(key: Key, condition: impl Into<Option<Condition>>) -> Self {
        Self::Delete {
            key,
            condition: condition.into(),
        }
    }

    pub fn check(key: Key, condition: Condition) -> Self {
        Self::Check { key, condition }
    }

    pub fn tally(key: Key, change: Tally) -> Self {
        Self::Tally { key, change }
    }

    pub fn key(&self) -> &Key {
        match self {
            Self::Put { item, .. } => &item.key,
            Self::Delete { key, .. } | Self::Check { key, .. } | Self::Tally { key, .. } => key,
        }
    }

    /// The write's condition on the item's existence or version; a tally's condition is on
    /// its counter instead (see [`Tally`]).
    pub fn condition(&self) -> Option<Condition> {
        match self {
            Self::Put { condition, .. } | Self::Delete { condition, .. } => *condition,
            Self::Check { condition, .. } => Some(*condition),
            Self::Tally { .. } => None,
        }
    }
}

/// Where a query reads: the table itself, or its sparse index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Source {
    #[default]
    Table,
    Index,
}

/// One page of one partition, in sort-key order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    pub source: Source,
    pub partition: String,
    /// Only sort keys starting with this; empty for the whole partition.
    pub sk_prefix: String,
    /// At most this many items on the page. A page also stops before it would pass
    /// [`MAX_PAGE_BYTES`] (it always holds at least one item).
    pub limit: Option<u32>,
    /// Continue after this position (from a previous page's `next`).
    pub start_after: Option<Cursor>,
    /// Newest-first style: descending sort-key order.
    pub descending: bool,
}

impl Query {
    pub fn partition(partition: impl Into<String>) -> Self {
        Self {
            partition: partition.into(),
            ..Self::default()
        }
    }

    pub fn index(partition: impl Into<String>) -> Self {
        Self {
            source: Source::Index,
            partition: partition.into(),
            ..Self::default()
        }
    }

    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.sk_prefix = prefix.into();
        self
    }

    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    pub fn after(mut self, cursor: Option<Cursor>) -> Self {
        self.start_after = cursor;
        self
    }

    pub fn descending(mut self) -> Self {
        self.descending = true;
        self
    }
}

/// A position in a query: the last item's table key, and its index key when reading the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub key: Key,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<IndexKey>,
}

impl Cursor {
    /// The position just after `item` in a query over `source`.
    pub fn after(item: &Item, source: Source) -> Self {
        Self {
            key: item.key.clone(),
            index: match source {
                Source::Table => None,
                Source::Index => item.index.clone(),
            },
        }
    }
}

/// A page of a query. `next` is `None` when nothing follows. It may be `Some` with nothing
/// following: DynamoDB sets `LastEvaluatedKey` whenever a page ends at its limit, so a reader
/// must accept one empty last page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    pub items: Vec<Item>,
    pub next: Option<Cursor>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    /// The conditions of these writes (indices into the transaction) did not hold; nothing was
    /// written.
    #[error("condition failed on write {0:?}")]
    ConditionFailed(Vec<usize>),
    /// A concurrent transaction on the same items won; nothing was written. Retrying may succeed.
    #[error("the transaction conflicted with a concurrent one; nothing was written")]
    Conflict,
    /// A request the store can never accept (too many items, an item twice, a reserved name).
    #[error("invalid table request: {0}")]
    Invalid(String),
    /// The store could not be reached or failed; the outcome of a write is unknown only if the
    /// message says so.
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait Table: Send + Sync {
    /// The item at `key`, read strongly consistently.
    async fn get(&self, key: &Key) -> Result<Option<Item>, TableError>;

    /// The items at `keys` that exist, each once, read strongly consistently, in no particular
    /// order. Any number of keys (DynamoDB's 100-key batches are the adapter's business).
    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Item>, TableError>;

    /// One page of `query`. Index reads are eventually consistent (as DynamoDB's GSIs are).
    async fn query(&self, query: &Query) -> Result<Page, TableError>;

    /// All of `writes` or none of them. Fails with [`TableError::ConditionFailed`] naming every
    /// write whose condition did not hold.
    async fn transact(&self, writes: Vec<Write>) -> Result<(), TableError>;
}

/// Reads every page of `query` (from its `start_after`) into one list.
pub async fn query_all(table: &dyn Table, query: Query) -> Result<Vec<Item>, TableError> {
    let mut query = query;
    let mut items = Vec::new();
    loop {
        let page = table.query(&query).await?;
        items.extend(page.items);
        match page.next {
            Some(next) => query.start_after = Some(next),
            None => return Ok(items),
        }
    }
}

/// The rules every adapter applies before touching storage, so both refuse the same requests
/// with the same words: 1..=100 writes, no item twice, no reserved attribute names, no item over
/// 400 KB.
pub fn check_transaction(writes: &[Write]) -> Result<(), TableError> {
    if writes.is_empty() {
        return Err(TableError::Invalid(
            "a transaction needs at least one write".into(),
        ));
    }
    if writes.len() > MAX_TRANSACTION_ITEMS {
        return Err(TableError::Invalid(format!(
            "a transaction holds at most {MAX_TRANSACTION_ITEMS} writes, not {}",
            writes.len()
        )));
    }
    let mut seen = HashSet::with_capacity(writes.len());
    for write in writes {
        if !seen.insert(write.key()) {
            return Err(TableError::Invalid(format!(
                "item {} appears twice in one transaction",
                write.key()
            )));
        }
        match write {
            Write::Put { item, .. } => check_item(item)?,
            Write::Delete { .. } | Write::Check { .. } | Write::Tally { .. } => {}
        }
    }
    Ok(())
}

/// Whether `change` may be made to a counter now at `count` with `limit`; what both adapters
/// check (DynamoDB in its condition expression, SQLite in its transaction).
pub fn tally_holds(change: Tally, count: u64, limit: Option<u64>) -> bool {
    match change {
        Tally::Take => limit.is_none_or(|limit| count < limit),
        Tally::Release => count > 0,
        Tally::Limit(Some(limit)) => count <= limit,
        Tally::Limit(None) => true,
    }
}

fn check_item(item: &Item) -> Result<(), TableError> {
    if let Some(name) = schema::RESERVED
        .iter()
        .find(|n| item.attrs.contains_key(**n))
    {
        return Err(TableError::Invalid(format!(
            "item {} uses the reserved attribute name {name:?}",
            item.key
        )));
    }
    if item.key.pk.is_empty() || item.key.sk.is_empty() {
        return Err(TableError::Invalid("keys must not be empty".into()));
    }
    let size = item.approximate_size();
    if size > MAX_ITEM_BYTES {
        return Err(TableError::Invalid(format!(
            "item {} is {size} bytes, over the {MAX_ITEM_BYTES}-byte limit",
            item.key
        )));
    }
    Ok(())
}
