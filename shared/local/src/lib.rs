//! Roster's embedded adapters, so the product runs on a fresh machine with nothing installed:
//! the table port on one SQLite file.

mod migrations;
mod sqlite;

pub use sqlite::SqliteTable;
