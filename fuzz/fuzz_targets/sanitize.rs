//! The HTML sanitiser every saved body goes through (pasted from Word, typed, or sent to the
//! API). What comes out carries no script, and cleaning it again changes nothing (a story
//! saved twice is the story saved once).
#![no_main]
use libfuzzer_sys::fuzz_target;
use yuanxun_server::sanitize;

fuzz_target!(|html: &str| {
    let Ok((body, images)) = sanitize::take_data_images(html) else { return };
    assert!(images.len() <= sanitize::MAX_INLINE_IMAGES);
    let once = sanitize::clean(&body);
    let lower = once.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "script survived: {once}");
    assert!(!lower.contains("<iframe"), "iframe survived: {once}");
    let twice = sanitize::clean(&once);
    assert_eq!(once, twice, "cleaning is not idempotent");
});
