//! Failed sign-ins counted per login and per source address (SPEC.md §3): after
//! [`FAILURES_ALLOWED`] failures less than [`FORGET_AFTER`] apart, sign-ins are refused with
//! `429` for a wait that doubles with each further failure, up to [`LONGEST_WAIT`]. Never a
//! permanent lockout: a quiet [`FORGET_AFTER`] forgets the count, and so does a success for the
//! login's.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::Roster;
use super::records::decode;
use super::retry::{Attempt, optimistic};
use super::transaction::{Guard, Refused, Transaction};
use crate::error::DomainError;
use crate::keys;
use crate::ports::table::{Condition, Item, Key, Write};

pub const FAILURES_ALLOWED: u32 = 5;
pub const FORGET_AFTER: SignedDuration = SignedDuration::from_mins(15);
const FIRST_WAIT: SignedDuration = SignedDuration::from_mins(1);
pub const LONGEST_WAIT: SignedDuration = SignedDuration::from_mins(15);

/// The counts one sign-in is held to.
pub(crate) struct Throttles {
    login: Key,
    source: Option<Key>,
}

impl Throttles {
    pub(crate) fn new(login: &str, source: Option<&str>) -> Self {
        Self {
            login: keys::throttle("login", login),
            source: source.map(|address| keys::throttle("source", address)),
        }
    }

    fn all(&self) -> impl Iterator<Item = &Key> {
        std::iter::once(&self.login).chain(&self.source)
    }
}

/// Whether a login had failures counted when a sign-in began.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LoginFailures {
    None,
    Some,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Failures {
    count: u32,
    last: Timestamp,
    /// Until when sign-ins are refused, after the count reached [`FAILURES_ALLOWED`].
    blocked_until: Option<Timestamp>,
}

impl Failures {
    /// The count after one more failure at `now`.
    fn after_failure(previous: Option<&Self>, now: Timestamp) -> Self {
        let count = match previous {
            Some(p) if now.duration_since(p.last) < FORGET_AFTER => p.count + 1,
            _ => 1,
        };
        let blocked_until = (count >= FAILURES_ALLOWED).then(|| {
            let doublings = (count - FAILURES_ALLOWED).min(8);
            let wait = FIRST_WAIT
                .checked_mul(1 << doublings)
                .unwrap_or(LONGEST_WAIT)
                .min(LONGEST_WAIT);
            now.saturating_add(wait).unwrap_or(now)
        });
        Self {
            count,
            last: now,
            blocked_until,
        }
    }

    /// When the item may go: once the count is forgotten and no wait is left.
    fn expiry(&self) -> i64 {
        let forgotten = self.last.saturating_add(FORGET_AFTER).unwrap_or(self.last);
        self.blocked_until
            .map_or(forgotten, |until| until.max(forgotten))
            .as_second()
    }
}

impl Roster {
    /// `429` with the seconds left when the login or the source address is waiting out a run of
    /// failures. Reads both counts at once; answers whether the login has any failures counted
    /// (which a success then forgets).
    pub(crate) async fn refuse_while_throttled(
        &self,
        throttles: &Throttles,
    ) -> Result<LoginFailures, DomainError> {
        let now = self.clock.now();
        let keys: Vec<Key> = throttles.all().cloned().collect();
        let mut wait = SignedDuration::ZERO;
        let mut login_failures = LoginFailures::None;
        for item in self.table.get_many(&keys).await? {
            let failures: Failures = decode(&item)?;
            if item.key == throttles.login {
                login_failures = LoginFailures::Some;
            }
            if let Some(until) = failures.blocked_until {
                wait = wait.max(until.duration_since(now));
            }
        }
        if wait.is_positive() {
            let seconds = wait.as_secs() + i64::from(wait.subsec_nanos() > 0);
            return Err(DomainError::TooManyAttempts {
                retry_after_seconds: seconds.max(1).unsigned_abs(),
            });
        }
        Ok(login_failures)
    }

    /// One more failure on every count of the sign-in.
    pub(crate) async fn count_failure(&self, throttles: &Throttles) -> Result<(), DomainError> {
        for key in throttles.all() {
            optimistic(|| async {
                let previous = self.failures(key).await?;
                let next =
                    Failures::after_failure(previous.as_ref().map(|(f, _)| f), self.clock.now());
                let condition = match &previous {
                    Some((_, version)) => Condition::VersionIs(*version),
                    None => Condition::MustNotExist,
                };
                let version = previous.as_ref().map_or(1, |(_, v)| v + 1);
                let item = Item::from_body(key.clone(), version, &next)?.with_expiry(next.expiry());
                let mut tx = Transaction::new();
                tx.push(Guard::Stale, Write::put(item, condition));
                match tx.commit(self.table.as_ref()).await {
                    Ok(()) => Ok(Attempt::Done(())),
                    Err(Refused::Guards(_)) => Ok(Attempt::Raced),
                    Err(Refused::Store(e)) => Err(e.into()),
                }
            })
            .await?;
        }
        Ok(())
    }

    /// A success forgets the login's failures (not the source address's: one account's
    /// password must not reset the count of an address trying many).
    pub(crate) async fn forget_failures(
        &self,
        throttles: &Throttles,
        counted: LoginFailures,
    ) -> Result<(), DomainError> {
        if counted == LoginFailures::Some {
            let mut tx = Transaction::new();
            tx.push(Guard::Stale, Write::delete(throttles.login.clone(), None));
            tx.commit(self.table.as_ref()).await?;
        }
        Ok(())
    }

    async fn failures(&self, key: &Key) -> Result<Option<(Failures, u64)>, DomainError> {
        match self.table.get(key).await? {
            Some(item) => Ok(Some((decode(&item)?, item.version))),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fifth_failure_blocks_and_each_further_one_doubles_the_wait_up_to_the_longest() {
        let t0: Timestamp = "2027-01-04T09:00:00Z".parse().unwrap();
        let mut failures: Option<Failures> = None;
        let mut waits = Vec::new();
        let mut now = t0;
        for _ in 0..9 {
            let next = Failures::after_failure(failures.as_ref(), now);
            waits.push(next.blocked_until.map(|u| u.duration_since(now).as_mins()));
            now = next.blocked_until.unwrap_or(now) + SignedDuration::from_secs(1);
            failures = Some(next);
        }
        assert_eq!(
            waits,
            [
                None,
                None,
                None,
                None,
                Some(1),
                Some(2),
                Some(4),
                Some(8),
                Some(15)
            ]
        );
    }

    #[test]
    fn a_quiet_quarter_hour_forgets_the_count() {
        let t0: Timestamp = "2027-01-04T09:00:00Z".parse().unwrap();
        let mut failures = Failures::after_failure(None, t0);
        for _ in 0..3 {
            failures = Failures::after_failure(Some(&failures), t0);
        }
        assert_eq!(failures.count, 4);
        let later = t0 + FORGET_AFTER;
        assert_eq!(Failures::after_failure(Some(&failures), later).count, 1);
    }
}
