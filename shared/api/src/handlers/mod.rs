//! One module per resource; each handler parses, calls one use case, and writes a view.

pub mod audit;
pub mod calendar;
pub mod contacts;
pub mod groups;
pub mod out_of_office;
pub mod roles;
pub mod scim;
pub mod scim_tokens;
pub mod sessions;
pub mod users;
