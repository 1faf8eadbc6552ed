//! Seats (SPEC.md §1): every standard or stakeholder user who is not deactivated holds one, and
//! an account may set how many there are. The count lives in one counter item per account
//! (`keys::seats`), changed in place in the same transaction as the user it counts — a tally,
//! not a read-modify-write — so concurrent creates never overshoot and never fight over a
//! version. The API, reconcile and (later) SCIM all create users through the same use cases, so
//! all of them are counted.

use serde::{Deserialize, Serialize};

use super::Roster;
use super::records::decode;
use crate::entities::User;
use crate::error::DomainError;
use crate::keys;
use crate::ports::table::{Condition, Item, TableError, Tally, Write, counter};
use crate::values::AccountId;

/// The counter item's body.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(crate) struct Seats {
    /// Seats held (`counter::COUNT`).
    pub count: u64,
    /// Seats there are (`counter::LIMIT`); none is unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
}

/// Whether `user` holds a seat.
pub(crate) fn holds_seat(user: &User) -> bool {
    user.user_type.takes_seat() && !user.deactivated
}

/// What a refused seat write meant.
pub(crate) enum SeatRefusal {
    /// The account predates seat counting; its counter has now been made: try again.
    Counted,
    /// Every seat is held.
    Full(DomainError),
}

impl Seats {
    pub(crate) fn item(&self, account: &AccountId) -> Result<Item, DomainError> {
        debug_assert_eq!(counter::COUNT, "count");
        debug_assert_eq!(counter::LIMIT, "limit");
        Ok(Item::from_body(keys::seats(account), 1, self)?)
    }
}

impl Roster {
    /// A seat taken (`Tally::Take`) or given back (`Tally::Release`) for `user`, if they hold
    /// one.
    pub(crate) fn seat_write(
        &self,
        account: &AccountId,
        user: &User,
        change: Tally,
    ) -> Option<Write> {
        holds_seat(user).then(|| Write::tally(keys::seats(account), change))
    }

    /// Why a seat write failed: the account is full, or it has no counter yet — in which case
    /// it is made now, from a count of the account's users (strongly consistent), and the
    /// caller tries again. Concurrent makers race on must-not-exist; every loser tries again.
    pub(crate) async fn seat_refusal(
        &self,
        account: &AccountId,
    ) -> Result<SeatRefusal, DomainError> {
        if let Some(item) = self.table.get(&keys::seats(account)).await? {
            let seats: Seats = decode(&item)?;
            return Ok(SeatRefusal::Full(DomainError::SeatsExhausted {
                seats: seats.limit.unwrap_or(seats.count),
                used: seats.count,
            }));
        }
        let limit = self.get_account(account).await?.seats.map(u64::from);
        let users = self.all_users(account).await?;
        let count = users.iter().filter(|u| holds_seat(u)).count() as u64;
        let seats = Seats { count, limit };
        let made = vec![Write::put(seats.item(account)?, Condition::MustNotExist)];
        match self.table.transact(made).await {
            Ok(()) | Err(TableError::ConditionFailed(_)) => Ok(SeatRefusal::Counted),
            Err(e) => Err(e.into()),
        }
    }
}
