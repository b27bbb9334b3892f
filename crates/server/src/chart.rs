//! Charts drawn on the server as SVG: the rankings' bars and the summary's month-by-month
//! columns. The same SVG is inlined in the pages (it needs no script, prints, and scales for
//! readers who zoom) and rasterised for the Word report.
//!
//! Written here rather than taken from a plotting crate: the two charts are a few dozen
//! rectangles and labels, and plotters (the crate we looked at) draws text through its own
//! font loading, which we would have to configure for CJK anyway.

use std::fmt::Write;

/// One bar or column: a label and a value (points, or a count).
#[derive(Debug, Clone, PartialEq)]
pub struct Datum {
    pub label: String,
    pub value: f64,
    /// The value as shown beside the bar (`12.5`, `48篇`).
    pub value_text: String,
}

/// The font stack the charts ask for: the CJK fonts a Debian machine with `fonts-noto-cjk`
/// has, then whatever the browser or rasteriser picks for sans-serif.
const FONTS: &str = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif";
const BAR: &str = "#b22222";
const INK: &str = "#222";
const GRID: &str = "#ddd";

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Cuts a label to `max` characters, with an ellipsis when it was longer.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn open(out: &mut String, width: u32, height: u32, title: &str) {
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{t}" font-family="{FONTS}"><title>{t}</title><rect width="{width}" height="{height}" fill="white"/>"#,
        t = esc(title)
    );
}

/// Horizontal bars, largest first as given: a ranking's top lines. Empty data draws a
/// chart that says there is nothing yet.
pub fn bars(title: &str, data: &[Datum]) -> String {
    let (label_w, bar_w, row_h, top) = (170.0, 400.0, 30.0, 40.0);
    let width = (label_w + bar_w + 90.0) as u32;
    let height = (top + row_h * data.len().max(1) as f64 + 12.0) as u32;
    let mut out = String::new();
    open(&mut out, width, height, title);
    let _ = write!(out, r#"<text x="0" y="22" font-size="16" font-weight="bold" fill="{INK}">{}</text>"#, esc(title));
    if data.is_empty() {
        let _ = write!(out, r#"<text x="0" y="{}" font-size="14" fill="dimgray">本期暂无数据</text></svg>"#, top + 20.0);
        return out;
    }
    let max = data.iter().map(|d| d.value).fold(0.0_f64, f64::max).max(f64::MIN_POSITIVE);
    for (i, d) in data.iter().enumerate() {
        let y = top + row_h * i as f64;
        let w = (d.value.max(0.0) / max * bar_w).max(if d.value > 0.0 { 2.0 } else { 0.0 });
        let ty = y + 19.0;
        let _ = write!(out, r#"<text x="{}" y="{ty}" font-size="14" text-anchor="end" fill="{INK}">{}</text>"#, label_w - 8.0, esc(&clip(&d.label, 11)));
        // A zero draws no bar (an empty rectangle is not valid SVG), only its value.
        if w > 0.0 {
            let _ = write!(out, r#"<rect x="{label_w}" y="{y}" width="{w:.1}" height="{}" fill="{BAR}"/>"#, row_h - 8.0);
        }
        let _ = write!(out, r#"<text x="{:.1}" y="{ty}" font-size="14" fill="{INK}">{}</text>"#, label_w + w + 6.0, esc(&d.value_text));
    }
    out.push_str("</svg>");
    out
}

/// Vertical columns in the order given: a period month by month.
pub fn columns(title: &str, data: &[Datum]) -> String {
    let (left, top, plot_h, col_w) = (40.0, 44.0, 200.0, 44.0);
    let width = (left + col_w * data.len().max(1) as f64 + 20.0).max(320.0) as u32;
    let height = (top + plot_h + 36.0) as u32;
    let mut out = String::new();
    open(&mut out, width, height, title);
    let _ = write!(out, r#"<text x="0" y="22" font-size="16" font-weight="bold" fill="{INK}">{}</text>"#, esc(title));
    let base = top + plot_h;
    let _ = write!(out, r#"<line x1="{left}" y1="{base}" x2="{}" y2="{base}" stroke="{GRID}"/>"#, width as f64 - 10.0);
    let max = data.iter().map(|d| d.value).fold(0.0_f64, f64::max).max(f64::MIN_POSITIVE);
    for (i, d) in data.iter().enumerate() {
        let x = left + col_w * i as f64;
        let h = d.value.max(0.0) / max * (plot_h - 24.0);
        let cx = x + col_w / 2.0;
        if h > 0.0 {
            let _ = write!(out, r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{h:.1}" fill="{BAR}"/>"#, x + 6.0, base - h, col_w - 12.0);
        }
        let _ = write!(
            out,
            r#"<text x="{cx:.1}" y="{:.1}" font-size="13" text-anchor="middle" fill="{INK}">{}</text><text x="{cx:.1}" y="{:.1}" font-size="13" text-anchor="middle" fill="{INK}">{}</text>"#,
            base - h - 6.0,
            esc(&d.value_text),
            base + 20.0,
            esc(&clip(&d.label, 4)),
        );
    }
    out.push_str("</svg>");
    out
}

/// The chart as a PNG at `scale` times its size (for the Word report), with its size in
/// pixels. Text is drawn with the machine's fonts, loaded once; on a machine without CJK
/// fonts the Chinese labels are missing but the bars are right.
pub fn png(svg: &str, scale: f32) -> Option<(Vec<u8>, u32, u32)> {
    use resvg::{tiny_skia, usvg};
    static OPTIONS: std::sync::OnceLock<usvg::Options<'static>> = std::sync::OnceLock::new();
    let opt = OPTIONS.get_or_init(|| {
        let mut o = usvg::Options::default();
        o.fontdb_mut().load_system_fonts();
        o.font_family = "Noto Sans CJK SC".into();
        o
    });
    let tree = usvg::Tree::from_str(svg, opt).ok()?;
    let size = tree.size().to_int_size().scale_by(scale)?;
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())?;
    resvg::render(&tree, tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    Some((pixmap.encode_png().ok()?, size.width(), size.height()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(label: &str, value: f64) -> Datum {
        Datum { label: label.into(), value, value_text: format!("{value}") }
    }

    #[test]
    fn bars_are_as_long_as_their_values_and_labels_are_escaped() {
        let svg = bars("个人积分", &[d("陈骨科", 20.0), d("<b>王五</b>", 10.0), d("零分", 0.0)]);
        let doc = resvg::usvg::roxmltree::Document::parse(&svg).expect("well-formed SVG");
        let widths: Vec<f64> = doc.descendants().filter(|n| n.has_tag_name("rect") && n.attribute("fill") == Some(BAR)).map(|n| n.attribute("width").unwrap().parse().unwrap()).collect();
        assert_eq!(widths, [400.0, 200.0], "a zero draws no bar");
        assert!(svg.contains("&lt;b&gt;王五&lt;/b&gt;") && !svg.contains("<b>"));
        assert!(doc.root_element().attribute("role") == Some("img") && svg.contains("<title>个人积分</title>"));
        assert!(bars("空", &[]).contains("本期暂无数据"));
    }

    #[test]
    fn columns_rise_to_their_values() {
        let svg = columns("每月发稿", &[d("1月", 4.0), d("2月", 0.0), d("3月", 2.0)]);
        let doc = resvg::usvg::roxmltree::Document::parse(&svg).expect("well-formed SVG");
        let heights: Vec<f64> = doc.descendants().filter(|n| n.has_tag_name("rect") && n.attribute("fill") == Some(BAR)).map(|n| n.attribute("height").unwrap().parse().unwrap()).collect();
        assert_eq!(heights, [176.0, 88.0]);
        let (png, w, h) = png(&svg, 2.0).expect("rasterised");
        let img = image::load_from_memory(&png).expect("a PNG").to_rgb8();
        assert_eq!((img.width(), img.height(), w), (2 * 320, 2 * 280, 640), "{h}");
        // The first column is drawn in the bar colour, the background is white.
        assert_eq!(img.get_pixel(2 * 60, 2 * 200).0, [0xb2, 0x22, 0x22]);
        assert_eq!(img.get_pixel(2, 2 * 200).0, [255, 255, 255]);
    }
}
