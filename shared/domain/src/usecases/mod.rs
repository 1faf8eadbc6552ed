//! The use cases: each is one operation of the product over the ports, with every rule of
//! SPEC.md it touches. The HTTP handlers, the CLI and reconcile all call these; none re-implements
//! a rule.

mod accounts;
mod records;
mod retry;
mod users;

use std::sync::Arc;

pub use accounts::{NewAccount, NewAccountInput};
pub use users::{NewUser, NewUserInput, UserPage};

use crate::ports::clock::{Clock, IdSource, SystemClock, UlidSource};
use crate::ports::table::Table;

/// The application: the ports wired together. Cheap to clone; build it once per process.
#[derive(Clone)]
pub struct Roster {
    table: Arc<dyn Table>,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdSource>,
}

impl Roster {
    pub fn new(table: Arc<dyn Table>, clock: Arc<dyn Clock>, ids: Arc<dyn IdSource>) -> Self {
        Self { table, clock, ids }
    }

    /// Wall clock and random ULIDs: what production runs with.
    pub fn with_table(table: Arc<dyn Table>) -> Self {
        Self::new(
            table,
            Arc::new(SystemClock),
            Arc::new(UlidSource::default()),
        )
    }

    pub fn table(&self) -> &dyn Table {
        self.table.as_ref()
    }
}
