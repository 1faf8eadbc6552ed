use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// One change, as the account's audit log keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: String,
    pub at: Timestamp,
    pub actor: AuditActor,
    /// The operation, as the route table names it (`create-user`, `put-member`, …).
    pub action: String,
    pub target: AuditTarget,
    /// The entity before and after, as stored (never a secret: passwords, tokens and their
    /// hashes live in items of their own).
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AuditActor {
    User {
        id: String,
        email: String,
    },
    /// The `roster` command or reconcile, with the deployment's credentials.
    Operator,
    /// An identity provider over SCIM, by the token it used.
    Scim {
        token_id: String,
        name: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditTarget {
    pub kind: String,
    pub id: String,
}
