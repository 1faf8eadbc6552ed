use std::net::SocketAddr;
use std::sync::Arc;

use clap::Args;
use roster_api::{App, Verifier};
use roster_console::{Console, Oidc, SignIn};
use roster_domain::ports::after_answer::{AfterAnswer, Work};
use roster_oidc::{OidcVerifier, Provider};

use crate::context::Context;
use crate::report::CliError;
use crate::server;

#[derive(Debug, Args)]
pub struct Serve {
    /// The address to listen on; port 0 picks a free one. Loopback only unless --allow-remote.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Listen on a non-loopback address. The local server signs its own tokens with a key file
    /// beside its store: do not expose it to a network you do not trust.
    #[arg(long)]
    allow_remote: bool,
}

/// Work a request leaves for after its answer runs on a task of its own: the server lives on,
/// and a stop before it finishes leaves an outbox entry for the retry, as a crash would.
struct OnItsOwnTask;

impl AfterAnswer for OnItsOwnTask {
    fn defer(&self, work: Work) -> Option<Work> {
        tokio::spawn(work);
        None
    }
}

impl Serve {
    pub async fn run(self, context: &Context) -> Result<(), CliError> {
        if !self.listen.ip().is_loopback() && !self.allow_remote {
            return Err(CliError::Usage(format!(
                "refusing to listen on {}, which is not a loopback address; pass --allow-remote \
                 to do it anyway",
                self.listen
            )));
        }
        init_logging();
        let listener = tokio::net::TcpListener::bind(self.listen)
            .await
            .map_err(|e| CliError::Usage(format!("cannot listen on {}: {e}", self.listen)))?;
        let address = listener
            .local_addr()
            .map_err(|e| CliError::Usage(e.to_string()))?;
        // Links and tokens name the address the server is reached at, unless told another.
        let own = format!("http://{address}");
        let app_url = context.app_url.clone().unwrap_or(own);
        let key = context.signing_key()?;
        let verifier = Verifier::for_key(key.public()).map_err(CliError::Usage)?;
        let mut roster = context
            .roster_at(&app_url)
            .await?
            .with_signer(Arc::new(key))
            .with_after_answer(Arc::new(OnItsOwnTask));
        // Single sign-on, where the environment names a provider (as the deployed stack does).
        if let Some(provider) = Provider::from_env().map_err(CliError::Usage)? {
            let verifier = OidcVerifier::new(provider).map_err(CliError::Usage)?;
            roster = roster.with_identity_provider(Arc::new(verifier));
        }
        let app = App::new(roster);
        // The console signs in with a password, `roster console`'s links, and an identity
        // provider when the ROSTER_OIDC_* variables say which (as the deployed console does).
        let sign_in = SignIn::local(Oidc::from_env().map_err(CliError::Usage)?);
        let local = server::Local {
            app,
            verifier,
            console: Console::new(&sign_in),
        };
        // Scripts and tests read this line to find the port.
        println!("listening on http://{address}");
        tokio::select! {
            served = server::run(local, listener) => {
                served.map_err(|e| CliError::Usage(format!("the server stopped: {e}")))
            }
            _ = tokio::signal::ctrl_c() => Ok(()),
        }
    }
}

/// Human-readable request logs on standard error; `RUST_LOG` adjusts the level.
fn init_logging() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_ansi(false)
        .init();
}
