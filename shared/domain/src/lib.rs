//! Roster's domain: value types, entities, the rules of the product, the use cases, and the ports
//! the adapters implement. Nothing here knows about AWS, HTTP or SQL.

pub mod access;
pub mod entities;
pub mod error;
pub mod keys;
pub mod oncall;
pub mod ports;
pub mod reconcile;
pub mod secrets;
pub mod usecases;
pub mod values;

pub use error::{CoverHeld, DomainError, FieldError, GroupWithoutResponder, Holes, ShiftOnDuty};
