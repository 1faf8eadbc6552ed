//! How the CLI tells people what went wrong: one line per problem, and exit code 1.

use roster_domain::DomainError;
use roster_domain::ports::table::TableError;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("{0}")]
    Usage(String),
    /// A roster file with problems, each already printed.
    #[error("{0} problem(s) in the roster file")]
    Invalid(usize),
    /// A change that needs `--confirm` was only described; exit code 1.
    #[error("nothing was changed: --confirm was not given")]
    NotConfirmed,
    /// `plan` found changes that apply would refuse (the removal breaker), printed with the
    /// refusal; exit code 1.
    #[error("apply would refuse {0} account(s); see the plan")]
    Refused(usize),
    /// `plan` found changes; exit code 2, nothing else to say.
    #[error("changes are present")]
    ChangesPresent,
}

impl From<TableError> for CliError {
    fn from(e: TableError) -> Self {
        Self::Domain(DomainError::Store(e))
    }
}

/// The text printed on standard error for `error`.
pub fn error(error: &CliError) -> String {
    match error {
        CliError::Domain(DomainError::Validation(problems)) => {
            let mut out = String::from("error: the input is not valid:\n");
            for p in problems {
                out.push_str(&format!("  {}: {}\n", p.field, p.message));
            }
            out
        }
        other => format!("error: {other}\n"),
    }
}

/// "1 user", "2 users".
pub fn count(n: usize, one: &str) -> String {
    match n {
        1 => format!("1 {one}"),
        n => format!("{n} {one}s"),
    }
}
