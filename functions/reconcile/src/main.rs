//! The reconcile function: the roster file in this package against the live accounts, on a
//! schedule (check) or on demand (`{"mode": "apply"}`). The logic is in shared/lambda and
//! shared/domain.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), roster_lambda::Error> {
    roster_lambda::run_reconcile().await
}
