//! The reconcile function: the roster file in this package against the live accounts, on a
//! schedule (check) or on demand (`{"mode": "apply"}`). The logic is in shared/lambda and
//! shared/domain; build.rs embeds the file named by `ROSTER_DEPLOY_FILE` at build time.

const DEPLOYED: roster_lambda::DeployedRoster = roster_lambda::DeployedRoster {
    name: env!("ROSTER_DEPLOYED_NAME"),
    text: include_str!(concat!(env!("OUT_DIR"), "/deployed-roster.yaml")),
};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), roster_lambda::Error> {
    roster_lambda::run_reconcile(DEPLOYED).await
}
