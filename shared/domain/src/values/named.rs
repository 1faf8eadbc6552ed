/// An enum whose values have a kebab-case id (what the API and storage write) and a display name
/// (what people see in the product). Both parse, case-insensitively; output is always the id.
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        pub enum $ty:ident {
            $( $(#[$vmeta:meta])* $variant:ident = ($id:literal, $display:literal), )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $ty {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The kebab-case id: the only form ever written out.
            pub const fn id(self) -> &'static str {
                match self { $($ty::$variant => $id),+ }
            }

            /// The name the product shows people.
            pub const fn display_name(self) -> &'static str {
                match self { $($ty::$variant => $display),+ }
            }

            /// Accepts the id or the display name, in any case, with surrounding blanks.
            pub fn parse(raw: &str) -> Result<Self, $crate::error::InvalidValue> {
                let folded = $crate::values::fold(raw);
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.id() == folded || v.display_name().to_lowercase() == folded)
                    .ok_or_else(|| {
                        let ids: Vec<&str> = Self::ALL.iter().map(|v| v.id()).collect();
                        $crate::error::InvalidValue::new(format!(
                            "{raw:?} is not one of: {}",
                            ids.join(", ")
                        ))
                    })
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.id())
            }
        }

        impl std::str::FromStr for $ty {
            type Err = $crate::error::InvalidValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.id())
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Self::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use named_enum;
