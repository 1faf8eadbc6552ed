use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, KeysAndAttributes, Put, TransactWriteItem, Update,
};
use roster_domain::ports::table::{
    Condition, Item, Key, Page, Query, Source, Table, TableError, Tally, Write, check_transaction,
    counter, schema,
};

use crate::codec::{
    self, Attributes, cursor_attributes, cursor_from, decode, encode, key_attributes,
};
use crate::errors::{other_error, transaction_error};

/// How often a transaction that lost a race to another transaction (not a failed condition) is
/// re-sent. DynamoDB cancels both sides of some conflicts, so a few retries let one through.
const CONFLICT_ATTEMPTS: u32 = 6;

/// BatchGetItem takes at most this many keys per request.
pub const MAX_BATCH_GET: usize = 100;

/// The table port on one DynamoDB table.
#[derive(Clone, Debug)]
pub struct DynamoTable {
    client: Client,
    table: String,
}

impl DynamoTable {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    /// A client configured from the standard AWS environment (region, credentials,
    /// `AWS_ENDPOINT_URL`).
    /// The binary must turn on aws-config's `default-https-client` (the CLI does); the Lambda
    /// functions build their configuration themselves and call `from_config`.
    pub async fn from_env(table: impl Into<String>) -> Self {
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .load()
            .await;
        Self::from_config(&config, table)
    }

    /// A client on an already loaded configuration: a process that also talks to SES shares
    /// one (one credentials chain, one HTTPS client and trust store built at cold start). The
    /// client retries as [`retry_policy`] says.
    pub fn from_config(config: &aws_config::SdkConfig, table: impl Into<String>) -> Self {
        let config = aws_sdk_dynamodb::config::Builder::from(config)
            .retry_config(retry_policy())
            .build();
        Self::new(Client::from_conf(config), table)
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table_name(&self) -> &str {
        &self.table
    }

    async fn send_transaction(&self, writes: &[Write]) -> Result<(), TableError> {
        let items = writes
            .iter()
            .map(|w| self.transact_item(w))
            .collect::<Result<Vec<_>, _>>()?;
        self.client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
            .map(|_| ())
            .map_err(transaction_error)
    }

    /// One write alone needs no transaction: PutItem / DeleteItem with the same condition cost
    /// half the write capacity of a one-item TransactWriteItems.
    async fn send_single(&self, write: &Write) -> Result<(), TableError> {
        match write {
            Write::Put { item, condition } => {
                let expr = condition.map(ConditionExpr::of);
                self.client
                    .put_item()
                    .table_name(&self.table)
                    .set_item(Some(encode(item)?))
                    .set_condition_expression(expr.as_ref().map(|e| e.expression.to_owned()))
                    .set_expression_attribute_names(expr.as_ref().map(|e| e.names()))
                    .set_expression_attribute_values(expr.as_ref().and_then(|e| e.values()))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| single_error(e, |e| e.is_conditional_check_failed_exception()))
            }
            Write::Delete { key, condition } => {
                let expr = condition.map(ConditionExpr::of);
                self.client
                    .delete_item()
                    .table_name(&self.table)
                    .set_key(Some(key_attributes(key)))
                    .set_condition_expression(expr.as_ref().map(|e| e.expression.to_owned()))
                    .set_expression_attribute_names(expr.as_ref().map(|e| e.names()))
                    .set_expression_attribute_values(expr.as_ref().and_then(|e| e.values()))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| single_error(e, |e| e.is_conditional_check_failed_exception()))
            }
            Write::Check { .. } => self.send_transaction(std::slice::from_ref(write)).await,
            Write::Tally { key, change } => {
                let update = TallyUpdate::of(*change);
                self.client
                    .update_item()
                    .table_name(&self.table)
                    .set_key(Some(key_attributes(key)))
                    .update_expression(update.update)
                    .condition_expression(update.condition)
                    .set_expression_attribute_names(Some(update.names()))
                    .set_expression_attribute_values(Some(update.values()))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| single_error(e, |e| e.is_conditional_check_failed_exception()))
            }
        }
    }

    fn transact_item(&self, write: &Write) -> Result<TransactWriteItem, TableError> {
        let built = match write {
            Write::Put { item, condition } => {
                let expr = condition.map(ConditionExpr::of);
                let put = Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(encode(item)?))
                    .set_condition_expression(expr.as_ref().map(|e| e.expression.to_owned()))
                    .set_expression_attribute_names(expr.as_ref().map(|e| e.names()))
                    .set_expression_attribute_values(expr.as_ref().and_then(|e| e.values()))
                    .build();
                TransactWriteItem::builder().put(put.map_err(build_error)?)
            }
            Write::Delete { key, condition } => {
                let expr = condition.map(ConditionExpr::of);
                let delete = Delete::builder()
                    .table_name(&self.table)
                    .set_key(Some(key_attributes(key)))
                    .set_condition_expression(expr.as_ref().map(|e| e.expression.to_owned()))
                    .set_expression_attribute_names(expr.as_ref().map(|e| e.names()))
                    .set_expression_attribute_values(expr.as_ref().and_then(|e| e.values()))
                    .build();
                TransactWriteItem::builder().delete(delete.map_err(build_error)?)
            }
            Write::Check { key, condition } => {
                let expr = ConditionExpr::of(*condition);
                let check = ConditionCheck::builder()
                    .table_name(&self.table)
                    .set_key(Some(key_attributes(key)))
                    .condition_expression(expr.expression)
                    .set_expression_attribute_names(Some(expr.names()))
                    .set_expression_attribute_values(expr.values())
                    .build();
                TransactWriteItem::builder().condition_check(check.map_err(build_error)?)
            }
            Write::Tally { key, change } => {
                let tally = TallyUpdate::of(*change);
                let update = Update::builder()
                    .table_name(&self.table)
                    .set_key(Some(key_attributes(key)))
                    .update_expression(tally.update)
                    .condition_expression(tally.condition)
                    .set_expression_attribute_names(Some(tally.names()))
                    .set_expression_attribute_values(Some(tally.values()))
                    .build();
                TransactWriteItem::builder().update(update.map_err(build_error)?)
            }
        };
        Ok(built.build())
    }
}

#[async_trait]
impl Table for DynamoTable {
    async fn get(&self, key: &Key) -> Result<Option<Item>, TableError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key_attributes(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(other_error)?;
        output.item.map(decode).transpose()
    }

    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Item>, TableError> {
        let mut unique: Vec<&Key> = keys.iter().collect();
        unique.sort();
        unique.dedup();
        let mut items = Vec::with_capacity(unique.len());
        for chunk in unique.chunks(MAX_BATCH_GET) {
            let mut pending = Some(
                KeysAndAttributes::builder()
                    .set_keys(Some(chunk.iter().map(|k| key_attributes(k)).collect()))
                    .consistent_read(true)
                    .build()
                    .map_err(build_error)?,
            );
            let mut attempt = 0u32;
            while let Some(request) = pending.take() {
                let output = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, request)
                    .send()
                    .await
                    .map_err(other_error)?;
                for found in output
                    .responses
                    .unwrap_or_default()
                    .remove(&self.table)
                    .unwrap_or_default()
                {
                    items.push(decode(found)?);
                }
                // Throttled or over 16 MB: DynamoDB hands back what it did not read; ask again.
                pending = output
                    .unprocessed_keys
                    .and_then(|mut left| left.remove(&self.table))
                    .filter(|left| !left.keys().is_empty());
                if pending.is_some() {
                    attempt += 1;
                    if attempt > 8 {
                        return Err(TableError::Unavailable(
                            "BatchGetItem kept leaving keys unprocessed".into(),
                        ));
                    }
                    let ceiling_ms = 10u64 << attempt.min(6);
                    tokio::time::sleep(Duration::from_millis(fastrand::u64(1..=ceiling_ms))).await;
                }
            }
        }
        Ok(items)
    }

    async fn query(&self, query: &Query) -> Result<Page, TableError> {
        let (pk_name, sk_name) = match query.source {
            Source::Table => (schema::PK, schema::SK),
            Source::Index => (schema::INDEX_PK, schema::INDEX_SK),
        };
        let mut names = HashMap::from([("#pk".to_owned(), pk_name.to_owned())]);
        let mut values = HashMap::from([(":pk".to_owned(), codec::s(&query.partition))]);
        let mut condition = "#pk = :pk".to_owned();
        // DynamoDB refuses begins_with on an empty string; an empty prefix means "all".
        if !query.sk_prefix.is_empty() {
            condition.push_str(" AND begins_with(#sk, :prefix)");
            names.insert("#sk".to_owned(), sk_name.to_owned());
            values.insert(":prefix".to_owned(), codec::s(&query.sk_prefix));
        }
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .set_index_name((query.source == Source::Index).then(|| schema::INDEX_NAME.to_owned()))
            .key_condition_expression(condition)
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .set_limit(query.limit.map(|l| i32::try_from(l).unwrap_or(i32::MAX)))
            .set_exclusive_start_key(query.start_after.as_ref().map(cursor_attributes))
            .scan_index_forward(!query.descending)
            // Global secondary indexes only offer eventually consistent reads.
            .consistent_read(query.source == Source::Table)
            .send()
            .await
            .map_err(other_error)?;
        let items = output
            .items
            .unwrap_or_default()
            .into_iter()
            .map(decode)
            .collect::<Result<Vec<_>, _>>()?;
        let next = output.last_evaluated_key.map(cursor_from).transpose()?;
        Ok(Page { items, next })
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), TableError> {
        check_transaction(&writes)?;
        let mut attempt = 0;
        loop {
            let result = match writes.as_slice() {
                [single] => self.send_single(single).await,
                _ => self.send_transaction(&writes).await,
            };
            match result {
                Err(TableError::Conflict) if attempt + 1 < CONFLICT_ATTEMPTS => {
                    attempt += 1;
                    let ceiling_ms = 10u64 << attempt;
                    tokio::time::sleep(Duration::from_millis(fastrand::u64(1..=ceiling_ms))).await;
                }
                other => return other,
            }
        }
    }
}

/// A port condition as a DynamoDB condition expression.
struct ConditionExpr {
    expression: &'static str,
    version: Option<u64>,
}

impl ConditionExpr {
    fn of(condition: Condition) -> Self {
        match condition {
            Condition::MustNotExist => Self {
                expression: "attribute_not_exists(#pk)",
                version: None,
            },
            Condition::MustExist => Self {
                expression: "attribute_exists(#pk)",
                version: None,
            },
            Condition::VersionIs(n) => Self {
                expression: "#version = :version",
                version: Some(n),
            },
        }
    }

    fn names(&self) -> HashMap<String, String> {
        match self.version {
            None => HashMap::from([("#pk".to_owned(), schema::PK.to_owned())]),
            Some(_) => HashMap::from([("#version".to_owned(), schema::VERSION.to_owned())]),
        }
    }

    fn values(&self) -> Option<Attributes> {
        self.version
            .map(|v| HashMap::from([(":version".to_owned(), AttributeValue::N(v.to_string()))]))
    }
}

/// A counter change as an `UpdateItem`: `ADD` for the count (no read first), with the
/// condition [`roster_domain::ports::table::tally_holds`] states, written as an expression.
struct TallyUpdate {
    update: &'static str,
    condition: &'static str,
    limit: Option<u64>,
}

impl TallyUpdate {
    fn of(change: Tally) -> Self {
        match change {
            Tally::Take => Self {
                update: "ADD #count :one, #version :one",
                condition: "attribute_exists(#count) AND \
                            (attribute_not_exists(#limit) OR #count < #limit)",
                limit: None,
            },
            Tally::Release => Self {
                update: "ADD #count :minus_one, #version :one",
                condition: "#count > :zero",
                limit: None,
            },
            Tally::Limit(Some(limit)) => Self {
                update: "SET #limit = :limit ADD #version :one",
                condition: "#count <= :limit",
                limit: Some(limit),
            },
            Tally::Limit(None) => Self {
                update: "REMOVE #limit ADD #version :one",
                condition: "attribute_exists(#count)",
                limit: None,
            },
        }
    }

    fn names(&self) -> HashMap<String, String> {
        let mut names = HashMap::from([
            ("#count".to_owned(), counter::COUNT.to_owned()),
            ("#version".to_owned(), schema::VERSION.to_owned()),
        ]);
        if self.update.contains("#limit") || self.condition.contains("#limit") {
            names.insert("#limit".to_owned(), counter::LIMIT.to_owned());
        }
        names
    }

    /// Only the values the expressions use: DynamoDB refuses unused ones.
    fn values(&self) -> Attributes {
        let text = format!("{} {}", self.update, self.condition);
        let mut values = Attributes::new();
        let mut add = |name: &str, n: i64| {
            if text.contains(name) {
                values.insert(name.to_owned(), AttributeValue::N(n.to_string()));
            }
        };
        add(":one", 1);
        add(":minus_one", -1);
        add(":zero", 0);
        if let Some(limit) = self.limit {
            values.insert(":limit".to_owned(), AttributeValue::N(limit.to_string()));
        }
        values
    }
}

fn build_error(e: aws_sdk_dynamodb::error::BuildError) -> TableError {
    TableError::Invalid(e.to_string())
}

/// A single PutItem/DeleteItem failure: a failed condition is write 0 of a one-write transaction.
fn single_error<E, R>(err: SdkError<E, R>, is_condition_failure: impl Fn(&E) -> bool) -> TableError
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match err.as_service_error() {
        Some(e) if is_condition_failure(e) => TableError::ConditionFailed(vec![0]),
        _ => other_error(err),
    }
}

/// How a table request retries: throttling, 5xx and connection failures are tried three times in
/// all, with exponential backoff and full jitter (the SDK's standard mode: a random wait of up to
/// 1 s, then up to 2 s), and then fail as `TableError::Unavailable` — a 503 with `Retry-After` at
/// the API. Pinned here rather than left to the SDK's defaults of the
/// day: the waits must stay well inside API Gateway's 29 s and the functions' timeouts.
pub fn retry_policy() -> aws_config::retry::RetryConfig {
    aws_config::retry::RetryConfig::standard()
        .with_max_attempts(3)
        .with_initial_backoff(std::time::Duration::from_secs(1))
        .with_max_backoff(std::time::Duration::from_secs(5))
}
