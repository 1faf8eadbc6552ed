//! The account's audit log (SPEC.md §8): every change made through the API or reconcile appends
//! `{at, actor, action, target, before, after}` in the same transaction as the change. Entries
//! live in monthly partitions (`AUDIT#<account>#<yyyy-mm>`), read newest first.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::Roster;
use super::records::decode;
use crate::access::Actor;
use crate::entities::{AuditActor, AuditEntry, AuditTarget};
use crate::error::DomainError;
use crate::keys;
use crate::ports::table::{Condition, Cursor, Item, Key, Query, Write};
use crate::values::AccountId;

/// Where a page of the audit log stops: a month, and a position in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditCursor {
    pub month: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Cursor>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub next: Option<AuditCursor>,
}

impl Actor {
    /// How the audit log names this actor.
    pub fn audit_actor(&self) -> AuditActor {
        match self {
            Actor::Operator(_) => AuditActor::Operator,
            Actor::Provisioner { token, name, .. } => AuditActor::Scim {
                token_id: token.to_string(),
                name: name.to_string(),
            },
            Actor::User(caller) => AuditActor::User {
                id: caller.user.id.to_string(),
                email: caller.user.email.to_string(),
            },
        }
    }
}

fn month_of(date: Date) -> String {
    format!("{:04}-{:02}", date.year(), date.month())
}

impl Roster {
    /// The write that appends one entry; the caller puts it in the transaction of the change.
    pub(crate) fn audit_write<T: Serialize>(
        &self,
        account: &AccountId,
        actor: AuditActor,
        action: &str,
        target: (&str, &str),
        before: Option<&T>,
        after: Option<&T>,
    ) -> Result<Write, DomainError> {
        let at = self.clock.now();
        let id = self.ids.new_id().to_string();
        let snapshot = |value: Option<&T>| value.map(serde_json::to_value).transpose();
        let entry = AuditEntry {
            id: id.clone(),
            at,
            actor,
            action: action.to_owned(),
            target: AuditTarget {
                kind: target.0.to_owned(),
                id: target.1.to_owned(),
            },
            before: snapshot(before).map_err(|e| DomainError::conflict(e.to_string()))?,
            after: snapshot(after).map_err(|e| DomainError::conflict(e.to_string()))?,
        };
        let month = month_of(at.to_zoned_datetime(jiff::tz::TimeZone::UTC).date());
        let key = Key::new(keys::audit_pk(account, &month), id);
        Ok(Write::put(
            Item::from_body(key, 1, &entry)?,
            Condition::MustNotExist,
        ))
    }

    /// The audit log, newest first, a page at a time: for those who may read every user.
    pub async fn list_audit(
        &self,
        actor: &Actor,
        limit: u32,
        from: Option<AuditCursor>,
    ) -> Result<AuditPage, DomainError> {
        actor.may_read_every_user("reading the audit log")?;
        let account = actor.account();
        let created = self.get_account(account).await?.created_at;
        let first_month = month_of(created.to_zoned_datetime(jiff::tz::TimeZone::UTC).date());
        let limit = limit.clamp(1, 1000) as usize;
        let (mut month, mut after) = match from {
            Some(cursor) => (cursor.month, cursor.after),
            None => (
                month_of(
                    self.clock
                        .now()
                        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                        .date(),
                ),
                None,
            ),
        };
        let mut entries = Vec::new();
        loop {
            if month < first_month {
                return Ok(AuditPage {
                    entries,
                    next: None,
                });
            }
            let wanted = u32::try_from(limit - entries.len()).unwrap_or(u32::MAX);
            let query = Query::partition(keys::audit_pk(account, &month))
                .descending()
                .limit(wanted)
                .after(after.take());
            let page = self.table.query(&query).await?;
            for item in &page.items {
                entries.push(decode::<AuditEntry>(item)?);
            }
            let previous = previous_month(&month);
            match page.next {
                Some(next) if entries.len() >= limit => {
                    return Ok(AuditPage {
                        entries,
                        next: Some(AuditCursor {
                            month,
                            after: Some(next),
                        }),
                    });
                }
                Some(next) => after = Some(next),
                None if entries.len() >= limit => {
                    let next = (previous >= first_month).then_some(AuditCursor {
                        month: previous,
                        after: None,
                    });
                    return Ok(AuditPage { entries, next });
                }
                None => month = previous,
            }
        }
    }
}

fn previous_month(month: &str) -> String {
    let parsed = Date::strptime("%Y-%m-%d", format!("{month}-01"));
    match parsed.and_then(|d| d.checked_sub(jiff::Span::new().months(1))) {
        Ok(date) => month_of(date),
        // A malformed month (a forged cursor) ends the walk.
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_step_back_across_years() {
        assert_eq!(previous_month("2026-03"), "2026-02");
        assert_eq!(previous_month("2026-01"), "2025-12");
        assert_eq!(previous_month("nonsense"), "");
    }
}
