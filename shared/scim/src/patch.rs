//! PATCH (RFC 7644 §3.5.2): a request's operations read into typed [`PatchOperation`]s, then
//! applied to a resource's SCIM JSON. The caller renders the resource, applies the patch, and
//! reads the result back as it would a `PUT` body, so PATCH and PUT meet the same rules.
//!
//! Real clients' dialects are accepted: `op` in any case (Entra sends `"Replace"`), `"True"` and
//! `"False"` for booleans, a path-less operation whose value object has dotted keys
//! (`{"name.givenName": "Ana"}`), a removal of members given as a value list, and an `add` or
//! `replace` through a value filter that matches nothing (`emails[type eq "work"].value`)
//! creating the value the filter describes. Attributes Roster does not hold (the enterprise
//! extension, `addresses`, …) are accepted and ignored, as on create.

use std::collections::HashSet;

use serde_json::{Map, Value};

use crate::error::{ScimError, ScimType};
use crate::filter::{Filter, Literal, lookup};
use crate::path::PatchPath;
use crate::schema::{Attribute, Kind, Mutability, ResourceSchema};

pub const PATCH_OP_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// How many operations one request may carry.
pub const MAX_OPERATIONS: usize = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchOp {
    Add,
    Replace,
    Remove,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PatchOperation {
    pub op: PatchOp,
    pub path: Option<PatchPath>,
    pub value: Option<Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PatchRequest {
    pub operations: Vec<PatchOperation>,
}

fn invalid(scim_type: ScimType, detail: impl Into<String>) -> ScimError {
    ScimError::bad_request(scim_type, detail)
}

impl PatchRequest {
    pub fn parse(body: &Value) -> Result<Self, ScimError> {
        let schemas = lookup(body, "schemas").and_then(Value::as_array);
        if !schemas.is_some_and(|s| s.iter().any(|s| s == PATCH_OP_SCHEMA)) {
            return Err(invalid(
                ScimType::InvalidSyntax,
                format!("a PATCH body lists the schema {PATCH_OP_SCHEMA}"),
            ));
        }
        let operations = lookup(body, "Operations")
            .and_then(Value::as_array)
            .ok_or_else(|| invalid(ScimType::InvalidSyntax, "a PATCH body has Operations"))?;
        if operations.len() > MAX_OPERATIONS {
            return Err(invalid(
                ScimType::TooMany,
                format!("at most {MAX_OPERATIONS} operations in one PATCH"),
            ));
        }
        operations
            .iter()
            .map(PatchOperation::parse)
            .collect::<Result<_, _>>()
            .map(|operations| Self { operations })
    }

    /// Applies every operation to `resource` in order; any failure leaves the caller to drop
    /// the half-patched copy (nothing is written).
    pub fn apply(&self, schema: &ResourceSchema, resource: &mut Value) -> Result<(), ScimError> {
        let object = resource
            .as_object_mut()
            .ok_or_else(|| invalid(ScimType::InvalidValue, "the resource is not an object"))?;
        for operation in &self.operations {
            operation.apply(schema, object)?;
        }
        Ok(())
    }
}

impl PatchOperation {
    fn parse(value: &Value) -> Result<Self, ScimError> {
        let op = match lookup(value, "op").and_then(Value::as_str) {
            Some(op) if op.eq_ignore_ascii_case("add") => PatchOp::Add,
            Some(op) if op.eq_ignore_ascii_case("replace") => PatchOp::Replace,
            Some(op) if op.eq_ignore_ascii_case("remove") => PatchOp::Remove,
            Some(op) => {
                return Err(invalid(
                    ScimType::InvalidSyntax,
                    format!("`{op}` is not a PATCH op (add, replace, remove)"),
                ));
            }
            None => return Err(invalid(ScimType::InvalidSyntax, "an operation has an op")),
        };
        let path = match lookup(value, "path") {
            None | Some(Value::Null) => None,
            Some(Value::String(path)) if path.trim().is_empty() => None,
            Some(Value::String(path)) => Some(
                PatchPath::parse(path)
                    .map_err(|e| invalid(ScimType::InvalidPath, e.to_string()))?,
            ),
            Some(_) => return Err(invalid(ScimType::InvalidPath, "a path is a string")),
        };
        let value = lookup(value, "value").cloned();
        match (op, &path, &value) {
            (PatchOp::Remove, None, _) => Err(invalid(
                ScimType::NoTarget,
                "a remove operation names a path",
            )),
            (PatchOp::Add | PatchOp::Replace, _, None) => Err(invalid(
                ScimType::InvalidValue,
                "an add or replace operation has a value",
            )),
            (PatchOp::Add | PatchOp::Replace, None, Some(v)) if !v.is_object() => Err(invalid(
                ScimType::InvalidValue,
                "without a path, the value is an object of attributes",
            )),
            _ => Ok(Self { op, path, value }),
        }
    }

    fn apply(
        &self,
        schema: &ResourceSchema,
        resource: &mut Map<String, Value>,
    ) -> Result<(), ScimError> {
        match (&self.path, &self.value) {
            (Some(path), value) => at_path(schema, resource, self.op, path, value.as_ref()),
            (None, Some(Value::Object(attributes))) => {
                for (key, value) in attributes {
                    // Extension objects (`"urn:…:enterprise:2.0:User": {…}`) and unknown names
                    // are ignored; dotted keys are paths.
                    let Ok(path) = PatchPath::parse(key) else {
                        continue;
                    };
                    at_path(schema, resource, self.op, &path, Some(value))?;
                }
                Ok(())
            }
            (None, _) => Err(invalid(ScimType::NoTarget, "the operation names nothing")),
        }
    }
}

/// Whether a path belongs to the resource's own schema (no URN, or the resource's URN).
fn own_schema(schema: &ResourceSchema, path: &PatchPath) -> bool {
    path.attr
        .schema
        .as_deref()
        .is_none_or(|urn| urn.eq_ignore_ascii_case(schema.id))
}

fn at_path(
    schema: &ResourceSchema,
    resource: &mut Map<String, Value>,
    op: PatchOp,
    path: &PatchPath,
    value: Option<&Value>,
) -> Result<(), ScimError> {
    let Some(attribute) = schema
        .attribute(&path.attr.attr)
        .filter(|_| own_schema(schema, path))
    else {
        return Ok(());
    };
    if attribute.mutability == Mutability::ReadOnly {
        return Ok(());
    }
    let sub = path.sub.as_deref().or(path.attr.sub.as_deref());
    let sub_attribute = match sub {
        Some(name) => match attribute
            .sub_attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
        {
            Some(found) => Some(found),
            None => return Ok(()),
        },
        None => None,
    };
    let value = value.map(|v| coerced(sub_attribute.unwrap_or(attribute), v));
    let target = sub_attribute.unwrap_or(attribute);
    if op == PatchOp::Remove && path.filter.is_none() && target.required {
        return Err(invalid(
            ScimType::InvalidValue,
            format!("{} is required and cannot be removed", target.name),
        ));
    }
    match &path.filter {
        Some(filter) => through_filter(
            schema,
            resource,
            attribute,
            op,
            filter,
            sub_attribute,
            value,
        ),
        None => match (op, sub_attribute) {
            (PatchOp::Remove, None) => {
                remove_attribute(resource, attribute, value.as_ref());
                Ok(())
            }
            (PatchOp::Remove, Some(sub)) => {
                for item in values_mut(resource, attribute) {
                    if let Some(object) = item.as_object_mut() {
                        object.retain(|k, _| !k.eq_ignore_ascii_case(sub.name));
                    }
                }
                Ok(())
            }
            (PatchOp::Add | PatchOp::Replace, None) => {
                set_attribute(resource, attribute, op, value.unwrap_or(Value::Null));
                Ok(())
            }
            (PatchOp::Add | PatchOp::Replace, Some(sub)) => {
                let value = value.unwrap_or(Value::Null);
                if attribute.multi_valued {
                    for item in values_mut(resource, attribute) {
                        if let Some(object) = item.as_object_mut() {
                            put(object, sub.name, value.clone());
                        }
                    }
                } else {
                    let slot = entry(resource, attribute.name)
                        .or_insert_with(|| Value::Object(Map::new()));
                    if !slot.is_object() {
                        *slot = Value::Object(Map::new());
                    }
                    if let Some(object) = slot.as_object_mut() {
                        put(object, sub.name, value);
                    }
                }
                Ok(())
            }
        },
    }
}

fn through_filter(
    schema: &ResourceSchema,
    resource: &mut Map<String, Value>,
    attribute: &Attribute,
    op: PatchOp,
    filter: &Filter,
    sub: Option<&Attribute>,
    value: Option<Value>,
) -> Result<(), ScimError> {
    if !attribute.multi_valued {
        return Err(invalid(
            ScimType::InvalidFilter,
            format!(
                "{} has one value; a value filter needs many",
                attribute.name
            ),
        ));
    }
    let wrapper = |item: &Value| {
        let mut outer = Map::new();
        outer.insert(attribute.name.to_owned(), Value::Array(vec![item.clone()]));
        Value::Object(outer)
    };
    let as_value_path = Filter::ValuePath {
        attr: crate::path::AttrPath {
            schema: None,
            attr: attribute.name.to_owned(),
            sub: None,
        },
        filter: Box::new(filter.clone()),
    };
    let matches = |item: &Value| as_value_path.matches(schema, &wrapper(item));
    let items = entry(resource, attribute.name).or_insert_with(|| Value::Array(Vec::new()));
    if !items.is_array() {
        *items = Value::Array(Vec::new());
    }
    let Value::Array(items) = items else {
        return Ok(());
    };
    match op {
        PatchOp::Remove => {
            match sub {
                None => items.retain(|item| !matches(item)),
                Some(sub) => {
                    for item in items.iter_mut().filter(|i| matches(i)) {
                        if let Some(object) = item.as_object_mut() {
                            object.retain(|k, _| !k.eq_ignore_ascii_case(sub.name));
                        }
                    }
                }
            }
            Ok(())
        }
        PatchOp::Add | PatchOp::Replace => {
            let value = value.unwrap_or(Value::Null);
            let mut found = false;
            for item in items.iter_mut() {
                if !matches(item) {
                    continue;
                }
                found = true;
                match (sub, item.as_object_mut(), &value) {
                    (Some(sub), Some(object), _) => put(object, sub.name, value.clone()),
                    (None, Some(object), Value::Object(fields)) => {
                        for (k, v) in fields {
                            put(object, k, v.clone());
                        }
                    }
                    (None, _, _) => *item = value.clone(),
                    (Some(_), None, _) => {}
                }
            }
            if found {
                return Ok(());
            }
            // Nothing matched: create the value the filter describes, when it describes one.
            let Some(mut described) = described_by(filter) else {
                return Err(invalid(
                    ScimType::NoTarget,
                    format!("no value of {} matches the filter", attribute.name),
                ));
            };
            match (sub, value) {
                (Some(sub), value) => put(&mut described, sub.name, value),
                (None, Value::Object(fields)) => described.extend(fields),
                (None, _) => {
                    return Err(invalid(
                        ScimType::InvalidValue,
                        "a value for a filtered path is an object",
                    ));
                }
            }
            items.push(Value::Object(described));
            Ok(())
        }
    }
}

/// The value `type eq "work" and primary eq true` describes: each equality as a field.
fn described_by(filter: &Filter) -> Option<Map<String, Value>> {
    let mut fields = Map::new();
    let mut pending = vec![filter];
    while let Some(filter) = pending.pop() {
        match filter {
            Filter::And(a, b) => pending.extend([a.as_ref(), b.as_ref()]),
            Filter::Compare {
                path,
                op: crate::filter::CompareOp::Eq,
                value,
            } if path.sub.is_none() => {
                let value = match value {
                    Literal::String(s) => Value::String(s.clone()),
                    Literal::Bool(b) => Value::Bool(*b),
                    Literal::Number(n) => Value::Number(n.clone()),
                    Literal::Null => return None,
                };
                fields.insert(path.attr.clone(), value);
            }
            _ => return None,
        }
    }
    Some(fields)
}

/// A value as the attribute's type wants it: `"True"`/`"False"` are booleans.
fn coerced(attribute: &Attribute, value: &Value) -> Value {
    match (attribute.kind, value) {
        (Kind::Boolean, Value::String(s)) => match crate::dialect::boolean(s) {
            Some(b) => Value::Bool(b),
            None => value.clone(),
        },
        (Kind::Complex, Value::Object(fields)) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| {
                    let v = match attribute
                        .sub_attributes
                        .iter()
                        .find(|a| a.name.eq_ignore_ascii_case(k))
                    {
                        Some(sub) => coerced(sub, v),
                        None => v.clone(),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        (Kind::Complex, Value::Array(items)) => {
            Value::Array(items.iter().map(|v| coerced(attribute, v)).collect())
        }
        _ => value.clone(),
    }
}

/// The resource's member for `name` whatever its case, renamed to `name`.
fn entry<'m>(resource: &'m mut Map<String, Value>, name: &str) -> serde_json::map::Entry<'m> {
    if let Some(sent) = resource
        .keys()
        .find(|k| k.eq_ignore_ascii_case(name) && k.as_str() != name)
        .cloned()
    {
        if let Some(value) = resource.remove(&sent) {
            resource.insert(name.to_owned(), value);
        }
    }
    resource.entry(name)
}

fn put(object: &mut Map<String, Value>, name: &str, value: Value) {
    object.retain(|k, _| !k.eq_ignore_ascii_case(name) || k == name);
    object.insert(name.to_owned(), value);
}

fn values_mut<'m>(
    resource: &'m mut Map<String, Value>,
    attribute: &Attribute,
) -> Vec<&'m mut Value> {
    match entry(resource, attribute.name) {
        serde_json::map::Entry::Occupied(slot) => match slot.into_mut() {
            Value::Array(items) => items.iter_mut().collect(),
            other => vec![other],
        },
        serde_json::map::Entry::Vacant(_) => Vec::new(),
    }
}

/// What identifies one value of a multi-valued attribute: its `value`, else all of it.
fn identity(item: &Value) -> String {
    match lookup(item, "value") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => item.to_string(),
    }
}

fn set_attribute(
    resource: &mut Map<String, Value>,
    attribute: &Attribute,
    op: PatchOp,
    value: Value,
) {
    let slot = entry(resource, attribute.name);
    match (attribute.multi_valued, op) {
        (true, PatchOp::Add) => {
            let incoming = match value {
                Value::Array(items) => items,
                one => vec![one],
            };
            let items = slot.or_insert_with(|| Value::Array(Vec::new()));
            if !items.is_array() {
                *items = Value::Array(Vec::new());
            }
            if let Value::Array(items) = items {
                let mut seen: HashSet<String> = items.iter().map(identity).collect();
                for item in incoming {
                    if seen.insert(identity(&item)) {
                        items.push(item);
                    }
                }
            }
        }
        (true, PatchOp::Replace) => {
            let items = match value {
                Value::Array(items) => items,
                Value::Null => Vec::new(),
                one => vec![one],
            };
            match slot {
                serde_json::map::Entry::Occupied(mut s) => {
                    s.insert(Value::Array(items));
                }
                serde_json::map::Entry::Vacant(s) => {
                    s.insert(Value::Array(items));
                }
            }
        }
        (false, _) if attribute.kind == Kind::Complex => {
            let current = slot.or_insert_with(|| Value::Object(Map::new()));
            match (current.as_object_mut(), value) {
                (Some(object), Value::Object(fields)) => {
                    for (k, v) in fields {
                        put(object, &k, v);
                    }
                }
                (_, other) => *current = other,
            }
        }
        (false, _) | (true, PatchOp::Remove) => match slot {
            serde_json::map::Entry::Occupied(mut s) => {
                s.insert(value);
            }
            serde_json::map::Entry::Vacant(s) => {
                s.insert(value);
            }
        },
    }
}

fn remove_attribute(
    resource: &mut Map<String, Value>,
    attribute: &Attribute,
    value: Option<&Value>,
) {
    match (attribute.multi_valued, value) {
        // `{"op": "remove", "path": "members", "value": [{"value": "…"}]}`: those values only.
        (true, Some(Value::Array(gone))) if !gone.is_empty() => {
            let gone: HashSet<String> = gone.iter().map(identity).collect();
            if let serde_json::map::Entry::Occupied(mut slot) = entry(resource, attribute.name) {
                if let Value::Array(items) = slot.get_mut() {
                    items.retain(|item| !gone.contains(&identity(item)));
                }
            }
        }
        _ => {
            resource.retain(|k, _| !k.eq_ignore_ascii_case(attribute.name));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::schema::{GROUP, USER};

    fn patch(schema: &ResourceSchema, resource: Value, operations: Value) -> Value {
        let request = PatchRequest::parse(&json!({
            "schemas": [PATCH_OP_SCHEMA],
            "Operations": operations,
        }))
        .unwrap();
        let mut resource = resource;
        request.apply(schema, &mut resource).unwrap();
        resource
    }

    fn user() -> Value {
        json!({
            "id": "01J",
            "userName": "ana",
            "name": {"givenName": "Ana", "familyName": "Silva"},
            "active": true,
            "emails": [{"value": "ana@example.com", "type": "work", "primary": true}],
        })
    }

    #[test]
    fn okta_deactivates_with_a_path_less_replace() {
        let after = patch(
            &USER,
            user(),
            json!([{"op": "replace", "value": {"active": false}}]),
        );
        assert_eq!(after["active"], false);
        assert_eq!(after["userName"], "ana");
    }

    #[test]
    fn entra_sends_capitalised_ops_string_booleans_and_dotted_keys() {
        let after = patch(
            &USER,
            user(),
            json!([
                {"op": "Replace", "path": "active", "value": "False"},
                {"op": "Replace", "value": {"name.familyName": "Souza", "ACTIVE": "True"}},
                {"op": "Add", "path": "emails[type eq \"work\"].value", "value": "ana@new.example"},
            ]),
        );
        assert_eq!(after["active"], true);
        assert_eq!(
            after["name"],
            json!({"givenName": "Ana", "familyName": "Souza"})
        );
        assert_eq!(after["emails"][0]["value"], "ana@new.example");
        assert_eq!(after["emails"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn a_filtered_add_that_matches_nothing_creates_the_described_value() {
        let after = patch(
            &USER,
            user(),
            json!([{"op": "add", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+351912345678"}]),
        );
        assert_eq!(
            after["phoneNumbers"],
            json!([{"type": "mobile", "value": "+351912345678"}])
        );
    }

    #[test]
    fn members_are_added_once_and_removed_by_filter_or_by_value_list() {
        let group =
            json!({"id": "G", "displayName": "Ops", "members": [{"value": "A"}, {"value": "B"}]});
        let after = patch(
            &GROUP,
            group,
            json!([
                {"op": "add", "path": "members", "value": [{"value": "B"}, {"value": "C"}, {"value": "D"}]},
                {"op": "remove", "path": "members[value eq \"A\"]"},
                {"op": "Remove", "path": "members", "value": [{"value": "C"}]},
            ]),
        );
        assert_eq!(after["members"], json!([{"value": "B"}, {"value": "D"}]));
    }

    #[test]
    fn replacing_members_replaces_the_list_and_removing_them_all_empties_it() {
        let group = json!({"id": "G", "displayName": "Ops", "members": [{"value": "A"}]});
        let replaced = patch(
            &GROUP,
            group.clone(),
            json!([{"op": "replace", "path": "members", "value": [{"value": "Z"}]}]),
        );
        assert_eq!(replaced["members"], json!([{"value": "Z"}]));
        let emptied = patch(&GROUP, group, json!([{"op": "remove", "path": "members"}]));
        assert!(emptied.get("members").is_none());
    }

    #[test]
    fn read_only_and_unknown_attributes_are_ignored() {
        let after = patch(
            &USER,
            user(),
            json!([
                {"op": "replace", "path": "id", "value": "other"},
                {"op": "add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber", "value": "7"},
                {"op": "add", "value": {"addresses": [{"locality": "Porto"}], "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Ops"}}},
            ]),
        );
        assert_eq!(after, user());
    }

    #[test]
    fn a_required_attribute_cannot_be_removed() {
        for path in ["active", "userName", "name.givenName", "emails"] {
            let request = PatchRequest::parse(&json!({
                "schemas": [PATCH_OP_SCHEMA],
                "Operations": [{"op": "remove", "path": path}],
            }))
            .unwrap();
            let error = request.apply(&USER, &mut user()).unwrap_err();
            assert_eq!(error.scim_type, Some(ScimType::InvalidValue), "{path}");
            assert!(
                error.detail.ends_with("is required and cannot be removed"),
                "{path}"
            );
        }
    }

    #[test]
    fn malformed_requests_say_what_is_wrong() {
        let parse = |body: Value| PatchRequest::parse(&body).unwrap_err();
        let error = parse(json!({"Operations": []}));
        assert_eq!(error.scim_type, Some(ScimType::InvalidSyntax));
        let error = parse(
            json!({"schemas": [PATCH_OP_SCHEMA], "Operations": [{"op": "move", "path": "a"}]}),
        );
        assert_eq!(
            error.detail,
            "`move` is not a PATCH op (add, replace, remove)"
        );
        let error = parse(json!({"schemas": [PATCH_OP_SCHEMA], "Operations": [{"op": "remove"}]}));
        assert_eq!(error.scim_type, Some(ScimType::NoTarget));
        let error = parse(
            json!({"schemas": [PATCH_OP_SCHEMA], "Operations": [{"op": "add", "path": "emails[type eq"}]}),
        );
        assert_eq!(error.scim_type, Some(ScimType::InvalidPath));
    }

    #[test]
    fn a_replace_through_a_filter_that_describes_nothing_has_no_target() {
        let request = PatchRequest::parse(&json!({
            "schemas": [PATCH_OP_SCHEMA],
            "Operations": [{"op": "replace", "path": "emails[value co \"zz\"].type", "value": "home"}],
        }))
        .unwrap();
        let error = request.apply(&USER, &mut user()).unwrap_err();
        assert_eq!(error.scim_type, Some(ScimType::NoTarget));
        assert_eq!(error.status, 400);
    }
}
