//! Public-opinion monitoring (舆情监测). This crate is the pure core: the keyword rules the
//! publicity staff write to pick out what concerns the hospital from everything the
//! sources bring in, how each item speaks of the hospital and what it is about, which items
//! repeat one another, and how loudly to raise the alarm. Fetching, storage, notifications and
//! the incident workflow live in the server; everything here is deterministic and testable
//! without a network.

pub mod alert;
pub mod bayes;
pub mod briefing;
pub mod dedup;
pub mod eval;
pub mod expr;
pub mod ruleset;
pub mod sentiment;

pub use alert::{AlertLevel, Signals};
pub use dedup::{Repeat, Seen};
pub use expr::{Expr, ParseError, Sets};
pub use ruleset::RuleSet;
pub use sentiment::{Category, Polarity, Reading, Scorer};

/// Random rules for the property tests.
#[cfg(test)]
pub(crate) mod strategies {
    use proptest::prelude::*;

    use crate::Expr;

    /// Rules over `words`, nested up to three deep; with `near`, NEAR between pairs of them.
    pub fn rule(words: &[&'static str], near: bool) -> BoxedStrategy<Expr> {
        let word = prop::sample::select(words.to_vec()).prop_map(|w| Expr::Word(w.to_string()));
        let leaf = if near {
            let pair = (prop::sample::select(words.to_vec()), prop::sample::select(words.to_vec()), 0usize..5).prop_map(|(a, b, n)| Expr::Near(a.into(), b.into(), n));
            prop_oneof![word, pair].boxed()
        } else {
            word.boxed()
        };
        leaf.prop_recursive(3, 16, 3, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::And),
                prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::Or),
                inner.prop_map(|e| Expr::Not(Box::new(e))),
            ]
        })
        .boxed()
    }
}
