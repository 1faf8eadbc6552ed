//! Time and ids are injected so tests are deterministic.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use jiff::Timestamp;
use ulid::Ulid;

pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

pub trait IdSource: Send + Sync {
    fn new_id(&self) -> Ulid;
}

/// The wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// Random ULIDs stamped with the wall clock, monotonic within the process.
#[derive(Debug, Default)]
pub struct UlidSource(Mutex<ulid::Generator>);

impl IdSource for UlidSource {
    fn new_id(&self) -> Ulid {
        let mut generator = self.0.lock().unwrap_or_else(|e| e.into_inner());
        // Overflow needs 2^80 ids in one millisecond; moving into the next one is then fine.
        generator
            .generate()
            .unwrap_or_else(|overflow| overflow.commit_overflow_random())
    }
}

/// A clock that stands still until told to move: for tests.
#[derive(Debug)]
pub struct FixedClock(Mutex<Timestamp>);

impl FixedClock {
    pub fn new(at: Timestamp) -> Self {
        Self(Mutex::new(at))
    }

    pub fn advance(&self, by: jiff::SignedDuration) {
        let mut now = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *now = now.checked_add(by).expect("test clock out of range");
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Ids counting up from 1: for tests that compare output exactly.
#[derive(Debug, Default)]
pub struct SequentialIds(AtomicU64);

impl IdSource for SequentialIds {
    fn new_id(&self) -> Ulid {
        Ulid::from_parts(0, u128::from(self.0.fetch_add(1, Ordering::Relaxed) + 1))
    }
}
