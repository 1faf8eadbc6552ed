//! The key design of the single table, written once. `docs/data-model.md` explains it with the
//! access patterns it serves.
//!
//! One partition per account holds what an account *is* (its meta item, Owner claim, users,
//! uniqueness claims, groups, memberships, shifts), so reconcile reads an account with one
//! paginated query. High-volume, append-only items (audit, outbox, reset tokens) get partitions of
//! their own and stay out of that read.

use crate::ports::table::Key;
use crate::values::{
    AccountId, Email, ExternalId, GroupId, GroupName, PersonName, ShiftId, UserId, Username,
};

/// Separates the parts of a composite index sort key. It sorts below every character a name may
/// hold (names refuse control characters), so "Silva" sorts before "Silva Jr".
const PART: char = '\u{1}';

pub fn account_pk(account: &AccountId) -> String {
    format!("ACCOUNT#{account}")
}

/// The account's own item (name, seats). Its existence is the account's existence.
pub fn account(account: &AccountId) -> Key {
    Key::new(account_pk(account), "ACCOUNT")
}

/// The Owner claim: exactly one per account, holding the Owner's user id.
pub fn owner_claim(account: &AccountId) -> Key {
    Key::new(account_pk(account), "OWNER")
}

pub const USER_PREFIX: &str = "USER#";

pub fn user(account: &AccountId, user: &UserId) -> Key {
    Key::new(account_pk(account), format!("{USER_PREFIX}{user}"))
}

/// Whether `key` is a user item itself (not an item kept beside a user, like its calendar
/// pointer).
pub fn is_user_item(key: &Key) -> bool {
    key.sk
        .strip_prefix(USER_PREFIX)
        .is_some_and(|rest| !rest.contains('#'))
}

/// The account's seat counter: how many seats are held and how many there are (SPEC.md §1).
pub fn seats(account: &AccountId) -> Key {
    Key::new(account_pk(account), "SEATS")
}

/// The account an account-partition key (`ACCOUNT#<account>`) belongs to.
pub fn account_of(pk: &str) -> Option<AccountId> {
    pk.strip_prefix("ACCOUNT#")
        .and_then(|id| AccountId::parse(id).ok())
}

/// Uniqueness claim on an email (case-folded), holding the user id.
pub fn email_claim(account: &AccountId, email: &Email) -> Key {
    Key::new(account_pk(account), format!("EMAIL#{}", email.key()))
}

/// How long a claimed text may be, in bytes, to stand in its claim's key as it is.
const CLAIM_TEXT_BYTES: usize = 512;

/// Uniqueness claim on a username (case-folded), holding the user id. A username may take 254
/// characters, up to 1,016 bytes of UTF-8, past DynamoDB's 1,024-byte sort key once prefixed:
/// one longer than [`CLAIM_TEXT_BYTES`] is claimed by its hash, under a prefix of its own so no
/// short username can name a long one's claim. Both stores then take the same usernames.
pub fn username_claim(account: &AccountId, username: &Username) -> Key {
    let folded = username.key();
    let sk = if folded.len() <= CLAIM_TEXT_BYTES {
        format!("USERNAME#{folded}")
    } else {
        format!("USERNAMEHASH#{}", crate::secrets::sha256_hex(folded))
    };
    Key::new(account_pk(account), sk)
}

/// Where the users holding external id `external_id` are listed: one entry per user, as external
/// ids are free text and need not be unique. The id is hashed because it may take up to 1,024
/// bytes of UTF-8, DynamoDB's whole limit for a sort key, and may hold `#`.
pub fn external_id_prefix(external_id: &ExternalId) -> String {
    format!(
        "EXTERNALID#{}#",
        crate::secrets::sha256_hex(external_id.as_str())
    )
}

/// One user's entry under [`external_id_prefix`], holding the user id.
pub fn external_id_entry(account: &AccountId, external_id: &ExternalId, user: &UserId) -> Key {
    Key::new(
        account_pk(account),
        format!("{}{user}", external_id_prefix(external_id)),
    )
}

/// Where the users an identity provider sent email `value` for are listed (SCIM's
/// `emails.value eq`): one entry per user, as a provider's emails need not be unique. The value
/// is free text (up to 256 characters), so it is case-folded and hashed, as external ids are.
pub fn provided_email_prefix(value: &str) -> String {
    format!(
        "PROVIDEDEMAIL#{}#",
        crate::secrets::sha256_hex(&value.to_lowercase())
    )
}

/// One user's entry under [`provided_email_prefix`], holding the user id.
pub fn provided_email_entry(account: &AccountId, value: &str, user: &UserId) -> Key {
    Key::new(
        account_pk(account),
        format!("{}{user}", provided_email_prefix(value)),
    )
}

/// The partition of an account's search entries (`GET /users?q=`): out of the account
/// partition, so reading an account (reconcile, seats) never carries them.
pub fn search_partition(account: &AccountId) -> String {
    format!("SEARCH#{account}")
}

/// How much of a searched text an entry's key keeps, in bytes: with the name that orders it
/// (at most [`SEARCH_NAME_BYTES`]) and the id, the key stays far inside DynamoDB's 1,024-byte
/// sort key. A longer `q` finds the entries of its first bytes; the domain checks the rest.
pub const SEARCH_TERM_BYTES: usize = 200;
const SEARCH_NAME_BYTES: usize = 300;

/// `text` case-folded and cut at a character boundary to at most `bytes`.
fn folded(text: &str, bytes: usize) -> String {
    let folded = text.to_lowercase();
    let mut end = folded.len().min(bytes);
    while !folded.is_char_boundary(end) {
        end -= 1;
    }
    folded[..end].to_owned()
}

/// What a search entry's key begins with for a searched text (or for `q` itself).
pub fn search_term(text: &str) -> String {
    folded(text, SEARCH_TERM_BYTES)
}

/// One of a user's search entries: the text it is found by, then the user's name (so equal
/// texts come in name order) and id. Holds the user id.
pub fn search_entry(
    account: &AccountId,
    text: &str,
    last: &PersonName,
    first: &PersonName,
    user: &UserId,
) -> Key {
    let name = folded(
        &format!("{}{PART}{}", last.as_str(), first.as_str()),
        SEARCH_NAME_BYTES,
    );
    Key::new(
        search_partition(account),
        format!("{}{PART}{name}{PART}{user}", search_term(text)),
    )
}

/// The sparse index partition listing an account's users by name.
pub fn users_by_name(account: &AccountId) -> String {
    format!("USERS#{account}")
}

/// Sorts users by last name, then first name (case-folded), the id breaking ties.
pub fn user_name_sort_key(last: &PersonName, first: &PersonName, id: &UserId) -> String {
    format!(
        "{}{PART}{}{PART}{id}",
        last.as_str().to_lowercase(),
        first.as_str().to_lowercase()
    )
}

/// An account's mail outbox: entries out of the account partition (high volume, expiring).
pub fn outbox_pk(account: &AccountId) -> String {
    format!("OUTBOX#{account}")
}

/// Invitations are keyed by user, so "is one pending for this user?" is one prefix query.
pub fn invitation_prefix(user: &UserId) -> String {
    format!("INVITE#{user}#")
}

pub fn invitation(account: &AccountId, user: &UserId, entry: &str) -> Key {
    Key::new(
        outbox_pk(account),
        format!("{}{entry}", invitation_prefix(user)),
    )
}

/// The sparse index partition of every pending outbox entry, oldest first, for the retry sweep.
pub const PENDING_MAIL: &str = "OUTBOX#PENDING";

/// A reset token, stored under the hash of its text; expires with DynamoDB TTL.
pub fn reset_token(hash: &crate::secrets::TokenHash) -> Key {
    Key::new(format!("RESET#{}", hash.as_str()), "TOKEN")
}

/// A console sign-in code, stored under the hash of its text; expires with DynamoDB TTL.
pub fn sign_in_code(hash: &crate::secrets::TokenHash) -> Key {
    Key::new(format!("SIGNIN#{}", hash.as_str()), "CODE")
}

/// A user's password hash, out of the account partition so account reads never carry it.
pub fn credential(account: &AccountId, user: &UserId) -> Key {
    Key::new(format!("CREDENTIAL#{account}#{user}"), "PASSWORD")
}

/// Where the users a sign-in name (an email or a username, case-folded) may mean are listed,
/// across accounts: `POST /sessions` carries no account. Hashed, as a login is free text up to
/// DynamoDB's whole key limit.
pub fn login_partition(login: &str) -> String {
    format!(
        "LOGIN#{}",
        crate::secrets::sha256_hex(&login.trim().to_lowercase())
    )
}

/// One user's entry under [`login_partition`]: the account and the user, holding the user id.
pub fn login_entry(login: &str, account: &AccountId, user: &UserId) -> Key {
    Key::new(login_partition(login), format!("{account}#{user}"))
}

/// The account and user a [`login_entry`]'s sort key names.
pub fn login_entry_names(sk: &str) -> Option<(AccountId, UserId)> {
    let (account, user) = sk.split_once('#')?;
    Some((AccountId::parse(account).ok()?, UserId::parse(user).ok()?))
}

/// The failed sign-ins counted against one login or one source address (`kind`), out of every
/// account partition; expires with DynamoDB TTL once forgotten.
pub fn throttle(kind: &str, subject: &str) -> Key {
    Key::new(
        format!("THROTTLE#{kind}#{}", crate::secrets::sha256_hex(subject)),
        "FAILURES",
    )
}

pub const GROUP_PREFIX: &str = "GROUP#";

/// A group; its memberships and shifts sort right after it (`GROUP#<id>#…`).
pub fn group(account: &AccountId, group: &GroupId) -> Key {
    Key::new(account_pk(account), format!("{GROUP_PREFIX}{group}"))
}

/// Uniqueness claim on a group name (case-folded), holding the group id.
pub fn group_name_claim(account: &AccountId, name: &GroupName) -> Key {
    Key::new(
        account_pk(account),
        format!("GROUPNAME#{}", name.as_str().to_lowercase()),
    )
}

pub fn members_prefix(group: &GroupId) -> String {
    format!("{GROUP_PREFIX}{group}#MEMBER#")
}

pub fn membership(account: &AccountId, group: &GroupId, user: &UserId) -> Key {
    Key::new(
        account_pk(account),
        format!("{}{user}", members_prefix(group)),
    )
}

pub fn shifts_prefix(group: &GroupId) -> String {
    format!("{GROUP_PREFIX}{group}#SHIFT#")
}

pub fn shift(account: &AccountId, group: &GroupId, shift: &ShiftId) -> Key {
    Key::new(
        account_pk(account),
        format!("{}{shift}", shifts_prefix(group)),
    )
}

/// The sparse index partition listing every shift of every account, for the reminder run: a
/// run reads shifts, a few hundred bytes each, in pages, never the accounts' other items.
pub const ALL_SHIFTS: &str = "SHIFTS";

/// Where a shift sorts in [`ALL_SHIFTS`]: by account, so a run meets each account's shifts
/// together.
pub fn all_shifts_sort_key(account: &AccountId, shift: &ShiftId) -> String {
    format!("{account}{PART}{shift}")
}

/// The claim that one on-call reminder was sent (see `oncall::reminders::DueReminder::key`),
/// beside the account's outbox; it expires a day after the occurrence starts.
pub fn reminder_claim(account: &AccountId, reminder: &str) -> Key {
    Key::new(outbox_pk(account), format!("REMINDER#{reminder}"))
}

/// The pointer from a user to their calendar feed token (its hash), kept off the user item so
/// that audit snapshots of the user never carry it.
pub fn calendar_pointer(account: &AccountId, user: &UserId) -> Key {
    Key::new(account_pk(account), format!("{USER_PREFIX}{user}#CALENDAR"))
}

/// A calendar feed token, stored under the hash of its text.
pub fn calendar_token(hash: &crate::secrets::TokenHash) -> Key {
    Key::new(format!("CALENDAR#{}", hash.as_str()), "TOKEN")
}

/// The prefix of an account's SCIM tokens in its partition.
pub const SCIM_TOKEN_PREFIX: &str = "SCIMTOKEN#";

/// One SCIM token of an account, as it is listed (its name, who made it, its hash).
pub fn scim_token(account: &AccountId, token: &crate::values::ScimTokenId) -> Key {
    Key::new(account_pk(account), format!("{SCIM_TOKEN_PREFIX}{token}"))
}

/// A SCIM token found by the hash of its secret: which account and token it is.
pub fn scim_secret(hash: &crate::secrets::TokenHash) -> Key {
    Key::new(format!("SCIM#{}", hash.as_str()), "TOKEN")
}

/// The account's audit log for one month (`2026-11`): append-only, out of the account partition.
pub fn audit_pk(account: &AccountId, month: &str) -> String {
    format!("AUDIT#{account}#{month}")
}

pub const NOTICE_PREFIX: &str = "NOTICE#";

/// A notice email (out-of-office cover) waiting in the account's outbox.
pub fn notice(account: &AccountId, entry: &str) -> Key {
    Key::new(outbox_pk(account), format!("{NOTICE_PREFIX}{entry}"))
}

pub const PUSH_PREFIX: &str = "PUSH#";

/// A push notification to one device waiting in the account's outbox.
pub fn push(account: &AccountId, entry: &str) -> Key {
    Key::new(outbox_pk(account), format!("{PUSH_PREFIX}{entry}"))
}

/// The sparse index partition listing an account's groups by name.
pub fn groups_by_name(account: &AccountId) -> String {
    format!("GROUPS#{account}")
}

pub fn group_name_sort_key(name: &GroupName, id: &GroupId) -> String {
    format!("{}{PART}{id}", name.as_str().to_lowercase())
}
