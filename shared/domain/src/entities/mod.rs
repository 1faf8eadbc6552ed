//! The entities: what an account holds. Each is built from value types, so an entity that exists
//! is valid; the rules that relate entities to one another live in the use cases.

mod account;
mod audit;
mod contact_method;
mod group;
mod out_of_office;
mod scim_token;
mod shift;
mod user;

pub use account::Account;
pub use audit::{AuditActor, AuditEntry, AuditTarget};
pub use contact_method::{ContactMethod, Device};
pub use group::{Group, MemberRoles, Membership};
pub use out_of_office::{Cover, CoverRef, OutOfOffice};
pub use scim_token::ScimToken;
pub use shift::{Occurrence, Repeat, Shift, ShiftRef};
pub use user::{ManagedBy, User, UserStatus};
