use std::collections::BTreeSet;

use super::named::named_enum;

named_enum! {
    /// A platform role: what a `standard` user may do across the account. Rights add up.
    pub enum Role {
        AppAdmin = ("app-admin", "App Admin"),
        Basic = ("basic", "Basic"),
        BillingAdmin = ("billing-admin", "Billing Admin"),
        IntegrationsAdmin = ("integrations-admin", "Integrations Admin"),
        SendMessage = ("send-message", "Send Message"),
        SystemViewer = ("system-viewer", "System Viewer"),
    }
}

/// The set of platform roles a user holds, in a stable order.
pub type Roles = BTreeSet<Role>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_display_names_parse_in_any_case() {
        assert_eq!(Role::parse("app-admin").unwrap(), Role::AppAdmin);
        assert_eq!(Role::parse("App Admin").unwrap(), Role::AppAdmin);
        assert_eq!(Role::parse(" SYSTEM viewer ").unwrap(), Role::SystemViewer);
        assert_eq!(
            Role::parse("Integrations-Admin").unwrap(),
            Role::IntegrationsAdmin
        );
        assert_eq!(Role::SendMessage.to_string(), "send-message");
        let err = Role::parse("owner").unwrap_err().to_string();
        assert!(
            err.contains("app-admin") && err.contains("system-viewer"),
            "{err}"
        );
    }

    #[test]
    fn serde_writes_ids_and_reads_display_names() {
        let json = serde_json::to_string(&Role::BillingAdmin).unwrap();
        assert_eq!(json, "\"billing-admin\"");
        let back: Role = serde_json::from_str("\"Billing Admin\"").unwrap();
        assert_eq!(back, Role::BillingAdmin);
    }
}
