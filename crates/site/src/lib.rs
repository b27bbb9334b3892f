//! The public news site's theme: templates and CSS for home, channel and article pages and
//! the 404/410 notices. The server gathers the data; this crate turns it into pages.

pub mod feeds;
pub mod wechat;
mod sample;

/// A QR code of `url` as inline SVG (no XML declaration), for sharing an article to WeChat
/// by scanning the screen or a printout. `None` only for a URL too long for any QR code.
///
/// The mask is fixed (pattern 000) rather than chosen by trying all eight: every scanner
/// reads any mask, and scoring the eight took a fifth of a full site export's time.
pub fn qr_svg(url: &str) -> Option<String> {
    use std::fmt::Write;
    let (colors, width) = qr_modules(url)?;
    // In module units with a 4-module quiet zone; each row's dark runs as one rectangle each
    // (the qrcode crate's renderer writes a rectangle per module: 4× the markup).
    let side = width + 8;
    let px = side * 140usize.div_ceil(side);
    let mut svg = format!(r##"<svg xmlns="http://www.w3.org/2000/svg" width="{px}" height="{px}" viewBox="0 0 {side} {side}" shape-rendering="crispEdges"><rect width="{side}" height="{side}" fill="#fff"/><path fill="#000" d=""##);
    for (y, row) in colors.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            if row[x] == qrcode::Color::Dark {
                let run = row[x..].iter().take_while(|c| **c == qrcode::Color::Dark).count();
                let _ = write!(svg, "M{} {}h{run}v1h-{run}z", x + 4, y + 4);
                x += run;
            } else {
                x += 1;
            }
        }
    }
    svg.push_str(r#""/></svg>"#);
    Some(svg)
}

/// The QR code's modules, row by row, and its width in modules (quiet zone excluded).
fn qr_modules(url: &str) -> Option<(Vec<qrcode::Color>, usize)> {
    use qrcode::canvas::{Canvas, MaskPattern};
    let ec = qrcode::EcLevel::M;
    let bits = qrcode::bits::encode_auto(url.as_bytes(), ec).ok()?;
    let version = bits.version();
    let (data, check) = qrcode::ec::construct_codewords(&bits.into_bytes(), version, ec).ok()?;
    let mut canvas = Canvas::new(version, ec);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&data, &check);
    canvas.apply_mask(MaskPattern::Checkerboard);
    Some((canvas.into_colors(), version.width() as usize))
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
    pub body: std::borrow::Cow<'static, str>,
    pub content_type: &'static str,
}

impl Asset {
    pub fn new(stem: &str, ext: &str, body: impl Into<std::borrow::Cow<'static, str>>, content_type: &'static str) -> Asset {
        let body = body.into();
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

/// Every file a theme folder may override.
pub const THEME_FILES: &[&str] = &["base.html", "home.html", "channel.html", "article.html", "notice.html", "search.html", "site.css", "site.js"];

/// The largest theme file read.
const MAX_THEME_FILE: u64 = 1 << 20;
/// The instructions one page's rendering may take (minijinja's fuel): far above what a real
/// page takes (the test beside the theme measures the default pages), far below a hang.
const TEMPLATE_FUEL: u64 = 5_000_000;

/// Why a theme folder could not be used, for the admin: the file, the line when known, and
/// what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ThemeError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for ThemeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "{} 第 {l} 行：{}", self.file, self.message),
            None => write!(f, "{}：{}", self.file, self.message),
        }
    }
}

impl ThemeError {
    fn from_template(file: &str, e: &minijinja::Error) -> ThemeError {
        let message = match e.detail() {
            Some(d) => format!("{}（{d}）", kind_text(e.kind())),
            None => kind_text(e.kind()).to_string(),
        };
        ThemeError { file: e.name().unwrap_or(file).to_string(), line: e.line(), message }
    }
}

fn kind_text(k: minijinja::ErrorKind) -> &'static str {
    use minijinja::ErrorKind as K;
    match k {
        K::SyntaxError => "模板语法错误",
        K::TemplateNotFound => "引用了不存在的模板",
        K::UnknownFilter => "使用了不存在的过滤器",
        K::UnknownFunction => "调用了不存在的函数",
        K::UnknownTest => "使用了不存在的测试",
        K::UnknownMethod => "调用了不存在的方法",
        K::InvalidOperation => "无效的操作",
        K::BadEscape => "转义写法有误",
        K::UndefinedError => "使用了未定义的值",
        K::TooManyArguments | K::MissingArgument => "参数个数不对",
        K::OutOfFuel => "模板计算量过大（循环太多或无法结束）：请减少循环次数",
        _ => "模板无法渲染",
    }
}

/// A loaded theme: the default theme with any files of a theme folder in their place.
pub struct Theme {
    env: Environment<'static>,
    /// The stylesheet, under its hashed name.
    pub css: Asset,
    /// The script, under its hashed name.
    pub js: Asset,
    /// The files that came from the theme folder.
    pub overridden: Vec<String>,
}

impl Theme {
    /// The theme shipped with Yuanxun.
    pub fn default_theme() -> Theme {
        Self::build(&|_| None).expect("the default theme's templates parse and render")
    }

    /// The default theme with the files found in `dir` in their place. Every template is
    /// parsed and rendered once with sample data, so a broken file is reported here (with
    /// its line) rather than to readers.
    pub fn load(dir: &std::path::Path) -> Result<Theme, ThemeError> {
        let mut found: Vec<(String, String)> = Vec::new();
        for name in THEME_FILES {
            let path = dir.join(name);
            let Ok(meta) = std::fs::metadata(&path) else { continue };
            let err = |message: String| ThemeError { file: (*name).to_string(), line: None, message };
            if !meta.is_file() || meta.len() > MAX_THEME_FILE {
                return Err(err(format!("不是普通文件或超过 {} KB", MAX_THEME_FILE >> 10)));
            }
            let bytes = std::fs::read(&path).map_err(|e| err(format!("无法读取：{e}")))?;
            let text = String::from_utf8(bytes).map_err(|_| err("不是 UTF-8 编码：请用 UTF-8 保存".into()))?;
            found.push(((*name).to_string(), text));
        }
        Self::from_files(&found)
    }

    /// The default theme with these files (name, text) in place of its own: what [`Theme::load`]
    /// does once it has read the folder.
    pub fn from_files(files: &[(String, String)]) -> Result<Theme, ThemeError> {
        Self::build(&|name| files.iter().find(|(n, _)| n == name).map(|(_, t)| t.clone()))
    }

    fn build(over: &dyn Fn(&str) -> Option<String>) -> Result<Theme, ThemeError> {
        let mut env = Environment::new();
        // A theme is written by a hospital's administrator, not by us: a loop over a loop
        // must end with an error naming the template, not hang the server that renders it.
        env.set_fuel(Some(TEMPLATE_FUEL));
        let mut overridden = Vec::new();
        for (name, src) in FILES {
            let result = match over(name) {
                Some(text) => {
                    overridden.push(name.to_string());
                    env.add_template_owned(name.to_string(), text)
                }
                None => env.add_template(name, src),
            };
            result.map_err(|e| ThemeError::from_template(name, &e))?;
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
        let mut asset = |file: &str, stem: &str, ext: &str, default: &'static str, ctype: &'static str| match over(file) {
            Some(text) => {
                overridden.push(file.to_string());
                Asset::new(stem, ext, std::borrow::Cow::Owned(text), ctype)
            }
            None => Asset::new(stem, ext, std::borrow::Cow::Borrowed(default), ctype),
        };
        let css = asset("site.css", "site", "css", CSS, "text/css; charset=utf-8");
        let js = asset("site.js", "site", "js", JS, "text/javascript; charset=utf-8");
        env.add_global("site_css", css.path.clone());
        env.add_global("site_js", js.path.clone());
        let theme = Theme { env, css, js, overridden };
        for (name, ctx) in sample::pages() {
            theme.render(name, ctx).map_err(|e| ThemeError::from_template(name, &e))?;
        }
        Ok(theme)
    }

    /// Renders one page.
    pub fn render<S: serde::Serialize>(&self, name: &str, ctx: S) -> Result<String, minijinja::Error> {
        self.env.get_template(name)?.render(ctx)
    }
}

/// A stamp of a theme folder's files (names, sizes, modification times): when it changes,
/// the theme is loaded again.
pub fn folder_stamp(dir: &std::path::Path) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for name in THEME_FILES {
        if let Ok(m) = std::fs::metadata(dir.join(name)) {
            name.hash(&mut h);
            m.len().hash(&mut h);
            m.modified().ok().hash(&mut h);
        }
    }
    h.finish()
}

/// The theme the site serves, swapped whole when its folder changes. A folder with a
/// broken file leaves the last good theme in place and keeps the error for the admin.
pub struct LiveTheme {
    dir: Option<std::path::PathBuf>,
    current: std::sync::RwLock<std::sync::Arc<Theme>>,
    error: std::sync::RwLock<Option<ThemeError>>,
    stamp: std::sync::atomic::AtomicU64,
}

impl LiveTheme {
    /// The theme of `dir` (or the default theme when there is none, or when it is broken:
    /// then [`LiveTheme::error`] says why).
    pub fn new(dir: Option<std::path::PathBuf>) -> LiveTheme {
        let live = LiveTheme {
            current: std::sync::RwLock::new(std::sync::Arc::new(Theme::default_theme())),
            error: std::sync::RwLock::new(None),
            stamp: std::sync::atomic::AtomicU64::new(0),
            dir,
        };
        live.reload();
        live
    }

    /// The theme to render with now.
    pub fn get(&self) -> std::sync::Arc<Theme> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// What is wrong with the theme folder, if anything.
    pub fn error(&self) -> Option<ThemeError> {
        self.error.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn dir(&self) -> Option<&std::path::Path> {
        self.dir.as_deref()
    }

    /// Loads the folder again. Returns true when a new theme is now served.
    pub fn reload(&self) -> bool {
        let Some(dir) = &self.dir else { return false };
        self.stamp.store(folder_stamp(dir), std::sync::atomic::Ordering::Relaxed);
        match Theme::load(dir) {
            Ok(t) => {
                *self.current.write().unwrap_or_else(|e| e.into_inner()) = std::sync::Arc::new(t);
                *self.error.write().unwrap_or_else(|e| e.into_inner()) = None;
                true
            }
            Err(e) => {
                *self.error.write().unwrap_or_else(|e| e.into_inner()) = Some(e);
                false
            }
        }
    }

    /// Reloads if the folder's files changed since the last load. Returns true when a new
    /// theme is now served.
    pub fn reload_if_changed(&self) -> bool {
        let Some(dir) = &self.dir else { return false };
        if folder_stamp(dir) == self.stamp.load(std::sync::atomic::Ordering::Relaxed) {
            return false;
        }
        self.reload()
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

    /// A phone's camera must read the article's address back from the printed code, with
    /// the fixed mask, at every size an address makes (short, long, Chinese path).
    #[test]
    fn qr_codes_scan_back_to_their_address() {
        let long = format!("https://news.hospital.example.cn/news/{}.html", "9".repeat(120));
        for url in ["https://h.example/news/1.html", "http://127.0.0.1:8080/news/123456.html", &long, "https://医院.example/新闻/1.html"] {
            let (colors, width) = qr_modules(url).unwrap();
            // 4 pixels a module, 4 modules of quiet zone, as a greyscale image.
            let (scale, quiet) = (4, 4);
            let side = (width + 2 * quiet) * scale;
            let mut img = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
                let (mx, my) = ((x / scale).wrapping_sub(quiet), (y / scale).wrapping_sub(quiet));
                if mx < width && my < width && colors[my * width + mx] == qrcode::Color::Dark { 0 } else { 255 }
            });
            let grids = img.detect_grids();
            assert_eq!(grids.len(), 1, "{url}");
            let (_, content) = grids[0].decode().unwrap();
            assert_eq!(content, url);
            // The drawing has exactly the code's dark modules.
            let svg = qr_svg(url).unwrap();
            let d = svg.split(" d=\"").nth(1).unwrap().split('"').next().unwrap();
            let mut drawn = vec![qrcode::Color::Light; width * width];
            for run in d.split('M').filter(|r| !r.is_empty()) {
                let (xy, rest) = run.split_once('h').unwrap();
                let (x, y) = xy.split_once(' ').unwrap();
                let (x, y, n): (usize, usize, usize) = (x.parse().unwrap(), y.parse().unwrap(), rest.split_once('v').unwrap().0.parse().unwrap());
                drawn[(y - 4) * width + x - 4..(y - 4) * width + x - 4 + n].fill(qrcode::Color::Dark);
            }
            assert!(drawn == colors, "{url}");
        }
        assert!(qr_svg(&"x".repeat(5000)).is_none(), "too long for any QR code");
    }

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

    fn notice(t: &Theme) -> String {
        t.render("notice.html", minijinja::context! { site => minijinja::context! { name => "示范医院" }, channels => Vec::<()>::new(), heading => "h", message => "m" }).unwrap()
    }

    #[test]
    fn files_in_the_theme_folder_replace_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notice.html"), "{% extends \"base.html\" %}{% block main %}<p class=\"mine\">{{ heading }}</p>{% endblock %}").unwrap();
        std::fs::write(dir.path().join("site.css"), "body{color:teal}").unwrap();
        let t = Theme::load(dir.path()).unwrap();
        assert!(notice(&t).contains("<p class=\"mine\">h</p>"));
        assert_eq!(t.css.body, "body{color:teal}");
        assert_ne!(t.css.path, Theme::default_theme().css.path, "a new stylesheet gets a new hashed name");
        assert_eq!(t.overridden, ["notice.html", "site.css"]);
    }

    #[test]
    fn a_template_that_would_run_for_ever_is_refused_with_its_file_not_hung_on() {
        let runaway = "{% extends \"base.html\" %}{% block main %}\n{% for i in range(100000) %}{% for j in range(100000) %}.{% endfor %}{% endfor %}{% endblock %}";
        let e = Theme::from_files(&[("home.html".into(), runaway.into())]).err().expect("refused");
        assert_eq!(e.file, "home.html", "{e}");
        assert!(e.to_string().contains("模板计算量过大"), "{e}");
        // The real pages, rendered with the sample data, stay far inside the budget.
        assert!(Theme::from_files(&[]).is_ok());
    }

    #[test]
    fn a_broken_file_is_reported_with_its_line_and_the_last_good_theme_stays() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notice.html"), "{% extends \"base.html\" %}{% block main %}<p class=\"v1\">{{ heading }}</p>{% endblock %}").unwrap();
        let live = LiveTheme::new(Some(dir.path().to_path_buf()));
        assert!(live.error().is_none());
        assert!(notice(&live.get()).contains("v1"));

        // A syntax error on line 3.
        std::fs::write(dir.path().join("notice.html"), "{% extends \"base.html\" %}\n{% block main %}\n<p>{{ heading }</p>\n{% endblock %}").unwrap();
        assert!(!live.reload());
        let e = live.error().expect("the error is kept for the admin");
        assert_eq!((e.file.as_str(), e.line), ("notice.html", Some(3)), "{e}");
        assert!(e.to_string().starts_with("notice.html 第 3 行：模板语法错误"), "{e}");
        assert!(notice(&live.get()).contains("v1"), "readers still get the last good version");

        // An error that only rendering finds: a filter that does not exist.
        std::fs::write(dir.path().join("article.html"), "{% extends \"base.html\" %}{% block main %}\n{{ article.title|shout }}{% endblock %}").unwrap();
        std::fs::write(dir.path().join("notice.html"), "{% extends \"base.html\" %}{% block main %}<p class=\"v2\">{{ heading }}</p>{% endblock %}").unwrap();
        assert!(!live.reload_if_changed());
        let e = live.error().unwrap();
        assert_eq!((e.file.as_str(), e.line), ("article.html", Some(2)), "{e}");
        assert!(e.message.contains("不存在的过滤器"), "{e}");

        // Fixed: the new theme is served and the error is gone.
        std::fs::remove_file(dir.path().join("article.html")).unwrap();
        assert!(live.reload_if_changed());
        assert!(live.error().is_none());
        assert!(notice(&live.get()).contains("v2"));
        assert!(!live.reload_if_changed(), "nothing changed since");
    }

    #[test]
    fn a_file_that_is_not_utf8_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("site.css"), [0xC4, 0xE3, 0xBA, 0xC3]).unwrap();
        let e = Theme::load(dir.path()).err().unwrap();
        assert_eq!(e.file, "site.css");
        assert!(e.message.contains("UTF-8"));
    }
}
