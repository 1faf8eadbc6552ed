use http::{HeaderMap, HeaderValue, Method, StatusCode, header};

use super::*;

fn get(console: &Console, path: &str) -> Response<Bytes> {
    console.answer(&Method::GET, path, &HeaderMap::new())
}

fn local() -> Console {
    Console::new(&SignIn::local(None))
}

fn text(response: &Response<Bytes>) -> String {
    String::from_utf8(response.body().to_vec()).unwrap()
}

#[test]
fn every_page_path_is_the_one_page_and_files_are_served_with_their_type() {
    let console = local();
    let index = get(&console, "/console/");
    assert_eq!(index.status(), StatusCode::OK);
    assert!(text(&index).contains("<script type=\"module\" src=\"/console/app.js\">"));
    for page in [
        "/console/users",
        "/console/users/edit/01J0000000000000000000000A",
        "/console/callback",
    ] {
        let answer = get(&console, page);
        assert_eq!(answer.status(), StatusCode::OK, "{page}");
        assert_eq!(answer.body(), index.body(), "{page}");
    }
    let script = get(&console, "/console/app.js");
    assert_eq!(
        script.headers()[header::CONTENT_TYPE],
        "text/javascript; charset=utf-8"
    );
    assert_eq!(
        get(&console, "/console/style.css").headers()[header::CONTENT_TYPE],
        "text/css; charset=utf-8"
    );
    assert_eq!(
        get(&console, "/console/nothing.js").status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&console, "/console/pages/../app.js").status(),
        StatusCode::NOT_FOUND
    );
    let bare = get(&console, "/console");
    assert_eq!(bare.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(bare.headers()[header::LOCATION], "/console/");
    let post = console.answer(&Method::POST, "/console/app.js", &HeaderMap::new());
    assert_eq!(post.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[test]
fn every_file_the_page_and_its_modules_load_is_embedded() {
    let console = local();
    let mut missing = Vec::new();
    let mut sources = vec![text(&get(&console, "/console/"))];
    let mut seen = std::collections::BTreeSet::new();
    while let Some(source) = sources.pop() {
        // `src="/console/x"`, `href="/console/x"` and `from './x.js'` / `from '../x.js'`.
        for part in source.split(['"', '\'']) {
            let path = if let Some(rest) = part.strip_prefix("/console/") {
                rest.to_owned()
            } else if part.ends_with(".js") && (part.starts_with("./") || part.starts_with("../")) {
                part.trim_start_matches("../")
                    .trim_start_matches("./")
                    .to_owned()
            } else {
                continue;
            };
            if path.is_empty() || !path.contains('.') || !seen.insert(path.clone()) {
                continue;
            }
            // Module paths are relative to web/ or web/pages/: one of the two must hold it.
            let found = [format!("/console/{path}"), format!("/console/pages/{path}")]
                .into_iter()
                .map(|p| get(&console, &p))
                .find(|r| r.status() == StatusCode::OK);
            match found {
                Some(answer) if path.ends_with(".js") => sources.push(text(&answer)),
                Some(_) => {}
                None => missing.push(path),
            }
        }
    }
    assert!(
        missing.is_empty(),
        "referenced but not embedded: {missing:?}"
    );
    assert!(seen.len() >= 10, "followed the imports: {seen:?}");
}

#[test]
fn answers_carry_an_etag_that_revalidates_and_a_policy_with_no_inline_script() {
    let console = local();
    let first = get(&console, "/console/app.js");
    let etag = first.headers()[header::ETAG].clone();
    assert!(etag.to_str().unwrap().starts_with('"'));
    assert_eq!(first.headers()[header::CACHE_CONTROL], "no-cache");
    let mut headers = HeaderMap::new();
    headers.insert(header::IF_NONE_MATCH, etag.clone());
    let again = console.answer(&Method::GET, "/console/app.js", &headers);
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert!(again.body().is_empty());
    headers.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"other\""));
    assert_eq!(
        console
            .answer(&Method::GET, "/console/app.js", &headers)
            .status(),
        StatusCode::OK
    );
    let policy = first.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(policy.contains("script-src 'self';"), "{policy}");
    assert!(
        !policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"),
        "{policy}"
    );
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert_eq!(first.headers()[header::REFERRER_POLICY], "no-referrer");
}

#[test]
fn no_file_holds_inline_script_or_an_inline_handler() {
    let console = local();
    let index = text(&get(&console, "/console/"));
    assert_eq!(index.matches("<script").count(), 1, "one script, by src");
    assert!(!index.contains(" onclick=") && !index.contains(" style="));
}

#[test]
fn the_config_says_how_to_sign_in_and_lists_the_domains_words() {
    let local: serde_json::Value =
        serde_json::from_slice(get(&local(), "/console/config.json").body()).unwrap();
    assert_eq!(local["sign_in"]["links"], true);
    assert_eq!(local["sign_in"]["oidc"], serde_json::Value::Null);
    let roles: Vec<&str> = local["vocabulary"]["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        [
            "App Admin",
            "Basic",
            "Billing Admin",
            "Integrations Admin",
            "Send Message",
            "System Viewer"
        ]
    );
    let push = local["vocabulary"]["contact_methods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "push")
        .unwrap();
    assert_eq!(push["addable"], false, "the console never offers Push");

    let vars = |name: &str| match name {
        "ROSTER_OIDC_ISSUER" => Some("https://idp.example/oauth2".to_owned()),
        "ROSTER_OIDC_CLIENT_ID" => Some("roster-console".to_owned()),
        "ROSTER_OIDC_AUTHORIZATION_ENDPOINT" => {
            Some("https://idp.example/oauth2/authorize".to_owned())
        }
        "ROSTER_OIDC_TOKEN_ENDPOINT" => {
            Some("https://login.idp.example:8443/oauth2/token".to_owned())
        }
        _ => None,
    };
    let oidc = Oidc::from_vars(vars).unwrap().unwrap();
    assert_eq!(oidc.token, TokenKind::AccessToken);
    assert_eq!(oidc.scope, "openid");
    let console = Console::new(&SignIn::deployed(Some(oidc)));
    let deployed: serde_json::Value =
        serde_json::from_slice(get(&console, "/console/config.json").body()).unwrap();
    assert_eq!(deployed["sign_in"]["links"], false);
    assert_eq!(deployed["sign_in"]["oidc"]["client_id"], "roster-console");
    assert_eq!(deployed["sign_in"]["oidc"]["token"], "access_token");
    let policy = get(&console, "/console/").headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        policy.contains("connect-src 'self' https://login.idp.example:8443;"),
        "{policy}"
    );
}

#[test]
fn a_half_set_up_oidc_client_is_refused_with_what_is_missing() {
    assert_eq!(Oidc::from_vars(|_| None).unwrap(), None);
    let half = Oidc::from_vars(|name| {
        (name == "ROSTER_OIDC_ISSUER").then(|| "https://idp.example".to_owned())
    });
    let why = half.unwrap_err();
    assert!(
        why.contains("ROSTER_OIDC_CLIENT_ID") && why.contains("ROSTER_OIDC_TOKEN_ENDPOINT"),
        "{why}"
    );
    let not_a_url = Oidc::from_vars(|name| match name {
        "ROSTER_OIDC_TOKEN_ENDPOINT" => Some("idp/token".into()),
        "ROSTER_OIDC_CLIENT_ID" => Some("roster-console".into()),
        "ROSTER_OIDC_ISSUER" | "ROSTER_OIDC_AUTHORIZATION_ENDPOINT" => {
            Some("https://idp.example/x".into())
        }
        _ => None,
    });
    assert!(
        not_a_url
            .unwrap_err()
            .contains("ROSTER_OIDC_TOKEN_ENDPOINT")
    );
}

#[test]
fn console_paths_are_told_apart_from_the_api() {
    assert!(is_console_path("/console"));
    assert!(is_console_path("/console/users"));
    assert!(!is_console_path("/consoles"));
    assert!(!is_console_path("/users"));
}
