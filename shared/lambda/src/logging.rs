//! How every function logs.

/// JSON lines on stdout, which Lambda sends to CloudWatch Logs; level from `RUST_LOG`.
pub(crate) fn init_logging() {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_current_span(false)
        .without_time()
        .with_ansi(false)
        .init();
}
