//! One plan that holds every kind of change and every list beside them: what the rendering
//! snapshots (`tests/snapshots/plan.*`) show. Shared by the render test, which compares, and by
//! `cargo xtask generate` (tests/blackbox/xtask.rs), which writes them.

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
pub fn kind(change: &Change) -> usize {
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
pub const KINDS: usize = 17;

pub fn every_kind_of_change() -> Plan {
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
                devices: Vec::new(),
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

/// The snapshots, by file name under `shared/config/tests/snapshots/`, as the code renders them.
pub fn snapshots() -> [(&'static str, String); 3] {
    let plan = every_kind_of_change();
    [
        ("plan.txt", roster_config::render::text(&plan)),
        ("plan.json", roster_config::render::json(&plan)),
        ("plan.md", roster_config::render::markdown(&plan)),
    ]
}
