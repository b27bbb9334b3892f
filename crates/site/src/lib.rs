//! The public news site's theme: templates and CSS for home, channel and article pages and
//! the 404/410 notices. The server gathers the data; this crate turns it into pages.

pub mod feeds;

/// A QR code of `url` as inline SVG (no XML declaration), for sharing an article to WeChat
/// by scanning the screen or a printout. `None` only for a URL too long for any QR code.
pub fn qr_svg(url: &str) -> Option<String> {
    let code = qrcode::QrCode::new(url.as_bytes()).ok()?;
    let svg = code.render::<qrcode::render::svg::Color>().min_dimensions(140, 140).quiet_zone(true).build();
    Some(match svg.find("<svg") {
        Some(i) => svg[i..].to_string(),
        None => svg,
    })
}

use minijinja::Environment;
use sha2::{Digest, Sha256};

/// A static file served under a name that changes with its content
/// (`/static/site.3f2a1b4c9d0e.css`), so browsers may keep it for a year.
#[derive(Debug, Clone)]
pub struct Asset {
    /// The hashed address, e.g. `/static/site.3f2a1b4c9d0e.css`.
    pub path: String,
    /// The plain address (`/static/site.css`), kept for pages rendered before a change.
    pub plain: String,
    pub body: &'static str,
    pub content_type: &'static str,
}

impl Asset {
    pub fn new(stem: &str, ext: &str, body: &'static str, content_type: &'static str) -> Asset {
        let hash = hex(&Sha256::digest(body.as_bytes())[..6]);
        Asset { path: format!("/static/{stem}.{hash}.{ext}"), plain: format!("/static/{stem}.{ext}"), body, content_type }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The default theme's files, compiled into the binary.
const FILES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../../themes/default/base.html")),
    ("home.html", include_str!("../../../themes/default/home.html")),
    ("channel.html", include_str!("../../../themes/default/channel.html")),
    ("article.html", include_str!("../../../themes/default/article.html")),
    ("notice.html", include_str!("../../../themes/default/notice.html")),
    ("search.html", include_str!("../../../themes/default/search.html")),
];

/// The site stylesheet.
pub const CSS: &str = include_str!("../../../themes/default/site.css");
/// The site script (slideshow and lightbox).
pub const JS: &str = include_str!("../../../themes/default/site.js");

/// A loaded theme.
pub struct Theme {
    env: Environment<'static>,
    /// The stylesheet, under its hashed name.
    pub css: Asset,
    /// The script, under its hashed name.
    pub js: Asset,
}

impl Theme {
    /// The theme shipped with Yuanxun.
    pub fn default_theme() -> Theme {
        let mut env = Environment::new();
        for (name, src) in FILES {
            env.add_template(name, src).expect("the default theme's templates parse");
        }
        // HTML escaping without turning `/` into `&#x2f;`: URLs in canonical links and
        // OpenGraph tags stay readable to crawlers and to people reading the source.
        env.set_formatter(|out, state, value| {
            if state.auto_escape() == minijinja::AutoEscape::Html && !value.is_safe() {
                if let Some(s) = value.as_str() {
                    return write_escaped(out, s);
                }
            }
            minijinja::escape_formatter(out, state, value)
        });
        env.add_filter("minute", |ts: i64| yuanxun_core::clock::format_minute(ts));
        env.add_filter("date", |ts: i64| yuanxun_core::clock::format_date(ts));
        let css = Asset::new("site", "css", CSS, "text/css; charset=utf-8");
        env.add_global("site_css", css.path.clone());
        let js = Asset::new("site", "js", JS, "text/javascript; charset=utf-8");
        env.add_global("site_js", js.path.clone());
        Theme { env, css, js }
    }

    /// Renders one page.
    pub fn render<S: serde::Serialize>(&self, name: &str, ctx: S) -> Result<String, minijinja::Error> {
        self.env.get_template(name)?.render(ctx)
    }
}

/// Writes `s` escaped for HTML text and quoted attributes: `& < > " '`.
fn write_escaped(out: &mut minijinja::Output<'_>, s: &str) -> Result<(), minijinja::Error> {
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.write_str(&s[last..i]).and_then(|_| out.write_str(rep)).map_err(|_| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "writing the page failed"))?;
        last = i + 1;
    }
    out.write_str(&s[last..]).map_err(|_| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "writing the page failed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_escape_markup_but_keep_urls_readable() {
        let t = Theme::default_theme();
        let site = minijinja::context! { name => "示范<医院>", host => "h" };
        let html = t.render("notice.html", minijinja::context! { site, channels => Vec::<()>::new(), heading => "a \"b\" & 'c'", message => "<script>x</script>" }).unwrap();
        assert!(html.contains("示范&lt;医院&gt;") && html.contains("a &quot;b&quot; &amp; &#39;c&#39;") && html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<script>x"));
        let html = t.render("notice.html", minijinja::context! { site => minijinja::context! { name => "x" }, channels => Vec::<()>::new(), heading => "h", message => "m", seo => minijinja::context! { title => "t", description => "d", canonical => "https://h.example/news/1.html", og_type => "article", feed => "/feed.xml", feed_title => "f" } }).unwrap();
        assert!(html.contains("<link rel=\"canonical\" href=\"https://h.example/news/1.html\">"), "{html}");
    }
}
