//! One module per resource; each handler parses, calls one use case, and writes a view.

pub mod contacts;
pub mod roles;
pub mod users;
