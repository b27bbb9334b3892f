//! A JSON source read by the staff's field mapping: the first line is the mapping (as the
//! source settings store it), the rest the body the source answered.
#![no_main]
use libfuzzer_sys::fuzz_target;
use yuanxun_server::services::monitor_fetch;

fuzz_target!(|input: &str| {
    let (mapping, body) = input.split_once('\n').unwrap_or((input, ""));
    let _ = monitor_fetch::parse("json", mapping, body, "https://example.org/");
    // The same body with a plausible mapping, so the fuzzer reaches the walk as well.
    let _ = monitor_fetch::parse("json", r#"{"items":"data.list","title":"title","url":"url","text":"content","guid":"id"}"#, input, "https://example.org/");
});
