//! Creating, reading, listing and deleting users (SPEC.md §1, §3, §5).

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::Roster;
use super::changes::Change;
use super::invitations::Delivery;
use super::records::{self, claim_item, external_id_item};
use super::seats::SeatRefusal;
use super::transaction::{Guard, Refused, Transaction};
use crate::access::Actor;
use crate::entities::{ContactMethod, ManagedBy, User, UserStatus};
use crate::error::{DomainError, FieldError, FieldErrors};
use crate::keys;
use crate::ports::table::{Condition, Cursor, Key, Query, Tally, Write, query_all};
use crate::values::{
    AccountId, Email, ExternalId, PersonName, Provided, Role, Roles, UserId, UserType, Username,
};

/// A user as typed by a person or a file: every field optional and unparsed, so that every
/// problem can be reported at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUserInput {
    pub email: Option<String>,
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub user_type: Option<String>,
    pub roles: Option<Vec<String>>,
    pub external_id: Option<String>,
}

/// What a standard user holds when created without roles.
pub const USER_DEFAULT_ROLES: &[Role] = &[Role::Basic];

/// A valid new user, before it has an id.
#[derive(Debug, Clone, PartialEq)]
pub struct NewUser {
    pub email: Email,
    pub username: Username,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub user_type: UserType,
    pub roles: Roles,
    pub external_id: Option<ExternalId>,
}

impl NewUser {
    /// Parses every field, reporting every problem (SPEC.md §3). Roles default to `basic` for a
    /// standard user and are refused for the other types.
    pub fn parse(input: &NewUserInput) -> Result<Self, DomainError> {
        Self::parse_with_default_roles(input, "", USER_DEFAULT_ROLES)
    }

    /// As [`NewUser::parse`], with field names under `prefix` (e.g. `owner.`) and the roles a
    /// standard user gets when none are given.
    pub(crate) fn parse_with_default_roles(
        input: &NewUserInput,
        prefix: &str,
        default_roles: &[Role],
    ) -> Result<Self, DomainError> {
        let mut errors = FieldErrors::new();
        let field = |name: &str| format!("{prefix}{name}");
        let email = errors.required(
            &field("email"),
            "Email",
            input.email.as_deref(),
            Email::parse,
        );
        let username = errors.optional(
            &field("username"),
            "Username",
            input.username.as_deref(),
            Username::parse,
        );
        let first_name = errors.required(
            &field("first_name"),
            "First name",
            input.first_name.as_deref(),
            PersonName::parse,
        );
        let last_name = errors.required(
            &field("last_name"),
            "Last name",
            input.last_name.as_deref(),
            PersonName::parse,
        );
        let user_type = errors
            .optional(
                &field("user_type"),
                "User type",
                input.user_type.as_deref(),
                UserType::parse,
            )
            .map(|t| t.unwrap_or(UserType::Standard));
        let roles = user_type.and_then(|user_type| {
            parse_roles(
                &mut errors,
                &field("roles"),
                user_type,
                input.roles.as_deref(),
                default_roles,
            )
        });
        let external_id = errors.optional(
            &field("external_id"),
            "External id",
            input.external_id.as_deref(),
            ExternalId::parse,
        );
        errors.finish(|| {
            let email = email?;
            Some(Self {
                username: username?.unwrap_or_else(|| Username::from(&email)),
                email,
                first_name: first_name?,
                last_name: last_name?,
                user_type: user_type?,
                roles: roles?,
                external_id: external_id?,
            })
        })
    }
}

fn parse_roles(
    errors: &mut FieldErrors,
    field: &str,
    user_type: UserType,
    raw: Option<&[String]>,
    default_roles: &[Role],
) -> Option<Roles> {
    match (user_type.holds_roles(), raw) {
        (true, None) => Some(default_roles.iter().copied().collect()),
        (false, None) => Some(Roles::new()),
        (false, Some(_)) => {
            errors.push(
                field,
                format!("Roles can only be held by standard users, not {user_type}"),
            );
            None
        }
        (true, Some([])) => {
            errors.push(field, "Roles must name at least one role");
            None
        }
        (true, Some(list)) => {
            let mut roles = Roles::new();
            let mut ok = true;
            for (i, raw) in list.iter().enumerate() {
                match Role::parse(raw) {
                    Ok(role) => {
                        roles.insert(role);
                    }
                    Err(reason) => {
                        errors.push(format!("{field}[{i}]"), format!("Role {reason}"));
                        ok = false;
                    }
                }
            }
            ok.then_some(roles)
        }
    }
}

/// A page of users sorted by last name, then first name.
#[derive(Debug, Clone, PartialEq)]
pub struct UserPage {
    pub users: Vec<User>,
    /// Where the next page starts; `None` when no users follow.
    pub next: Option<Cursor>,
}

/// Narrows a user list. `q` matches the start of the first name, last name, "first last", or
/// email, ignoring case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    pub q: Option<String>,
}

impl UserFilter {
    /// `q` as it is matched: trimmed and case-folded; `None` for no filter.
    fn folded(&self) -> Option<String> {
        self.q
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(str::to_lowercase)
    }

    /// Whether one of the texts a user is found by (`records::search_texts`) starts with `q`.
    fn matches(&self, user: &User) -> bool {
        self.folded().is_none_or(|q| {
            records::search_texts(user)
                .iter()
                .any(|text| text.starts_with(&q))
        })
    }
}

/// A user's profile as the product shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub user: User,
    /// The names of the groups the user belongs to, sorted without regard to case.
    pub member_of: Vec<String>,
}

impl Roster {
    /// Creates a user with its email and username claims and its invitation in one
    /// transaction, then sends the invitation. Two concurrent creates with the same email (in
    /// any case) cannot both succeed; a failed send leaves the invitation queued, never the user
    /// missing.
    pub async fn create_user(
        &self,
        actor: &Actor,
        input: &NewUserInput,
        managed_by: ManagedBy,
    ) -> Result<(User, Delivery), DomainError> {
        actor.may_manage_users("creating users")?;
        let new = NewUser::parse(input)?;
        self.create_new_user(actor, new, managed_by, |_| {}).await
    }

    /// As [`Roster::create_user`], from a checked user, with `shape` finishing it (preferences,
    /// contact methods) before the one transaction is written: reconcile creates a user whole.
    pub(crate) async fn create_new_user(
        &self,
        actor: &Actor,
        new: NewUser,
        managed_by: ManagedBy,
        shape: impl FnOnce(&mut User),
    ) -> Result<(User, Delivery), DomainError> {
        actor.may_manage_users("creating users")?;
        let mut user = self.build_user(new, managed_by, false);
        shape(&mut user);
        let account = actor.account();
        let (entry, token) = self
            .insert_user(actor, &user, || {
                let (entry, token, writes) = self.new_invitation(account, &user)?;
                Ok(((entry, token), writes))
            })
            .await?;
        let delivery = self.send_invitation(entry, &user, &token).await?;
        Ok((user, delivery))
    }

    /// Creates a user for an identity provider (SCIM): `managed_by: scim`, active at once
    /// (signing in is the identity provider's), no invitation; the same rules and claims as any
    /// other create.
    pub async fn create_provisioned_user(
        &self,
        actor: &Actor,
        new: NewUser,
        provided: Provided,
    ) -> Result<User, DomainError> {
        actor.may_manage_users("creating users")?;
        let mut user = self.build_user(new, ManagedBy::Scim, false);
        user.status = UserStatus::Active;
        super::profile::checked_mobile(&provided)?;
        if user.user_type.receives_alerts() {
            user.contact_methods = super::profile::provisioned_mobile(&user, &provided);
        }
        user.provided = provided;
        self.insert_user(actor, &user, || Ok(((), Vec::new())))
            .await?;
        Ok(user)
    }

    /// Writes a new user with its email and username claims, its seat and what `with` adds (an
    /// invitation, made afresh for each attempt) in one transaction, and returns what `with`
    /// made of the attempt that was written. Two concurrent creates with the same email (in any
    /// case) cannot both succeed.
    async fn insert_user<T>(
        &self,
        actor: &Actor,
        user: &User,
        with: impl Fn() -> Result<(T, Vec<Write>), DomainError>,
    ) -> Result<T, DomainError> {
        let account = actor.account();
        // Twice at most: once more after making the seat counter of an account that had none.
        let mut attempts = 0;
        loop {
            attempts += 1;
            let (made, extra) = with()?;
            let mut tx = Transaction::new();
            tx.push(
                Guard::Account,
                Write::check(keys::account(account), Condition::MustExist),
            );
            store_new_user(&mut tx, account, user)?;
            tx.extend(Guard::Seats, self.seat_write(account, user, Tally::Take));
            tx.extend(Guard::Stale, extra);
            tx.push(
                Guard::Stale,
                self.audit_write(
                    account,
                    actor.audit_actor(),
                    "create-user",
                    ("user", user.id.as_str()),
                    None,
                    Some(user),
                )?,
            );
            match tx.commit(self.table.as_ref()).await {
                Ok(()) => return Ok(made),
                Err(refused) if refused.by(Guard::Account) => {
                    return Err(DomainError::not_found("account", account.as_str()));
                }
                Err(refused) if refused.by(Guard::Email) || refused.by(Guard::Username) => {
                    return Err(claim_conflict(user, refused));
                }
                Err(refused) if refused.by(Guard::Seats) => {
                    match self.seat_refusal(account).await? {
                        SeatRefusal::Counted if attempts < 2 => continue,
                        SeatRefusal::Counted => return Err(refused.into()),
                        SeatRefusal::Full(e) => return Err(e),
                    }
                }
                Err(refused) => return Err(claim_conflict(user, refused)),
            }
        }
    }

    /// A new user value with fresh id and timestamps; not yet stored.
    pub(crate) fn build_user(&self, new: NewUser, managed_by: ManagedBy, is_owner: bool) -> User {
        let now = self.clock.now();
        let contact_methods = if new.user_type.receives_alerts() {
            vec![ContactMethod::email_official()]
        } else {
            Vec::new()
        };
        User {
            id: UserId::from_ulid(self.ids.new_id()),
            email: new.email,
            username: new.username,
            first_name: new.first_name,
            last_name: new.last_name,
            user_type: new.user_type,
            roles: new.roles,
            contact_methods,
            external_id: new.external_id,
            preferences: Default::default(),
            on_call_reminders: Default::default(),
            status: UserStatus::Invited,
            member_of: Default::default(),
            shifts: Default::default(),
            out_of_office: Vec::new(),
            covering: Default::default(),
            deactivated: false,
            is_owner,
            managed_by,
            provided: Provided::default(),
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    /// The stored user, without any access check: for use cases that check first.
    pub(crate) async fn load_user(
        &self,
        account: &AccountId,
        id: &UserId,
    ) -> Result<User, DomainError> {
        match self.table.get(&keys::user(account, id)).await? {
            Some(item) => records::user_from_item(&item),
            None => Err(DomainError::not_found("user", id.as_str())),
        }
    }

    /// A user's profile: one's own, or anyone's for those who may read every user.
    pub async fn get_user(&self, actor: &Actor, id: &UserId) -> Result<Profile, DomainError> {
        // Load first: another account's id is 404 whatever the caller's rights.
        let user = self.load_user(actor.account(), id).await?;
        actor.may_read_user(&user)?;
        let mut member_of: Vec<String> = self
            .group_names(actor.account(), user.member_of.keys())
            .await?
            .into_iter()
            .map(|(_, name)| name.to_string())
            .collect();
        member_of.sort_by_key(|name| name.to_lowercase());
        Ok(Profile { user, member_of })
    }

    /// Users in name order, a page at a time (`limit` 1..=1000). With `q`, the users one of
    /// whose texts (`records::search_texts`) starts with it, each once, in the order of the text
    /// that matched and then by name, from the account's search entries: one query page and one
    /// batch read, whatever the account's size. Such a page may hold fewer than `limit` users
    /// and still have a cursor.
    pub async fn list_users(
        &self,
        actor: &Actor,
        filter: &UserFilter,
        limit: u32,
        after: Option<Cursor>,
    ) -> Result<UserPage, DomainError> {
        actor.may_read_every_user("listing users")?;
        let account = actor.account();
        let limit = limit.clamp(1, 1000);
        let Some(q) = filter.folded() else {
            let partition = keys::users_by_name(account);
            if after
                .as_ref()
                .is_some_and(|c| c.index.as_ref().is_none_or(|i| i.pk != partition))
            {
                return Err(foreign_cursor());
            }
            let page = self
                .table
                .query(&Query::index(&partition).limit(limit).after(after))
                .await?;
            let users = page
                .items
                .iter()
                .map(records::user_from_item)
                .collect::<Result<_, _>>()?;
            return Ok(UserPage {
                users,
                next: page.next,
            });
        };
        let partition = keys::search_partition(account);
        if after
            .as_ref()
            .is_some_and(|c| c.index.is_some() || c.key.pk != partition)
        {
            return Err(foreign_cursor());
        }
        let entries = Query::partition(&partition)
            .prefix(keys::search_term(&q))
            .limit(limit)
            .after(after);
        let page = self.table.query(&entries).await?;
        let pointed: Vec<UserId> = page
            .items
            .iter()
            .map(records::claim_holder)
            .collect::<Result<_, DomainError>>()?;
        let wanted: BTreeSet<Key> = pointed.iter().map(|id| keys::user(account, id)).collect();
        let wanted: Vec<Key> = wanted.into_iter().collect();
        let found: BTreeMap<UserId, User> = self
            .read_batch(&wanted)
            .await?
            .users
            .into_iter()
            .map(|user| (user.id.clone(), user))
            .collect();
        // Each user at the first of their own entries that matches: a user found by two texts
        // is listed once, and an entry left behind by a change finds nobody.
        let users = page
            .items
            .iter()
            .zip(&pointed)
            .filter_map(|(entry, id)| {
                let user = found.get(id)?;
                let first = records::search_keys(account, user)
                    .into_iter()
                    .find(|key| key.sk.starts_with(&keys::search_term(&q)))?;
                (first == entry.key && filter.matches(user)).then(|| user.clone())
            })
            .collect();
        Ok(UserPage {
            users,
            next: page.next,
        })
    }

    /// Hands a user over to the roster file (reconcile adopting an API-created user).
    pub async fn adopt_user(&self, actor: &Actor, id: &UserId) -> Result<User, DomainError> {
        actor.may_manage_users("adopting users")?;
        self.change_user(actor, "adopt-user", id, |user| {
            if user.managed_by == ManagedBy::Config {
                return Ok(Change::Keep(user.clone()));
            }
            let mut next = user.clone();
            next.managed_by = ManagedBy::Config;
            Ok(Change::Write(Box::new(next.clone()), next))
        })
        .await
    }

    /// The user the claim at `key` names, if the claim is there: one read.
    pub(crate) async fn claim_holder_at(&self, key: &Key) -> Result<Option<UserId>, DomainError> {
        match self.table.get(key).await? {
            Some(item) => records::claim_holder(&item).map(Some),
            None => Ok(None),
        }
    }

    /// The id of the user holding `email` in `account` (an operator look-up: `roster token`).
    pub async fn user_id_by_email(
        &self,
        account: &AccountId,
        email: &Email,
    ) -> Result<UserId, DomainError> {
        self.claim_holder_at(&keys::email_claim(account, email))
            .await?
            .ok_or_else(|| DomainError::not_found("user", email.as_str()))
    }

    /// The user whose username is `username` (any case): one read of its claim, one of the
    /// user. For identity providers, which look a user up by `userName` before every create.
    pub async fn user_by_username(
        &self,
        actor: &Actor,
        username: &Username,
    ) -> Result<Option<User>, DomainError> {
        actor.may_read_every_user("listing users")?;
        let account = actor.account();
        let claim = keys::username_claim(account, username);
        let Some(id) = self.claim_holder_at(&claim).await? else {
            return Ok(None);
        };
        match self.table.get(&keys::user(account, &id)).await? {
            Some(item) => records::user_from_item(&item).map(Some),
            None => Ok(None),
        }
    }

    /// The users whose external id is exactly `external_id`: one query of its entries, one
    /// batch read of the users. For identity providers that look a user up by `externalId`
    /// (Entra ID does before every create). External ids need not be unique, so this may be
    /// several.
    pub async fn users_by_external_id(
        &self,
        actor: &Actor,
        external_id: &ExternalId,
    ) -> Result<Vec<User>, DomainError> {
        actor.may_read_every_user("listing users")?;
        let account = actor.account();
        let query = Query::partition(keys::account_pk(account))
            .prefix(keys::external_id_prefix(external_id));
        let entries = query_all(self.table.as_ref(), query).await?;
        let ids = entries
            .iter()
            .map(|entry| Ok(keys::user(account, &records::claim_holder(entry)?)))
            .collect::<Result<Vec<_>, DomainError>>()?;
        let users = self.read_batch(&ids).await?.users;
        Ok(users
            .into_iter()
            .filter(|user| user.external_id.as_ref() == Some(external_id))
            .collect())
    }

    /// The users who may have email `value` (any case): the one whose own email it is (its
    /// claim) and those an identity provider sent it for (their provided-email entries). One read
    /// of the claim, one query of the entries, one batch read of the users, whatever the
    /// account's size. For identity providers that look a user up by `emails.value`; a
    /// superset the caller's filter then narrows (a provider's emails are kept as sent).
    pub async fn users_by_email_value(
        &self,
        actor: &Actor,
        value: &str,
    ) -> Result<Vec<User>, DomainError> {
        actor.may_read_every_user("listing users")?;
        let account = actor.account();
        let mut ids = std::collections::BTreeSet::new();
        if let Ok(email) = Email::parse(value) {
            ids.extend(
                self.claim_holder_at(&keys::email_claim(account, &email))
                    .await?,
            );
        }
        let query =
            Query::partition(keys::account_pk(account)).prefix(keys::provided_email_prefix(value));
        for entry in query_all(self.table.as_ref(), query).await? {
            ids.insert(records::claim_holder(&entry)?);
        }
        let users: Vec<Key> = ids.iter().map(|id| keys::user(account, id)).collect();
        Ok(self.read_batch(&users).await?.users)
    }

    /// Every user of the account, for a filter no index answers (a SCIM list).
    pub async fn every_user(&self, actor: &Actor) -> Result<Vec<User>, DomainError> {
        actor.may_read_every_user("listing users")?;
        self.all_users(actor.account()).await
    }

    /// Sends an invited user their password email again (`POST /users/{id}/invitations`).
    pub async fn resend_invitation(
        &self,
        actor: &Actor,
        id: &UserId,
    ) -> Result<Delivery, DomainError> {
        let user = self.load_user(actor.account(), id).await?;
        actor.may_manage_users("sending invitations")?;
        let audit = self.audit_write(
            actor.account(),
            actor.audit_actor(),
            "resend-invite",
            ("user", id.as_str()),
            None::<&User>,
            None,
        )?;
        self.deliver_invitation(actor.account(), &user, audit).await
    }
}

/// Adds to `tx` the writes that store a new user: the user item and its two claims, each
/// must-not-exist.
pub(crate) fn store_new_user(
    tx: &mut Transaction,
    account: &AccountId,
    user: &User,
) -> Result<(), DomainError> {
    tx.push(
        Guard::Stale,
        Write::put(records::user_item(account, user)?, Condition::MustNotExist),
    );
    tx.push(
        Guard::Email,
        Write::put(
            claim_item(keys::email_claim(account, &user.email), &user.id)?,
            Condition::MustNotExist,
        ),
    );
    tx.push(
        Guard::Username,
        Write::put(
            claim_item(keys::username_claim(account, &user.username), &user.id)?,
            Condition::MustNotExist,
        ),
    );
    tx.extend(Guard::Stale, external_id_writes(account, None, Some(user))?);
    tx.extend(Guard::Stale, entry_writes(account, None, Some(user))?);
    Ok(())
}

/// The writes that keep a user's entry under its external id in step with the user, from
/// `before` (none for a new user) to `after` (none for a deleted one): nothing when the external
/// id stays. Unconditional, as the entry is only a pointer: a reader checks the user it points
/// to.
pub(crate) fn external_id_writes(
    account: &AccountId,
    before: Option<&User>,
    after: Option<&User>,
) -> Result<Vec<Write>, DomainError> {
    let external = |user: Option<&User>| user.and_then(|u| u.external_id.clone());
    if external(before) == external(after) {
        return Ok(Vec::new());
    }
    let mut writes = Vec::new();
    if let Some(user) = before {
        if let Some(external) = &user.external_id {
            writes.push(Write::delete(
                keys::external_id_entry(account, external, &user.id),
                None,
            ));
        }
    }
    if let Some(user) = after {
        writes.extend(external_id_item(account, user)?.map(|item| Write::put(item, None)));
    }
    Ok(writes)
}

fn foreign_cursor() -> DomainError {
    DomainError::Validation(vec![FieldError::new(
        "cursor",
        "Cursor does not belong to this list",
    )])
}

/// The writes that keep a user's search and provided-email entries ([`records::entry_keys`]) in
/// step with the user, from `before` (none for a new user) to `after` (none for a deleted one):
/// the entries whose keys went, deleted, and the new ones put. Unconditional, as an entry is only
/// a pointer: whoever follows it checks the user it points to.
pub(crate) fn entry_writes(
    account: &AccountId,
    before: Option<&User>,
    after: Option<&User>,
) -> Result<Vec<Write>, DomainError> {
    let keys_of = |user: Option<&User>| {
        user.map(|u| records::entry_keys(account, u))
            .unwrap_or_default()
    };
    let (old, new) = (keys_of(before), keys_of(after));
    let mut writes: Vec<Write> = old
        .difference(&new)
        .map(|key| Write::delete(key.clone(), None))
        .collect();
    if let Some(user) = after {
        for key in new.difference(&old) {
            writes.push(Write::put(
                records::claim_item(key.clone(), &user.id)?,
                None,
            ));
        }
    }
    Ok(writes)
}

/// Names the taken fields of a refused [`store_new_user`].
pub(crate) fn claim_conflict(user: &User, refused: Refused) -> DomainError {
    let mut fields = Vec::new();
    if refused.by(Guard::Email) {
        fields.push(FieldError::new(
            "email",
            format!("Email {} is already taken in this account", user.email),
        ));
    }
    if refused.by(Guard::Username) {
        fields.push(FieldError::new(
            "username",
            format!(
                "Username {} is already taken in this account",
                user.username
            ),
        ));
    }
    if fields.is_empty() {
        // Only the user item itself: a generated id collided, which a retry resolves.
        return refused.into();
    }
    let message = fields
        .iter()
        .map(|f| f.message.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    DomainError::Conflict { message, fields }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(email: &str, first: &str, last: &str) -> NewUserInput {
        NewUserInput {
            email: Some(email.into()),
            first_name: Some(first.into()),
            last_name: Some(last.into()),
            ..Default::default()
        }
    }

    fn fields(err: DomainError) -> Vec<(String, String)> {
        match err {
            DomainError::Validation(errors) => {
                errors.into_iter().map(|e| (e.field, e.message)).collect()
            }
            other => panic!("expected validation errors, got {other:?}"),
        }
    }

    #[test]
    fn an_empty_form_names_every_required_field_in_order() {
        let err = NewUser::parse(&NewUserInput::default()).unwrap_err();
        assert_eq!(
            fields(err),
            [
                ("email".to_owned(), "Email is required".to_owned()),
                ("first_name".to_owned(), "First name is required".to_owned()),
                ("last_name".to_owned(), "Last name is required".to_owned()),
            ]
        );
    }

    #[test]
    fn bad_values_are_reported_together_with_missing_ones() {
        let mut raw = input("nope", "", "Silva");
        raw.user_type = Some("robot".into());
        raw.roles = Some(vec!["basic".into(), "owner".into()]);
        let names: Vec<String> = fields(NewUser::parse(&raw).unwrap_err())
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(names, ["email", "first_name", "user_type"]);

        let mut raw = input("ana@acme.example", "Ana", "Silva");
        raw.roles = Some(vec!["basic".into(), "owner".into(), "App Admin".into()]);
        let errors = fields(NewUser::parse(&raw).unwrap_err());
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, "roles[1]");
    }

    #[test]
    fn standard_users_default_to_basic_and_others_hold_no_roles() {
        let user = NewUser::parse(&input("ana@acme.example", "Ana", "Silva")).unwrap();
        assert_eq!(user.roles, [Role::Basic].into());
        assert_eq!(user.username.as_str(), "ana@acme.example");

        let mut raw = input("sam@acme.example", "Sam", "Stake");
        raw.user_type = Some("Stakeholder".into());
        assert!(NewUser::parse(&raw).unwrap().roles.is_empty());
        raw.roles = Some(vec!["basic".into()]);
        assert_eq!(fields(NewUser::parse(&raw).unwrap_err())[0].0, "roles");

        let mut raw = input("ana@acme.example", "Ana", "Silva");
        raw.roles = Some(vec![]);
        assert_eq!(fields(NewUser::parse(&raw).unwrap_err())[0].0, "roles");
        raw.roles = Some(vec![
            "App Admin".into(),
            "app-admin".into(),
            "SYSTEM VIEWER".into(),
        ]);
        assert_eq!(
            NewUser::parse(&raw).unwrap().roles,
            [Role::AppAdmin, Role::SystemViewer].into()
        );
    }

    #[test]
    fn unknown_fields_in_a_request_body_are_refused() {
        let err = serde_json::from_str::<NewUserInput>(r#"{"email":"a@b.example","password":"x"}"#)
            .unwrap_err();
        assert!(
            err.to_string().contains("unknown field `password`"),
            "{err}"
        );
    }
}
