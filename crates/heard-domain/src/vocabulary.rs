//! `vocabulary!` declares a closed list of words from DOMAIN.md: an enum whose variants each have a
//! stable code (used in the database, URLs, forms and JSON) and a label (used on pages).

/// Declares an enum with `ALL`, `code()`, `label()`, `FromStr` over the codes, and serde as codes.
#[macro_export]
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = ($code:tt, $label:literal) ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $code)] $variant ),+
        }

        impl $name {
            /// Every value, in the order DOMAIN.md lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code stored in the database and sent in forms and JSON.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The words shown to a person.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::vocabulary::UnknownCode;

            fn from_str(code: &str) -> Result<Self, Self::Err> {
                match code {
                    $($code => Ok($name::$variant),)+
                    _ => Err($crate::vocabulary::UnknownCode { kind: stringify!($name) }),
                }
            }
        }

        impl $crate::vocabulary::Vocabulary for $name {
            const ALL: &'static [Self] = $name::ALL;
            fn code(self) -> &'static str {
                $name::code(self)
            }
            fn label(self) -> &'static str {
                $name::label(self)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

/// What every vocabulary offers, for code that works over any of them (form options, labels).
pub trait Vocabulary: Copy + 'static {
    const ALL: &'static [Self];
    fn code(self) -> &'static str;
    fn label(self) -> &'static str;

    /// The label for a stored code, or the code itself if it names nothing.
    fn label_of(code: &str) -> &str {
        Self::ALL.iter().find(|v| v.code() == code).map_or(code, |v| v.label())
    }
}

/// A code that names no value of a vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a known {kind}")]
pub struct UnknownCode {
    pub kind: &'static str,
}

/// Parses a form or JSON field as a vocabulary code, with a message that names the field.
pub fn parse_code<T: std::str::FromStr>(field: &str, label: &str, raw: &str) -> Result<T, crate::Invalid> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(crate::Invalid::one(field, format!("Select {label}")));
    }
    raw.parse().map_err(|_| crate::Invalid::one(field, format!("Select {label} from the list")))
}
