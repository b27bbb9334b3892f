//! The public news site's theme: templates and CSS for home, channel and article pages and
//! the 404/410 notices. The server gathers the data; this crate turns it into pages.

use minijinja::Environment;

/// The default theme's files, compiled into the binary.
const FILES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../../themes/default/base.html")),
    ("home.html", include_str!("../../../themes/default/home.html")),
    ("channel.html", include_str!("../../../themes/default/channel.html")),
    ("article.html", include_str!("../../../themes/default/article.html")),
    ("notice.html", include_str!("../../../themes/default/notice.html")),
];

/// The site stylesheet.
pub const CSS: &str = include_str!("../../../themes/default/site.css");

/// A loaded theme.
pub struct Theme {
    env: Environment<'static>,
}

impl Theme {
    /// The theme shipped with Yuanxun.
    pub fn default_theme() -> Theme {
        let mut env = Environment::new();
        for (name, src) in FILES {
            env.add_template(name, src).expect("the default theme's templates parse");
        }
        env.add_filter("minute", |ts: i64| yuanxun_core::clock::format_minute(ts));
        env.add_filter("date", |ts: i64| yuanxun_core::clock::format_date(ts));
        Theme { env }
    }

    /// Renders one page.
    pub fn render<S: serde::Serialize>(&self, name: &str, ctx: S) -> Result<String, minijinja::Error> {
        self.env.get_template(name)?.render(ctx)
    }
}
