//! How the console signs its user in, as `/console/config.json` tells the page: always with a
//! password (`POST /sessions`); with a sign-in link of `roster console` on the local server; and
//! with the identity provider's OpenID Connect authorization code flow with PKCE where one is set
//! up. Every way ends in a Roster session token (docs/sign-in.md).

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignIn {
    /// Whether `roster console`'s short-lived, single-use links work here (`roster serve` only).
    pub links: bool,
    /// The identity provider for single sign-on, if any.
    pub oidc: Option<Oidc>,
}

impl SignIn {
    /// `roster serve`: passwords, links, and the identity provider the environment names.
    pub fn local(oidc: Option<Oidc>) -> Self {
        Self { links: true, oidc }
    }

    /// The deployed console: passwords, and the identity provider the stack names.
    pub fn deployed(oidc: Option<Oidc>) -> Self {
        Self { links: false, oidc }
    }
}

/// A public OIDC client (no secret: the page cannot keep one) using authorization code + PKCE.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Oidc {
    pub issuer: String,
    pub client_id: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub scope: String,
    /// Which token of the token response is traded for a session.
    pub token: TokenKind,
}

/// Which of the provider's tokens the console trades for a Roster session: the one whose
/// audience is the console's client and that carries `sub` and `account_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    AccessToken,
    IdToken,
}

/// The variables that set the OIDC client up, all or none.
pub const OIDC_VARIABLES: [&str; 4] = [
    "ROSTER_OIDC_ISSUER",
    "ROSTER_OIDC_CLIENT_ID",
    "ROSTER_OIDC_AUTHORIZATION_ENDPOINT",
    "ROSTER_OIDC_TOKEN_ENDPOINT",
];

impl Oidc {
    /// The client from the environment: `None` when none of [`OIDC_VARIABLES`] is set, an error
    /// naming what is missing or wrong when only some are. `ROSTER_OIDC_SCOPE` (default
    /// `openid`) and `ROSTER_OIDC_TOKEN` (`access_token`, the default, or `id_token`) are
    /// optional.
    pub fn from_env() -> Result<Option<Self>, String> {
        Self::from_vars(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, String> {
        let values: Vec<Option<String>> = OIDC_VARIABLES.iter().map(|n| var(n)).collect();
        if values.iter().all(Option::is_none) {
            return Ok(None);
        }
        let missing: Vec<&str> = OIDC_VARIABLES
            .iter()
            .zip(&values)
            .filter(|(_, v)| v.is_none())
            .map(|(n, _)| *n)
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "the console's OIDC client needs {} as well",
                missing.join(", ")
            ));
        }
        let [issuer, client_id, authorization_endpoint, token_endpoint] =
            <[Option<String>; 4]>::try_from(values).expect("four variables");
        let token = match var("ROSTER_OIDC_TOKEN").as_deref() {
            None | Some("access_token") => TokenKind::AccessToken,
            Some("id_token") => TokenKind::IdToken,
            Some(other) => {
                return Err(format!(
                    "ROSTER_OIDC_TOKEN is {other:?}; it is access_token or id_token"
                ));
            }
        };
        let oidc = Self {
            issuer: issuer.unwrap_or_default(),
            client_id: client_id.unwrap_or_default(),
            authorization_endpoint: authorization_endpoint.unwrap_or_default(),
            token_endpoint: token_endpoint.unwrap_or_default(),
            scope: var("ROSTER_OIDC_SCOPE").unwrap_or_else(|| "openid".into()),
            token,
        };
        for (name, url) in [
            ("ROSTER_OIDC_ISSUER", &oidc.issuer),
            (
                "ROSTER_OIDC_AUTHORIZATION_ENDPOINT",
                &oidc.authorization_endpoint,
            ),
            ("ROSTER_OIDC_TOKEN_ENDPOINT", &oidc.token_endpoint),
        ] {
            if origin(url).is_none() {
                return Err(format!("{name} is {url:?}, which is no http(s) URL"));
            }
        }
        Ok(Some(oidc))
    }

    /// The token endpoint's origin, which the page must be allowed to call.
    pub(crate) fn token_origin(&self) -> String {
        origin(&self.token_endpoint).unwrap_or_default()
    }
}

/// `scheme://host[:port]` of an http(s) URL.
fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty() && !host.contains(char::is_whitespace)).then(|| format!("{scheme}://{host}"))
}
