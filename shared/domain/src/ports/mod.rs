//! The ports: what the domain needs from the outside world, as traits the adapters implement.

pub mod after_answer;
pub mod clock;
pub mod identity_provider;
pub mod mailer;
pub mod push;
pub mod signer;
pub mod table;
