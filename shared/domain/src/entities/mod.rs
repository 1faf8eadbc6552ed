//! The entities: what an account holds. Each is built from value types, so an entity that exists
//! is valid; the rules that relate entities to one another live in the use cases.

mod account;
mod audit;
mod contact_method;
mod group;
mod out_of_office;
mod user;

pub use account::Account;
pub use audit::{AuditActor, AuditEntry, AuditTarget};
pub use contact_method::ContactMethod;
pub use group::{Group, GroupRef, MemberRoles, Membership, Repeat, Shift, ShiftRef};
pub use out_of_office::{Cover, OutOfOffice};
pub use user::{ManagedBy, User, UserStatus};
