use clap::Args;
use roster_domain::access::Actor;
use roster_domain::usecases::Roster;
use std::sync::Arc;

use roster_domain::values::{AccountId, Email, UserId, Username};

use crate::context::Context;
use crate::report::CliError;

#[derive(Debug, Args)]
pub struct Token {
    /// The account id.
    #[arg(long)]
    account: String,
    /// The user: their email, their username or their id.
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
        let roster = context
            .roster()
            .await?
            .with_signer(Arc::new(context.signing_key()?));
        let user_id = user_of(&roster, &account, &self.user).await?;
        let session = roster.issue_session(&account, &user_id, lifetime).await?;
        println!("{}", session.token);
        Ok(())
    }
}

/// The user `--user` names, by email, username or id, who must exist: a token or a link for
/// nobody would only ever answer 401.
pub(crate) async fn user_of(
    roster: &Roster,
    account: &AccountId,
    raw: &str,
) -> Result<UserId, CliError> {
    let operator = Actor::Operator(account.clone());
    let not_found = || {
        CliError::Usage(format!(
            "--user {raw:?}: account {account} has no user with that email, username or id"
        ))
    };
    let mut found = None;
    if let Ok(email) = Email::parse(raw) {
        found = roster.user_id_by_email(account, &email).await.ok();
    }
    if found.is_none()
        && let Ok(username) = Username::parse(raw)
    {
        found = roster
            .user_by_username(&operator, &username)
            .await?
            .map(|user| user.id);
    }
    if found.is_none()
        && let Ok(id) = UserId::parse(raw)
    {
        found = roster
            .get_user(&operator, &id)
            .await
            .ok()
            .map(|p| p.user.id);
    }
    found.ok_or_else(not_found)
}
