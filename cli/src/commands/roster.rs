//! Roster as code: `validate`, `plan`, `apply`, `dump` (SPEC.md §7).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, ValueEnum};
use roster_domain::reconcile::{ApplyOptions, DesiredRoster, Plan};
use roster_domain::values::AccountId;

use crate::context::Context;
use crate::report::CliError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// For people: `+ ~ - !` markers.
    Text,
    /// For tools.
    Json,
    /// For a pull-request comment.
    Markdown,
}

#[derive(Debug, Args)]
pub struct Validate {
    /// The roster file.
    file: PathBuf,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The roster file.
    file: PathBuf,
    /// Only these accounts (repeatable).
    #[arg(long)]
    account: Vec<String>,
    #[arg(long, value_enum, default_value = "text")]
    output: Output,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The roster file.
    file: PathBuf,
    /// Only these accounts (repeatable).
    #[arg(long)]
    account: Vec<String>,
    /// Apply even where the removal breaker (max_removal_ratio) refuses.
    #[arg(long)]
    allow_removals: bool,
    /// How many users are worked on at once.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    #[arg(long, value_enum, default_value = "text")]
    output: Output,
}

#[derive(Debug, Args)]
pub struct Dump {
    /// Where to write; standard output when absent or `-`.
    file: Option<PathBuf>,
    /// The accounts to dump (repeatable, at least one).
    #[arg(long, required = true)]
    account: Vec<String>,
}

/// The file's desired state, or every problem printed (exit 1).
fn load(file: &Path, only: &[String]) -> Result<DesiredRoster, CliError> {
    let mut desired = roster_config::load_file(file).map_err(|problems| {
        for problem in &problems {
            eprintln!("{problem}");
        }
        CliError::Invalid(problems.len())
    })?;
    if !only.is_empty() {
        let unknown: Vec<&String> = only
            .iter()
            .filter(|id| {
                !desired
                    .accounts
                    .iter()
                    .any(|a| a.id.as_str() == id.as_str())
            })
            .collect();
        if !unknown.is_empty() {
            return Err(CliError::Usage(format!(
                "--account names accounts the file does not declare: {}",
                unknown
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        desired
            .accounts
            .retain(|a| only.iter().any(|id| id == a.id.as_str()));
    }
    Ok(desired)
}

fn render(plan: &Plan, output: Output) -> String {
    match output {
        Output::Text => roster_config::render::text(plan),
        Output::Markdown => roster_config::render::markdown(plan),
        Output::Json => roster_config::render::json(plan),
    }
}

impl Validate {
    pub async fn run(self) -> Result<(), CliError> {
        let desired = load(&self.file, &[])?;
        let users: usize = desired.accounts.iter().map(|a| a.users.len()).sum();
        println!(
            "{} is valid: {} account(s), {users} user(s)",
            self.file.display(),
            desired.accounts.len()
        );
        Ok(())
    }
}

impl PlanArgs {
    pub async fn run(self, context: &Context) -> Result<(), CliError> {
        let desired = load(&self.file, &self.account)?;
        let plan = context.roster().await?.plan(&desired).await?;
        print!("{}", render(&plan, self.output));
        match plan.refused().count() {
            0 if plan.has_drift() => Err(CliError::ChangesPresent),
            0 => Ok(()),
            refused => Err(CliError::Refused(refused)),
        }
    }
}

impl ApplyArgs {
    pub async fn run(self, context: &Context) -> Result<(), CliError> {
        let desired = load(&self.file, &self.account)?;
        let roster = context.roster().await?;
        let plan = roster.plan(&desired).await?;
        if self.output != Output::Json {
            print!("{}", render(&plan, self.output));
        }
        let bar = std::io::stderr().is_terminal().then(|| {
            let total = plan.accounts.iter().map(|a| a.changes.len()).sum::<usize>();
            indicatif::ProgressBar::new(total as u64)
        });
        let options = ApplyOptions {
            allow_removals: self.allow_removals,
            concurrency: self.concurrency,
            progress: bar.clone().map(|bar| {
                Arc::new(move |done: usize, _total: usize| bar.set_position(done as u64))
                    as roster_domain::reconcile::Progress
            }),
        };
        let report = roster.apply(&desired, &plan, &options).await?;
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        if self.output == Output::Json {
            println!(
                "{}",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            );
        } else {
            for account in &report.accounts {
                println!(
                    "account {}: {} change(s) applied",
                    account.account, account.applied
                );
                for failure in &account.failures {
                    eprintln!("  failed: {}: {}", failure.step, failure.error);
                }
            }
        }
        match report.failures() {
            0 => Ok(()),
            n => Err(CliError::Usage(format!(
                "{n} change(s) failed; the rest were applied. Run apply again once the cause is fixed"
            ))),
        }
    }
}

impl Dump {
    pub async fn run(self, context: &Context) -> Result<(), CliError> {
        let roster = context.roster().await?;
        let mut accounts = Vec::with_capacity(self.account.len());
        for id in &self.account {
            let id = AccountId::parse(id).map_err(|e| CliError::Usage(format!("--account {e}")))?;
            let live = roster.live_account(&id).await?;
            if !live.exists() {
                return Err(CliError::Usage(format!("account {id} does not exist")));
            }
            accounts.push(live);
        }
        let yaml = roster_config::dump(&accounts).map_err(CliError::Usage)?;
        match self.file.as_ref().filter(|f| f.as_os_str() != "-") {
            Some(path) => std::fs::write(path, yaml)
                .map_err(|e| CliError::Usage(format!("cannot write {}: {e}", path.display())))?,
            None => print!("{yaml}"),
        }
        Ok(())
    }
}
