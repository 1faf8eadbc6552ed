//! Creating the table: used by tests against moto and by `roster store init`. Production tables
//! come from `infra/template.yaml`, which declares the same keys, index and TTL attribute.

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TableStatus, TimeToLiveSpecification,
};
use roster_domain::ports::table::{TableError, schema};

use crate::errors::other_error;

/// Creates the table with its sparse index (all attributes projected, so listing users needs no
/// second read) and TTL on `expires_at`, on-demand billing.
pub async fn create_table(client: &Client, name: &str) -> Result<(), TableError> {
    let attribute = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .map_err(|e| TableError::Invalid(e.to_string()))
    };
    let key = |name: &str, key_type: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(key_type)
            .build()
            .map_err(|e| TableError::Invalid(e.to_string()))
    };
    let index = GlobalSecondaryIndex::builder()
        .index_name(schema::INDEX_NAME)
        .key_schema(key(schema::INDEX_PK, KeyType::Hash)?)
        .key_schema(key(schema::INDEX_SK, KeyType::Range)?)
        .projection(
            Projection::builder()
                .projection_type(ProjectionType::All)
                .build(),
        )
        .build()
        .map_err(|e| TableError::Invalid(e.to_string()))?;
    client
        .create_table()
        .table_name(name)
        .attribute_definitions(attribute(schema::PK)?)
        .attribute_definitions(attribute(schema::SK)?)
        .attribute_definitions(attribute(schema::INDEX_PK)?)
        .attribute_definitions(attribute(schema::INDEX_SK)?)
        .key_schema(key(schema::PK, KeyType::Hash)?)
        .key_schema(key(schema::SK, KeyType::Range)?)
        .global_secondary_indexes(index)
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .map_err(other_error)?;
    wait_until_active(client, name).await?;
    client
        .update_time_to_live()
        .table_name(name)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name(schema::TTL)
                .build()
                .map_err(|e| TableError::Invalid(e.to_string()))?,
        )
        .send()
        .await
        .map_err(other_error)?;
    Ok(())
}

/// A real table takes seconds to become ACTIVE (moto: at once); TTL can only be set after.
async fn wait_until_active(client: &Client, name: &str) -> Result<(), TableError> {
    for _ in 0..300 {
        let described = client
            .describe_table()
            .table_name(name)
            .send()
            .await
            .map_err(other_error)?;
        let status = described.table().and_then(|t| t.table_status());
        if status == Some(&TableStatus::Active) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    Err(TableError::Unavailable(format!(
        "table {name} did not become ACTIVE within 5 minutes"
    )))
}

pub async fn delete_table(client: &Client, name: &str) -> Result<(), TableError> {
    client
        .delete_table()
        .table_name(name)
        .send()
        .await
        .map_err(other_error)?;
    Ok(())
}
