//! `infra/template.yaml` (AWS SAM) is generated from the code, and held to it:
//!
//! - every route of the route table is an `HttpApi` event of its function, with the JWT
//!   authorizer except on the public routes;
//! - every crate under `functions/` is a function of the template, and nothing else is;
//! - the table's keys, index and TTL attribute are the ones the DynamoDB adapter creates;
//! - each function's policy names exactly the DynamoDB actions (through `roster_dynamo::iam`)
//!   and SES sending it was seen to need when every route, the reconcile function and the
//!   notifier were run in-process against watching adapters.
//!
//! `ROSTER_BLESS=1 ./scripts/test infra` rewrites the template from the code.

use std::collections::{BTreeMap, BTreeSet};

use roster_api::{Auth, routes};
use roster_domain::ports::table::schema;
use roster_dynamo::iam::Access;
use roster_tests::TestStore;
use serde_norway::{Mapping, Value};

use crate::observed;

const TEMPLATE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../infra/template.yaml");

/// What a function was seen to need.
#[derive(Debug, Default, Clone)]
struct Needs {
    accesses: BTreeSet<Access>,
    sends: bool,
    /// SNS mobile push actions.
    sns: BTreeSet<&'static str>,
}

/// What each function was seen to need, over every route it serves and the reconcile work.
async fn observe() -> BTreeMap<String, Needs> {
    let mut needs: BTreeMap<String, Needs> = BTreeMap::new();
    // Keyed: a client may send an Idempotency-Key to any POST, and the role must allow what
    // keeping it costs.
    let mut observations = observed::every_route(true).await;
    observations.push(observed::reconcile().await);
    observations.extend(observed::scim().await);
    observations.extend(observed::notifier().await);
    for seen in observations {
        let entry = needs.entry(seen.function.to_owned()).or_default();
        entry.accesses.extend(seen.accesses);
        entry.sends |= seen.requests.send_email > 0;
        entry.sns.extend(seen.sns_actions);
    }
    // The console serves files compiled into it and calls nothing: its role may only log.
    needs.entry(CONSOLE.to_owned()).or_default();
    needs
}

/// The console function (shared/lambda's `run_console`), and the paths API Gateway sends it.
const CONSOLE: &str = roster_lambda::CONSOLE_FUNCTION;
const CONSOLE_PATHS: [(&str, &str); 2] = [
    ("Console", "/console"),
    ("ConsolePages", "/console/{proxy+}"),
];

// ---- The template, built from the code. ----

fn v(s: &str) -> Value {
    Value::String(s.to_owned())
}

macro_rules! map {
    ($($k:expr => $v:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut m = Mapping::new();
        $( m.insert(Value::String($k.to_string()), Value::from($v)); )*
        Value::Mapping(m)
    }};
}

fn list(items: impl IntoIterator<Item = Value>) -> Value {
    Value::Sequence(items.into_iter().collect())
}

fn r#ref(name: &str) -> Value {
    map! { "Ref" => v(name) }
}

fn get_att(resource: &str, attribute: &str) -> Value {
    map! { "Fn::GetAtt" => list([v(resource), v(attribute)]) }
}

fn sub(text: &str) -> Value {
    map! { "Fn::Sub" => v(text) }
}

/// `create-user` → `CreateUser`.
fn pascal(name: &str) -> String {
    name.split(['-', '_'])
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// API Gateway takes whole-segment path parameters only: `{token}.ics` is routed as `{token}`
/// (the function still sees and checks the `.ics`).
fn gateway_path(path: &str) -> String {
    path.split('/')
        .map(|segment| match segment.split_once("}.") {
            Some((param, _)) if segment.starts_with('{') => format!("{param}}}"),
            _ => segment.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn skip(checks: &[(&str, &str)]) -> Value {
    map! { "checkov" => map! { "skip" => list(checks.iter().map(|(id, why)| map! { "id" => v(id), "comment" => v(why) })) } }
}

const FUNCTION_SKIPS: &[(&str, &str)] = &[
    (
        "CKV_AWS_116",
        "Invoked synchronously by API Gateway (or by the schedule, which retries and logs): a dead-letter queue would only hold requests nobody waits for.",
    ),
    (
        "CKV_AWS_117",
        "Reaches only DynamoDB and SES, public AWS endpoints over TLS; a VPC would add NAT cost and cold-start time and no isolation.",
    ),
    (
        "CKV_AWS_115",
        "Concurrency is bounded by the account's Lambda limit and API Gateway throttling; reserving it per function would starve the others.",
    ),
    (
        "CKV_AWS_173",
        "The environment holds only the table name, the sender address and the app URL: configuration, no secrets.",
    ),
];

/// What the SNS actions a function was seen to call may touch, only while push is set up:
/// making endpoints on the configured platform applications, and publishing to (and deleting)
/// those applications' endpoints.
fn push_statements(actions: &BTreeSet<&'static str>) -> Vec<Value> {
    let platforms = [
        ("HasIosPush", "PushIosApplicationArn"),
        ("HasAndroidPush", "PushAndroidApplicationArn"),
    ];
    let each = |resource: &dyn Fn(&str) -> Value| {
        list(platforms.iter().map(|(condition, arn)| {
            map! { "Fn::If" => list([v(condition), resource(arn), r#ref("AWS::NoValue")]) }
        }))
    };
    let endpoints = |arn: &str| {
        // arn:aws:sns:<region>:<account>:app/APNS/<name> has endpoints
        // arn:aws:sns:<region>:<account>:endpoint/APNS/<name>/<id>.
        map! { "Fn::Sub" => list([
            v("arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:endpoint/${Application}/*"),
            map! { "Application" => map! { "Fn::Select" => list([Value::from(1), map! { "Fn::Split" => list([v(":app/"), r#ref(arn)]) }]) } },
        ]) }
    };
    let statement = |actions: Vec<&str>, resources: Value| {
        map! { "Fn::If" => list([
            v("HasPush"),
            map! { "Effect" => v("Allow"), "Action" => list(actions.into_iter().map(v)), "Resource" => resources },
            r#ref("AWS::NoValue"),
        ]) }
    };
    let mut out = Vec::new();
    if actions.contains(roster_sns::CREATE_ENDPOINT_ACTION) {
        out.push(statement(
            vec![roster_sns::CREATE_ENDPOINT_ACTION],
            each(&|arn| r#ref(arn)),
        ));
    }
    let on_endpoints: Vec<&str> = [
        roster_sns::PUBLISH_ACTION,
        roster_sns::DELETE_ENDPOINT_ACTION,
    ]
    .into_iter()
    .filter(|a| actions.contains(a))
    .collect();
    if !on_endpoints.is_empty() {
        out.push(statement(on_endpoints, each(&endpoints)));
    }
    out
}

fn template(needs: &BTreeMap<String, Needs>) -> Value {
    let mut resources = Mapping::new();
    let mut put = |name: String, value: Value| {
        resources.insert(Value::String(name), value);
    };

    // The table, from the names the port and adapters use.
    let attribute = |name: &str| map! { "AttributeName" => v(name), "AttributeType" => v("S") };
    let key = |name: &str, kind: &str| map! { "AttributeName" => v(name), "KeyType" => v(kind) };
    put(
        "Table".into(),
        map! {
            "Type" => v("AWS::DynamoDB::Table"),
            "DeletionPolicy" => v("Retain"),
            "UpdateReplacePolicy" => v("Retain"),
            "Metadata" => skip(&[("CKV_AWS_119", "Encrypted at rest with the AWS-owned key; a customer-managed key adds cost and a key policy to run, and no reader of this table is outside the account.")]),
            "Properties" => map! {
                "BillingMode" => v("PAY_PER_REQUEST"),
                "DeletionProtectionEnabled" => Value::Bool(true),
                "PointInTimeRecoverySpecification" => map! { "PointInTimeRecoveryEnabled" => Value::Bool(true) },
                "AttributeDefinitions" => list([attribute(schema::PK), attribute(schema::SK), attribute(schema::INDEX_PK), attribute(schema::INDEX_SK)]),
                "KeySchema" => list([key(schema::PK, "HASH"), key(schema::SK, "RANGE")]),
                "GlobalSecondaryIndexes" => list([map! {
                    "IndexName" => v(schema::INDEX_NAME),
                    "KeySchema" => list([key(schema::INDEX_PK, "HASH"), key(schema::INDEX_SK, "RANGE")]),
                    "Projection" => map! { "ProjectionType" => v("ALL") },
                }]),
                "TimeToLiveSpecification" => map! { "AttributeName" => v(schema::TTL), "Enabled" => Value::Bool(true) },
            },
        },
    );

    // The HTTP API, with the JWT authorizer by default, and its access log.
    put(
        "ApiAccessLogs".into(),
        map! {
            "Type" => v("AWS::Logs::LogGroup"),
            "Metadata" => skip(&[("CKV_AWS_158", "Access logs hold request lines, no bodies or tokens; CloudWatch encrypts them at rest with its own key.")]),
            "Properties" => map! { "RetentionInDays" => r#ref("LogRetentionDays") },
        },
    );
    put(
        "HttpApi".into(),
        map! {
            "Type" => v("AWS::Serverless::HttpApi"),
            "Properties" => map! {
                "FailOnWarnings" => Value::Bool(true),
                "AccessLogSettings" => map! {
                    "DestinationArn" => get_att("ApiAccessLogs", "Arn"),
                    "Format" => v(r#"{"requestId":"$context.requestId","routeKey":"$context.routeKey","status":"$context.status","latency":"$context.responseLatency","sourceIp":"$context.identity.sourceIp"}"#),
                },
                "Auth" => map! {
                    "DefaultAuthorizer" => v("Jwt"),
                    "Authorizers" => map! {
                        "Jwt" => map! {
                            "IdentitySource" => v("$request.header.Authorization"),
                            "JwtConfiguration" => map! {
                                "issuer" => r#ref("JwtIssuer"),
                                "audience" => r#ref("JwtAudience"),
                            },
                        },
                    },
                },
            },
        },
    );

    let mut functions: Vec<String> = needs.keys().cloned().collect();
    functions.sort();
    for function in &functions {
        let need = &needs[function];
        let name = pascal(function);
        let log_group = format!("{name}Logs");
        let role = format!("{name}Role");
        put(
            log_group.clone(),
            map! {
                "Type" => v("AWS::Logs::LogGroup"),
                "Metadata" => skip(&[("CKV_AWS_158", "Function logs never carry tokens, passwords or bodies (a test asserts it); CloudWatch encrypts them at rest with its own key.")]),
                "Properties" => map! {
                    "LogGroupName" => sub(&format!("/aws/lambda/${{AWS::StackName}}-{function}")),
                    "RetentionInDays" => r#ref("LogRetentionDays"),
                },
            },
        );

        // Least privilege: exactly what the function was seen to call.
        let mut statements = vec![map! {
            "Effect" => v("Allow"),
            "Action" => list([v("logs:CreateLogStream"), v("logs:PutLogEvents")]),
            "Resource" => list([get_att(&log_group, "Arn")]),
        }];
        let table_actions: BTreeSet<&str> = need
            .accesses
            .iter()
            .filter(|a| !a.on_index())
            .map(|a| a.action())
            .collect();
        if !table_actions.is_empty() {
            statements.push(map! {
                "Effect" => v("Allow"),
                "Action" => list(table_actions.into_iter().map(v)),
                "Resource" => list([get_att("Table", "Arn")]),
            });
        }
        let index_actions: BTreeSet<&str> = need
            .accesses
            .iter()
            .filter(|a| a.on_index())
            .map(|a| a.action())
            .collect();
        if !index_actions.is_empty() {
            statements.push(map! {
                "Effect" => v("Allow"),
                "Action" => list(index_actions.into_iter().map(v)),
                "Resource" => list([sub(&format!("${{Table.Arn}}/index/{}", schema::INDEX_NAME))]),
            });
        }
        if need.sends {
            statements.push(map! {
                "Effect" => v("Allow"),
                "Action" => list([v(roster_ses::SEND_ACTION)]),
                "Resource" => list([sub("arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${MailIdentity}")]),
                "Condition" => map! { "StringEquals" => map! { "ses:FromAddress" => r#ref("MailFrom") } },
            });
        }
        statements.extend(push_statements(&need.sns));
        put(
            role.clone(),
            map! {
                "Type" => v("AWS::IAM::Role"),
                "Properties" => map! {
                    "AssumeRolePolicyDocument" => map! {
                        "Version" => v("2012-10-17"),
                        "Statement" => list([map! {
                            "Effect" => v("Allow"),
                            "Principal" => map! { "Service" => v("lambda.amazonaws.com") },
                            "Action" => v("sts:AssumeRole"),
                        }]),
                    },
                    "Policies" => list([map! {
                        "PolicyName" => v(function),
                        "PolicyDocument" => map! { "Version" => v("2012-10-17"), "Statement" => list(statements) },
                    }]),
                },
            },
        );

        let mut events = Mapping::new();
        for route in routes().iter().filter(|r| r.function == function) {
            let mut properties = match map! {
                "ApiId" => r#ref("HttpApi"),
                "Method" => v(route.method.as_str()),
                "Path" => v(&gateway_path(route.path)),
            } {
                Value::Mapping(m) => m,
                _ => unreachable!(),
            };
            // Public and SCIM routes carry their own secret: no JWT authorizer.
            if route.auth != Auth::Jwt {
                properties.insert(v("Auth"), map! { "Authorizer" => v("NONE") });
            }
            events.insert(
                v(&pascal(route.operation)),
                map! { "Type" => v("HttpApi"), "Properties" => Value::Mapping(properties) },
            );
        }
        let console = function == CONSOLE;
        if console {
            // Static files: no JWT, like the sign-in page of any web app.
            for (event, path) in CONSOLE_PATHS {
                events.insert(
                    v(event),
                    map! { "Type" => v("HttpApi"), "Properties" => map! {
                        "ApiId" => r#ref("HttpApi"), "Method" => v("GET"), "Path" => v(path),
                        "Auth" => map! { "Authorizer" => v("NONE") },
                    } },
                );
            }
        }
        let reconcile = function == "reconcile";
        if reconcile {
            events.insert(
                v("DriftCheck"),
                map! {
                    "Type" => v("Schedule"),
                    "Properties" => map! {
                        "Schedule" => r#ref("DriftCheckRate"),
                        "Input" => v(r#"{"mode":"check"}"#),
                    },
                },
            );
        }
        let notifier = function == "notifier";
        if notifier {
            // The run's late limit assumes this rate: it is the domain's, not a parameter.
            let every = roster_domain::oncall::reminders::RUN_EVERY.as_mins();
            events.insert(
                v("Reminders"),
                map! {
                    "Type" => v("Schedule"),
                    "Properties" => map! { "Schedule" => v(&format!("rate({every} minutes)")) },
                },
            );
        }
        let mut properties = match map! {
            "CodeUri" => v(".."),
            "Role" => get_att(&role, "Arn"),
            "LoggingConfig" => map! { "LogGroup" => r#ref(&log_group), "LogFormat" => v("JSON") },
            "Events" => Value::Mapping(events),
        } {
            Value::Mapping(m) => m,
            _ => unreachable!(),
        };
        if reconcile {
            properties.insert(v("Timeout"), Value::from(300));
        }
        if notifier {
            // A run must end well before the next one starts.
            properties.insert(v("Timeout"), Value::from(120));
        }
        if console {
            // The OIDC client of the console: the issuer is the one the JWT authorizer trusts.
            properties.insert(
                v("Environment"),
                map! { "Variables" => map! {
                    "ROSTER_OIDC_ISSUER" => r#ref("JwtIssuer"),
                    "ROSTER_OIDC_CLIENT_ID" => r#ref("ConsoleClientId"),
                    "ROSTER_OIDC_AUTHORIZATION_ENDPOINT" => r#ref("ConsoleAuthorizationEndpoint"),
                    "ROSTER_OIDC_TOKEN_ENDPOINT" => r#ref("ConsoleTokenEndpoint"),
                    "ROSTER_OIDC_SCOPE" => r#ref("ConsoleScope"),
                    "ROSTER_OIDC_TOKEN" => r#ref("ConsoleToken"),
                } },
            );
        }
        put(
            format!("{name}Function"),
            map! {
                "Type" => v("AWS::Serverless::Function"),
                "Metadata" => map! {
                    "BuildMethod" => v("rust-cargolambda"),
                    "BuildProperties" => map! { "Binary" => v(function) },
                    "checkov" => map! { "skip" => list(FUNCTION_SKIPS.iter().map(|(id, why)| map! { "id" => v(id), "comment" => v(why) })) },
                },
                "Properties" => Value::Mapping(properties),
            },
        );
        put(
            format!("{name}Errors"),
            map! {
                "Type" => v("AWS::CloudWatch::Alarm"),
                "Properties" => map! {
                    "AlarmDescription" => v(&format!("{function} failed at least once in five minutes")),
                    "Namespace" => v("AWS/Lambda"),
                    "MetricName" => v("Errors"),
                    "Dimensions" => list([map! { "Name" => v("FunctionName"), "Value" => r#ref(&format!("{name}Function")) }]),
                    "Statistic" => v("Sum"),
                    "Period" => Value::from(300),
                    "EvaluationPeriods" => Value::from(1),
                    "Threshold" => Value::from(1),
                    "ComparisonOperator" => v("GreaterThanOrEqualToThreshold"),
                    "TreatMissingData" => v("notBreaching"),
                    "AlarmActions" => map! { "Fn::If" => list([v("HasAlarmTopic"), list([r#ref("AlarmTopicArn")]), r#ref("AWS::NoValue")]) },
                },
            },
        );
    }
    put(
        "DriftAlarm".into(),
        map! {
            "Type" => v("AWS::CloudWatch::Alarm"),
            "Properties" => map! {
                "AlarmDescription" => v("The live accounts differ from the deployed roster file (the reconcile drift check)"),
                "Namespace" => v("Roster"),
                "MetricName" => v("Drift"),
                "Statistic" => v("Maximum"),
                "Period" => Value::from(3600),
                "EvaluationPeriods" => Value::from(1),
                "Threshold" => Value::from(1),
                "ComparisonOperator" => v("GreaterThanOrEqualToThreshold"),
                "TreatMissingData" => v("notBreaching"),
                "AlarmActions" => map! { "Fn::If" => list([v("HasAlarmTopic"), list([r#ref("AlarmTopicArn")]), r#ref("AWS::NoValue")]) },
            },
        },
    );

    map! {
        "AWSTemplateFormatVersion" => v("2010-09-09"),
        "Transform" => v("AWS::Serverless-2016-10-31"),
        "Description" => v("Roster: serverless user management for an on-call alerting account. Generated from the code by tests/blackbox/infra.rs; do not edit by hand (ROSTER_BLESS=1 ./scripts/test infra)."),
        "Parameters" => map! {
            "JwtIssuer" => map! { "Type" => v("String"), "Description" => v("The issuer (iss) of the identity provider's JWTs, e.g. https://cognito-idp.us-east-1.amazonaws.com/<pool id>.") },
            "JwtAudience" => map! { "Type" => v("CommaDelimitedList"), "Description" => v("The audiences (aud, or client ids) the API accepts.") },
            "MailFrom" => map! { "Type" => v("String"), "Description" => v("The sender address of Roster's emails.") },
            "MailIdentity" => map! { "Type" => v("String"), "Description" => v("The verified SES identity MailFrom belongs to: the address itself or its domain.") },
            "AppUrl" => map! { "Type" => v("String"), "Description" => v("The web app's base URL; password links point at <AppUrl>/reset-password.") },
            "DriftCheckRate" => map! { "Type" => v("String"), "Default" => v("rate(1 hour)"), "Description" => v("How often the reconcile function checks the accounts against the roster file.") },
            "LogRetentionDays" => map! { "Type" => v("Number"), "Default" => Value::from(90), "Description" => v("How many days the functions' and the API's logs are kept."), "AllowedValues" => list([30, 60, 90, 180, 365, 731].into_iter().map(Value::from)) },
            "AlarmTopicArn" => map! { "Type" => v("String"), "Default" => v(""), "Description" => v("An SNS topic for the alarms; empty for none.") },
            "PushIosApplicationArn" => map! { "Type" => v("String"), "Default" => v(""), "Description" => v("The SNS platform application (APNs) iOS devices register with; empty: no push to iOS.") },
            "PushAndroidApplicationArn" => map! { "Type" => v("String"), "Default" => v(""), "Description" => v("The SNS platform application (FCM) Android devices register with; empty: no push to Android.") },
            "ConsoleClientId" => map! { "Type" => v("String"), "Description" => v("The admin console's OIDC client id at the identity provider (a public client: authorization code with PKCE, redirect URI <ApiUrl>/console/callback).") },
            "ConsoleAuthorizationEndpoint" => map! { "Type" => v("String"), "Description" => v("The identity provider's OIDC authorization endpoint (https://…/authorize).") },
            "ConsoleTokenEndpoint" => map! { "Type" => v("String"), "Description" => v("The identity provider's OIDC token endpoint (https://…/token); it must allow the console's origin (CORS).") },
            "ConsoleScope" => map! { "Type" => v("String"), "Default" => v("openid"), "Description" => v("The scopes the console asks for.") },
            "ConsoleToken" => map! { "Type" => v("String"), "Default" => v("access_token"), "AllowedValues" => list([v("access_token"), v("id_token")]), "Description" => v("Which token of the identity provider the console calls the API with: the one the JWT authorizer accepts and that carries account_id.") },
        },
        "Conditions" => map! {
            "HasAlarmTopic" => map! { "Fn::Not" => list([map! { "Fn::Equals" => list([r#ref("AlarmTopicArn"), v("")]) }]) },
            "HasIosPush" => map! { "Fn::Not" => list([map! { "Fn::Equals" => list([r#ref("PushIosApplicationArn"), v("")]) }]) },
            "HasAndroidPush" => map! { "Fn::Not" => list([map! { "Fn::Equals" => list([r#ref("PushAndroidApplicationArn"), v("")]) }]) },
            "HasPush" => map! { "Fn::Or" => list([map! { "Condition" => v("HasIosPush") }, map! { "Condition" => v("HasAndroidPush") }]) },
        },
        "Globals" => map! {
            "Function" => map! {
                "Runtime" => v("provided.al2023"),
                "Architectures" => list([v("arm64")]),
                "Handler" => v("bootstrap"),
                "MemorySize" => Value::from(128),
                "Timeout" => Value::from(10),
                "Environment" => map! {
                    "Variables" => map! {
                        "ROSTER_TABLE" => r#ref("Table"),
                        "ROSTER_MAIL_FROM" => r#ref("MailFrom"),
                        "ROSTER_APP_URL" => r#ref("AppUrl"),
                        "ROSTER_PUSH_IOS_APP" => r#ref("PushIosApplicationArn"),
                        "ROSTER_PUSH_ANDROID_APP" => r#ref("PushAndroidApplicationArn"),
                    },
                },
            },
        },
        "Resources" => Value::Mapping(resources),
        "Outputs" => map! {
            "ApiUrl" => map! { "Description" => v("The HTTP API's base URL."), "Value" => sub("https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}") },
            "ConsoleUrl" => map! { "Description" => v("The admin console."), "Value" => sub("https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/console/") },
            "TableName" => map! { "Description" => v("The table, for `roster --store dynamodb://<name>`."), "Value" => r#ref("Table") },
            "ReconcileFunctionName" => map! { "Description" => v("The reconcile function, for `aws lambda invoke` with {\"mode\": \"apply\"}."), "Value" => r#ref("ReconcileFunction") },
        },
    }
}

fn render(template: &Value) -> String {
    format!(
        "# Generated from the code by tests/blackbox/infra.rs: ROSTER_BLESS=1 ./scripts/test infra\n{}",
        serde_norway::to_string(template).unwrap()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_template_is_the_one_the_code_makes() {
    let needs = observe().await;
    let expected = render(&template(&needs));
    if std::env::var_os("ROSTER_BLESS").is_some() {
        std::fs::write(TEMPLATE, &expected).unwrap();
    }
    let committed = std::fs::read_to_string(TEMPLATE).unwrap();
    assert!(
        committed == expected,
        "infra/template.yaml is not what the code makes; ROSTER_BLESS=1 ./scripts/test infra rewrites it"
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
            &"/calendars/{token}",
            &"/console",
            &"/console/{proxy+}",
            &"/password-resets"
        ],
        "the only routes without the JWT authorizer, besides SCIM's"
    );
    assert_eq!(
        scim,
        routes().iter().filter(|r| r.auth == Auth::Scim).count(),
        "every SCIM route, and only those, under /scim/v2/ without the JWT authorizer"
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
