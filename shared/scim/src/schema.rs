//! The attributes Roster serves (RFC 7643 §4), once: filters read their case-exactness,
//! PATCH reads which are multi-valued or boolean, and `/Schemas` publishes them.

use serde_json::{Value, json};

use crate::path::AttrPath;

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    Boolean,
    Complex,
    Reference,
    DateTime,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::String => "string",
            Kind::Boolean => "boolean",
            Kind::Complex => "complex",
            Kind::Reference => "reference",
            Kind::DateTime => "dateTime",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutability {
    ReadOnly,
    ReadWrite,
    Immutable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attribute {
    pub name: &'static str,
    pub kind: Kind,
    pub multi_valued: bool,
    pub required: bool,
    pub case_exact: bool,
    pub mutability: Mutability,
    /// `server`: no two resources share it.
    pub unique: bool,
    pub description: &'static str,
    pub sub_attributes: &'static [Attribute],
}

const fn attr(name: &'static str, kind: Kind, description: &'static str) -> Attribute {
    Attribute {
        name,
        kind,
        multi_valued: false,
        required: false,
        case_exact: false,
        mutability: Mutability::ReadWrite,
        unique: false,
        description,
        sub_attributes: &[],
    }
}

impl Attribute {
    const fn many(mut self, subs: &'static [Attribute]) -> Self {
        self.multi_valued = true;
        self.sub_attributes = subs;
        self
    }
    const fn complex(mut self, subs: &'static [Attribute]) -> Self {
        self.sub_attributes = subs;
        self
    }
    const fn required(mut self) -> Self {
        self.required = true;
        self
    }
    const fn exact(mut self) -> Self {
        self.case_exact = true;
        self
    }
    const fn unique(mut self) -> Self {
        self.unique = true;
        self
    }
    const fn read_only(mut self) -> Self {
        self.mutability = Mutability::ReadOnly;
        self
    }

    fn sub(&self, name: &str) -> Option<&'static Attribute> {
        self.sub_attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }

    fn to_json(self) -> Value {
        let mut out = json!({
            "name": self.name,
            "type": self.kind.name(),
            "multiValued": self.multi_valued,
            "description": self.description,
            "required": self.required,
            "caseExact": self.case_exact,
            "mutability": match self.mutability {
                Mutability::ReadOnly => "readOnly",
                Mutability::ReadWrite => "readWrite",
                Mutability::Immutable => "immutable",
            },
            "returned": "default",
            "uniqueness": if self.unique { "server" } else { "none" },
        });
        if !self.sub_attributes.is_empty() {
            out["subAttributes"] = self
                .sub_attributes
                .iter()
                .map(|a| a.to_json())
                .collect::<Vec<_>>()
                .into();
        }
        if self.kind == Kind::Reference {
            out["referenceTypes"] = json!(["User", "Group"]);
        }
        out
    }
}

#[derive(Debug)]
pub struct ResourceSchema {
    pub id: &'static str,
    pub name: &'static str,
    pub endpoint: &'static str,
    pub description: &'static str,
    pub attributes: &'static [Attribute],
}

const VALUE_TYPE_PRIMARY: &[Attribute] = &[
    attr("value", Kind::String, "The value.").required(),
    attr("type", Kind::String, "work, home, mobile, other."),
    attr("primary", Kind::Boolean, "The preferred value."),
    attr("display", Kind::String, "A name for display."),
];

/// A member of a group, or a group of a user: its id and URI. Roster keeps no client-given
/// `display` or `type`: both are read-only, and not returned.
const REFERENCE: &[Attribute] = &[
    attr("value", Kind::String, "The id.").exact(),
    attr("$ref", Kind::Reference, "The URI.").exact(),
    attr("display", Kind::String, "Not returned.").read_only(),
    attr("type", Kind::String, "Not returned.").read_only(),
];

const ID: Attribute = attr("id", Kind::String, "Assigned by Roster.")
    .exact()
    .unique()
    .read_only();
const EXTERNAL_ID: Attribute =
    attr("externalId", Kind::String, "The identity provider's id.").exact();

pub static USER: ResourceSchema = ResourceSchema {
    id: USER_SCHEMA,
    name: "User",
    endpoint: "/Users",
    description: "A person who receives alerts.",
    attributes: &[
        ID,
        EXTERNAL_ID,
        attr("userName", Kind::String, "The Roster username.")
            .required()
            .unique(),
        // Roster needs a first and a last name and an email for everyone it alerts: required
        // here, so that clients send them, though SCIM's core schema leaves them optional.
        attr("name", Kind::Complex, "The person's name.")
            .required()
            .complex(&[
                attr("givenName", Kind::String, "First name.").required(),
                attr("familyName", Kind::String, "Last name.").required(),
            ]),
        attr("displayName", Kind::String, "The full name.").read_only(),
        // Required: what an absent `active` would mean is the server's guess, and removing it
        // has no meaning for Roster; Okta and Entra always send it. (A create without it is
        // still taken as active.)
        attr(
            "active",
            Kind::Boolean,
            "false deactivates the user, keeping everything.",
        )
        .required(),
        attr(
            "emails",
            Kind::Complex,
            "The primary (or work) email is the Roster email.",
        )
        .required()
        .many(VALUE_TYPE_PRIMARY),
        attr(
            "phoneNumbers",
            Kind::Complex,
            "The mobile number is the official mobile.",
        )
        .many(VALUE_TYPE_PRIMARY),
        attr("groups", Kind::Complex, "The groups the user belongs to.")
            .many(REFERENCE)
            .read_only(),
    ],
};

pub static GROUP: ResourceSchema = ResourceSchema {
    id: GROUP_SCHEMA,
    name: "Group",
    endpoint: "/Groups",
    description: "A Roster group; members added over SCIM join as secondary.",
    attributes: &[
        ID,
        EXTERNAL_ID,
        attr("displayName", Kind::String, "The group's name.")
            .required()
            .unique(),
        attr("members", Kind::Complex, "The group's members.").many(REFERENCE),
    ],
};

impl ResourceSchema {
    /// The attribute a path names, and the sub-attribute if it names one.
    pub fn attribute(&self, name: &str) -> Option<&'static Attribute> {
        self.attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }

    /// Whether comparing the value at `path` (inside the multi-valued attribute `within`, in
    /// a value filter) respects case. Unknown attributes compare ignoring case, the default.
    pub fn case_exact(&self, within: Option<&str>, path: &AttrPath) -> bool {
        let found = match within {
            Some(outer) => self.attribute(outer).and_then(|a| a.sub(&path.attr)),
            None => self.attribute(&path.attr).and_then(|a| match &path.sub {
                Some(sub) => a.sub(sub),
                None => Some(a),
            }),
        };
        found.is_some_and(|a| a.case_exact)
    }

    /// The `Schema` resource `/Schemas` serves.
    pub fn to_json(&self, base: &str) -> Value {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "attributes": self.attributes.iter().map(|a| a.to_json()).collect::<Vec<_>>(),
            "meta": {
                "resourceType": "Schema",
                "location": format!("{base}/Schemas/{}", self.id),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_exactness_follows_the_attribute() {
        let path = |p: &str| AttrPath::parse(p).unwrap();
        assert!(USER.case_exact(None, &path("externalId")));
        assert!(!USER.case_exact(None, &path("userName")));
        assert!(!USER.case_exact(None, &path("emails.value")));
        assert!(GROUP.case_exact(Some("members"), &path("value")));
        assert!(!USER.case_exact(None, &path("nothing")));
    }

    #[test]
    fn the_published_schema_lists_sub_attributes() {
        let doc = USER.to_json("https://x/scim/v2");
        let emails = doc["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == "emails")
            .unwrap();
        assert_eq!(emails["multiValued"], true);
        assert_eq!(emails["subAttributes"][0]["name"], "value");
        assert_eq!(
            doc["meta"]["location"],
            format!("https://x/scim/v2/Schemas/{USER_SCHEMA}")
        );
    }
}
