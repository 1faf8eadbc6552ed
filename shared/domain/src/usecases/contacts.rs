//! A user's contact methods, in escalation sequence (SPEC.md §4): add, change, remove, reorder,
//! and the push method a device registration adds.

use serde::Deserialize;

use super::Roster;
use super::changes::Change;
use crate::access::Actor;
use crate::entities::{ContactMethod, Device, User};
use crate::error::{DomainError, FieldError, FieldErrors};
use crate::ports::push::{Endpoint, PushError};
use crate::values::{ContactMethodKind, ContactValue, Platform, Retries, UserId, WaitMinutes};

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewContactInput {
    pub method: Option<String>,
    pub value: Option<String>,
    pub wait_minutes: Option<i64>,
    pub retries: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactPatchInput {
    pub value: Option<String>,
    pub wait_minutes: Option<i64>,
    pub retries: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactOrderInput {
    pub order: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceInput {
    pub device_token: Option<String>,
    pub platform: Option<String>,
}

/// A contact method kind named in a path: an unknown name is a method the user does not have.
fn path_kind(raw: &str) -> Result<ContactMethodKind, DomainError> {
    ContactMethodKind::parse(raw).map_err(|_| DomainError::not_found("contact method", raw))
}

fn receives_alerts(user: &User) -> Result<(), DomainError> {
    if user.user_type.receives_alerts() {
        return Ok(());
    }
    Err(DomainError::Validation(vec![FieldError::new(
        "method",
        format!(
            "{} users receive no alerts, so they have no contact methods",
            user.user_type
        ),
    )]))
}

fn position(user: &User, kind: ContactMethodKind) -> Result<usize, DomainError> {
    user.contact_methods
        .iter()
        .position(|m| m.method == kind)
        .ok_or_else(|| DomainError::not_found("contact method", kind.id()))
}

fn parse_new(input: &NewContactInput) -> Result<ContactMethod, DomainError> {
    let mut errors = FieldErrors::new();
    let kind = errors.required(
        "method",
        "Method",
        input.method.as_deref(),
        ContactMethodKind::parse,
    );
    let kind = kind.filter(|kind| match kind {
        ContactMethodKind::Push => {
            errors.push(
                "method",
                "Push methods are added by the mobile app when it registers a device",
            );
            false
        }
        ContactMethodKind::EmailOfficial => {
            errors.push(
                "method",
                "Email-Official follows the account email; every user has it already",
            );
            false
        }
        _ => true,
    });
    let value = kind.and_then(|kind| {
        errors.required("value", "Value", input.value.as_deref(), |raw| {
            ContactValue::parse_for(kind, raw)
        })
    });
    let wait = bounded(
        &mut errors,
        "wait_minutes",
        "Wait",
        input.wait_minutes,
        WaitMinutes::new,
    );
    let retries = bounded(
        &mut errors,
        "retries",
        "Retries",
        input.retries,
        Retries::new,
    );
    errors.finish(|| {
        Some(ContactMethod {
            method: kind?,
            value: Some(value?),
            wait_minutes: wait?.unwrap_or_default(),
            retries: retries?.unwrap_or_default(),
            devices: Vec::new(),
        })
    })
}

fn bounded<T>(
    errors: &mut FieldErrors,
    field: &str,
    label: &str,
    raw: Option<i64>,
    new: impl FnOnce(i64) -> Result<T, crate::error::InvalidValue>,
) -> Option<Option<T>> {
    match raw {
        None => Some(None),
        Some(n) => errors.parsed(field, label, new(n)).map(Some),
    }
}

/// A checked change to one contact method: each field absent is left as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactPatch {
    pub value: Option<ContactValue>,
    pub wait_minutes: Option<WaitMinutes>,
    pub retries: Option<Retries>,
}

/// The rule of adding a method, whoever asks: at most one of each kind, and never the two
/// kinds that follow something else (the account email, a device).
fn add_method(
    actor: &Actor,
    user: &User,
    method: ContactMethod,
) -> Result<Change<ContactMethod>, DomainError> {
    actor.may_edit_profile(user)?;
    receives_alerts(user)?;
    if !method.method.is_addable() {
        return Err(DomainError::Validation(vec![FieldError::new(
            "method",
            format!("{} is not added through the sequence", method.method),
        )]));
    }
    if user
        .contact_methods
        .iter()
        .any(|m| m.method == method.method)
    {
        return Err(DomainError::Conflict {
            message: format!("the user already has a {} method", method.method),
            fields: vec![FieldError::new(
                "method",
                format!("Method {} is already in the user's sequence", method.method),
            )],
        });
    }
    let mut next = user.clone();
    next.contact_methods.push(method.clone());
    Ok(Change::Write(Box::new(next), method))
}

/// The rule of changing a method: the value of `email-official` and `push` is not the
/// sequence's to set; a change to nothing new writes nothing.
fn patch_method(
    actor: &Actor,
    user: &User,
    kind: ContactMethodKind,
    patch: &ContactPatch,
) -> Result<Change<User>, DomainError> {
    actor.may_edit_profile(user)?;
    let at = position(user, kind)?;
    if patch.value.is_some() && !kind.is_addable() {
        return Err(DomainError::Validation(vec![FieldError::new(
            "value",
            format!("Value of {kind} cannot be set: it follows the account email or the device"),
        )]));
    }
    let mut changed = user.contact_methods[at].clone();
    if let Some(value) = &patch.value {
        changed.value = Some(value.clone());
    }
    if let Some(wait) = patch.wait_minutes {
        changed.wait_minutes = wait;
    }
    if let Some(retries) = patch.retries {
        changed.retries = retries;
    }
    if changed == user.contact_methods[at] {
        return Ok(Change::Keep(user.clone()));
    }
    let mut next = user.clone();
    next.contact_methods[at] = changed;
    Ok(Change::Write(Box::new(next.clone()), next))
}

/// The rule of reordering: `order` names each of the user's methods exactly once.
fn reorder(
    actor: &Actor,
    user: &User,
    order: &[ContactMethodKind],
) -> Result<Change<User>, DomainError> {
    actor.may_edit_profile(user)?;
    let mut given = order.to_vec();
    given.sort_unstable();
    let mut held: Vec<ContactMethodKind> = user.contact_methods.iter().map(|m| m.method).collect();
    held.sort_unstable();
    if given != held {
        let held: Vec<&str> = user.contact_methods.iter().map(|m| m.method.id()).collect();
        return Err(DomainError::Validation(vec![FieldError::new(
            "order",
            format!(
                "Order must name each of the user's methods exactly once: {}",
                held.join(", ")
            ),
        )]));
    }
    let next_methods: Vec<ContactMethod> = order
        .iter()
        .filter_map(|kind| user.contact_methods.iter().find(|m| m.method == *kind))
        .cloned()
        .collect();
    if next_methods == user.contact_methods {
        return Ok(Change::Keep(user.clone()));
    }
    let mut next = user.clone();
    next.contact_methods = next_methods;
    Ok(Change::Write(Box::new(next.clone()), next))
}

/// The rule of registering `device`: what the user becomes, their `push` method, whether the
/// device is new, and the endpoint no device uses any more (one replaced or made room for).
type Registered = (ContactMethod, bool, Option<Endpoint>);

fn with_device(user: &User, device: &Device) -> Change<Registered> {
    let mut next = user.clone();
    let Some(push) = next
        .contact_methods
        .iter_mut()
        .find(|m| m.method == ContactMethodKind::Push)
    else {
        let push = ContactMethod::push(device.clone());
        next.contact_methods.push(push.clone());
        return Change::Write(Box::new(next), (push, true, None));
    };
    let (added, dropped) = match push.devices.iter().position(|d| d.token == device.token) {
        Some(at) if push.devices[at] == *device => {
            return Change::Keep((push.clone(), false, None));
        }
        Some(at) => (
            false,
            std::mem::replace(&mut push.devices[at], device.clone()).endpoint,
        ),
        None => {
            let dropped = if push.devices.len() >= ContactMethod::MAX_DEVICES {
                push.devices.remove(0).endpoint
            } else {
                None
            };
            push.devices.push(device.clone());
            (true, dropped)
        }
    };
    let dropped = dropped.filter(|e| device.endpoint.as_ref() != Some(e));
    let push = push.clone();
    Change::Write(Box::new(next), (push, added, dropped))
}

impl Roster {
    /// Adds a method at the end of the sequence. At most one of each kind: a second is `409`,
    /// even when two adds race (the user's version decides).
    pub async fn add_contact(
        &self,
        actor: &Actor,
        id: &UserId,
        input: &NewContactInput,
    ) -> Result<ContactMethod, DomainError> {
        self.change_user(actor, "add-contact", id, |user| {
            actor.may_edit_profile(user)?;
            receives_alerts(user)?;
            add_method(actor, user, parse_new(input)?)
        })
        .await
    }

    /// As [`Roster::add_contact`], with the method already checked.
    pub async fn add_contact_method(
        &self,
        actor: &Actor,
        id: &UserId,
        method: ContactMethod,
    ) -> Result<ContactMethod, DomainError> {
        self.change_user(actor, "add-contact", id, |user| {
            add_method(actor, user, method.clone())
        })
        .await
    }

    /// Changes a method's value, wait or retries; answers the user as changed. `email-official`
    /// follows the account email and `push` its device, so neither takes a value here.
    pub async fn update_contact(
        &self,
        actor: &Actor,
        id: &UserId,
        method: &str,
        input: &ContactPatchInput,
    ) -> Result<User, DomainError> {
        let kind = path_kind(method)?;
        self.change_user(actor, "update-contact", id, |user| {
            actor.may_edit_profile(user)?;
            position(user, kind)?;
            let mut errors = FieldErrors::new();
            let value = match (&input.value, kind.is_addable()) {
                (None, _) => None,
                (Some(_), false) => {
                    errors.push(
                        "value",
                        format!("Value of {kind} cannot be set: it follows the account email or the device"),
                    );
                    None
                }
                (Some(raw), true) => errors.parsed("value", "Value", ContactValue::parse_for(kind, raw)),
            };
            let wait = bounded(&mut errors, "wait_minutes", "Wait", input.wait_minutes, WaitMinutes::new);
            let retries = bounded(&mut errors, "retries", "Retries", input.retries, Retries::new);
            let (wait_minutes, retries) = errors.finish(|| Some((wait?, retries?)))?;
            patch_method(actor, user, kind, &ContactPatch { value, wait_minutes, retries })
        })
        .await
    }

    pub async fn change_contact_method(
        &self,
        actor: &Actor,
        id: &UserId,
        kind: ContactMethodKind,
        patch: &ContactPatch,
    ) -> Result<User, DomainError> {
        self.change_user(actor, "update-contact", id, |user| {
            patch_method(actor, user, kind, patch)
        })
        .await
    }

    /// Removes a method; the rest keep their order. `email-official` cannot be removed.
    pub async fn remove_contact(
        &self,
        actor: &Actor,
        id: &UserId,
        method: &str,
    ) -> Result<(), DomainError> {
        self.remove_contact_method(actor, id, path_kind(method)?)
            .await
    }

    /// As [`Roster::remove_contact`], with the kind already known.
    pub async fn remove_contact_method(
        &self,
        actor: &Actor,
        id: &UserId,
        kind: ContactMethodKind,
    ) -> Result<(), DomainError> {
        let removed = self
            .change_user(actor, "remove-contact", id, |user| {
                actor.may_edit_profile(user)?;
                let at = position(user, kind)?;
                if kind == ContactMethodKind::EmailOfficial {
                    return Err(DomainError::Validation(vec![FieldError::new(
                        "method",
                        "Email-Official follows the account email and cannot be removed",
                    )]));
                }
                let mut next = user.clone();
                let removed = next.contact_methods.remove(at);
                Ok(Change::Write(Box::new(next), removed))
            })
            .await?;
        // Removing `push` unregisters every device: their endpoints go too.
        let endpoints: Vec<Endpoint> = removed
            .devices
            .into_iter()
            .filter_map(|d| d.endpoint)
            .collect();
        self.forget_endpoints(&endpoints).await;
        Ok(())
    }

    /// Puts the methods in a new order, given as the full list of the user's methods; answers
    /// the user as reordered.
    pub async fn reorder_contacts(
        &self,
        actor: &Actor,
        id: &UserId,
        input: &ContactOrderInput,
    ) -> Result<User, DomainError> {
        self.change_user(actor, "reorder-contacts", id, |user| {
            actor.may_edit_profile(user)?;
            reorder(actor, user, &parse_order(input)?)
        })
        .await
    }

    /// As [`Roster::reorder_contacts`], with the order already checked.
    pub async fn reorder_contact_methods(
        &self,
        actor: &Actor,
        id: &UserId,
        order: &[ContactMethodKind],
    ) -> Result<User, DomainError> {
        self.change_user(actor, "reorder-contacts", id, |user| {
            reorder(actor, user, order)
        })
        .await
    }

    /// Registers one of the user's mobile devices (`true` for a device not registered before):
    /// the first adds a `push` method at the end of the sequence; the same device again changes
    /// nothing; with [`ContactMethod::MAX_DEVICES`] registered, the one registered longest ago
    /// makes room, and its endpoint is deleted.
    pub async fn register_device(
        &self,
        actor: &Actor,
        id: &UserId,
        input: &DeviceInput,
    ) -> Result<(ContactMethod, bool), DomainError> {
        let mut errors = FieldErrors::new();
        let token = errors.required(
            "device_token",
            "Device token",
            input.device_token.as_deref(),
            |raw| ContactValue::parse_for(ContactMethodKind::Push, raw),
        );
        let platform = errors.required(
            "platform",
            "Platform",
            input.platform.as_deref(),
            Platform::parse,
        );
        let (token, platform) = errors.finish(|| Some((token?, platform?)))?;
        // Rights first: a caller who may not register this user's device learns nothing of
        // the push service.
        let user = self.load_user(actor.account(), id).await?;
        actor.may_register_device(&user)?;
        receives_alerts(&user)?;
        let endpoint = self.device_endpoint(platform, &token).await?;
        let device = Device {
            token,
            platform,
            endpoint,
        };
        let (push, added, dropped) = self
            .change_user(actor, "register-device", id, |user| {
                actor.may_register_device(user)?;
                receives_alerts(user)?;
                Ok(with_device(user, &device))
            })
            .await?;
        self.forget_endpoints(dropped.as_slice()).await;
        Ok((push, added))
    }
}

impl Roster {
    /// The push endpoint of a device: `None` while push is not set up for its platform; a
    /// token the push service refuses is a field error; an outage refuses the registration, to
    /// be retried, rather than keep a device nothing can reach.
    async fn device_endpoint(
        &self,
        platform: Platform,
        token: &ContactValue,
    ) -> Result<Option<Endpoint>, DomainError> {
        match self.push.endpoint(platform, token.as_str()).await {
            Ok(endpoint) => Ok(Some(endpoint)),
            Err(PushError::NotConfigured(_)) => Ok(None),
            Err(PushError::Rejected(reason) | PushError::Gone(reason)) => {
                Err(DomainError::Validation(vec![FieldError::new(
                    "device_token",
                    format!("Device token was refused by the push service: {reason}"),
                )]))
            }
            Err(PushError::Unavailable(reason)) => Err(DomainError::ServiceUnavailable {
                service: "the push service",
                reason,
            }),
        }
    }
}

/// The requested order as kinds (that it is a permutation of the user's methods is
/// [`reorder`]'s rule).
fn parse_order(input: &ContactOrderInput) -> Result<Vec<ContactMethodKind>, DomainError> {
    let mut errors = FieldErrors::new();
    let Some(raw) = &input.order else {
        errors.push("order", "Order is required");
        return errors.finish(|| None);
    };
    let mut kinds = Vec::with_capacity(raw.len());
    for (i, name) in raw.iter().enumerate() {
        if let Some(kind) = errors.parsed(
            &format!("order[{i}]"),
            "Method",
            ContactMethodKind::parse(name),
        ) {
            kinds.push(kind);
        }
    }
    errors.finish(|| Some(kinds))
}
