//! What a client reads before it provisions (RFC 7644 §4): the service provider's features,
//! its resource types and their schemas, and the list envelope all of them share.

use serde_json::{Value, json};

use crate::schema::{GROUP, ResourceSchema, USER};

pub const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const SERVICE_PROVIDER_CONFIG: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const RESOURCE_TYPE: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";

/// The most resources one list page holds, whatever `count` asks.
pub const MAX_RESULTS: usize = 200;

/// The resource types served, in the order they are listed.
pub const RESOURCES: [&ResourceSchema; 2] = [&USER, &GROUP];

/// A `ListResponse` of one page: `start_index` is 1-based, as SCIM counts.
pub fn list_response(resources: Vec<Value>, total: usize, start_index: usize) -> Value {
    json!({
        "schemas": [LIST_RESPONSE],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

/// `/ServiceProviderConfig`: PATCH, filters and ETags; no bulk, sort or password change.
pub fn service_provider_config(base: &str) -> Value {
    json!({
        "schemas": [SERVICE_PROVIDER_CONFIG],
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": false},
        "sort": {"supported": false},
        "etag": {"supported": true},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "SCIM token",
            "description": "A SCIM token of the account, made by its Owner or an App Admin \
                            (POST /scim-tokens or `roster scim token create`), as the bearer.",
            "primary": true,
        }],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": format!("{base}/ServiceProviderConfig"),
        },
    })
}

/// One `ResourceType` resource.
pub fn resource_type(schema: &ResourceSchema, base: &str) -> Value {
    json!({
        "schemas": [RESOURCE_TYPE],
        "id": schema.name,
        "name": schema.name,
        "endpoint": schema.endpoint,
        "description": schema.description,
        "schema": schema.id,
        "schemaExtensions": [],
        "meta": {
            "resourceType": "ResourceType",
            "location": format!("{base}/ResourceTypes/{}", schema.name),
        },
    })
}

/// The resource type named `name` (`User`, `Group`; any case).
pub fn find_resource_type(name: &str) -> Option<&'static ResourceSchema> {
    RESOURCES
        .into_iter()
        .find(|s| s.name.eq_ignore_ascii_case(name))
}

/// The schema whose URN is `id`.
pub fn find_schema(id: &str) -> Option<&'static ResourceSchema> {
    RESOURCES
        .into_iter()
        .find(|s| s.id.eq_ignore_ascii_case(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_response_counts_its_page_and_the_whole() {
        let page = list_response(vec![json!({"id": "a"})], 7, 3);
        assert_eq!(page["schemas"], json!([LIST_RESPONSE]));
        assert_eq!(
            (
                page["totalResults"].clone(),
                page["startIndex"].clone(),
                page["itemsPerPage"].clone()
            ),
            (json!(7), json!(3), json!(1))
        );
        assert_eq!(page["Resources"], json!([{"id": "a"}]));
    }

    #[test]
    fn resource_types_and_schemas_are_found_by_name_and_urn() {
        assert_eq!(
            find_resource_type("user").map(|s| s.endpoint),
            Some("/Users")
        );
        assert_eq!(
            find_schema("urn:ietf:params:scim:schemas:core:2.0:Group").map(|s| s.name),
            Some("Group")
        );
        assert!(find_schema("urn:x").is_none());
        let doc = resource_type(&GROUP, "https://h/scim/v2");
        assert_eq!(
            doc["meta"]["location"],
            "https://h/scim/v2/ResourceTypes/Group"
        );
    }
}
