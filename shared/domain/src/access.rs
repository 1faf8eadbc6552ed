//! Who may do what (SPEC.md §2). Every use case that acts for someone asks its `Actor` first;
//! a refusal names the right that was missing.

use crate::entities::{Cover, ManagedBy, User};
use crate::error::DomainError;
use crate::values::{AccountId, GroupId, Role, ScimTokenId, TokenName, UserId};

/// A verified person: the account from the token and their current user record.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    pub account: AccountId,
    pub user: User,
}

/// On whose behalf a use case runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Actor {
    /// Someone with the deployment's AWS credentials (the `roster` command, reconcile): every
    /// right in the account, as the "email support" path of the product.
    Operator(AccountId),
    /// A user calling the API (boxed: a whole user record rides along).
    User(Box<Caller>),
    /// An identity provider over SCIM with one of the account's SCIM tokens: manages the
    /// account's users and groups, as an App Admin would (SPEC §9).
    Provisioner {
        account: AccountId,
        token: ScimTokenId,
        name: TokenName,
    },
}

/// The rights the API checks, named as the refusal names them.
pub mod rights {
    pub const MANAGE_USERS: &str = "app-admin";
    pub const READ_USERS: &str = "system-viewer";
    pub const READ_GROUPS: &str = "integrations-admin";
    /// Not a role: the person at the machine that holds the store (the `roster` command).
    pub const OPERATE: &str = "operator";
}

impl Actor {
    pub fn account(&self) -> &AccountId {
        match self {
            Self::Operator(account) | Self::Provisioner { account, .. } => account,
            Self::User(caller) => &caller.account,
        }
    }

    fn caller(&self) -> Option<&Caller> {
        match self {
            Self::Operator(_) | Self::Provisioner { .. } => None,
            Self::User(caller) => Some(caller),
        }
    }

    fn is_self(&self, target: &UserId) -> bool {
        self.caller().is_some_and(|c| &c.user.id == target)
    }

    /// The Owner, or an App Admin: every right but billing.
    fn is_admin(&self) -> bool {
        self.caller()
            .is_none_or(|c| c.user.is_owner || c.user.roles.contains(&Role::AppAdmin))
    }

    fn reads_every_user(&self) -> bool {
        self.is_admin()
            || self
                .caller()
                .is_some_and(|c| c.user.roles.contains(&Role::SystemViewer))
    }

    /// Making, listing and revoking SCIM tokens: Owner and App Admin (and the operator); never
    /// an identity provider with a token of its own.
    /// Console sign-in links sign a person in without their identity provider: only the
    /// operator, at the machine that holds the store, may print one.
    pub fn may_issue_sign_in_links(&self) -> Result<&AccountId, DomainError> {
        match self {
            Self::Operator(account) => Ok(account),
            Self::Provisioner { .. } | Self::User(_) => Err(DomainError::Forbidden {
                right: rights::OPERATE,
                message: "console sign-in links are printed by `roster console` only".into(),
            }),
        }
    }

    pub fn may_manage_scim_tokens(&self) -> Result<(), DomainError> {
        match self {
            Self::Provisioner { .. } => Err(DomainError::Forbidden {
                right: rights::MANAGE_USERS,
                message: "a SCIM token cannot manage SCIM tokens".into(),
            }),
            Self::Operator(_) | Self::User(_) => self.may_manage_users("managing SCIM tokens"),
        }
    }

    /// Creating, deleting and inviting users: Owner and App Admin.
    pub fn may_manage_users(&self, what: &str) -> Result<(), DomainError> {
        if self.is_admin() {
            return Ok(());
        }
        Err(forbidden(rights::MANAGE_USERS, what))
    }

    /// Listing every user: Owner, App Admin, System Viewer.
    pub fn may_read_every_user(&self, what: &str) -> Result<(), DomainError> {
        if self.reads_every_user() {
            return Ok(());
        }
        Err(forbidden(rights::READ_USERS, what))
    }

    /// Reading one profile: one's own; anyone's with a right to read every user; a fellow
    /// member's of a group one reads as a member (basic users, and a group's managers).
    /// Sharing a group grants `send-message`, `billing-admin` and stakeholder users nothing
    /// (SPEC.md §2).
    pub fn may_read_user(&self, target: &User) -> Result<(), DomainError> {
        let fellow = target
            .member_of
            .keys()
            .any(|group| self.reads_as_member(group));
        if self.is_self(&target.id) || self.reads_every_user() || fellow {
            return Ok(());
        }
        Err(forbidden(
            rights::READ_USERS,
            "reading the profile of someone outside your groups",
        ))
    }

    /// Whether membership of `group` lets the caller read it and its members: for members
    /// holding `basic`, and for the group's managers whatever their role.
    fn reads_as_member(&self, group: &GroupId) -> bool {
        self.caller()
            .is_some_and(|c| match c.user.member_of.get(group) {
                Some(roles) => roles.manager || c.user.roles.contains(&Role::Basic),
                None => false,
            })
    }

    fn manages(&self, group: &GroupId) -> bool {
        self.caller().is_some_and(|c| {
            c.user
                .member_of
                .get(group)
                .is_some_and(|roles| roles.manager)
        })
    }

    fn reads_every_group(&self) -> bool {
        self.reads_every_user()
            || self
                .caller()
                .is_some_and(|c| c.user.roles.contains(&Role::IntegrationsAdmin))
    }

    /// Listing every group: Owner, App Admin, System Viewer, Integrations Admin. Others see
    /// their own groups.
    pub fn sees_every_group(&self) -> bool {
        self.reads_every_group()
    }

    /// Reading a group, its members and shifts: those who read every group, its members who
    /// hold `basic`, and its managers.
    pub fn may_read_group(&self, group: &GroupId) -> Result<(), DomainError> {
        if self.reads_as_member(group) || self.reads_every_group() {
            return Ok(());
        }
        Err(forbidden(
            rights::READ_GROUPS,
            "reading a group you are not in",
        ))
    }

    /// Creating, renaming and deleting groups: Owner and App Admin.
    pub fn may_manage_groups(&self, what: &str) -> Result<(), DomainError> {
        self.may_manage_users(what)
    }

    /// A group's members and shifts: Owner, App Admin, and the group's managers.
    pub fn may_manage_group(&self, group: &GroupId, what: &str) -> Result<(), DomainError> {
        if self.is_admin() || self.manages(group) {
            return Ok(());
        }
        Err(DomainError::Forbidden {
            right: rights::MANAGE_USERS,
            message: format!("{what} needs the app-admin role or being a manager of the group"),
        })
    }

    /// A user's out-of-office entries: the user, an admin, or a manager of one of their groups.
    pub fn may_manage_out_of_office(&self, target: &User) -> Result<(), DomainError> {
        let manager = target.member_of.keys().any(|g| self.manages(g));
        if self.is_self(&target.id) || self.is_admin() || manager {
            return Ok(());
        }
        Err(DomainError::Forbidden {
            right: rights::MANAGE_USERS,
            message: "changing someone's out-of-office needs the app-admin role or managing one \
                      of their groups"
                .into(),
        })
    }

    /// Setting or removing an out-of-office entry with `cover`: the user themself and admins may
    /// set any; a group manager only the cover for groups they manage (SPEC.md §2) — never a
    /// cover for all of someone's groups.
    pub fn may_set_cover(&self, target: &User, cover: &Cover) -> Result<(), DomainError> {
        if self.is_self(&target.id) || self.is_admin() {
            return Ok(());
        }
        let only_managed = match cover {
            Cover::All(_) => false,
            Cover::Groups(by_group) => by_group.keys().all(|g| self.manages(g)),
        };
        if only_managed {
            return Ok(());
        }
        Err(DomainError::Forbidden {
            right: rights::MANAGE_USERS,
            message: "a group manager sets only the cover for the groups they manage; a cover \
                      for other groups (or all of them) needs the app-admin role"
                .into(),
        })
    }

    /// A user's calendar feed: the user themself, or an admin.
    pub fn may_manage_calendar(&self, target: &User) -> Result<(), DomainError> {
        if self.is_self(&target.id) {
            return Ok(());
        }
        self.may_manage_users("managing someone else's calendar feed")
    }

    /// Editing a profile's personal parts (names, preferences, reminders): one's own, or an
    /// admin's. Only the Owner edits the Owner.
    pub fn may_edit_profile(&self, target: &User) -> Result<(), DomainError> {
        if self.is_self(&target.id) {
            return Ok(());
        }
        if target.is_owner && self.caller().is_some() {
            return Err(DomainError::Forbidden {
                right: "owner",
                message: "only the Owner may edit the Owner's profile".into(),
            });
        }
        self.may_manage_users("editing another user's profile")
    }

    /// Editing identity (email, username, external id): admins only, even for oneself, since
    /// they are what sign-in and the HR system know a person by.
    pub fn may_edit_identity(&self, target: &User) -> Result<(), DomainError> {
        self.may_edit_profile(target)?;
        if self.is_self(&target.id) && !self.is_admin() {
            return Err(forbidden(
                rights::MANAGE_USERS,
                "changing an email, username or external id",
            ));
        }
        Ok(())
    }
}

impl Actor {
    /// The identity of a user an identity provider provisioned (names, username, email,
    /// external id) is the provider's: only it changes them (SPEC.md §7, §9). A `409` rather than
    /// a `403`: nobody here may, so the answer names who does.
    pub fn may_change_provisioned_identity(&self, target: &User) -> Result<(), DomainError> {
        match (self, target.managed_by) {
            (Self::Provisioner { .. }, _) | (_, ManagedBy::Api | ManagedBy::Config) => Ok(()),
            (Self::Operator(_) | Self::User(_), ManagedBy::Scim) => {
                Err(DomainError::conflict(format!(
                    "{}'s name, username, email and external id are managed by the identity \
                     provider (SCIM, managed_by: scim); change them there",
                    target.email
                )))
            }
        }
    }

    /// Adding or removing platform roles: Owner and App Admin only; nobody adds a role to
    /// themself, and only the Owner touches the Owner.
    pub fn may_change_roles(&self, target: &User, adding: bool) -> Result<(), DomainError> {
        self.may_manage_users("changing roles")?;
        if adding && self.is_self(&target.id) {
            return Err(DomainError::Forbidden {
                right: rights::MANAGE_USERS,
                message: "nobody may add a role to themself".into(),
            });
        }
        if target.is_owner && !self.is_self(&target.id) && self.caller().is_some() {
            return Err(DomainError::Forbidden {
                right: "owner",
                message: "only the Owner may change the Owner's roles".into(),
            });
        }
        Ok(())
    }

    /// Changing a password: only its own user, who proves the current one. Nobody sets another
    /// person's (SPEC.md §2), not even the Owner or the operator.
    pub fn may_change_own_password(&self, target: &User) -> Result<(), DomainError> {
        if self.is_self(&target.id) {
            return Ok(());
        }
        Err(DomainError::Forbidden {
            right: "self",
            message: "a password is changed only by its own user; others get a reset link".into(),
        })
    }

    /// Registering a push device: only the user themself, from their own app.
    pub fn may_register_device(&self, target: &User) -> Result<(), DomainError> {
        if self.is_self(&target.id) || self.caller().is_none() {
            return Ok(());
        }
        Err(DomainError::Forbidden {
            right: "self",
            message: "a device is registered only by its own user, from the mobile app".into(),
        })
    }
}

fn forbidden(right: &'static str, what: &str) -> DomainError {
    DomainError::Forbidden {
        right,
        message: format!("{what} needs the {right} role (or being the Owner)"),
    }
}
