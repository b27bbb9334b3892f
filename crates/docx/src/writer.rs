//! Word (.docx) out: an article as readers download it ("下载Word文档"): title, subtitle, the
//! meta line, the body's headings and paragraphs, and its photos with captions, embedded.
//!
//! Written by hand with the zip and XML writers we already use for reading: the pieces of
//! WordprocessingML an article needs are few, and docx-rs (the crate we looked at) stores
//! every picture as PNG (a 300 KB photo becomes several MB) and brings second copies of zip
//! and quick-xml.

use std::io::{Cursor, Write};

use quick_xml::escape::escape;
use zip::write::SimpleFileOptions;

/// A photo to embed: JPEG or PNG bytes as stored, with the size in pixels.
#[derive(Debug, Clone)]
pub struct Picture {
    pub bytes: Vec<u8>,
    /// `jpg` or `png`.
    pub ext: &'static str,
    pub width: u32,
    pub height: u32,
    pub caption: String,
}

/// One block of the article's body.
#[derive(Debug, Clone)]
pub enum Block {
    Heading(String),
    Paragraph(String),
    Picture(Picture),
    /// A table with a header row (repeated on every page it spans), full text width,
    /// equal columns.
    Table { header: Vec<String>, rows: Vec<Vec<String>> },
}

/// The article (or the work summary) as the document shows it.
#[derive(Debug, Clone, Default)]
pub struct ArticleDoc {
    pub title: String,
    pub subtitle: String,
    /// 发布日期 | 作者 | 摄影 | 来源 …, one line under the title.
    pub meta: String,
    pub blocks: Vec<Block>,
    /// Shown at the end: 原文地址 and the site's name.
    pub footer: String,
    /// The document's author property (the site).
    pub creator: String,
    /// A4 turned sideways, for ledgers of many columns.
    pub landscape: bool,
}

/// The widest a picture is shown: 15 cm, the text width of an A4 page with Word's margins.
const MAX_WIDTH_EMU: u64 = 15 * 360_000;
/// English Metric Units per pixel at 96 dpi.
const EMU_PER_PX: u64 = 9_525;

/// Turns `doc` into the bytes of a .docx file.
pub fn write_docx(doc: &ArticleDoc) -> std::io::Result<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let pictures: Vec<&Picture> = doc.blocks.iter().filter_map(|b| if let Block::Picture(p) = b { Some(p) } else { None }).collect();

    zip.start_file("[Content_Types].xml", opts)?;
    zip.write_all(CONTENT_TYPES.as_bytes())?;
    zip.start_file("_rels/.rels", opts)?;
    zip.write_all(ROOT_RELS.as_bytes())?;
    zip.start_file("docProps/core.xml", opts)?;
    zip.write_all(core_props(doc).as_bytes())?;
    zip.start_file("word/styles.xml", opts)?;
    zip.write_all(STYLES.as_bytes())?;
    zip.start_file("word/_rels/document.xml.rels", opts)?;
    let mut rels = String::from(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#);
    for (i, p) in pictures.iter().enumerate() {
        rels.push_str(&format!(r#"<Relationship Id="rPic{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image{n}.{ext}"/>"#, n = i + 1, ext = p.ext));
    }
    rels.push_str("</Relationships>");
    zip.write_all(rels.as_bytes())?;
    for (i, p) in pictures.iter().enumerate() {
        // Photos are compressed already.
        zip.start_file(format!("word/media/image{}.{}", i + 1, p.ext), stored)?;
        zip.write_all(&p.bytes)?;
    }
    zip.start_file("word/document.xml", opts)?;
    zip.write_all(document(doc).as_bytes())?;
    Ok(zip.finish()?.into_inner())
}

fn core_props(doc: &ArticleDoc) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{}</dc:title><dc:creator>{}</dc:creator><dc:language>zh-CN</dc:language></cp:coreProperties>"#,
        escape(xml_safe(&doc.title).as_str()),
        escape(xml_safe(&doc.creator).as_str())
    )
}

/// Characters XML 1.0 cannot carry (control characters pasted from elsewhere) are dropped.
fn xml_safe(s: &str) -> String {
    s.chars().filter(|&c| matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')).collect()
}

fn run(text: &str) -> String {
    format!(r#"<w:r><w:t xml:space="preserve">{}</w:t></w:r>"#, escape(xml_safe(text).as_str()))
}

fn paragraph(style: &str, text: &str) -> String {
    format!(r#"<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>{}</w:p>"#, run(text))
}

fn picture(p: &Picture, n: usize) -> String {
    let (w, h) = (p.width.max(1) as u64 * EMU_PER_PX, p.height.max(1) as u64 * EMU_PER_PX);
    let (w, h) = if w > MAX_WIDTH_EMU { (MAX_WIDTH_EMU, h * MAX_WIDTH_EMU / w) } else { (w, h) };
    let name = escape(xml_safe(&p.caption).as_str()).into_owned();
    format!(
        concat!(
            r#"<w:p><w:pPr><w:pStyle w:val="Picture"/></w:pPr><w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">"#,
            r#"<wp:extent cx="{w}" cy="{h}"/><wp:docPr id="{n}" name="图片{n}" descr="{name}"/>"#,
            r#"<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>"#,
            r#"<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic>"#,
            r#"<pic:nvPicPr><pic:cNvPr id="{n}" name="image{n}"/><pic:cNvPicPr/></pic:nvPicPr>"#,
            r#"<pic:blipFill><a:blip r:embed="rPic{n}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>"#,
            r#"<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{w}" cy="{h}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>"#,
            r#"</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"#
        ),
        w = w,
        h = h,
        n = n,
        name = name
    )
}

/// The text width of the page between its margins, in twentieths of a point.
const TEXT_WIDTH_TWIPS: usize = 11906 - 1800 - 1800;
/// The same on A4 landscape with 2.54 cm side margins.
const TEXT_WIDTH_LANDSCAPE_TWIPS: usize = 16838 - 1440 - 1440;

fn cell(text: &str, header: bool) -> String {
    let (shade, bold) = if header { (r#"<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="F2DCDB"/></w:tcPr>"#, "<w:rPr><w:b/></w:rPr>") } else { ("", "") };
    format!(r#"<w:tc>{shade}<w:p><w:pPr><w:pStyle w:val="TableText"/></w:pPr><w:r>{bold}<w:t xml:space="preserve">{}</w:t></w:r></w:p></w:tc>"#, escape(xml_safe(text).as_str()))
}

fn table(header: &[String], rows: &[Vec<String>], text_width: usize) -> String {
    let cols = header.len().max(rows.iter().map(Vec::len).max().unwrap_or(0)).max(1);
    let border = |side: &str| format!(r#"<w:{side} w:val="single" w:sz="4" w:space="0" w:color="808080"/>"#);
    let mut out = format!(
        r#"<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:jc w:val="center"/><w:tblBorders>{}{}{}{}{}{}</w:tblBorders><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>"#,
        border("top"), border("left"), border("bottom"), border("right"), border("insideH"), border("insideV")
    );
    // Columns share the text width by how wide their longest cell is (a CJK character counts
    // twice a Latin one), within 8..40 (a column never narrower than a four-character
    // heading), so a title column is not squeezed beside numbers.
    let width = |t: &str| t.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum::<usize>();
    let weights: Vec<usize> = (0..cols)
        .map(|i| header.get(i).into_iter().chain(rows.iter().filter_map(|r| r.get(i))).map(|t| width(t)).max().unwrap_or(0).clamp(8, 40))
        .collect();
    let total: usize = weights.iter().sum();
    for w in &weights {
        out.push_str(&format!(r#"<w:gridCol w:w="{}"/>"#, text_width * w / total));
    }
    out.push_str("</w:tblGrid>");
    let row = |cells: &[String], header: bool| {
        let mut r = String::from(if header { "<w:tr><w:trPr><w:tblHeader/></w:trPr>" } else { "<w:tr>" });
        for i in 0..cols {
            r.push_str(&cell(cells.get(i).map_or("", String::as_str), header));
        }
        r.push_str("</w:tr>");
        r
    };
    if !header.is_empty() {
        out.push_str(&row(header, true));
    }
    for r in rows {
        out.push_str(&row(r, false));
    }
    // Word wants a paragraph between a table and what follows.
    out.push_str("</w:tbl><w:p/>");
    out
}

fn document(doc: &ArticleDoc) -> String {
    let mut body = String::new();
    body.push_str(&paragraph("Title", &doc.title));
    if !doc.subtitle.is_empty() {
        body.push_str(&paragraph("Subtitle", &doc.subtitle));
    }
    if !doc.meta.is_empty() {
        body.push_str(&paragraph("Meta", &doc.meta));
    }
    let mut n = 0;
    for b in &doc.blocks {
        match b {
            Block::Heading(t) => body.push_str(&paragraph("Heading2", t)),
            Block::Paragraph(t) => body.push_str(&paragraph("BodyText", t)),
            Block::Picture(p) => {
                n += 1;
                body.push_str(&picture(p, n));
                if !p.caption.is_empty() {
                    body.push_str(&paragraph("Caption", &p.caption));
                }
            }
            Block::Table { header, rows } => body.push_str(&table(header, rows, if doc.landscape { TEXT_WIDTH_LANDSCAPE_TWIPS } else { TEXT_WIDTH_TWIPS })),
        }
    }
    if !doc.footer.is_empty() {
        body.push_str(&paragraph("Meta", &doc.footer));
    }
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" "#,
            r#"xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" "#,
            r#"xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><w:body>{}"#,
            "{}",
            r#"</w:body></w:document>"#
        ),
        body,
        if doc.landscape {
            r#"<w:sectPr><w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr>"#
        } else {
            r#"<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1800" w:bottom="1440" w:left="1800" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr>"#
        }
    )
}

const CONTENT_TYPES: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
    r#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>"#,
    r#"<Default Extension="jpg" ContentType="image/jpeg"/><Default Extension="png" ContentType="image/png"/>"#,
    r#"<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>"#,
    r#"<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>"#,
    r#"<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"#
);

const ROOT_RELS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    r#"<Relationship Id="rDoc" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>"#,
    r#"<Relationship Id="rCore" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"#
);

/// Chinese official-document conventions: 宋体 body at 四号 (14 pt) with a two-character
/// first-line indent, a 二号 (22 pt) bold title, centred meta line and captions.
const STYLES: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
    r#"<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="宋体"/><w:sz w:val="28"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault>"#,
    r#"<w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="360" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>"#,
    r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/><w:spacing w:before="240" w:after="240"/></w:pPr><w:rPr><w:rFonts w:eastAsia="黑体"/><w:b/><w:sz w:val="44"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:sz w:val="30"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Meta"><w:name w:val="Meta"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:color w:val="555555"/><w:sz w:val="21"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:rFonts w:eastAsia="黑体"/><w:b/><w:sz w:val="30"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="BodyText"><w:name w:val="Body Text"/><w:basedOn w:val="Normal"/><w:pPr><w:ind w:firstLineChars="200" w:firstLine="560"/><w:jc w:val="both"/></w:pPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Picture"><w:name w:val="Picture"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:jc w:val="center"/></w:pPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Caption"><w:name w:val="caption"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:rFonts w:eastAsia="楷体"/><w:sz w:val="24"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="TableText"><w:name w:val="Table Text"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="0" w:line="300" w:lineRule="auto"/><w:jc w:val="center"/></w:pPr><w:rPr><w:sz w:val="21"/></w:rPr></w:style>"#,
    r#"</w:styles>"#
);

/// The body's blocks from sanitised article HTML: headings, paragraphs (list items and
/// table rows become paragraphs too) and pictures, whose `src` `picture` resolves (a photo
/// it does not know is left out). Text inside `<figcaption>` becomes the picture's caption.
pub fn html_blocks(html: &str, mut picture: impl FnMut(&str) -> Option<Picture>) -> Vec<Block> {
    use quick_xml::events::Event;
    let mut r = quick_xml::Reader::from_str(html);
    r.config_mut().check_end_names = false;
    r.config_mut().allow_unmatched_ends = true;
    let mut blocks = Vec::new();
    let mut text = String::new();
    let mut heading = false;
    let mut in_caption = false;
    let flush = |blocks: &mut Vec<Block>, text: &mut String, heading: bool| {
        let t = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if !t.is_empty() {
            blocks.push(if heading { Block::Heading(t) } else { Block::Paragraph(t) });
        }
        text.clear();
    };
    loop {
        match r.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let name = e.local_name().as_ref().to_ascii_lowercase();
                match name.as_slice() {
                    b"p" | b"div" | b"li" | b"tr" | b"blockquote" | b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6" => {
                        flush(&mut blocks, &mut text, heading);
                        heading = name.len() == 2 && name[0] == b'h' && name[1].is_ascii_digit();
                    }
                    b"br" => text.push('\n'),
                    b"td" | b"th" => text.push(' '),
                    b"figcaption" => {
                        flush(&mut blocks, &mut text, heading);
                        in_caption = true;
                    }
                    b"img" => {
                        flush(&mut blocks, &mut text, heading);
                        let src = e.try_get_attribute("src").ok().flatten().map(|a| String::from_utf8_lossy(&a.value).into_owned());
                        if let Some(p) = src.as_deref().and_then(&mut picture) {
                            blocks.push(Block::Picture(p));
                        }
                    }
                    _ => {}
                }
            }
            Ok(Event::End(e)) => {
                let name = e.local_name().as_ref().to_ascii_lowercase();
                match name.as_slice() {
                    b"figcaption" => {
                        let caption = text.split_whitespace().collect::<Vec<_>>().join(" ");
                        text.clear();
                        in_caption = false;
                        match blocks.last_mut() {
                            Some(Block::Picture(p)) if p.caption.is_empty() => p.caption = caption,
                            _ if !caption.is_empty() => blocks.push(Block::Paragraph(caption)),
                            _ => {}
                        }
                    }
                    b"p" | b"div" | b"li" | b"tr" | b"blockquote" | b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6" if !in_caption => {
                        flush(&mut blocks, &mut text, heading);
                        heading = false;
                    }
                    _ => {}
                }
            }
            Ok(Event::Text(t)) => {
                let raw = String::from_utf8_lossy(&t.into_inner()).into_owned();
                let s = quick_xml::escape::unescape_with(&raw, |ent| match ent {
                    "nbsp" => Some("\u{a0}"),
                    "mdash" => Some("—"),
                    "ldquo" => Some("“"),
                    "rdquo" => Some("”"),
                    "hellip" => Some("…"),
                    "middot" => Some("·"),
                    other => quick_xml::escape::resolve_predefined_entity(other),
                })
                .map(|c| c.into_owned())
                .unwrap_or(raw);
                text.push_str(&s);
            }
            Ok(Event::CData(t)) => text.push_str(&String::from_utf8_lossy(&t)),
            Ok(Event::Eof) => break,
            // Sanitised HTML is well-formed enough; anything else ends the body here rather
            // than failing the download.
            Err(_) => break,
            _ => {}
        }
    }
    flush(&mut blocks, &mut text, heading);
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(w, h, image::Rgb([200, 30, 40]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn html_becomes_headings_paragraphs_and_pictures() {
        let html = "<h2>一、背景</h2><p>骨科&nbsp;开展<b>义诊</b>&amp;宣教。</p><ul><li>骨密度检测</li><li>用药咨询</li></ul>\
                    <figure><img src=\"/media/3.jpg\" alt=\"x\"><figcaption>义诊现场</figcaption></figure><img src=\"https://evil.example/x.png\"><p>结束<br>谢谢</p>";
        let blocks = html_blocks(html, |src| (src == "/media/3.jpg").then(|| Picture { bytes: vec![1], ext: "jpg", width: 10, height: 10, caption: String::new() }));
        let shown: Vec<String> = blocks
            .iter()
            .map(|b| match b {
                Block::Heading(t) => format!("H:{t}"),
                Block::Paragraph(t) => format!("P:{t}"),
                Block::Picture(p) => format!("I:{}", p.caption),
                Block::Table { .. } => "T".into(),
            })
            .collect();
        assert_eq!(shown, ["H:一、背景", "P:骨科 开展义诊&宣教。", "P:骨密度检测", "P:用药咨询", "I:义诊现场", "P:结束 谢谢"]);
    }

    #[test]
    fn the_document_reads_back_with_our_own_reader() {
        let doc = ArticleDoc {
            title: "骨科举办义诊 <活动> & 宣教".into(),
            subtitle: "副标题".into(),
            meta: "发布日期：2026-11-24 | 作者：陈骨科".into(),
            blocks: vec![
                Block::Paragraph("第一段\u{1}文字。".into()),
                Block::Picture(Picture { bytes: png(1200, 600), ext: "png", width: 1200, height: 600, caption: "义诊现场".into() }),
                Block::Paragraph("第二段文字。".into()),
                Block::Table { header: vec!["项目".into(), "人数".into()], rows: vec![vec!["义诊 & 咨询".into(), "120".into()], vec!["短行".into()]] },
            ],
            footer: "原文地址：https://h.example/news/1.html".into(),
            creator: "示范医院".into(),
            landscape: false,
        };
        let bytes = write_docx(&doc).unwrap();
        let back = crate::read_docx(&bytes, &crate::Limits::default()).unwrap();
        assert_eq!(back.title, "骨科举办义诊 <活动> & 宣教");
        for expected in ["第一段文字。", "第二段文字。", "义诊现场", "发布日期：2026-11-24"] {
            assert!(back.body_html.contains(&expected.replace('<', "&lt;")), "{expected} in {}", back.body_html);
        }
        // The table: its bold header row, escaped cells, a short row filled out.
        for expected in ["<td><strong>项目</strong></td>", "<td>义诊 &amp; 咨询</td><td>120</td>", "<td>短行</td><td></td>"] {
            assert!(back.body_html.contains(expected), "{expected} in {}", back.body_html);
        }
        assert_eq!(back.images.len(), 1, "the photo is embedded");
        // The picture is scaled to the text width (15 cm), keeping its proportions.
        let mut z = zip::ZipArchive::new(Cursor::new(&bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
        assert!(xml.contains(r#"<wp:extent cx="5400000" cy="2700000"/>"#), "{xml}");
    }
}
