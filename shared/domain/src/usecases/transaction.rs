//! A transaction whose writes say what their failing condition would mean. The Table port
//! reports failed conditions by position; a use case reads them here by meaning, so reordering
//! or adding writes can never make a `409` name the wrong field.

use std::collections::BTreeSet;

use crate::error::DomainError;
use crate::ports::table::{Table, TableError, Write};

/// What a write's failed condition means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Guard {
    /// The state the use case read has changed since (a version, an item that must exist):
    /// read again and decide again.
    Stale,
    /// The account item must exist.
    Account,
    /// A new account's item must not exist yet.
    AccountTaken,
    /// The account's Owner claim must not exist yet.
    Owner,
    /// The email claim is someone else's.
    Email,
    /// The username claim is someone else's.
    Username,
    /// The group name claim is another group's.
    GroupName,
    /// A single-use token must still be there.
    Token,
    /// The seat counter: the account is full, or has no counter yet.
    Seats,
}

/// Writes and what each one's condition means, committed all or nothing.
#[derive(Debug, Default)]
pub(crate) struct Transaction {
    writes: Vec<Write>,
    guards: Vec<Guard>,
}

/// Why a transaction was refused: the guards whose conditions failed, or the store's error.
#[derive(Debug)]
pub(crate) enum Refused {
    Guards(BTreeSet<Guard>),
    Store(TableError),
}

impl Refused {
    /// Whether `guard`'s condition failed.
    pub(crate) fn by(&self, guard: Guard) -> bool {
        matches!(self, Self::Guards(failed) if failed.contains(&guard))
    }
}

impl From<Refused> for DomainError {
    /// A refusal no use case read for meaning: a lost race, or the store's error.
    fn from(refused: Refused) -> Self {
        match refused {
            Refused::Guards(_) => DomainError::Store(TableError::Conflict),
            Refused::Store(e) => e.into(),
        }
    }
}

impl Transaction {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    pub(crate) fn push(&mut self, guard: Guard, write: Write) {
        self.writes.push(write);
        self.guards.push(guard);
    }

    pub(crate) fn extend(&mut self, guard: Guard, writes: impl IntoIterator<Item = Write>) {
        for write in writes {
            self.push(guard, write);
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.writes.len()
    }

    pub(crate) async fn commit(self, table: &dyn Table) -> Result<(), Refused> {
        match table.transact(self.writes).await {
            Ok(()) => Ok(()),
            Err(TableError::ConditionFailed(failed)) => Err(Refused::Guards(
                failed
                    .iter()
                    .filter_map(|i| self.guards.get(*i).copied())
                    .collect(),
            )),
            Err(e) => Err(Refused::Store(e)),
        }
    }
}
