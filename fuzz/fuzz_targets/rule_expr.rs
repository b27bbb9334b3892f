//! Monitoring rules as the staff type them. A rule that parses is written back in its
//! canonical form, and that form parses to the same rule; matching never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;
use yuanxun_monitor::expr::{Expr, Sets};

fuzz_target!(|input: &str| {
    let (rule, text) = input.split_once('\n').unwrap_or((input, "示范医院急诊科医生被投诉"));
    let mut sets = Sets::new();
    sets.insert("院名".into(), vec!["示范医院".into(), "示医".into()]);
    sets.insert("空".into(), vec![]);
    let Ok(expr) = Expr::parse(rule, &sets) else { return };
    let canonical = expr.to_string();
    let again = Expr::parse(&canonical, &sets).unwrap_or_else(|e| panic!("canonical form {canonical:?} of {rule:?} does not parse: {e}"));
    assert_eq!(expr, again, "{rule:?} → {canonical:?}");
    let _ = expr.matches(text);
});
