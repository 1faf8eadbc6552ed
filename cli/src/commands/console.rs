use clap::Args;
use roster_domain::access::Actor;
use roster_domain::usecases::SIGN_IN_LIFETIME;
use roster_domain::values::AccountId;

use super::token::user_of;
use crate::context::Context;
use crate::report::CliError;

#[derive(Debug, Args)]
pub struct Console {
    /// The account id.
    #[arg(long)]
    account: String,
    /// Who signs in: their email, their username or their id.
    #[arg(long)]
    user: String,
    /// Where `roster serve` listens.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
}

impl Console {
    pub async fn run(self, context: &Context) -> Result<(), CliError> {
        let account = AccountId::parse(&self.account)
            .map_err(|e| CliError::Usage(format!("--account {e}")))?;
        let base = self.url.trim_end_matches('/');
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(CliError::Usage(format!(
                "--url {:?} is not an http(s) URL like http://127.0.0.1:8080",
                self.url
            )));
        }
        let roster = context.roster().await?;
        let user = user_of(&roster, &account, &self.user).await?;
        let code = roster
            .issue_sign_in_code(&Actor::Operator(account), &user)
            .await?;
        // The code rides in the fragment: browsers never send it to a server or a log, and the
        // console takes it out of the address bar before anything else.
        println!("{base}/console/#sign-in={}", code.reveal());
        eprintln!(
            "Open the link within {} minutes; it signs in once.",
            SIGN_IN_LIFETIME.as_secs() / 60
        );
        Ok(())
    }
}
