//! Removing a user (SPEC.md §5) without leaving a hole. A delete is refused — every blocker at
//! once, by kind — while the user is on a shift, is the last primary or secondary of a group
//! that keeps other members, or covers someone's out-of-office entry now or to come; the Owner
//! is never deleted. With a replacement, the replacement first steps into each of those places
//! (joining each group with the user's roles, taking each shift and each cover), in batches that
//! each leave a valid account behind; then the user leaves their groups and goes — item, claims,
//! password, calendar feed, invitations and their reset tokens, audit entry — in one
//! transaction (the groups in batches before it when there are too many for one). Every step
//! reads afresh and decides again, so a retry after an interruption at any point finishes the
//! delete, and no reader ever sees a shift, a group or a cover naming a deleted user.

use std::collections::{BTreeMap, BTreeSet};

use super::Roster;
use super::batch::Batch;
use super::records;
use super::retry::{Attempt, optimistic};
use super::seats::SeatRefusal;
use super::transaction::{Guard, Refused, Transaction};
use super::users::{entry_writes, external_id_writes};
use crate::access::Actor;
use crate::entities::{
    Cover, CoverRef, Group, MemberRoles, Membership, OutOfOffice, Shift, ShiftRef, User,
};
use crate::error::{CoverHeld, DomainError, FieldError, GroupWithoutResponder, Holes, ShiftOnDuty};
use crate::keys;
use crate::ports::table::{Condition, Key, MAX_TRANSACTION_ITEMS, TableError, Tally, Write};
use crate::values::{AccountId, GroupId, UserId};

/// What deleting a user touches, read afresh by each attempt.
struct Footprint {
    user: User,
    /// The shifts the user is on.
    shifts: Vec<Shift>,
    /// The user's groups (those not being deleted).
    groups: BTreeMap<GroupId, Group>,
    /// Groups that would keep members but no primary or secondary without the user.
    left_bare: Vec<GroupId>,
    /// The people whose entries (now or to come) the user covers, with those entries.
    covered: Vec<(User, Vec<OutOfOffice>)>,
}

/// What a replacement takes on, one place at a time.
enum Takeover {
    Join(GroupId, MemberRoles),
    Shift(ShiftRef),
    Cover(CoverRef),
}

impl Footprint {
    fn holes(&self) -> Holes {
        let name = |group: &GroupId| {
            self.groups
                .get(group)
                .map_or_else(|| group.to_string(), |g| g.name.to_string())
        };
        Holes {
            shifts: self
                .shifts
                .iter()
                .map(|s| ShiftOnDuty {
                    group_id: s.group_id.to_string(),
                    group: name(&s.group_id),
                    shift_id: s.id.to_string(),
                    shift: s.name.to_string(),
                })
                .collect(),
            groups: self
                .left_bare
                .iter()
                .map(|g| GroupWithoutResponder {
                    group_id: g.to_string(),
                    group: name(g),
                })
                .collect(),
            covering: self
                .covered
                .iter()
                .flat_map(|(away, entries)| {
                    entries.iter().map(move |e| CoverHeld {
                        user_id: away.id.to_string(),
                        user: format!("{} {}", away.first_name, away.last_name),
                        entry_id: e.id.clone(),
                        starts_at: e.starts_at,
                        ends_at: e.ends_at,
                    })
                })
                .collect(),
        }
    }
}

/// `entry`'s cover with `from` replaced by `to`.
fn cover_moved(entry: &OutOfOffice, from: &UserId, to: &UserId) -> OutOfOffice {
    let cover = match &entry.cover {
        Cover::All(user) if user == from => Cover::All(to.clone()),
        Cover::All(user) => Cover::All(user.clone()),
        Cover::Groups(by_group) => Cover::Groups(
            by_group
                .iter()
                .map(|(g, u)| (g.clone(), if u == from { to.clone() } else { u.clone() }))
                .collect(),
        ),
    };
    OutOfOffice {
        cover,
        ..entry.clone()
    }
}

/// What deleting `user` touches, out of what was read for a page of users.
fn footprint_in(
    user: User,
    read: &Batch,
    memberships: &BTreeMap<GroupId, Vec<Membership>>,
    now: jiff::Timestamp,
) -> Footprint {
    let groups: BTreeMap<GroupId, Group> = read
        .groups
        .iter()
        .filter(|(id, _)| user.member_of.contains_key(*id))
        .map(|(id, group)| (id.clone(), group.clone()))
        .collect();
    let mut shifts: Vec<Shift> = read
        .shifts
        .iter()
        .filter(|s| s.user_ids.contains(&user.id))
        .cloned()
        .collect();
    shifts.sort_by(|a, b| (&a.group_id, &a.id).cmp(&(&b.group_id, &b.id)));
    let covered_ids: BTreeSet<&UserId> = user.covering.iter().map(|c| &c.user_id).collect();
    let covered: Vec<(User, Vec<OutOfOffice>)> = read
        .users
        .iter()
        .filter(|away| covered_ids.contains(&away.id))
        .filter_map(|away| {
            let entries: Vec<OutOfOffice> = away
                .out_of_office
                .iter()
                .filter(|e| e.ends_at > now && e.covering_users().contains(&&user.id))
                .cloned()
                .collect();
            (!entries.is_empty()).then(|| (away.clone(), entries))
        })
        .collect();
    let left_bare = user
        .member_of
        .iter()
        .filter(|(group, roles)| roles.escalates() && groups.contains_key(*group))
        .filter(|(group, _)| {
            let others: Vec<&Membership> = memberships
                .get(*group)
                .into_iter()
                .flatten()
                .filter(|m| m.user_id != user.id)
                .collect();
            !others.is_empty() && !others.iter().any(|m| m.roles.escalates())
        })
        .map(|(group, _)| group.clone())
        .collect();
    Footprint {
        user,
        shifts,
        groups,
        left_bare,
        covered,
    }
}

impl Roster {
    /// Deletes a user (SPEC.md §5), or refuses with every hole it would leave; with
    /// `replacement`, that user steps into each place first.
    pub async fn delete_user(
        &self,
        actor: &Actor,
        id: &UserId,
        replacement: Option<&UserId>,
    ) -> Result<(), DomainError> {
        let account = actor.account();
        let (own_entries, endpoints) = optimistic(|| async {
            let user = self.load_user(account, id).await?;
            actor.may_manage_users("deleting users")?;
            if user.is_owner {
                return Err(DomainError::conflict(
                    "the Owner cannot be deleted; move ownership first with \
                     `roster owner transfer --account ID --to EMAIL --confirm`",
                ));
            }
            let endpoints = user.device_endpoints();
            let print = self.footprint(account, user).await?;
            let holes = print.holes();
            match replacement {
                None if !holes.is_empty() => {
                    return Err(DomainError::WouldLeaveHoles {
                        action: format!("deleting user {id}"),
                        holes,
                    });
                }
                None => {}
                Some(replacement) => {
                    let taker = self.replacement(account, &print, replacement).await?;
                    if !self.step_in(account, &print, taker).await? {
                        // The replacement is in place (or something moved): read again.
                        return Ok(Attempt::Raced);
                    }
                }
            }
            Ok(match self.leave_and_go(actor, print).await? {
                Attempt::Done(own_entries) => Attempt::Done((own_entries, endpoints)),
                Attempt::Raced => Attempt::Raced,
            })
        })
        .await?;
        self.forget_covers(account, id, &own_entries).await;
        // The user's devices went with them: so do their endpoints.
        self.forget_endpoints(&endpoints).await;
        Ok(())
    }

    /// Why each of `users` could not be deleted now (empty holes: nothing stands in the way),
    /// by the rule `delete_user` applies: what the users list shows beside each row. One batch
    /// read for the page, and one read of each group in which one of them escalates.
    pub async fn delete_blockers(
        &self,
        actor: &Actor,
        users: &[User],
    ) -> Result<Vec<Holes>, DomainError> {
        actor.may_read_every_user("listing users")?;
        let prints = self.footprints(actor.account(), users.to_vec()).await?;
        Ok(prints.iter().map(Footprint::holes).collect())
    }

    async fn footprint(&self, account: &AccountId, user: User) -> Result<Footprint, DomainError> {
        let mut prints = self.footprints(account, vec![user]).await?;
        Ok(prints.pop().expect("one footprint for one user"))
    }

    /// Reads what deleting each of `users` touches: their shifts, groups and the entries they
    /// cover in one batch; each group in which one of them is primary or secondary, once, to
    /// see who else is.
    async fn footprints(
        &self,
        account: &AccountId,
        users: Vec<User>,
    ) -> Result<Vec<Footprint>, DomainError> {
        let now = self.clock.now();
        let mut wanted: BTreeSet<Key> = BTreeSet::new();
        for user in &users {
            wanted.extend(
                user.shifts
                    .iter()
                    .map(|r| keys::shift(account, &r.group_id, &r.shift_id)),
            );
            wanted.extend(user.member_of.keys().map(|g| keys::group(account, g)));
            wanted.extend(
                user.covering
                    .iter()
                    .map(|c| keys::user(account, &c.user_id)),
            );
        }
        let wanted: Vec<Key> = wanted.into_iter().collect();
        let read = self.read_batch(&wanted).await?;
        let mut details: BTreeMap<GroupId, Vec<Membership>> = BTreeMap::new();
        for user in &users {
            for (group, roles) in &user.member_of {
                if roles.escalates()
                    && read.groups.contains_key(group)
                    && !details.contains_key(group)
                {
                    let detail = self.load_group(account, group).await?;
                    details.insert(group.clone(), detail.memberships);
                }
            }
        }
        Ok(users
            .into_iter()
            .map(|user| footprint_in(user, &read, &details, now))
            .collect())
    }

    /// The replacement, checked: another standard user of the account, not deactivated, and
    /// not themself away under an entry the user covers.
    async fn replacement(
        &self,
        account: &AccountId,
        print: &Footprint,
        id: &UserId,
    ) -> Result<User, DomainError> {
        let invalid = |message: String| {
            DomainError::Validation(vec![FieldError::new("replacement", message)])
        };
        if id == &print.user.id {
            return Err(invalid("Replacement must be someone else".into()));
        }
        let taker = match self.load_user(account, id).await {
            Ok(taker) => taker,
            Err(DomainError::NotFound { .. }) => {
                return Err(invalid(format!(
                    "Replacement {id} is not a user of this account"
                )));
            }
            Err(e) => return Err(e),
        };
        if !taker.user_type.may_take_shifts() {
            return Err(invalid(format!(
                "Replacement {id} is a {} user and cannot be on shifts",
                taker.user_type
            )));
        }
        if taker.deactivated {
            return Err(invalid(format!(
                "Replacement {id} is deactivated and cannot step in"
            )));
        }
        if print.covered.iter().any(|(away, _)| away.id == taker.id) {
            return Err(invalid(format!(
                "Replacement {id} is out of office with {} as their cover; nobody covers \
                 for themself",
                print.user.id
            )));
        }
        Ok(taker)
    }

    /// Puts `taker` in the user's place everywhere: each group (with at least the user's roles),
    /// each shift, each cover. Batches of up to 100 writes, each with the taker's record as it
    /// stands after it, so every batch leaves a valid account. `true` when there was nothing to
    /// do; `false` after writing (or on a lost race), so the caller reads again.
    async fn step_in(
        &self,
        account: &AccountId,
        print: &Footprint,
        taker: User,
    ) -> Result<bool, DomainError> {
        let user = &print.user;
        let mut steps: Vec<(Vec<Write>, Takeover)> = Vec::new();
        for (group_id, roles) in &user.member_of {
            let Some(group) = print.groups.get(group_id) else {
                continue;
            };
            let had = taker.member_of.get(group_id).copied();
            let wanted = MemberRoles {
                primary: roles.primary || had.is_some_and(|r| r.primary),
                secondary: roles.secondary || had.is_some_and(|r| r.secondary),
                manager: roles.manager || had.is_some_and(|r| r.manager),
            };
            if had == Some(wanted) {
                continue;
            }
            let membership = Membership {
                group_id: group_id.clone(),
                user_id: taker.id.clone(),
                roles: wanted,
            };
            let bumped = Group {
                version: group.version + 1,
                ..group.clone()
            };
            steps.push((
                vec![
                    Write::put(records::membership_item(account, &membership)?, None),
                    Write::put(
                        records::group_item(account, &bumped)?,
                        Condition::VersionIs(group.version),
                    ),
                ],
                Takeover::Join(group_id.clone(), wanted),
            ));
        }
        for shift in &print.shifts {
            let mut next = shift.clone();
            next.user_ids.retain(|u| u != &user.id);
            if !next.user_ids.contains(&taker.id) {
                next.user_ids.push(taker.id.clone());
            }
            next.version = shift.version + 1;
            steps.push((
                vec![Write::put(
                    records::shift_item(account, &next)?,
                    Condition::VersionIs(shift.version),
                )],
                Takeover::Shift(ShiftRef {
                    group_id: shift.group_id.clone(),
                    shift_id: shift.id.clone(),
                }),
            ));
        }
        for (away, entries) in &print.covered {
            let mut next = away.clone();
            for entry in &mut next.out_of_office {
                if entries.iter().any(|e| e.id == entry.id) {
                    *entry = cover_moved(entry, &user.id, &taker.id);
                }
            }
            next.version = away.version + 1;
            next.updated_at = self.clock.now();
            let write = Write::put(
                records::user_item(account, &next)?,
                Condition::VersionIs(away.version),
            );
            for (i, entry) in entries.iter().enumerate() {
                let takeover = Takeover::Cover(CoverRef {
                    user_id: away.id.clone(),
                    entry_id: entry.id.clone(),
                });
                let writes = if i == 0 {
                    vec![write.clone()]
                } else {
                    Vec::new()
                };
                steps.push((writes, takeover));
            }
        }
        if steps.is_empty() {
            return Ok(true);
        }
        let mut record = taker;
        let mut batch: Vec<Write> = Vec::new();
        let mut pending = steps.into_iter().peekable();
        while let Some((writes, takeover)) = pending.next() {
            batch.extend(writes);
            match takeover {
                Takeover::Join(group, roles) => {
                    record.member_of.insert(group, roles);
                }
                Takeover::Shift(reference) => {
                    record.shifts.insert(reference);
                }
                Takeover::Cover(reference) => {
                    record.covering.insert(reference);
                }
            }
            let next_size = pending.peek().map_or(0, |(w, _)| w.len());
            if pending.peek().is_none() || batch.len() + next_size + 1 > MAX_TRANSACTION_ITEMS {
                let mut next = record.clone();
                next.version += 1;
                next.updated_at = self.clock.now();
                batch.push(Write::put(
                    records::user_item(account, &next)?,
                    Condition::VersionIs(record.version),
                ));
                match self.table.transact(std::mem::take(&mut batch)).await {
                    Ok(()) => record = next,
                    Err(TableError::ConditionFailed(_)) => return Ok(false),
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Ok(false)
    }

    /// The user leaves every group and goes, with everything that is theirs. Memberships that
    /// do not fit in the final transaction leave first, in batches, each with the user's record
    /// (a user who has left some groups is a valid user). Leaving a group in which the user is
    /// primary or secondary bumps the group's version, as any member change does, so a
    /// concurrent change to its members is decided again. Returns the user's own out-of-office
    /// entries, whose covers' records still note them.
    async fn leave_and_go(
        &self,
        actor: &Actor,
        print: Footprint,
    ) -> Result<Attempt<Vec<OutOfOffice>>, DomainError> {
        let account = actor.account();
        let mut user = print.user;
        let id = user.id.clone();
        let mut last: Vec<Write> = vec![
            Write::delete(keys::email_claim(account, &user.email), None),
            Write::delete(keys::username_claim(account, &user.username), None),
            Write::delete(keys::credential(account, &id), None),
            self.audit_write(
                account,
                actor.audit_actor(),
                "delete-user",
                ("user", id.as_str()),
                Some(&user),
                None,
            )?,
        ];
        last.extend(external_id_writes(account, Some(&user), None)?);
        last.extend(entry_writes(account, Some(&user), None)?);
        last.extend(self.calendar_feed_deletes(account, &id).await?);
        last.extend(self.invitation_deletes(account, &user).await?);
        let mut leaving: Vec<(GroupId, Vec<Write>)> = Vec::new();
        for (group_id, roles) in &user.member_of {
            let mut writes = vec![Write::delete(
                keys::membership(account, group_id, &id),
                None,
            )];
            if let Some(group) = print.groups.get(group_id).filter(|_| roles.escalates()) {
                let bumped = Group {
                    version: group.version + 1,
                    ..group.clone()
                };
                writes.push(Write::put(
                    records::group_item(account, &bumped)?,
                    Condition::VersionIs(group.version),
                ));
            }
            leaving.push((group_id.clone(), writes));
        }
        // The final transaction: what is left of the groups, the user item, `last` and the seat.
        let room = MAX_TRANSACTION_ITEMS.saturating_sub(last.len() + 2);
        while leaving.iter().map(|(_, w)| w.len()).sum::<usize>() > room {
            let mut batch = Vec::new();
            let mut next = user.clone();
            while let Some((group, writes)) = leaving.last() {
                if batch.len() + writes.len() + 1 > MAX_TRANSACTION_ITEMS {
                    break;
                }
                batch.extend(writes.iter().cloned());
                next.member_of.remove(group);
                leaving.pop();
            }
            next.version += 1;
            next.updated_at = self.clock.now();
            batch.push(Write::put(
                records::user_item(account, &next)?,
                Condition::VersionIs(user.version),
            ));
            match self.table.transact(batch).await {
                Ok(()) => user = next,
                Err(TableError::ConditionFailed(_)) => return Ok(Attempt::Raced),
                Err(e) => return Err(e.into()),
            }
        }
        let mut tx = Transaction::new();
        tx.push(
            Guard::Stale,
            Write::delete(keys::user(account, &id), Condition::VersionIs(user.version)),
        );
        tx.extend(Guard::Stale, leaving.into_iter().flat_map(|(_, w)| w));
        tx.extend(Guard::Stale, last);
        tx.extend(
            Guard::Seats,
            self.seat_write(account, &user, Tally::Release),
        );
        if tx.len() > MAX_TRANSACTION_ITEMS {
            return Err(DomainError::conflict(format!(
                "{id} has too many invitations and feeds to delete in one step"
            )));
        }
        match tx.commit(self.table.as_ref()).await {
            Ok(()) => Ok(Attempt::Done(user.out_of_office)),
            Err(refused) if refused.by(Guard::Seats) => match self.seat_refusal(account).await? {
                SeatRefusal::Counted => Ok(Attempt::Raced),
                // A holder with no seat counted: the counter is wrong, and nothing is deleted.
                SeatRefusal::Full(_) => Err(DomainError::Corrupt {
                    key: keys::seats(account).to_string(),
                    reason: "no seat is counted for a user who holds one".into(),
                }),
            },
            Err(Refused::Guards(_)) => Ok(Attempt::Raced),
            Err(Refused::Store(e)) => Err(e.into()),
        }
    }

    /// After a delete: the people who covered the deleted user's entries forget them. Nothing
    /// reads a note about a user who is gone, so a failure here is logged, not returned.
    async fn forget_covers(&self, account: &AccountId, id: &UserId, entries: &[OutOfOffice]) {
        let covers: BTreeSet<UserId> = entries
            .iter()
            .flat_map(|e| e.covering_users().into_iter().cloned())
            .collect();
        for cover in covers {
            let forgotten = optimistic(|| async {
                let Some(item) = self.table.get(&keys::user(account, &cover)).await? else {
                    return Ok(Attempt::Done(()));
                };
                let current = records::user_from_item(&item)?;
                let mut next = current.clone();
                next.covering.retain(|c| &c.user_id != id);
                if next == current {
                    return Ok(Attempt::Done(()));
                }
                next.version += 1;
                let write = Write::put(
                    records::user_item(account, &next)?,
                    Condition::VersionIs(current.version),
                );
                match self.table.transact(vec![write]).await {
                    Ok(()) => Ok(Attempt::Done(())),
                    Err(TableError::ConditionFailed(_)) => Ok(Attempt::Raced),
                    Err(e) => Err(e.into()),
                }
            })
            .await;
            if let Err(e) = forgotten {
                tracing::warn!(%account, user = %cover, error = %e, "a cover's note of a deleted user's entry stays");
            }
        }
    }
}
