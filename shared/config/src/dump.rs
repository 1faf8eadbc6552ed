//! An account's live state as a roster file: what an existing account adopts roster-as-code
//! with. What it writes validates and plans to no changes.

use roster_domain::entities::User;
use roster_domain::reconcile::LiveAccount;
use roster_domain::values::UserType;

use crate::spec::{
    AccountSpec, ContactSpec, GroupSpec, MemberRoleSpec, MemberSpec, RosterFile, UserSpec,
};

/// `accounts` as YAML, with a header pointing editors at the schema.
pub fn dump(accounts: &[LiveAccount]) -> Result<String, String> {
    let file = RosterFile {
        accounts: accounts.iter().filter_map(account).collect(),
    };
    let body = serde_norway::to_string(&file).map_err(|e| e.to_string())?;
    Ok(format!(
        "# yaml-language-server: $schema=./roster.schema.json\n# Written by `roster dump`.\n{body}"
    ))
}

fn account(live: &LiveAccount) -> Option<AccountSpec> {
    let account = live.account.as_ref()?;
    let owner = live.users.iter().find(|u| u.is_owner)?;
    let mut users: Vec<&User> = live.users.iter().collect();
    users.sort_by_key(|u| {
        (
            u.last_name.as_str().to_lowercase(),
            u.first_name.as_str().to_lowercase(),
            u.email.key().to_owned(),
        )
    });
    let mut groups: Vec<GroupSpec> = live
        .groups
        .iter()
        .map(|group| {
            let mut members: Vec<MemberSpec> = live
                .memberships
                .iter()
                .filter(|m| m.group_id == group.id)
                .filter_map(|m| {
                    let user = live.users.iter().find(|u| u.id == m.user_id)?;
                    let mut roles = Vec::new();
                    if m.roles.primary {
                        roles.push(MemberRoleSpec::Primary);
                    }
                    if m.roles.secondary {
                        roles.push(MemberRoleSpec::Secondary);
                    }
                    if m.roles.manager {
                        roles.push(MemberRoleSpec::Manager);
                    }
                    Some(MemberSpec {
                        user: user.email.to_string(),
                        roles,
                    })
                })
                .collect();
            members.sort_by_key(|m| m.user.to_lowercase());
            GroupSpec {
                name: group.name.to_string(),
                previously: Vec::new(),
                members,
            }
        })
        .collect();
    groups.sort_by_key(|g| g.name.to_lowercase());
    Some(AccountSpec {
        id: account.id.to_string(),
        name: account.name.to_string(),
        owner: owner.email.to_string(),
        // The loader counts every standard and stakeholder user of the file against `seats`;
        // the live count leaves out deactivated users, so a dump with some raises the limit to
        // what the file lists rather than write a file its own loader refuses.
        seats: account.seats.map(|seats| {
            let listed = users.iter().filter(|u| u.user_type.takes_seat()).count();
            seats.max(u32::try_from(listed).unwrap_or(u32::MAX))
        }),
        prune: None,
        max_removal_ratio: None,
        groups,
        users: users.into_iter().map(user).collect(),
    })
}

fn user(user: &User) -> UserSpec {
    let contact_methods = user.user_type.receives_alerts().then(|| {
        user.contact_methods
            .iter()
            .filter(|m| m.method != roster_domain::values::ContactMethodKind::Push)
            .map(|m| ContactSpec {
                method: m.method.id().to_owned(),
                value: m.value.as_ref().map(|v| v.as_str().to_owned()),
                wait_minutes: Some(m.wait_minutes.get()),
                retries: Some(m.retries.get()),
            })
            .collect()
    });
    UserSpec {
        email: user.email.to_string(),
        username: (user.username.key() != user.email.key()).then(|| user.username.to_string()),
        first_name: user.first_name.to_string(),
        last_name: user.last_name.to_string(),
        user_type: (user.user_type != UserType::Standard).then(|| user.user_type.id().to_owned()),
        roles: user
            .user_type
            .holds_roles()
            .then(|| user.roles.iter().map(|r| r.id().to_owned()).collect()),
        time_zone: Some(user.preferences.time_zone.to_string()),
        locale: Some(user.preferences.locale.to_string()),
        external_id: user.external_id.as_ref().map(|e| e.to_string()),
        contact_methods,
    }
}
