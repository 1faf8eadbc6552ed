//! Black-box tests, one binary: each module runs its cases against every store.

mod access_matrix;
mod audit_log;
mod big_groups;
mod budgets;
mod calendar;
mod cli;
mod conformance;
mod console;
mod contract_files;
mod faults;
mod groups_shifts;
mod holes;
mod http_contract;
mod idempotency;
mod infra;
mod lambda;
mod limits;
mod load;
mod observed;
mod on_call;
mod profile_parts;
mod reconcile;
mod reconcile_owners;
mod reminders;
mod roster_files;
mod schemathesis;
mod scim;
mod scim_compliance;
mod scim_tokens;
mod sign_in;
mod sns;
mod template;
mod use_cases;
mod world;

/// The `roster` command under test, built by cargo from cli/'s library.
pub const ROSTER: &str = env!("CARGO_BIN_EXE_roster-under-test");
