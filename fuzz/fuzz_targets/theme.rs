//! A hospital's theme folder: templates, CSS and JS an administrator drops in. Loading one
//! renders every page with sample data; it must end (fuel-bounded) with a theme or an error
//! naming the file, never panic or hang. Files are separated by NUL; the first byte of each
//! picks which theme file it replaces.
#![no_main]
use libfuzzer_sys::fuzz_target;
use yuanxun_site::{Theme, THEME_FILES};

fuzz_target!(|data: &[u8]| {
    let mut files: Vec<(String, String)> = Vec::new();
    for part in data.split(|&b| b == 0) {
        let Some((&pick, text)) = part.split_first() else { continue };
        let Ok(text) = std::str::from_utf8(text) else { continue };
        let name = THEME_FILES[pick as usize % THEME_FILES.len()];
        files.retain(|(n, _)| n != name);
        files.push((name.to_string(), text.to_string()));
    }
    let _ = Theme::from_files(&files);
});
