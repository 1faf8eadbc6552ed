//! The DynamoDB adapter of the table port: one table, one sparse GSI, TransactWriteItems with
//! condition expressions, and cancellation reasons mapped back to the writes that failed.

mod codec;
mod errors;
pub mod iam;
mod setup;
mod table;

pub use setup::{create_table, delete_table};
pub use table::DynamoTable;
