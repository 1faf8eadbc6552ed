//! Roster as code (SPEC.md §7): the desired state a YAML file declares, the live state of an
//! account read in one partition query, the deterministic plan between them, and its execution.
//! The YAML itself (positions, schema, dump) is `shared/config`'s business; this module only
//! sees validated domain values.

mod apply;
mod change;
mod desired;
mod live;
mod plan;

pub use apply::{AccountReport, ApplyOptions, ApplyReport, Failure, Progress, Step};
pub use change::{
    AccountField, Adoption, Change, ContactField, OwnedElsewhere, Phase, Unmanaged,
    UnmanagedMember, UserField, how_to_adopt,
};
pub use desired::{
    DesiredAccount, DesiredContact, DesiredGroup, DesiredMember, DesiredRoster, DesiredUser,
};
pub use live::{LiveAccount, LiveItem};
pub use plan::{
    AccountPlan, Blocked, DEFAULT_MAX_REMOVAL_RATIO, Plan, Planner, Refusal, kinds, plan_account,
    user_field_values,
};
