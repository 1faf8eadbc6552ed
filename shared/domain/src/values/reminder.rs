use serde::{Deserialize, Serialize};

use super::named::named_enum;
use crate::error::InvalidValue;

named_enum! {
    pub enum ReminderUnit {
        Minutes = ("minutes", "Minutes"),
        Hours = ("hours", "Hours"),
        Days = ("days", "Days"),
    }
}

/// A reminder sent this long before a shift starts: 1 minute up to 14 days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawReminder", into = "RawReminder")]
pub struct Reminder {
    amount: u32,
    unit: ReminderUnit,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReminder {
    amount: u32,
    unit: ReminderUnit,
}

impl Reminder {
    pub const MAX_MINUTES: u32 = 14 * 24 * 60;

    pub fn new(amount: u32, unit: ReminderUnit) -> Result<Self, InvalidValue> {
        let reminder = Self { amount, unit };
        match reminder.minutes() {
            Some(m) if (1..=Self::MAX_MINUTES).contains(&m) => Ok(reminder),
            _ => Err(InvalidValue::new(
                "must be from 1 minute to 14 days before the shift",
            )),
        }
    }

    /// The offset in minutes, which is what makes two reminders the same moment.
    pub fn minutes(self) -> Option<u32> {
        let per_unit = match self.unit {
            ReminderUnit::Minutes => 1,
            ReminderUnit::Hours => 60,
            ReminderUnit::Days => 24 * 60,
        };
        self.amount.checked_mul(per_unit)
    }
}

impl TryFrom<RawReminder> for Reminder {
    type Error = InvalidValue;
    fn try_from(raw: RawReminder) -> Result<Self, Self::Error> {
        Self::new(raw.amount, raw.unit)
    }
}

impl From<Reminder> for RawReminder {
    fn from(r: Reminder) -> Self {
        Self {
            amount: r.amount,
            unit: r.unit,
        }
    }
}

/// A user's on-call reminders: at most three, no two meaning the same moment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Reminder>", into = "Vec<Reminder>")]
pub struct Reminders(Vec<Reminder>);

impl Reminders {
    pub const MAX: usize = 3;

    pub fn new(list: Vec<Reminder>) -> Result<Self, InvalidValue> {
        if list.len() > Self::MAX {
            return Err(InvalidValue::new(format!(
                "must be at most {} reminders",
                Self::MAX
            )));
        }
        let mut minutes: Vec<_> = list.iter().map(|r| r.minutes()).collect();
        minutes.sort_unstable();
        if minutes.windows(2).any(|w| w[0] == w[1]) {
            return Err(InvalidValue::new(
                "must not hold two reminders for the same moment (like 60 minutes and 1 hour)",
            ));
        }
        Ok(Self(list))
    }

    pub fn as_slice(&self) -> &[Reminder] {
        &self.0
    }
}

impl TryFrom<Vec<Reminder>> for Reminders {
    type Error = InvalidValue;
    fn try_from(list: Vec<Reminder>) -> Result<Self, Self::Error> {
        Self::new(list)
    }
}

impl From<Reminders> for Vec<Reminder> {
    fn from(r: Reminders) -> Self {
        r.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reminders_are_bounded_and_distinct() {
        let hour = Reminder::new(1, ReminderUnit::Hours).unwrap();
        let sixty = Reminder::new(60, ReminderUnit::Minutes).unwrap();
        let day = Reminder::new(1, ReminderUnit::Days).unwrap();
        assert!(Reminder::new(15, ReminderUnit::Days).is_err());
        assert!(Reminder::new(0, ReminderUnit::Minutes).is_err());
        assert!(Reminder::new(14, ReminderUnit::Days).is_ok());
        assert!(Reminders::new(vec![hour, sixty]).is_err());
        assert!(Reminders::new(vec![hour, day]).is_ok());
        let ten = Reminder::new(10, ReminderUnit::Minutes).unwrap();
        let two = Reminder::new(2, ReminderUnit::Days).unwrap();
        assert!(Reminders::new(vec![hour, day, ten, two]).is_err());
    }
}
