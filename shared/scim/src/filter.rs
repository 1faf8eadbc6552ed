//! SCIM filters (RFC 7644 §3.4.2.2): `userName eq "bjensen"`, `emails[type eq "work" and
//! value co "@example.com"]`, `not (active pr)`. Parsed into a [`Filter`] tree, evaluated over
//! a resource's SCIM JSON. Attribute names and operators are case-insensitive, as the RFC says
//! and as Entra ID relies on.

use serde_json::Value;

use crate::path::AttrPath;
use crate::schema::ResourceSchema;

/// How deep parentheses and `not` may nest: a filter is a query string, and a recursive parser
/// must not let one exhaust the stack.
const MAX_DEPTH: usize = 32;

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Compare {
        path: AttrPath,
        op: CompareOp,
        value: Literal,
    },
    Present(AttrPath),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    /// `emails[type eq "work"]`: some value of a multi-valued attribute matches the inner
    /// filter, whose paths are that value's sub-attributes.
    ValuePath {
        attr: AttrPath,
        filter: Box<Filter>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CompareOp {
    fn parse(word: &str) -> Option<Self> {
        Some(match word.to_ascii_lowercase().as_str() {
            "eq" => Self::Eq,
            "ne" => Self::Ne,
            "co" => Self::Co,
            "sw" => Self::Sw,
            "ew" => Self::Ew,
            "gt" => Self::Gt,
            "ge" => Self::Ge,
            "lt" => Self::Lt,
            "le" => Self::Le,
            _ => return None,
        })
    }
}

/// A comparison's right-hand side: JSON's literals.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    String(String),
    Number(serde_json::Number),
    Bool(bool),
    Null,
}

/// Why a filter could not be read; becomes SCIM's `invalidFilter`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid filter at character {at}: {why}")]
pub struct FilterError {
    pub at: usize,
    pub why: String,
}

impl Filter {
    pub fn parse(text: &str) -> Result<Self, FilterError> {
        let mut parser = Parser {
            tokens: tokenize(text)?,
            next: 0,
            end: text.len(),
        };
        let filter = parser.or(0)?;
        match parser.peek() {
            None => Ok(filter),
            Some(token) => Err(parser.error_at(token.at, "unexpected text after the filter")),
        }
    }

    /// The value `attr eq "value"` asks for when this filter is exactly that comparison: what
    /// identity providers send to find one user (`userName eq`, `externalId eq`) and what a
    /// server can answer with one read instead of a scan.
    pub fn equality_on(&self, attr: &str) -> Option<&str> {
        match self {
            Filter::Compare {
                path,
                op: CompareOp::Eq,
                value: Literal::String(value),
            } if path.is(attr) && path.sub.is_none() => Some(value),
            _ => None,
        }
    }

    /// A `value` every match must have in multi-valued attribute `attr`, when the filter says
    /// so: `emails.value eq "x"`, `emails[value eq "x"]` or `emails[type eq "work" and value eq
    /// "x"]`, alone or as one side of an `and`. What a server can look up instead of scanning;
    /// the filter still decides on what the look-up finds.
    pub fn value_required_in(&self, attr: &str) -> Option<&str> {
        match self {
            Filter::Compare {
                path,
                op: CompareOp::Eq,
                value: Literal::String(value),
            } if path.is(attr) && path.sub.as_deref().is_some_and(is_value) => Some(value),
            Filter::ValuePath { attr: path, filter } if path.is(attr) => filter.value_required(),
            Filter::And(a, b) => a
                .value_required_in(attr)
                .or_else(|| b.value_required_in(attr)),
            _ => None,
        }
    }

    /// Inside `attr[...]`: the `value eq "x"` the filter requires.
    fn value_required(&self) -> Option<&str> {
        match self {
            Filter::Compare {
                path,
                op: CompareOp::Eq,
                value: Literal::String(value),
            } if is_value(&path.attr) && path.sub.is_none() => Some(value),
            Filter::And(a, b) => a.value_required().or_else(|| b.value_required()),
            _ => None,
        }
    }

    /// Whether the filter reads top-level attribute `attr` anywhere.
    pub fn mentions(&self, attr: &str) -> bool {
        match self {
            Filter::Compare { path, .. } | Filter::Present(path) => path.is(attr),
            Filter::ValuePath { attr: path, .. } => path.is(attr),
            Filter::And(a, b) | Filter::Or(a, b) => a.mentions(attr) || b.mentions(attr),
            Filter::Not(inner) => inner.mentions(attr),
        }
    }

    /// Whether `resource` (a SCIM JSON object of `schema`) matches.
    pub fn matches(&self, schema: &ResourceSchema, resource: &Value) -> bool {
        self.matches_in(schema, None, resource)
    }

    /// `within`: the multi-valued attribute whose values are being matched, inside `[...]`.
    fn matches_in(&self, schema: &ResourceSchema, within: Option<&str>, value: &Value) -> bool {
        match self {
            Filter::And(a, b) => {
                a.matches_in(schema, within, value) && b.matches_in(schema, within, value)
            }
            Filter::Or(a, b) => {
                a.matches_in(schema, within, value) || b.matches_in(schema, within, value)
            }
            Filter::Not(inner) => !inner.matches_in(schema, within, value),
            Filter::Present(path) => values_at(path, value).iter().any(|v| present(v)),
            Filter::Compare {
                path,
                op,
                value: literal,
            } => {
                let case_exact = schema.case_exact(within, path);
                values_at(path, value)
                    .iter()
                    .any(|v| compare(v, *op, literal, case_exact))
            }
            Filter::ValuePath { attr, filter } => values_at(attr, value)
                .iter()
                .any(|v| filter.matches_in(schema, Some(&attr.attr), v)),
        }
    }
}

/// The values `path` names in `value` (a resource, or inside `[...]` one value of a
/// multi-valued attribute); a multi-valued attribute contributes each of its values.
fn values_at<'v>(path: &AttrPath, value: &'v Value) -> Vec<&'v Value> {
    let mut found = Vec::new();
    let Some(top) = lookup(value, &path.attr) else {
        return found;
    };
    let each: Vec<&Value> = match top {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    for item in each {
        match &path.sub {
            Some(sub) => match lookup(item, sub) {
                Some(Value::Array(items)) => found.extend(items),
                Some(v) => found.push(v),
                None => {}
            },
            None => found.push(item),
        }
    }
    found
}

/// A member of a JSON object by case-insensitive name.
pub fn lookup<'v>(value: &'v Value, name: &str) -> Option<&'v Value> {
    value
        .as_object()?
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

fn present(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(items) => !items.is_empty(),
        Value::Object(members) => !members.is_empty(),
        Value::Bool(_) | Value::Number(_) => true,
    }
}

fn compare(value: &Value, op: CompareOp, literal: &Literal, case_exact: bool) -> bool {
    match (value, literal) {
        (Value::String(have), Literal::String(want)) => {
            let (have, want) = if case_exact {
                (have.clone(), want.clone())
            } else {
                (have.to_lowercase(), want.to_lowercase())
            };
            match op {
                CompareOp::Eq => have == want,
                CompareOp::Ne => have != want,
                CompareOp::Co => have.contains(&want),
                CompareOp::Sw => have.starts_with(&want),
                CompareOp::Ew => have.ends_with(&want),
                CompareOp::Gt => have > want,
                CompareOp::Ge => have >= want,
                CompareOp::Lt => have < want,
                CompareOp::Le => have <= want,
            }
        }
        // Real clients send booleans as strings ("True"); compare them as booleans.
        (Value::Bool(have), Literal::String(want)) => match crate::dialect::boolean(want) {
            Some(want) => compare(&Value::Bool(*have), op, &Literal::Bool(want), case_exact),
            None => op == CompareOp::Ne,
        },
        (Value::Bool(have), Literal::Bool(want)) => match op {
            CompareOp::Eq => have == want,
            CompareOp::Ne => have != want,
            _ => false,
        },
        (Value::Number(have), Literal::Number(want)) => {
            let (Some(have), Some(want)) = (have.as_f64(), want.as_f64()) else {
                return false;
            };
            match op {
                CompareOp::Eq => have == want,
                CompareOp::Ne => have != want,
                CompareOp::Gt => have > want,
                CompareOp::Ge => have >= want,
                CompareOp::Lt => have < want,
                CompareOp::Le => have <= want,
                CompareOp::Co | CompareOp::Sw | CompareOp::Ew => false,
            }
        }
        (Value::Null, Literal::Null) => op == CompareOp::Eq,
        (_, Literal::Null) => op == CompareOp::Ne,
        _ => op == CompareOp::Ne,
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    OpenBracket,
    CloseBracket,
    /// A JSON string literal, decoded.
    Text(String),
    /// A bare word: an attribute path, an operator, `and`/`or`/`not`, or a literal.
    Word(String),
}

#[derive(Debug, Clone)]
struct Spanned {
    token: Token,
    at: usize,
}

fn tokenize(text: &str) -> Result<Vec<Spanned>, FilterError> {
    let mut tokens = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(ch) = text[i..].chars().next() {
        let c = bytes[i];
        let at = i;
        match c {
            _ if ch.is_whitespace() => i += ch.len_utf8(),
            b'(' | b')' | b'[' | b']' => {
                let token = match c {
                    b'(' => Token::Open,
                    b')' => Token::Close,
                    b'[' => Token::OpenBracket,
                    _ => Token::CloseBracket,
                };
                tokens.push(Spanned { token, at });
                i += 1;
            }
            b'"' => {
                let end = string_end(bytes, i).ok_or_else(|| FilterError {
                    at,
                    why: "a string is not closed".into(),
                })?;
                let decoded: String =
                    serde_json::from_str(&text[i..=end]).map_err(|e| FilterError {
                        at,
                        why: format!("a string is not valid JSON: {e}"),
                    })?;
                tokens.push(Spanned {
                    token: Token::Text(decoded),
                    at,
                });
                i = end + 1;
            }
            _ => {
                let end = text[i..]
                    .find(|ch: char| ch.is_whitespace() || "()[]\"".contains(ch))
                    .map_or(text.len(), |n| i + n);
                tokens.push(Spanned {
                    token: Token::Word(text[i..end].to_owned()),
                    at,
                });
                i = end;
            }
        }
    }
    Ok(tokens)
}

/// The index of the quote closing the string that opens at `start`.
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

struct Parser {
    tokens: Vec<Spanned>,
    next: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Spanned> {
        self.tokens.get(self.next)
    }

    fn take(&mut self) -> Option<Spanned> {
        let token = self.tokens.get(self.next).cloned();
        self.next += 1;
        token
    }

    fn here(&self) -> usize {
        self.peek().map_or(self.end, |t| t.at)
    }

    fn error_at(&self, at: usize, why: &str) -> FilterError {
        FilterError {
            at,
            why: why.to_owned(),
        }
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Spanned { token: Token::Word(w), .. }) if w.eq_ignore_ascii_case(word))
    }

    fn or(&mut self, depth: usize) -> Result<Filter, FilterError> {
        let mut left = self.and(depth)?;
        while self.keyword("or") {
            self.next += 1;
            let right = self.and(depth)?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self, depth: usize) -> Result<Filter, FilterError> {
        let mut left = self.unary(depth)?;
        while self.keyword("and") {
            self.next += 1;
            let right = self.unary(depth)?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self, depth: usize) -> Result<Filter, FilterError> {
        if depth >= MAX_DEPTH {
            return Err(self.error_at(self.here(), "the filter nests too deeply"));
        }
        if self.keyword("not") {
            self.next += 1;
            self.expect(&Token::Open, "`not` is followed by `(`")?;
            let inner = self.or(depth + 1)?;
            self.expect(&Token::Close, "a `(` is not closed")?;
            return Ok(Filter::Not(Box::new(inner)));
        }
        if matches!(
            self.peek(),
            Some(Spanned {
                token: Token::Open,
                ..
            })
        ) {
            self.next += 1;
            let inner = self.or(depth + 1)?;
            self.expect(&Token::Close, "a `(` is not closed")?;
            return Ok(inner);
        }
        self.attribute_expression(depth)
    }

    fn expect(&mut self, token: &Token, why: &str) -> Result<(), FilterError> {
        match self.take() {
            Some(Spanned { token: t, .. }) if &t == token => Ok(()),
            Some(Spanned { at, .. }) => Err(self.error_at(at, why)),
            None => Err(self.error_at(self.end, why)),
        }
    }

    fn attribute_expression(&mut self, depth: usize) -> Result<Filter, FilterError> {
        let at = self.here();
        let Some(Spanned {
            token: Token::Word(word),
            ..
        }) = self.take()
        else {
            return Err(self.error_at(at, "an attribute name is expected"));
        };
        let path = AttrPath::parse(&word).map_err(|why| self.error_at(at, &why))?;
        if matches!(
            self.peek(),
            Some(Spanned {
                token: Token::OpenBracket,
                ..
            })
        ) {
            self.next += 1;
            let inner = self.or(depth + 1)?;
            self.expect(&Token::CloseBracket, "a `[` is not closed")?;
            return Ok(Filter::ValuePath {
                attr: path,
                filter: Box::new(inner),
            });
        }
        let at = self.here();
        let Some(Spanned {
            token: Token::Word(op),
            ..
        }) = self.take()
        else {
            return Err(self.error_at(at, "an operator is expected (eq, co, sw, pr, …)"));
        };
        if op.eq_ignore_ascii_case("pr") {
            return Ok(Filter::Present(path));
        }
        let op = CompareOp::parse(&op)
            .ok_or_else(|| self.error_at(at, &format!("`{op}` is not an operator")))?;
        let at = self.here();
        let value = match self.take() {
            Some(Spanned {
                token: Token::Text(text),
                ..
            }) => Literal::String(text),
            Some(Spanned {
                token: Token::Word(word),
                ..
            }) => literal(&word).ok_or_else(|| {
                self.error_at(
                    at,
                    "a value is a quoted string, a number, true, false or null",
                )
            })?,
            _ => return Err(self.error_at(at, "a value is expected")),
        };
        Ok(Filter::Compare { path, op, value })
    }
}

fn literal(word: &str) -> Option<Literal> {
    match word.to_ascii_lowercase().as_str() {
        "true" => Some(Literal::Bool(true)),
        "false" => Some(Literal::Bool(false)),
        "null" => Some(Literal::Null),
        _ => serde_json::from_str::<serde_json::Number>(word)
            .ok()
            .map(Literal::Number),
    }
}

fn is_value(name: &str) -> bool {
    name.eq_ignore_ascii_case("value")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::schema::USER;

    fn parse(text: &str) -> Filter {
        Filter::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn operators_and_names_are_case_insensitive() {
        assert_eq!(parse("userName eq \"a\""), parse("USERNAME EQ \"a\""));
        assert_eq!(
            parse("userName Eq \"a\"").equality_on("username"),
            Some("a")
        );
    }

    #[test]
    fn and_binds_tighter_than_or() {
        let filter = parse("a pr or b pr and c pr");
        let Filter::Or(_, right) = filter else {
            panic!("or at the top: {filter:?}")
        };
        assert!(matches!(*right, Filter::And(..)));
    }

    #[test]
    fn equality_lookups_are_recognised_only_when_they_are_the_whole_filter() {
        assert_eq!(
            parse(r#"externalId eq "00u1""#).equality_on("externalId"),
            Some("00u1")
        );
        assert_eq!(
            parse(r#"userName eq "a" and active eq true"#).equality_on("userName"),
            None
        );
        assert_eq!(parse(r#"userName co "a""#).equality_on("userName"), None);
        assert_eq!(parse(r#"name.givenName eq "a""#).equality_on("name"), None);
    }

    #[test]
    fn a_required_email_value_is_found_in_each_form_an_identity_provider_sends() {
        for text in [
            r#"emails.value eq "b@x.example""#,
            r#"emails.Value EQ "b@x.example""#,
            r#"emails[value eq "b@x.example"]"#,
            r#"emails[type eq "work" and value eq "b@x.example"]"#,
            r#"emails.value eq "b@x.example" and active eq true"#,
            r#"active eq true and emails[value eq "b@x.example"]"#,
        ] {
            assert_eq!(
                parse(text).value_required_in("emails"),
                Some("b@x.example"),
                "{text}"
            );
        }
        for text in [
            r#"emails.value co "b@x.example""#,
            r#"emails.type eq "work""#,
            r#"emails.value eq "b@x.example" or active eq true"#,
            r#"not (emails.value eq "b@x.example")"#,
            r#"emails[type eq "work" or value eq "b@x.example"]"#,
            r#"phoneNumbers.value eq "b@x.example""#,
        ] {
            assert_eq!(parse(text).value_required_in("emails"), None, "{text}");
        }
    }

    #[test]
    fn matching_follows_case_exactness_and_multi_valued_attributes() {
        let user = json!({
            "userName": "Bjensen@Example.com",
            "externalId": "ABC",
            "active": true,
            "name": {"givenName": "Barbara"},
            "emails": [
                {"value": "b@home.example", "type": "home"},
                {"value": "bjensen@example.com", "type": "work", "primary": true}
            ]
        });
        let yes = [
            r#"userName eq "bjensen@example.com""#,
            r#"externalId eq "ABC""#,
            r#"userName sw "bjen" and active eq true"#,
            r#"emails[type eq "work" and value co "@example.com"]"#,
            r#"emails.value eq "b@home.example""#,
            r#"name.givenName co "arb""#,
            r#"active eq "True""#,
            "title pr or externalId pr",
            "not (title pr)",
        ];
        for text in yes {
            assert!(parse(text).matches(&USER, &user), "{text}");
        }
        let no = [
            r#"externalId eq "abc""#,
            r#"emails[type eq "home" and value co "@example.com"]"#,
            r#"active eq false"#,
            "title pr",
            r#"userName ew "x""#,
        ];
        for text in no {
            assert!(!parse(text).matches(&USER, &user), "{text}");
        }
    }

    #[test]
    fn a_filter_knows_which_attributes_it_reads() {
        let filter = parse(r#"displayName eq "a" or not (members[value eq "x"])"#);
        assert!(filter.mentions("members") && filter.mentions("DISPLAYNAME"));
        assert!(!filter.mentions("id"));
    }

    #[test]
    fn broken_filters_say_where() {
        let cases = [
            ("userName eq", 11, "a value is expected"),
            ("userName xx \"a\"", 9, "`xx` is not an operator"),
            ("(userName pr", 12, "a `(` is not closed"),
            ("userName eq \"a", 12, "a string is not closed"),
            ("userName pr pr", 12, "unexpected text after the filter"),
            ("eq \"a\"", 3, "an operator is expected"),
        ];
        for (text, at, why) in cases {
            let error = Filter::parse(text).unwrap_err();
            assert_eq!(error.at, at, "{text}: {error}");
            assert!(error.why.starts_with(why), "{text}: {error}");
        }
    }

    #[test]
    fn any_whitespace_separates_words() {
        assert_eq!(
            parse("userName\u{c}eq\u{a0}\"a\""),
            parse("userName eq \"a\"")
        );
    }

    #[test]
    fn deep_nesting_is_refused_not_recursed() {
        let text = format!("{}a pr{}", "(".repeat(10_000), ")".repeat(10_000));
        assert_eq!(
            Filter::parse(&text).unwrap_err().why,
            "the filter nests too deeply"
        );
    }
}
