//! The SQLite schema, versioned with `PRAGMA user_version`. Append; never edit a shipped step.

use rusqlite::{Connection, TransactionBehavior};

/// One table mirrors the DynamoDB table: key, version, the sparse index's keys, TTL, and the
/// item's own attributes as a JSON object. The partial index plays the part of the GSI.
const STEPS: &[&str] = &["
    CREATE TABLE items (
        pk         TEXT    NOT NULL,
        sk         TEXT    NOT NULL,
        version    INTEGER NOT NULL,
        gsi1pk     TEXT,
        gsi1sk     TEXT,
        expires_at INTEGER,
        attrs      TEXT    NOT NULL,
        PRIMARY KEY (pk, sk)
    ) WITHOUT ROWID;
    CREATE INDEX items_gsi1 ON items (gsi1pk, gsi1sk, pk, sk) WHERE gsi1pk IS NOT NULL;
"];

/// Brings the file's schema up to date, inside one immediate transaction so that two processes
/// opening a fresh file at once do not both migrate it.
pub(crate) fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let current = usize::try_from(current).unwrap_or(0);
    for step in STEPS.iter().skip(current) {
        tx.execute_batch(step)?;
    }
    if current < STEPS.len() {
        tx.pragma_update(None, "user_version", STEPS.len() as i64)?;
    }
    tx.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrating_twice_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, STEPS.len() as i64);
    }
}
