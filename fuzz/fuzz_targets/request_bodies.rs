//! Every JSON request body, through the whole API: the fuzzer picks a route that takes a body
//! and writes the body; `App` answers it as the Owner of a real account on the embedded store.
//! Whatever the body, the answer is a success or a problem the caller caused — never a 5xx, never
//! a panic.

#![no_main]

use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use http::Method;
use libfuzzer_sys::fuzz_target;
use roster_api::{App, Claims, Route, routes};
use roster_domain::entities::ManagedBy;
use roster_domain::usecases::{NewAccountInput, NewUserInput, Roster, Settings};
use roster_local::{OutboxFolder, SqliteTable};

struct World {
    runtime: tokio::runtime::Runtime,
    app: App,
    owner: String,
    _dir: tempfile::TempDir,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let table = SqliteTable::open(dir.path().join("roster.db")).unwrap();
        let outbox = OutboxFolder::new(dir.path().join("outbox"), "roster@fuzz.example").unwrap();
        let roster = Roster::production(
            Arc::new(table),
            Arc::new(outbox),
            Settings {
                app_url: "https://app.fuzz.example".into(),
            },
        );
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let account = NewAccountInput {
            id: Some("fuzz".into()),
            name: Some("Fuzz".into()),
            seats: None,
            owner: NewUserInput {
                email: Some("owner@fuzz.example".into()),
                first_name: Some("Ana".into()),
                last_name: Some("Silva".into()),
                ..Default::default()
            },
        };
        let (_, owner, _) = runtime
            .block_on(roster.create_account(&account, ManagedBy::Api))
            .unwrap();
        World {
            runtime,
            app: App::new(roster),
            owner: owner.id.to_string(),
            _dir: dir,
        }
    })
}

fn with_body() -> Vec<&'static Route> {
    routes()
        .iter()
        .filter(|r| [Method::POST, Method::PUT, Method::PATCH].contains(&r.method))
        .collect()
}

fuzz_target!(|input: &[u8]| {
    let Some((&pick, body)) = input.split_first() else {
        return;
    };
    let w = world();
    let routes = with_body();
    let route = routes[pick as usize % routes.len()];
    // Every path parameter names the Owner: a user id where one is meant, a 404 elsewhere.
    let mut path = route.path.to_owned();
    while let (Some(open), Some(close)) = (path.find('{'), path.find('}')) {
        path.replace_range(open..=close, &w.owner);
    }
    let request = http::Request::builder()
        .method(route.method.clone())
        .uri(&path)
        .header("content-type", "application/json")
        .extension(Claims {
            sub: w.owner.clone(),
            account_id: "fuzz".into(),
        })
        .body(Bytes::copy_from_slice(body))
        .unwrap();
    let response = w.runtime.block_on(w.app.handle(request));
    assert!(
        response.status().as_u16() < 500,
        "{} {path} with {:?} → {}: {:?}",
        route.method,
        String::from_utf8_lossy(body),
        response.status(),
        response.body()
    );
});
