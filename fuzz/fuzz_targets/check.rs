//! Arbitrary bytes as text and as HTML, with and without a document date: the check must
//! not panic, and every finding's span must lie on char boundaries of the input and slice it
//! to exactly the finding's surface.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use yuanxun_check::{CheckInput, Checker, Format};

static CHECKER: OnceLock<Checker> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let checker = CHECKER.get_or_init(Checker::builtin);
    let text = String::from_utf8_lossy(data);
    let date = time::Date::from_calendar_date(2026, time::Month::November, 24).ok();
    for format in [Format::Text, Format::Html] {
        let mut input = CheckInput { text: &text, format, date: None, dismissed: &[] };
        for d in [None, date] {
            input.date = d;
            let report = checker.check(&input);
            for f in &report.findings {
                assert!(text.is_char_boundary(f.byte_start) && text.is_char_boundary(f.byte_end), "span {}..{} off char boundary", f.byte_start, f.byte_end);
                assert!(f.byte_start <= f.byte_end && f.byte_end <= text.len());
                assert_eq!(&text[f.byte_start..f.byte_end], f.surface, "surface differs from span");
                assert!(f.start <= f.end);
                assert!(f.line >= 1 && f.column >= 1);
            }
        }
    }
});
