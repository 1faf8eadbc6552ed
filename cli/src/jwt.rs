//! The local stand-in for API Gateway's JWT authorizer: HS256 tokens with the claims the real
//! authorizer passes on (`sub`, `account_id`), signed with a secret from `ROSTER_DEV_JWT_SECRET`
//! or from a file generated beside the store.

use std::io::Write;
use std::path::PathBuf;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use roster_api::Claims;
use serde::{Deserialize, Serialize};

use crate::report::CliError;
use crate::store::StoreUrl;

const ISSUER: &str = "roster-local";
const MIN_SECRET_BYTES: usize = 32;

#[derive(Debug, Serialize, Deserialize)]
struct TokenClaims {
    sub: String,
    account_id: String,
    iss: String,
    iat: i64,
    exp: i64,
}

#[derive(Clone)]
pub struct Jwt {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

/// Where the generated secret lives for a store: beside the SQLite file, or in the working
/// folder for a DynamoDB table.
fn secret_path(store: &StoreUrl) -> PathBuf {
    match store {
        StoreUrl::Sqlite(path) => {
            let mut name = path.as_os_str().to_owned();
            name.push(".jwt-secret");
            PathBuf::from(name)
        }
        StoreUrl::Dynamodb { table } => PathBuf::from(format!(".roster-{table}.jwt-secret")),
    }
}

impl Jwt {
    /// The secret from `ROSTER_DEV_JWT_SECRET`, else the store's secret file, created (mode 0600)
    /// on first use.
    pub fn for_store(store: &StoreUrl) -> Result<Self, CliError> {
        let secret = match std::env::var("ROSTER_DEV_JWT_SECRET") {
            Ok(secret) if secret.len() >= MIN_SECRET_BYTES => secret,
            Ok(_) => {
                return Err(CliError::Usage(format!(
                    "ROSTER_DEV_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes"
                )));
            }
            Err(_) => read_or_create(&secret_path(store))?,
        };
        Ok(Self::from_secret(secret.as_bytes()))
    }

    pub fn from_secret(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "sub", "iss"]);
        validation.leeway = 5;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    pub fn issue(
        &self,
        account_id: &str,
        user_id: &str,
        lifetime: jiff::SignedDuration,
    ) -> Result<String, CliError> {
        let now = jiff::Timestamp::now().as_second();
        let claims = TokenClaims {
            sub: user_id.to_owned(),
            account_id: account_id.to_owned(),
            iss: ISSUER.to_owned(),
            iat: now,
            exp: now.saturating_add(lifetime.as_secs()),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| CliError::Usage(format!("cannot sign the token: {e}")))
    }

    /// The claims of a valid token, or why it is not valid (for the 401 body).
    pub fn verify(&self, token: &str) -> Result<Claims, String> {
        use jsonwebtoken::errors::ErrorKind;
        match jsonwebtoken::decode::<TokenClaims>(token, &self.decoding, &self.validation) {
            Ok(data) => Ok(Claims {
                sub: data.claims.sub,
                account_id: data.claims.account_id,
            }),
            Err(e) => Err(match e.kind() {
                ErrorKind::ExpiredSignature => "the token has expired".into(),
                ErrorKind::InvalidSignature => "the token's signature is not valid".into(),
                ErrorKind::InvalidIssuer => "the token was not issued by this server".into(),
                _ => format!("the token is not valid: {e}"),
            }),
        }
    }
}

fn read_or_create(path: &PathBuf) -> Result<String, CliError> {
    let unusable = |e: std::io::Error| {
        CliError::Usage(format!(
            "cannot use the JWT secret file {}: {e}",
            path.display()
        ))
    };
    match std::fs::read_to_string(path) {
        Ok(secret) if secret.trim().len() >= MIN_SECRET_BYTES => {
            return Ok(secret.trim().to_owned());
        }
        Ok(_) => {
            return Err(CliError::Usage(format!(
                "the JWT secret file {} holds fewer than {MIN_SECRET_BYTES} bytes",
                path.display()
            )));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(unusable(e)),
    }
    let secret = roster_domain::secrets::random_secret();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(secret.as_bytes()).map_err(unusable)?;
            Ok(secret)
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => std::fs::read_to_string(path)
            .map(|s| s.trim().to_owned())
            .map_err(unusable),
        Err(e) => Err(unusable(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_with_their_secret_only_and_expire() {
        let jwt = Jwt::from_secret(&[7u8; 32]);
        let token = jwt
            .issue(
                "acme",
                "01ARZ3NDEKTSV4RRFFQ69G5FAV",
                jiff::SignedDuration::from_hours(1),
            )
            .unwrap();
        let claims = jwt.verify(&token).unwrap();
        assert_eq!(claims.account_id, "acme");
        let other = Jwt::from_secret(&[8u8; 32]);
        assert!(other.verify(&token).unwrap_err().contains("signature"));
        let expired = jwt
            .issue(
                "acme",
                "01ARZ3NDEKTSV4RRFFQ69G5FAV",
                jiff::SignedDuration::from_mins(-5),
            )
            .unwrap();
        assert!(jwt.verify(&expired).unwrap_err().contains("expired"));
    }
}
