//! The SQLite schema, versioned with `PRAGMA user_version`. Append; never edit a shipped step.

use rusqlite::{Connection, TransactionBehavior};

/// 1. One table mirrors the DynamoDB table: key, version, the sparse index's keys, TTL, and the
///    item's own attributes as a JSON object. The partial index plays the part of the GSI.
/// 2. The same table as an ordinary rowid table. `WITHOUT ROWID` keeps whole rows in the
///    B-tree's interior cells too, and SQLite advises it only for rows under about a twentieth
///    of a page; a user item is over 1 KiB, so the tree grew deep and each lookup slowed as the
///    file grew (the first apply of 10,000 users took more than twice that of 5,000). A rowid
///    table keeps only keys in the primary-key index.
const STEPS: &[&str] = &[
    "
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
",
    "
    CREATE TABLE items_rowid (
        pk         TEXT    NOT NULL,
        sk         TEXT    NOT NULL,
        version    INTEGER NOT NULL,
        gsi1pk     TEXT,
        gsi1sk     TEXT,
        expires_at INTEGER,
        attrs      TEXT    NOT NULL,
        PRIMARY KEY (pk, sk)
    );
    INSERT INTO items_rowid SELECT pk, sk, version, gsi1pk, gsi1sk, expires_at, attrs FROM items;
    DROP TABLE items;
    ALTER TABLE items_rowid RENAME TO items;
    CREATE INDEX items_gsi1 ON items (gsi1pk, gsi1sk, pk, sk) WHERE gsi1pk IS NOT NULL;
",
];

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
    fn a_file_of_the_first_schema_keeps_its_items_and_index() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(STEPS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute_batch(
            "INSERT INTO items VALUES ('A', 'USER#1', 3, 'IDX', 'U1', NULL, '{\"n\":1}');
             INSERT INTO items VALUES ('A', 'USER#2', 1, NULL, NULL, 99, '{}');",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        type Row = (String, i64, Option<String>, Option<i64>, String);
        let rows: Vec<Row> = conn
            .prepare("SELECT sk, version, gsi1sk, expires_at, attrs FROM items ORDER BY sk")
            .unwrap()
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            rows,
            [
                (
                    "USER#1".into(),
                    3,
                    Some("U1".into()),
                    None,
                    r#"{"n":1}"#.into()
                ),
                ("USER#2".into(), 1, None, Some(99), "{}".into()),
            ]
        );
        let without_rowid: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name = 'items' AND sql LIKE '%WITHOUT ROWID%'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(without_rowid, 0, "items is a rowid table");
        let index: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'items_gsi1'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(index, 1, "the sparse index is rebuilt");
        let duplicate = conn.execute(
            "INSERT INTO items VALUES ('A', 'USER#1', 1, NULL, NULL, NULL, '{}')",
            [],
        );
        assert!(duplicate.is_err(), "(pk, sk) stays unique");
    }

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
