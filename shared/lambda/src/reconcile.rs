//! The reconcile function: the roster file deployed inside the function's package, applied to
//! the live accounts (`{"mode": "apply"}`) or checked against them (`{"mode": "check"}`, and any
//! scheduled EventBridge event). It logs the plan as one structured JSON line, publishes each
//! account's drift as a CloudWatch Embedded Metric Format line, and sends invitations whose
//! earlier send failed. A roster file that does not load fails the invocation — never "no drift".

use std::path::PathBuf;

use lambda_http::Error;
use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};
use roster_domain::reconcile::{ApplyOptions, Plan};
use roster_domain::usecases::Roster;
use serde_json::{Value, json};

/// Where the deployed roster file is: `ROSTER_FILE`, else `accounts.yaml` beside the function
/// (`$LAMBDA_TASK_ROOT`, where the package is unpacked).
fn roster_file() -> PathBuf {
    if let Ok(path) = std::env::var("ROSTER_FILE") {
        return PathBuf::from(path);
    }
    let root = std::env::var("LAMBDA_TASK_ROOT").unwrap_or_else(|_| ".".into());
    PathBuf::from(root).join("accounts.yaml")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Check,
    Apply,
}

/// `{"mode": "check" | "apply"}`; any other event (a schedule's) checks.
fn mode(event: &Value) -> Result<Mode, Error> {
    match event.get("mode").and_then(Value::as_str) {
        None => Ok(Mode::Check),
        Some("check") => Ok(Mode::Check),
        Some("apply") => Ok(Mode::Apply),
        Some(other) => Err(format!("mode must be \"check\" or \"apply\", not {other:?}").into()),
    }
}

pub async fn run_reconcile() -> Result<(), Error> {
    crate::init_logging();
    let roster = crate::roster_from_env().await?;
    let namespace = std::env::var("ROSTER_METRICS_NAMESPACE").unwrap_or_else(|_| "Roster".into());
    let roster = &roster;
    let namespace = &namespace;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        handle(roster, namespace, event.payload).await
    }))
    .await
}

async fn handle(roster: &Roster, namespace: &str, event: Value) -> Result<Value, Error> {
    let mode = mode(&event)?;
    let file = roster_file();
    let desired = match roster_config::load_file(&file) {
        Ok(desired) => desired,
        Err(problems) => {
            for problem in &problems {
                tracing::error!(problem = %problem, "the deployed roster file is invalid");
            }
            return Err(format!(
                "the deployed roster file {} has {} problem(s); nothing was checked or applied",
                file.display(),
                problems.len()
            )
            .into());
        }
    };
    let plan = roster.plan(&desired).await?;
    log_plan(mode, &plan);
    let now_ms = jiff::Timestamp::now().as_millisecond();
    for account in &plan.accounts {
        println!(
            "{}",
            emf_line(namespace, &account.account, account.drift(), now_ms)
        );
    }
    let mut summary: Vec<Value> = plan
        .accounts
        .iter()
        .map(|a| json!({"account": a.account, "drift": a.drift()}))
        .collect();
    if mode == Mode::Apply {
        let report = roster
            .apply(&desired, &plan, &ApplyOptions::default())
            .await?;
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
    let mail = roster.retry_pending_mail().await?;
    tracing::info!(
        sent = mail.sent,
        failed = mail.failed,
        cancelled = mail.cancelled,
        "mail retry"
    );
    Ok(json!({"mode": if mode == Mode::Apply { "apply" } else { "check" }, "accounts": summary}))
}

/// The plan as one JSON log line (the whole plan, so a drift can be read from the logs alone).
fn log_plan(mode: Mode, plan: &Plan) {
    let mode = if mode == Mode::Apply {
        "apply"
    } else {
        "check"
    };
    println!(
        "{}",
        json!({"level": "INFO", "message": "reconcile plan", "mode": mode, "plan": plan})
    );
}

/// One CloudWatch Embedded Metric Format record: the account's drift count. EMF is one JSON
/// object per line on stdout; CloudWatch Logs turns it into the metric `Drift` with dimension
/// `Account`. (A metrics crate would bring a facade and a recorder for this one line.)
fn emf_line(namespace: &str, account: &str, drift: usize, timestamp_ms: i64) -> String {
    json!({
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": namespace,
                "Dimensions": [["Account"]],
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
        assert_eq!(mode(&json!({"mode": "apply"})).unwrap(), Mode::Apply);
        assert_eq!(mode(&json!({"mode": "check"})).unwrap(), Mode::Check);
        let scheduled =
            json!({"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}});
        assert_eq!(mode(&scheduled).unwrap(), Mode::Check);
        assert!(mode(&json!({"mode": "delete-everything"})).is_err());
    }

    #[test]
    fn emf_records_name_the_metric_and_its_dimension() {
        let line: Value = serde_json::from_str(&emf_line("Roster", "acme", 3, 1_000)).unwrap();
        assert_eq!(line["Drift"], json!(3));
        assert_eq!(line["Account"], json!("acme"));
        let metric = &line["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(metric["Namespace"], json!("Roster"));
        assert_eq!(metric["Dimensions"], json!([["Account"]]));
        assert_eq!(metric["Metrics"][0]["Name"], json!("Drift"));
    }
}
