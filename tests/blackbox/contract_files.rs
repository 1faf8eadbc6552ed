//! The route table against the documents that describe it: `openapi.yaml` names the same
//! operations, and `functions/` holds exactly the functions the routes (and events) name.

use std::collections::BTreeSet;

use roster_api::{Auth, routes};

fn workspace_file(path: &str) -> String {
    let full = format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("read {full}: {e}"))
}

#[test]
fn openapi_and_the_route_table_name_the_same_operations() {
    let text = workspace_file("openapi.yaml");
    let doc = marked_yaml::parse_yaml(0, &text).expect("openapi.yaml parses");
    let paths = doc
        .as_mapping()
        .and_then(|m| m.get_mapping("paths"))
        .expect("openapi.yaml has paths");
    let mut documented = BTreeSet::new();
    for (path, item) in paths.iter() {
        let item = item.as_mapping().expect("a path item is a mapping");
        for (method, operation) in item.iter() {
            let method = method.as_str().to_uppercase();
            if method == "PARAMETERS" {
                continue;
            }
            let id = operation
                .as_mapping()
                .and_then(|o| o.get_scalar("operationId"))
                .unwrap_or_else(|| panic!("{method} {} has no operationId", path.as_str()));
            documented.insert((method, path.as_str().to_owned(), id.as_str().to_owned()));
        }
    }
    // SCIM describes itself (`/scim/v2/Schemas`, `/ResourceTypes`) and is checked by a SCIM
    // client; openapi.yaml is the JSON API's contract.
    let routed: BTreeSet<(String, String, String)> = routes()
        .iter()
        .filter(|r| r.auth != Auth::Scim)
        .map(|r| {
            (
                r.method.to_string(),
                r.path.to_owned(),
                r.operation.to_owned(),
            )
        })
        .collect();
    assert_eq!(
        documented, routed,
        "openapi.yaml (left) and the route table (right) differ"
    );
}

#[test]
fn every_function_is_a_crate_under_functions_and_nothing_else_is() {
    let dir = format!("{}/../functions", env!("CARGO_MANIFEST_DIR"));
    let crates: BTreeSet<String> = std::fs::read_dir(&dir)
        .expect("functions/")
        .filter_map(Result::ok)
        .filter(|e| e.path().join("Cargo.toml").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let mut known: BTreeSet<String> = routes().iter().map(|r| r.function.to_owned()).collect();
    known.extend(roster_lambda::EVENT_FUNCTIONS.iter().map(|f| f.to_string()));
    known.insert(roster_lambda::CONSOLE_FUNCTION.to_owned());
    assert_eq!(
        crates, known,
        "functions/ (left) and the routed, event and console functions (right) differ"
    );
}

/// A function's `main` names its own list of routes (`roster_lambda::routes::<function>`), which
/// is what keeps the other handlers out of its binary; `run` refuses a list of another function's
/// routes at start, and this catches the slip before a deploy.
#[test]
fn every_routed_function_serves_its_own_list() {
    let functions: BTreeSet<&str> = routes().iter().map(|r| r.function).collect();
    for function in functions {
        let main = format!(
            "{}/../functions/{function}/src/main.rs",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&main).unwrap();
        let own = format!("roster_lambda::routes::{}", function.replace('-', "_"));
        assert!(text.contains(&own), "{main} should pass {own}");
    }
}
