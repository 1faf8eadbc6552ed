//! What real clients send that the RFC spells otherwise.

/// A boolean, also from the strings `"True"`/`"False"` (Entra ID) in any case.
pub fn boolean(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn strings_of_booleans_are_booleans_in_any_case() {
        assert_eq!(super::boolean("True"), Some(true));
        assert_eq!(super::boolean("FALSE"), Some(false));
        assert_eq!(super::boolean("yes"), None);
    }
}
