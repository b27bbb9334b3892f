//! Reading `word/document.xml` (with its styles, numbering and relationships) into HTML.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::{clean_image, CleanImage, DocxError, Limits};

/// A manuscript read from Word.
#[derive(Debug, Clone)]
pub struct Imported {
    /// From the first Title/Heading 1 paragraph, or else the first line of text.
    pub title: String,
    /// Paragraphs, headings, bold/italic, lists, tables and `<figure>`s with captions.
    pub body_html: String,
    /// Pictures in document order; `<img data-import="N">` refers to `images[N]`.
    pub images: Vec<ImportedImage>,
}

/// An embedded picture, already cleaned.
#[derive(Debug, Clone)]
pub struct ImportedImage {
    /// The name inside the .docx (`media/image1.jpeg`).
    pub name: String,
    pub caption: String,
    pub image: CleanImage,
}

struct Zip<'a> {
    archive: zip::ZipArchive<Cursor<&'a [u8]>>,
    limits: Limits,
    read_total: u64,
}

impl Zip<'_> {
    /// Reads one entry, never more than the limits allow, whatever its header claims.
    fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, DocxError> {
        let mut f = match self.archive.by_name(name) {
            Ok(f) => f,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(e) => return Err(DocxError::Malformed(e.to_string())),
        };
        if f.size() > self.limits.max_entry || self.read_total + f.size() > self.limits.max_total {
            return Err(DocxError::ZipBomb);
        }
        let cap = self.limits.max_entry.min(self.limits.max_total - self.read_total);
        let mut buf = Vec::with_capacity(f.size().min(cap) as usize);
        (&mut f).take(cap + 1).read_to_end(&mut buf).map_err(|e| DocxError::Malformed(e.to_string()))?;
        if buf.len() as u64 > cap {
            return Err(DocxError::ZipBomb);
        }
        self.read_total += buf.len() as u64;
        Ok(Some(buf))
    }
}

/// Reads a .docx upload into a manuscript, or says precisely why it cannot.
pub fn read_docx(bytes: &[u8], limits: &Limits) -> Result<Imported, DocxError> {
    if bytes.len() > limits.max_file {
        return Err(DocxError::TooLarge { size_mb: (bytes.len() as u64).div_ceil(1 << 20), limit_mb: (limits.max_file as u64) >> 20 });
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(DocxError::LegacyDoc);
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(DocxError::NotZip);
    }
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| DocxError::Malformed(e.to_string()))?;
    if archive.len() > limits.max_entries {
        return Err(DocxError::ZipBomb);
    }
    let mut zip = Zip { archive, limits: *limits, read_total: 0 };
    let document = zip.read("word/document.xml")?.ok_or(DocxError::NotDocx)?;
    let styles = zip.read("word/styles.xml")?.map(|x| parse_styles(&x)).transpose()?.unwrap_or_default();
    let numbering = zip.read("word/numbering.xml")?.map(|x| parse_numbering(&x)).transpose()?.unwrap_or_default();
    let rels = zip.read("word/_rels/document.xml.rels")?.map(|x| parse_rels(&x)).transpose()?.unwrap_or_default();

    let blocks = parse_body(&document, &styles)?;
    let mut b = Builder { numbering: &numbering, html: String::new(), list: None, title: None, images: Vec::new(), seen: HashMap::new(), pixels: 0 };
    let mut i = 0;
    while i < blocks.len() {
        match &blocks[i] {
            Block::Para(p) => {
                // A picture followed by a caption-styled or short centred line: a figure.
                let caption = match blocks.get(i + 1) {
                    Some(Block::Para(next)) if !p.images.is_empty() && p.text_len() == 0 && next.images.is_empty() && next.is_caption() => {
                        i += 1;
                        Some(next.plain())
                    }
                    _ => None,
                };
                b.para(p, caption, &rels, &mut zip)?;
            }
            Block::Table(rows) => {
                b.close_list();
                b.html.push_str("<table><tbody>");
                for row in rows {
                    b.html.push_str("<tr>");
                    for cell in row {
                        b.html.push_str("<td>");
                        let parts: Vec<String> = cell.iter().map(|p| p.inline_html()).filter(|s| !s.is_empty()).collect();
                        b.html.push_str(&parts.join("<br>"));
                        b.html.push_str("</td>");
                    }
                    b.html.push_str("</tr>");
                }
                b.html.push_str("</tbody></table>");
            }
        }
        i += 1;
    }
    b.close_list();
    let title = match b.title.take() {
        Some(t) => t,
        None => take_first_line(&mut b.html),
    };
    if title.trim().is_empty() && b.html.is_empty() && b.images.is_empty() {
        return Err(DocxError::Empty);
    }
    Ok(Imported { title: title.trim().to_string(), body_html: b.html, images: b.images })
}

/// Takes the first `<p>` out of the body as the title.
fn take_first_line(html: &mut String) -> String {
    if let Some(rest) = html.strip_prefix("<p>") {
        if let Some(end) = rest.find("</p>") {
            let inner = rest[..end].to_string();
            *html = rest[end + 4..].to_string();
            return strip_tags(&inner);
        }
    }
    String::new()
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
}

struct Builder<'n> {
    numbering: &'n HashMap<(String, String), bool>,
    html: String,
    /// The list being written: ordered or not.
    list: Option<bool>,
    title: Option<String>,
    images: Vec<ImportedImage>,
    /// Each picture's zip entry → its index in `images`: a picture used again is not
    /// decoded again.
    seen: HashMap<String, usize>,
    /// Pixels of the pictures decoded so far (the document's budget).
    pixels: u64,
}

impl Builder<'_> {
    fn close_list(&mut self) {
        if let Some(ordered) = self.list.take() {
            self.html.push_str(if ordered { "</ol>" } else { "</ul>" });
        }
    }

    fn para(&mut self, p: &Para, caption: Option<String>, rels: &HashMap<String, String>, zip: &mut Zip) -> Result<(), DocxError> {
        let inline = p.inline_html();
        if let Some(level) = p.heading {
            self.close_list();
            if self.title.is_none() && (level <= 1) && !inline.is_empty() && self.html.is_empty() {
                self.title = Some(p.plain());
                return Ok(());
            }
            if !inline.is_empty() {
                let tag = if level <= 2 { "h2" } else { "h3" };
                self.html.push_str(&format!("<{tag}>{inline}</{tag}>"));
            }
        } else if let Some((num_id, ilvl)) = &p.numbering {
            let ordered = self.numbering.get(&(num_id.clone(), ilvl.clone())).copied().unwrap_or(false);
            if self.list != Some(ordered) {
                self.close_list();
                self.html.push_str(if ordered { "<ol>" } else { "<ul>" });
                self.list = Some(ordered);
            }
            self.html.push_str(&format!("<li>{inline}</li>"));
        } else {
            self.close_list();
            if !inline.is_empty() {
                self.html.push_str(&format!("<p>{inline}</p>"));
            }
        }
        for rid in &p.images {
            let Some(target) = rels.get(rid) else { continue };
            let name = format!("word/{}", target.trim_start_matches('/').trim_start_matches("word/"));
            let cap = caption.clone().unwrap_or_default();
            let n = match self.seen.get(&name) {
                Some(&n) => n,
                None => {
                    let Some(bytes) = zip.read(&name)? else { continue };
                    let short = name.rsplit('/').next().unwrap_or(&name).to_string();
                    let limits = zip.limits;
                    if self.images.len() >= limits.max_images {
                        return Err(DocxError::TooManyImages { max: limits.max_images });
                    }
                    let (_, w, h) = crate::image_clean::image_header(&short, &bytes)?;
                    crate::image_clean::within_limits(&short, w, h, &limits)?;
                    let pixels = self.pixels + u64::from(w) * u64::from(h);
                    if pixels > limits.max_document_pixels {
                        return Err(DocxError::ImagesTooLarge { megapixels: pixels / 1_000_000, max: limits.max_document_pixels / 1_000_000 });
                    }
                    self.pixels = pixels;
                    let image = clean_image(&short, &bytes, &limits)?;
                    self.images.push(ImportedImage { name: short, caption: cap.clone(), image });
                    self.seen.insert(name, self.images.len() - 1);
                    self.images.len() - 1
                }
            };
            self.html.push_str(&format!("<figure><img data-import=\"{n}\" alt=\"{}\">", escape(&cap)));
            if !cap.is_empty() {
                self.html.push_str(&format!("<figcaption>{}</figcaption>", escape(&cap)));
            }
            self.html.push_str("</figure>");
        }
        Ok(())
    }
}

enum Block {
    Para(Para),
    Table(Vec<Vec<Vec<Para>>>),
}

#[derive(Default)]
struct Para {
    /// Runs of (text, bold, italic); `\n` in text is a line break.
    runs: Vec<(String, bool, bool)>,
    /// Heading level (0 = Title, 1 = Heading 1 …).
    heading: Option<u8>,
    caption_style: bool,
    centered: bool,
    numbering: Option<(String, String)>,
    images: Vec<String>,
}

impl Para {
    fn plain(&self) -> String {
        self.runs.iter().map(|r| r.0.as_str()).collect::<String>().trim().to_string()
    }

    fn text_len(&self) -> usize {
        self.plain().chars().count()
    }

    fn is_caption(&self) -> bool {
        let n = self.text_len();
        n > 0 && (self.caption_style || (self.centered && n <= 80))
    }

    fn inline_html(&self) -> String {
        let mut out = String::new();
        for (text, bold, italic) in &self.runs {
            if text.is_empty() {
                continue;
            }
            let t = escape(text).replace('\n', "<br>");
            match (bold, italic) {
                (true, true) => out.push_str(&format!("<strong><em>{t}</em></strong>")),
                (true, false) => out.push_str(&format!("<strong>{t}</strong>")),
                (false, true) => out.push_str(&format!("<em>{t}</em>")),
                _ => out.push_str(&t),
            }
        }
        // Merge adjacent runs of the same formatting that Word splits for no visible reason.
        let out = out.replace("</strong><strong>", "").replace("</em><em>", "");
        if out.trim().is_empty() { String::new() } else { out.trim().to_string() }
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn xml_err(e: impl std::fmt::Display) -> DocxError {
    DocxError::Malformed(format!("XML: {e}"))
}

fn attr(e: &BytesStart, local: &[u8]) -> Option<String> {
    e.attributes().flatten().find(|a| a.key.local_name().as_ref() == local).and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
}

/// styleId → (heading level, is caption), from the style names Word and LibreOffice use.
fn parse_styles(xml: &[u8]) -> Result<HashMap<String, (Option<u8>, bool)>, DocxError> {
    let mut r = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut map = HashMap::new();
    let mut cur: Option<String> = None;
    loop {
        match r.read_event_into(&mut buf).map_err(xml_err)? {
            Event::Start(e) if e.local_name().as_ref() == b"style" => cur = attr(&e, b"styleId"),
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"name" => {
                if let (Some(id), Some(name)) = (cur.clone(), attr(&e, b"val")) {
                    map.insert(id.clone(), classify_style(&id, &name));
                }
            }
            Event::End(e) if e.local_name().as_ref() == b"style" => cur = None,
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(map)
}

fn classify_style(id: &str, name: &str) -> (Option<u8>, bool) {
    let n = name.to_ascii_lowercase().replace(' ', "");
    let heading = if n == "title" || id.eq_ignore_ascii_case("title") || name == "标题" {
        Some(0)
    } else if let Some(d) = n.strip_prefix("heading").or_else(|| name.strip_prefix("标题 ")) {
        d.trim().parse::<u8>().ok()
    } else {
        None
    };
    (heading, n == "caption" || name == "题注")
}

/// (numId, ilvl) → ordered?, from numbering.xml.
fn parse_numbering(xml: &[u8]) -> Result<HashMap<(String, String), bool>, DocxError> {
    let mut r = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut abstract_fmt: HashMap<(String, String), bool> = HashMap::new();
    let mut num_to_abs: Vec<(String, String)> = Vec::new();
    let (mut cur_abs, mut cur_lvl, mut cur_num) = (None::<String>, None::<String>, None::<String>);
    loop {
        match r.read_event_into(&mut buf).map_err(xml_err)? {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                b"abstractNum" => cur_abs = attr(&e, b"abstractNumId"),
                b"lvl" => cur_lvl = attr(&e, b"ilvl"),
                b"numFmt" => {
                    if let (Some(a), Some(l), Some(v)) = (&cur_abs, &cur_lvl, attr(&e, b"val")) {
                        abstract_fmt.insert((a.clone(), l.clone()), v != "bullet" && v != "none");
                    }
                }
                b"num" => cur_num = attr(&e, b"numId"),
                b"abstractNumId" => {
                    if let (Some(n), Some(v)) = (&cur_num, attr(&e, b"val")) {
                        num_to_abs.push((n.clone(), v));
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    let mut out = HashMap::new();
    for (num, abs) in num_to_abs {
        for ((a, lvl), ordered) in &abstract_fmt {
            if *a == abs {
                out.insert((num.clone(), lvl.clone()), *ordered);
            }
        }
    }
    Ok(out)
}

/// Relationship id → target, internal targets only (external links and images are never fetched).
fn parse_rels(xml: &[u8]) -> Result<HashMap<String, String>, DocxError> {
    let mut r = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut map = HashMap::new();
    loop {
        match r.read_event_into(&mut buf).map_err(xml_err)? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"Relationship" => {
                let external = attr(&e, b"TargetMode").is_some_and(|m| m == "External");
                if let (false, Some(id), Some(t)) = (external, attr(&e, b"Id"), attr(&e, b"Target")) {
                    map.insert(id, t);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(map)
}

/// The body's paragraphs and tables, in order.
fn parse_body(xml: &[u8], styles: &HashMap<String, (Option<u8>, bool)>) -> Result<Vec<Block>, DocxError> {
    let mut r = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut blocks = Vec::new();
    // Table nesting: rows of cells of paragraphs. Nested tables flatten into their cell.
    let mut tables: Vec<Vec<Vec<Vec<Para>>>> = Vec::new();
    let mut para: Option<Para> = None;
    let (mut bold, mut italic, mut in_text, mut in_rpr) = (false, false, false, false);
    let mut skip_depth = 0usize; // inside deleted text or a fallback copy
    loop {
        let ev = r.read_event_into(&mut buf).map_err(xml_err)?;
        let (start, empty, end_name) = match &ev {
            Event::Start(e) => (Some(e.clone()), false, None),
            Event::Empty(e) => (Some(e.clone()), true, None),
            Event::End(e) => (None, false, Some(e.local_name().as_ref().to_vec())),
            Event::Text(t) => {
                if in_text && skip_depth == 0 {
                    if let Some(p) = para.as_mut() {
                        let s = t.unescape().map_err(xml_err)?;
                        p.runs.push((s.into_owned(), bold, italic));
                    }
                }
                (None, false, None)
            }
            Event::Eof => break,
            _ => (None, false, None),
        };
        if let Some(e) = start {
            let name = e.local_name().as_ref().to_vec();
            if skip_depth > 0 {
                if !empty {
                    skip_depth += 1;
                }
                buf.clear();
                continue;
            }
            match name.as_slice() {
                b"del" | b"Fallback" | b"instrText" if !empty => skip_depth = 1,
                b"tbl" if !empty => tables.push(Vec::new()),
                b"tr" if !empty => {
                    if let Some(t) = tables.last_mut() { t.push(Vec::new()) }
                }
                b"tc" if !empty => {
                    if let Some(row) = tables.last_mut().and_then(|t| t.last_mut()) { row.push(Vec::new()) }
                }
                b"p" => {
                    para = Some(Para::default());
                    if empty {
                        finish_para(&mut para, &mut tables, &mut blocks);
                    }
                }
                b"pStyle" => {
                    if let (Some(p), Some(v)) = (para.as_mut(), attr(&e, b"val")) {
                        let (h, cap) = styles.get(&v).copied().unwrap_or_else(|| classify_style(&v, &v));
                        p.heading = h;
                        p.caption_style = cap;
                    }
                }
                b"jc" => {
                    if let (Some(p), false) = (para.as_mut(), in_rpr) {
                        p.centered = attr(&e, b"val").is_some_and(|v| v == "center");
                    }
                }
                b"numId" => {
                    if let (Some(p), Some(v)) = (para.as_mut(), attr(&e, b"val")) {
                        if v != "0" {
                            let lvl = p.numbering.take().map(|n| n.1).unwrap_or_else(|| "0".into());
                            p.numbering = Some((v, lvl));
                        }
                    }
                }
                b"ilvl" => {
                    if let (Some(p), Some(v)) = (para.as_mut(), attr(&e, b"val")) {
                        let id = p.numbering.take().map(|n| n.0).unwrap_or_default();
                        p.numbering = Some((id, v));
                    }
                }
                b"r" if !empty => {
                    bold = false;
                    italic = false;
                }
                b"rPr" if !empty => in_rpr = true,
                b"b" | b"bCs" if in_rpr => bold = attr(&e, b"val").is_none_or(|v| v != "0" && v != "false"),
                b"i" | b"iCs" if in_rpr => italic = attr(&e, b"val").is_none_or(|v| v != "0" && v != "false"),
                b"t" if !empty => in_text = true,
                b"tab" if !in_rpr => {
                    if let Some(p) = para.as_mut() { p.runs.push((" ".into(), bold, italic)) }
                }
                b"br" | b"cr" => {
                    if let Some(p) = para.as_mut() { p.runs.push(("\n".into(), bold, italic)) }
                }
                b"blip" => {
                    if let (Some(p), Some(id)) = (para.as_mut(), attr(&e, b"embed")) { p.images.push(id) }
                }
                b"imagedata" => {
                    if let (Some(p), Some(id)) = (para.as_mut(), attr(&e, b"id")) { p.images.push(id) }
                }
                _ => {}
            }
        } else if let Some(name) = end_name {
            if skip_depth > 0 {
                skip_depth -= 1;
                buf.clear();
                continue;
            }
            match name.as_slice() {
                b"t" => in_text = false,
                b"rPr" => in_rpr = false,
                b"p" => finish_para(&mut para, &mut tables, &mut blocks),
                b"tbl" => {
                    if let Some(t) = tables.pop() {
                        match tables.last_mut().and_then(|t| t.last_mut()).and_then(|row| row.last_mut()) {
                            Some(cell) => {
                                for row in t {
                                    for c in row {
                                        cell.extend(c);
                                    }
                                }
                            }
                            None => blocks.push(Block::Table(t)),
                        }
                    }
                }
                _ => {}
            }
        }
        buf.clear();
    }
    Ok(blocks)
}

fn finish_para(para: &mut Option<Para>, tables: &mut [Vec<Vec<Vec<Para>>>], blocks: &mut Vec<Block>) {
    let Some(p) = para.take() else { return };
    match tables.last_mut().and_then(|t| t.last_mut()).and_then(|row| row.last_mut()) {
        Some(cell) => cell.push(p),
        None => blocks.push(Block::Para(p)),
    }
}
