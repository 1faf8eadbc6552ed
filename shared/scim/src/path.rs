//! Attribute paths (RFC 7644 §3.10): `userName`, `name.givenName`, a schema URN in front
//! (`urn:ietf:params:scim:schemas:core:2.0:User:userName`), and in PATCH a value filter
//! (`emails[type eq "work"].value`, `members[value eq "…"]`).

use crate::filter::{Filter, FilterError};

/// An attribute and optionally one of its sub-attributes. Names are kept as sent; every
/// comparison ignores case.
#[derive(Debug, Clone)]
pub struct AttrPath {
    /// The schema URN the path was qualified with, if any.
    pub schema: Option<String>,
    pub attr: String,
    pub sub: Option<String>,
}

impl PartialEq for AttrPath {
    fn eq(&self, other: &Self) -> bool {
        let same = |a: &Option<String>, b: &Option<String>| match (a, b) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            (None, None) => true,
            _ => false,
        };
        same(&self.schema, &other.schema)
            && self.attr.eq_ignore_ascii_case(&other.attr)
            && same(&self.sub, &other.sub)
    }
}

impl AttrPath {
    pub fn parse(text: &str) -> Result<Self, String> {
        let (schema, rest) = match text.rfind(':') {
            Some(at) if text[..at].to_ascii_lowercase().starts_with("urn:") => {
                (Some(text[..at].to_owned()), &text[at + 1..])
            }
            Some(_) => return Err(format!("`{text}` is not an attribute path")),
            None => (None, text),
        };
        let (attr, sub) = match rest.split_once('.') {
            Some((attr, sub)) => (attr, Some(sub)),
            None => (rest, None),
        };
        for name in std::iter::once(attr).chain(sub) {
            if !is_name(name) {
                return Err(format!("`{text}` is not an attribute path"));
            }
        }
        Ok(Self {
            schema,
            attr: attr.to_owned(),
            sub: sub.map(str::to_owned),
        })
    }

    /// Whether this path names the top-level attribute `name`.
    pub fn is(&self, name: &str) -> bool {
        self.attr.eq_ignore_ascii_case(name)
    }
}

/// ATTRNAME = ALPHA *(nameChar), plus `$ref`.
fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some('$') => name == "$ref",
        Some(first) if first.is_ascii_alphabetic() => {
            chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        }
        _ => false,
    }
}

/// A PATCH operation's `path`: an attribute, optionally narrowed to the values a filter
/// matches, optionally followed by a sub-attribute of those values.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    pub attr: AttrPath,
    pub filter: Option<Filter>,
    /// `emails[type eq "work"].value`: the sub-attribute after the filter.
    pub sub: Option<String>,
}

impl PatchPath {
    pub fn parse(text: &str) -> Result<Self, FilterError> {
        let text = text.trim();
        let invalid = |why: String| FilterError { at: 0, why };
        let Some(open) = text.find('[') else {
            return AttrPath::parse(text).map_err(invalid).map(|attr| Self {
                attr,
                filter: None,
                sub: None,
            });
        };
        let close = text.rfind(']').ok_or_else(|| FilterError {
            at: open,
            why: "a `[` is not closed".into(),
        })?;
        if close < open {
            return Err(invalid(format!("`{text}` is not an attribute path")));
        }
        let attr = AttrPath::parse(&text[..open]).map_err(invalid)?;
        if attr.sub.is_some() {
            return Err(invalid(format!("`{text}`: a filter follows an attribute")));
        }
        let filter = Filter::parse(&text[open + 1..close]).map_err(|e| FilterError {
            at: e.at + open + 1,
            why: e.why,
        })?;
        let sub = match &text[close + 1..] {
            "" => None,
            rest => {
                let sub = rest
                    .strip_prefix('.')
                    .filter(|s| is_name(s))
                    .ok_or_else(|| invalid(format!("`{text}` is not an attribute path")))?;
                Some(sub.to_owned())
            }
        };
        Ok(Self {
            attr,
            filter: Some(filter),
            sub,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_schema_attribute_and_sub_attribute() {
        let path =
            AttrPath::parse("urn:ietf:params:scim:schemas:core:2.0:User:name.givenName").unwrap();
        assert_eq!(
            path.schema.as_deref(),
            Some("urn:ietf:params:scim:schemas:core:2.0:User")
        );
        assert_eq!(
            (path.attr.as_str(), path.sub.as_deref()),
            ("name", Some("givenName"))
        );
        assert_eq!(AttrPath::parse("members").unwrap().sub, None);
        assert!(AttrPath::parse("1abc").is_err());
        assert!(AttrPath::parse("a:b").is_err());
        assert!(AttrPath::parse("").is_err());
    }

    #[test]
    fn patch_paths_carry_their_value_filter_and_sub_attribute() {
        let path = PatchPath::parse(r#"emails[type eq "work"].value"#).unwrap();
        assert!(path.attr.is("emails"));
        assert_eq!(path.sub.as_deref(), Some("value"));
        assert_eq!(path.filter.unwrap().equality_on("type"), Some("work"));
        let member = PatchPath::parse(r#"members[value eq "01J"]"#).unwrap();
        assert_eq!(member.filter.unwrap().equality_on("value"), Some("01J"));
        assert!(PatchPath::parse(r#"members[value eq "01J""#).is_err());
        assert!(PatchPath::parse(r#"members[value eq "01J"]x"#).is_err());
    }
}
