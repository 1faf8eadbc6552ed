//! `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5): which attributes an answer
//! carries. `id` and `schemas` are always returned; names are case-insensitive; a sub-attribute
//! (`name.givenName`) keeps or drops just that part.

use serde_json::{Map, Value};

use crate::path::AttrPath;

/// The comma-separated paths of a query parameter; unreadable ones are skipped.
fn paths(list: &str) -> Vec<AttrPath> {
    list.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .filter_map(|p| AttrPath::parse(p).ok())
        .collect()
}

fn always(name: &str) -> bool {
    name.eq_ignore_ascii_case("id") || name.eq_ignore_ascii_case("schemas")
}

/// Whether `attributes=` or `excludedAttributes=` asks to leave `name` out: what a server
/// need not read at all (a group's members).
pub fn leaves_out(name: &str, attributes: Option<&str>, excluded: Option<&str>) -> bool {
    let named = |list: &str| paths(list).iter().any(|p| p.is(name));
    match (attributes, excluded) {
        (Some(list), _) => !named(list),
        (None, Some(list)) => named(list),
        (None, None) => false,
    }
}

/// `resource` with only what the two parameters keep. `attributes` wins when both are given.
pub fn project(resource: Value, attributes: Option<&str>, excluded: Option<&str>) -> Value {
    let Value::Object(members) = resource else {
        return resource;
    };
    let kept: Map<String, Value> = match (attributes, excluded) {
        (Some(list), _) => {
            let wanted = paths(list);
            members
                .into_iter()
                .filter_map(|(name, value)| {
                    if always(&name) {
                        return Some((name, value));
                    }
                    let asked: Vec<&AttrPath> = wanted.iter().filter(|p| p.is(&name)).collect();
                    if asked.is_empty() {
                        return None;
                    }
                    if asked.iter().any(|p| p.sub.is_none()) {
                        return Some((name, value));
                    }
                    let subs: Vec<&str> = asked.iter().filter_map(|p| p.sub.as_deref()).collect();
                    Some((name, keep_subs(value, &subs)))
                })
                .collect()
        }
        (None, Some(list)) => {
            let dropped = paths(list);
            members
                .into_iter()
                .filter_map(|(name, value)| {
                    if always(&name) {
                        return Some((name, value));
                    }
                    let hit: Vec<&AttrPath> = dropped.iter().filter(|p| p.is(&name)).collect();
                    if hit.iter().any(|p| p.sub.is_none()) {
                        return None;
                    }
                    let subs: Vec<&str> = hit.iter().filter_map(|p| p.sub.as_deref()).collect();
                    Some((name, drop_subs(value, &subs)))
                })
                .collect()
        }
        (None, None) => members,
    };
    Value::Object(kept)
}

fn each_object(value: Value, f: &dyn Fn(Map<String, Value>) -> Map<String, Value>) -> Value {
    match value {
        Value::Object(o) => Value::Object(f(o)),
        Value::Array(items) => Value::Array(items.into_iter().map(|v| each_object(v, f)).collect()),
        other => other,
    }
}

fn keep_subs(value: Value, subs: &[&str]) -> Value {
    each_object(value, &|o| {
        o.into_iter()
            .filter(|(k, _)| subs.iter().any(|s| s.eq_ignore_ascii_case(k)))
            .collect()
    })
}

fn drop_subs(value: Value, subs: &[&str]) -> Value {
    if subs.is_empty() {
        return value;
    }
    each_object(value, &|o| {
        o.into_iter()
            .filter(|(k, _)| !subs.iter().any(|s| s.eq_ignore_ascii_case(k)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn user() -> Value {
        json!({"schemas": ["u"], "id": "1", "userName": "ana", "active": true,
               "name": {"givenName": "Ana", "familyName": "Silva"},
               "emails": [{"value": "a@x", "type": "work"}]})
    }

    #[test]
    fn attributes_keep_only_what_they_name_and_always_id_and_schemas() {
        assert_eq!(
            project(user(), Some("USERNAME, name.givenName, emails.value"), None),
            json!({"schemas": ["u"], "id": "1", "userName": "ana",
                   "name": {"givenName": "Ana"}, "emails": [{"value": "a@x"}]})
        );
    }

    #[test]
    fn excluded_attributes_drop_what_they_name_but_never_id() {
        assert_eq!(
            project(user(), None, Some("emails,name.familyName,id")),
            json!({"schemas": ["u"], "id": "1", "userName": "ana", "active": true,
                   "name": {"givenName": "Ana"}})
        );
        assert_eq!(project(user(), None, None), user());
    }

    #[test]
    fn leaving_out_members_is_known_before_reading_them() {
        assert!(leaves_out("members", None, Some("members")));
        assert!(leaves_out("members", Some("displayName"), None));
        assert!(!leaves_out("members", Some("members.value"), None));
        assert!(!leaves_out("members", None, None));
    }
}
