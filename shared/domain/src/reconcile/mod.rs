//! Roster as code (SPEC.md §7): the desired state a YAML file declares, the live state of an
//! account read in one partition query, the deterministic plan between them, and its execution.
//! The YAML itself (positions, schema, dump) is `shared/config`'s business; this module only
//! sees validated domain values.

mod apply;
mod desired;
mod live;
mod plan;

pub use apply::{AccountReport, ApplyOptions, ApplyReport, Failure, Progress};
pub use desired::{
    DesiredAccount, DesiredContact, DesiredGroup, DesiredMember, DesiredRoster, DesiredUser,
};
pub use live::LiveAccount;
pub use plan::{AccountPlan, Blocked, Change, DEFAULT_MAX_REMOVAL_RATIO, Plan, plan_account};
