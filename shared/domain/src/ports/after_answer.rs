//! Work a request's answer does not wait for: bookkeeping that changes nothing the caller is
//! told, such as marking an invitation sent once SES took it (the outbox entry is what makes the
//! send reliable; its record only keeps a retry from sending it again). When the work runs is
//! the host's choice: in the request (the CLI, tests), on a task of its own (`roster serve`), or
//! after the Lambda runtime has posted the answer and before it asks for the next event (a
//! function's execution environment is not frozen until then).

use std::future::Future;
use std::pin::Pin;

/// A piece of deferred work. It reports its own failures (a log line): nobody is waiting.
pub type Work = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

pub trait AfterAnswer: Send + Sync {
    /// Takes `work` to run once the answer is out, or gives it back (`Some`) to be run now.
    fn defer(&self, work: Work) -> Option<Work>;
}

/// Runs deferred work at once, in the request: the default.
pub struct RightAway;

impl AfterAnswer for RightAway {
    fn defer(&self, work: Work) -> Option<Work> {
        Some(work)
    }
}
