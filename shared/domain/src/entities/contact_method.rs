use serde::{Deserialize, Deserializer, Serialize};

use crate::ports::push::Endpoint;
use crate::values::{
    ContactMethodKind, ContactValue, Email, Platform, Retries, ValueShape, WaitMinutes,
};

/// One way to reach a user, in the user's escalation sequence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactMethod {
    pub method: ContactMethodKind,
    /// `None` for `email-official`, whose value is always the account email, and for `push`,
    /// whose devices each have their own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<ContactValue>,
    pub wait_minutes: WaitMinutes,
    pub retries: Retries,
    /// The user's registered devices, for `push` only: at most [`ContactMethod::MAX_DEVICES`],
    /// in the order they registered; every one gets every push.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<Device>,
}

/// One registered mobile device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Device {
    /// The token the app was given by its platform's push service.
    pub token: ContactValue,
    pub platform: Platform,
    /// Where pushes to the device go: made when it registers, absent while push is not set up
    /// for its platform.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<Endpoint>,
}

impl ContactMethod {
    /// How many devices one user may have registered (docs/reminders.md).
    pub const MAX_DEVICES: usize = 10;

    /// The `email-official` method every alert-receiving user starts with.
    pub fn email_official() -> Self {
        Self {
            method: ContactMethodKind::EmailOfficial,
            value: None,
            wait_minutes: WaitMinutes::default(),
            retries: Retries::default(),
            devices: Vec::new(),
        }
    }

    /// A `push` method for its first device.
    pub fn push(device: Device) -> Self {
        Self {
            method: ContactMethodKind::Push,
            devices: vec![device],
            ..Self::email_official()
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

/// Stored as `{method, value, wait_minutes, retries, devices}`; the value is read for the
/// method's kind (`ContactValue::stored_for`), so an email in a phone method never loads. A
/// `push` method stored before devices were a list (`value`, `platform` and `endpoint` of its
/// one device) reads as that one device.
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
            devices: Vec<Device>,
            #[serde(default)]
            platform: Option<Platform>,
            #[serde(default)]
            endpoint: Option<Endpoint>,
        }
        let raw = Raw::deserialize(d)?;
        let mut devices = raw.devices;
        let value = match (raw.method.value_shape(), raw.value) {
            (ValueShape::AccountEmail, None) | (ValueShape::DeviceToken, None) => None,
            (ValueShape::DeviceToken, Some(token)) => {
                let platform = raw
                    .platform
                    .ok_or_else(|| serde::de::Error::custom("a device needs its platform"))?;
                devices.push(Device::stored(&token, platform, raw.endpoint)?);
                None
            }
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
            devices,
        })
    }
}

impl Device {
    fn stored<E: serde::de::Error>(
        token: &str,
        platform: Platform,
        endpoint: Option<Endpoint>,
    ) -> Result<Self, E> {
        let token = ContactValue::stored_for(ContactMethodKind::Push, token)
            .map_err(|e| E::custom(format!("device token {e}")))?;
        Ok(Self {
            token,
            platform,
            endpoint,
        })
    }
}

/// Stored as `{token, platform, endpoint}`.
impl<'de> Deserialize<'de> for Device {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            token: String,
            platform: Platform,
            #[serde(default)]
            endpoint: Option<Endpoint>,
        }
        let raw = Raw::deserialize(d)?;
        Self::stored(&raw.token, raw.platform, raw.endpoint)
    }
}
