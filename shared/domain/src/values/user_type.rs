use super::named::named_enum;

named_enum! {
    /// What kind of user someone is; fixed at creation (delete and recreate to change it).
    pub enum UserType {
        /// Receives and acts on alerts; holds platform roles.
        Standard = ("standard", "Standard User"),
        /// Receives notifications but cannot act on them; no roles, no shifts.
        Stakeholder = ("stakeholder", "Stakeholder"),
        /// Account settings only: no alerts, contact methods, roles, groups or shifts; no seat.
        BillingAdmin = ("billing-admin", "Billing Admin"),
    }
}

impl UserType {
    /// Only standard users hold platform roles (and then at least one).
    pub const fn holds_roles(self) -> bool {
        matches!(self, UserType::Standard)
    }

    /// Whether the user receives alerts, and so has contact methods.
    pub const fn receives_alerts(self) -> bool {
        !matches!(self, UserType::BillingAdmin)
    }

    /// Whether the user counts against the account's `seats`.
    pub const fn takes_seat(self) -> bool {
        !matches!(self, UserType::BillingAdmin)
    }

    /// Whether the user may be put on a shift.
    pub const fn may_take_shifts(self) -> bool {
        matches!(self, UserType::Standard)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ids_and_display_names() {
        assert_eq!(
            UserType::parse("Standard User").unwrap(),
            UserType::Standard
        );
        assert_eq!(
            UserType::parse("billing-admin").unwrap(),
            UserType::BillingAdmin
        );
        assert!(UserType::parse("admin").is_err());
    }
}
