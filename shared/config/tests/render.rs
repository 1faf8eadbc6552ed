//! One plan that holds every kind of change and every list beside them, rendered as text, JSON
//! and Markdown and compared with `tests/snapshots/plan.*`. The snapshots are written by this
//! test alone: `ROSTER_BLESS=1 cargo test -p roster-config --test render`.

use roster_domain::entities::{ContactMethod, ManagedBy, MemberRoles};
use roster_domain::reconcile::{
    AccountField, AccountPlan, Adoption, Blocked, Change, ContactField, OwnedElsewhere, Plan,
    Refusal, Unmanaged, UnmanagedMember, UserField,
};
use roster_domain::values::{
    AccountId, AccountName, ContactMethodKind, ContactValue, Email, ExternalId, GroupId, GroupName,
    Locale, PersonName, Retries, Role, TimeZoneName, UserId, Username, WaitMinutes,
};

fn email(e: &str) -> Email {
    Email::parse(e).unwrap()
}

fn user(n: u128) -> UserId {
    UserId::from_ulid(ulid::Ulid::from_parts(1, n))
}

fn group_id(n: u128) -> GroupId {
    GroupId::from_ulid(ulid::Ulid::from_parts(2, n))
}

fn group(n: &str) -> GroupName {
    GroupName::parse(n).unwrap()
}

fn person(n: &str) -> PersonName {
    PersonName::parse(n).unwrap()
}

fn roles(primary: bool, secondary: bool, manager: bool) -> MemberRoles {
    MemberRoles {
        primary,
        secondary,
        manager,
    }
}

/// Which kind of change `change` is: a match the compiler holds to every variant, so a new
/// kind of change fails to build here until the plan below shows it.
fn kind(change: &Change) -> usize {
    match change {
        Change::CreateAccount { .. } => 0,
        Change::UpdateAccount { .. } => 1,
        Change::RenameGroup { .. } => 2,
        Change::CreateGroup { .. } => 3,
        Change::CreateUser { .. } => 4,
        Change::UpdateUser { .. } => 5,
        Change::AddRole { .. } => 6,
        Change::RemoveRole { .. } => 7,
        Change::AddContact { .. } => 8,
        Change::ChangeContact { .. } => 9,
        Change::RemoveContact { .. } => 10,
        Change::ReorderContacts { .. } => 11,
        Change::AddMember { .. } => 12,
        Change::ChangeMember { .. } => 13,
        Change::RemoveMember { .. } => 14,
        Change::DeleteUser { .. } => 15,
        Change::DeleteGroup { .. } => 16,
    }
}
const KINDS: usize = 17;

fn every_kind_of_change() -> Plan {
    let (bo, cy) = (email("bo@acme.example"), email("cy@acme.example"));
    let mut new_account = AccountPlan::new(AccountId::parse("globex").unwrap());
    new_account.changes.push(Change::CreateAccount {
        name: AccountName::parse("Globex").unwrap(),
        owner: email("hank@globex.example"),
    });
    let changes = vec![
        Change::UpdateAccount {
            field: AccountField::Name {
                from: AccountName::parse("Acme").unwrap(),
                to: AccountName::parse("Acme Corp").unwrap(),
            },
        },
        Change::UpdateAccount {
            field: AccountField::Seats { from: None, to: 50 },
        },
        Change::RenameGroup {
            group_id: group_id(1),
            from: group("Payments API"),
            to: group("Payments Platform"),
        },
        Change::CreateGroup {
            group: group("Search"),
        },
        Change::CreateUser {
            email: email("dee@acme.example"),
        },
        Change::UpdateUser {
            email: bo.clone(),
            user_id: user(2),
            field: UserField::FirstName {
                from: person("Bruninho"),
                to: person("Bruno"),
            },
        },
        Change::UpdateUser {
            email: bo.clone(),
            user_id: user(2),
            field: UserField::Username {
                from: Username::parse("bo@acme.example").unwrap(),
                to: Username::parse("bruno").unwrap(),
            },
        },
        Change::UpdateUser {
            email: bo.clone(),
            user_id: user(2),
            field: UserField::TimeZone {
                from: TimeZoneName::parse("UTC").unwrap(),
                to: TimeZoneName::parse("America/Sao_Paulo").unwrap(),
            },
        },
        Change::UpdateUser {
            email: bo.clone(),
            user_id: user(2),
            field: UserField::Locale {
                from: Locale::parse("en-US").unwrap(),
                to: Locale::parse("pt-BR").unwrap(),
            },
        },
        Change::UpdateUser {
            email: bo.clone(),
            user_id: user(2),
            field: UserField::ExternalId {
                from: None,
                to: ExternalId::parse("HR-7").unwrap(),
            },
        },
        Change::AddRole {
            email: bo.clone(),
            user_id: user(2),
            role: Role::SystemViewer,
        },
        Change::RemoveRole {
            email: bo.clone(),
            user_id: user(2),
            role: Role::Basic,
        },
        Change::AddContact {
            email: bo.clone(),
            user_id: user(2),
            contact: ContactMethod {
                method: ContactMethodKind::SmsPersonal,
                value: Some(
                    ContactValue::parse_for(ContactMethodKind::SmsPersonal, "+14045550101")
                        .unwrap(),
                ),
                wait_minutes: WaitMinutes::new(5).unwrap(),
                retries: Retries::new(2).unwrap(),
                platform: None,
                endpoint: None,
            },
        },
        Change::ChangeContact {
            email: bo.clone(),
            user_id: user(2),
            method: ContactMethodKind::EmailPersonal,
            field: ContactField::Value {
                from: ContactValue::parse_for(ContactMethodKind::EmailPersonal, "bo@old.example")
                    .unwrap(),
                to: ContactValue::parse_for(ContactMethodKind::EmailPersonal, "bo@home.example")
                    .unwrap(),
            },
        },
        Change::ChangeContact {
            email: bo.clone(),
            user_id: user(2),
            method: ContactMethodKind::EmailOfficial,
            field: ContactField::WaitMinutes {
                from: WaitMinutes::new(0).unwrap(),
                to: WaitMinutes::new(15).unwrap(),
            },
        },
        Change::ChangeContact {
            email: bo.clone(),
            user_id: user(2),
            method: ContactMethodKind::EmailOfficial,
            field: ContactField::Retries {
                from: Retries::new(0).unwrap(),
                to: Retries::new(3).unwrap(),
            },
        },
        Change::RemoveContact {
            email: bo.clone(),
            user_id: user(2),
            method: ContactMethodKind::PhonePersonal,
        },
        Change::ReorderContacts {
            email: bo.clone(),
            user_id: user(2),
            from: vec![
                ContactMethodKind::EmailOfficial,
                ContactMethodKind::SmsPersonal,
                ContactMethodKind::Push,
            ],
            to: vec![
                ContactMethodKind::SmsPersonal,
                ContactMethodKind::EmailOfficial,
                ContactMethodKind::Push,
            ],
        },
        Change::AddMember {
            group: group("Search"),
            email: email("dee@acme.example"),
            roles: roles(true, false, false),
        },
        Change::ChangeMember {
            group: group("Payments Platform"),
            email: bo.clone(),
            from: roles(false, true, false),
            to: roles(true, false, true),
        },
        Change::RemoveMember {
            group: group("Payments Platform"),
            email: cy.clone(),
        },
        Change::DeleteUser {
            email: cy.clone(),
            user_id: user(3),
        },
        Change::DeleteGroup {
            group: group("Legacy"),
            group_id: group_id(4),
        },
    ];
    let acme = AccountPlan {
        account: AccountId::parse("acme").unwrap(),
        changes,
        blocked: vec![Blocked {
            subject: "delete group Database".into(),
            reason: "it has shifts: Database/Nights (daily from 22:00 America/New_York for 480 min); delete them first or keep the group in the file".into(),
        }],
        owned_elsewhere: vec![OwnedElsewhere {
            email: email("hana@acme.example"),
            user_id: user(5),
            owner: ManagedBy::Scim,
            field: UserField::LastName {
                from: person("Sato"),
                to: person("Satō"),
            },
        }],
        unmanaged: vec![
            Unmanaged {
                email: email("walk.in@acme.example"),
                managed_by: ManagedBy::Api,
            },
            Unmanaged {
                email: email("ida@acme.example"),
                managed_by: ManagedBy::Scim,
            },
        ],
        unmanaged_members: vec![UnmanagedMember {
            group: group("Payments Platform"),
            email: email("walk.in@acme.example"),
            managed_by: ManagedBy::Api,
            roles: roles(false, true, false),
        }],
        unmanaged_groups: vec![group("Ad Hoc")],
        kept: vec![email("old.timer@acme.example")],
        kept_groups: vec![group("Archive")],
        adopt: vec![
            Adoption::User {
                email: email("eve@acme.example"),
                user_id: user(6),
            },
            Adoption::Group {
                group: group("Search"),
                group_id: group_id(7),
            },
        ],
        refused: Some(Refusal {
            removals: 1,
            managed: 3,
            max_removal_ratio: 0.25,
        }),
    };
    Plan {
        accounts: vec![acme, new_account],
    }
}

fn compare(name: &str, rendered: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("ROSTER_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, rendered).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; write it with ROSTER_BLESS=1 cargo test -p roster-config --test render",
            path.display()
        )
    });
    assert_eq!(
        committed, rendered,
        "{name} differs; if the change is meant, ROSTER_BLESS=1 cargo test -p roster-config --test render"
    );
}

#[test]
fn the_plan_shows_every_kind_of_change() {
    let plan = every_kind_of_change();
    let mut seen = [false; KINDS];
    for change in plan.accounts.iter().flat_map(|a| &a.changes) {
        seen[kind(change)] = true;
    }
    assert!(seen.iter().all(|s| *s), "kinds shown: {seen:?}");
}

#[test]
fn text_rendering_matches_its_snapshot() {
    compare(
        "plan.txt",
        &roster_config::render::text(&every_kind_of_change()),
    );
}

#[test]
fn json_rendering_matches_its_snapshot() {
    compare(
        "plan.json",
        &roster_config::render::json(&every_kind_of_change()),
    );
}

#[test]
fn markdown_rendering_matches_its_snapshot() {
    compare(
        "plan.md",
        &roster_config::render::markdown(&every_kind_of_change()),
    );
}
