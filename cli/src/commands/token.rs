use clap::Args;
use roster_domain::access::Actor;
use roster_domain::usecases::Roster;
use roster_domain::values::{AccountId, Email, UserId};

use crate::context::Context;
use crate::jwt::Jwt;
use crate::report::CliError;

#[derive(Debug, Args)]
pub struct Token {
    /// The account id.
    #[arg(long)]
    account: String,
    /// The user: their id or their email.
    #[arg(long)]
    user: String,
    /// How long the token is valid, like `12h` or `30m`.
    #[arg(long, default_value = "12h")]
    expires_in: String,
}

impl Token {
    pub async fn run(self, context: &Context) -> Result<(), CliError> {
        let account = AccountId::parse(&self.account)
            .map_err(|e| CliError::Usage(format!("--account {e}")))?;
        let lifetime: jiff::SignedDuration = self.expires_in.parse().map_err(|_| {
            CliError::Usage(format!(
                "--expires-in {:?} is not a duration like 12h or 30m",
                self.expires_in
            ))
        })?;
        let roster = context.roster().await?;
        let user_id = user_of(&roster, &account, &self.user).await?;
        let jwt = Jwt::for_store(&context.store)?;
        println!(
            "{}",
            jwt.issue(account.as_str(), user_id.as_str(), lifetime)?
        );
        Ok(())
    }
}

/// The user `--user` names, by id or by email, who must exist: a token or a link for nobody
/// would only ever answer 401.
pub(crate) async fn user_of(
    roster: &Roster,
    account: &AccountId,
    raw: &str,
) -> Result<UserId, CliError> {
    let user_id = match UserId::parse(raw) {
        Ok(id) => id,
        Err(_) => {
            let email = Email::parse(raw).map_err(|_| {
                CliError::Usage(format!("--user {raw:?} is neither a user id nor an email"))
            })?;
            roster.user_id_by_email(account, &email).await?
        }
    };
    roster
        .get_user(&Actor::Operator(account.clone()), &user_id)
        .await?;
    Ok(user_id)
}
