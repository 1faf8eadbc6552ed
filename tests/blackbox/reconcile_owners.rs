//! Roster as code, second round (SPEC.md §7), on both stores: groups renamed in place with
//! `previously`, config-managed groups pruned (never with shifts), groups made through the API
//! adopted, an identity provider's users keeping the identity it gave them, and memberships the
//! file does not manage listed rather than skipped.

use roster_domain::access::Actor;
use roster_domain::entities::{Group, ManagedBy, MemberRoles};
use roster_domain::reconcile::{
    Adoption, Change, DesiredRoster, OwnedElsewhere, UnmanagedMember, UserField,
};
use roster_domain::usecases::{GroupInput, MemberInput, NewUserInput, Roster, ShiftInput};
use roster_domain::values::{AccountId, Email, GroupName, PersonName, Role};
use roster_tests::{TestStore, for_each_store};

use crate::reconcile::{apply, example};

for_each_store!(
    a_group_renamed_with_previously_keeps_its_id_members_and_shifts,
    pruning_deletes_the_files_groups_but_never_one_with_shifts,
    a_group_made_through_the_api_is_adopted_when_the_file_names_it,
    an_identity_providers_user_keeps_their_identity_and_takes_the_rest_from_the_file,
    memberships_the_file_does_not_manage_are_listed_with_how_to_adopt,
);

fn acme() -> Actor {
    Actor::Operator(AccountId::parse("acme").unwrap())
}

fn name(n: &str) -> GroupName {
    GroupName::parse(n).unwrap()
}

fn email(e: &str) -> Email {
    Email::parse(e).unwrap()
}

async fn group(roster: &Roster, n: &str) -> Group {
    roster
        .list_groups(&acme())
        .await
        .unwrap()
        .into_iter()
        .find(|g| g.name.as_str() == n)
        .unwrap_or_else(|| panic!("no group {n}"))
}

/// A weekly shift in `group` with `who` on it.
async fn shift(roster: &Roster, group: &Group, who: &str) {
    let user = roster
        .user_id_by_email(acme().account(), &email(who))
        .await
        .unwrap();
    roster
        .create_shift(
            &acme(),
            &group.id,
            &ShiftInput {
                name: Some("Weekdays".into()),
                starts_at: Some("2027-01-04T09:00".into()),
                time_zone: Some("America/New_York".into()),
                duration_minutes: Some(480),
                repeat: Some("weekly".into()),
                user_ids: Some(vec![user.to_string()]),
            },
        )
        .await
        .unwrap();
}

/// The example with acme's groups edited by `edit`.
fn with_groups(
    edit: impl FnOnce(&mut Vec<roster_domain::reconcile::DesiredGroup>),
) -> DesiredRoster {
    let mut desired = example();
    edit(&mut desired.accounts[0].groups);
    desired
}

async fn a_group_renamed_with_previously_keeps_its_id_members_and_shifts(store: &TestStore) {
    let roster = store.roster();
    apply(&roster, &example()).await;
    let before = group(&roster, "Payments API").await;
    shift(&roster, &before, "dana.whitfield@acme.example").await;

    let renamed = with_groups(|groups| {
        let g = groups
            .iter_mut()
            .find(|g| g.name.as_str() == "Payments API")
            .unwrap();
        g.previously = vec![name("Payments"), name("Payments API")];
        g.name = name("Payments Platform");
    });
    let plan = roster.plan(&renamed).await.unwrap();
    assert_eq!(
        plan.accounts[0].changes,
        [Change::RenameGroup {
            group_id: before.id.clone(),
            from: name("Payments API"),
            to: name("Payments Platform"),
        }],
        "one rename and nothing else"
    );
    apply(&roster, &renamed).await;

    let (detail, members) = roster.get_group(&acme(), &before.id).await.unwrap();
    assert_eq!(detail.group.name.as_str(), "Payments Platform");
    assert_eq!(detail.shifts.len(), 1, "the shift stayed with the group");
    let mut emails: Vec<&str> = members.iter().map(|m| m.user.email.as_str()).collect();
    emails.sort();
    assert_eq!(
        emails,
        [
            "chidi.okafor@acme.example",
            "dana.whitfield@acme.example",
            "erin.lee@acme.example"
        ]
    );
    let names: Vec<String> = roster
        .list_groups(&acme())
        .await
        .unwrap()
        .iter()
        .map(|g| g.name.to_string())
        .collect();
    assert_eq!(
        names,
        ["Change Management", "Database Atlanta", "Payments Platform"]
    );
    let again = roster.plan(&renamed).await.unwrap();
    assert!(!again.has_drift(), "{again:#?}");
}

async fn pruning_deletes_the_files_groups_but_never_one_with_shifts(store: &TestStore) {
    let roster = store.roster();
    apply(&roster, &example()).await;
    let staffed = group(&roster, "Database Atlanta").await;
    shift(&roster, &staffed, "bruno.costa@acme.example").await;
    let idle = group(&roster, "Change Management").await;
    let smaller = with_groups(|groups| {
        groups.retain(|g| g.name.as_str() == "Payments API");
    });

    // Without prune, both are kept and said to be.
    let plan = roster.plan(&smaller).await.unwrap();
    let acme_plan = &plan.accounts[0];
    assert!(acme_plan.changes.is_empty(), "{:#?}", acme_plan.changes);
    assert_eq!(
        acme_plan.kept_groups,
        [name("Change Management"), name("Database Atlanta")]
    );

    let mut pruning = smaller.clone();
    pruning.accounts[0].prune = true;
    let plan = roster.plan(&pruning).await.unwrap();
    let acme_plan = &plan.accounts[0];
    assert_eq!(
        acme_plan.changes,
        [Change::DeleteGroup {
            group: name("Change Management"),
            group_id: idle.id.clone(),
        }]
    );
    assert_eq!(acme_plan.blocked.len(), 1, "{:#?}", acme_plan.blocked);
    let blocked = &acme_plan.blocked[0];
    assert_eq!(blocked.subject, "delete group Database Atlanta");
    assert!(
        blocked
            .reason
            .starts_with("it has shifts: Database Atlanta/Weekdays"),
        "{}",
        blocked.reason
    );
    apply(&roster, &pruning).await;
    assert!(
        roster.get_group(&acme(), &idle.id).await.is_err(),
        "deleted"
    );
    assert!(
        roster.get_group(&acme(), &staffed.id).await.is_ok(),
        "kept: it has a shift"
    );
    let again = roster.plan(&pruning).await.unwrap();
    assert!(again.accounts[0].changes.is_empty());
    assert_eq!(
        again.accounts[0].blocked, acme_plan.blocked,
        "still blocked, still said"
    );
}

async fn a_group_made_through_the_api_is_adopted_when_the_file_names_it(store: &TestStore) {
    let roster = store.roster();
    apply(&roster, &example()).await;
    let made = roster
        .create_group(
            &acme(),
            &GroupInput {
                name: Some("Search".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(made.managed_by, ManagedBy::Api);

    // Not named: listed, left alone, even when pruning.
    let mut pruning = example();
    pruning.accounts[0].prune = true;
    let plan = roster.plan(&pruning).await.unwrap();
    assert_eq!(plan.accounts[0].unmanaged_groups, [name("Search")]);
    assert!(!plan.has_drift());

    // Named: adopted (bookkeeping, not drift), then the file's to prune.
    let naming = {
        let mut desired = pruning.clone();
        desired.accounts[0]
            .groups
            .push(roster_domain::reconcile::DesiredGroup {
                name: name("Search"),
                previously: Vec::new(),
                members: Vec::new(),
            });
        desired
    };
    let plan = roster.plan(&naming).await.unwrap();
    assert_eq!(
        plan.accounts[0].adopt,
        [Adoption::Group {
            group: name("Search"),
            group_id: made.id.clone(),
        }]
    );
    assert!(!plan.has_drift());
    apply(&roster, &naming).await;
    assert_eq!(group(&roster, "Search").await.managed_by, ManagedBy::Config);
    let plan = roster.plan(&pruning).await.unwrap();
    assert_eq!(
        plan.accounts[0].changes,
        [Change::DeleteGroup {
            group: name("Search"),
            group_id: made.id,
        }]
    );
}

async fn an_identity_providers_user_keeps_their_identity_and_takes_the_rest_from_the_file(
    store: &TestStore,
) {
    let roster = store.roster();
    apply(&roster, &example()).await;
    // Provisioned by an identity provider: seeded as SCIM would.
    let (provisioned, _) = roster
        .create_user(
            &acme(),
            &NewUserInput {
                email: Some("hana.sato@acme.example".into()),
                first_name: Some("Hana".into()),
                last_name: Some("Sato".into()),
                external_id: Some("okta-00u1".into()),
                ..Default::default()
            },
            ManagedBy::Scim,
        )
        .await
        .unwrap();
    let text = std::fs::read_to_string(crate::reconcile::EXAMPLE)
        .unwrap()
        .replacen(
            "      - email: grace.kim@acme.example",
            "      - email: hana.sato@acme.example
        first_name: Hanako
        last_name: Satō
        external_id: HR-20001
        roles: [basic, system-viewer]
        contact_methods:
          - { method: sms-personal, value: \"+14045550199\" }
      - email: grace.kim@acme.example",
            1,
        );
    let desired = roster_config::load("named.yaml", &text).unwrap();
    let plan = roster.plan(&desired).await.unwrap();
    let acme_plan = &plan.accounts[0];
    let names_changed = acme_plan
        .changes
        .iter()
        .any(|c| matches!(c, Change::UpdateUser { field, .. } if field.is_identity()));
    assert!(
        !names_changed,
        "identity is never planned: {:#?}",
        acme_plan.changes
    );
    let owned: Vec<&str> = acme_plan
        .owned_elsewhere
        .iter()
        .map(|o| o.field.name())
        .collect();
    assert_eq!(owned, ["first_name", "last_name", "external_id"]);
    assert_eq!(
        acme_plan.owned_elsewhere[0],
        OwnedElsewhere {
            email: email("hana.sato@acme.example"),
            user_id: provisioned.id.clone(),
            owner: ManagedBy::Scim,
            field: UserField::FirstName {
                from: PersonName::parse("Hana").unwrap(),
                to: PersonName::parse("Hanako").unwrap(),
            },
        }
    );
    assert!(
        acme_plan.adopt.is_empty(),
        "an identity provider's user is not adopted"
    );
    let kinds: Vec<&str> = acme_plan
        .changes
        .iter()
        .map(|c| match c {
            Change::AddRole {
                role: Role::SystemViewer,
                ..
            } => "add system-viewer",
            Change::AddContact { .. } => "add sms-personal",
            other => panic!("only what the file may manage changes: {other:?}"),
        })
        .collect();
    assert_eq!(kinds, ["add system-viewer", "add sms-personal"]);
    let text_plan = roster_config::render::text(&plan);
    assert!(
        text_plan.contains(
            "owned elsewhere user hana.sato@acme.example first_name: \"Hana\" (file says \"Hanako\") owned by scim; not applied"
        ),
        "{text_plan}"
    );

    apply(&roster, &desired).await;
    let after = roster
        .get_user(&acme(), &provisioned.id)
        .await
        .unwrap()
        .user;
    assert_eq!(
        (after.first_name.as_str(), after.last_name.as_str()),
        ("Hana", "Sato"),
        "the identity provider's names stand"
    );
    assert_eq!(after.external_id.unwrap().as_str(), "okta-00u1");
    assert_eq!(after.managed_by, ManagedBy::Scim);
    assert!(
        after.roles.contains(&Role::SystemViewer),
        "the file's roles apply"
    );
    let again = roster.plan(&desired).await.unwrap();
    assert!(
        !again.has_drift(),
        "owned elsewhere is not drift: {again:#?}"
    );
    assert_eq!(
        again.accounts[0].owned_elsewhere.len(),
        3,
        "and is still shown"
    );
}

async fn memberships_the_file_does_not_manage_are_listed_with_how_to_adopt(store: &TestStore) {
    let roster = store.roster();
    apply(&roster, &example()).await;
    let (walk_in, _) = roster
        .create_user(
            &acme(),
            &NewUserInput {
                email: Some("walk.in@acme.example".into()),
                first_name: Some("Walk".into()),
                last_name: Some("In".into()),
                ..Default::default()
            },
            ManagedBy::Api,
        )
        .await
        .unwrap();
    let payments = group(&roster, "Payments API").await;
    roster
        .put_member(
            &acme(),
            &payments.id,
            &walk_in.id,
            &MemberInput {
                secondary: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let plan = roster.plan(&example()).await.unwrap();
    let acme_plan = &plan.accounts[0];
    assert_eq!(
        acme_plan.unmanaged_members,
        [UnmanagedMember {
            group: name("Payments API"),
            email: email("walk.in@acme.example"),
            managed_by: ManagedBy::Api,
            roles: MemberRoles {
                secondary: true,
                ..Default::default()
            },
        }]
    );
    assert!(!plan.has_drift(), "not drift: {:#?}", acme_plan.changes);
    let text = roster_config::render::text(&plan);
    assert!(
        text.contains(
            "unmanaged member walk.in@acme.example of Payments API (secondary; managed by api, left alone): name the user under `users` to adopt them"
        ),
        "{text}"
    );
    apply(&roster, &example()).await;
    let (_, members) = roster.get_group(&acme(), &payments.id).await.unwrap();
    assert!(
        members.iter().any(|m| m.user.id == walk_in.id),
        "apply left the membership alone"
    );
}
