//! Open enums: the value lists (`rangelist`) of the schema.
//!
//! Apple adds values every release, so each generated enum has a catch-all
//! variant, `Unrecognized`, that keeps the raw value and writes it back
//! unchanged. The enum itself (with its docs) is generated; these macros add
//! the conversions and serde impls, so that logic exists once.

/// Implements the conversions for a generated string enum.
#[doc(hidden)]
#[macro_export]
macro_rules! __string_enum {
    ($ty:ident { $($variant:ident => $wire:literal),* $(,)? }) => {
        impl $ty {
            /// Every value the schema lists, in schema order.
            pub const VALUES: &'static [&'static str] = &[$($wire),*];

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::Unrecognized(v) => v.as_str(),
                }
            }

            /// The variant for a wire value; unknown values become
            /// `Unrecognized`.
            pub fn from_wire(value: &str) -> Self {
                match value {
                    $($wire => Self::$variant,)*
                    other => Self::Unrecognized(other.to_owned()),
                }
            }

            /// False for `Unrecognized`.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unrecognized(_))
            }
        }

        impl ::core::default::Default for $ty {
            /// The first value the schema lists.
            fn default() -> Self {
                Self::from_wire(Self::VALUES[0])
            }
        }

        impl ::core::str::FromStr for $ty {
            type Err = ::core::convert::Infallible;
            fn from_str(s: &str) -> ::core::result::Result<Self, Self::Err> {
                Ok(Self::from_wire(s))
            }
        }

        impl ::core::convert::From<&str> for $ty {
            fn from(s: &str) -> Self {
                Self::from_wire(s)
            }
        }

        impl ::core::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                $crate::__private::strict(d)
            }
        }

        impl $crate::__private::FieldValue for $ty {
            const KIND: $crate::ValueKind = $crate::ValueKind::String;
            /// A listed value with its place in the list: for a value
            /// whose list is its key's subkeys (DeviceInformation's
            /// queries), validation finds its row there without a lookup.
            fn view(&self) -> $crate::__private::View<'_> {
                match $crate::__private::FieldValue::listed(self) {
                    ::core::option::Option::Some((wire, index)) => $crate::__private::View::Listed(wire, index),
                    ::core::option::Option::None => $crate::__private::View::Str(self.as_str()),
                }
            }
            #[inline]
            fn listed(&self) -> ::core::option::Option<(&'static str, u16)> {
                let index = $crate::__private::FieldValue::listed_index(self)?;
                ::core::option::Option::Some((Self::VALUES[usize::from(index)], index))
            }
            #[inline]
            fn listed_index(&self) -> ::core::option::Option<u16> {
                #[allow(dead_code, clippy::enum_variant_names)]
                #[repr(u16)]
                enum Ordinal {
                    $($variant),*
                }
                match self {
                    $(Self::$variant => ::core::option::Option::Some(Ordinal::$variant as u16),)*
                    Self::Unrecognized(_) => ::core::option::Option::None,
                }
            }
            fn listed_names() -> &'static [&'static str] {
                Self::VALUES
            }
            fn from_str(v: &str) -> ::core::option::Option<Self> {
                Some(Self::from_wire(v))
            }
            fn from_string(v: ::std::string::String) -> ::core::result::Result<Self, ::std::string::String> {
                Ok(match v.as_str() {
                    $($wire => Self::$variant,)*
                    _ => Self::Unrecognized(v),
                })
            }
        }
    };
}

/// Implements the conversions for a generated integer enum.
#[doc(hidden)]
#[macro_export]
macro_rules! __integer_enum {
    ($ty:ident { $($variant:ident => $wire:literal),* $(,)? }) => {
        impl $ty {
            /// Every value the schema lists, in schema order.
            pub const VALUES: &'static [i64] = &[$($wire),*];

            /// The value as sent on the wire.
            pub fn as_i64(&self) -> i64 {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::Unrecognized(v) => *v,
                }
            }

            /// The variant for a wire value; unknown values become
            /// `Unrecognized`.
            pub fn from_wire(value: i64) -> Self {
                match value {
                    $($wire => Self::$variant,)*
                    other => Self::Unrecognized(other),
                }
            }

            /// False for `Unrecognized`.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unrecognized(_))
            }
        }

        impl ::core::default::Default for $ty {
            /// The first value the schema lists.
            fn default() -> Self {
                Self::from_wire(Self::VALUES[0])
            }
        }

        impl ::core::convert::From<i64> for $ty {
            fn from(v: i64) -> Self {
                Self::from_wire(v)
            }
        }

        impl ::core::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::fmt::Display::fmt(&self.as_i64(), f)
            }
        }

        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                s.serialize_i64(self.as_i64())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::core::result::Result<Self, D::Error> {
                $crate::__private::strict(d)
            }
        }

        impl $crate::__private::FieldValue for $ty {
            const KIND: $crate::ValueKind = $crate::ValueKind::Integer;
            fn view(&self) -> $crate::__private::View<'_> {
                $crate::__private::View::Int(self.as_i64())
            }
            fn from_i64(v: i64) -> ::core::option::Option<Self> {
                Some(Self::from_wire(v))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    /// A test enum shaped like a generated one.
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    #[non_exhaustive]
    pub enum Color {
        Red,
        DarkBlue,
        Unrecognized(String),
    }
    crate::__string_enum!(Color { Red => "Red", DarkBlue => "dark-blue" });

    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    #[non_exhaustive]
    pub enum Where {
        Value1,
        ValueMinus1,
        Unrecognized(i64),
    }
    crate::__integer_enum!(Where { Value1 => 1, ValueMinus1 => -1 });

    #[test]
    fn string_enums_are_open() {
        assert_eq!("dark-blue".parse::<Color>().unwrap(), Color::DarkBlue);
        assert_eq!(Color::from("Green"), Color::Unrecognized("Green".into()));
        assert_eq!(Color::Unrecognized("Green".into()).as_str(), "Green");
        assert_eq!(Color::DarkBlue.to_string(), "dark-blue");
        assert_eq!(Color::default(), Color::Red);
        assert!(!Color::from("x").is_known());
        assert_eq!(Color::VALUES, &["Red", "dark-blue"]);
    }

    #[test]
    fn integer_enums_are_open() {
        assert_eq!(Where::from(-1), Where::ValueMinus1);
        assert_eq!(Where::from(7), Where::Unrecognized(7));
        assert_eq!(Where::Unrecognized(7).as_i64(), 7);
        assert_eq!(Where::Value1.to_string(), "1");
        assert!(Where::Value1.is_known() && !Where::from(9).is_known());
    }
}
