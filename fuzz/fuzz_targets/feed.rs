//! RSS/Atom from a monitored source: hostile until proven otherwise.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "../common/caught.rs"]
mod caught;
use yuanxun_server::services::monitor_fetch;

fuzz_target!(init: caught::allow_caught_panics_from(&["/quick-xml-", "/feed-rs-"]), |text: &str| {
    if let Ok(entries) = monitor_fetch::parse("rss", "", text, "https://example.org/") {
        for e in &entries {
            assert!(e.title.chars().count() <= 300 && e.url.chars().count() <= 2000);
            assert!(!(e.title.is_empty() && e.body.is_empty()));
        }
    }
});
