//! Reading a roster file: YAML pulled node by node with a position on each (`yaml.rs`), walked
//! key by key so that every problem — an unknown key, a wrong type, a value that does not parse,
//! a rule of the roster broken — is reported at once, each with its file, line and column. The
//! users are read one at a time as the file is: memory grows with the roster read, not with the
//! YAML's node tree.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::Path;

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

use crate::yaml::{Mapping, Node, Pos, Scalar, SeenKeys, Sequence, Start, Stream, YamlError};

/// Files larger than this are refused before they are parsed.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// The most problems reported for one file; past it they are counted, not kept, so a file of
/// millions of mistakes costs no more memory than a file of a thousand.
pub const MAX_PROBLEMS: usize = 1000;

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
pub(crate) const GROUP_KEYS: &[&str] = &["name", "previously", "members"];
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
    // Read at most one byte past the limit: the size a file claims is not trusted (a pipe or
    // a device claims none).
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_FILE_BYTES as u64 + 1).read_to_end(&mut bytes))
        .map_err(|e| whole(format!("cannot read the file: {e}")))?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(whole(format!(
            "the file is over {MAX_FILE_BYTES} bytes, the most a roster file may be"
        )));
    }
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
        unreported: 0,
    };
    if text.len() > MAX_FILE_BYTES {
        reader.problem_at(1, 1, format!("the roster is over {MAX_FILE_BYTES} bytes"));
        return Err(reader.problems);
    }
    let roster = match reader.document(&mut Stream::new(text)) {
        Ok(roster) => roster,
        Err(e) => {
            reader.at(e.pos, e.message);
            None
        }
    };
    reader.problems.sort_by_key(|p| (p.line, p.column));
    if reader.unreported > 0 {
        let last = reader.problems.last().map_or(1, |p| p.line);
        let message = format!("and {} more problems not shown", reader.unreported);
        reader.problems.push(Problem {
            file: reader.file.clone(),
            line: last,
            column: 1,
            message,
        });
    }
    match roster {
        Some(roster) if reader.problems.is_empty() => Ok(roster),
        _ => Err(reader.problems),
    }
}

struct Reader {
    file: String,
    problems: Vec<Problem>,
    /// Problems past [`MAX_PROBLEMS`].
    unreported: usize,
}

impl Reader {
    fn problem_at(&mut self, line: usize, column: usize, message: String) {
        if self.problems.len() == MAX_PROBLEMS {
            self.unreported += 1;
            return;
        }
        self.problems.push(Problem {
            file: self.file.clone(),
            line,
            column,
            message,
        });
    }

    fn at(&mut self, pos: Pos, message: impl Into<String>) {
        self.problem_at(pos.line, pos.column, message.into());
    }

    /// The file: one mapping holding `accounts`, read account by account.
    fn document(&mut self, stream: &mut Stream) -> Result<Option<DesiredRoster>, YamlError> {
        let root = match stream.document()? {
            Some(Start::Mapping(pos)) => pos,
            other => {
                let pos = other.map_or(Pos { line: 1, column: 1 }, |s| s.pos());
                self.at(pos, "the file must be a mapping with `accounts`");
                return Ok(None);
            }
        };
        let mut seen = SeenKeys::default();
        let mut accounts = None;
        while let Some(key) = stream.key()? {
            seen.check(&key)?;
            let value = stream.value()?;
            if key.as_str() == "accounts" {
                accounts = self.accounts(stream, value)?;
            } else {
                self.unknown_key(&key, "the roster", ROOT_KEYS);
                stream.skip(value)?;
            }
        }
        stream.end()?;
        if !seen.contains("accounts") {
            self.at(root, "the roster needs `accounts`");
        }
        Ok(accounts.map(|accounts| DesiredRoster { accounts }))
    }

    fn unknown_key(&mut self, key: &Scalar, what: &str, known: &[&str]) {
        self.at(
            key.pos,
            format!(
                "unknown key `{}` in {what}; known keys: {}",
                key.as_str(),
                known.join(", ")
            ),
        );
    }

    /// `value` as a list, or a problem (and the value read past).
    fn streamed_list(
        &mut self,
        stream: &mut Stream,
        key: &str,
        value: Start,
    ) -> Result<bool, YamlError> {
        if let Start::Sequence(_) = value {
            return Ok(true);
        }
        self.at(value.pos(), format!("`{key}` must be a list"));
        stream.skip(value)?;
        Ok(false)
    }

    fn accounts(
        &mut self,
        stream: &mut Stream,
        value: Start,
    ) -> Result<Option<Vec<DesiredAccount>>, YamlError> {
        if !self.streamed_list(stream, "accounts", value)? {
            return Ok(None);
        }
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut out = Vec::new();
        let mut ok = true;
        while let Some(node) = stream.next()? {
            let pos = node.pos();
            match self.account(stream, node)? {
                Some(account) => {
                    if let Some(line) = seen.insert(account.id.to_string(), pos.line) {
                        self.at(
                            pos,
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
        Ok(ok.then_some(out))
    }

    /// `node` as a mapping holding only `known` keys and every one of `required`.
    fn mapping<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        known: &[&str],
        required: &[&str],
    ) -> Option<&'n Mapping> {
        let Some(map) = node.as_mapping() else {
            self.at(node.pos(), format!("{what} must be a mapping"));
            return None;
        };
        for key in map.keys() {
            if !known.contains(&key.as_str()) {
                self.unknown_key(key, what, known);
            }
        }
        for key in required {
            if map.get(key).is_none() {
                self.at(map.pos, format!("{what} needs `{key}`"));
            }
        }
        Some(map)
    }

    fn scalar<'n>(&mut self, map: &'n Mapping, key: &str) -> Option<&'n Scalar> {
        let node = map.get(key)?;
        match node.as_scalar() {
            Some(scalar) => Some(scalar),
            None => {
                self.at(node.pos(), format!("`{key}` must be a single value"));
                None
            }
        }
    }

    fn sequence<'n>(&mut self, map: &'n Mapping, key: &str) -> Option<&'n Sequence> {
        let node = map.get(key)?;
        match node.as_sequence() {
            Some(seq) => Some(seq),
            None => {
                self.at(node.pos(), format!("`{key}` must be a list"));
                None
            }
        }
    }

    /// The value at `key`, parsed; absent is `Ok(None)`, a problem is recorded and `Err`.
    fn parse<T>(
        &mut self,
        map: &Mapping,
        key: &str,
        parse: impl FnOnce(&str) -> Result<T, InvalidValue>,
    ) -> Result<Option<T>, ()> {
        let Some(scalar) = self.scalar(map, key) else {
            return if map.get(key).is_some() {
                Err(())
            } else {
                Ok(None)
            };
        };
        match parse(scalar.as_str()) {
            Ok(value) => Ok(Some(value)),
            Err(reason) => {
                self.at(scalar.pos, format!("`{key}` {reason}"));
                Err(())
            }
        }
    }

    /// One account. Its users and groups are read one by one as the stream gives them; its other
    /// keys are small and read whole. The two lists stand in `fields` as empty lists at their
    /// place, so the key checks see every key.
    fn account(
        &mut self,
        stream: &mut Stream,
        start: Start,
    ) -> Result<Option<DesiredAccount>, YamlError> {
        let Start::Mapping(pos) = start else {
            self.at(start.pos(), "an account must be a mapping");
            stream.skip(start)?;
            return Ok(None);
        };
        let mut fields = Mapping {
            pos,
            entries: Vec::new(),
        };
        let mut seen = SeenKeys::default();
        let (mut users, mut groups) = (None, Some(Vec::new()));
        while let Some(key) = stream.key()? {
            seen.check(&key)?;
            fields.pos = fields.pos.min(key.pos);
            let value = stream.value()?;
            let placeholder = Node::Sequence(Sequence {
                pos: value.pos(),
                items: Vec::new(),
            });
            match key.as_str() {
                "users" => users = self.users(stream, value)?,
                "groups" => groups = self.groups(stream, value)?,
                _ => {
                    fields.entries.push((key, stream.rest(value)?));
                    continue;
                }
            }
            fields.entries.push((key, placeholder));
        }
        let node = Node::Mapping(fields);
        Ok(self.account_fields(&node, users, groups))
    }

    fn account_fields(
        &mut self,
        node: &Node,
        users: Option<Vec<DesiredUser>>,
        groups: Option<Vec<ReadGroup>>,
    ) -> Option<DesiredAccount> {
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
        let groups = match (groups, &users) {
            (None, _) => None,
            (Some(groups), Some(users)) => self.resolve_groups(groups, users),
            // Without the users, members cannot be checked: the users' problems stand alone.
            (Some(_), None) => None,
        };

        // Rules across the account.
        if let (Ok(Some(owner)), Some(users)) = (&owner, &users) {
            let owner_pos = value_pos(map, "owner");
            match users.iter().find(|u| &u.email == owner) {
                None => self.at(
                    owner_pos,
                    format!("the owner {owner} is not one of the account's users"),
                ),
                Some(u) if u.user_type.is_some_and(|t| t != UserType::Standard) => {
                    self.at(owner_pos, "the owner must be a standard user")
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
                self.at(
                    value_pos(map, "seats"),
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

    /// The account's users, each read whole and checked before the next is read.
    fn users(
        &mut self,
        stream: &mut Stream,
        value: Start,
    ) -> Result<Option<Vec<DesiredUser>>, YamlError> {
        if !self.streamed_list(stream, "users", value)? {
            return Ok(None);
        }
        let mut users = Vec::new();
        let mut emails: HashMap<String, usize> = HashMap::new();
        let mut usernames: HashMap<String, usize> = HashMap::new();
        let mut ok = true;
        while let Some(start) = stream.next()? {
            let node = stream.rest(start)?;
            let Some(user) = self.user(&node) else {
                ok = false;
                continue;
            };
            let pos = node.pos();
            let twice = emails.insert(user.email.key().to_owned(), pos.line);
            if let Some(first) = twice {
                self.at(
                    pos,
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
            let first = usernames.insert(username.key().to_owned(), pos.line);
            // A username left to default to a repeated email is that one problem, not two.
            let implied = user.username.is_none() && twice.is_some();
            if let Some(first) = first.filter(|_| !implied) {
                self.at(
                    pos,
                    format!("the username {username} is used twice (also at line {first})"),
                );
            }
            users.push(user);
        }
        users.shrink_to_fit();
        Ok(ok.then_some(users))
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

    fn roles(&mut self, map: &Mapping, kind: UserType) -> Result<Option<Roles>, ()> {
        let Some(node) = map.get("roles") else {
            return Ok(None);
        };
        let Some(list) = self.sequence(map, "roles") else {
            return Err(());
        };
        if !kind.holds_roles() {
            self.at(node.pos(), format!("a {kind} user holds no platform roles"));
            return Err(());
        }
        if list.items.is_empty() {
            self.at(node.pos(), "a standard user holds at least one role");
            return Err(());
        }
        let mut roles = Roles::new();
        let mut ok = true;
        for item in list.items.iter() {
            match item.as_scalar().map(|s| Role::parse(s.as_str())) {
                Some(Ok(role)) => {
                    roles.insert(role);
                }
                Some(Err(reason)) => {
                    self.at(item.pos(), format!("role {reason}"));
                    ok = false;
                }
                None => {
                    self.at(item.pos(), "a role must be a single value");
                    ok = false;
                }
            }
        }
        if ok { Ok(Some(roles)) } else { Err(()) }
    }

    fn contacts(
        &mut self,
        map: &Mapping,
        kind: UserType,
    ) -> Result<Option<Vec<DesiredContact>>, ()> {
        let Some(node) = map.get("contact_methods") else {
            return Ok(None);
        };
        let Some(list) = self.sequence(map, "contact_methods") else {
            return Err(());
        };
        if !kind.receives_alerts() && !list.items.is_empty() {
            self.at(
                node.pos(),
                format!("a {kind} user receives no alerts, so has no contact methods"),
            );
            return Err(());
        }
        let mut out = Vec::with_capacity(list.items.len());
        let mut seen: BTreeMap<ContactMethodKind, usize> = BTreeMap::new();
        let mut ok = true;
        for item in list.items.iter() {
            let Some(contact) = self.mapping(item, "a contact method", CONTACT_KEYS, &["method"])
            else {
                ok = false;
                continue;
            };
            let method = match self.parse(contact, "method", ContactMethodKind::parse) {
                Ok(Some(ContactMethodKind::Push)) => {
                    self.at(
                        value_pos(contact, "method"),
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
                    if let Some(v) = contact.get("value") {
                        self.at(
                            v.pos(),
                            "email-official has no value: it follows the user's email",
                        );
                        Err(())
                    } else {
                        Ok(None)
                    }
                }
                Some(m) => match self.parse(contact, "value", |s| ContactValue::parse_for(m, s)) {
                    Ok(None) => {
                        self.at(contact.pos, format!("{m} needs a `value`"));
                        Err(())
                    }
                    other => other,
                },
            };
            if let Some(m) = method {
                let line = item.pos().line;
                if let Some(first) = seen.insert(m, line) {
                    self.at(
                        item.pos(),
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

    /// The account's groups, each read whole as the stream gives it. Members name users by
    /// email, and the users may come later in the file: [`Reader::resolve_groups`] checks them
    /// once the account is read.
    fn groups(
        &mut self,
        stream: &mut Stream,
        value: Start,
    ) -> Result<Option<Vec<ReadGroup>>, YamlError> {
        if !self.streamed_list(stream, "groups", value)? {
            return Ok(None);
        }
        let mut groups = Vec::new();
        let mut names: HashMap<String, usize> = HashMap::new();
        let mut ok = true;
        while let Some(start) = stream.next()? {
            let node = stream.rest(start)?;
            let Some(map) = self.mapping(&node, "a group", GROUP_KEYS, &["name"]) else {
                ok = false;
                continue;
            };
            let name = self.parse(map, "name", GroupName::parse);
            if let Ok(Some(name)) = &name {
                let line = node.pos().line;
                if let Some(first) = names.insert(name.as_str().to_lowercase(), line) {
                    self.at(
                        node.pos(),
                        format!("group {name} is declared twice (also at line {first})"),
                    );
                }
            }
            let previously = self.previously(map);
            let members = self.members(map);
            match (name, previously, members) {
                (Ok(Some(name)), Some(previously), Some(members)) => groups.push(ReadGroup {
                    name,
                    previously,
                    members,
                    members_pos: value_pos(map, "members"),
                }),
                _ => ok = false,
            }
        }
        if ok {
            self.check_former_names(&groups);
        }
        Ok(ok.then_some(groups))
    }

    /// A group's former names, each with where it is written.
    fn previously(&mut self, group: &Mapping) -> Option<Vec<(GroupName, Pos)>> {
        let Some(_) = group.get("previously") else {
            return Some(Vec::new());
        };
        let list = self.sequence(group, "previously")?;
        let mut names = Vec::with_capacity(list.items.len());
        let mut ok = true;
        for item in list.items.iter() {
            match item.as_scalar().map(|s| GroupName::parse(s.as_str())) {
                Some(Ok(name)) => names.push((name, item.pos())),
                Some(Err(reason)) => {
                    self.at(item.pos(), format!("a former name {reason}"));
                    ok = false;
                }
                None => {
                    self.at(item.pos(), "a former name must be a single value");
                    ok = false;
                }
            }
        }
        ok.then_some(names)
    }

    /// A former name says which live group a group of the file is: it cannot be a group of the
    /// file too, nor the former name of two groups.
    fn check_former_names(&mut self, groups: &[ReadGroup]) {
        let current: HashSet<String> = groups
            .iter()
            .map(|g| g.name.as_str().to_lowercase())
            .collect();
        let mut claimed: HashMap<String, &GroupName> = HashMap::new();
        for group in groups {
            for (former, pos) in &group.previously {
                let key = former.as_str().to_lowercase();
                if current.contains(&key) {
                    self.at(
                        *pos,
                        format!(
                            "{former} is a group of this file, so it cannot be a former name of {}",
                            group.name
                        ),
                    );
                } else if let Some(other) = claimed.insert(key, &group.name) {
                    if other.as_str().to_lowercase() != group.name.as_str().to_lowercase() {
                        self.at(
                            *pos,
                            format!(
                                "{former} is a former name of both {other} and {}",
                                group.name
                            ),
                        );
                    }
                }
            }
        }
    }

    fn members(&mut self, group: &Mapping) -> Option<Vec<ReadMember>> {
        let Some(_) = group.get("members") else {
            return Some(Vec::new());
        };
        let list = self.sequence(group, "members")?;
        let mut members = Vec::with_capacity(list.items.len());
        let mut ok = true;
        for node in list.items.iter() {
            let Some(map) = self.mapping(node, "a member", MEMBER_KEYS, &["user"]) else {
                ok = false;
                continue;
            };
            let email = self.parse(map, "user", Email::parse);
            let roles = self.member_roles(map);
            match (email, roles) {
                (Ok(Some(email)), Some(roles)) => members.push(ReadMember {
                    email,
                    roles,
                    pos: value_pos(map, "user"),
                }),
                _ => ok = false,
            }
        }
        ok.then_some(members)
    }

    /// The groups' members checked against the account's users.
    fn resolve_groups(
        &mut self,
        groups: Vec<ReadGroup>,
        users: &[DesiredUser],
    ) -> Option<Vec<DesiredGroup>> {
        // One index, not a scan of the users per member.
        let users: HashMap<&str, &DesiredUser> = users.iter().map(|u| (u.email.key(), u)).collect();
        let mut out = Vec::with_capacity(groups.len());
        let mut ok = true;
        for group in groups {
            let mut listed: HashSet<&str> = HashSet::with_capacity(group.members.len());
            let mut members_ok = true;
            for member in &group.members {
                let email = &member.email;
                match users.get(email.key()) {
                    None => {
                        self.at(
                            member.pos,
                            format!("{email} is not one of the account's users"),
                        );
                        members_ok = false;
                    }
                    Some(u) if !u.user_type.unwrap_or(UserType::Standard).receives_alerts() => {
                        self.at(
                            member.pos,
                            format!("{email} is a billing-admin user and belongs to no groups"),
                        );
                        members_ok = false;
                    }
                    Some(_) if !listed.insert(email.key()) => {
                        self.at(member.pos, format!("{email} is listed twice in this group"));
                        members_ok = false;
                    }
                    Some(_) => {}
                }
            }
            if members_ok
                && !group.members.is_empty()
                && !group.members.iter().any(|m| m.roles.escalates())
            {
                self.at(
                    group.members_pos,
                    "a group with members needs a primary or secondary member",
                );
                members_ok = false;
            }
            ok &= members_ok;
            let members = group
                .members
                .into_iter()
                .map(|m| DesiredMember {
                    email: m.email,
                    roles: m.roles,
                })
                .collect();
            out.push(DesiredGroup {
                name: group.name,
                previously: group.previously.into_iter().map(|(name, _)| name).collect(),
                members,
            });
        }
        ok.then_some(out)
    }

    fn member_roles(&mut self, member: &Mapping) -> Option<MemberRoles> {
        let mut roles = MemberRoles::default();
        let Some(_) = member.get("roles") else {
            return Some(roles);
        };
        let list = self.sequence(member, "roles")?;
        let mut ok = true;
        for item in list.items.iter() {
            match item.as_scalar().map(|s| s.as_str().trim().to_lowercase()) {
                Some(r) if r == "primary" => roles.primary = true,
                Some(r) if r == "secondary" => roles.secondary = true,
                Some(r) if r == "manager" => roles.manager = true,
                _ => {
                    self.at(item.pos(), "a member role is primary, secondary or manager");
                    ok = false;
                }
            }
        }
        ok.then_some(roles)
    }
}

/// A group as read, before its members are checked against the users.
struct ReadGroup {
    name: GroupName,
    previously: Vec<(GroupName, Pos)>,
    members: Vec<ReadMember>,
    members_pos: Pos,
}

struct ReadMember {
    email: Email,
    roles: MemberRoles,
    pos: Pos,
}

/// Where the value at `key` is, or the mapping when it is absent.
fn value_pos(map: &Mapping, key: &str) -> Pos {
    map.get(key).map_or(map.pos, Node::pos)
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
