use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::AuditActor;
use crate::values::{ScimTokenId, TokenName};

/// A bearer token an identity provider uses on `/scim/v2/` of one account. Its secret is shown
/// once, when it is made; only its hash is kept, on an item of its own (`keys::scim_secret`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScimToken {
    pub id: ScimTokenId,
    pub name: TokenName,
    pub created_at: Timestamp,
    pub created_by: AuditActor,
}
