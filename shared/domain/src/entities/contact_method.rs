use serde::{Deserialize, Deserializer, Serialize};

use crate::ports::push::Endpoint;
use crate::values::{
    ContactMethodKind, ContactValue, Email, Platform, Retries, ValueShape, WaitMinutes,
};

/// One way to reach a user, in the user's escalation sequence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactMethod {
    pub method: ContactMethodKind,
    /// `None` for `email-official`, whose value is always the account email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<ContactValue>,
    pub wait_minutes: WaitMinutes,
    pub retries: Retries,
    /// The device's platform, for `push` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    /// Where pushes to the device go, for `push` only: made when the device registers, absent
    /// while push is not set up for its platform and once the device stops answering.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<Endpoint>,
}

impl ContactMethod {
    /// The `email-official` method every alert-receiving user starts with.
    pub fn email_official() -> Self {
        Self {
            method: ContactMethodKind::EmailOfficial,
            value: None,
            wait_minutes: WaitMinutes::default(),
            retries: Retries::default(),
            platform: None,
            endpoint: None,
        }
    }

    /// A method with a value, no wait and no retries (as an identity provider's mobile number
    /// arrives).
    pub fn with_value(method: ContactMethodKind, value: ContactValue) -> Self {
        Self {
            method,
            value: Some(value),
            ..Self::email_official()
        }
    }

    /// The address or number the method reaches, given the owner's account email.
    pub fn target<'a>(&'a self, account_email: &'a Email) -> &'a str {
        self.value
            .as_ref()
            .map_or(account_email.as_str(), ContactValue::as_str)
    }
}

/// Stored as `{method, value, wait_minutes, retries}`; the value is read for the method's kind
/// (`ContactValue::stored_for`), so an email in a phone method never loads.
impl<'de> Deserialize<'de> for ContactMethod {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            method: ContactMethodKind,
            #[serde(default)]
            value: Option<String>,
            #[serde(default)]
            wait_minutes: WaitMinutes,
            #[serde(default)]
            retries: Retries,
            #[serde(default)]
            platform: Option<Platform>,
            #[serde(default)]
            endpoint: Option<Endpoint>,
        }
        let raw = Raw::deserialize(d)?;
        let value = match (raw.method.value_shape(), raw.value) {
            (ValueShape::AccountEmail, None) => None,
            (_, Some(v)) => Some(
                ContactValue::stored_for(raw.method, &v)
                    .map_err(|e| serde::de::Error::custom(format!("value {e}")))?,
            ),
            (_, None) => return Err(serde::de::Error::custom("value is required")),
        };
        Ok(Self {
            method: raw.method,
            value,
            wait_minutes: raw.wait_minutes,
            retries: raw.retries,
            platform: raw.platform,
            endpoint: raw.endpoint,
        })
    }
}
