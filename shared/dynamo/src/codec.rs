//! Items to and from DynamoDB attribute maps.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use roster_domain::ports::table::{Cursor, IndexKey, Item, Key, TableError, schema};
use serde_json::{Map, Value};

pub(crate) type Attributes = HashMap<String, AttributeValue>;

pub(crate) fn s(value: &str) -> AttributeValue {
    AttributeValue::S(value.to_owned())
}

pub(crate) fn key_attributes(key: &Key) -> Attributes {
    HashMap::from([
        (schema::PK.to_owned(), s(&key.pk)),
        (schema::SK.to_owned(), s(&key.sk)),
    ])
}

pub(crate) fn encode(item: &Item) -> Result<Attributes, TableError> {
    let mut attributes: Attributes =
        serde_dynamo::aws_sdk_dynamodb_1::to_item(Value::Object(item.attrs.clone()))
            .map_err(|e| TableError::Invalid(format!("item {}: {e}", item.key)))?;
    attributes.extend(key_attributes(&item.key));
    attributes.insert(
        schema::VERSION.to_owned(),
        AttributeValue::N(item.version.to_string()),
    );
    if let Some(index) = &item.index {
        attributes.insert(schema::INDEX_PK.to_owned(), s(&index.pk));
        attributes.insert(schema::INDEX_SK.to_owned(), s(&index.sk));
    }
    if let Some(expires_at) = item.expires_at {
        attributes.insert(
            schema::TTL.to_owned(),
            AttributeValue::N(expires_at.to_string()),
        );
    }
    Ok(attributes)
}

pub(crate) fn decode(mut attributes: Attributes) -> Result<Item, TableError> {
    let pk = take_s(&mut attributes, schema::PK)?;
    let sk = take_s(&mut attributes, schema::SK)?;
    let key = Key { pk, sk };
    let version = take_n(&mut attributes, schema::VERSION)?.unwrap_or(0);
    let expires_at = take_n(&mut attributes, schema::TTL)?;
    let index = match (
        attributes.remove(schema::INDEX_PK),
        attributes.remove(schema::INDEX_SK),
    ) {
        (Some(AttributeValue::S(pk)), Some(AttributeValue::S(sk))) => Some(IndexKey { pk, sk }),
        _ => None,
    };
    let attrs: Map<String, Value> = serde_dynamo::aws_sdk_dynamodb_1::from_item(attributes)
        .map_err(|e| TableError::Invalid(format!("item {key} does not decode: {e}")))?;
    Ok(Item {
        key,
        version: u64::try_from(version).unwrap_or(0),
        index,
        expires_at,
        attrs,
    })
}

pub(crate) fn cursor_attributes(cursor: &Cursor) -> Attributes {
    let mut attributes = key_attributes(&cursor.key);
    if let Some(index) = &cursor.index {
        attributes.insert(schema::INDEX_PK.to_owned(), s(&index.pk));
        attributes.insert(schema::INDEX_SK.to_owned(), s(&index.sk));
    }
    attributes
}

pub(crate) fn cursor_from(mut attributes: Attributes) -> Result<Cursor, TableError> {
    let key = Key {
        pk: take_s(&mut attributes, schema::PK)?,
        sk: take_s(&mut attributes, schema::SK)?,
    };
    let index = match (
        attributes.remove(schema::INDEX_PK),
        attributes.remove(schema::INDEX_SK),
    ) {
        (Some(AttributeValue::S(pk)), Some(AttributeValue::S(sk))) => Some(IndexKey { pk, sk }),
        _ => None,
    };
    Ok(Cursor { key, index })
}

fn take_s(attributes: &mut Attributes, name: &str) -> Result<String, TableError> {
    match attributes.remove(name) {
        Some(AttributeValue::S(value)) => Ok(value),
        other => Err(TableError::Invalid(format!(
            "attribute {name} should be a string, found {other:?}"
        ))),
    }
}

fn take_n(attributes: &mut Attributes, name: &str) -> Result<Option<i64>, TableError> {
    match attributes.remove(name) {
        None => Ok(None),
        Some(AttributeValue::N(n)) => n
            .parse()
            .map(Some)
            .map_err(|_| TableError::Invalid(format!("attribute {name} is not an integer: {n}"))),
        Some(other) => Err(TableError::Invalid(format!(
            "attribute {name} should be a number, found {other:?}"
        ))),
    }
}
