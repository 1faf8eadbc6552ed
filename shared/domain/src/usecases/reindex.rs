//! The operator's data step after an upgrade (`roster store reindex`): writes the entries a
//! release started keeping for items stored before it — users under their external id (SCIM's
//! `externalId eq`) and under the emails their identity provider sent (`emails.value eq`),
//! users' search entries (`GET /users?q=`) and sign-in entries (`POST /sessions`), shifts on the all-shifts index (the reminder run). Every change writes
//! them from that release on; this catches up the rest. Safe to repeat and to run beside live
//! traffic.

use serde::Serialize;

use super::Roster;
use super::records::{self, external_id_item};
use crate::error::DomainError;
use crate::keys;
use crate::ports::table::{Condition, MAX_TRANSACTION_ITEMS, Query, TableError, Write, query_all};
use crate::values::AccountId;

/// What a reindex of one account found and wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Reindexed {
    /// Users with an external id, each now listed under it.
    pub external_ids: usize,
    /// Search entries written (each user's, one per text they are found by).
    pub search_entries: usize,
    /// Provided-email entries written (each provisioned user's, one per email sent for them).
    pub provided_emails: usize,
    /// Sign-in entries written (each user's, under their email and their username).
    pub logins: usize,
    /// Shifts, each now on the all-shifts index.
    pub shifts: usize,
    /// Of those, the shifts that were not on it before.
    pub shifts_added: usize,
}

impl Roster {
    /// Writes every entry of `account` that items stored before their release lack.
    pub async fn reindex(&self, account: &AccountId) -> Result<Reindexed, DomainError> {
        self.get_account(account).await?;
        let mut done = Reindexed::default();
        // External-id, search and provided-email entries are pointers a reader checks:
        // unconditional puts.
        let mut entries = Vec::new();
        let mut search = Vec::new();
        let mut provided = Vec::new();
        let mut logins = Vec::new();
        for user in self.all_users(account).await? {
            entries.extend(external_id_item(account, &user)?);
            search.extend(records::search_items(account, &user)?);
            provided.extend(records::provided_email_items(account, &user)?);
            logins.extend(records::login_items(account, &user)?);
        }
        done.external_ids = entries.len();
        done.search_entries = search.len();
        done.provided_emails = provided.len();
        done.logins = logins.len();
        entries.extend(search);
        entries.extend(provided);
        entries.extend(logins);
        for chunk in entries.chunks(MAX_TRANSACTION_ITEMS) {
            let puts = chunk.iter().map(|item| Write::put(item.clone(), None));
            self.table.transact(puts.collect()).await?;
        }
        // A shift is put back as it is, under its own version: a concurrent change, which
        // indexes it anyway, wins.
        let groups = Query::partition(keys::account_pk(account)).prefix(keys::GROUP_PREFIX);
        for item in query_all(self.table.as_ref(), groups).await? {
            if !item.key.sk.contains("#SHIFT#") {
                continue;
            }
            done.shifts += 1;
            if item.index.is_some() {
                continue;
            }
            let shift = records::shift_from_item(&item)?;
            let put = Write::put(
                records::shift_item(account, &shift)?,
                Condition::VersionIs(shift.version),
            );
            match self.table.transact(vec![put]).await {
                Ok(()) => done.shifts_added += 1,
                Err(TableError::ConditionFailed(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(done)
    }
}
