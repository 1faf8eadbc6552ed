//! The DynamoDB adapter of the table port: one table, one sparse GSI, TransactWriteItems with
//! condition expressions, and cancellation reasons mapped back to the writes that failed.

mod codec;
mod errors;
pub mod iam;
mod setup;
mod table;

pub use setup::{create_table, delete_table};

/// An item as the DynamoDB attributes the adapter stores, for writing items in bulk outside the
/// port (benchmarks seed 60,000 items with BatchWriteItem; transactions would take far longer).
pub fn item_attributes(
    item: &roster_domain::ports::table::Item,
) -> Result<
    std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>,
    roster_domain::ports::table::TableError,
> {
    codec::encode(item)
}
pub use table::{DynamoTable, MAX_BATCH_GET, retry_policy};
