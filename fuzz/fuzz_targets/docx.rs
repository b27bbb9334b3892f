//! The .docx reader: any bytes a correspondent uploads as "Word". It must answer with a
//! document or a Chinese error, within its limits, and never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Limits small enough that one input is fast, large enough that real documents pass.
    let limits = yuanxun_docx::Limits { max_entry: 4 << 20, max_total: 16 << 20, max_image_side: 4096, max_image_pixels: 4 << 20, max_document_pixels: 16 << 20, ..Default::default() };
    if let Ok(doc) = yuanxun_docx::read_docx(data, &limits) {
        assert!(doc.images.len() <= limits.max_images);
    }
});
