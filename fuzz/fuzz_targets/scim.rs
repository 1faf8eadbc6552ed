//! What an identity provider sends that Roster interprets itself: SCIM filters, PATCH paths
//! and PATCH bodies. None may panic or recurse without bound; a filter that parses can be
//! evaluated against any resource; a PATCH that parses applies to a user and a group and leaves
//! each an object.

#![no_main]

use libfuzzer_sys::fuzz_target;
use roster_scim::{Filter, GROUP, PatchPath, PatchRequest, USER};
use serde_json::json;

fuzz_target!(|raw: &str| {
    let user = json!({
        "id": "01J", "userName": "ana", "externalId": "00u1", "active": true,
        "name": {"givenName": "Ana", "familyName": "Silva"},
        "emails": [{"value": "ana@example.com", "type": "work", "primary": true}],
        "phoneNumbers": [{"value": "+351912345678", "type": "mobile"}],
    });
    let group = json!({"id": "G", "displayName": "Ops", "members": [{"value": "01J"}]});
    if let Ok(filter) = Filter::parse(raw) {
        filter.matches(&USER, &user);
        filter.matches(&GROUP, &group);
    }
    let _ = PatchPath::parse(raw);
    if let Ok(body) = serde_json::from_str::<serde_json::Value>(raw) {
        if let Ok(patch) = PatchRequest::parse(&body) {
            for (schema, resource) in [(&USER, user), (&GROUP, group)] {
                let mut resource = resource;
                if patch.apply(schema, &mut resource).is_ok() {
                    assert!(resource.is_object());
                }
            }
        }
    }
});
