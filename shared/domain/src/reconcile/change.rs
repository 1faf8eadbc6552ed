//! What a plan says, as types: one variant per kind of change and one per field a change
//! touches, each holding domain values — so apply matches on them exhaustively and hands them
//! to the use cases as they are. Serialised for tools with the names `roster plan --output json`
//! has always used (`op`, `field`, `from`, `to`).

use serde::Serialize;

use crate::entities::{ContactMethod, ManagedBy, MemberRoles};
use crate::values::{
    AccountName, ContactMethodKind, ContactValue, Email, ExternalId, GroupId, GroupName, Locale,
    PersonName, Retries, Role, TimeZoneName, UserId, Username, WaitMinutes,
};

/// One change, in the order apply makes them. Users are named by email (the file's key) and,
/// when they exist, by id; groups by name and, when they exist, by id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum Change {
    CreateAccount {
        name: AccountName,
        owner: Email,
    },
    UpdateAccount {
        #[serde(flatten)]
        field: AccountField,
    },
    /// A group found under one of its `previously` names (or in another case) takes the file's
    /// name, keeping its id, members and shifts.
    RenameGroup {
        group_id: GroupId,
        from: GroupName,
        to: GroupName,
    },
    CreateGroup {
        group: GroupName,
    },
    CreateUser {
        email: Email,
    },
    UpdateUser {
        email: Email,
        user_id: UserId,
        #[serde(flatten)]
        field: UserField,
    },
    AddRole {
        email: Email,
        user_id: UserId,
        role: Role,
    },
    RemoveRole {
        email: Email,
        user_id: UserId,
        role: Role,
    },
    AddContact {
        email: Email,
        user_id: UserId,
        #[serde(flatten)]
        contact: ContactMethod,
    },
    ChangeContact {
        email: Email,
        user_id: UserId,
        method: ContactMethodKind,
        #[serde(flatten)]
        field: ContactField,
    },
    RemoveContact {
        email: Email,
        user_id: UserId,
        method: ContactMethodKind,
    },
    ReorderContacts {
        email: Email,
        user_id: UserId,
        from: Vec<ContactMethodKind>,
        to: Vec<ContactMethodKind>,
    },
    AddMember {
        group: GroupName,
        email: Email,
        roles: MemberRoles,
    },
    ChangeMember {
        group: GroupName,
        email: Email,
        from: MemberRoles,
        to: MemberRoles,
    },
    RemoveMember {
        group: GroupName,
        email: Email,
    },
    DeleteUser {
        email: Email,
        user_id: UserId,
    },
    /// A config-managed group the file no longer has, in an account that prunes.
    DeleteGroup {
        group: GroupName,
        group_id: GroupId,
    },
}

/// An account field the file sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "field", rename_all = "snake_case")]
pub enum AccountField {
    Name { from: AccountName, to: AccountName },
    Seats { from: Option<u32>, to: u32 },
}

/// A user field the file sets. The names are the file's keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "field", rename_all = "snake_case")]
pub enum UserField {
    FirstName {
        from: PersonName,
        to: PersonName,
    },
    LastName {
        from: PersonName,
        to: PersonName,
    },
    Username {
        from: Username,
        to: Username,
    },
    ExternalId {
        from: Option<ExternalId>,
        to: ExternalId,
    },
    TimeZone {
        from: TimeZoneName,
        to: TimeZoneName,
    },
    Locale {
        from: Locale,
        to: Locale,
    },
}

impl UserField {
    /// Whether the field is part of who the user is — what an identity provider owns of the
    /// users it provisions (SPEC.md §7, §9) — rather than how they are reached.
    pub fn is_identity(&self) -> bool {
        match self {
            UserField::FirstName { .. }
            | UserField::LastName { .. }
            | UserField::Username { .. }
            | UserField::ExternalId { .. } => true,
            UserField::TimeZone { .. } | UserField::Locale { .. } => false,
        }
    }

    /// The file's key for the field.
    pub fn name(&self) -> &'static str {
        match self {
            UserField::FirstName { .. } => "first_name",
            UserField::LastName { .. } => "last_name",
            UserField::Username { .. } => "username",
            UserField::ExternalId { .. } => "external_id",
            UserField::TimeZone { .. } => "time_zone",
            UserField::Locale { .. } => "locale",
        }
    }
}

/// A contact method field the file sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "field", rename_all = "snake_case")]
pub enum ContactField {
    Value {
        from: ContactValue,
        to: ContactValue,
    },
    WaitMinutes {
        from: WaitMinutes,
        to: WaitMinutes,
    },
    Retries {
        from: Retries,
        to: Retries,
    },
}

/// Something made through the API that the file names: apply hands it to the file
/// (`managed_by: config`) before any change. Bookkeeping, not drift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "adopt", rename_all = "kebab-case")]
pub enum Adoption {
    User { email: Email, user_id: UserId },
    Group { group: GroupName, group_id: GroupId },
}

/// A user the file does not name: left alone, and how to take it over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unmanaged {
    pub email: Email,
    pub managed_by: ManagedBy,
}

/// A live membership, in a group the file manages, of a user the file does not manage: never
/// changed by apply, never silently skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnmanagedMember {
    pub group: GroupName,
    pub email: Email,
    pub managed_by: ManagedBy,
    pub roles: MemberRoles,
}

/// A difference in a field another owner holds (an identity provider's users' identity): shown,
/// never drift, never applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnedElsewhere {
    pub email: Email,
    pub user_id: UserId,
    pub owner: ManagedBy,
    #[serde(flatten)]
    pub field: UserField,
}

/// How to take over what the plan lists as unmanaged.
pub fn how_to_adopt(managed_by: ManagedBy) -> &'static str {
    match managed_by {
        ManagedBy::Api => "name the user under `users` to adopt them",
        ManagedBy::Scim => {
            "name the user under `users` to manage their roles, contact methods and memberships \
             (their identity stays with the identity provider)"
        }
        ManagedBy::Config => "the user is config-managed; name them under `users` again",
    }
}

impl Change {
    /// The user a change is about, when it is about one.
    pub fn email(&self) -> Option<&Email> {
        match self {
            Change::CreateUser { email }
            | Change::UpdateUser { email, .. }
            | Change::AddRole { email, .. }
            | Change::RemoveRole { email, .. }
            | Change::AddContact { email, .. }
            | Change::ChangeContact { email, .. }
            | Change::RemoveContact { email, .. }
            | Change::ReorderContacts { email, .. }
            | Change::AddMember { email, .. }
            | Change::ChangeMember { email, .. }
            | Change::RemoveMember { email, .. }
            | Change::DeleteUser { email, .. } => Some(email),
            Change::CreateAccount { .. }
            | Change::UpdateAccount { .. }
            | Change::RenameGroup { .. }
            | Change::CreateGroup { .. }
            | Change::DeleteGroup { .. } => None,
        }
    }

    /// When apply makes it: account, groups, users, memberships, deletions.
    pub fn phase(&self) -> Phase {
        match self {
            Change::CreateAccount { .. } | Change::UpdateAccount { .. } => Phase::Account,
            Change::RenameGroup { .. } | Change::CreateGroup { .. } => Phase::Groups,
            Change::CreateUser { .. }
            | Change::UpdateUser { .. }
            | Change::AddRole { .. }
            | Change::RemoveRole { .. }
            | Change::AddContact { .. }
            | Change::ChangeContact { .. }
            | Change::RemoveContact { .. }
            | Change::ReorderContacts { .. } => Phase::Users,
            Change::AddMember { .. }
            | Change::ChangeMember { .. }
            | Change::RemoveMember { .. } => Phase::Members,
            Change::DeleteUser { .. } | Change::DeleteGroup { .. } => Phase::Deletions,
        }
    }
}

/// The steps of an apply, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    Account,
    Groups,
    Users,
    Members,
    Deletions,
}
