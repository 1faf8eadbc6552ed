//! Roster's embedded adapters, so the product runs on a fresh machine with nothing installed:
//! the table port on one SQLite file, the mailer port as a folder of `.eml` files, and the push
//! port as a folder of JSON files beside it, and the signer port on a key file.

mod migrations;
mod outbox;
mod push_folder;
mod signing_key;
mod sqlite;

pub use outbox::OutboxFolder;
pub use push_folder::PushFolder;
pub use signing_key::{KeyFile, beside as signing_key_beside};
pub use sqlite::SqliteTable;
