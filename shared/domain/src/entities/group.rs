use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::values::named::named_enum;
use crate::values::{GroupId, GroupName, ShiftId, ShiftName, UserId};

/// A group of users with shared on-call shifts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub id: GroupId,
    pub name: GroupName,
    pub created_at: Timestamp,
    /// Bumped by every membership change, so the group's rules (a primary or secondary while it
    /// has members) are checked against one consistent set of members.
    #[serde(skip)]
    pub version: u64,
}

/// Where a member sits in a group's escalation order: primary first, then secondary, then
/// manager. Any combination, including none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MemberRoles {
    #[serde(default)]
    pub primary: bool,
    #[serde(default)]
    pub secondary: bool,
    #[serde(default)]
    pub manager: bool,
}

impl MemberRoles {
    /// Whether this member counts toward a group's escalation (primary or secondary).
    pub const fn escalates(self) -> bool {
        self.primary || self.secondary
    }
}

/// A user's place in a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub group_id: GroupId,
    pub user_id: UserId,
    #[serde(flatten)]
    pub roles: MemberRoles,
}

named_enum! {
    pub enum Repeat {
        None = ("none", "None"),
        Daily = ("daily", "Daily"),
        Weekly = ("weekly", "Weekly"),
    }
}

impl Repeat {
    /// The time between occurrences; `None` for a one-off shift.
    pub fn period(self) -> Option<jiff::SignedDuration> {
        match self {
            Repeat::None => None,
            Repeat::Daily => Some(jiff::SignedDuration::from_hours(24)),
            Repeat::Weekly => Some(jiff::SignedDuration::from_hours(24 * 7)),
        }
    }
}

/// A recurring on-call period in a group, and who is on it. Occurrences repeat at a fixed
/// period from `starts_at` (24 h, 7 days), so one shift is the same instants for everyone on it;
/// calendars show those instants in each person's own time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shift {
    pub id: ShiftId,
    pub group_id: GroupId,
    pub name: ShiftName,
    /// The first occurrence.
    pub starts_at: Timestamp,
    pub duration_minutes: u32,
    pub repeat: Repeat,
    pub user_ids: Vec<UserId>,
    #[serde(skip)]
    pub version: u64,
}

impl Shift {
    /// Longest shift: one week.
    pub const MAX_MINUTES: u32 = 7 * 24 * 60;
    /// Most people on one shift (keeps a shift's write within one transaction).
    pub const MAX_USERS: usize = 45;

    /// The occurrences that overlap `[from, to)`, as (start, end) instants.
    pub fn occurrences(&self, from: Timestamp, to: Timestamp) -> Vec<(Timestamp, Timestamp)> {
        let length = jiff::SignedDuration::from_mins(i64::from(self.duration_minutes));
        let mut out = Vec::new();
        let mut start = self.starts_at;
        if let Some(period) = self.repeat.period() {
            // Jump close to the window instead of walking from the first occurrence.
            let behind = from.duration_since(start).as_secs() - length.as_secs();
            if behind > 0 {
                let skipped = behind / period.as_secs();
                start = start
                    .checked_add(jiff::SignedDuration::from_secs(skipped * period.as_secs()))
                    .unwrap_or(start);
            }
        }
        loop {
            let Ok(end) = start.checked_add(length) else {
                break;
            };
            if start >= to {
                break;
            }
            if end > from {
                out.push((start, end));
            }
            match self.repeat.period().and_then(|p| start.checked_add(p).ok()) {
                Some(next) => start = next,
                None => break,
            }
        }
        out
    }
}

/// A shift, named by its group and id: what a user's record keeps of the shifts they are on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ShiftRef {
    pub group_id: GroupId,
    pub shift_id: ShiftId,
}

/// What a user's record keeps of a group they belong to: its name (for `member_of`) and their
/// roles in it (so rights like "manager of this group" need no extra read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRef {
    pub name: GroupName,
    #[serde(flatten)]
    pub roles: MemberRoles,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shift(repeat: Repeat) -> Shift {
        Shift {
            id: ShiftId::from_ulid(ulid::Ulid::from_parts(1, 1)),
            group_id: GroupId::from_ulid(ulid::Ulid::from_parts(1, 2)),
            name: ShiftName::parse("Days").unwrap(),
            starts_at: "2026-03-01T14:00:00Z".parse().unwrap(),
            duration_minutes: 8 * 60,
            repeat,
            user_ids: vec![],
            version: 1,
        }
    }

    #[test]
    fn occurrences_repeat_at_a_fixed_period_within_the_window() {
        let from: Timestamp = "2026-03-05T00:00:00Z".parse().unwrap();
        let to: Timestamp = "2026-03-08T00:00:00Z".parse().unwrap();
        let daily = shift(Repeat::Daily).occurrences(from, to);
        let starts: Vec<String> = daily.iter().map(|(s, _)| s.to_string()).collect();
        assert_eq!(
            starts,
            [
                "2026-03-05T14:00:00Z",
                "2026-03-06T14:00:00Z",
                "2026-03-07T14:00:00Z"
            ]
        );
        assert_eq!(shift(Repeat::Weekly).occurrences(from, to), vec![]);
        assert_eq!(shift(Repeat::None).occurrences(from, to), vec![]);
        let early: Timestamp = "2026-03-01T20:00:00Z".parse().unwrap();
        assert_eq!(
            shift(Repeat::None).occurrences(early, to).len(),
            1,
            "overlapping counts"
        );
    }
}
