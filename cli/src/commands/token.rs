use clap::Args;
use roster_domain::access::Actor;
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
        let user_id = match UserId::parse(&self.user) {
            Ok(id) => id,
            Err(_) => {
                let email = Email::parse(&self.user).map_err(|_| {
                    CliError::Usage(format!(
                        "--user {:?} is neither a user id nor an email",
                        self.user
                    ))
                })?;
                roster.user_id_by_email(&account, &email).await?
            }
        };
        // The user must exist: a token for nobody would only ever answer 401.
        roster
            .get_user(&Actor::Operator(account.clone()), &user_id)
            .await?;
        let jwt = Jwt::for_store(&context.store)?;
        println!(
            "{}",
            jwt.issue(account.as_str(), user_id.as_str(), lifetime)?
        );
        Ok(())
    }
}
