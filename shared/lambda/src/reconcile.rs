//! The reconcile function: the roster file deployed inside the function's package, applied to
//! the live accounts (`{"mode": "apply"}`) or checked against them (`{"mode": "check"}`, and any
//! scheduled EventBridge event). It logs the plan as one structured JSON line, publishes each
//! account's drift as a CloudWatch Embedded Metric Format line. (Emails whose send failed are
//! sent again by the notifier function, every five minutes.) A roster file that does not load
//! fails the invocation — never "no drift".

use std::path::PathBuf;

use lambda_runtime::{Error, LambdaEvent, service_fn};
use roster_domain::reconcile::{ApplyOptions, DesiredRoster, Plan};
use roster_domain::usecases::Roster;
use serde_json::{Value, json};

/// The roster file built into the reconcile binary (see functions/reconcile/build.rs); an empty
/// `name` means none was.
#[derive(Debug, Clone, Copy)]
pub struct DeployedRoster {
    pub name: &'static str,
    pub text: &'static str,
}

/// Where this invocation reads the roster from.
#[derive(Debug, PartialEq, Eq)]
enum RosterSource {
    /// `ROSTER_FILE` at run time: local runs and tests.
    File(PathBuf),
    Embedded(&'static str, &'static str),
}

/// `ROSTER_FILE` if set, else the embedded roster; neither is a deployment mistake that must not
/// read as "no drift".
fn roster_source(file: Option<String>, deployed: DeployedRoster) -> Result<RosterSource, Error> {
    match file.filter(|f| !f.is_empty()) {
        Some(file) => Ok(RosterSource::File(PathBuf::from(file))),
        None if !deployed.name.is_empty() => {
            Ok(RosterSource::Embedded(deployed.name, deployed.text))
        }
        None => Err(
            "this reconcile package was built without a roster file (set \
                     ROSTER_DEPLOY_FILE when building it) and ROSTER_FILE is not set"
                .into(),
        ),
    }
}

fn load(source: &RosterSource) -> Result<DesiredRoster, Error> {
    let (name, loaded) = match source {
        RosterSource::File(path) => (path.display().to_string(), roster_config::load_file(path)),
        RosterSource::Embedded(name, text) => (name.to_string(), roster_config::load(name, text)),
    };
    loaded.map_err(|problems| {
        for problem in &problems {
            tracing::error!(problem = %problem, "the deployed roster file is invalid");
        }
        format!(
            "the deployed roster file {name} has {} problem(s); nothing was checked or applied",
            problems.len()
        )
        .into()
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Check,
    /// `allow_removals` lifts the removal breaker for this run (the CLI's `--allow-removals`).
    Apply {
        allow_removals: bool,
    },
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Check => "check",
            Mode::Apply { .. } => "apply",
        }
    }
}

/// `{"mode": "check" | "apply", "allow_removals": bool}`; an event without `mode` (a schedule's)
/// checks. A malformed request fails rather than quietly doing something else.
fn mode(event: &Value) -> Result<Mode, Error> {
    let allow_removals = match event.get("allow_removals") {
        None => false,
        Some(Value::Bool(allow)) => *allow,
        Some(other) => {
            return Err(format!("allow_removals must be true or false, not {other}").into());
        }
    };
    let mode = match event.get("mode") {
        None => Mode::Check,
        Some(Value::String(mode)) if mode == "check" => Mode::Check,
        Some(Value::String(mode)) if mode == "apply" => Mode::Apply { allow_removals },
        Some(other) => {
            return Err(format!("mode must be \"check\" or \"apply\", not {other}").into());
        }
    };
    if allow_removals && mode == Mode::Check {
        return Err("allow_removals applies only to {\"mode\": \"apply\"}".into());
    }
    Ok(mode)
}

pub async fn run_reconcile(deployed: DeployedRoster) -> Result<(), Error> {
    crate::logging::init_logging();
    let source = roster_source(std::env::var("ROSTER_FILE").ok(), deployed)?;
    let roster = crate::function::roster_from_env().await?;
    let namespace = std::env::var("ROSTER_METRICS_NAMESPACE").unwrap_or_else(|_| "Roster".into());
    let (roster, namespace, source) = (&roster, &namespace, &source);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        handle(roster, namespace, source, event.payload).await
    }))
    .await
}

async fn handle(
    roster: &Roster,
    namespace: &str,
    source: &RosterSource,
    event: Value,
) -> Result<Value, Error> {
    let mode = mode(&event)?;
    let desired = load(source)?;
    let plan = roster.plan(&desired).await?;
    log_plan(mode, &plan);
    let now_ms = jiff::Timestamp::now().as_millisecond();
    for account in &plan.accounts {
        println!(
            "{}",
            emf_line(namespace, account.account.as_str(), account.drift(), now_ms)
        );
    }
    let mut summary: Vec<Value> = plan
        .accounts
        .iter()
        .map(|a| json!({"account": a.account, "drift": a.drift()}))
        .collect();
    if let Mode::Apply { allow_removals } = mode {
        let options = ApplyOptions {
            allow_removals,
            ..ApplyOptions::default()
        };
        let report = roster.apply(&desired, &plan, &options).await?;
        for (entry, account) in summary.iter_mut().zip(&report.accounts) {
            entry["applied"] = json!(account.applied);
            entry["failures"] = json!(account.failures.len());
        }
        println!(
            "{}",
            json!({"level": "INFO", "message": "reconcile applied", "report": report})
        );
        if report.failures() > 0 {
            return Err(format!("{} change(s) failed; see the report", report.failures()).into());
        }
    }
    Ok(json!({"mode": mode.name(), "accounts": summary}))
}

/// The plan as one JSON log line (the whole plan, so a drift can be read from the logs alone).
fn log_plan(mode: Mode, plan: &Plan) {
    println!(
        "{}",
        json!({"level": "INFO", "message": "reconcile plan", "mode": mode.name(), "plan": plan})
    );
}

/// One CloudWatch Embedded Metric Format record: the account's drift count. EMF is one JSON
/// object per line on stdout; CloudWatch Logs turns it into the metric `Drift` twice: per
/// `Account`, for dashboards, and without dimensions, which the template's one `DriftAlarm`
/// watches (an alarm on a dimensioned metric would need one alarm per account).
/// (A metrics crate would bring a facade and a recorder for this one line.)
fn emf_line(namespace: &str, account: &str, drift: usize, timestamp_ms: i64) -> String {
    json!({
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": namespace,
                "Dimensions": [["Account"], []],
                "Metrics": [{"Name": "Drift", "Unit": "Count"}],
            }],
        },
        "Account": account,
        "Drift": drift,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_come_from_the_event_and_default_to_check() {
        let apply = |allow_removals| Mode::Apply { allow_removals };
        assert_eq!(mode(&json!({"mode": "apply"})).unwrap(), apply(false));
        assert_eq!(
            mode(&json!({"mode": "apply", "allow_removals": true})).unwrap(),
            apply(true)
        );
        assert_eq!(mode(&json!({"mode": "check"})).unwrap(), Mode::Check);
        let scheduled =
            json!({"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}});
        assert_eq!(mode(&scheduled).unwrap(), Mode::Check);
    }

    #[test]
    fn malformed_requests_fail_instead_of_checking() {
        for event in [
            json!({"mode": "delete-everything"}),
            json!({"mode": 1}),
            json!({"mode": "apply", "allow_removals": "yes"}),
            json!({"mode": "check", "allow_removals": true}),
            json!({"allow_removals": true}),
        ] {
            assert!(mode(&event).is_err(), "{event}");
        }
    }

    const NONE: DeployedRoster = DeployedRoster { name: "", text: "" };
    const BUILT_IN: DeployedRoster = DeployedRoster {
        name: "accounts.yaml",
        text: "accounts: []\n",
    };

    #[test]
    fn the_roster_comes_from_roster_file_then_the_package_and_never_from_nowhere() {
        assert_eq!(
            roster_source(Some("/tmp/r.yaml".into()), BUILT_IN).unwrap(),
            RosterSource::File("/tmp/r.yaml".into())
        );
        assert_eq!(
            roster_source(None, BUILT_IN).unwrap(),
            RosterSource::Embedded("accounts.yaml", "accounts: []\n")
        );
        assert_eq!(
            roster_source(Some(String::new()), BUILT_IN).unwrap(),
            RosterSource::Embedded("accounts.yaml", "accounts: []\n")
        );
        let missing = roster_source(None, NONE).unwrap_err().to_string();
        assert!(missing.contains("ROSTER_DEPLOY_FILE"), "{missing}");
    }

    #[test]
    fn an_invalid_embedded_roster_fails_naming_it() {
        let broken = RosterSource::Embedded("accounts.yaml", "accounts: [{id: 7}]\n");
        let error = load(&broken).unwrap_err().to_string();
        assert!(error.contains("accounts.yaml"), "{error}");
        assert!(error.contains("nothing was checked or applied"), "{error}");
    }

    #[test]
    fn emf_records_name_the_metric_per_account_and_undimensioned() {
        let line: Value = serde_json::from_str(&emf_line("Roster", "acme", 3, 1_000)).unwrap();
        assert_eq!(line["Drift"], json!(3));
        assert_eq!(line["Account"], json!("acme"));
        let metric = &line["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(metric["Namespace"], json!("Roster"));
        assert_eq!(metric["Dimensions"], json!([["Account"], []]));
        assert_eq!(metric["Metrics"][0]["Name"], json!("Drift"));
    }
}
