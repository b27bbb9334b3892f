//! libFuzzer's panic hook aborts on every panic, even one the product catches on purpose
//! (`catch_unwind` around a third-party parser known to panic on broken input: feed-rs's
//! quick-xml, calamine). This hook lets those through silently when they come from those
//! crates; any other panic still prints and aborts, so a crash of our own is still found.

/// Installs the hook (from the target's `init`).
pub fn allow_caught_panics_from(crates: &'static [&'static str]) {
    let abort_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let from = info.location().map(|l| l.file()).unwrap_or("");
        if crates.iter().any(|c| from.contains(c)) {
            return; // caught by the product, which reports the input as broken
        }
        abort_hook(info);
    }));
}
