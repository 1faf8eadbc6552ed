//! Who may do what (SPEC.md §2). Every use case that acts for someone asks its `Actor` first;
//! a refusal names the right that was missing.

use crate::entities::User;
use crate::error::DomainError;
use crate::values::{AccountId, Role, UserId};

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
}

/// The rights the API checks, named as the refusal names them.
pub mod rights {
    pub const MANAGE_USERS: &str = "app-admin";
    pub const READ_USERS: &str = "system-viewer";
}

impl Actor {
    pub fn account(&self) -> &AccountId {
        match self {
            Self::Operator(account) => account,
            Self::User(caller) => &caller.account,
        }
    }

    fn caller(&self) -> Option<&Caller> {
        match self {
            Self::Operator(_) => None,
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

    /// Reading one profile: one's own, or anyone's with a right to read every user.
    pub fn may_read_user(&self, target: &UserId) -> Result<(), DomainError> {
        if self.is_self(target) || self.reads_every_user() {
            return Ok(());
        }
        Err(forbidden(
            rights::READ_USERS,
            "reading another user's profile",
        ))
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
