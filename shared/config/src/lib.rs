//! The roster file (SPEC.md §7): read with a position on every value and every problem reported
//! at once (`load`), described for editors (`schema`), written from live state (`dump`), and
//! plans rendered for people (`render`).

mod dump;
mod load;
pub mod render;
mod schema_rules;
mod spec;
mod yaml;

pub use dump::dump;
pub use load::{MAX_FILE_BYTES, MAX_PROBLEMS, Problem, load, load_file};
pub use spec::{RosterFile, schema};

#[cfg(test)]
mod tests {
    use super::load::*;
    use super::spec::*;

    fn keys_of<T: schemars::JsonSchema>() -> Vec<String> {
        let schema = schemars::schema_for!(T);
        let mut keys: Vec<String> = schema
            .get("properties")
            .and_then(|p| p.as_object())
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        keys.sort();
        keys
    }

    fn sorted(keys: &[&str]) -> Vec<String> {
        let mut keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
        keys.sort();
        keys
    }

    #[test]
    fn the_loader_knows_exactly_the_keys_of_the_schema() {
        assert_eq!(sorted(ROOT_KEYS), keys_of::<RosterFile>());
        assert_eq!(sorted(ACCOUNT_KEYS), keys_of::<AccountSpec>());
        assert_eq!(sorted(GROUP_KEYS), keys_of::<GroupSpec>());
        assert_eq!(sorted(MEMBER_KEYS), keys_of::<MemberSpec>());
        assert_eq!(sorted(USER_KEYS), keys_of::<UserSpec>());
        assert_eq!(sorted(CONTACT_KEYS), keys_of::<ContactSpec>());
    }
}
