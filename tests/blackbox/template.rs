//! `infra/template.yaml` (AWS SAM), built from the code: the route table, the functions, the
//! table's schema, and what each function was seen to call when every route, the reconcile
//! function and the notifier ran in-process against watching adapters. `cargo xtask generate`
//! (tests/blackbox/xtask.rs) writes it; `infra.rs` only compares.

use std::collections::{BTreeMap, BTreeSet};

use roster_api::{Auth, routes};
use roster_domain::ports::table::schema;
use roster_dynamo::iam::Access;
use serde_norway::{Mapping, Value};

use crate::observed;

pub(crate) const TEMPLATE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../infra/template.yaml");

/// What a function was seen to need.
#[derive(Debug, Default, Clone)]
pub(crate) struct Needs {
    pub accesses: BTreeSet<Access>,
    pub sends: bool,
    /// SNS mobile push actions.
    pub sns: BTreeSet<&'static str>,
    /// KMS actions on the signing key.
    pub kms: BTreeSet<&'static str>,
}

/// What each function was seen to need, over every route it serves and the reconcile work.
pub(crate) async fn observe() -> BTreeMap<String, Needs> {
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
        entry.kms.extend(seen.kms_actions);
    }
    // The console serves files compiled into it and calls nothing: its role may only log.
    needs.entry(CONSOLE.to_owned()).or_default();
    // The authorizer reads the signing key's public half, once per process, and nothing else
    // (shared/lambda's authorizer.rs).
    needs
        .entry(AUTHORIZER.to_owned())
        .or_default()
        .kms
        .insert(roster_kms::GET_PUBLIC_KEY_ACTION);
    needs
}

/// The Lambda authorizer every route with a caller goes through.
pub(crate) const AUTHORIZER: &str = roster_lambda::AUTHORIZER_FUNCTION;

/// The console function (shared/lambda's `run_console`), and the paths API Gateway sends it.
pub(crate) const CONSOLE: &str = roster_lambda::CONSOLE_FUNCTION;
pub(crate) const CONSOLE_PATHS: [(&str, &str); 2] = [
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
pub(crate) fn pascal(name: &str) -> String {
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
pub(crate) fn gateway_path(path: &str) -> String {
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
        "The environment holds only the table name, the sender address, the app URL and the signing key's id: configuration, no secrets.",
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
                // Roster's own session tokens, verified by the authorizer function (its answer
                // kept five minutes per token; the API still refuses a deactivated or deleted
                // caller at once).
                "Auth" => map! {
                    "DefaultAuthorizer" => v("Session"),
                    "Authorizers" => map! {
                        "Session" => map! {
                            "FunctionArn" => get_att(&format!("{}Function", pascal(AUTHORIZER)), "Arn"),
                            "AuthorizerPayloadFormatVersion" => v("2.0"),
                            "EnableSimpleResponses" => Value::Bool(true),
                            "Identity" => map! {
                                "Headers" => list([v("Authorization")]),
                                "ReauthorizeEvery" => Value::from(300),
                            },
                        },
                    },
                },
            },
        },
    );

    // The key session tokens are signed with: it never leaves KMS (docs/deploy.md).
    put(
        "SigningKey".into(),
        map! {
            "Type" => v("AWS::KMS::Key"),
            "DeletionPolicy" => v("Retain"),
            "UpdateReplacePolicy" => v("Retain"),
            "Metadata" => skip(&[("CKV_AWS_7", "KMS rotates symmetric keys only; this asymmetric signing key is replaced by a new key and a kid change, which docs/deploy.md describes.")]),
            "Properties" => map! {
                "Description" => sub("Roster ${AWS::StackName}: signs session tokens (ES256)"),
                "KeySpec" => v("ECC_NIST_P256"),
                "KeyUsage" => v("SIGN_VERIFY"),
                "KeyPolicy" => map! {
                    "Version" => v("2012-10-17"),
                    "Statement" => list([map! {
                        "Sid" => v("The account administers the key; the functions' roles grant its use"),
                        "Effect" => v("Allow"),
                        "Principal" => map! { "AWS" => sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root") },
                        "Action" => v("kms:*"),
                        "Resource" => v("*"),
                    }]),
                },
            },
        },
    );
    put(
        "AuthorizerInvokePermission".into(),
        map! {
            "Type" => v("AWS::Lambda::Permission"),
            "Properties" => map! {
                "Action" => v("lambda:InvokeFunction"),
                "FunctionName" => r#ref(&format!("{}Function", pascal(AUTHORIZER))),
                "Principal" => v("apigateway.amazonaws.com"),
                "SourceArn" => sub("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/authorizers/*"),
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
        if !need.kms.is_empty() {
            statements.push(map! {
                "Effect" => v("Allow"),
                "Action" => list(need.kms.iter().map(|a| v(a))),
                "Resource" => list([get_att("SigningKey", "Arn")]),
            });
        }
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
        if need.kms.contains(roster_kms::SIGN_ACTION) {
            // The one function that signs: the key, and the identity provider whose tokens it
            // trades for sessions (single sign-on; empty: none).
            properties.insert(
                v("Environment"),
                map! { "Variables" => map! {
                    "ROSTER_SIGNING_KEY_ID" => r#ref("SigningKey"),
                    "ROSTER_OIDC_ISSUER" => r#ref("ConsoleIssuer"),
                    "ROSTER_OIDC_CLIENT_ID" => r#ref("ConsoleClientId"),
                } },
            );
        } else if !need.kms.is_empty() {
            properties.insert(
                v("Environment"),
                map! { "Variables" => map! { "ROSTER_SIGNING_KEY_ID" => r#ref("SigningKey") } },
            );
        }
        if console {
            // The console's sign-in with the identity provider, where one is set up.
            properties.insert(
                v("Environment"),
                map! { "Variables" => map! {
                    "ROSTER_OIDC_ISSUER" => r#ref("ConsoleIssuer"),
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
        "Description" => v("Roster: serverless user management for an on-call alerting account. Generated from the code by `cargo xtask generate` (tests/blackbox/template.rs); do not edit by hand."),
        "Parameters" => map! {
            "MailFrom" => map! { "Type" => v("String"), "Description" => v("The sender address of Roster's emails.") },
            "MailIdentity" => map! { "Type" => v("String"), "Description" => v("The verified SES identity MailFrom belongs to: the address itself or its domain.") },
            "AppUrl" => map! { "Type" => v("String"), "Description" => v("Where the console is served (the ApiUrl output, or a custom domain in front of it): password links point at <AppUrl>/console/reset-password, and it is the issuer of session tokens.") },
            "DriftCheckRate" => map! { "Type" => v("String"), "Default" => v("rate(1 hour)"), "Description" => v("How often the reconcile function checks the accounts against the roster file.") },
            "LogRetentionDays" => map! { "Type" => v("Number"), "Default" => Value::from(90), "Description" => v("How many days the functions' and the API's logs are kept."), "AllowedValues" => list([30, 60, 90, 180, 365, 731].into_iter().map(Value::from)) },
            "AlarmTopicArn" => map! { "Type" => v("String"), "Default" => v(""), "Description" => v("An SNS topic for the alarms; empty for none.") },
            "PushIosApplicationArn" => map! { "Type" => v("String"), "Default" => v(""), "Description" => v("The SNS platform application (APNs) iOS devices register with; empty: no push to iOS.") },
            "PushAndroidApplicationArn" => map! { "Type" => v("String"), "Default" => v(""), "Description" => v("The SNS platform application (FCM) Android devices register with; empty: no push to Android.") },
            "ConsoleIssuer" => map! { "Type" => v("String"), "Default" => v(""), "Description" => v("Single sign-on: the issuer (iss) of the identity provider the console signs in with, e.g. https://cognito-idp.us-east-1.amazonaws.com/<pool id>; empty: passwords only.") },
            "ConsoleClientId" => map! { "Type" => v("String"), "Default" => v(""), "Description" => v("Single sign-on: the console's OIDC client id at the identity provider (a public client: authorization code with PKCE, redirect URI <ApiUrl>/console/callback).") },
            "ConsoleAuthorizationEndpoint" => map! { "Type" => v("String"), "Default" => v(""), "Description" => v("Single sign-on: the identity provider's OIDC authorization endpoint (https://…/authorize).") },
            "ConsoleTokenEndpoint" => map! { "Type" => v("String"), "Default" => v(""), "Description" => v("Single sign-on: the identity provider's OIDC token endpoint (https://…/token); it must allow the console's origin (CORS).") },
            "ConsoleScope" => map! { "Type" => v("String"), "Default" => v("openid"), "Description" => v("The scopes the console asks for.") },
            "ConsoleToken" => map! { "Type" => v("String"), "Default" => v("access_token"), "AllowedValues" => list([v("access_token"), v("id_token")]), "Description" => v("Which of the identity provider's tokens the console trades for a Roster session (POST /sessions/oidc): the one whose audience is ConsoleClientId and that carries sub and account_id.") },
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
        "# Generated from the code by `cargo xtask generate` (tests/blackbox/template.rs)\n{}",
        serde_norway::to_string(template).unwrap()
    )
}

/// The template the code makes, as the file holds it.
pub(crate) async fn generated() -> String {
    render(&template(&observe().await))
}
