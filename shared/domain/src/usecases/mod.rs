//! The use cases: each is one operation of the product over the ports, with every rule of
//! SPEC.md it touches. The HTTP handlers, the CLI and reconcile all call these; none re-implements
//! a rule.

mod accounts;
mod audit;
mod batch;
mod calendar;
mod callers;
mod changes;
mod contacts;
mod deactivation;
mod deletion;
mod delivery;
mod groups;
mod idempotency;
mod invitations;
mod notices;
mod oncall;
mod out_of_office;
mod ownership;
mod passwords;
mod profile;
mod provisioned_groups;
mod pushes;
pub(crate) mod records;
mod reindex;
mod reminders;
mod retry;
mod roles;
mod scim_tokens;
mod seats;
mod sessions;
mod shifts;
mod sign_in;
mod throttle;
mod transaction;
mod users;

use std::sync::Arc;

pub use accounts::{NewAccount, NewAccountInput, OWNER_DEFAULT_ROLES};
pub use audit::{AuditCursor, AuditPage};
pub use calendar::{MAX_SCHEDULE_DAYS, SCHEDULE_DAYS, Schedule, ScheduleWindow, ScheduledShift};
pub use contacts::{
    ContactOrderInput, ContactPatch, ContactPatchInput, DeviceInput, NewContactInput,
};
pub use groups::{GroupDetail, GroupInput, Member, MemberInput};
pub use idempotency::{
    Claim, Claimed, IDEMPOTENCY_WINDOW_SECONDS, IdempotentRequest, STALE_CLAIM_SECONDS,
    StoredResponse,
};
pub use invitations::{Delivery, RetryReport};
pub use oncall::OnCall;
pub use out_of_office::{CoverInput, OutOfOfficeInput};
pub use ownership::OwnershipMove;
pub use passwords::{PasswordChangeInput, PasswordResetInput, ResetRequestInput};
pub use profile::{
    PreferencesPatch, ProfileChanges, ProvisionedUpdate, ReminderInput, UserPatchInput,
};
pub use provisioned_groups::ProvisionedGroup;
pub use reindex::Reindexed;
pub use reminders::ReminderRun;
pub use roles::{BulkAssignInput, BulkOutcome, MAX_BULK_USERS, RoleInput};
pub use sessions::{
    AUDIENCE, ProviderTokenInput, SESSION_LIFETIME, SIGN_IN_REFUSED, Session, SignInInput,
};
pub use shifts::ShiftInput;
pub use sign_in::SIGN_IN_LIFETIME;
pub use throttle::{FAILURES_ALLOWED, FORGET_AFTER, LONGEST_WAIT};
pub use users::{NewUser, NewUserInput, Profile, USER_DEFAULT_ROLES, UserFilter, UserPage};

use crate::ports::after_answer::{AfterAnswer, RightAway, Work};
use crate::ports::clock::{Clock, IdSource, SystemClock, UlidSource};
use crate::ports::identity_provider::{IdentityProvider, NoIdentityProvider};
use crate::ports::mailer::Mailer;
use crate::ports::push::{Push, PushNotConfigured};
use crate::ports::signer::{NoSigner, Signer};
use crate::ports::table::Table;

/// Deployment settings the use cases need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Where the console and the API are served: reset links point at
    /// `{app_url}/console/reset-password#token=…`, and it is the issuer of session tokens.
    pub app_url: String,
}

/// The application: the ports wired together. Cheap to clone; build it once per process.
#[derive(Clone)]
pub struct Roster {
    table: Arc<dyn Table>,
    after_answer: Arc<dyn AfterAnswer>,
    mailer: Arc<dyn Mailer>,
    push: Arc<dyn Push>,
    signer: Arc<dyn Signer>,
    identity_provider: Arc<dyn IdentityProvider>,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdSource>,
    settings: Arc<Settings>,
}

impl Roster {
    pub fn new(
        table: Arc<dyn Table>,
        mailer: Arc<dyn Mailer>,
        clock: Arc<dyn Clock>,
        ids: Arc<dyn IdSource>,
        settings: Settings,
    ) -> Self {
        Self {
            table,
            after_answer: Arc::new(RightAway),
            mailer,
            push: Arc::new(PushNotConfigured),
            signer: Arc::new(NoSigner),
            identity_provider: Arc::new(NoIdentityProvider),
            clock,
            ids,
            settings: Arc::new(settings),
        }
    }

    /// The same use cases, pushing to devices through `push` (without it, devices are
    /// registered and nothing is pushed: [`PushNotConfigured`]).
    pub fn with_push(mut self, push: Arc<dyn Push>) -> Self {
        self.push = push;
        self
    }

    /// The same use cases, issuing session tokens signed by `signer` (without it, signing in
    /// answers `503`: [`NoSigner`]).
    pub fn with_signer(mut self, signer: Arc<dyn Signer>) -> Self {
        self.signer = signer;
        self
    }

    /// The same use cases, trading tokens of `provider` for sessions (single sign-on; without
    /// it, such a trade is refused: [`NoIdentityProvider`]).
    pub fn with_identity_provider(mut self, provider: Arc<dyn IdentityProvider>) -> Self {
        self.identity_provider = provider;
        self
    }

    /// The same use cases, leaving work the answer does not wait for to `after_answer` (without
    /// it, that work is done in the request: [`RightAway`]).
    pub fn with_after_answer(mut self, after_answer: Arc<dyn AfterAnswer>) -> Self {
        self.after_answer = after_answer;
        self
    }

    /// Runs `work` now, or leaves it for after the answer when the host takes it.
    pub(crate) async fn after_answer(&self, work: Work) {
        if let Some(work) = self.after_answer.defer(work) {
            work.await;
        }
    }

    /// The wall clock and random ULIDs: what production runs with.
    pub fn production(table: Arc<dyn Table>, mailer: Arc<dyn Mailer>, settings: Settings) -> Self {
        Self::new(
            table,
            mailer,
            Arc::new(SystemClock),
            Arc::new(UlidSource::default()),
            settings,
        )
    }

    pub fn table(&self) -> &dyn Table {
        self.table.as_ref()
    }
}
