//! The entities: what an account holds. Each is built from value types, so an entity that exists
//! is valid; the rules that relate entities to one another live in the use cases.

mod account;
mod contact_method;
mod group;
mod user;

pub use account::Account;
pub use contact_method::ContactMethod;
pub use group::{Group, MemberRoles, Membership, Repeat, Shift};
pub use user::{ManagedBy, User, UserStatus};
