//! Field newtypes that can only hold valid values, and the errors that explain what is wrong.
//!
//! "Parse, don't validate": every type here is built by a `parse` function that either returns
//! the value (with [`Note`]s: warnings and information the user should see) or a [`FieldError`]
//! whose `Display` text says what is wrong and how to fix it, in the Azure portal's own words.
//! Types that are (de)serialised go through the same parser (`#[serde(try_from = "String")]`),
//! so a stored or imported value can never bypass the checks.
//!
//! One file per field type (or small group); this module holds what they share: [`Note`],
//! [`Checked`], and the `text_type!` macro for their common conversions.

use serde::Serialize;

/// The conversions shared by the field types that keep their canonical text in one `String`
/// field (`Ty.field`). Doc comments written before `Ty` go on `as_str`.
///
/// * `text_type!(Ty.field)`: `as_str` and `Display`, both that text;
/// * `text_type!(Ty.field, parse -> Checked)`: also `TryFrom<String>` through `Ty::parse`, which
///   returns a `Checked<Ty>` (its notes are dropped), and `From<Ty> for String`: the pair behind
///   `#[serde(try_from = "String", into = "String")]`, so a deserialised value is parsed too;
/// * `text_type!(Ty.field, parse -> Self)`: the same for a `Ty::parse` that returns `Ty` itself,
///   plus `FromStr`.
macro_rules! text_type {
    ($(#[$doc:meta])* $ty:ident . $field:tt) => {
        impl $ty {
            $(#[$doc])*
            pub fn as_str(&self) -> &str {
                &self.$field
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.$field)
            }
        }
    };
    ($(#[$doc:meta])* $ty:ident . $field:tt, parse -> Checked) => {
        text_type!($(#[$doc])* $ty.$field);
        text_type!(@into_string $ty.$field);

        impl TryFrom<String> for $ty {
            type Error = $crate::fields::FieldError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                $ty::parse(&s).map(|c| c.value)
            }
        }
    };
    ($(#[$doc:meta])* $ty:ident . $field:tt, parse -> Self) => {
        text_type!($(#[$doc])* $ty.$field);
        text_type!(@into_string $ty.$field);

        impl ::std::str::FromStr for $ty {
            type Err = $crate::fields::FieldError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $ty::parse(s)
            }
        }

        impl TryFrom<String> for $ty {
            type Error = $crate::fields::FieldError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                $ty::parse(&s)
            }
        }
    };
    (@into_string $ty:ident . $field:tt) => {
        impl From<$ty> for String {
            fn from(v: $ty) -> String {
                v.$field
            }
        }
    };
}

mod choices;
mod email;
mod entity;
mod environment;
mod error;
mod guid;
pub(crate) mod matchers;
mod redirect;
mod secret;
mod tenant;
mod token_endpoint;

pub use choices::{ApiVersion, EndpointVersion, GrantType};
pub use email::Email;
pub use entity::check_entity_set;
pub use environment::EnvironmentUrl;
pub use error::FieldError;
pub use guid::Guid;
pub use redirect::RedirectUrl;
pub use secret::{ClientSecret, SecretExpiry};
pub use tenant::TenantId;
pub use token_endpoint::TokenEndpoint;

/// How much a [`Note`] matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The value is accepted but is probably going to cause trouble.
    Warning,
    /// The value is accepted; something was normalised or is worth knowing.
    Info,
}

/// A remark about an accepted value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Note {
    /// How much it matters.
    pub level: Level,
    /// The plain-language text, ready to show.
    pub text: String,
}

impl Note {
    /// A [`Level::Warning`] note.
    pub fn warning(text: impl Into<String>) -> Note {
        Note {
            level: Level::Warning,
            text: text.into(),
        }
    }

    /// A [`Level::Info`] note.
    pub fn info(text: impl Into<String>) -> Note {
        Note {
            level: Level::Info,
            text: text.into(),
        }
    }
}

/// A parsed value with the notes gathered while parsing it.
#[derive(Clone, Debug, PartialEq)]
pub struct Checked<T> {
    /// The valid value.
    pub value: T,
    /// Warnings and information about it, in the order found.
    pub notes: Vec<Note>,
}

impl<T> Checked<T> {
    /// A value without notes.
    pub fn clean(value: T) -> Checked<T> {
        Checked {
            value,
            notes: Vec::new(),
        }
    }

    /// Transform the value, keeping the notes.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Checked<U> {
        Checked {
            value: f(self.value),
            notes: self.notes,
        }
    }

    /// Whether any note is a [`Level::Warning`].
    pub fn has_warnings(&self) -> bool {
        self.notes.iter().any(|n| n.level == Level::Warning)
    }
}
