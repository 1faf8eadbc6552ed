//! `GET /groups/{id}/on-call` (SPEC.md §6): the group and everything under it in one query,
//! then only the people the answer can involve — those scheduled at the instant, and the covers
//! of those who are away — in batches of 100.

use jiff::Timestamp;

use super::Roster;
use crate::access::Actor;
use crate::error::DomainError;
use crate::oncall::{self, Responder, Rota};
use crate::values::{GroupId, UserId};

/// Who answers a page for a group at an instant, in escalation order.
#[derive(Debug, Clone)]
pub struct OnCall {
    pub at: Timestamp,
    pub responders: Vec<Responder>,
}

impl Roster {
    /// The group's responders at `at` (now when `None`): for whoever may read the group.
    pub async fn on_call(
        &self,
        actor: &Actor,
        group: &GroupId,
        at: Option<Timestamp>,
    ) -> Result<OnCall, DomainError> {
        let account = actor.account();
        let at = at.unwrap_or_else(|| self.clock.now());
        let detail = self.load_group(account, group).await?;
        actor.may_read_group(group)?;
        let rota = Rota::new(group, &detail.memberships, &detail.shifts);
        let scheduled: Vec<UserId> = rota
            .scheduled(at)
            .iter()
            .map(|s| s.user_id.clone())
            .collect();
        let mut people = oncall::people(&self.users(account, &scheduled).await?);
        let covers = rota.covers_to_read(at, &people);
        if !covers.is_empty() {
            people.extend(oncall::people(&self.users(account, &covers).await?));
        }
        Ok(OnCall {
            at,
            responders: rota.responders(at, &people),
        })
    }
}
