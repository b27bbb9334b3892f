//! Public-opinion monitoring (舆情监测). This crate is the pure core: the keyword rules the
//! publicity staff write to pick out what concerns the hospital from everything the
//! sources bring in. Fetching, sentiment, alerts and incidents come on top of it.

pub mod expr;

pub use expr::{Expr, ParseError, Sets};
