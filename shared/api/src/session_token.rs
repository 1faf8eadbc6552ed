//! The one verification of the session tokens Roster issues (ES256; docs/sign-in.md), against
//! the public half of the key that signs them: `roster serve` runs it on every request, and the
//! stack's `authorizer` function for API Gateway. There is one kind of token: `POST /sessions`,
//! `roster token` and console sign-in links all issue it.

use crate::input::Claims;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use roster_domain::ports::signer::PublicKey;
use roster_domain::usecases::AUDIENCE;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct TokenClaims {
    sub: String,
    account_id: String,
}

/// Verifies tokens signed with one key.
#[derive(Clone)]
pub struct Verifier {
    kid: String,
    decoding: DecodingKey,
    validation: Validation,
}

impl Verifier {
    pub fn for_key(key: &PublicKey) -> Result<Self, String> {
        let jwk = key.jwk();
        let coordinate = |name: &str| jwk[name].as_str().unwrap_or_default().to_owned();
        let decoding = DecodingKey::from_ec_components(&coordinate("x"), &coordinate("y"))
            .map_err(|e| format!("the signing key's public half is not usable: {e}"))?;
        let mut validation = Validation::new(Algorithm::ES256);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "sub", "aud"]);
        validation.leeway = 5;
        Ok(Self {
            kid: key.kid.clone(),
            decoding,
            validation,
        })
    }

    /// The claims of a valid token, or why it is not valid (for the 401 body). The issuer is
    /// not pinned: only this store's key signs, and the address the server is reached at may
    /// differ from the one the token was issued for.
    pub fn verify(&self, token: &str) -> Result<Claims, String> {
        use jsonwebtoken::errors::ErrorKind;
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| format!("the token is not valid: {e}"))?;
        if header.kid.as_deref() != Some(self.kid.as_str()) {
            return Err("the token was not signed with this server's key".into());
        }
        match jsonwebtoken::decode::<TokenClaims>(token, &self.decoding, &self.validation) {
            Ok(data) => Ok(Claims {
                sub: data.claims.sub,
                account_id: data.claims.account_id,
            }),
            Err(e) => Err(match e.kind() {
                ErrorKind::ExpiredSignature => "the token has expired".into(),
                ErrorKind::InvalidSignature => "the token's signature is not valid".into(),
                ErrorKind::InvalidAlgorithm => "the token is not signed with ES256".into(),
                ErrorKind::InvalidAudience => "the token is not for this API".into(),
                _ => format!("the token is not valid: {e}"),
            }),
        }
    }
}
