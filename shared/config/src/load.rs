//! Reading a roster file: YAML with a position on every node (marked-yaml, which also refuses
//! anchors and aliases), walked key by key so that every problem — an unknown key, a wrong type,
//! a value that does not parse, a rule of the roster broken — is reported at once, each with its
//! file, line and column.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use marked_yaml::types::{MarkedMappingNode, MarkedScalarNode, MarkedSequenceNode};
use marked_yaml::{LoadError, LoaderOptions, Node, Span};
use roster_domain::entities::MemberRoles;
use roster_domain::error::InvalidValue;
use roster_domain::reconcile::{
    DEFAULT_MAX_REMOVAL_RATIO, DesiredAccount, DesiredContact, DesiredGroup, DesiredMember,
    DesiredRoster, DesiredUser,
};
use roster_domain::values::{
    AccountId, AccountName, ContactMethodKind, ContactValue, Email, ExternalId, GroupName, Locale,
    PersonName, Retries, Role, Roles, TimeZoneName, UserType, Username, ValueShape, WaitMinutes,
};

/// Files larger than this are refused before they are parsed.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// One problem in a roster file, where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

// The keys each mapping may hold (a test holds these to the types in `spec.rs`).
pub(crate) const ROOT_KEYS: &[&str] = &["accounts"];
pub(crate) const ACCOUNT_KEYS: &[&str] = &[
    "id",
    "name",
    "owner",
    "seats",
    "prune",
    "max_removal_ratio",
    "groups",
    "users",
];
pub(crate) const GROUP_KEYS: &[&str] = &["name", "members"];
pub(crate) const MEMBER_KEYS: &[&str] = &["user", "roles"];
pub(crate) const USER_KEYS: &[&str] = &[
    "email",
    "username",
    "first_name",
    "last_name",
    "user_type",
    "roles",
    "time_zone",
    "locale",
    "external_id",
    "contact_methods",
];
pub(crate) const CONTACT_KEYS: &[&str] = &["method", "value", "wait_minutes", "retries"];

/// Reads and checks the roster file at `path`.
pub fn load_file(path: &Path) -> Result<DesiredRoster, Vec<Problem>> {
    let name = path.display().to_string();
    let whole = |message: String| {
        vec![Problem {
            file: name.clone(),
            line: 1,
            column: 1,
            message,
        }]
    };
    let size = std::fs::metadata(path)
        .map_err(|e| whole(format!("cannot read the file: {e}")))?
        .len();
    if size > MAX_FILE_BYTES as u64 {
        return Err(whole(format!(
            "the file is {size} bytes; a roster file may be at most {MAX_FILE_BYTES}"
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| whole(format!("cannot read the file: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        whole(format!(
            "the file is not UTF-8 (first bad byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    load(&name, &text)
}

/// Reads and checks a roster from `text`, naming it `file` in problems.
pub fn load(file: &str, text: &str) -> Result<DesiredRoster, Vec<Problem>> {
    let mut reader = Reader {
        file: file.to_owned(),
        problems: Vec::new(),
    };
    if text.len() > MAX_FILE_BYTES {
        reader.problem_at(1, 1, format!("the roster is over {MAX_FILE_BYTES} bytes"));
        return Err(reader.problems);
    }
    let options = LoaderOptions::default().error_on_duplicate_keys(true);
    let root = match marked_yaml::parse_yaml_with_options(0, text, options) {
        Ok(root) => root,
        Err(e) => {
            reader.load_error(&e);
            return Err(reader.problems);
        }
    };
    let roster = reader.roster(&root);
    reader.problems.sort_by_key(|p| (p.line, p.column));
    match roster {
        Some(roster) if reader.problems.is_empty() => Ok(roster),
        _ => Err(reader.problems),
    }
}

struct Reader {
    file: String,
    problems: Vec<Problem>,
}

fn start(span: &Span) -> (usize, usize) {
    span.start().map_or((1, 1), |m| (m.line(), m.column()))
}

impl Reader {
    fn problem_at(&mut self, line: usize, column: usize, message: String) {
        self.problems.push(Problem {
            file: self.file.clone(),
            line,
            column,
            message,
        });
    }

    fn at(&mut self, span: &Span, message: impl Into<String>) {
        let (line, column) = start(span);
        self.problem_at(line, column, message.into());
    }

    fn load_error(&mut self, error: &LoadError) {
        let (marker, message) = match error {
            LoadError::TopLevelMustBeMapping(m) => (
                Some(m),
                "the file must be a mapping with `accounts`".to_owned(),
            ),
            LoadError::TopLevelMustBeSequence(m) => {
                (Some(m), "the top level must be a sequence".to_owned())
            }
            LoadError::UnexpectedAnchor(m) => (
                Some(m),
                "anchors and aliases are not allowed in a roster file".to_owned(),
            ),
            LoadError::MappingKeyMustBeScalar(m) => {
                (Some(m), "mapping keys must be plain scalars".to_owned())
            }
            LoadError::UnexpectedTag(m) => (
                Some(m),
                "YAML tags are not allowed in a roster file".to_owned(),
            ),
            LoadError::ScanError(m, e) => (Some(m), format!("this is not valid YAML: {e}")),
            LoadError::DuplicateKey(inner) => {
                let key = &inner.key;
                (
                    key.span().start(),
                    format!("duplicate key `{}`", key.as_str()),
                )
            }
        };
        let (line, column) = marker.map_or((1, 1), |m| (m.line(), m.column()));
        self.problem_at(line, column, message);
    }

    /// `node` as a mapping holding only `known` keys and every one of `required`.
    fn mapping<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        known: &[&str],
        required: &[&str],
    ) -> Option<&'n MarkedMappingNode> {
        let Some(map) = node.as_mapping() else {
            self.at(node.span(), format!("{what} must be a mapping"));
            return None;
        };
        for key in map.keys() {
            if !known.contains(&key.as_str()) {
                self.at(
                    key.span(),
                    format!(
                        "unknown key `{}` in {what}; known keys: {}",
                        key.as_str(),
                        known.join(", ")
                    ),
                );
            }
        }
        for key in required {
            if map.get_node(key).is_none() {
                self.at(map.span(), format!("{what} needs `{key}`"));
            }
        }
        Some(map)
    }

    fn scalar<'n>(
        &mut self,
        map: &'n MarkedMappingNode,
        key: &str,
    ) -> Option<&'n MarkedScalarNode> {
        let node = map.get_node(key)?;
        match node.as_scalar() {
            Some(scalar) => Some(scalar),
            None => {
                self.at(node.span(), format!("`{key}` must be a single value"));
                None
            }
        }
    }

    fn sequence<'n>(
        &mut self,
        map: &'n MarkedMappingNode,
        key: &str,
    ) -> Option<&'n MarkedSequenceNode> {
        let node = map.get_node(key)?;
        match node.as_sequence() {
            Some(seq) => Some(seq),
            None => {
                self.at(node.span(), format!("`{key}` must be a list"));
                None
            }
        }
    }

    /// The value at `key`, parsed; absent is `Ok(None)`, a problem is recorded and `Err`.
    fn parse<T>(
        &mut self,
        map: &MarkedMappingNode,
        key: &str,
        parse: impl FnOnce(&str) -> Result<T, InvalidValue>,
    ) -> Result<Option<T>, ()> {
        let Some(scalar) = self.scalar(map, key) else {
            return if map.get_node(key).is_some() {
                Err(())
            } else {
                Ok(None)
            };
        };
        match parse(scalar.as_str()) {
            Ok(value) => Ok(Some(value)),
            Err(reason) => {
                self.at(scalar.span(), format!("`{key}` {reason}"));
                Err(())
            }
        }
    }

    fn roster(&mut self, root: &Node) -> Option<DesiredRoster> {
        let map = self.mapping(root, "the roster", ROOT_KEYS, ROOT_KEYS)?;
        let accounts = self.sequence(map, "accounts")?;
        let mut seen: HashMap<String, (usize, usize)> = HashMap::new();
        let mut out = Vec::with_capacity(accounts.len());
        let mut ok = true;
        for node in accounts.iter() {
            match self.account(node) {
                Some(account) => {
                    let here = start(node.span());
                    if let Some((line, _)) = seen.insert(account.id.to_string(), here) {
                        self.at(
                            node.span(),
                            format!(
                                "account {} is declared twice (also at line {line})",
                                account.id
                            ),
                        );
                    }
                    out.push(account);
                }
                None => ok = false,
            }
        }
        ok.then_some(DesiredRoster { accounts: out })
    }

    fn account(&mut self, node: &Node) -> Option<DesiredAccount> {
        let map = self.mapping(
            node,
            "an account",
            ACCOUNT_KEYS,
            &["id", "name", "owner", "users"],
        )?;
        let id = self.parse(map, "id", AccountId::parse);
        let name = self.parse(map, "name", AccountName::parse);
        let owner = self.parse(map, "owner", Email::parse);
        let seats = self.parse(map, "seats", |s| {
            s.parse::<u32>()
                .map_err(|_| InvalidValue::new("must be a whole number"))
        });
        let prune = self.parse(map, "prune", boolean);
        let ratio = self.parse(map, "max_removal_ratio", |s| match s.parse::<f64>() {
            Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
            _ => Err(InvalidValue::new("must be a number from 0 to 1")),
        });
        let users = self.users(map);
        let groups = self.groups(map, users.as_deref().unwrap_or_default());

        // Rules across the account.
        if let (Ok(Some(owner)), Some(users)) = (&owner, &users) {
            let owner_node = value_span(map, "owner");
            match users.iter().find(|u| &u.email == owner) {
                None => self.at(
                    &owner_node,
                    format!("the owner {owner} is not one of the account's users"),
                ),
                Some(u) if u.user_type.is_some_and(|t| t != UserType::Standard) => {
                    self.at(&owner_node, "the owner must be a standard user")
                }
                Some(_) => {}
            }
        }
        if let (Ok(Some(seats)), Some(users)) = (&seats, &users) {
            let taking = users
                .iter()
                .filter(|u| u.user_type.unwrap_or(UserType::Standard).takes_seat())
                .count();
            if taking > *seats as usize {
                let span = value_span(map, "seats");
                self.at(
                    &span,
                    format!("{taking} users take a seat, more than the {seats} seats"),
                );
            }
        }
        Some(DesiredAccount {
            id: id.ok()??,
            name: name.ok()??,
            owner: owner.ok()??,
            seats: seats.ok()?,
            prune: prune.ok()?.unwrap_or(false),
            max_removal_ratio: ratio.ok()?.unwrap_or(DEFAULT_MAX_REMOVAL_RATIO),
            groups: groups?,
            users: users?,
        })
    }

    fn users(&mut self, account: &MarkedMappingNode) -> Option<Vec<DesiredUser>> {
        let list = self.sequence(account, "users")?;
        let mut users = Vec::with_capacity(list.len());
        let mut emails: HashMap<String, usize> = HashMap::new();
        let mut usernames: HashMap<String, usize> = HashMap::new();
        let mut ok = true;
        for node in list.iter() {
            let Some(user) = self.user(node) else {
                ok = false;
                continue;
            };
            let line = start(node.span()).0;
            if let Some(first) = emails.insert(user.email.key().to_owned(), line) {
                self.at(
                    node.span(),
                    format!(
                        "the email {} is used twice (also at line {first})",
                        user.email
                    ),
                );
            }
            let username = user
                .username
                .clone()
                .unwrap_or_else(|| Username::from(&user.email));
            if let Some(first) = usernames.insert(username.key().to_owned(), line) {
                self.at(
                    node.span(),
                    format!("the username {username} is used twice (also at line {first})"),
                );
            }
            users.push(user);
        }
        ok.then_some(users)
    }

    fn user(&mut self, node: &Node) -> Option<DesiredUser> {
        let map = self.mapping(
            node,
            "a user",
            USER_KEYS,
            &["email", "first_name", "last_name"],
        )?;
        let email = self.parse(map, "email", Email::parse);
        let username = self.parse(map, "username", Username::parse);
        let first = self.parse(map, "first_name", PersonName::parse);
        let last = self.parse(map, "last_name", PersonName::parse);
        let user_type = self.parse(map, "user_type", UserType::parse);
        let time_zone = self.parse(map, "time_zone", TimeZoneName::parse);
        let locale = self.parse(map, "locale", Locale::parse);
        let external_id = self.parse(map, "external_id", ExternalId::parse);
        let kind = user_type.ok().flatten().unwrap_or(UserType::Standard);
        let roles = self.roles(map, kind);
        let contacts = self.contacts(map, kind);
        Some(DesiredUser {
            email: email.ok()??,
            username: username.ok()?,
            first_name: first.ok()??,
            last_name: last.ok()??,
            user_type: user_type.ok()?,
            roles: roles.ok()?,
            time_zone: time_zone.ok()?,
            locale: locale.ok()?,
            external_id: external_id.ok()?,
            contact_methods: contacts.ok()?,
        })
    }

    fn roles(&mut self, map: &MarkedMappingNode, kind: UserType) -> Result<Option<Roles>, ()> {
        let Some(node) = map.get_node("roles") else {
            return Ok(None);
        };
        let Some(list) = self.sequence(map, "roles") else {
            return Err(());
        };
        if !kind.holds_roles() {
            self.at(
                node.span(),
                format!("a {kind} user holds no platform roles"),
            );
            return Err(());
        }
        if list.is_empty() {
            self.at(node.span(), "a standard user holds at least one role");
            return Err(());
        }
        let mut roles = Roles::new();
        let mut ok = true;
        for item in list.iter() {
            match item.as_scalar().map(|s| Role::parse(s.as_str())) {
                Some(Ok(role)) => {
                    roles.insert(role);
                }
                Some(Err(reason)) => {
                    self.at(item.span(), format!("role {reason}"));
                    ok = false;
                }
                None => {
                    self.at(item.span(), "a role must be a single value");
                    ok = false;
                }
            }
        }
        if ok { Ok(Some(roles)) } else { Err(()) }
    }

    fn contacts(
        &mut self,
        map: &MarkedMappingNode,
        kind: UserType,
    ) -> Result<Option<Vec<DesiredContact>>, ()> {
        let Some(node) = map.get_node("contact_methods") else {
            return Ok(None);
        };
        let Some(list) = self.sequence(map, "contact_methods") else {
            return Err(());
        };
        if !kind.receives_alerts() && !list.is_empty() {
            self.at(
                node.span(),
                format!("a {kind} user receives no alerts, so has no contact methods"),
            );
            return Err(());
        }
        let mut out = Vec::with_capacity(list.len());
        let mut seen: BTreeMap<ContactMethodKind, usize> = BTreeMap::new();
        let mut ok = true;
        for item in list.iter() {
            let Some(contact) = self.mapping(item, "a contact method", CONTACT_KEYS, &["method"])
            else {
                ok = false;
                continue;
            };
            let method = match self.parse(contact, "method", ContactMethodKind::parse) {
                Ok(Some(ContactMethodKind::Push)) => {
                    let span = value_span(contact, "method");
                    self.at(
                        &span,
                        "push methods belong to devices; the mobile app adds them, never the file",
                    );
                    None
                }
                Ok(method) => method,
                Err(()) => None,
            };
            let wait = self.parse(contact, "wait_minutes", |s| {
                number(s).and_then(WaitMinutes::new)
            });
            let retries = self.parse(contact, "retries", |s| number(s).and_then(Retries::new));
            let value = match method {
                None => Err(()),
                Some(m) if m.value_shape() == ValueShape::AccountEmail => {
                    if let Some(v) = contact.get_node("value") {
                        self.at(
                            v.span(),
                            "email-official has no value: it follows the user's email",
                        );
                        Err(())
                    } else {
                        Ok(None)
                    }
                }
                Some(m) => match self.parse(contact, "value", |s| ContactValue::parse_for(m, s)) {
                    Ok(None) => {
                        self.at(contact.span(), format!("{m} needs a `value`"));
                        Err(())
                    }
                    other => other,
                },
            };
            if let Some(m) = method {
                let line = start(item.span()).0;
                if let Some(first) = seen.insert(m, line) {
                    self.at(
                        item.span(),
                        format!(
                            "{m} is listed twice (also at line {first}); a user has one of each"
                        ),
                    );
                }
            }
            match (method, value, wait, retries) {
                (Some(method), Ok(value), Ok(wait_minutes), Ok(retries)) => {
                    out.push(DesiredContact {
                        method,
                        value,
                        wait_minutes,
                        retries,
                    })
                }
                _ => ok = false,
            }
        }
        if ok { Ok(Some(out)) } else { Err(()) }
    }

    fn groups(
        &mut self,
        account: &MarkedMappingNode,
        users: &[DesiredUser],
    ) -> Option<Vec<DesiredGroup>> {
        let Some(_) = account.get_node("groups") else {
            return Some(Vec::new());
        };
        let list = self.sequence(account, "groups")?;
        let mut groups = Vec::with_capacity(list.len());
        let mut names: HashMap<String, usize> = HashMap::new();
        // Members name users by email: one index, not a scan of the users per member.
        let users: HashMap<&str, &DesiredUser> = users.iter().map(|u| (u.email.key(), u)).collect();
        let mut ok = true;
        for node in list.iter() {
            let Some(map) = self.mapping(node, "a group", GROUP_KEYS, &["name"]) else {
                ok = false;
                continue;
            };
            let name = self.parse(map, "name", GroupName::parse);
            if let Ok(Some(name)) = &name {
                let line = start(node.span()).0;
                if let Some(first) = names.insert(name.as_str().to_lowercase(), line) {
                    self.at(
                        node.span(),
                        format!("group {name} is declared twice (also at line {first})"),
                    );
                }
            }
            let members = self.members(map, &users);
            match (name, members) {
                (Ok(Some(name)), Some(members)) => groups.push(DesiredGroup { name, members }),
                _ => ok = false,
            }
        }
        ok.then_some(groups)
    }

    fn members(
        &mut self,
        group: &MarkedMappingNode,
        users: &HashMap<&str, &DesiredUser>,
    ) -> Option<Vec<DesiredMember>> {
        let Some(_) = group.get_node("members") else {
            return Some(Vec::new());
        };
        let list = self.sequence(group, "members")?;
        let mut members: Vec<DesiredMember> = Vec::with_capacity(list.len());
        let mut listed: HashSet<String> = HashSet::with_capacity(list.len());
        let mut ok = true;
        for node in list.iter() {
            let Some(map) = self.mapping(node, "a member", MEMBER_KEYS, &["user"]) else {
                ok = false;
                continue;
            };
            let email = match self.parse(map, "user", Email::parse) {
                Ok(Some(email)) => {
                    let user = users.get(email.key());
                    let span = value_span(map, "user");
                    match user {
                        None => {
                            self.at(&span, format!("{email} is not one of the account's users"));
                            None
                        }
                        Some(u) if !u.user_type.unwrap_or(UserType::Standard).receives_alerts() => {
                            self.at(
                                &span,
                                format!("{email} is a billing-admin user and belongs to no groups"),
                            );
                            None
                        }
                        Some(_) if !listed.insert(email.key().to_owned()) => {
                            self.at(&span, format!("{email} is listed twice in this group"));
                            None
                        }
                        Some(_) => Some(email),
                    }
                }
                _ => None,
            };
            let roles = self.member_roles(map);
            match (email, roles) {
                (Some(email), Some(roles)) => members.push(DesiredMember { email, roles }),
                _ => ok = false,
            }
        }
        if ok && !members.is_empty() && !members.iter().any(|m| m.roles.escalates()) {
            let span = value_span(group, "members");
            self.at(
                &span,
                "a group with members needs a primary or secondary member",
            );
            ok = false;
        }
        ok.then_some(members)
    }

    fn member_roles(&mut self, member: &MarkedMappingNode) -> Option<MemberRoles> {
        let mut roles = MemberRoles::default();
        let Some(_) = member.get_node("roles") else {
            return Some(roles);
        };
        let list = self.sequence(member, "roles")?;
        let mut ok = true;
        for item in list.iter() {
            match item.as_scalar().map(|s| s.as_str().trim().to_lowercase()) {
                Some(r) if r == "primary" => roles.primary = true,
                Some(r) if r == "secondary" => roles.secondary = true,
                Some(r) if r == "manager" => roles.manager = true,
                _ => {
                    self.at(
                        item.span(),
                        "a member role is primary, secondary or manager",
                    );
                    ok = false;
                }
            }
        }
        ok.then_some(roles)
    }
}

/// Where the value at `key` is, or the mapping when it is absent.
fn value_span(map: &MarkedMappingNode, key: &str) -> Span {
    map.get_node(key).map_or_else(|| *map.span(), |n| *n.span())
}

fn boolean(s: &str) -> Result<bool, InvalidValue> {
    match s.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(InvalidValue::new("must be true or false")),
    }
}

fn number(s: &str) -> Result<i64, InvalidValue> {
    s.trim()
        .parse()
        .map_err(|_| InvalidValue::new("must be a whole number"))
}
