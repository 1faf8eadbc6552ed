//! Roster's embedded adapters, so the product runs on a fresh machine with nothing installed:
//! the table port on one SQLite file, and the mailer port as a folder of `.eml` files.

mod migrations;
mod outbox;
mod sqlite;

pub use outbox::OutboxFolder;
pub use sqlite::SqliteTable;
