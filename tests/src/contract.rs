//! openapi.yaml as a check on every answer the black-box suite gets over HTTP: the operation is
//! found by method and path, the status must be one it documents, and a body must be of a
//! content type documented for that status and validate against its schema. A drift between the
//! API and its contract fails the test whose request found it.
//!
//! openapi.yaml is OpenAPI 3.0, whose schemas are JSON Schema draft 4 plus `nullable`: each
//! `nullable: true` becomes a `"null"` type (or alternative) and the result is checked as draft
//! 4 by the `jsonschema` crate. Paths outside the contract (SCIM, which RFC 7643 describes; the
//! console's files; unknown routes) are not checked.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use http::Method;
use serde_json::{Map, Value};

use crate::http::Reply;

const OPENAPI: &str = include_str!("../../openapi.yaml");
const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

struct Operation {
    method: Method,
    /// The path template's segments: `None` for a `{parameter}`.
    segments: Vec<Option<String>>,
    /// The operation's responses, with `$ref`s to `components/responses` followed.
    responses: Map<String, Value>,
    name: String,
}

struct Contract {
    /// openapi.yaml as JSON Schema, the root every `$ref` resolves against.
    document: Value,
    operations: Vec<Operation>,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| {
        let mut document: Value = serde_norway::from_str(OPENAPI).expect("openapi.yaml parses");
        draft4(&mut document);
        let mut operations = Vec::new();
        for (template, item) in document["paths"].as_object().expect("paths") {
            for method in METHODS {
                let Some(operation) = item.get(method) else {
                    continue;
                };
                let responses = operation["responses"]
                    .as_object()
                    .expect("responses")
                    .iter()
                    .map(|(status, response)| (status.clone(), followed(&document, response)))
                    .collect();
                operations.push(Operation {
                    method: method.to_uppercase().parse().expect("method"),
                    segments: template
                        .trim_start_matches('/')
                        .split('/')
                        .map(|s| (!s.starts_with('{')).then(|| s.to_owned()))
                        .collect(),
                    responses,
                    name: format!("{} {template}", method.to_uppercase()),
                });
            }
        }
        Contract {
            document,
            operations,
            validators: Mutex::new(HashMap::new()),
        }
    })
}

/// A response object, its `$ref` followed.
fn followed(document: &Value, response: &Value) -> Value {
    match response.get("$ref").and_then(Value::as_str) {
        Some(pointer) => document
            .pointer(pointer.trim_start_matches('#'))
            .cloned()
            .unwrap_or_else(|| panic!("openapi.yaml: {pointer} is not there")),
        None => response.clone(),
    }
}

/// OpenAPI 3.0's `nullable: true` in draft 4's terms, everywhere in the document.
fn draft4(value: &mut Value) {
    match value {
        Value::Object(object) => {
            for child in object.values_mut() {
                draft4(child);
            }
            if object.remove("nullable") != Some(Value::Bool(true)) {
                return;
            }
            if let Some(kind) = object.get("type").and_then(Value::as_str) {
                let kind = kind.to_owned();
                object.insert("type".into(), serde_json::json!([kind, "null"]));
                if let Some(Value::Array(values)) = object.get_mut("enum") {
                    values.push(Value::Null);
                }
            } else {
                let schema = Value::Object(std::mem::take(object));
                object.insert(
                    "anyOf".into(),
                    serde_json::json!([schema, {"type": "null"}]),
                );
            }
        }
        Value::Array(items) => items.iter_mut().for_each(draft4),
        _ => {}
    }
}

/// The operation `path` (without its query) names: among the templates it fits, the one with
/// the most fixed segments (`/users/export` before `/users/{id}`).
fn operation<'c>(contract: &'c Contract, method: &Method, path: &str) -> Option<&'c Operation> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    contract
        .operations
        .iter()
        .filter(|op| op.method == *method && op.segments.len() == segments.len())
        .filter(|op| {
            op.segments
                .iter()
                .zip(&segments)
                .all(|(fixed, given)| fixed.as_deref().is_none_or(|fixed| fixed == *given))
        })
        .max_by_key(|op| op.segments.iter().filter(|s| s.is_some()).count())
}

/// Checks `reply` against what openapi.yaml says `method` `path` answers.
pub fn check(method: &Method, path: &str, reply: &Reply) -> Result<(), String> {
    let contract = contract();
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let Some(op) = operation(contract, method, path) else {
        return Ok(());
    };
    let status = reply.status.to_string();
    let wildcard = format!("{}XX", &status[..1]);
    let Some(response) = op
        .responses
        .get(&status)
        .or_else(|| op.responses.get(&wildcard))
        .or_else(|| op.responses.get("default"))
    else {
        return Err(format!(
            "{}: status {status} is not documented ({path}): {}",
            op.name, reply.text
        ));
    };
    if reply.text.is_empty() {
        return Ok(());
    }
    let kind = reply
        .header("content-type")
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    let Some(content) = response.get("content").and_then(Value::as_object) else {
        return Err(format!(
            "{}: a {status} has no body in openapi.yaml, but this one has {kind}: {}",
            op.name, reply.text
        ));
    };
    let Some(media) = content.get(&kind) else {
        return Err(format!(
            "{}: a {status} is {} in openapi.yaml, not {kind}: {}",
            op.name,
            content.keys().cloned().collect::<Vec<_>>().join(" or "),
            reply.text
        ));
    };
    let Some(schema) = media.get("schema") else {
        return Ok(());
    };
    if !kind.ends_with("json") {
        return Ok(());
    }
    let key = format!("{}#{status}#{kind}", op.name);
    let validator = validator(contract, &key, schema);
    let problems: Vec<String> = validator
        .iter_errors(&reply.json)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}: the {status} body does not match openapi.yaml: {}\nbody: {}",
            op.name,
            problems.join("; "),
            reply.text
        ))
    }
}

/// The validator of one response schema, made once: the schema with the whole document beside
/// it, so its `$ref`s resolve.
fn validator(contract: &Contract, key: &str, schema: &Value) -> Arc<jsonschema::Validator> {
    let mut made = contract
        .validators
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    made.entry(key.to_owned())
        .or_insert_with(|| {
            let mut root = contract.document.clone();
            root.as_object_mut()
                .expect("openapi.yaml is a map")
                .insert("allOf".into(), Value::Array(vec![schema.clone()]));
            Arc::new(
                jsonschema::draft4::new(&root)
                    .unwrap_or_else(|e| panic!("openapi.yaml: the schema of {key}: {e}")),
            )
        })
        .clone()
}
