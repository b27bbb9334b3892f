//! Domain types of Yuanxun and the rules that must hold everywhere: who may do what
//! ([`role`]), how a manuscript moves through review ([`workflow`]), how two revisions
//! differ ([`diff`]) and how dates are shown ([`clock`]).
//!
//! This crate does no I/O. The server and the CLI call it; the store persists what it decides.

/// An enum with a stable English code (stored, and used by the API) and a Chinese label
/// (shown) for each value, both read back by `parse`.
macro_rules! coded {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $code:literal, $label:literal;)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $v,)+ }

        impl $name {
            /// Every value, in the order forms list them.
            pub const ALL: &'static [$name] = &[$($name::$v,)+];

            /// The stored and API code.
            pub fn code(self) -> &'static str {
                match self { $($name::$v => $code,)+ }
            }

            /// The Chinese label.
            pub fn label(self) -> &'static str {
                match self { $($name::$v => $label,)+ }
            }

            /// Every value as (code, label), for the options of a form.
            pub fn choices() -> impl Iterator<Item = (&'static str, &'static str)> {
                $name::ALL.iter().map(|v| (v.code(), v.label()))
            }

            /// Reads a code (or a label, as spreadsheets and forms may carry either).
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim();
                $name::ALL.iter().copied().find(|v| v.code() == s || v.label() == s)
            }
        }
    };
}

pub mod clock;
pub mod congress;
pub mod diff;
pub mod incident;
pub mod outlet;
pub mod period;
pub mod points;
pub mod role;
pub mod text;
pub mod work;
pub mod workflow;

pub use role::Role;
pub use workflow::{Action, Status, TransitionError};
