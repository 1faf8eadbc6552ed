//! Which on-call reminders a run sends (SPEC.md §10): for each shift occurrence, the person
//! the resolver puts on it at its start — [`stand_in`]: themself, or their cover when they are
//! away; nobody when that person cannot be paged (deactivated, or away with no reachable
//! cover) — reminded at each of *their own* offsets before the start.
//!
//! Runs are scheduled every [`RUN_EVERY`]; a run sends what fell due in the last
//! [`LATE_LIMIT`], so a reminder is still sent by the run after the one that missed it, and a
//! reminder later than that is skipped, never sent stale. Consecutive runs therefore see each
//! reminder twice: the claim a send writes first (keyed by [`DueReminder::key`]) makes it once.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};

use super::{People, stand_in};
use crate::entities::{Occurrence, Shift};
use crate::values::{Reminder, Reminders, UserId};

/// How often the scheduled notifier runs.
pub const RUN_EVERY: SignedDuration = SignedDuration::from_mins(5);

/// How long after it fell due a reminder is still sent: up to one run late.
pub const LATE_LIMIT: SignedDuration = SignedDuration::from_mins(10);

/// One reminder to send: `to`, before `occurrence` of `shift`, `minutes` before it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueReminder<'a> {
    pub shift: &'a Shift,
    pub occurrence: Occurrence,
    pub to: UserId,
    /// Whom `to` covers on this occurrence, when they stand in for someone away.
    pub covering_for: Option<UserId>,
    pub minutes: u32,
}

impl DueReminder<'_> {
    /// When the reminder falls due.
    pub fn due_at(&self) -> Timestamp {
        self.occurrence.start - SignedDuration::from_mins(i64::from(self.minutes))
    }

    /// What makes a reminder the same one from run to run: person, shift, occurrence, offset.
    pub fn key(&self) -> String {
        format!(
            "{}#{}#{}#{}",
            self.to,
            self.shift.id,
            self.occurrence.start.as_second(),
            self.minutes
        )
    }
}

/// The reminders that fell due in `(at - LATE_LIMIT, at]`, each once, in due order. `people`
/// holds everyone on the shifts and their covers; `reminders` gives a person's offsets.
pub fn due_reminders<'a>(
    shifts: &'a [Shift],
    people: &People,
    reminders: impl Fn(&UserId) -> Option<&'a Reminders>,
    at: Timestamp,
) -> Vec<DueReminder<'a>> {
    let from = at - LATE_LIMIT;
    let horizon = at + SignedDuration::from_mins(i64::from(Reminder::MAX_MINUTES)) + LATE_LIMIT;
    let mut due = BTreeMap::new();
    for shift in shifts {
        for occurrence in shift.occurrences(from, horizon) {
            if occurrence.start <= from {
                continue;
            }
            for person in shift.user_ids.iter().filter_map(|id| people.get(id)) {
                let answer = stand_in(
                    person,
                    &shift.group_id,
                    Some(&shift.id),
                    occurrence.start,
                    people,
                );
                if !answer.reachable() {
                    continue;
                }
                let offsets = reminders(&answer.user_id).map_or(&[][..], Reminders::as_slice);
                for minutes in offsets.iter().filter_map(|r| r.minutes()) {
                    let reminder = DueReminder {
                        shift,
                        occurrence,
                        to: answer.user_id.clone(),
                        covering_for: answer.covering_for.clone(),
                        minutes,
                    };
                    let when = reminder.due_at();
                    if from < when && when <= at {
                        due.entry((when, reminder.key())).or_insert(reminder);
                    }
                }
            }
        }
    }
    due.into_values().collect()
}

#[cfg(test)]
mod tests;
