//! A web page read by CSS selectors: the first line is the recipe, the rest the page.
#![no_main]
use libfuzzer_sys::fuzz_target;
use yuanxun_server::services::monitor_fetch;

fuzz_target!(|input: &str| {
    let (recipe, page) = input.split_once('\n').unwrap_or((input, ""));
    let _ = monitor_fetch::parse("html", recipe, page, "https://example.org/news/");
    let _ = monitor_fetch::parse("html", r#"{"item":"ul.news li","title":"a","link":"","text":""}"#, input, "https://example.org/news/");
});
