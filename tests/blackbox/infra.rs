//! `infra/template.yaml` (AWS SAM) is generated from the code (`crate::template`, written by
//! `cargo xtask generate`), and held to it:
//!
//! - the committed file is exactly what the code makes (this test only compares);
//! - every route of the route table is an `HttpApi` event of its function, with the JWT
//!   authorizer except on the public routes;
//! - every crate under `functions/` is a function of the template, and nothing else is;
//! - the table's keys, index and TTL attribute are the ones the DynamoDB adapter creates;
//! - each function's policy names exactly the DynamoDB actions (through `roster_dynamo::iam`)
//!   and SES sending it was seen to need when every route, the reconcile function and the
//!   notifier were run in-process against watching adapters.

use std::collections::{BTreeMap, BTreeSet};

use roster_api::{Auth, routes};
use roster_tests::TestStore;
use serde_norway::{Mapping, Value};

use crate::template::{CONSOLE, CONSOLE_PATHS, TEMPLATE, gateway_path, generated, observe, pascal};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_template_is_the_one_the_code_makes() {
    let expected = generated().await;
    let committed = std::fs::read_to_string(TEMPLATE).unwrap();
    assert!(
        committed == expected,
        "infra/template.yaml is not what the code makes; `cargo xtask generate` writes it"
    );
}

// ---- The template as committed, read and checked on its own. ----

fn committed() -> Value {
    serde_norway::from_str(&std::fs::read_to_string(TEMPLATE).unwrap()).unwrap()
}

fn resources(t: &Value) -> &Mapping {
    t["Resources"].as_mapping().unwrap()
}

fn functions(t: &Value) -> BTreeMap<String, &Value> {
    resources(t)
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Serverless::Function")
        .map(|(_, r)| {
            (
                r["Metadata"]["BuildProperties"]["Binary"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                r,
            )
        })
        .collect()
}

#[test]
fn every_route_is_an_event_of_its_function_with_the_right_authorizer() {
    let t = committed();
    let mut declared = BTreeSet::new();
    for (function, resource) in functions(&t) {
        for (_, event) in resource["Properties"]["Events"].as_mapping().unwrap() {
            if event["Type"] != "HttpApi" {
                continue;
            }
            let p = &event["Properties"];
            let public = p["Auth"]["Authorizer"] == "NONE";
            declared.insert((
                p["Method"].as_str().unwrap().to_owned(),
                p["Path"].as_str().unwrap().to_owned(),
                function.clone(),
                public,
            ));
        }
    }
    let mut routed: BTreeSet<_> = routes()
        .iter()
        .map(|r| {
            (
                r.method.to_string(),
                gateway_path(r.path),
                r.function.to_owned(),
                r.auth != Auth::Jwt,
            )
        })
        .collect();
    for (_, path) in CONSOLE_PATHS {
        routed.insert(("GET".into(), path.into(), CONSOLE.into(), true));
    }
    assert_eq!(declared, routed);
    let public: Vec<_> = routed
        .iter()
        .filter(|r| r.3)
        .map(|r| r.1.as_str())
        .collect();
    let scim = public.iter().filter(|p| p.starts_with("/scim/v2/")).count();
    let others: Vec<_> = public
        .iter()
        .filter(|p| !p.starts_with("/scim/v2/"))
        .collect();
    assert_eq!(
        others,
        [
            &"/.well-known/jwks.json",
            &"/.well-known/openid-configuration",
            &"/calendars/{token}",
            &"/console",
            &"/console/{proxy+}",
            &"/password-resets",
            &"/password-resets/requests",
            &"/sessions",
            &"/sessions/oidc",
        ],
        "the only routes without the session authorizer, besides SCIM's"
    );
    assert_eq!(
        scim,
        routes().iter().filter(|r| r.auth == Auth::Scim).count(),
        "every SCIM route, and only those, under /scim/v2/ without the session authorizer"
    );
}

#[test]
fn every_function_crate_is_in_the_template_and_nothing_else_is() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../functions");
    let crates: BTreeSet<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().join("Cargo.toml").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let t = committed();
    let declared: BTreeSet<String> = functions(&t).keys().cloned().collect();
    assert_eq!(crates, declared);
    for (function, resource) in functions(&t) {
        assert_eq!(
            resource["Metadata"]["BuildMethod"], "rust-cargolambda",
            "{function}"
        );
    }
    assert_eq!(t["Globals"]["Function"]["Runtime"], "provided.al2023");
    assert_eq!(t["Globals"]["Function"]["Architectures"][0], "arm64");
    assert_eq!(t["Globals"]["Function"]["MemorySize"], 128);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_table_is_the_one_the_adapter_creates() {
    let store = TestStore::dynamodb().await;
    let table = store.dynamodb_table();
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(roster_tests::moto_endpoint())
        .load()
        .await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    let described = client
        .describe_table()
        .table_name(&table)
        .send()
        .await
        .unwrap();
    let live = described.table().unwrap();
    let keys = |schema: &[aws_sdk_dynamodb::types::KeySchemaElement]| -> Vec<(String, String)> {
        schema
            .iter()
            .map(|k| {
                (
                    k.attribute_name().to_owned(),
                    k.key_type().as_str().to_owned(),
                )
            })
            .collect()
    };
    let t = committed();
    let declared = &resources(&t)[&Value::from("Table")]["Properties"];
    let declared_keys = |schema: &Value| -> Vec<(String, String)> {
        schema
            .as_sequence()
            .unwrap()
            .iter()
            .map(|k| {
                (
                    k["AttributeName"].as_str().unwrap().to_owned(),
                    k["KeyType"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(
        keys(live.key_schema()),
        declared_keys(&declared["KeySchema"])
    );
    let live_index = &live.global_secondary_indexes()[0];
    let declared_index = &declared["GlobalSecondaryIndexes"][0];
    assert_eq!(
        live_index.index_name().unwrap(),
        declared_index["IndexName"].as_str().unwrap()
    );
    assert_eq!(
        keys(live_index.key_schema()),
        declared_keys(&declared_index["KeySchema"])
    );
    assert_eq!(
        live_index
            .projection()
            .unwrap()
            .projection_type()
            .unwrap()
            .as_str(),
        declared_index["Projection"]["ProjectionType"]
            .as_str()
            .unwrap()
    );
    let ttl = client
        .describe_time_to_live()
        .table_name(&table)
        .send()
        .await
        .unwrap();
    let ttl_attribute = ttl
        .time_to_live_description()
        .unwrap()
        .attribute_name()
        .unwrap()
        .to_owned();
    assert_eq!(
        ttl_attribute,
        declared["TimeToLiveSpecification"]["AttributeName"]
            .as_str()
            .unwrap()
    );
    assert_eq!(declared["BillingMode"], "PAY_PER_REQUEST");
    assert_eq!(
        declared["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"],
        true
    );
    assert_eq!(declared["DeletionProtectionEnabled"], true);
    assert_eq!(
        resources(&t)[&Value::from("Table")]["DeletionPolicy"],
        "Retain"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_policy_grants_what_its_function_calls_and_nothing_more() {
    let needs = observe().await;
    let t = committed();
    for (function, resource) in functions(&t) {
        let role_name = resource["Properties"]["Role"]["Fn::GetAtt"][0]
            .as_str()
            .unwrap();
        let role = &resources(&t)[&Value::from(role_name)];
        let statements = role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
            .as_sequence()
            .unwrap();
        let mut granted: BTreeSet<String> = BTreeSet::new();
        for statement in statements {
            // A statement that holds only while push is set up: its `Fn::If`'s true branch.
            let statement = match statement.get("Fn::If") {
                Some(branches) => &branches[1],
                None => statement,
            };
            for action in statement["Action"].as_sequence().unwrap() {
                let action = action.as_str().unwrap();
                assert!(
                    !action.contains('*'),
                    "{function}: wildcard action {action}"
                );
                granted.insert(action.to_owned());
            }
            for resource in statement["Resource"].as_sequence().unwrap() {
                assert!(resource.as_str() != Some("*"), "{function}: a `*` resource");
            }
        }
        let need = needs
            .get(&function)
            .unwrap_or_else(|| panic!("{function} was never run"));
        let mut wanted: BTreeSet<String> = need
            .accesses
            .iter()
            .map(|a| a.action().to_owned())
            .collect();
        if need.sends {
            wanted.insert(roster_ses::SEND_ACTION.into());
        }
        wanted.extend(need.sns.iter().map(|a| (*a).to_owned()));
        wanted.extend(need.kms.iter().map(|a| (*a).to_owned()));
        wanted.extend([
            "logs:CreateLogStream".to_owned(),
            "logs:PutLogEvents".to_owned(),
        ]);
        assert_eq!(
            granted, wanted,
            "{function}: granted (left) and called (right)"
        );
    }
}

#[test]
fn api_gateway_paths_keep_whole_segments() {
    assert_eq!(gateway_path("/calendars/{token}.ics"), "/calendars/{token}");
    assert_eq!(
        gateway_path("/users/{id}/schedule.ics"),
        "/users/{id}/schedule.ics"
    );
    assert_eq!(pascal("create-user"), "CreateUser");
}
