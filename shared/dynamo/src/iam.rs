//! The IAM actions each use of the Table port needs on DynamoDB: the one place a function's
//! policy is derived from (`infra/template.yaml` is generated from what each function is seen
//! to call, through this mapping).

use roster_domain::ports::table::{Source, Write};

/// One use of the port, as IAM sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Access {
    Get,
    GetMany,
    Query(IndexUse),
    Put,
    Delete,
    Check,
    Update,
}

/// Whether a query read the table or its index (a different IAM resource).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IndexUse {
    Table,
    Index,
}

impl Access {
    pub fn query(source: Source) -> Self {
        match source {
            Source::Table => Access::Query(IndexUse::Table),
            Source::Index => Access::Query(IndexUse::Index),
        }
    }

    /// The accesses a transaction of `writes` makes: IAM checks each write's own action
    /// (`TransactWriteItems` is not an action of its own), and so does this adapter's
    /// single-write shortcut (`PutItem` / `DeleteItem`).
    pub fn of_writes(writes: &[Write]) -> impl Iterator<Item = Access> + '_ {
        writes.iter().map(|w| match w {
            Write::Put { .. } => Access::Put,
            Write::Delete { .. } => Access::Delete,
            Write::Check { .. } => Access::Check,
            Write::Tally { .. } => Access::Update,
        })
    }

    /// The IAM action.
    pub fn action(self) -> &'static str {
        match self {
            Access::Get => "dynamodb:GetItem",
            Access::GetMany => "dynamodb:BatchGetItem",
            Access::Query(_) => "dynamodb:Query",
            Access::Put => "dynamodb:PutItem",
            Access::Delete => "dynamodb:DeleteItem",
            Access::Check => "dynamodb:ConditionCheckItem",
            Access::Update => "dynamodb:UpdateItem",
        }
    }

    /// Whether the action is on the index (`table/<name>/index/<index>`) rather than the table.
    pub fn on_index(self) -> bool {
        self == Access::Query(IndexUse::Index)
    }
}
