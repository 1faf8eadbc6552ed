//! The route table: every operation of the HTTP API, the Lambda function that serves it, and its
//! handler. `roster serve` routes with it; each function serves its own rows; `openapi.yaml` and
//! `infra/template.yaml` are checked against it.

use std::future::Future;
use std::pin::Pin;
use std::sync::LazyLock;

use bytes::Bytes;
use http::{Method, Response};

use crate::app::App;
use crate::handlers::{
    audit, calendar, contacts, groups, out_of_office, roles, scim, scim_tokens, sessions, users,
};
use crate::input::Input;
use crate::problem::ApiError;

pub type Reply = Result<Response<Bytes>, ApiError>;
/// One Lambda function's routes (see [`of`]).
pub type RouteList = fn() -> Vec<Route>;
pub type Handler = for<'a> fn(&'a App, Input) -> Pin<Box<dyn Future<Output = Reply> + Send + 'a>>;

/// Whether a route needs a verified caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// A session token (a JWT) verified upstream (the stack's session authorizer, or `roster
    /// serve`).
    Jwt,
    /// The request carries its own secret (a reset token, a calendar token, a password), or asks
    /// for what is public (the signing keys).
    Public,
    /// SCIM 2.0 (`/scim/v2/…`): a SCIM token as the bearer, checked by the function (the session
    /// authorizer does not apply), and errors in SCIM's schema.
    Scim,
}

pub struct Route {
    pub method: Method,
    /// The path template, `{name}` for a parameter, as in `openapi.yaml`.
    pub path: &'static str,
    /// The OpenAPI `operationId`.
    pub operation: &'static str,
    /// The Lambda function (crate under `functions/`) that serves this route.
    pub function: &'static str,
    pub auth: Auth,
    pub handler: Handler,
}

impl std::fmt::Debug for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} ({})", self.method, self.path, self.operation)
    }
}

macro_rules! route {
    ($method:ident $path:literal, $operation:literal, $function:literal, $auth:ident, $handler:path) => {
        Route {
            method: Method::$method,
            path: $path,
            operation: $operation,
            function: $function,
            auth: Auth::$auth,
            handler: |app, input| Box::pin($handler(app, input)),
        }
    };
}

/// Each function's routes. A Lambda binary builds only its own list (`roster_lambda::run`
/// takes one of these), so it links its own handlers and what they call, and the linker drops
/// the rest; `roster serve` and the tests use [`routes`], all of them.
pub mod of {
    use super::*;

    pub fn create_user() -> Vec<Route> {
        vec![route!(POST "/users", "create-user", "create-user", Jwt, users::create)]
    }

    pub fn list_users() -> Vec<Route> {
        vec![route!(GET "/users", "list-users", "list-users", Jwt, users::list)]
    }

    pub fn get_user() -> Vec<Route> {
        vec![route!(GET "/users/{id}", "get-user", "get-user", Jwt, users::get)]
    }

    pub fn update_user() -> Vec<Route> {
        vec![route!(PATCH "/users/{id}", "update-user", "update-user", Jwt, users::update)]
    }

    pub fn delete_user() -> Vec<Route> {
        vec![route!(DELETE "/users/{id}", "delete-user", "delete-user", Jwt, users::delete)]
    }

    pub fn resend_invite() -> Vec<Route> {
        vec![
            route!(POST "/users/{id}/invitations", "resend-invite", "resend-invite", Jwt, users::resend_invite),
        ]
    }

    pub fn reset_password() -> Vec<Route> {
        vec![
            route!(POST "/password-resets", "reset-password", "reset-password", Public, users::reset_password),
            route!(POST "/users/{id}/password", "change-password", "reset-password", Jwt, sessions::change_password),
        ]
    }

    /// The one function that signs: it alone may use the signing key (docs/deploy.md).
    pub fn sign_in() -> Vec<Route> {
        vec![
            route!(POST "/sessions", "sign-in", "sign-in", Public, sessions::create),
            route!(POST "/sessions/oidc", "sign-in-with-provider", "sign-in", Public, sessions::exchange),
            route!(POST "/password-resets/requests", "request-password-reset", "sign-in", Public, sessions::request_reset),
            route!(GET "/.well-known/jwks.json", "jwks", "sign-in", Public, sessions::jwks),
            route!(GET "/.well-known/openid-configuration", "openid-configuration", "sign-in", Public, sessions::openid_configuration),
        ]
    }

    pub fn add_contact() -> Vec<Route> {
        vec![
            route!(POST "/users/{id}/contact-methods", "add-contact", "add-contact", Jwt, contacts::add),
        ]
    }

    pub fn reorder_contacts() -> Vec<Route> {
        vec![
            route!(PUT "/users/{id}/contact-methods/order", "reorder-contacts", "reorder-contacts", Jwt, contacts::reorder),
        ]
    }

    pub fn update_contact() -> Vec<Route> {
        vec![
            route!(PATCH "/users/{id}/contact-methods/{method}", "update-contact", "update-contact", Jwt, contacts::update),
        ]
    }

    pub fn remove_contact() -> Vec<Route> {
        vec![
            route!(DELETE "/users/{id}/contact-methods/{method}", "remove-contact", "remove-contact", Jwt, contacts::remove),
        ]
    }

    pub fn register_device() -> Vec<Route> {
        vec![
            route!(POST "/users/{id}/devices", "register-device", "register-device", Jwt, contacts::register_device),
        ]
    }

    pub fn assign_role() -> Vec<Route> {
        vec![
            route!(POST "/users/{id}/roles", "assign-role", "assign-role", Jwt, roles::assign),
            route!(POST "/roles/{role}/assignments", "assign-role-bulk", "assign-role", Jwt, roles::assign_bulk),
        ]
    }

    pub fn remove_role() -> Vec<Route> {
        vec![
            route!(DELETE "/users/{id}/roles/{role}", "remove-role", "remove-role", Jwt, roles::remove),
        ]
    }

    pub fn groups() -> Vec<Route> {
        vec![
            route!(POST "/groups", "create-group", "groups", Jwt, groups::create),
            route!(GET "/groups", "list-groups", "groups", Jwt, groups::list),
            route!(GET "/groups/{id}", "get-group", "groups", Jwt, groups::get),
            route!(PATCH "/groups/{id}", "rename-group", "groups", Jwt, groups::rename),
            route!(DELETE "/groups/{id}", "delete-group", "groups", Jwt, groups::delete),
            route!(GET "/groups/{id}/members", "list-members", "groups", Jwt, groups::list_members),
            route!(PUT "/groups/{id}/members/{user_id}", "put-member", "groups", Jwt, groups::put_member),
            route!(DELETE "/groups/{id}/members/{user_id}", "remove-member", "groups", Jwt, groups::remove_member),
            route!(GET "/groups/{id}/shifts", "list-shifts", "groups", Jwt, groups::list_shifts),
            route!(POST "/groups/{id}/shifts", "create-shift", "groups", Jwt, groups::create_shift),
            route!(GET "/groups/{id}/shifts/{shift_id}", "get-shift", "groups", Jwt, groups::get_shift),
            route!(PATCH "/groups/{id}/shifts/{shift_id}", "update-shift", "groups", Jwt, groups::update_shift),
            route!(DELETE "/groups/{id}/shifts/{shift_id}", "delete-shift", "groups", Jwt, groups::delete_shift),
            route!(GET "/groups/{id}/on-call", "on-call", "groups", Jwt, groups::on_call),
        ]
    }

    pub fn out_of_office() -> Vec<Route> {
        vec![
            route!(GET "/users/{id}/out-of-office", "list-out-of-office", "out-of-office", Jwt, out_of_office::list),
            route!(POST "/users/{id}/out-of-office", "add-out-of-office", "out-of-office", Jwt, out_of_office::add),
            route!(DELETE "/users/{id}/out-of-office/{entry_id}", "remove-out-of-office", "out-of-office", Jwt, out_of_office::remove),
        ]
    }

    pub fn calendar() -> Vec<Route> {
        vec![
            route!(GET "/users/{id}/schedule.ics", "user-schedule", "calendar", Jwt, calendar::schedule),
            route!(POST "/users/{id}/calendar-token", "issue-calendar-token", "calendar", Jwt, calendar::issue_token),
            route!(DELETE "/users/{id}/calendar-token", "revoke-calendar-token", "calendar", Jwt, calendar::revoke_token),
            route!(GET "/calendars/{token}.ics", "calendar-feed", "calendar", Public, calendar::feed),
        ]
    }

    pub fn audit() -> Vec<Route> {
        vec![route!(GET "/audit", "list-audit", "audit", Jwt, audit::list)]
    }

    pub fn scim() -> Vec<Route> {
        vec![
            route!(POST "/scim-tokens", "create-scim-token", "scim", Jwt, scim_tokens::create),
            route!(GET "/scim-tokens", "list-scim-tokens", "scim", Jwt, scim_tokens::list),
            route!(DELETE "/scim-tokens/{id}", "revoke-scim-token", "scim", Jwt, scim_tokens::revoke),
            route!(GET "/scim/v2/ServiceProviderConfig", "scim-service-provider-config", "scim", Scim, scim::discovery::service_provider_config),
            route!(GET "/scim/v2/ResourceTypes", "scim-resource-types", "scim", Scim, scim::discovery::resource_types),
            route!(GET "/scim/v2/ResourceTypes/{name}", "scim-resource-type", "scim", Scim, scim::discovery::resource_type),
            route!(GET "/scim/v2/Schemas", "scim-schemas", "scim", Scim, scim::discovery::schemas),
            route!(GET "/scim/v2/Schemas/{id}", "scim-schema", "scim", Scim, scim::discovery::schema),
            route!(POST "/scim/v2/.search", "scim-search", "scim", Scim, scim::discovery::search_everything),
            route!(POST "/scim/v2/Users", "scim-create-user", "scim", Scim, scim::users::create),
            route!(GET "/scim/v2/Users", "scim-list-users", "scim", Scim, scim::users::list),
            route!(GET "/scim/v2/Users/{id}", "scim-get-user", "scim", Scim, scim::users::get),
            route!(PUT "/scim/v2/Users/{id}", "scim-replace-user", "scim", Scim, scim::users::replace),
            route!(PATCH "/scim/v2/Users/{id}", "scim-patch-user", "scim", Scim, scim::users::patch),
            route!(DELETE "/scim/v2/Users/{id}", "scim-delete-user", "scim", Scim, scim::users::delete),
            route!(POST "/scim/v2/Groups", "scim-create-group", "scim", Scim, scim::groups::create),
            route!(GET "/scim/v2/Groups", "scim-list-groups", "scim", Scim, scim::groups::list),
            route!(GET "/scim/v2/Groups/{id}", "scim-get-group", "scim", Scim, scim::groups::get),
            route!(PUT "/scim/v2/Groups/{id}", "scim-replace-group", "scim", Scim, scim::groups::replace),
            route!(PATCH "/scim/v2/Groups/{id}", "scim-patch-group", "scim", Scim, scim::groups::patch),
            route!(DELETE "/scim/v2/Groups/{id}", "scim-delete-group", "scim", Scim, scim::groups::delete),
        ]
    }

    /// Every function's list, by function name, in the order the route table has always had.
    pub const ALL: &[(&str, RouteList)] = &[
        ("create-user", create_user),
        ("list-users", list_users),
        ("get-user", get_user),
        ("update-user", update_user),
        ("delete-user", delete_user),
        ("resend-invite", resend_invite),
        ("reset-password", reset_password),
        ("sign-in", sign_in),
        ("add-contact", add_contact),
        ("reorder-contacts", reorder_contacts),
        ("update-contact", update_contact),
        ("remove-contact", remove_contact),
        ("register-device", register_device),
        ("assign-role", assign_role),
        ("remove-role", remove_role),
        ("groups", groups),
        ("out-of-office", out_of_office),
        ("calendar", calendar),
        ("audit", audit),
        ("scim", scim),
    ];
}

static ROUTES: LazyLock<Vec<Route>> =
    LazyLock::new(|| of::ALL.iter().flat_map(|(_, routes)| routes()).collect());

/// Every route of the API.
pub fn routes() -> &'static [Route] {
    &ROUTES
}

/// A path's parameters by name, as the route template declares them.
pub type Params = Vec<(&'static str, String)>;

/// The route for `method` and `path` among `candidates`, with the path's parameters. A literal
/// segment outranks a parameter, as in API Gateway: `/users/{id}/contact-methods/order` is the
/// order resource for every method, never a contact method named `order`.
pub(crate) fn find<'r>(
    candidates: impl Iterator<Item = &'r Route>,
    method: &Method,
    path: &str,
) -> Result<(&'r Route, Params), ApiError> {
    let mut best: Vec<(&'r Route, Params)> = Vec::new();
    let mut best_literals = 0;
    for route in candidates {
        if let Some(params) = match_path(route.path, path) {
            let literals = route
                .path
                .split('/')
                .filter(|s| !s.starts_with('{'))
                .count();
            if literals > best_literals {
                best.clear();
                best_literals = literals;
            }
            if literals == best_literals {
                best.push((route, params));
            }
        }
    }
    if best.is_empty() {
        return Err(ApiError::NoRoute);
    }
    match best.iter().position(|(route, _)| route.method == *method) {
        Some(at) => Ok(best.swap_remove(at)),
        None => Err(ApiError::MethodNotAllowed(
            best.into_iter()
                .map(|(route, _)| route.method.clone())
                .collect(),
        )),
    }
}

/// A path's parameters, matched on the path as sent (so `%2F` never splits a segment) and then
/// percent-decoded, as API Gateway hands them to a function: display names work in paths
/// (`/users/{id}/roles/App%20Admin`). A parameter that does not decode to UTF-8 is kept as sent,
/// and names nothing.
fn match_path(template: &'static str, path: &str) -> Option<Params> {
    let mut params = match_raw(template, path)?;
    for (_, value) in &mut params {
        if let Ok(decoded) = percent_encoding::percent_decode_str(value).decode_utf8() {
            *value = decoded.into_owned();
        }
    }
    Some(params)
}

fn match_raw(template: &'static str, path: &str) -> Option<Params> {
    let path = path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path);
    let mut wanted = template.split('/');
    let mut given = path.split('/');
    let mut params = Vec::new();
    loop {
        match (wanted.next(), given.next()) {
            (None, None) => return Some(params),
            (Some(w), Some(g)) if w.starts_with('{') && w.ends_with('}') && !g.is_empty() => {
                params.push((&w[1..w.len() - 1], g.to_owned()));
            }
            // `{name}.ext`: a parameter with a fixed suffix, as in `/calendars/{token}.ics`.
            (Some(w), Some(g)) if w.starts_with('{') && w.contains("}.") => {
                let (name, suffix) = w[1..].split_once('}').unwrap_or_default();
                let value = g.strip_suffix(suffix).filter(|v| !v.is_empty())?;
                params.push((name, value.to_owned()));
            }
            (Some(w), Some(g)) if w == g => {}
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_functions_list_holds_its_own_routes_and_the_table_is_all_of_them() {
        let mut names = std::collections::BTreeSet::new();
        let mut count = 0;
        for (function, list) in of::ALL {
            assert!(names.insert(*function), "{function} twice");
            let list = list();
            assert!(!list.is_empty(), "{function}");
            for route in &list {
                assert_eq!(route.function, *function, "{route:?}");
            }
            count += list.len();
        }
        assert_eq!(count, routes().len());
    }

    #[test]
    fn paths_match_templates_and_capture_parameters() {
        assert_eq!(match_path("/users", "/users"), Some(vec![]));
        assert_eq!(match_path("/users", "/users/"), Some(vec![]));
        assert_eq!(
            match_path("/users/{id}/invitations", "/users/01H/invitations"),
            Some(vec![("id", "01H".to_owned())])
        );
        assert_eq!(match_path("/users/{id}", "/users/"), None);
        assert_eq!(match_path("/users/{id}", "/users/a/b"), None);
        assert_eq!(match_path("/users/{id}", "/groups/a"), None);
        assert_eq!(
            match_path("/calendars/{token}.ics", "/calendars/abc.ics"),
            Some(vec![("token", "abc".to_owned())])
        );
        assert_eq!(
            match_path("/calendars/{token}.ics", "/calendars/.ics"),
            None
        );
        assert_eq!(match_path("/calendars/{token}.ics", "/calendars/abc"), None);
    }

    #[test]
    fn parameters_are_percent_decoded_after_matching() {
        assert_eq!(
            match_path("/users/{id}/roles/{role}", "/users/01H/roles/App%20Admin"),
            Some(vec![
                ("id", "01H".to_owned()),
                ("role", "App Admin".to_owned())
            ])
        );
        assert_eq!(
            match_path("/users/{id}", "/users/a%2Fb"),
            Some(vec![("id", "a/b".to_owned())]),
            "an encoded slash stays in its segment"
        );
        assert_eq!(
            match_path("/users/{id}", "/users/%FF"),
            Some(vec![("id", "%FF".to_owned())]),
            "not UTF-8: kept as sent"
        );
    }

    #[test]
    fn a_known_path_with_another_method_is_405_and_an_unknown_one_404() {
        let found = find(routes().iter(), &Method::PUT, "/users");
        assert!(matches!(found, Err(ApiError::MethodNotAllowed(m)) if m.len() == 2));
        assert!(matches!(
            find(routes().iter(), &Method::GET, "/nope"),
            Err(ApiError::NoRoute)
        ));
    }

    #[test]
    fn a_literal_segment_outranks_a_parameter() {
        let order = "/users/01H/contact-methods/order";
        let found = find(routes().iter(), &Method::PATCH, order);
        assert!(matches!(found, Err(ApiError::MethodNotAllowed(m)) if m == [Method::PUT]));
        let (route, _) = find(routes().iter(), &Method::PUT, order).unwrap();
        assert_eq!(route.operation, "reorder-contacts");
        let (route, params) = find(
            routes().iter(),
            &Method::PATCH,
            "/users/01H/contact-methods/sms",
        )
        .unwrap();
        assert_eq!(route.operation, "update-contact");
        assert_eq!(params[1], ("method", "sms".to_owned()));
    }

    #[test]
    fn operations_are_unique() {
        let mut ops: Vec<_> = routes().iter().map(|r| r.operation).collect();
        ops.sort_unstable();
        ops.dedup();
        assert_eq!(ops.len(), routes().len());
    }
}
