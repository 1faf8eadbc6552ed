//! The on-call reminder run (SPEC.md §10): every shift from the all-shifts index, in pages; per
//! account with shifts, its users in one paginated query; [`due_reminders`] decides; each due
//! reminder is claimed and queued in one transaction, then sent through the outbox.
//!
//! Exactly once per (person, occurrence, offset): the claim is written with the notice, under
//! a must-not-exist condition, so of two runs at once only one queues it; a run that crashes
//! after the commit leaves a pending notice, which the mail retry sends; a failed send stays
//! queued for the retry too.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use super::Roster;
use super::invitations::{Delivery, html_escape};
use super::pushes::PushDelivery;
use crate::entities::{Shift, User};
use crate::error::DomainError;
use crate::keys;
use crate::oncall::reminders::{DueReminder, due_reminders};
use crate::oncall::{self};
use crate::ports::mailer::Message;
use crate::ports::push::PushMessage;
use crate::ports::table::{Condition, Item, Query, TableError, Write, query_all};
use crate::usecases::records;
use crate::values::{AccountId, GroupId, GroupName, UserId, for_people_in};

/// How long a sent reminder's claim is kept after its occurrence starts: past every run that
/// could see it again.
const CLAIM_KEPT: SignedDuration = SignedDuration::from_hours(24);

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReminderRun {
    /// Accounts with at least one shift.
    pub accounts: usize,
    pub shifts: usize,
    /// Reminders due in this run's window.
    pub due: usize,
    /// Queued and sent by this run.
    pub sent: usize,
    /// Queued by this run, the send failed: the mail retry sends them.
    pub queued: usize,
    /// Already claimed by an earlier or concurrent run.
    pub already_sent: usize,
    /// Pushes to devices queued with the reminders and sent.
    pub pushes_sent: usize,
    /// Pushes whose send failed: the retry sweep sends them.
    pub pushes_queued: usize,
    /// Pushes to devices that can no longer be reached: dropped, and the devices forgotten.
    pub pushes_dropped: usize,
    /// Accounts whose reminders could not be worked out or queued (the store failed, a record
    /// did not read back): logged, and the other accounts still reminded; the next run tries
    /// them again.
    pub failed_accounts: usize,
}

/// What a reminder's claim records, for support questions.
#[derive(Serialize)]
struct ReminderClaim<'a> {
    user_id: &'a UserId,
    shift_id: String,
    occurrence_start: Timestamp,
    minutes: u32,
}

impl Roster {
    /// Sends every on-call reminder due at `at` (now when `None`), across accounts. One
    /// account's failure does not hold up the others: it is counted in `failed_accounts`.
    pub async fn send_due_reminders(
        &self,
        at: Option<Timestamp>,
    ) -> Result<ReminderRun, DomainError> {
        let at = at.unwrap_or_else(|| self.clock.now());
        let mut run = ReminderRun::default();
        for (account, shifts) in self.every_shift().await? {
            run.accounts += 1;
            run.shifts += shifts.len();
            if let Err(e) = self.remind_account(&account, &shifts, at, &mut run).await {
                tracing::error!(account = %account, error = %e, "reminders of an account failed");
                run.failed_accounts += 1;
            }
        }
        Ok(run)
    }

    /// Every shift of every account, by account, from the all-shifts index.
    async fn every_shift(&self) -> Result<BTreeMap<AccountId, Vec<Shift>>, DomainError> {
        let mut by_account: BTreeMap<AccountId, Vec<Shift>> = BTreeMap::new();
        for item in query_all(self.table.as_ref(), Query::index(keys::ALL_SHIFTS)).await? {
            let account = keys::account_of(&item.key.pk).ok_or_else(|| DomainError::Corrupt {
                key: item.key.to_string(),
                reason: "a shift outside an account partition".into(),
            })?;
            by_account
                .entry(account)
                .or_default()
                .push(records::shift_from_item(&item)?);
        }
        Ok(by_account)
    }

    async fn remind_account(
        &self,
        account: &AccountId,
        shifts: &[Shift],
        at: Timestamp,
        run: &mut ReminderRun,
    ) -> Result<(), DomainError> {
        if shifts.iter().all(|s| s.user_ids.is_empty()) {
            return Ok(());
        }
        let users: HashMap<UserId, User> = self
            .all_users(account)
            .await?
            .into_iter()
            .map(|u| (u.id.clone(), u))
            .collect();
        let people = oncall::people(users.values());
        let due = due_reminders(
            shifts,
            &people,
            |id| users.get(id).map(|u| &u.on_call_reminders),
            at,
        );
        if due.is_empty() {
            return Ok(());
        }
        run.due += due.len();
        let groups: BTreeSet<&GroupId> = due.iter().map(|d| &d.shift.group_id).collect();
        let names: BTreeMap<GroupId, GroupName> = self
            .group_names(account, groups)
            .await?
            .into_iter()
            .collect();
        for reminder in &due {
            let Some(user) = users.get(&reminder.to) else {
                continue;
            };
            let covering = reminder.covering_for.as_ref().and_then(|id| users.get(id));
            let group = names
                .get(&reminder.shift.group_id)
                .map_or_else(|| reminder.shift.group_id.to_string(), ToString::to_string);
            let message = self.reminder_message(user, &group, reminder, covering);
            let push = reminder_push(user, &group, reminder);
            self.queue_reminder(account, user, reminder, message, push, run)
                .await?;
        }
        Ok(())
    }

    /// Claims the reminder and queues its email and a push to each device in one
    /// transaction, then sends them; counts what happened in `run`. Another run's claim
    /// makes it a no-op.
    async fn queue_reminder(
        &self,
        account: &AccountId,
        user: &User,
        reminder: &DueReminder<'_>,
        message: Message,
        push: PushMessage,
        run: &mut ReminderRun,
    ) -> Result<(), DomainError> {
        let claim = Item::from_body(
            keys::reminder_claim(account, &reminder.key()),
            1,
            &ReminderClaim {
                user_id: &reminder.to,
                shift_id: reminder.shift.id.to_string(),
                occurrence_start: reminder.occurrence.start,
                minutes: reminder.minutes,
            },
        )?
        .with_expiry((reminder.occurrence.start + CLAIM_KEPT).as_second());
        let (notice, write) = self.new_notice(account, message)?;
        let (pushes, push_writes) = self.new_pushes(account, user, &push)?;
        let mut writes = vec![Write::put(claim, Condition::MustNotExist), write];
        writes.extend(push_writes);
        match self.table.transact(writes).await {
            Ok(()) => {}
            Err(TableError::ConditionFailed(_)) => {
                run.already_sent += 1;
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        }
        match self.send_notice(notice).await? {
            Delivery::Sent => run.sent += 1,
            Delivery::Queued { .. } => run.queued += 1,
        }
        for entry in pushes {
            match self.send_push(entry).await? {
                PushDelivery::Sent => run.pushes_sent += 1,
                PushDelivery::Queued => run.pushes_queued += 1,
                PushDelivery::Dropped => run.pushes_dropped += 1,
            }
        }
        Ok(())
    }

    fn reminder_message(
        &self,
        user: &User,
        group: &str,
        reminder: &DueReminder<'_>,
        covering: Option<&User>,
    ) -> Message {
        let prefs = &user.preferences;
        let when = |t: Timestamp| for_people_in(t, &prefs.time_zone, &prefs.locale);
        let (from, to) = (
            when(reminder.occurrence.start),
            when(reminder.occurrence.end),
        );
        let lead = lead_time(reminder.minutes);
        let shift = reminder.shift.name.as_str();
        let cover = covering
            .map(|away| format!(" You cover for {} {}.", away.first_name, away.last_name))
            .unwrap_or_default();
        let link = self.settings.app_url.trim_end_matches('/');
        Message {
            to: user.email.clone(),
            subject: format!("On call in {lead}: {group}, {shift}"),
            text: format!(
                "Hello {name},\n\nYou are on call for {group} ({shift}) from {from} to {to}.{cover}\n\n\
                 This reminder comes {lead} before each shift. Change your reminders under \
                 On-Call Reminder in your profile: {link}\n",
                name = user.first_name,
            ),
            html: format!(
                "<p>Hello {name},</p><p>You are on call for {group} ({shift}) from {from} to \
                 {to}.{cover}</p><p>This reminder comes {lead} before each shift. Change your \
                 reminders under On-Call Reminder in your <a href=\"{link}\">profile</a>.</p>",
                name = html_escape(user.first_name.as_str()),
                group = html_escape(group),
                shift = html_escape(shift),
                from = html_escape(&from),
                to = html_escape(&to),
                cover = html_escape(&cover),
            ),
        }
    }
}

/// The push that goes with a reminder's email: what a lock screen has room for.
fn reminder_push(user: &User, group: &str, reminder: &DueReminder<'_>) -> PushMessage {
    let (from, _) = local_times(user, reminder);
    PushMessage {
        title: format!("On call in {}", lead_time(reminder.minutes)),
        body: format!("{group} ({}) from {from}", reminder.shift.name),
    }
}

/// The occurrence's start and end as the person reads them (their zone and locale).
fn local_times(user: &User, reminder: &DueReminder<'_>) -> (String, String) {
    let prefs = &user.preferences;
    let when = |t: Timestamp| for_people_in(t, &prefs.time_zone, &prefs.locale);
    (
        when(reminder.occurrence.start),
        when(reminder.occurrence.end),
    )
}

/// "1 hour", "30 minutes", "2 days", "1 hour 30 minutes": an offset as people say it.
fn lead_time(minutes: u32) -> String {
    let unit = |n: u32, one: &str| match n {
        1 => format!("1 {one}"),
        n => format!("{n} {one}s"),
    };
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    let parts: Vec<String> = [(days, "day"), (hours, "hour"), (mins, "minute")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, one)| unit(n, one))
        .collect();
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::lead_time;

    #[test]
    fn offsets_read_as_people_say_them() {
        assert_eq!(lead_time(1), "1 minute");
        assert_eq!(lead_time(60), "1 hour");
        assert_eq!(lead_time(90), "1 hour 30 minutes");
        assert_eq!(lead_time(2 * 1440), "2 days");
        assert_eq!(lead_time(14 * 1440), "14 days");
    }
}
