//! Domain types of Yuanxun and the rules that must hold everywhere: who may do what
//! ([`role`]), how a manuscript moves through review ([`workflow`]), how two revisions
//! differ ([`diff`]) and how dates are shown ([`clock`]).
//!
//! This crate does no I/O. The server and the CLI call it; the store persists what it decides.

pub mod clock;
pub mod diff;
pub mod outlet;
pub mod role;
pub mod text;
pub mod workflow;

pub use role::Role;
pub use workflow::{Action, Status, TransitionError};
