//! The AWS configuration a function's clients share, built for a short cold start.
//!
//! The HTTPS client trusts the Amazon Trust Services roots compiled into the binary
//! (`roots/amazon-trust-services.pem`) instead of the platform's store, which
//! rustls-native-certs reads file by file at the first connection. `SSL_CERT_FILE`, when set,
//! adds the roots it names (a proxy, a test server), as it does for every other TLS client.
//! Its cryptography is ring's, not the SDK's default aws-lc (see the workspace's Cargo.toml).

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore};
use aws_smithy_http_client::{Builder, HttpClientError};
use aws_smithy_runtime_api::client::behavior_version::BehaviorVersion;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_types::SdkConfig;
use aws_types::region::Region;
use lambda_runtime::Error;

use crate::function::required_env;

/// The roots AWS's service endpoints chain to (see `roots/README.md`).
const AMAZON_TRUST_SERVICES: &str = include_str!("../roots/amazon-trust-services.pem");

/// The configuration every SDK client of the function shares, from what Lambda puts in the
/// environment: the region (`AWS_REGION`), the execution role's credentials (`AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, valid for the execution environment's life), and
/// `AWS_ENDPOINT_URL` when set (moto, in tests; see [`for_service`] for one service's own).
/// aws-config's loader would find the same values after probing profile files and a provider
/// chain a function never needs.
pub(crate) fn sdk_config() -> Result<SdkConfig, Error> {
    let credentials = Credentials::new(
        required_env("AWS_ACCESS_KEY_ID")?,
        required_env("AWS_SECRET_ACCESS_KEY")?,
        std::env::var("AWS_SESSION_TOKEN")
            .ok()
            .filter(|t| !t.is_empty()),
        None,
        "lambda-environment",
    );
    let mut config = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(required_env("AWS_REGION")?))
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .http_client(https_client()?);
    if let Some(endpoint) = endpoint_env("AWS_ENDPOINT_URL") {
        config = config.endpoint_url(endpoint);
    }
    Ok(config.build())
}

/// `config` for one service: with the endpoint `AWS_ENDPOINT_URL_<SERVICE>` names when set (the
/// SDKs' service-specific override, `SERVICE` as in `AWS_ENDPOINT_URL_DYNAMODB`), else as is.
/// The benchmark gives SES an endpoint of its own, as it is another host on AWS.
pub(crate) fn for_service(config: &SdkConfig, service: &str) -> SdkConfig {
    match endpoint_env(&format!("AWS_ENDPOINT_URL_{service}")) {
        Some(endpoint) => config.to_builder().endpoint_url(endpoint).build(),
        None => config.clone(),
    }
}

/// An endpoint variable's value; an empty one is no override.
fn endpoint_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|e| !e.is_empty())
}

/// The HTTPS client every SDK client of the function uses.
fn https_client() -> Result<SharedHttpClient, Error> {
    let mut trust = TrustStore::empty()
        .with_native_roots(false)
        .with_pem_certificate(AMAZON_TRUST_SERVICES);
    if let Some(path) = std::env::var_os("SSL_CERT_FILE").filter(|p| !p.is_empty()) {
        let pem = std::fs::read(&path)
            .map_err(|e| format!("SSL_CERT_FILE {}: {e}", path.to_string_lossy()))?;
        check_roots(&pem).map_err(|e| format!("SSL_CERT_FILE {}: {e}", path.to_string_lossy()))?;
        trust = trust.with_pem_certificate(pem);
    }
    let context = TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .map_err(|e: HttpClientError| format!("the TLS configuration: {e}"))?;
    Ok(Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .tls_context(context)
        .build_https())
}

/// That `pem` holds at least one certificate and each is a usable root: the HTTPS client
/// checks only at its first connection, and panics there on one it cannot use.
fn check_roots(pem: &[u8]) -> Result<usize, String> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut store = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem) {
        let cert = cert.map_err(|e| format!("not a PEM certificate: {e}"))?;
        store
            .add(cert)
            .map_err(|e| format!("a certificate that cannot be a root: {e}"))?;
    }
    match store.len() {
        0 => Err("no certificate in it".into()),
        n => Ok(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compiled_in_store_is_the_five_amazon_trust_services_roots() {
        assert_eq!(check_roots(AMAZON_TRUST_SERVICES.as_bytes()), Ok(5));
    }

    #[test]
    fn a_file_of_no_certificates_is_refused_at_start_up_not_at_the_first_request() {
        assert_eq!(
            check_roots(b"not a certificate\n"),
            Err("no certificate in it".into())
        );
        let broken = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(
            check_roots(broken.as_bytes())
                .unwrap_err()
                .starts_with("a certificate that cannot be a root"),
        );
    }
}
