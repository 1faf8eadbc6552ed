//! The admin console (SPEC.md §11): the static files of `web/`, compiled into the binary, served
//! under `/console/` by `roster serve` and by the `console` Lambda function. Every page path
//! without a file extension (`/console/users/edit/<id>`) is the one page, `index.html`, which
//! routes in the browser; `/console/config.json` tells it how to sign in.
//!
//! Each answer carries a strong ETag (`If-None-Match` gets `304`), `Cache-Control: no-cache` (the
//! file names carry no hashes, so a browser revalidates rather than keeps a stale script), and a
//! Content-Security-Policy that allows no inline script and no other origin but the identity
//! provider's token endpoint.

mod sign_in;
mod vocabulary;

use std::collections::HashMap;
use std::sync::LazyLock;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Response, StatusCode, header};
use include_dir::{Dir, include_dir};
use sha2::{Digest, Sha256};

pub use sign_in::{OIDC_VARIABLES, Oidc, SignIn, TokenKind};
use vocabulary::Vocabulary;

static WEB: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../web");

/// Where the console lives on the API's origin.
pub const MOUNT: &str = "/console";

/// Whether `path` is the console's (static files), not the API's.
pub fn is_console_path(path: &str) -> bool {
    path == MOUNT || path.strip_prefix(MOUNT).is_some_and(|p| p.starts_with('/'))
}

/// Each embedded file's ETag, computed once per process.
static ETAGS: LazyLock<HashMap<&'static str, String>> = LazyLock::new(|| {
    let mut tags = HashMap::new();
    let mut dirs = vec![&WEB];
    while let Some(dir) = dirs.pop() {
        dirs.extend(dir.dirs());
        for file in dir.files() {
            if let Some(path) = file.path().to_str() {
                tags.insert(path, etag_of(file.contents()));
            }
        }
    }
    tags
});

fn etag_of(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// The console of one deployment: its files and how it signs in.
#[derive(Clone)]
pub struct Console {
    config: Bytes,
    config_etag: String,
    csp: HeaderValue,
}

impl Console {
    pub fn new(sign_in: &SignIn) -> Self {
        #[derive(serde::Serialize)]
        struct Config<'a> {
            sign_in: &'a SignIn,
            vocabulary: Vocabulary,
        }
        let config = Config {
            sign_in,
            vocabulary: Vocabulary::of_the_domain(),
        };
        let config = Bytes::from(serde_json::to_vec(&config).expect("the settings serialise"));
        let connect = match &sign_in.oidc {
            None => "'self'".to_owned(),
            Some(oidc) => format!("'self' {}", oidc.token_origin()),
        };
        let csp = format!(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src {connect}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        );
        Self {
            config_etag: etag_of(&config),
            config,
            csp: HeaderValue::from_str(&csp).expect("the policy is ASCII"),
        }
    }

    /// The answer to a request for a console path (see [`is_console_path`]).
    pub fn answer(&self, method: &Method, path: &str, headers: &HeaderMap) -> Response<Bytes> {
        if method != Method::GET && method != Method::HEAD {
            let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "the console is read-only");
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
            return response;
        }
        let Some(relative) = path.strip_prefix("/console/") else {
            // `/console` itself: the page's relative links need the trailing slash.
            let mut response = plain(StatusCode::PERMANENT_REDIRECT, "");
            response
                .headers_mut()
                .insert(header::LOCATION, HeaderValue::from_static("/console/"));
            return response;
        };
        let (body, etag, kind) = match self.file(relative) {
            Some(found) => found,
            None => return plain(StatusCode::NOT_FOUND, "no such file in the console"),
        };
        let mut response = if headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag))
        {
            empty(StatusCode::NOT_MODIFIED)
        } else if method == Method::HEAD {
            empty(StatusCode::OK)
        } else {
            Response::new(body)
        };
        let h = response.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
        h.insert(header::ETAG, HeaderValue::from_str(etag).expect("hex"));
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        self.secure(h);
        response
    }

    /// The file at `relative`, its ETag and content type. A path whose last segment has no
    /// extension is a page of the console: `index.html`.
    fn file(&self, relative: &str) -> Option<(Bytes, &str, &'static str)> {
        if relative == "config.json" {
            return Some((self.config.clone(), &self.config_etag, "application/json"));
        }
        let last = relative.rsplit('/').next().unwrap_or_default();
        let relative = if last.contains('.') {
            relative
        } else {
            "index.html"
        };
        if relative
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..")
        {
            return None;
        }
        let file = WEB.get_file(relative)?;
        let etag = ETAGS.get(relative)?;
        Some((
            Bytes::from_static(file.contents()),
            etag,
            content_type(relative),
        ))
    }

    fn secure(&self, headers: &mut HeaderMap) {
        headers.insert(header::CONTENT_SECURITY_POLICY, self.csp.clone());
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        // The OIDC callback's URL holds a one-time code: never send it on.
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    }
}

fn empty(status: StatusCode) -> Response<Bytes> {
    let mut response = Response::new(Bytes::new());
    *response.status_mut() = status;
    response
}

fn plain(status: StatusCode, text: &'static str) -> Response<Bytes> {
    let mut response = Response::new(Bytes::from_static(text.as_bytes()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests;
