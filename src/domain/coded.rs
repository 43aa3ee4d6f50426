//! Enumerations with stable numeric codes: the same numbers are used in the proto and in the
//! database, so a code, once given, is never reused.

/// Declares an enum whose variants carry a stable numeric code and a stable label.
macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal, $label:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant = $code, )+
        }

        impl $name {
            /// Every variant, in code order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable numeric code (as in the proto and the database).
            pub fn code(self) -> i16 {
                self as i16
            }

            /// The variant with this code, if any (0, "unspecified", is none).
            pub fn from_code(code: i32) -> Option<Self> {
                match code {
                    $( $code => Some(Self::$variant), )+
                    _ => None,
                }
            }

            /// The variant with this label, if any.
            pub fn from_label(label: &str) -> Option<Self> {
                match label {
                    $( $label => Some(Self::$variant), )+
                    _ => None,
                }
            }

            /// The stable snake_case label, as in the documentation and the CLI.
            pub fn label(self) -> &'static str {
                match self {
                    $( Self::$variant => $label, )+
                }
            }
        }
    };
}

pub(crate) use coded_enum;
