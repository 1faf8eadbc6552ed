//! SDK errors to the port's errors.

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use roster_domain::ports::table::TableError;

/// What a failed TransactWriteItems means for the port.
pub(crate) fn transaction_error<R>(err: SdkError<TransactWriteItemsError, R>) -> TableError
where
    R: std::fmt::Debug,
{
    if let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
        err.as_service_error()
    {
        let reasons = cancelled.cancellation_reasons();
        let failed: Vec<usize> = reasons
            .iter()
            .enumerate()
            .filter(|(_, r)| r.code() == Some("ConditionalCheckFailed"))
            .map(|(i, _)| i)
            .collect();
        if !failed.is_empty() {
            return TableError::ConditionFailed(failed);
        }
        if reasons
            .iter()
            .any(|r| r.code() == Some("TransactionConflict"))
        {
            return TableError::Conflict;
        }
        let codes: Vec<&str> = reasons.iter().filter_map(|r| r.code()).collect();
        return TableError::Unavailable(format!("transaction cancelled: {codes:?}"));
    }
    other_error(err)
}

/// Any other SDK failure: a request the service refuses is `Invalid`, anything else (network,
/// throttling after the SDK's retries, 5xx) is `Unavailable`.
pub(crate) fn other_error<E, R>(err: SdkError<E, R>) -> TableError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match &err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            let code = e.code().unwrap_or("Unknown");
            let message = e.message().unwrap_or_default();
            if code == "ValidationException" {
                TableError::Invalid(format!("{code}: {message}"))
            } else {
                TableError::Unavailable(format!("{code}: {message}"))
            }
        }
        _ => TableError::Unavailable(format!("{}", DisplayChain(&err))),
    }
}

/// An error with its sources, so "dispatch failure" says why.
struct DisplayChain<'a>(&'a dyn std::error::Error);

impl std::fmt::Display for DisplayChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(e) = source {
            write!(f, ": {e}")?;
            source = e.source();
        }
        Ok(())
    }
}
