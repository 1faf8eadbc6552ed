//! Who is on call (SPEC.md §6): one pure answer to "who answers a page for this group at this
//! instant", over the group's members, its shifts, and the people involved — their
//! out-of-office entries and whether they are deactivated. `GET /groups/{id}/on-call` asks it
//! for one instant ([`Rota::responders`]); calendars ask it for the stretches of a window
//! ([`duties`]); both go through [`stand_in`], so they cannot disagree.
//!
//! The rules:
//! - Scheduled: the members on a shift occurrence that holds the instant; in a group with no
//!   shifts at all, every member, always.
//! - A scheduled person who is out of office is replaced by their cover for this group. One
//!   with no cover for the group — or whose cover is deactivated, away too, or gone (a cover
//!   covers nobody then; covers do not chain) — stays listed, unreachable. A deactivated person
//!   is listed unreachable and never replaced: deactivation is not an absence with a cover.
//! - Escalation order: primary members first, then secondary, then managers, then members with
//!   none of those roles; by name within each; each person once (their first place).

pub mod reminders;

use std::collections::{BTreeSet, HashMap, HashSet};

use jiff::Timestamp;

use crate::entities::{Cover, MemberRoles, Membership, Occurrence, OutOfOffice, Shift, User};
use crate::values::named::named_enum;
use crate::values::{GroupId, ShiftId, UserId};

/// What the resolver needs to know of a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: UserId,
    /// "First Last", as responders are listed.
    name: String,
    /// The name as escalation order compares it (case folded), folded once.
    sort_name: String,
    pub deactivated: bool,
    pub out_of_office: Vec<OutOfOffice>,
}

impl Person {
    pub fn new(
        id: UserId,
        name: String,
        deactivated: bool,
        out_of_office: Vec<OutOfOffice>,
    ) -> Self {
        Self {
            sort_name: name.to_lowercase(),
            id,
            name,
            deactivated,
            out_of_office,
        }
    }

    pub fn of(user: &User) -> Self {
        Self::new(
            user.id.clone(),
            format!("{} {}", user.first_name, user.last_name),
            user.deactivated,
            user.out_of_office.clone(),
        )
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The entry the person is away under at `at`, if any (entries never overlap).
    pub fn away_at(&self, at: Timestamp) -> Option<&OutOfOffice> {
        self.out_of_office
            .iter()
            .find(|o| o.starts_at <= at && at < o.ends_at)
    }

    /// Whether the person can be paged at `at`: not deactivated, not away.
    fn reachable_at(&self, at: Timestamp) -> bool {
        !self.deactivated && self.away_at(at).is_none()
    }
}

/// The people the resolver may look up, by id. Someone missing is someone who does not exist
/// (or was not read because no answer can involve them).
pub type People = HashMap<UserId, Person>;

/// Everyone involved, keyed by id.
pub fn people<'a>(users: impl IntoIterator<Item = &'a User>) -> People {
    users
        .into_iter()
        .map(|u| (u.id.clone(), Person::of(u)))
        .collect()
}

named_enum! {
    /// How a responder came to be paged.
    pub enum Via {
        /// On a shift that holds the instant.
        Shift = ("shift", "Shift"),
        /// Covering, while out of office, for someone on a shift (or a member, below).
        Cover = ("cover", "Cover"),
        /// A member of a group that has no shifts at all: every member is on call, always.
        Member = ("member", "Member"),
    }
}

named_enum! {
    /// Why a listed responder cannot be paged.
    pub enum Unreachable {
        /// Switched off by an admin or the identity provider.
        Deactivated = ("deactivated", "Deactivated"),
        /// Out of office, and nobody covers them for this group.
        OutOfOffice = ("out-of-office", "Out of office"),
        /// Out of office, and the cover for this group is deactivated, away too, or gone.
        CoverUnavailable = ("cover-unavailable", "Cover unavailable"),
    }
}

/// One person a page goes to, in escalation order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Responder {
    pub user_id: UserId,
    pub name: String,
    pub via: Via,
    /// The shift that put them (or whom they cover) on call; none for a group without shifts.
    pub shift_id: Option<ShiftId>,
    /// Whom they cover for, when `via` is `Cover`.
    pub covering_for: Option<UserId>,
    /// `None` when they can be paged.
    pub unreachable: Option<Unreachable>,
}

impl Responder {
    pub fn reachable(&self) -> bool {
        self.unreachable.is_none()
    }
}

/// Who answers for a scheduled person, borrowed from the people read: what ranking needs,
/// before anything is copied into a [`Responder`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer<'p> {
    Themself(Option<Unreachable>),
    Cover(&'p Person),
}

impl<'p> Answer<'p> {
    /// The rules of the module's header, for `person` in `group` at `at`.
    fn of(person: &'p Person, group: &GroupId, at: Timestamp, people: &'p People) -> Self {
        if person.deactivated {
            return Self::Themself(Some(Unreachable::Deactivated));
        }
        let Some(entry) = person.away_at(at) else {
            return Self::Themself(None);
        };
        let Some(cover_id) = cover_for(entry, group) else {
            return Self::Themself(Some(Unreachable::OutOfOffice));
        };
        match people.get(cover_id) {
            Some(cover) if cover.reachable_at(at) => Self::Cover(cover),
            Some(_) | None => Self::Themself(Some(Unreachable::CoverUnavailable)),
        }
    }

    /// Who is paged.
    fn paged(self, person: &'p Person) -> &'p UserId {
        match self {
            Self::Themself(_) => &person.id,
            Self::Cover(cover) => &cover.id,
        }
    }

    fn responder(self, person: &Person, shift: Option<&ShiftId>) -> Responder {
        match self {
            Self::Themself(unreachable) => Responder {
                user_id: person.id.clone(),
                name: person.name.clone(),
                via: if shift.is_some() {
                    Via::Shift
                } else {
                    Via::Member
                },
                shift_id: shift.cloned(),
                covering_for: None,
                unreachable,
            },
            Self::Cover(cover) => Responder {
                user_id: cover.id.clone(),
                name: cover.name.clone(),
                via: Via::Cover,
                shift_id: shift.cloned(),
                covering_for: Some(person.id.clone()),
                unreachable: None,
            },
        }
    }
}

/// Who answers, in `group` at `at`, for `person`, who is scheduled there through `shift` (or
/// as a member of a group without shifts): themself, their cover, or nobody reachable.
pub fn stand_in(
    person: &Person,
    group: &GroupId,
    shift: Option<&ShiftId>,
    at: Timestamp,
    people: &People,
) -> Responder {
    Answer::of(person, group, at, people).responder(person, shift)
}

/// The person who covers `group` in an out-of-office entry.
pub fn cover_for<'e>(entry: &'e OutOfOffice, group: &GroupId) -> Option<&'e UserId> {
    match &entry.cover {
        Cover::All(user) => Some(user),
        Cover::Groups(by_group) => by_group.get(group),
    }
}

/// Escalation tier of a member: primary, secondary, manager, then none of those.
fn tier(roles: Option<MemberRoles>) -> u8 {
    match roles {
        Some(r) if r.primary => 0,
        Some(r) if r.secondary => 1,
        Some(r) if r.manager => 2,
        Some(_) | None => 3,
    }
}

/// A group's schedule — its members and its shifts — indexed once, so that each instant asked
/// costs the shift arithmetic and not a search through people.
#[derive(Debug, Clone)]
pub struct Rota<'a> {
    group: &'a GroupId,
    shifts: &'a [Shift],
    /// Everyone the group can schedule: its members first, then anyone on a shift who is not a
    /// member (the rules keep that from happening; if it did, they would still be paged).
    ids: Vec<&'a UserId>,
    tiers: Vec<u8>,
    members: usize,
    /// Each shift's people, as positions in `ids`.
    on_shift: Vec<Vec<usize>>,
}

/// Someone scheduled at an instant, and the shift occurrence that schedules them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scheduled<'a> {
    pub user_id: &'a UserId,
    pub on: Option<(&'a Shift, Occurrence)>,
    tier: u8,
}

impl<'a> Rota<'a> {
    pub fn new(group: &'a GroupId, memberships: &'a [Membership], shifts: &'a [Shift]) -> Self {
        let mut ids: Vec<&'a UserId> = memberships.iter().map(|m| &m.user_id).collect();
        let mut tiers: Vec<u8> = memberships.iter().map(|m| tier(Some(m.roles))).collect();
        let mut position: HashMap<&'a UserId, usize> =
            ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        let on_shift = shifts
            .iter()
            .map(|shift| {
                shift
                    .user_ids
                    .iter()
                    .map(|user| {
                        *position.entry(user).or_insert_with(|| {
                            ids.push(user);
                            tiers.push(tier(None));
                            ids.len() - 1
                        })
                    })
                    .collect()
            })
            .collect();
        Self {
            group,
            shifts,
            members: memberships.len(),
            ids,
            tiers,
            on_shift,
        }
    }

    /// Who is scheduled at `at`, each once: on the earliest-starting occurrence that holds
    /// `at` (the shift id breaks ties); every member when the group has no shifts.
    pub fn scheduled(&self, at: Timestamp) -> Vec<Scheduled<'a>> {
        if self.shifts.is_empty() {
            return (0..self.members)
                .map(|i| Scheduled {
                    user_id: self.ids[i],
                    on: None,
                    tier: self.tiers[i],
                })
                .collect();
        }
        let mut on: Vec<(usize, Occurrence)> = Vec::new();
        for (index, shift) in self.shifts.iter().enumerate() {
            on.extend(shift.occurrences_at(at).map(|o| (index, o)));
        }
        on.sort_by(|a, b| {
            (a.1.start, &self.shifts[a.0].id).cmp(&(b.1.start, &self.shifts[b.0].id))
        });
        let mut seen = vec![false; self.ids.len()];
        let mut out = Vec::new();
        for (index, occurrence) in on {
            for &slot in &self.on_shift[index] {
                if !std::mem::replace(&mut seen[slot], true) {
                    out.push(Scheduled {
                        user_id: self.ids[slot],
                        on: Some((&self.shifts[index], occurrence)),
                        tier: self.tiers[slot],
                    });
                }
            }
        }
        out
    }

    /// The covers the scheduled people need at `at` that `people` does not hold yet: what a
    /// caller reads before asking for the responders.
    pub fn covers_to_read(&self, at: Timestamp, people: &People) -> Vec<UserId> {
        let mut wanted = BTreeSet::new();
        for scheduled in self.scheduled(at) {
            let Some(person) = people.get(scheduled.user_id) else {
                continue;
            };
            if let Some(cover) = person.away_at(at).and_then(|e| cover_for(e, self.group)) {
                if !people.contains_key(cover) {
                    wanted.insert(cover.clone());
                }
            }
        }
        wanted.into_iter().collect()
    }

    /// The responders at `at`, in escalation order. Scheduled people missing from `people`
    /// (a user being deleted) are left out.
    pub fn responders(&self, at: Timestamp, people: &People) -> Vec<Responder> {
        let mut ranked: Vec<(&Person, Answer<'_>, Scheduled<'a>)> = self
            .scheduled(at)
            .into_iter()
            .filter_map(|s| {
                let person = people.get(s.user_id)?;
                Some((person, Answer::of(person, self.group, at, people), s))
            })
            .collect();
        ranked.sort_by(|a, b| {
            (a.2.tier, &a.0.sort_name, &a.0.id).cmp(&(b.2.tier, &b.0.sort_name, &b.0.id))
        });
        let mut paged = HashSet::with_capacity(ranked.len());
        ranked
            .into_iter()
            .filter(|(person, answer, _)| paged.insert(answer.paged(person)))
            .map(|(person, answer, s)| answer.responder(person, s.on.map(|(shift, _)| &shift.id)))
            .collect()
    }
}

/// A stretch of one shift occurrence during which one answer holds for one scheduled person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duty<'a> {
    pub shift: &'a Shift,
    pub occurrence: Occurrence,
    pub start: Timestamp,
    pub end: Timestamp,
    /// The person on the shift.
    pub scheduled: UserId,
    /// Who answers for them during `[start, end)`.
    pub responder: Responder,
}

/// Every stretch of the occurrences of `shifts` overlapping `[from, to)`, for each person on
/// them who is in `people`: an occurrence splits where an out-of-office entry of the person or
/// of one of their covers begins or ends, and neighbouring stretches with the same answer are
/// one. Within a stretch the answer is what [`stand_in`] says at any instant of it.
pub fn duties<'a>(
    shifts: &'a [Shift],
    people: &People,
    from: Timestamp,
    to: Timestamp,
) -> Vec<Duty<'a>> {
    let mut out = Vec::new();
    for shift in shifts {
        for occurrence in shift.occurrences(from, to) {
            for person in shift.user_ids.iter().filter_map(|u| people.get(u)) {
                out.extend(stretches(shift, occurrence, person, people));
            }
        }
    }
    out.retain(|d| d.start < to && d.end > from);
    out
}

/// One person's stretches of one occurrence.
fn stretches<'a>(
    shift: &'a Shift,
    occurrence: Occurrence,
    person: &Person,
    people: &People,
) -> Vec<Duty<'a>> {
    // Where the answer can change: the occurrence's ends, and the ends of the person's
    // absences and of their covers' absences.
    let covers = person
        .out_of_office
        .iter()
        .filter_map(|entry| cover_for(entry, &shift.group_id).and_then(|c| people.get(c)));
    let mut cuts: Vec<Timestamp> = std::iter::once(person)
        .chain(covers)
        .flat_map(|p| p.out_of_office.iter())
        .flat_map(|e| [e.starts_at, e.ends_at])
        .filter(|t| occurrence.start < *t && *t < occurrence.end)
        .chain([occurrence.start, occurrence.end])
        .collect();
    cuts.sort();
    cuts.dedup();
    let mut out: Vec<Duty<'a>> = Vec::new();
    for pair in cuts.windows(2) {
        let (start, end) = (pair[0], pair[1]);
        let responder = stand_in(person, &shift.group_id, Some(&shift.id), start, people);
        match out.last_mut() {
            Some(last) if last.responder == responder => last.end = end,
            Some(_) | None => out.push(Duty {
                shift,
                occurrence,
                start,
                end,
                scheduled: person.id.clone(),
                responder,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests;
