//! Work left for after the answer (`roster_domain::ports::after_answer`), run where Lambda
//! allows it: once the runtime has posted the invocation's answer, before it asks for the next
//! event. The execution environment is not frozen until that request, so the work runs whole,
//! billed to the invocation, while the caller already has its answer.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use lambda_runtime::tower::{Layer, Service};
use lambda_runtime::{Error, LambdaInvocation};
use roster_domain::ports::after_answer::{AfterAnswer, Work};

/// The work an invocation left, and the runtime layer that runs it after the answer.
#[derive(Clone, Default)]
pub(crate) struct AfterInvocation(Arc<Mutex<Vec<Work>>>);

impl AfterInvocation {
    fn take(&self) -> Vec<Work> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl AfterAnswer for AfterInvocation {
    fn defer(&self, work: Work) -> Option<Work> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(work);
        None
    }
}

/// Wraps the runtime's whole service, the posting of the answer included.
impl<S> Layer<S> for AfterInvocation {
    type Service = Deferring<S>;

    fn layer(&self, inner: S) -> Deferring<S> {
        Deferring {
            inner,
            work: self.clone(),
        }
    }
}

pub(crate) struct Deferring<S> {
    inner: S,
    work: AfterInvocation,
}

impl<S> Service<LambdaInvocation> for Deferring<S>
where
    S: Service<LambdaInvocation, Response = (), Error = Error>,
    S::Future: Send + 'static,
{
    type Response = ();
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<(), Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, invocation: LambdaInvocation) -> Self::Future {
        let answered = self.inner.call(invocation);
        let work = self.work.clone();
        Box::pin(async move {
            let outcome = answered.await;
            for job in work.take() {
                job.await;
            }
            outcome
        })
    }
}
