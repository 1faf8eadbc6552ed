use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use roster_domain::ports::table::{
    Condition, Cursor, IndexKey, Item, Key, MAX_PAGE_BYTES, Page, Query, Source, Table, TableError,
    Tally, Write, check_transaction, counter, tally_holds,
};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use serde_json::{Map, Value};

use crate::migrations::migrate;

/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Read-only connections beside the one writer. In WAL mode a reader never waits for the
/// writer (or the writer for it), so `roster serve` does not queue reads behind writes; four is
/// what two cores keep busy, and each costs a file handle and its page cache.
const READERS: usize = 4;

/// The table port on one SQLite file, in WAL mode: one connection writes, [`READERS`] read.
///
/// The writer belongs to a thread of its own, which takes the transactions queued for it in
/// groups (group commit): one `BEGIN IMMEDIATE` … `COMMIT` holds each group, and each
/// transaction in it runs in a savepoint of its own, checking its conditions against what the
/// ones before it wrote, so each still commits or fails alone and in order, as if serial. Under
/// load the writer thus pays one commit (the WAL append, the lock, a checkpoint now and then)
/// per group instead of per transaction, and no thread waits on a lock for its turn. Taking the
/// file's write lock before reading any condition keeps checks and writes atomic across
/// processes too. Each read runs in a read transaction of its own, so a batch read or a query
/// page sees one committed state, and every write committed before it began.
#[derive(Clone)]
pub struct SqliteTable {
    writer: std::sync::mpsc::Sender<Job>,
    readers: Arc<[Mutex<Connection>]>,
    next_reader: Arc<AtomicUsize>,
    path: PathBuf,
}

/// One transaction for the writer thread, and where its outcome goes.
struct Job {
    writes: Vec<Write>,
    done: tokio::sync::oneshot::Sender<Result<(), TableError>>,
}

/// The most transactions one commit takes: enough to empty the queue 200 clients fill, few
/// enough that the first of a group does not wait long for the last.
const GROUP: usize = 64;

impl std::fmt::Debug for SqliteTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteTable")
            .field("path", &self.path)
            .finish()
    }
}

impl SqliteTable {
    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, TableError> {
        let path = path.as_ref().to_path_buf();
        let mut conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| unavailable(&path, e))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .and_then(|()| conn.pragma_update(None, "journal_mode", "WAL"))
            .and_then(|()| conn.pragma_update(None, "synchronous", "NORMAL"))
            .and_then(|()| migrate(&mut conn))
            .map_err(|e| unavailable(&path, e))?;
        let readers = (0..READERS)
            .map(|_| {
                let reader = Connection::open_with_flags(
                    &path,
                    OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                // Opened read-write (a read-only connection cannot recover the WAL index when it
                // must) but refusing to write: only the writer writes.
                reader.busy_timeout(BUSY_TIMEOUT)?;
                reader.pragma_update(None, "query_only", true)?;
                Ok(Mutex::new(reader))
            })
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| unavailable(&path, e))?;
        let (writer, jobs) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || write_groups(conn, &jobs))
            .map_err(|e| TableError::Unavailable(format!("the SQLite writer thread: {e}")))?;
        Ok(Self {
            writer,
            readers: readers.into(),
            next_reader: Arc::new(AtomicUsize::new(0)),
            path,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `work` in a read transaction on a free reader (or, when all are busy, the next one
    /// in turn), on the thread that asks: a read here takes tens to hundreds of microseconds,
    /// less than handing it to a blocking thread and back (under load, that handoff and the
    /// threads it woke cost more than the reads; measured in docs/benchmarks.md, Load).
    fn with_reader<T>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, TableError>,
    ) -> Result<T, TableError> {
        let readers = &self.readers;
        let turn = self.next_reader.fetch_add(1, Ordering::Relaxed);
        let free = (0..readers.len())
            .map(|i| &readers[(turn + i) % readers.len()])
            .find_map(|reader| reader.try_lock().ok());
        let mut reader = free.unwrap_or_else(|| lock(&readers[turn % readers.len()]));
        let snapshot = reader.transaction().map_err(sql_error)?;
        work(&snapshot)
    }
}

/// A connection's lock; a thread that panicked holding it left the connection usable (SQLite
/// rolls back the open transaction when it is dropped).
fn lock(connection: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    connection.lock().unwrap_or_else(|e| e.into_inner())
}

#[async_trait]
impl Table for SqliteTable {
    async fn get(&self, key: &Key) -> Result<Option<Item>, TableError> {
        self.with_reader(|conn| read_item(conn, key).map_err(sql_error))
    }

    async fn get_many(&self, keys: &[Key]) -> Result<Vec<Item>, TableError> {
        let mut keys = keys.to_vec();
        keys.sort();
        keys.dedup();
        self.with_reader(|conn| {
            let mut items = Vec::with_capacity(keys.len());
            for key in &keys {
                if let Some(item) = read_item(conn, key).map_err(sql_error)? {
                    items.push(item);
                }
            }
            Ok(items)
        })
    }

    async fn query(&self, query: &Query) -> Result<Page, TableError> {
        self.with_reader(|conn| run_query(conn, query).map_err(sql_error))
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), TableError> {
        check_transaction(&writes)?;
        let (done, outcome) = tokio::sync::oneshot::channel();
        let stopped =
            || TableError::Unavailable(format!("{}: the writer stopped", self.path.display()));
        self.writer
            .send(Job { writes, done })
            .map_err(|_| stopped())?;
        outcome.await.map_err(|_| stopped())?
    }
}

/// The writer thread: waits for a transaction, takes the others queued behind it (up to
/// [`GROUP`]), commits them together and tells each its outcome. Ends when the table is dropped.
fn write_groups(mut conn: Connection, jobs: &std::sync::mpsc::Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut group = vec![first];
        group.extend(jobs.try_iter().take(GROUP - 1));
        let outcomes = commit_group(&mut conn, &group);
        for (job, outcome) in group.into_iter().zip(outcomes) {
            // A caller that stopped waiting (its request was dropped) needs no answer.
            let _ = job.done.send(outcome);
        }
    }
}

/// Each job's outcome once the group's commit is known: a job whose savepoint held is written
/// if and only if the commit succeeds.
fn commit_group(conn: &mut Connection, group: &[Job]) -> Vec<Result<(), TableError>> {
    let everyone = |e: TableError| group.iter().map(|_| Err(e.clone())).collect();
    let mut tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => return everyone(sql_error(e)),
    };
    let outcomes: Vec<_> = group
        .iter()
        .map(|job| one_transaction(&mut tx, &job.writes))
        .collect();
    match tx.commit() {
        Ok(()) => outcomes,
        Err(e) => everyone(sql_error(e)),
    }
}

/// One transaction of a group, in a savepoint: all its writes when every condition holds, else
/// none (dropping the savepoint rolls back to it).
fn one_transaction(tx: &mut rusqlite::Transaction<'_>, writes: &[Write]) -> Result<(), TableError> {
    let savepoint = tx.savepoint().map_err(sql_error)?;
    let mut failed = Vec::new();
    for (i, write) in writes.iter().enumerate() {
        let ok = match write {
            Write::Tally { key, change } => {
                let counter = read_item(&savepoint, key).map_err(sql_error)?;
                counter.is_some_and(|c| {
                    let (count, limit) = tally_of(&c);
                    tally_holds(*change, count, limit)
                })
            }
            Write::Put { .. } | Write::Delete { .. } | Write::Check { .. } => {
                match write.condition() {
                    Some(condition) => {
                        let version =
                            current_version(&savepoint, write.key()).map_err(sql_error)?;
                        holds(condition, version)
                    }
                    None => true,
                }
            }
        };
        if !ok {
            failed.push(i);
        }
    }
    if !failed.is_empty() {
        return Err(TableError::ConditionFailed(failed));
    }
    for write in writes {
        apply(&savepoint, write).map_err(sql_error)?;
    }
    savepoint.commit().map_err(sql_error)
}

fn holds(condition: Condition, version: Option<u64>) -> bool {
    match condition {
        Condition::MustNotExist => version.is_none(),
        Condition::MustExist => version.is_some(),
        Condition::VersionIs(expected) => version == Some(expected),
    }
}

fn current_version(conn: &Connection, key: &Key) -> rusqlite::Result<Option<u64>> {
    conn.prepare_cached("SELECT version FROM items WHERE pk = ?1 AND sk = ?2")?
        .query_row(params![key.pk, key.sk], |row| row.get::<_, i64>(0))
        .optional()
        .map(|v| v.map(|v| u64::try_from(v).unwrap_or(0)))
}

fn apply(conn: &Connection, write: &Write) -> rusqlite::Result<()> {
    match write {
        Write::Put { item, .. } => {
            let (ipk, isk) = match &item.index {
                Some(index) => (Some(index.pk.as_str()), Some(index.sk.as_str())),
                None => (None, None),
            };
            conn.prepare_cached(
                "INSERT OR REPLACE INTO items (pk, sk, version, gsi1pk, gsi1sk, expires_at, attrs)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                item.key.pk,
                item.key.sk,
                i64::try_from(item.version).unwrap_or(i64::MAX),
                ipk,
                isk,
                item.expires_at,
                serde_json::to_string(&item.attrs)
                    .map_err(|e| { rusqlite::Error::ToSqlConversionFailure(Box::new(e)) })?,
            ])?;
        }
        Write::Delete { key, .. } => {
            conn.prepare_cached("DELETE FROM items WHERE pk = ?1 AND sk = ?2")?
                .execute(params![key.pk, key.sk])?;
        }
        Write::Check { .. } => {}
        Write::Tally { key, change } => {
            let Some(mut counter) = read_item(conn, key)? else {
                return Ok(());
            };
            let (count, _) = tally_of(&counter);
            match change {
                Tally::Take => {
                    counter
                        .attrs
                        .insert(counter::COUNT.into(), (count + 1).into());
                }
                Tally::Release => {
                    counter
                        .attrs
                        .insert(counter::COUNT.into(), count.saturating_sub(1).into());
                }
                Tally::Limit(Some(limit)) => {
                    counter.attrs.insert(counter::LIMIT.into(), (*limit).into());
                }
                Tally::Limit(None) => {
                    counter.attrs.remove(counter::LIMIT);
                }
            }
            counter.version += 1;
            apply(conn, &Write::put(counter, None))?;
        }
    }
    Ok(())
}

/// A counter item's count and limit.
fn tally_of(item: &Item) -> (u64, Option<u64>) {
    let number = |name: &str| item.attrs.get(name).and_then(Value::as_u64);
    (number(counter::COUNT).unwrap_or(0), number(counter::LIMIT))
}

const COLUMNS: &str = "pk, sk, version, gsi1pk, gsi1sk, expires_at, attrs";

fn read_item(conn: &Connection, key: &Key) -> rusqlite::Result<Option<Item>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM items WHERE pk = ?1 AND sk = ?2"
    ))?
    .query_row(params![key.pk, key.sk], row_to_item)
    .optional()
}

fn row_to_item(row: &rusqlite::Row<'_>) -> rusqlite::Result<Item> {
    let attrs: String = row.get(6)?;
    let attrs: Map<String, Value> = serde_json::from_str(&attrs).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(6, rusqlite::types::Type::Text, e.into())
    })?;
    let index = match (
        row.get::<_, Option<String>>(3)?,
        row.get::<_, Option<String>>(4)?,
    ) {
        (Some(pk), Some(sk)) => Some(IndexKey { pk, sk }),
        _ => None,
    };
    Ok(Item {
        key: Key {
            pk: row.get(0)?,
            sk: row.get(1)?,
        },
        version: u64::try_from(row.get::<_, i64>(2)?).unwrap_or(0),
        index,
        expires_at: row.get(5)?,
        attrs,
    })
}

/// One page of a query, paged as DynamoDB pages: at most `limit` items, and never more than
/// [`MAX_PAGE_BYTES`] (at least one item). The cursor is set exactly when more items follow.
fn run_query(conn: &Connection, query: &Query) -> rusqlite::Result<Page> {
    let (pk_col, sk_col, order) = match query.source {
        Source::Table => ("pk", "sk", "sk"),
        Source::Index => ("gsi1pk", "gsi1sk", "gsi1sk, pk, sk"),
    };
    let (cmp, dir) = if query.descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    let mut sql = format!("SELECT {COLUMNS} FROM items WHERE {pk_col} = ?");
    let mut args: Vec<SqlValue> = vec![SqlValue::Text(query.partition.clone())];
    if !query.sk_prefix.is_empty() {
        sql.push_str(&format!(" AND {sk_col} >= ?"));
        args.push(SqlValue::Text(query.sk_prefix.clone()));
        if let Some(upper) = prefix_upper_bound(&query.sk_prefix) {
            sql.push_str(&format!(" AND {sk_col} < ?"));
            args.push(SqlValue::Text(upper));
        }
    }
    if let Some(cursor) = &query.start_after {
        match (query.source, &cursor.index) {
            (Source::Table, _) => {
                sql.push_str(&format!(" AND sk {cmp} ?"));
                args.push(SqlValue::Text(cursor.key.sk.clone()));
            }
            (Source::Index, Some(index)) => {
                sql.push_str(&format!(" AND (gsi1sk, pk, sk) {cmp} (?, ?, ?)"));
                args.extend([
                    SqlValue::Text(index.sk.clone()),
                    SqlValue::Text(cursor.key.pk.clone()),
                    SqlValue::Text(cursor.key.sk.clone()),
                ]);
            }
            (Source::Index, None) => {
                return Err(rusqlite::Error::InvalidParameterName(
                    "an index cursor needs the index key".into(),
                ));
            }
        }
    }
    let order_by: Vec<String> = order.split(", ").map(|c| format!("{c} {dir}")).collect();
    sql.push_str(&format!(" ORDER BY {}", order_by.join(", ")));
    if let Some(limit) = query.limit {
        // One row past the limit tells whether more follow.
        sql.push_str(&format!(" LIMIT {}", u64::from(limit) + 1));
    }

    let mut statement = conn.prepare_cached(&sql)?;
    let mut rows = statement.query(rusqlite::params_from_iter(args))?;
    let mut items: Vec<Item> = Vec::new();
    let mut bytes = 0;
    let mut more = false;
    while let Some(row) = rows.next()? {
        let item = row_to_item(row)?;
        let size = item.approximate_size();
        let full = query.limit.is_some_and(|l| items.len() == l as usize);
        if full || (!items.is_empty() && bytes + size > MAX_PAGE_BYTES) {
            more = true;
            break;
        }
        bytes += size;
        items.push(item);
    }
    let next = if more {
        items.last().map(|last| Cursor::after(last, query.source))
    } else {
        None
    };
    Ok(Page { items, next })
}

/// The least string greater than every string that starts with `prefix` (in the byte order
/// SQLite's BINARY collation and DynamoDB both use), or `None` when there is none.
fn prefix_upper_bound(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        let next = (u32::from(last) + 1..=u32::from(char::MAX)).find_map(char::from_u32);
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

fn sql_error(e: rusqlite::Error) -> TableError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            TableError::Conflict
        }
        _ => TableError::Unavailable(e.to_string()),
    }
}

fn unavailable(path: &Path, e: rusqlite::Error) -> TableError {
    TableError::Unavailable(format!("cannot open the store at {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two hundred transactions at once, each putting an item of its own and claiming one
    /// contested key: the writer commits them in groups, yet exactly one claim wins, and every
    /// loser writes nothing, not even its own item.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn transactions_committed_together_still_succeed_or_fail_alone() {
        let dir = tempfile::tempdir().unwrap();
        let table = SqliteTable::open(dir.path().join("roster.db")).unwrap();
        let item =
            |sk: &str| Item::from_body(Key::new("P", sk), 1, &serde_json::json!({})).unwrap();
        let attempts: Vec<_> = (0..200)
            .map(|i| {
                let (table, own, claim) =
                    (table.clone(), item(&format!("own#{i:03}")), item("claim"));
                tokio::spawn(async move {
                    table
                        .transact(vec![
                            Write::put(own, Condition::MustNotExist),
                            Write::put(claim, Condition::MustNotExist),
                        ])
                        .await
                })
            })
            .collect();
        let mut won = Vec::new();
        for (i, attempt) in attempts.into_iter().enumerate() {
            match attempt.await.unwrap() {
                Ok(()) => won.push(i),
                Err(e) => assert_eq!(e, TableError::ConditionFailed(vec![1])),
            }
        }
        assert_eq!(won.len(), 1, "{won:?}");
        let page = table
            .query(&Query::partition("P").prefix("own#"))
            .await
            .unwrap();
        let owned: Vec<String> = page.items.iter().map(|i| i.key.sk.clone()).collect();
        assert_eq!(owned, vec![format!("own#{:03}", won[0])]);
    }

    #[test]
    fn prefix_bounds_cover_exactly_the_prefix() {
        assert_eq!(prefix_upper_bound("USER#").as_deref(), Some("USER$"));
        assert_eq!(prefix_upper_bound("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(prefix_upper_bound("\u{10FFFF}"), None);
        // Surrogates are not chars: the bound skips them.
        assert_eq!(prefix_upper_bound("\u{D7FF}").as_deref(), Some("\u{E000}"));
    }
}
