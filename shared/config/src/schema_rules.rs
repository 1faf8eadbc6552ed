//! The parts of the JSON Schema that say what the loader's parsers say, generated from the same
//! domain types (role, user-type and method names, value shapes), so that an editor flags what
//! `roster validate` refuses wherever JSON Schema can say it — and never refuses what the loader
//! accepts: names in any case with surrounding blanks, phone numbers with their punctuation.

use roster_domain::values::{ContactMethodKind, Role, UserType, ValueShape};
use schemars::{Schema, SchemaGenerator, json_schema};
use serde_json::{Value, json};

/// `word` matched in any case, as the loader's `fold` reads it (the names are ASCII).
fn any_case(word: &str) -> String {
    word.chars()
        .map(|c| match c {
            c if c.is_ascii_alphabetic() => {
                format!("[{}{}]", c.to_ascii_lowercase(), c.to_ascii_uppercase())
            }
            c if "\\^$.|?*+()[]{}/".contains(c) => format!("\\{c}"),
            c => c.to_string(),
        })
        .collect()
}

/// One of `names` (ids and display names): listed for completion, and matched in any case with
/// surrounding blanks as the loader accepts them.
fn names(names: &[&str], description: &str) -> Schema {
    let mut schema = name_match(names);
    schema.insert("description".into(), description.into());
    schema
}

/// One of `names`, without a description: for conditions.
fn name_match(names: &[&str]) -> Schema {
    let mut folded: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
    folded.sort();
    folded.dedup();
    let alternatives: Vec<String> = folded.iter().map(|n| any_case(n)).collect();
    json_schema!({
        "anyOf": [
            { "enum": names },
            { "type": "string", "pattern": format!("^\\s*(?:{})\\s*$", alternatives.join("|")) }
        ]
    })
}

fn ids_and_display_names<T: Copy>(
    all: &[T],
    id: fn(T) -> &'static str,
    display: fn(T) -> &'static str,
) -> Vec<&'static str> {
    let mut out: Vec<&str> = all.iter().map(|v| id(*v)).collect();
    out.extend(all.iter().map(|v| display(*v)));
    out
}

/// The methods a file may list: every kind but `push`, which belongs to devices.
fn listable_methods() -> Vec<ContactMethodKind> {
    ContactMethodKind::ALL
        .iter()
        .copied()
        .filter(|k| *k != ContactMethodKind::Push)
        .collect()
}

fn method_names(kinds: &[ContactMethodKind]) -> Vec<&'static str> {
    ids_and_display_names(
        kinds,
        ContactMethodKind::id,
        ContactMethodKind::display_name,
    )
}

/// An email address as the loader takes it: a bare address with a dotted domain.
pub const EMAIL_PATTERN: &str = r"^\s*\S.*@[^@\s]+\.[^@\s]+\s*$";

/// A phone number with its country code: `+`, then 7 to 15 digits (E.164's most) with the
/// punctuation people write between them.
pub const PHONE_PATTERN: &str = r"^\s*\+(?:[ ().-]*[0-9]){7,15}[ ().-]*\s*$";

pub fn email(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "string",
        "description": "An email address.",
        "pattern": EMAIL_PATTERN
    })
}

pub fn role(_: &mut SchemaGenerator) -> Schema {
    names(
        &ids_and_display_names(Role::ALL, Role::id, Role::display_name),
        "A platform role, by id or display name.",
    )
}

pub fn roles(generator: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "Platform roles, standard users only, at least one: app-admin, basic, \
                        billing-admin, integrations-admin, send-message, system-viewer (display \
                        names are accepted too).",
        "type": "array",
        "minItems": 1,
        "items": role(generator)
    })
}

pub fn user_type(_: &mut SchemaGenerator) -> Schema {
    names(
        &ids_and_display_names(UserType::ALL, UserType::id, UserType::display_name),
        "`standard` (default), `stakeholder` or `billing-admin`; never changes after creation.",
    )
}

pub fn method(_: &mut SchemaGenerator) -> Schema {
    names(
        &method_names(&listable_methods()),
        "A contact method; `push` belongs to devices and is never listed.",
    )
}

pub fn member_role(_: &mut SchemaGenerator) -> Schema {
    names(
        &["primary", "secondary", "manager"],
        "A role in the group's escalation.",
    )
}

pub fn group_name(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "string",
        "description": "A group's name (not blank).",
        "pattern": "\\S"
    })
}

pub fn previously(generator: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "description": "Names the group had before: a live group under one of them is renamed to \
                        `name` in place, keeping its id, members and shifts. None may be a group \
                        of the file, or a former name of another group.",
        "type": "array",
        "items": group_name(generator)
    })
}

/// `{"properties": {"method": <one of kinds>}, "required": ["method"]}`.
fn method_is(kinds: &[ContactMethodKind]) -> Value {
    let names = name_match(&method_names(kinds)).to_value();
    json!({ "properties": { "method": names }, "required": ["method"] })
}

/// A contact method's value has the shape its method needs, and `email-official` has none.
pub fn contact_rules(schema: &mut Schema) {
    let of_shape = |shape: ValueShape| -> Vec<ContactMethodKind> {
        listable_methods()
            .into_iter()
            .filter(|k| k.value_shape() == shape)
            .collect()
    };
    let rules = json!([
        {
            "if": method_is(&of_shape(ValueShape::Phone)),
            "then": { "required": ["value"], "properties": { "value": { "type": "string", "pattern": PHONE_PATTERN } } }
        },
        {
            "if": method_is(&of_shape(ValueShape::Email)),
            "then": { "required": ["value"], "properties": { "value": { "type": "string", "pattern": EMAIL_PATTERN } } }
        },
        {
            "if": method_is(&of_shape(ValueShape::AccountEmail)),
            "then": { "not": { "required": ["value"] } }
        }
    ]);
    schema.insert("allOf".into(), rules);
}

/// Only standard users hold roles; billing admins receive no alerts, so list no methods.
pub fn user_rules(schema: &mut Schema) {
    let of_type = |t: UserType| {
        let names = name_match(&[t.id(), t.display_name()]).to_value();
        json!({ "properties": { "user_type": names }, "required": ["user_type"] })
    };
    let rules = json!([
        {
            "if": { "anyOf": [of_type(UserType::Stakeholder), of_type(UserType::BillingAdmin)] },
            "then": { "not": { "required": ["roles"] } }
        },
        {
            "if": of_type(UserType::BillingAdmin),
            "then": { "properties": { "contact_methods": { "maxItems": 0 } } }
        }
    ]);
    schema.insert("allOf".into(), rules);
}
