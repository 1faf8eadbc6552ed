//! Editing a user's profile (`PATCH /users/{id}`): names, username and email (their claims move
//! in the same transaction), external id, preferences and on-call reminders. The user type is
//! fixed at creation; roles and contact methods have routes of their own.

use serde::{Deserialize, Deserializer};

use super::Roster;
use super::records::{self, claim_item};
use super::retry::{Attempt, optimistic_or};
use super::seats::SeatRefusal;
use super::transaction::{Guard, Transaction};
use super::users::{claim_conflict, entry_writes, external_id_writes};
use crate::access::Actor;
use crate::entities::ContactMethod;
use crate::entities::User;
use crate::error::{DomainError, FieldError, FieldErrors};
use crate::keys;
use crate::ports::table::{Condition, Tally, Write};
use crate::values::{
    ContactMethodKind, ContactValue, Email, ExternalId, Locale, PersonName, Provided, Reminder,
    ReminderUnit, Reminders, Theme, TimeZoneName, UserId, Username,
};

/// A partial update: an absent field is left as it is. `null` clears `external_id` and resets
/// `username` to the email; for the names and the email it is an error. A username that is the
/// email follows a change of email.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserPatchInput {
    #[serde(default, deserialize_with = "present")]
    pub first_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub last_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub username: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub external_id: Option<Option<String>>,
    pub preferences: Option<PreferencesPatch>,
    pub on_call_reminders: Option<Vec<ReminderInput>>,
    /// `false` deactivates the user, `true` restores them (SPEC.md §1): Owner and App Admins.
    pub active: Option<bool>,
    /// Accepted only to be refused with a reason: a user type never changes.
    pub user_type: Option<serde_json::Value>,
    /// Accepted only to point at `/users/{id}/roles`.
    pub roles: Option<serde_json::Value>,
    /// Accepted only to point at `/users/{id}/contact-methods`.
    pub contact_methods: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreferencesPatch {
    pub time_zone: Option<String>,
    pub locale: Option<String>,
    pub theme: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReminderInput {
    pub amount: Option<i64>,
    pub unit: Option<String>,
}

/// Tells an explicit `null` (`Some(None)`) from an absent field (`None`).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// A checked patch: every field is already a domain value; an absent one is left as it is.
#[derive(Debug, Clone, Default)]
pub struct ProfileChanges {
    pub first_name: Option<PersonName>,
    pub last_name: Option<PersonName>,
    /// `Some(None)`: back to the email.
    pub username: Option<Option<Username>>,
    pub email: Option<Email>,
    pub external_id: Option<Option<ExternalId>>,
    pub time_zone: Option<TimeZoneName>,
    pub locale: Option<Locale>,
    pub theme: Option<Theme>,
    pub reminders: Option<Reminders>,
    /// What an identity provider sent of the user's emails and phone numbers (SCIM only).
    pub provided: Option<Provided>,
}

impl ProfileChanges {
    fn parse(input: &UserPatchInput) -> Result<Self, DomainError> {
        let mut errors = FieldErrors::new();
        if input.user_type.is_some() {
            errors.push(
                "user_type",
                "User type cannot be changed after creation; delete and recreate the user",
            );
        }
        if input.roles.is_some() {
            errors.push("roles", "Roles are changed through /users/{id}/roles");
        }
        if input.contact_methods.is_some() {
            errors.push(
                "contact_methods",
                "Contact methods are changed through /users/{id}/contact-methods",
            );
        }
        let mut changes = Self {
            first_name: required(
                &mut errors,
                "first_name",
                "First name",
                &input.first_name,
                PersonName::parse,
            ),
            last_name: required(
                &mut errors,
                "last_name",
                "Last name",
                &input.last_name,
                PersonName::parse,
            ),
            email: required(&mut errors, "email", "Email", &input.email, Email::parse),
            username: clearable(
                &mut errors,
                "username",
                "Username",
                &input.username,
                Username::parse,
            ),
            external_id: clearable(
                &mut errors,
                "external_id",
                "External id",
                &input.external_id,
                ExternalId::parse,
            ),
            ..Self::default()
        };
        if let Some(p) = &input.preferences {
            changes.time_zone = errors
                .optional(
                    "preferences.time_zone",
                    "Time zone",
                    p.time_zone.as_deref(),
                    TimeZoneName::parse,
                )
                .flatten();
            changes.locale = errors
                .optional(
                    "preferences.locale",
                    "Locale",
                    p.locale.as_deref(),
                    Locale::parse,
                )
                .flatten();
            changes.theme = errors
                .optional(
                    "preferences.theme",
                    "Theme",
                    p.theme.as_deref(),
                    Theme::parse,
                )
                .flatten();
        }
        if let Some(list) = &input.on_call_reminders {
            changes.reminders = parse_reminders(&mut errors, list);
        }
        errors.finish(|| Some(changes))
    }

    fn is_empty(&self) -> bool {
        self.first_name.is_none()
            && self.last_name.is_none()
            && self.username.is_none()
            && self.email.is_none()
            && self.external_id.is_none()
            && self.time_zone.is_none()
            && self.locale.is_none()
            && self.theme.is_none()
            && self.reminders.is_none()
            && self.provided.is_none()
    }

    fn touches_identity(&self) -> bool {
        self.email.is_some() || self.username.is_some() || self.external_id.is_some()
    }

    /// Whether it changes what an identity provider owns of the users it provisions.
    fn touches_provisioned_identity(&self) -> bool {
        self.touches_identity() || self.first_name.is_some() || self.last_name.is_some()
    }

    /// `user` with the changes applied (the version and timestamps are the caller's business).
    fn apply(&self, user: &User) -> User {
        let mut next = user.clone();
        if let Some(provided) = &self.provided {
            if user.user_type.receives_alerts() {
                next.contact_methods = provisioned_mobile(user, provided);
            }
            next.provided = provided.clone();
        }
        if let Some(v) = &self.first_name {
            next.first_name = v.clone();
        }
        if let Some(v) = &self.last_name {
            next.last_name = v.clone();
        }
        if let Some(v) = &self.email {
            next.email = v.clone();
        }
        // A username that is the email ("use email as username") follows it.
        let follows_email = user.username.key() == user.email.key();
        match &self.username {
            Some(Some(v)) => next.username = v.clone(),
            Some(None) => next.username = Username::from(&next.email),
            None if follows_email => next.username = Username::from(&next.email),
            None => {}
        }
        if let Some(v) = &self.external_id {
            next.external_id = v.clone();
        }
        if let Some(v) = &self.time_zone {
            next.preferences.time_zone = v.clone();
        }
        if let Some(v) = &self.locale {
            next.preferences.locale = v.clone();
        }
        if let Some(v) = self.theme {
            next.preferences.theme = v;
        }
        if let Some(v) = &self.reminders {
            next.on_call_reminders = v.clone();
        }
        next
    }
}

/// Refuses emails and phone numbers whose mobile number is no phone number.
pub(super) fn checked_mobile(provided: &Provided) -> Result<(), DomainError> {
    match provided.mobile_number() {
        Ok(_) => Ok(()),
        Err(e) => Err(DomainError::Validation(vec![FieldError::new(
            "phoneNumbers",
            format!("Mobile number {e}"),
        )])),
    }
}

/// The user's methods after an identity provider sent `provided` (docs/scim.md): its mobile
/// number becomes the `phone-official-mobile` value (the method added at the end when missing,
/// wait and retries kept); when it sends none, the method goes only if it still holds the
/// number the provider sent before; a number the account set stays.
pub(super) fn provisioned_mobile(user: &User, provided: &Provided) -> Vec<ContactMethod> {
    let kind = ContactMethodKind::PhoneOfficialMobile;
    let mut methods = user.contact_methods.clone();
    let held = methods.iter().position(|m| m.method == kind);
    match (provided.mobile_number().ok().flatten(), held) {
        (Some(number), Some(at)) => methods[at].value = Some(ContactValue::Phone(number)),
        (Some(number), None) => {
            methods.push(ContactMethod::with_value(kind, ContactValue::Phone(number)))
        }
        (None, Some(at)) => {
            let sent_before = user.provided.mobile_number().ok().flatten();
            if sent_before.is_some_and(|n| methods[at].value == Some(ContactValue::Phone(n))) {
                methods.remove(at);
            }
        }
        (None, None) => {}
    }
    methods
}

fn required<T>(
    errors: &mut FieldErrors,
    field: &str,
    label: &str,
    raw: &Option<Option<String>>,
    parse: impl FnOnce(&str) -> Result<T, crate::error::InvalidValue>,
) -> Option<T> {
    match raw {
        None => None,
        Some(value) => errors.required(field, label, value.as_deref(), parse),
    }
}

fn clearable<T>(
    errors: &mut FieldErrors,
    field: &str,
    label: &str,
    raw: &Option<Option<String>>,
    parse: impl FnOnce(&str) -> Result<T, crate::error::InvalidValue>,
) -> Option<Option<T>> {
    match raw {
        None => None,
        Some(None) => Some(None),
        Some(Some(value)) => errors.required(field, label, Some(value), parse).map(Some),
    }
}

fn parse_reminders(errors: &mut FieldErrors, list: &[ReminderInput]) -> Option<Reminders> {
    let mut reminders = Vec::with_capacity(list.len());
    let mut ok = true;
    for (i, raw) in list.iter().enumerate() {
        let field = format!("on_call_reminders[{i}]");
        let unit = errors.required(
            &format!("{field}.unit"),
            "Unit",
            raw.unit.as_deref(),
            ReminderUnit::parse,
        );
        let amount = match raw.amount.map(u32::try_from) {
            Some(Ok(n)) => Some(n),
            Some(Err(_)) => {
                errors.push(
                    format!("{field}.amount"),
                    "Amount must be a positive number",
                );
                None
            }
            None => {
                errors.push(format!("{field}.amount"), "Amount is required");
                None
            }
        };
        match (amount, unit) {
            (Some(amount), Some(unit)) => match Reminder::new(amount, unit) {
                Ok(r) => reminders.push(r),
                Err(e) => {
                    errors.push(field, format!("Reminder {e}"));
                    ok = false;
                }
            },
            _ => ok = false,
        }
    }
    if !ok {
        return None;
    }
    errors.parsed(
        "on_call_reminders",
        "On-call reminders",
        Reminders::new(reminders),
    )
}

/// What an identity provider asks of a user it provisioned: the profile fields and `active`
/// as [`UserPatchInput`] says them, and its emails and phone numbers as sent.
#[derive(Debug, Clone)]
pub struct ProvisionedUpdate {
    pub input: UserPatchInput,
    pub provided: Provided,
}

impl ProvisionedUpdate {
    fn changes(&self) -> Result<ProfileChanges, DomainError> {
        let mut changes = ProfileChanges::parse(&self.input)?;
        checked_mobile(&self.provided)?;
        changes.provided = Some(self.provided.clone());
        Ok(changes)
    }
}

/// One profile edit as [`Roster::patch_user`] takes it: `active` apart, because its right is
/// checked before the changes' own problems are told.
struct Edit {
    active: Option<bool>,
    changes: Result<ProfileChanges, DomainError>,
}

impl Roster {
    /// Applies `input` to the user. With `if_match`, the change is refused unless the stored
    /// version is that one (`412`); without it, a concurrent change is re-read and the patch
    /// applied on top of it.
    pub async fn update_user(
        &self,
        actor: &Actor,
        id: &UserId,
        input: &UserPatchInput,
        if_match: Option<u64>,
    ) -> Result<User, DomainError> {
        self.patch_user(actor, id, if_match, |_| {
            Ok::<_, DomainError>(Edit {
                active: input.active,
                changes: ProfileChanges::parse(input),
            })
        })
        .await
    }

    /// An identity provider's update of a user it provisioned (SCIM `PUT`): the same update as
    /// [`Roster::update_user`], with the emails and phone numbers it sent kept as sent and its
    /// mobile number as the user's `phone-official-mobile` method.
    pub async fn update_provisioned_user(
        &self,
        actor: &Actor,
        id: &UserId,
        update: &ProvisionedUpdate,
        if_match: Option<u64>,
    ) -> Result<User, DomainError> {
        self.edit_provisioned_user(actor, id, if_match, |_| {
            Ok::<_, DomainError>(update.clone())
        })
        .await
    }

    /// An identity provider's change derived from the user as it stands (SCIM `PATCH`): `derive`
    /// is applied to the version read, and its update written only while that version is still
    /// current; after a concurrent change the user is read again and `derive` applied again, so
    /// no acknowledged change of another writer is lost (docs/scim.md).
    pub async fn edit_provisioned_user<E: From<DomainError>>(
        &self,
        actor: &Actor,
        id: &UserId,
        if_match: Option<u64>,
        derive: impl Fn(&User) -> Result<ProvisionedUpdate, E>,
    ) -> Result<User, E> {
        self.patch_user(actor, id, if_match, |user| {
            let update = derive(user)?;
            Ok(Edit {
                active: update.input.active,
                changes: update.changes(),
            })
        })
        .await
    }

    pub async fn change_profile(
        &self,
        actor: &Actor,
        id: &UserId,
        changes: &ProfileChanges,
    ) -> Result<User, DomainError> {
        self.patch_user(actor, id, None, |_| {
            Ok::<_, DomainError>(Edit {
                active: None,
                changes: Ok(changes.clone()),
            })
        })
        .await
    }

    /// One profile change: rights first (so a caller without them learns nothing of the body's
    /// problems), then `changes` and `active`, written guarded by the version read.
    async fn patch_user<E: From<DomainError>>(
        &self,
        actor: &Actor,
        id: &UserId,
        if_match: Option<u64>,
        edit: impl Fn(&User) -> Result<Edit, E>,
    ) -> Result<User, E> {
        let account = actor.account();
        let (updated, notices) = optimistic_or::<_, E, _, _>(|| async {
            let user = self.load_user(account, id).await?;
            let Edit { active, changes } = edit(&user)?;
            match &changes {
                Ok(c) if c.touches_identity() => actor.may_edit_identity(&user)?,
                // `active` alone is not a profile edit: its own rule follows.
                Ok(c) if c.is_empty() && active.is_some() => {}
                _ => actor.may_edit_profile(&user)?,
            }
            if let Some(active) = active {
                actor.may_manage_users(if active {
                    "reactivating users"
                } else {
                    "deactivating users"
                })?;
                if user.is_owner && !active {
                    return Err(DomainError::conflict(
                        "the Owner cannot be deactivated; move ownership first with \
                         `roster owner transfer --account ID --to EMAIL --confirm`",
                    )
                    .into());
                }
            }
            if let Some(expected) = if_match {
                if expected != user.version {
                    return Err(DomainError::PreconditionFailed {
                        entity: "user",
                        id: id.to_string(),
                        expected,
                        actual: user.version,
                    }
                    .into());
                }
            }
            let changes = changes?;
            let mut next = changes.apply(&user);
            let renamed = next.first_name != user.first_name
                || next.last_name != user.last_name
                || next.username != user.username
                || next.email != user.email
                || next.external_id != user.external_id;
            if changes.touches_provisioned_identity() && renamed {
                actor.may_change_provisioned_identity(&user)?;
            }
            if let Some(active) = active {
                next.deactivated = !active;
            }
            if next == user {
                return Ok(Attempt::Done((user, Vec::new())));
            }
            next.version = user.version + 1;
            next.updated_at = self.clock.now();
            let mut tx = Transaction::new();
            tx.push(
                Guard::Stale,
                Write::put(
                    records::user_item(account, &next)?,
                    Condition::VersionIs(user.version),
                ),
            );
            tx.push(
                Guard::Stale,
                self.audit_write(
                    account,
                    actor.audit_actor(),
                    "update-user",
                    ("user", id.as_str()),
                    Some(&user),
                    Some(&next),
                )?,
            );
            if next.email.key() != user.email.key() {
                tx.push(
                    Guard::Stale,
                    Write::delete(keys::email_claim(account, &user.email), None),
                );
                tx.push(
                    Guard::Email,
                    Write::put(
                        claim_item(keys::email_claim(account, &next.email), id)?,
                        Condition::MustNotExist,
                    ),
                );
            }
            if next.username.key() != user.username.key() {
                tx.push(
                    Guard::Stale,
                    Write::delete(keys::username_claim(account, &user.username), None),
                );
                tx.push(
                    Guard::Username,
                    Write::put(
                        claim_item(keys::username_claim(account, &next.username), id)?,
                        Condition::MustNotExist,
                    ),
                );
            }
            tx.extend(
                Guard::Stale,
                external_id_writes(account, Some(&user), Some(&next))?,
            );
            tx.extend(
                Guard::Stale,
                entry_writes(account, Some(&user), Some(&next))?,
            );
            // Switched off: the seat is given back, and whoever must know what is now
            // uncovered is told; switched on: a seat is taken, if there is one.
            let mut notices = Vec::new();
            match (user.deactivated, next.deactivated) {
                (false, true) => {
                    tx.extend(
                        Guard::Seats,
                        self.seat_write(account, &user, Tally::Release),
                    );
                    for message in self.hole_notices(actor, &user).await? {
                        let (notice, write) = self.new_notice(account, message)?;
                        notices.push(notice);
                        tx.push(Guard::Stale, write);
                    }
                }
                (true, false) => {
                    tx.extend(Guard::Seats, self.seat_write(account, &next, Tally::Take));
                }
                (false, false) | (true, true) => {}
            }
            match tx.commit(self.table.as_ref()).await {
                Ok(()) => Ok(Attempt::Done((next, notices))),
                Err(refused) if refused.by(Guard::Stale) => Ok(Attempt::Raced),
                Err(refused) if refused.by(Guard::Seats) => {
                    match self.seat_refusal(account).await? {
                        SeatRefusal::Counted => Ok(Attempt::Raced),
                        SeatRefusal::Full(e) => Err(e.into()),
                    }
                }
                Err(refused) => Err(claim_conflict(&next, refused).into()),
            }
        })
        .await?;
        for notice in notices {
            self.send_notice(notice).await?;
        }
        Ok(updated)
    }
}
