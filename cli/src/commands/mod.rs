pub mod account;
pub mod mail;
pub mod owner;
pub mod roster;
pub mod serve;
pub mod store;
pub mod token;
pub mod user;
