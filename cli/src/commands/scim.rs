//! `roster scim token create|list|revoke`: the SCIM tokens of an account (SPEC §9), made by an
//! operator with the store's credentials. `create` prints the secret once, as its last line.

use clap::{Args, Subcommand};
use roster_domain::access::Actor;
use roster_domain::entities::{AuditActor, ScimToken};
use roster_domain::values::{AccountId, ScimTokenId, TokenName};

use crate::context::Context;
use crate::report::CliError;

#[derive(Debug, Subcommand)]
pub enum ScimCommand {
    /// The bearer tokens identity providers use on `/scim/v2/`.
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Make a token; its secret is printed once, on the last line.
    Create(Create),
    /// The account's tokens, oldest first (never their secrets).
    List(OfAccount),
    /// Revoke a token: requests with it are refused from now on.
    Revoke(Revoke),
}

#[derive(Debug, Args)]
pub struct OfAccount {
    #[arg(long)]
    account: String,
}

#[derive(Debug, Args)]
pub struct Create {
    #[arg(long)]
    account: String,
    /// What the token is for (`okta`, `entra`).
    #[arg(long, default_value = "scim")]
    name: String,
}

#[derive(Debug, Args)]
pub struct Revoke {
    #[arg(long)]
    account: String,
    /// The token's id, as `list` prints it.
    id: String,
}

impl ScimCommand {
    pub async fn run(self, context: &Context) -> Result<(), CliError> {
        let Self::Token(command) = self;
        match command {
            TokenCommand::Create(args) => create(args, context).await,
            TokenCommand::List(args) => list(args, context).await,
            TokenCommand::Revoke(args) => revoke(args, context).await,
        }
    }
}

fn operator(account: &str) -> Result<Actor, CliError> {
    AccountId::parse(account)
        .map(Actor::Operator)
        .map_err(|e| CliError::Usage(format!("--account {e}")))
}

fn line(token: &ScimToken) -> String {
    let by = match &token.created_by {
        AuditActor::User { email, .. } => email.as_str(),
        AuditActor::Operator => "operator",
        AuditActor::Scim { name, .. } => name.as_str(),
    };
    format!(
        "{}  {}  created {} by {by}",
        token.id, token.name, token.created_at
    )
}

async fn create(args: Create, context: &Context) -> Result<(), CliError> {
    let actor = operator(&args.account)?;
    let name = TokenName::parse(&args.name).map_err(|e| CliError::Usage(format!("--name {e}")))?;
    let roster = context.roster().await?;
    let (token, secret) = roster.create_scim_token(&actor, name).await?;
    println!("{}", line(&token));
    println!(
        "the secret is shown this once; give it to the identity provider as its bearer token:"
    );
    println!("{}", secret.reveal());
    Ok(())
}

async fn list(args: OfAccount, context: &Context) -> Result<(), CliError> {
    let actor = operator(&args.account)?;
    let roster = context.roster().await?;
    for token in roster.list_scim_tokens(&actor).await? {
        println!("{}", line(&token));
    }
    Ok(())
}

async fn revoke(args: Revoke, context: &Context) -> Result<(), CliError> {
    let actor = operator(&args.account)?;
    let id = ScimTokenId::parse(&args.id).map_err(|e| CliError::Usage(format!("id {e}")))?;
    let roster = context.roster().await?;
    roster.revoke_scim_token(&actor, &id).await?;
    println!("revoked {id}");
    Ok(())
}
