use std::net::SocketAddr;
use std::sync::Arc;

use clap::Args;
use roster_api::App;
use roster_console::{Console, Oidc, SignIn};
use roster_domain::ports::after_answer::{AfterAnswer, Work};

use crate::context::Context;
use crate::jwt::Jwt;
use crate::report::CliError;
use crate::server;

#[derive(Debug, Args)]
pub struct Serve {
    /// The address to listen on; port 0 picks a free one. Loopback only unless --allow-remote.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Listen on a non-loopback address. The local server signs its own tokens with a dev
    /// secret: do not expose it to a network you do not trust.
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
        let jwt = Jwt::for_store(&context.store)?;
        let roster = context
            .roster()
            .await?
            .with_after_answer(Arc::new(OnItsOwnTask));
        let app = App::new(roster);
        // The console signs in with `roster console`'s links, or with an identity provider when
        // the ROSTER_OIDC_* variables say which (as the deployed console does).
        let sign_in = match Oidc::from_env().map_err(CliError::Usage)? {
            Some(oidc) => SignIn::Oidc(oidc),
            None => SignIn::Link,
        };
        let local = server::Local {
            app,
            jwt,
            console: Console::new(&sign_in),
        };
        let listener = tokio::net::TcpListener::bind(self.listen)
            .await
            .map_err(|e| CliError::Usage(format!("cannot listen on {}: {e}", self.listen)))?;
        let address = listener
            .local_addr()
            .map_err(|e| CliError::Usage(e.to_string()))?;
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
