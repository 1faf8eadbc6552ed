//! The one error type of the domain. The HTTP layer maps each variant to a status code and a
//! problem+json body in exactly one place; the CLI prints the message.

use serde::Serialize;

use crate::ports::table::TableError;

/// One problem with one input field, worded for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// Input that does not describe a valid value; every field problem at once.
    #[error("invalid input: {}", join(.0))]
    Validation(Vec<FieldError>),
    /// The entity does not exist in this account (or exists in another one, which is the same to
    /// the caller).
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    /// The change collides with the current state: a taken email, the Owner, a user on a shift.
    #[error("{message}")]
    Conflict {
        message: String,
        /// The fields the conflict is about, when it is about fields (e.g. a taken email).
        fields: Vec<FieldError>,
    },
    /// The change would leave a shift, a group or someone's cover without the user, and
    /// nobody in their place: every hole at once, by kind.
    #[error("{action} would leave {holes}")]
    WouldLeaveHoles {
        /// What was refused, for people: "deleting user X", "removing X from group G".
        action: String,
        holes: Holes,
    },
    /// Every seat of the account is held: creating or reactivating one more user who would hold
    /// one is refused.
    #[error("all {seats} seats of the account are in use ({used} held); free one or raise seats")]
    SeatsExhausted { seats: u64, used: u64 },
    /// The caller's view of the entity is stale (`If-Match` / optimistic version).
    #[error("{entity} {id} has changed: expected version {expected}, found {actual}")]
    PreconditionFailed {
        entity: &'static str,
        id: String,
        expected: u64,
        actual: u64,
    },
    /// No verified caller, or a verified caller whose user no longer exists.
    #[error("{0}")]
    Unauthenticated(String),
    /// Too many failed sign-ins for a login or from an address: wait this long and try again.
    #[error("too many failed sign-ins; try again in {retry_after_seconds} seconds")]
    TooManyAttempts { retry_after_seconds: u64 },
    /// The caller lacks the right the action needs: `right` names it, `message` says what for.
    #[error("{message}")]
    Forbidden {
        right: &'static str,
        message: String,
    },
    /// A service the action needs (the push service, for a device registration) could not be
    /// reached; nothing was changed, and a retry may succeed.
    #[error("{service} is unavailable: {reason}")]
    ServiceUnavailable {
        service: &'static str,
        reason: String,
    },
    /// The store failed in a way the domain cannot turn into a meaningful answer.
    #[error("storage failure: {0}")]
    Store(#[from] TableError),
    /// Stored data that does not parse back into domain types: a bug or a hand-edited table.
    #[error("corrupt record {key}: {reason}")]
    Corrupt { key: String, reason: String },
}

impl DomainError {
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict {
            message: message.into(),
            fields: Vec::new(),
        }
    }

    pub fn not_found(entity: &'static str, id: impl Into<String>) -> Self {
        Self::NotFound {
            entity,
            id: id.into(),
        }
    }
}

fn join(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

/// A shift someone is on, named for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShiftOnDuty {
    pub group_id: String,
    pub group: String,
    pub shift_id: String,
    pub shift: String,
}

/// A group that would keep members but none of them primary or secondary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupWithoutResponder {
    pub group_id: String,
    pub group: String,
}

/// Another user's out-of-office entry in which someone covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverHeld {
    /// The user who is away.
    pub user_id: String,
    pub user: String,
    pub entry_id: String,
    pub starts_at: jiff::Timestamp,
    pub ends_at: jiff::Timestamp,
}

/// Every hole a change would leave, by kind (SPEC.md §5).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Holes {
    /// Shifts the user is on.
    pub shifts: Vec<ShiftOnDuty>,
    /// Groups that would keep members but lose their last primary or secondary.
    pub groups: Vec<GroupWithoutResponder>,
    /// Other users' out-of-office entries (now or to come) in which the user covers.
    pub covering: Vec<CoverHeld>,
}

impl Holes {
    pub fn is_empty(&self) -> bool {
        self.shifts.is_empty() && self.groups.is_empty() && self.covering.is_empty()
    }
}

impl std::fmt::Display for Holes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        if !self.shifts.is_empty() {
            let names: Vec<String> = self
                .shifts
                .iter()
                .map(|s| format!("{}/{}", s.group, s.shift))
                .collect();
            parts.push(format!("shifts without them ({})", names.join(", ")));
        }
        if !self.groups.is_empty() {
            let names: Vec<&str> = self.groups.iter().map(|g| g.group.as_str()).collect();
            parts.push(format!(
                "groups with no primary or secondary member ({})",
                names.join(", ")
            ));
        }
        if !self.covering.is_empty() {
            let names: Vec<&str> = self.covering.iter().map(|c| c.user.as_str()).collect();
            parts.push(format!(
                "out-of-office entries without their cover (of {})",
                names.join(", ")
            ));
        }
        write!(
            f,
            "{}; name a replacement, or change those first",
            parts.join(", and ")
        )
    }
}

/// Collects field problems so that a request reports all of them, never only the first.
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// Parses a required field: a missing or blank value is "`label` is required"; a parse
    /// failure is "`label` `reason`". Returns the value when it parsed.
    pub fn required<T, E: std::fmt::Display>(
        &mut self,
        field: &str,
        label: &str,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        let given = raw.filter(|raw| !raw.trim().is_empty());
        self.given(field, label, given, parse)
    }

    /// Parses a field that must be there but may be blank (a password as typed): absent is
    /// "`label` is required"; `parse` judges everything else.
    pub fn given<T, E: std::fmt::Display>(
        &mut self,
        field: &str,
        label: &str,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        match raw {
            Some(raw) => self.parsed(field, label, parse(raw)),
            None => {
                self.push(field, format!("{label} is required"));
                None
            }
        }
    }

    /// Parses an optional field: absent is `Some(None)`, a parse failure is recorded and `None`.
    pub fn optional<T, E: std::fmt::Display>(
        &mut self,
        field: &str,
        label: &str,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<Option<T>> {
        match raw {
            None => Some(None),
            Some(raw) => self.parsed(field, label, parse(raw)).map(Some),
        }
    }

    /// Records the error of an already-computed result.
    pub fn parsed<T, E: std::fmt::Display>(
        &mut self,
        field: &str,
        label: &str,
        result: Result<T, E>,
    ) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(reason) => {
                self.push(field, format!("{label} {reason}"));
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when nothing was recorded, else every recorded problem. `value` assembles the
    /// result from the parsed fields (`Some` whenever no problem was recorded).
    pub fn finish<T>(mut self, value: impl FnOnce() -> Option<T>) -> Result<T, DomainError> {
        if self.0.is_empty() {
            match value() {
                Some(value) => return Ok(value),
                // A field that failed to parse without recording why: say so rather than panic.
                None => self.push("", "input is invalid"),
            }
        }
        Err(DomainError::Validation(self.0))
    }
}

/// Why a raw value is not a valid domain value; reads after a field label ("Email is not …").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidValue(pub String);

impl InvalidValue {
    pub fn new(reason: impl Into<String>) -> Self {
        Self(reason.into())
    }
}
