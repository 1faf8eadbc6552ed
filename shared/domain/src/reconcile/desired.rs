//! What a roster file declares, as checked domain values. `None` means "the file does not say":
//! such a value is never drift.

use crate::entities::MemberRoles;
use crate::values::{
    AccountId, AccountName, ContactMethodKind, ContactValue, Email, ExternalId, GroupName, Locale,
    PersonName, Retries, Roles, TimeZoneName, UserType, Username, WaitMinutes,
};

#[derive(Debug, Clone, PartialEq)]
pub struct DesiredRoster {
    pub accounts: Vec<DesiredAccount>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DesiredAccount {
    pub id: AccountId,
    pub name: AccountName,
    /// The email of the Owner, one of `users`.
    pub owner: Email,
    pub seats: Option<u32>,
    /// Delete config-managed users missing from the file.
    pub prune: bool,
    /// Refuse to apply when more than this share of the managed users would be deleted.
    pub max_removal_ratio: f64,
    pub groups: Vec<DesiredGroup>,
    pub users: Vec<DesiredUser>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DesiredGroup {
    pub name: GroupName,
    /// Names the group had before: a live group under one of them is renamed in place.
    pub previously: Vec<GroupName>,
    pub members: Vec<DesiredMember>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DesiredMember {
    pub email: Email,
    pub roles: MemberRoles,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DesiredUser {
    pub email: Email,
    pub username: Option<Username>,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub user_type: Option<UserType>,
    pub roles: Option<Roles>,
    pub time_zone: Option<TimeZoneName>,
    pub locale: Option<Locale>,
    pub external_id: Option<ExternalId>,
    /// In sequence order; `push` never appears (devices own it).
    pub contact_methods: Option<Vec<DesiredContact>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DesiredContact {
    pub method: ContactMethodKind,
    /// `None` for `email-official`, which follows the account email.
    pub value: Option<ContactValue>,
    pub wait_minutes: Option<WaitMinutes>,
    pub retries: Option<Retries>,
}

impl DesiredAccount {
    /// The file's users by email key, for look-ups that must not scan the list.
    pub fn users_by_email(&self) -> std::collections::HashMap<&str, &DesiredUser> {
        self.users.iter().map(|u| (u.email.key(), u)).collect()
    }
}
