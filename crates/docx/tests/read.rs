//! Hand-built .docx files: what Word writes, and what attackers send.

use std::io::{Cursor, Write};

use yuanxun_docx::{read_docx, DocxError, Limits};
use zip::write::SimpleFileOptions;

const NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006""#;

fn docx(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in parts {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn photo() -> Vec<u8> {
    let img = image::RgbImage::from_fn(80, 60, |x, _| image::Rgb([x as u8 * 3, 90, 160]));
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut out).encode_image(&img).unwrap();
    let mut with_exif = vec![0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x10];
    with_exif.extend_from_slice(b"Exif\0\0GPS-36.6");
    with_exif.extend_from_slice(&out[2..]);
    with_exif
}

fn body(inner: &str) -> Vec<u8> {
    format!(r#"<?xml version="1.0" encoding="UTF-8"?><w:document {NS}><w:body>{inner}</w:body></w:document>"#).into_bytes()
}

const STYLES: &str = r#"<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/></w:style>
<w:style w:type="paragraph" w:styleId="2"><w:name w:val="heading 2"/></w:style>
<w:style w:type="paragraph" w:styleId="a5"><w:name w:val="caption"/></w:style></w:styles>"#;

const NUMBERING: &str = r#"<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/></w:lvl></w:abstractNum>
<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:numFmt w:val="decimal"/></w:lvl></w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num></w:numbering>"#;

const RELS: &str = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image1.jpeg"/>
<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="http://evil.example/track.png" TargetMode="External"/></Relationships>"#;

fn story() -> Vec<u8> {
    let xml = body(concat!(
        r#"<w:p><w:pPr><w:pStyle w:val="1"/></w:pPr><w:r><w:t>骨科举办&lt;义诊&gt;活动</w:t></w:r></w:p>"#,
        r#"<w:p><w:r><w:t xml:space="preserve">本报讯 </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>11月20日</w:t></w:r><w:r><w:t>，骨科在门诊大厅开展义诊。</w:t></w:r></w:p>"#,
        r#"<w:p><w:pPr><w:pStyle w:val="2"/></w:pPr><w:r><w:t>义诊内容</w:t></w:r></w:p>"#,
        r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>骨密度检测</w:t></w:r></w:p>"#,
        r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:rPr><w:i/></w:rPr><w:t>用药咨询</w:t></w:r></w:p>"#,
        r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="2"/></w:numPr></w:pPr><w:r><w:t>第一步</w:t></w:r></w:p>"#,
        r#"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>项目</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>人数</w:t></w:r></w:p></w:tc></w:tr>"#,
        r#"<w:tr><w:tc><w:p><w:r><w:t>咨询</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>120</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#,
        r#"<w:p><w:r><mc:AlternateContent><mc:Choice><w:drawing><a:blip r:embed="rId5"/></w:drawing></mc:Choice><mc:Fallback><w:pict><v:imagedata r:id="rId5"/></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"#,
        r#"<w:p><w:pPr><w:pStyle w:val="a5"/></w:pPr><w:r><w:t>图为义诊现场</w:t></w:r></w:p>"#,
        r#"<w:p><w:r><w:drawing><a:blip r:embed="rId9"/></w:drawing></w:r></w:p>"#,
        r#"<w:p><w:r><w:t>删改</w:t></w:r><w:del><w:r><w:delText>已删除的文字</w:delText></w:r></w:del><w:ins><w:r><w:t>后的文字</w:t></w:r></w:ins></w:p>"#,
    ));
    docx(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", &xml),
        ("word/styles.xml", STYLES.as_bytes()),
        ("word/numbering.xml", NUMBERING.as_bytes()),
        ("word/_rels/document.xml.rels", RELS.as_bytes()),
        ("word/media/image1.jpeg", &photo()),
    ])
}

#[test]
fn a_word_story_becomes_title_body_and_photo() {
    let got = read_docx(&story(), &Limits::default()).unwrap();
    assert_eq!(got.title, "骨科举办<义诊>活动");
    assert_eq!(
        got.body_html,
        concat!(
            "<p>本报讯 <strong>11月20日</strong>，骨科在门诊大厅开展义诊。</p>",
            "<h2>义诊内容</h2>",
            "<ul><li>骨密度检测</li><li><em>用药咨询</em></li></ul><ol><li>第一步</li></ol>",
            "<table><tbody><tr><td>项目</td><td>人数</td></tr><tr><td>咨询</td><td>120</td></tr></tbody></table>",
            "<figure><img data-import=\"0\" alt=\"图为义诊现场\"><figcaption>图为义诊现场</figcaption></figure>",
            "<p>删改后的文字</p>",
        )
    );
    assert_eq!(got.images.len(), 1, "the fallback copy and the external image are not imported");
    let img = &got.images[0];
    assert_eq!((img.caption.as_str(), img.image.width, img.image.height), ("图为义诊现场", 80, 60));
    assert!(!img.image.bytes.windows(4).any(|w| w == b"Exif"));
}

#[test]
fn without_a_heading_the_first_line_is_the_title() {
    let xml = body(r#"<w:p><w:r><w:t>护理部开展技能竞赛</w:t></w:r></w:p><w:p><w:r><w:t>正文第一段。</w:t></w:r></w:p>"#);
    let got = read_docx(&docx(&[("word/document.xml", &xml)]), &Limits::default()).unwrap();
    assert_eq!(got.title, "护理部开展技能竞赛");
    assert_eq!(got.body_html, "<p>正文第一段。</p>");
}

#[test]
fn hostile_and_wrong_files_get_specific_errors() {
    let l = Limits::default();
    assert_eq!(read_docx(b"just some text, renamed to .docx", &l).unwrap_err(), DocxError::NotZip);
    assert_eq!(read_docx(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0], &l).unwrap_err(), DocxError::LegacyDoc);
    let mut broken = story();
    broken.truncate(broken.len() / 2);
    assert!(matches!(read_docx(&broken, &l).unwrap_err(), DocxError::Malformed(_)));
    let xlsx = docx(&[("xl/workbook.xml", b"<workbook/>")]);
    assert_eq!(read_docx(&xlsx, &l).unwrap_err(), DocxError::NotDocx);
    let empty = docx(&[("word/document.xml", &body(""))]);
    assert_eq!(read_docx(&empty, &l).unwrap_err(), DocxError::Empty);
    let bad_xml = docx(&[("word/document.xml", b"<w:document><w:body><w:p></w:x></w:body>")]);
    assert!(matches!(read_docx(&bad_xml, &l).unwrap_err(), DocxError::Malformed(_)));
}

#[test]
fn a_zip_bomb_is_refused_without_expanding_it() {
    let mut xml = body("<w:p><w:r><w:t>x</w:t></w:r></w:p>");
    xml.extend(std::iter::repeat_n(b' ', 80 << 20));
    let bomb = docx(&[("word/document.xml", &xml)]);
    assert!(bomb.len() < 1 << 20, "80 MB of spaces compress to {} bytes", bomb.len());
    let err = read_docx(&bomb, &Limits::default()).unwrap_err();
    assert_eq!(err, DocxError::ZipBomb);
    assert!(err.to_string().contains("压缩炸弹"));
}

#[test]
fn too_many_entries_is_a_bomb_too() {
    let names: Vec<String> = (0..2_100).map(|i| format!("word/x{i}.xml")).collect();
    let parts: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"<x/>"[..])).collect();
    assert_eq!(read_docx(&docx(&parts), &Limits::default()).unwrap_err(), DocxError::ZipBomb);
}

#[test]
fn an_oversized_file_is_refused_before_reading() {
    let l = Limits { max_file: 1024, ..Limits::default() };
    let err = read_docx(&story(), &l).unwrap_err();
    assert!(matches!(err, DocxError::TooLarge { .. }));
}

#[test]
fn an_image_bomb_inside_a_docx_is_refused() {
    let png = yuanxun_docx::testdata::png_bomb(40_000, 40_000);
    let xml = body(r#"<w:p><w:r><w:t>标题</w:t></w:r></w:p><w:p><w:r><w:drawing><a:blip r:embed="rId5"/></w:drawing></w:r></w:p>"#);
    let rels = RELS.replace("image1.jpeg", "image1.png");
    let file = docx(&[("word/document.xml", &xml), ("word/_rels/document.xml.rels", rels.as_bytes()), ("word/media/image1.png", &png)]);
    let err = read_docx(&file, &Limits::default()).unwrap_err();
    assert!(matches!(err, DocxError::ImageTooLarge { .. }), "{err:?}");
}


/// A document whose paragraphs show pictures by relationship id: `refs` lists, for each
/// paragraph, which of `pictures` (by index) it shows.
fn pictures_doc(pictures: &[Vec<u8>], refs: &[usize]) -> Vec<u8> {
    let mut inner = String::from(r#"<w:p><w:r><w:t>图片很多的稿件</w:t></w:r></w:p>"#);
    for r in refs {
        inner.push_str(&format!(r#"<w:p><w:r><w:drawing><a:blip r:embed="rIdP{r}"/></w:drawing></w:r></w:p>"#));
    }
    let mut rels = String::from(r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#);
    for i in 0..pictures.len() {
        rels.push_str(&format!(r#"<Relationship Id="rIdP{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/p{i}.jpeg"/>"#));
    }
    rels.push_str("</Relationships>");
    let xml = body(&inner);
    let names: Vec<String> = (0..pictures.len()).map(|i| format!("word/media/p{i}.jpeg")).collect();
    let mut parts: Vec<(&str, &[u8])> = vec![("word/document.xml", &xml), ("word/_rels/document.xml.rels", rels.as_bytes())];
    for (n, p) in names.iter().zip(pictures) {
        parts.push((n.as_str(), p.as_slice()));
    }
    docx(&parts)
}

#[test]
fn a_picture_shown_forty_times_is_decoded_once() {
    let file = pictures_doc(&[photo()], &[0; 40]);
    let got = read_docx(&file, &Limits::default()).unwrap();
    assert_eq!(got.images.len(), 1, "one picture, one medium");
    assert_eq!(got.body_html.matches(r#"data-import="0""#).count(), 40, "shown in all forty places");
    // With a budget of one picture's pixels, forty references still fit: they cost one decode.
    let tight = Limits { max_document_pixels: 80 * 60, ..Limits::default() };
    assert!(read_docx(&file, &tight).is_ok());
}

#[test]
fn a_document_has_a_budget_of_pictures_and_pixels() {
    let many: Vec<Vec<u8>> = (0..5).map(|_| photo()).collect();
    let file = pictures_doc(&many, &[0, 1, 2, 3, 4]);
    let err = read_docx(&file, &Limits { max_images: 4, ..Limits::default() }).unwrap_err();
    assert_eq!(err, DocxError::TooManyImages { max: 4 });
    assert!(err.to_string().contains("超过 4 张"), "{err}");
    // Five 80×60 pictures are 24,000 pixels; a budget of 20,000 stops at the fifth, from its
    // header, before decoding it.
    let err = read_docx(&file, &Limits { max_document_pixels: 20_000, ..Limits::default() }).unwrap_err();
    assert!(matches!(err, DocxError::ImagesTooLarge { .. }), "{err:?}");
    assert!(err.to_string().contains("压缩图片"), "{err}");
    assert!(read_docx(&file, &Limits::default()).is_ok());
}

#[test]
fn xml_entities_are_never_expanded_nor_fetched() {
    // Billion laughs and an external entity (XXE) in the document part: the reader knows
    // only XML's five predefined entities, so neither a gigabyte of "lol" nor the contents
    // of /etc/passwd can come out of it: the file is refused.
    let mut dtd = String::from(r#"<!DOCTYPE w:document [<!ENTITY lol "lol"><!ENTITY xxe SYSTEM "file:///etc/passwd">"#);
    for i in 1..10 {
        let prev = if i == 1 { "lol".to_string() } else { format!("lol{}", i - 1) };
        dtd.push_str(&format!("<!ENTITY lol{i} \"{}\">", format!("&{prev};").repeat(10)));
    }
    dtd.push_str("]>");
    let xml = format!(r#"<?xml version="1.0" encoding="UTF-8"?>{dtd}<w:document {NS}><w:body><w:p><w:r><w:t>义诊&lol9;</w:t></w:r></w:p><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>"#);
    let file = docx(&[("word/document.xml", xml.as_bytes())]);
    let result = read_docx(&file, &Limits::default());
    // Refused as a damaged file (an entity Word never writes), nothing read from disk.
    assert!(matches!(&result, Err(DocxError::Malformed(m)) if m.contains("entity `lol9`")), "{result:?}");
}
