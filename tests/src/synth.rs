//! A roster file's accounts as if applied, built in memory: for planning at a scale where
//! applying through a store would take the test (or benchmark) minutes.

use std::collections::BTreeMap;

use roster_domain::entities::{
    Account, ContactMethod, Group, ManagedBy, Membership, User, UserStatus,
};
use roster_domain::ports::table::{Condition, Table, Write};
use roster_domain::reconcile::{DesiredAccount, LiveAccount};
use roster_domain::values::{GroupId, Locale, Preferences, Role, TimeZoneName, UserId, Username};

/// The live state apply would leave behind for `desired`, ids made up.
pub fn live_from(desired: &DesiredAccount) -> LiveAccount {
    let now = jiff::Timestamp::now();
    let mut next_id = 0u128;
    let mut id = || {
        next_id += 1;
        ulid::Ulid::from_parts(1, next_id)
    };
    let groups: Vec<Group> = desired
        .groups
        .iter()
        .map(|g| Group {
            id: GroupId::from_ulid(id()),
            name: g.name.clone(),
            created_at: now,
            deleting: false,
            managed_by: ManagedBy::Config,
            external_id: None,
            version: 1,
        })
        .collect();
    let mut users: Vec<User> = desired
        .users
        .iter()
        .map(|d| {
            let user_type = d.user_type.unwrap_or_default_standard();
            let mut contact_methods = Vec::new();
            if user_type.receives_alerts() {
                let declared = d.contact_methods.clone().unwrap_or_default();
                if !declared.iter().any(|c| c.method.id() == "email-official") {
                    contact_methods.push(ContactMethod::email_official());
                }
                for c in declared {
                    contact_methods.push(ContactMethod {
                        method: c.method,
                        value: c.value,
                        wait_minutes: c.wait_minutes.unwrap_or_default(),
                        retries: c.retries.unwrap_or_default(),
                        devices: Vec::new(),
                    });
                }
            }
            User {
                id: UserId::from_ulid(id()),
                email: d.email.clone(),
                username: d
                    .username
                    .clone()
                    .unwrap_or_else(|| Username::from(&d.email)),
                first_name: d.first_name.clone(),
                last_name: d.last_name.clone(),
                user_type,
                roles: if user_type.holds_roles() {
                    d.roles.clone().unwrap_or_else(|| [Role::Basic].into())
                } else {
                    Default::default()
                },
                contact_methods,
                external_id: d.external_id.clone(),
                preferences: Preferences {
                    time_zone: d.time_zone.clone().unwrap_or_else(TimeZoneName::utc),
                    locale: d.locale.clone().unwrap_or_else(Locale::en_us),
                    ..Default::default()
                },
                on_call_reminders: Default::default(),
                status: UserStatus::Invited,
                member_of: BTreeMap::new(),
                shifts: Default::default(),
                out_of_office: Vec::new(),
                covering: Default::default(),
                deactivated: false,
                is_owner: d.email == desired.owner,
                managed_by: ManagedBy::Config,
                provided: Default::default(),
                created_at: now,
                updated_at: now,
                version: 1,
            }
        })
        .collect();
    let mut memberships = Vec::new();
    for (group, declared) in groups.iter().zip(&desired.groups) {
        for member in &declared.members {
            let Some(user) = users.iter_mut().find(|u| u.email == member.email) else {
                continue;
            };
            user.member_of.insert(group.id.clone(), member.roles);
            memberships.push(Membership {
                group_id: group.id.clone(),
                user_id: user.id.clone(),
                roles: member.roles,
            });
        }
    }
    let owner = users
        .iter()
        .find(|u| u.is_owner)
        .map(|u| u.id.clone())
        .unwrap_or_else(|| UserId::from_ulid(id()));
    LiveAccount {
        account: Some(Account {
            id: desired.id.clone(),
            name: desired.name.clone(),
            owner,
            seats: desired.seats,
            created_at: now,
            version: 1,
        }),
        users,
        groups,
        memberships,
        shifts: Vec::new(),
    }
}

/// Writes `live` into `table` as stored items, 100 to a transaction (DynamoDB's most), each item
/// on condition that it is new. Returns how many items were written.
pub async fn seed(table: &dyn Table, live: &LiveAccount) -> usize {
    let items = live.items().expect("the synthetic account encodes");
    let count = items.len();
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        let writes = items
            .by_ref()
            .take(100)
            .map(|item| Write::put(item, Condition::MustNotExist))
            .collect();
        table
            .transact(writes)
            .await
            .expect("seeding a fresh account");
    }
    count
}

trait StandardByDefault {
    fn unwrap_or_default_standard(self) -> roster_domain::values::UserType;
}

impl StandardByDefault for Option<roster_domain::values::UserType> {
    fn unwrap_or_default_standard(self) -> roster_domain::values::UserType {
        self.unwrap_or(roster_domain::values::UserType::Standard)
    }
}

/// A roster file of `users` users in one account: each with five contact methods and three
/// group memberships (for scale tests and benchmarks).
pub fn big_roster_yaml(users: usize, groups: usize) -> String {
    let mut out = String::with_capacity(users * 700);
    out.push_str("accounts:\n  - id: bigco\n    name: Big Co\n    owner: user00000@bigco.example\n    groups:\n");
    for g in 0..groups {
        out.push_str(&format!("      - name: Group {g:04}\n        members:\n"));
        for u in (0..users)
            .filter(|u| (u % groups == g) || ((u + 1) % groups == g) || ((u + 2) % groups == g))
        {
            let role = if u % groups == g {
                "primary"
            } else {
                "secondary"
            };
            out.push_str(&format!(
                "          - {{ user: user{u:05}@bigco.example, roles: [{role}] }}\n"
            ));
        }
    }
    out.push_str("    users:\n");
    for u in 0..users {
        let phone = 2_025_550_000 + u as u64 % 10_000;
        out.push_str(&format!(
            "      - email: user{u:05}@bigco.example\n        first_name: First{u}\n        last_name: Last{u}\n        roles: [basic]\n        time_zone: America/New_York\n        contact_methods:\n          - {{ method: sms-personal, value: \"+1{phone}\", wait_minutes: 5, retries: 2 }}\n          - {{ method: email-official }}\n          - {{ method: email-personal, value: u{u}@home.example }}\n          - {{ method: phone-personal, value: \"+1{phone}\" }}\n          - {{ method: email-personal-sms-gateway, value: \"{phone}@sms.example\" }}\n"
        ));
    }
    out
}

/// The on-call resolver's test and benchmark case: one account with a group of `members`
/// members — a primary every fifth, the rest secondary, a manager every tenth — and `shifts`
/// weekly shifts of eight hours spread evenly over the week (so about `shifts * 8 / 168` hold
/// any instant), in four zones (two northern DST zones, Lord Howe's half-hour DST, Kolkata
/// without DST), each holding `per_shift` members in turn (at most 45, what a shift holds);
/// every twentieth member is out of office for 2027, covered by turns by another member or by
/// one of `members / 20` people outside the group. The group is the account's first.
pub fn rota(members: usize, shifts: usize, per_shift: usize) -> LiveAccount {
    let outside = (members / 20).max(1);
    let desired = roster_config::load("rota.yaml", &big_roster_yaml(members + outside, 1))
        .expect("the synthetic roster loads");
    let mut live = live_from(&desired.accounts[0]);
    let group = live.groups[0].id.clone();
    // The group holds the first `members` users; the rest are the outside covers.
    live.memberships.truncate(members);
    for user in &mut live.users[members..] {
        user.member_of.clear();
    }
    for (n, membership) in live.memberships.iter_mut().enumerate() {
        membership.roles = roster_domain::entities::MemberRoles {
            primary: n % 5 == 0,
            secondary: n % 5 != 0,
            manager: n % 10 == 3,
        };
        if let Some(g) = live.users[n].member_of.get_mut(&group) {
            *g = membership.roles;
        }
    }
    const ZONES: [&str; 4] = [
        "America/New_York",
        "Europe/London",
        "Australia/Lord_Howe",
        "Asia/Kolkata",
    ];
    let ids: Vec<UserId> = live.users.iter().map(|u| u.id.clone()).collect();
    for s in 0..shifts {
        // Monday 2026-11-30, 00:00 local, plus this shift's share of the week.
        let hours = (s * 168 / shifts) as i64;
        let start = jiff::civil::date(2026, 11, 30).at(0, 0, 0, 0)
            + jiff::SignedDuration::from_hours(hours);
        live.shifts.push(roster_domain::entities::Shift {
            id: roster_domain::values::ShiftId::from_ulid(ulid::Ulid::from_parts(7, s as u128)),
            group_id: group.clone(),
            name: roster_domain::values::ShiftName::parse(&format!("Shift {s}")).unwrap(),
            starts_local: start,
            time_zone: TimeZoneName::parse(ZONES[s % ZONES.len()]).unwrap(),
            duration_minutes: 8 * 60,
            repeat: roster_domain::entities::Repeat::Weekly,
            user_ids: (0..per_shift)
                .map(|k| ids[(s * per_shift + k) % members].clone())
                .collect(),
            version: 1,
        });
    }
    let year = (
        "2027-01-01T00:00:00Z".parse().unwrap(),
        "2028-01-01T00:00:00Z".parse().unwrap(),
    );
    for n in (0..members).step_by(20) {
        let cover_at = if (n / 20) % 2 == 0 {
            (n + 1) % members
        } else {
            members + (n / 20) % outside
        };
        let cover = ids[cover_at].clone();
        live.users[cover_at]
            .covering
            .insert(roster_domain::entities::CoverRef {
                user_id: ids[n].clone(),
                entry_id: format!("away-{n}"),
            });
        live.users[n]
            .out_of_office
            .push(roster_domain::entities::OutOfOffice {
                id: format!("away-{n}"),
                starts_at: year.0,
                ends_at: year.1,
                cover: roster_domain::entities::Cover::All(cover),
            });
    }
    live
}
