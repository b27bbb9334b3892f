//! The review-integrity issue's picture bomb, measured: a small .docx whose one ~60-megapixel
//! PNG is shown 40 times. `cargo run --release -p yuanxun-docx --example picture_bomb`
//! prints the file's size and how long the import takes (a picture shown again is not
//! decoded again), beside the cost of one decode (the old reader paid it per reference).

use std::io::{Cursor, Write};
use std::time::Instant;

fn main() {
    let side = 7745; // 59.98 million pixels, just under one picture's limit
    let img = image::RgbImage::from_pixel(side, side, image::Rgb([200, 200, 200]));
    let mut png = Vec::new();
    img.write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    drop(img);
    let ns = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main""#;
    let mut body = String::from("<w:p><w:r><w:t>图片炸弹</w:t></w:r></w:p>");
    for _ in 0..40 {
        body.push_str(r#"<w:p><w:r><w:drawing><a:blip r:embed="rId1"/></w:drawing></w:r></w:p>"#);
    }
    let doc = format!(r#"<?xml version="1.0" encoding="UTF-8"?><w:document {ns}><w:body>{body}</w:body></w:document>"#);
    let rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image1.png"/></Relationships>"#;
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in [("word/document.xml", doc.as_bytes()), ("word/_rels/document.xml.rels", rels.as_bytes()), ("word/media/image1.png", &png)] {
        w.start_file(name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    let file = w.finish().unwrap().into_inner();
    println!("docx: {} KB, one {side}×{side} PNG ({:.2} MP) shown 40 times", file.len() / 1024, f64::from(side) * f64::from(side) / 1e6);

    let limits = yuanxun_docx::Limits::default();
    let t = Instant::now();
    let one = yuanxun_docx::clean_image("image1.png", &png, &limits);
    let decode = t.elapsed().as_secs_f64();
    println!("one decode and re-encode: {decode:.2} s ({})", if one.is_ok() { "accepted" } else { "refused" });
    let t = Instant::now();
    let got = yuanxun_docx::read_docx(&file, &limits);
    let import = t.elapsed().as_secs_f64();
    match got {
        Ok(d) => println!("import: {import:.2} s, {} picture(s), {} places; decoding per reference would take about {:.0} s", d.images.len(), d.body_html.matches("data-import").count(), decode * 40.0),
        Err(e) => println!("import: {import:.2} s, refused: {e}"),
    }
}
