pub mod account;
pub mod store;
pub mod user;
