//! The product's words as the domain defines them — roles, user types, contact methods, the
//! password's length — for the
//! page's selects: the console never keeps its own copy of a list the domain owns.

use roster_domain::secrets::NewPassword;
use roster_domain::values::{ContactMethodKind, Role, UserType, ValueShape};
use serde::Serialize;

#[derive(Serialize)]
pub(crate) struct Vocabulary {
    roles: Vec<Named>,
    user_types: Vec<Named>,
    contact_methods: Vec<Method>,
    password: PasswordRule,
}

/// The length a new password must have (its strength is judged by the API, which says why).
#[derive(Serialize)]
struct PasswordRule {
    min_chars: usize,
    max_chars: usize,
}

#[derive(Serialize)]
struct Named {
    id: &'static str,
    name: &'static str,
}

#[derive(Serialize)]
struct Method {
    id: &'static str,
    name: &'static str,
    /// Whether a person may add it by hand (never Push, never the account email).
    addable: bool,
    /// What its value is: `email`, `phone`, `account-email` or `device-token`.
    value: &'static str,
}

impl Vocabulary {
    pub(crate) fn of_the_domain() -> Self {
        Self {
            roles: Role::ALL
                .iter()
                .map(|r| Named {
                    id: r.id(),
                    name: r.display_name(),
                })
                .collect(),
            user_types: UserType::ALL
                .iter()
                .map(|t| Named {
                    id: t.id(),
                    name: t.display_name(),
                })
                .collect(),
            contact_methods: ContactMethodKind::ALL
                .iter()
                .map(|k| Method {
                    id: k.id(),
                    name: k.display_name(),
                    addable: k.is_addable(),
                    value: match k.value_shape() {
                        ValueShape::AccountEmail => "account-email",
                        ValueShape::Email => "email",
                        ValueShape::Phone => "phone",
                        ValueShape::DeviceToken => "device-token",
                    },
                })
                .collect(),
            password: PasswordRule {
                min_chars: NewPassword::MIN_CHARS,
                max_chars: NewPassword::MAX_CHARS,
            },
        }
    }
}
