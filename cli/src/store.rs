//! `--store`: which table adapter the command runs on.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use roster_domain::ports::table::Table;
use roster_dynamo::DynamoTable;
use roster_local::SqliteTable;

use crate::report::CliError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreUrl {
    Sqlite(PathBuf),
    Dynamodb { table: String },
}

impl FromStr for StoreUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(table) = s.strip_prefix("dynamodb://") {
            let valid = (3..=255).contains(&table.len())
                && table
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
            return if valid {
                Ok(Self::Dynamodb {
                    table: table.to_owned(),
                })
            } else {
                Err(format!(
                    "{table:?} is not a DynamoDB table name (3 to 255 of a-z A-Z 0-9 _ - .)"
                ))
            };
        }
        let path = s.strip_prefix("sqlite://").unwrap_or(s);
        if path.is_empty() {
            return Err("the store path is empty".into());
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }
}

impl StoreUrl {
    pub async fn open(&self) -> Result<Arc<dyn Table>, CliError> {
        Ok(match self {
            Self::Sqlite(path) => Arc::new(SqliteTable::open(path)?),
            Self::Dynamodb { table } => Arc::new(DynamoTable::from_env(table.clone()).await),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_kinds_of_store() {
        assert_eq!(
            "./roster.db".parse::<StoreUrl>().unwrap(),
            StoreUrl::Sqlite("./roster.db".into())
        );
        assert_eq!(
            "sqlite:///tmp/r.db".parse::<StoreUrl>().unwrap(),
            StoreUrl::Sqlite("/tmp/r.db".into())
        );
        assert_eq!(
            "dynamodb://roster-prod".parse::<StoreUrl>().unwrap(),
            StoreUrl::Dynamodb {
                table: "roster-prod".into()
            }
        );
        assert!("dynamodb://a b".parse::<StoreUrl>().is_err());
        assert!("dynamodb://".parse::<StoreUrl>().is_err());
    }
}
