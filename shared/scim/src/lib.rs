//! SCIM 2.0 (RFC 7643/7644) as Roster speaks it, free of storage and HTTP: the attributes it
//! serves, filters, attribute paths, PATCH, errors. Pure, so the fuzz target drives it as is;
//! `roster-api` maps it onto the use cases.

pub mod dialect;
pub mod discovery;
pub mod error;
pub mod filter;
pub mod patch;
pub mod path;
pub mod projection;
pub mod schema;

pub use error::{ScimError, ScimType};
pub use filter::{Filter, FilterError};
pub use patch::{PatchOp, PatchOperation, PatchRequest};
pub use path::{AttrPath, PatchPath};
pub use schema::{GROUP, ResourceSchema, USER};
