//! The public news site: home, channel lists, articles (410 once retracted), and what
//! machines read: Atom feeds (site-wide and per channel), sitemap.xml, robots.txt. Every page
//! carries a canonical link, OpenGraph tags, and its own title and description.

// Render functions return the HTTP answer itself as their error (404, 503): it is built once
// per request and handed straight back, so its size does not matter.
#![allow(clippy::result_large_err)]

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use minijinja::context;
use serde::Deserialize;
use yuanxun_core::{clock, text};
use yuanxun_store::{articles, manuscripts, sites};

use crate::pages::Page;
use crate::{services, AppState};

/// Articles on a page of a channel's list.
pub const PAGE_SIZE: i64 = 20;
/// Entries in a feed.
const FEED_SIZE: i64 = 20;

/// The site's address as readers reach it: the configured public URL, or the scheme and
/// Host of the request (a Host with anything but host-name characters is ignored).
pub(crate) fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(u) = &state.config.public_url {
        return u.clone();
    }
    let valid = |h: &&str| !h.is_empty() && h.len() <= 255 && h.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).filter(valid).unwrap_or(&state.site.host);
    let https = state.config.secure_cookies || headers.get("x-forwarded-proto").is_some_and(|v| v.as_bytes() == b"https");
    format!("{}://{host}", if https { "https" } else { "http" })
}

/// The reader's display settings, remembered in cookies: font size (小/中/大) and the
/// 适老化 mode (large type, high contrast, a single column).
#[derive(Debug, Clone, Copy, serde::Serialize)]
struct Reader {
    font: &'static str,
    elder: bool,
}

const FONT_COOKIE: &str = "yx_font";
const ELDER_COOKIE: &str = "yx_elder";

impl Reader {
    fn from_headers(headers: &HeaderMap) -> Reader {
        let mut r = Reader { font: "m", elder: false };
        for pair in headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')) {
            match pair.trim().split_once('=') {
                Some((FONT_COOKIE, "s")) => r.font = "s",
                Some((FONT_COOKIE, "l")) => r.font = "l",
                Some((ELDER_COOKIE, "1")) => r.elder = true,
                _ => {}
            }
        }
        r
    }
}

/// Whom a page is rendered for: the address readers reach the site at, their display
/// settings, and whether the page is for the static export (which has no search, reader
/// settings, view counts or Word files: those need the server).
#[derive(Debug, Clone)]
pub struct View {
    pub base: String,
    reader: Reader,
    pub export: bool,
}

impl View {
    fn of(state: &AppState, headers: &HeaderMap) -> View {
        View { base: base_url(state, headers), reader: Reader::from_headers(headers), export: false }
    }

    /// A page of the static export of the site at `base`.
    pub fn export(base: &str) -> View {
        View { base: base.trim_end_matches('/').to_string(), reader: Reader { font: "m", elder: false }, export: true }
    }

    /// The address of page `n` of a channel on the live site (numbered from the newest).
    pub fn channel_page(&self, slug: &str, n: i64) -> String {
        match n {
            ..=1 => format!("/channel/{slug}"),
            n => format!("/channel/{slug}?page={n}"),
        }
    }
}

/// Where a channel's list lies in the static export. The newest stories are on
/// `channel/{slug}/index.html`; the older ones on archive pages numbered from the oldest
/// (`archive/1.html` holds the channel's first 20 stories), so that a new story changes the
/// index and the newest archive pages and leaves every other page as it is. The index shows
/// from 20 to 39 stories: the last full block of 20 and the stories after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportPages {
    /// The channel's live stories.
    pub total: i64,
}

/// One page of a channel in the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExportPage {
    Index,
    /// Archive page `j`, from 1 (the oldest).
    Archive(i64),
}

impl ExportPages {
    /// How many archive pages there are.
    pub fn archived(self) -> i64 {
        (self.total / PAGE_SIZE - 1).max(0)
    }

    /// Where the stories of `page` start and how many they are, counted from the newest
    /// (what [`articles::list`] takes).
    pub fn window(self, page: ExportPage) -> (i64, i64) {
        match page {
            ExportPage::Index => (0, self.total - self.archived() * PAGE_SIZE),
            ExportPage::Archive(j) => (self.total - j * PAGE_SIZE, PAGE_SIZE),
        }
    }

    /// The page that shows the story with `rank` older stories before it.
    pub fn page_of(self, rank: i64) -> ExportPage {
        let j = rank / PAGE_SIZE + 1;
        if j > self.archived() { ExportPage::Index } else { ExportPage::Archive(j) }
    }

    /// Every page, newest first.
    pub fn all(self) -> impl Iterator<Item = ExportPage> {
        std::iter::once(ExportPage::Index).chain((1..=self.archived()).rev().map(ExportPage::Archive))
    }
}

impl ExportPage {
    /// Its file in the export, and (with a leading `/`) its address.
    pub fn file(self, slug: &str) -> String {
        match self {
            ExportPage::Index => format!("channel/{slug}/index.html"),
            ExportPage::Archive(j) => format!("channel/{slug}/archive/{j}.html"),
        }
    }

    fn url(self, slug: &str) -> String {
        match self {
            ExportPage::Index => format!("/channel/{slug}/"),
            page => format!("/{}", page.file(slug)),
        }
    }
}

/// What a channel page says about its place in the list: its address, its name in the
/// title, the pager's label and links.
struct Pager {
    here: String,
    nth: String,
    label: String,
    page: i64,
    pages: i64,
    newer: Option<String>,
    older: Option<String>,
    /// Said in the description; not on archive pages, which stay as they are.
    total: Option<i64>,
}

impl Pager {
    fn live(view: &View, slug: &str, total: i64, page: i64) -> Pager {
        let pages = channel_pages(total);
        Pager {
            here: view.channel_page(slug, page),
            nth: if page > 1 { format!("（第 {page} 页）") } else { String::new() },
            label: format!("第 {page} / {pages} 页"),
            page,
            pages,
            newer: (page > 1).then(|| view.channel_page(slug, page - 1)),
            older: (page < pages).then(|| view.channel_page(slug, page + 1)),
            total: Some(total),
        }
    }

    fn export(slug: &str, pages: ExportPages, page: ExportPage, list: &[Card]) -> Pager {
        let archived = pages.archived();
        let dates = || match (list.last(), list.first()) {
            (Some(oldest), Some(newest)) => format!("{} 至 {}", clock::format_date(oldest.published_at), clock::format_date(newest.published_at)),
            _ => String::new(),
        };
        match page {
            ExportPage::Index => Pager {
                here: page.url(slug),
                nth: String::new(),
                label: if archived > 0 { format!("最新 {} 篇", list.len()) } else { String::new() },
                page: 1,
                pages: archived + 1,
                newer: None,
                older: (archived > 0).then(|| ExportPage::Archive(archived).url(slug)),
                total: Some(pages.total),
            },
            ExportPage::Archive(j) => Pager {
                here: page.url(slug),
                nth: format!("（{}）", dates()),
                label: format!("存档第 {j} 页：{}", dates()),
                page: archived - j + 2,
                pages: archived + 1,
                newer: Some(if j >= archived { ExportPage::Index.url(slug) } else { ExportPage::Archive(j + 1).url(slug) }),
                older: (j > 1).then(|| ExportPage::Archive(j - 1).url(slug)),
                total: None,
            },
        }
    }
}

#[derive(Deserialize)]
struct ReaderQuery {
    font: Option<String>,
    elder: Option<String>,
    back: Option<String>,
}

/// `/reader?font=l&back=/news/1.html`: remembers a display setting for a year and returns
/// the reader to the page (a local path only), so the controls work without JavaScript.
async fn reader_settings(Query(q): Query<ReaderQuery>) -> Response {
    const YEAR: u32 = 365 * 24 * 3600;
    let mut cookies = Vec::new();
    if let Some(f) = q.font.as_deref().filter(|f| matches!(*f, "s" | "m" | "l")) {
        cookies.push(format!("{FONT_COOKIE}={f}; Path=/; Max-Age={YEAR}; SameSite=Lax"));
    }
    match q.elder.as_deref() {
        Some("1") => cookies.push(format!("{ELDER_COOKIE}=1; Path=/; Max-Age={YEAR}; SameSite=Lax")),
        Some("0") => cookies.push(format!("{ELDER_COOKIE}=0; Path=/; Max-Age=0; SameSite=Lax")),
        _ => {}
    }
    let back = q.back.as_deref().and_then(local_path).unwrap_or_else(|| "/".into());
    let mut res = (StatusCode::SEE_OTHER, [(header::LOCATION, back)]).into_response();
    for c in cookies {
        if let Ok(v) = c.parse() {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

/// `back` as a path of this site, or `None` when a browser would take it anywhere else.
/// It is read the way browsers read a Location (tabs and newlines dropped, `\\` as `/`,
/// `..` resolved) against a placeholder origin, and only a result on that origin is kept,
/// written out again from the parsed form: what the browser is sent is what was checked.
pub fn local_path(back: &str) -> Option<String> {
    if !back.starts_with('/') || back.chars().any(|c| c.is_control()) {
        return None;
    }
    let base = url::Url::parse("http://reader.invalid/").expect("a valid base");
    let u = base.join(back).ok()?;
    if u.origin() != base.origin() {
        return None;
    }
    let mut path = u.path().to_string();
    if let Some(q) = u.query() {
        path.push('?');
        path.push_str(q);
    }
    // Never two slashes at the start (a protocol-relative address in some readers).
    (path.starts_with('/') && !path.starts_with("//")).then_some(path)
}

/// What the page head says about a page: `<title>`, description, canonical URL, OpenGraph
/// type and image, and the feed that follows it.
#[derive(Debug, serde::Serialize)]
struct Seo {
    title: String,
    description: String,
    canonical: String,
    og_type: &'static str,
    image: Option<String>,
    feed: String,
    feed_title: String,
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/channel/{slug}", get(channel))
        .route("/news/{file}", get(article))
        .route("/feed.xml", get(site_feed))
        .route("/channel/{slug}/feed.xml", get(channel_feed))
        .route("/sitemap.xml", get(sitemap))
        .route("/sitemaps/{file}", get(sitemap_part))
        .route("/robots.txt", get(robots))
        .route("/reader", get(reader_settings))
        .route("/search", get(search))
        .route("/static/{file}", get(static_file))
        .fallback(|State(state): State<AppState>| async move { not_found(&state) })
}

fn page(state: &AppState, name: &str, status: StatusCode, ctx: minijinja::Value) -> Response {
    match render(state, name, status, ctx) {
        Ok((status, html)) => (status, Html(html)).into_response(),
        Err(r) => r,
    }
}

/// A themed page's HTML, or the response that explains why there is none.
fn render(state: &AppState, name: &str, status: StatusCode, ctx: minijinja::Value) -> Result<(StatusCode, String), Response> {
    state.theme.get().render(name, ctx).map(|html| (status, html)).map_err(|e| {
        tracing::error!("theme template {name} failed: {e:#}");
        (StatusCode::INTERNAL_SERVER_ERROR, "页面暂时无法显示").into_response()
    })
}

/// The cache key of a page: the address readers reach it at, their display settings, and
/// the page's normalised path.
fn cache_key(view: &View, path: &str) -> String {
    format!("{}|{}{}|{path}", view.base, view.reader.font, if view.reader.elder { "e" } else { "" })
}

/// Serves a page from the render cache, or renders, caches and serves it. Errors (busy,
/// unknown addresses) are answered without caching.
async fn cached<Fut>(state: &AppState, headers: &HeaderMap, key: String, ttl: Option<std::time::Duration>, render: Fut) -> Response
where
    Fut: std::future::Future<Output = Result<(StatusCode, String), Response>>,
{
    match render.await {
        Ok((status, html)) => state.pages.put(key, Page::new(status, html, ttl)).respond(headers),
        // The database is down: the last good copy, however old, rather than nothing.
        Err(r) if r.status() == StatusCode::SERVICE_UNAVAILABLE => state.pages.fallback(&key).map_or(r, |p| p.respond(headers)),
        Err(r) => r,
    }
}

/// The theme's and the newsroom's static files. Hashed names never change content, so they
/// may be cached for a year; plain names are revalidated.
async fn static_file(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let path = format!("/static/{file}");
    let theme = state.theme.get();
    for asset in [&theme.css, &theme.js, super::admin::admin_css(), super::admin::admin_js()] {
        let cache = if path == asset.path {
            "public, max-age=31536000, immutable"
        } else if path == asset.plain {
            "no-cache"
        } else {
            continue;
        };
        return ([(header::CONTENT_TYPE, asset.content_type), (header::CACHE_CONTROL, cache)], asset.body.to_string()).into_response();
    }
    not_found(&state)
}

/// The answer when the database cannot be reached and no copy of the page is kept: a
/// plain page (no database needed to render it), 503 and `Retry-After`, never cached.
fn busy() -> Response {
    let mut r = super::plain_page(StatusCode::SERVICE_UNAVAILABLE, "网站暂时无法访问", "<p>服务器正忙或正在维护，请过一会儿刷新本页。</p><p><a href=\"/\">返回首页</a></p>");
    r.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static("30"));
    r
}

/// A part of a page it cannot do without: when the database fails, the whole page is
/// unavailable — never a page missing its lists, which the cache would then keep.
fn needed<T>(r: Result<T, yuanxun_store::StoreError>) -> Result<T, Response> {
    r.map_err(|e| {
        tracing::warn!("public page: database: {e}");
        busy()
    })
}

/// The thing a page is about: missing is a 404, a database failure a 503.
fn subject<T>(state: &AppState, r: Result<T, yuanxun_store::StoreError>) -> Result<T, Response> {
    match r {
        Err(yuanxun_store::StoreError::NotFound) => Err(not_found(state)),
        other => needed(other),
    }
}

/// The permanent address of an article on the public site.
pub fn article_path(id: i64) -> String {
    format!("/{}", yuanxun_guard::article_page(id))
}

/// The URL of an article's cover image, when it has one that still exists: found among
/// `loaded` (the article's media, when already at hand) or else asked of the database.
pub async fn cover_url(c: &mut yuanxun_store::AnyConnection, site: i64, cover: Option<i64>, loaded: &[yuanxun_store::Media]) -> Option<String> {
    let cover = cover?;
    if let Some(m) = loaded.iter().find(|m| m.id == cover) {
        return Some(crate::services::manuscripts::media_url(m));
    }
    let m = manuscripts::get_media(c, site, cover).await.ok()?;
    Some(crate::services::manuscripts::media_url(&m))
}

/// The themed 404 page's HTML, for the static export.
pub fn render_notice(state: &AppState, view: &View) -> Result<(StatusCode, String), Response> {
    let ctx = context! { site => &*state.site, channels => Vec::<()>::new(), heading => "页面不存在", message => "您访问的页面不存在，可能地址有误或已被移动。", export => view.export };
    render(state, "notice.html", StatusCode::NOT_FOUND, ctx)
}

/// The themed 404 page.
pub fn not_found(state: &AppState) -> Response {
    let ctx = context! { site => &*state.site, channels => Vec::<()>::new(), heading => "页面不存在", message => "您访问的页面不存在，可能地址有误或已被移动。" };
    page(state, "notice.html", StatusCode::NOT_FOUND, ctx)
}

/// An article as a list shows it.
#[derive(Debug, serde::Serialize)]
pub struct Card {
    pub id: i64,
    pub title: String,
    pub published_at: i64,
    pub cover_url: Option<String>,
}

async fn cards(c: &mut yuanxun_store::AnyConnection, site: i64, list: Vec<yuanxun_store::Article>) -> Vec<Card> {
    let mut out = Vec::new();
    for a in list {
        let cover_url = cover_url(c, site, a.cover_media_id, &[]).await;
        out.push(Card { id: a.id, title: a.title, published_at: a.published_at, cover_url });
    }
    out
}

async fn home(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let view = View::of(&state, &headers);
    let key = cache_key(&view, "/");
    if let Some(p) = state.pages.get(&key) {
        return p.respond(&headers);
    }
    cached(&state, &headers, key, None, render_home(&state, &view)).await
}

pub async fn render_home(state: &AppState, view: &View) -> Result<(StatusCode, String), Response> {
    let site = state.site_id();
    let mut c = needed(state.store.conn().await)?;
    let chans = needed(sites::list_channels(&mut c, site).await)?;
    let mut blocks = Vec::new();
    let mut pictures = Vec::new();
    let mut pictures_channel = None;
    for ch in &chans {
        let list = needed(articles::list(&mut c, site, Some(ch.id), 0, 8).await)?;
        let list = cards(&mut c, site, list).await;
        // The first channel of photo news (图片新闻) becomes the slideshow, of its newest
        // stories with covers; the others list titles.
        if ch.photo && pictures_channel.is_none() {
            pictures = list.into_iter().filter(|a| a.cover_url.is_some()).take(5).collect();
            pictures_channel = Some(ch.clone());
        } else {
            blocks.push(context! { channel => ch, articles => list });
        }
    }
    let base = &view.base;
    let here = "/";
    let names: Vec<&str> = chans.iter().map(|c| c.name.as_str()).collect();
    let seo = Seo {
        title: format!("{} - 新闻中心", state.site.name),
        description: format!("{}新闻中心：{}。", state.site.name, names.join("、")),
        canonical: format!("{base}/"),
        og_type: "website",
        image: pictures.first().and_then(|p| p.cover_url.as_ref()).map(|u| format!("{base}{u}")),
        feed: "/feed.xml".into(),
        feed_title: format!("{} - 新闻中心", state.site.name),
    };
    render(state, "home.html", StatusCode::OK, context! { site => &*state.site, channels => chans, blocks, pictures, pictures_channel, seo, reader => view.reader, export => view.export, here => here })
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<i64>,
}

async fn channel(State(state): State<AppState>, headers: HeaderMap, Path(slug): Path<String>, Query(q): Query<PageQuery>) -> Response {
    let view = View::of(&state, &headers);
    let key = cache_key(&view, &format!("/channel/{slug}?page={}", q.page.unwrap_or(1)));
    if let Some(p) = state.pages.get(&key) {
        return p.respond(&headers);
    }
    cached(&state, &headers, key, None, render_channel(&state, &view, &slug, q.page.unwrap_or(1))).await
}

/// How many pages a channel's list has.
pub fn channel_pages(total: i64) -> i64 {
    ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1)
}

pub async fn render_channel(state: &AppState, view: &View, slug: &str, page: i64) -> Result<(StatusCode, String), Response> {
    let site = state.site_id();
    let mut c = needed(state.store.conn().await)?;
    let ch = subject(state, sites::channel_by_slug(&mut c, site, slug).await)?;
    let total = needed(articles::count_live(&mut c, site, Some(ch.id)).await)?;
    let pages = channel_pages(total);
    let page_no = page.clamp(1, pages);
    let list = needed(articles::list(&mut c, site, Some(ch.id), (page_no - 1) * PAGE_SIZE, PAGE_SIZE).await)?;
    let list = cards(&mut c, site, list).await;
    let chans = needed(sites::list_channels(&mut c, site).await)?;
    drop(c);
    let pager = Pager::live(view, &ch.slug, total, page_no);
    channel_html(state, view, &chans, &ch, pager, list).map(|html| (StatusCode::OK, html))
}

/// A page of a channel in the static export, loaded on its own (an update after one
/// publication; the whole export renders them while it walks the channel).
pub async fn render_export_channel(state: &AppState, view: &View, ch: &yuanxun_store::Channel, chans: &[yuanxun_store::Channel], pages: ExportPages, page: ExportPage) -> crate::error::ServiceResult<String> {
    let site = state.site_id();
    let (offset, limit) = pages.window(page);
    let mut c = state.store.conn().await?;
    let list = articles::list(&mut c, site, Some(ch.id), offset, limit).await?;
    let list = cards(&mut c, site, list).await;
    drop(c);
    export_channel_html(state, view, chans, ch, pages, page, list).map_err(|r| crate::error::ServiceError::Internal(format!("channel {}: {}", ch.slug, r.status())))
}

/// A page of a channel in the export, showing `list`: no database, only the theme.
pub fn export_channel_html(state: &AppState, view: &View, chans: &[yuanxun_store::Channel], ch: &yuanxun_store::Channel, pages: ExportPages, page: ExportPage, list: Vec<Card>) -> Result<String, Response> {
    let pager = Pager::export(&ch.slug, pages, page, &list);
    channel_html(state, view, chans, ch, pager, list)
}

/// A page of a channel's list showing `list`.
fn channel_html(state: &AppState, view: &View, chans: &[yuanxun_store::Channel], ch: &yuanxun_store::Channel, pager: Pager, list: Vec<Card>) -> Result<String, Response> {
    let base = &view.base;
    let nth = &pager.nth;
    let seo = Seo {
        title: format!("{}{nth} - {}", ch.name, state.site.name),
        description: match pager.total {
            Some(total) => format!("{}{}栏目{nth}，共 {total} 篇文章。", state.site.name, ch.name),
            None => format!("{}{}栏目{nth}的文章。", state.site.name, ch.name),
        },
        canonical: format!("{base}{}", pager.here),
        og_type: "website",
        image: None,
        feed: format!("/channel/{}/feed.xml", ch.slug),
        feed_title: format!("{} - {}", ch.name, state.site.name),
    };
    // A channel of photo news shows its stories as a grid of covers.
    let photo_grid = ch.photo && !list.is_empty();
    render(state, "channel.html", StatusCode::OK, context! { site => &*state.site, channels => chans, current => ch, articles => list, photo_grid, page => pager.page, pages => pager.pages, page_label => pager.label, prev_url => pager.newer, next_url => pager.older, seo, reader => view.reader, export => view.export, here => pager.here }).map(|(_, html)| html)
}

/// An article page. Every request for a live article counts a view, cached page or not.
async fn article(State(state): State<AppState>, headers: HeaderMap, Path(file): Path<String>) -> Response {
    let site = state.site_id();
    if let Some(id) = file.strip_suffix(".docx").and_then(|s| s.parse::<i64>().ok()) {
        return word_file(&state, &headers, id).await;
    }
    let Some(id) = file.strip_suffix(".html").and_then(|s| s.parse::<i64>().ok()) else { return not_found(&state) };
    let view = View::of(&state, &headers);
    let key = cache_key(&view, &article_path(id));
    // Current, or the database failed a moment ago and an older copy is kept.
    let kept = state.pages.get(&key).or_else(|| state.pages.db_suspect().then(|| state.pages.stale(&key)).flatten());
    let page = match kept {
        Some(p) => p,
        None => match render_article(&state, &view, id).await {
            Ok((StatusCode::OK, html)) => state.pages.put(key, Page::new(StatusCode::OK, html, Some(state.config.views_refresh))),
            Ok((status, html)) => state.pages.put(key, Page::new(status, html, None)),
            // The database is down: the page as it last was (its view count a little
            // behind); the view is still counted, in memory, and written once it is back.
            Err(r) if r.status() == StatusCode::SERVICE_UNAVAILABLE => match state.pages.fallback(&key) {
                Some(p) => p,
                None => return r,
            },
            Err(r) => return r,
        },
    };
    if page.status() == StatusCode::OK {
        state.views.hit(site, id);
    }
    page.respond(&headers)
}

pub async fn render_article(state: &AppState, view: &View, id: i64) -> Result<(StatusCode, String), Response> {
    let site = state.site_id();
    let mut c = needed(state.store.conn().await)?;
    let a = subject(state, articles::get(&mut c, site, id).await)?;
    let chans = needed(sites::list_channels(&mut c, site).await)?;
    if a.retracted {
        let ctx = context! { site => &*state.site, channels => chans, heading => "该文章已撤下", message => "这篇文章已由发布单位撤下，不再提供浏览。" };
        return render(state, "notice.html", StatusCode::GONE, ctx);
    }
    // This request's view is counted by the caller; show it.
    let views = a.view_count + state.views.pending(site, a.id) + 1;
    let media = needed(manuscripts::media_of(&mut c, site, a.manuscript_id).await)?;
    let cover = cover_url(&mut c, site, a.cover_media_id, &media).await;
    let (older, newer) = needed(articles::neighbours(&mut c, &a).await)?;
    let corrections = needed(yuanxun_store::corrections::notices(&mut c, site, &[a.id]).await)?;
    drop(c);
    let related = if view.export { Vec::new() } else { services::search::related(state, &a, 5).await };
    let page = ArticlePage { article: a, channels: &chans, media: &media, cover, older, newer, related, views, corrections };
    article_html(state, view, page).map(|html| (StatusCode::OK, html))
}

/// Everything a live article's page shows, loaded beforehand (by `render_article` for one
/// reader, or in batches by the static export).
pub struct ArticlePage<'a> {
    pub article: yuanxun_store::Article,
    pub channels: &'a [yuanxun_store::Channel],
    /// The article's photos and files, in order.
    pub media: &'a [yuanxun_store::Media],
    /// The cover photo's address, when one was chosen.
    pub cover: Option<String>,
    /// 上一篇 / 下一篇 in the same channel, as (id, title).
    pub older: Option<(i64, String)>,
    pub newer: Option<(i64, String)>,
    pub related: Vec<yuanxun_search::Hit>,
    pub views: i64,
    /// Its approved corrections (更正说明), oldest first.
    pub corrections: Vec<yuanxun_store::corrections::Notice>,
}

/// An article's page: no database, no index; only the theme.
pub fn article_html(state: &AppState, view: &View, page: ArticlePage<'_>) -> Result<String, Response> {
    let ArticlePage { article: a, channels: chans, media, cover, older, newer, related, views, corrections } = page;
    let in_body = |url: &str| a.body_html.contains(url);
    let mut gallery = Vec::new();
    let mut attachments = Vec::new();
    let mut first_image = None;
    for m in media {
        let url = crate::services::manuscripts::media_url(m);
        if m.kind == "image" && first_image.is_none() {
            first_image = Some(url.clone());
        }
        if m.kind == "image" && !in_body(&url) {
            gallery.push(context! { url, caption => m.caption });
        } else if m.kind == "file" {
            attachments.push(context! { url, file_name => m.file_name });
        }
    }
    let current = chans.iter().find(|ch| ch.id == a.channel_id).cloned();
    let summary = text::excerpt(&a.body_html, 80);
    let base = &view.base;
    let here = article_path(a.id);
    let canonical = format!("{base}{here}");
    let image = cover.or(first_image);
    let qr = yuanxun_site::qr_svg(&canonical).map(minijinja::Value::from_safe_string);
    let link = |n: Option<(i64, String)>| n.map(|(id, title)| context! { url => article_path(id), title });
    let related: Vec<minijinja::Value> = related.into_iter().map(|h| context! { url => article_path(h.id), title => minijinja::Value::from_safe_string(h.title_html), published_at => h.published_at }).collect();
    let seo = Seo {
        title: format!("{} - {} - {}", a.title, a.channel_name, state.site.name),
        description: summary.clone(),
        canonical,
        og_type: "article",
        image: image.map(|u| format!("{base}{u}")),
        feed: format!("/channel/{}/feed.xml", a.channel_slug),
        feed_title: format!("{} - {}", a.channel_name, state.site.name),
    };
    let word = format!("/news/{}.docx", a.id);
    render(state, "article.html", StatusCode::OK, context! { site => &*state.site, channels => chans, current, article => a, views, gallery, attachments, summary, seo, qr, previous => link(older), next => link(newer), related, word, corrections, reader => view.reader, export => view.export, here => here }).map(|(_, html)| html)
}

#[derive(Deserialize)]
struct SearchParams {
    q: Option<String>,
    channel: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<usize>,
}

/// Results per search page.
const SEARCH_PAGE: usize = 10;
/// Pages of results a reader can reach (beyond them, a narrower query helps more).
const SEARCH_MAX_PAGES: usize = 50;

/// A `YYYY-MM-DD` date as the Unix second its day starts in China.
fn day_start(s: &str) -> Option<i64> {
    clock::parse_local(&format!("{}T00:00", s.trim()))
}

/// `/search?q=骨科&channel=news&from=2026-01-01&to=2026-06-30&page=2`.
async fn search(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<SearchParams>) -> Response {
    let site = state.site_id();
    let chans = {
        let Ok(mut c) = state.store.conn().await else { return busy() };
        sites::list_channels(&mut c, site).await.unwrap_or_default()
    };
    let q: String = p.q.unwrap_or_default().trim().chars().take(100).collect();
    let channel = p.channel.filter(|s| !s.is_empty());
    let current = channel.as_deref().and_then(|slug| chans.iter().find(|ch| ch.slug == slug));
    let (from_s, to_s) = (p.from.unwrap_or_default(), p.to.unwrap_or_default());
    let mut problem = None;
    let from = match from_s.trim() {
        "" => None,
        s => day_start(s).or_else(|| {
            problem = Some("开始日期格式不对，请按 2026-01-31 这样的格式填写。");
            None
        }),
    };
    let to = match to_s.trim() {
        "" => None,
        s => day_start(s).map(|t| t + 86_400).or_else(|| {
            problem = Some("结束日期格式不对，请按 2026-01-31 这样的格式填写。");
            None
        }),
    };
    if let (Some(f), Some(t)) = (from, to) {
        if f >= t {
            problem = Some("开始日期晚于结束日期，请调换后再搜索。");
        }
    }
    let page_no = p.page.unwrap_or(1).clamp(1, SEARCH_MAX_PAGES);
    let results = if q.is_empty() || problem.is_some() {
        yuanxun_search::Results::default()
    } else {
        match services::search::search(&state, q.clone(), current.map(|c| c.id), from, to, (page_no - 1) * SEARCH_PAGE, SEARCH_PAGE).await {
            Ok(r) => r,
            Err(e) => {
                tracing::error!("search failed: {e}");
                problem = Some("搜索暂时不可用，请稍后再试。");
                yuanxun_search::Results::default()
            }
        }
    };
    let pages = results.total.div_ceil(SEARCH_PAGE).clamp(1, SEARCH_MAX_PAGES);
    let mut link = form_urlencoded::Serializer::new(String::from("/search?"));
    link.append_pair("q", &q);
    for (k, v) in [("channel", channel.as_deref().unwrap_or("")), ("from", from_s.trim()), ("to", to_s.trim())] {
        if !v.is_empty() {
            link.append_pair(k, v);
        }
    }
    let here = link.finish();
    let page_link = format!("{here}&page=");
    let here = if page_no > 1 { format!("{page_link}{page_no}") } else { here };
    let base = base_url(&state, &headers);
    let seo = Seo {
        title: if q.is_empty() { format!("站内搜索 - {}", state.site.name) } else { format!("“{q}”的搜索结果 - {}", state.site.name) },
        description: format!("在{}新闻中心搜索文章。", state.site.name),
        canonical: format!("{base}/search"),
        og_type: "website",
        image: None,
        feed: "/feed.xml".into(),
        feed_title: format!("{} - 新闻中心", state.site.name),
    };
    let ctx = context! {
        site => &*state.site, channels => &chans, q, channel, from => from_s.trim(), to => to_s.trim(), problem,
        total => results.total, hits => results.hits, page => page_no, pages, first => (page_no - 1) * SEARCH_PAGE + 1,
        page_link, seo, reader => Reader::from_headers(&headers), export => false, here => here, noindex => true,
    };
    page(&state, "search.html", StatusCode::OK, ctx)
}

/// "下载Word文档": the live article as a .docx with its photos (410 once retracted).
async fn word_file(state: &AppState, headers: &HeaderMap, id: i64) -> Response {
    let site = state.site_id();
    let Ok(mut c) = state.store.conn().await else { return busy() };
    let a = match subject(state, articles::get(&mut c, site, id).await) {
        Ok(a) => a,
        Err(r) => return r,
    };
    if a.retracted {
        let chans = sites::list_channels(&mut c, site).await.unwrap_or_default();
        let ctx = context! { site => &*state.site, channels => chans, heading => "该文章已撤下", message => "这篇文章已由发布单位撤下，不再提供下载。" };
        return page(state, "notice.html", StatusCode::GONE, ctx);
    }
    // The photos listed must be the real list: a file built without them would be kept.
    let media = match needed(manuscripts::media_of(&mut c, site, a.manuscript_id).await) {
        Ok(m) => m,
        Err(r) => return r,
    };
    drop(c);
    let address = format!("{}{}", base_url(state, headers), article_path(a.id));
    let bytes = match services::word::docx(state, &a, &media, &address).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!("word file of article {id} failed: {e}");
            return (StatusCode::INTERNAL_SERVER_ERROR, "Word 文档生成失败，请稍后再试").into_response();
        }
    };
    // The title as the file name (RFC 6266), with a plain fallback for old clients.
    let name: String = a.title.chars().filter(|c| !"\\/:*?\"<>|".contains(*c) && !c.is_control()).take(60).collect();
    super::attachment(bytes, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", &format!("news-{id}.docx"), &format!("{name}.docx"))
}

/// The Atom feed of the newest live articles, site-wide or of one channel.
async fn feed_response(state: &AppState, headers: &HeaderMap, c: &mut yuanxun_store::AnyConnection, channel: Option<&yuanxun_store::Channel>) -> Response {
    match feed_xml(state, &base_url(state, headers), c, channel).await {
        Ok(xml) => ([(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")], xml).into_response(),
        Err(_) => busy(),
    }
}

/// The Atom feed of the site (or one channel) at `base`; a database failure is an error,
/// never an empty feed.
pub async fn feed_xml(state: &AppState, base: &str, c: &mut yuanxun_store::AnyConnection, channel: Option<&yuanxun_store::Channel>) -> yuanxun_store::Result<String> {
    let list = articles::list(c, state.site_id(), channel.map(|ch| ch.id), 0, FEED_SIZE).await?;
    let urls: Vec<String> = list.iter().map(|a| format!("{base}{}", article_path(a.id))).collect();
    let summaries: Vec<String> = list.iter().map(|a| text::excerpt(&a.body_html, 120)).collect();
    // Media in bodies are site-relative; readers outside the site need absolute URLs.
    let bodies: Vec<String> = list.iter().map(|a| a.body_html.replace("src=\"/media/", &format!("src=\"{base}/media/"))).collect();
    let entries: Vec<yuanxun_site::feeds::Entry> = list
        .iter()
        .enumerate()
        .map(|(i, a)| yuanxun_site::feeds::Entry {
            title: &a.title,
            url: &urls[i],
            published: a.published_at,
            authors: &a.authors,
            channel: &a.channel_name,
            summary: &summaries[i],
            content_html: &bodies[i],
        })
        .collect();
    let (title, self_url, page_url) = match channel {
        Some(ch) => (format!("{} - {}", ch.name, state.site.name), format!("{base}/channel/{}/feed.xml", ch.slug), format!("{base}/channel/{}", ch.slug)),
        None => (format!("{} - 新闻中心", state.site.name), format!("{base}/feed.xml"), format!("{base}/")),
    };
    let subtitle = format!("{}党委宣传部 · 新闻中心", state.site.name);
    let feed = yuanxun_site::feeds::Feed { title: &title, subtitle: &subtitle, self_url: &self_url, page_url: &page_url };
    Ok(yuanxun_site::feeds::atom(&feed, &entries))
}

async fn site_feed(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Ok(mut c) = state.store.conn().await else { return busy() };
    feed_response(&state, &headers, &mut c, None).await
}

async fn channel_feed(State(state): State<AppState>, headers: HeaderMap, Path(slug): Path<String>) -> Response {
    let Ok(mut c) = state.store.conn().await else { return busy() };
    let ch = match subject(&state, sites::channel_by_slug(&mut c, state.site_id(), &slug).await) {
        Ok(ch) => ch,
        Err(r) => return r,
    };
    feed_response(&state, &headers, &mut c, Some(&ch)).await
}

async fn sitemap(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Ok(mut c) = state.store.conn().await else { return busy() };
    match sitemap_index_xml(&state, &base_url(&state, &headers), &mut c).await {
        Ok(xml) => ([(header::CONTENT_TYPE, "application/xml; charset=utf-8")], xml).into_response(),
        Err(_) => busy(),
    }
}

async fn sitemap_part(State(state): State<AppState>, headers: HeaderMap, Path(file): Path<String>) -> Response {
    let Some(part) = SitemapPart::from_file(&file) else { return not_found(&state) };
    let Ok(mut c) = state.store.conn().await else { return busy() };
    match sitemap_part_xml(&state, &base_url(&state, &headers), &mut c, part).await {
        Ok(xml) => ([(header::CONTENT_TYPE, "application/xml; charset=utf-8")], xml).into_response(),
        Err(_) => busy(),
    }
}

/// One file of the sitemap: the home and channel pages, or the articles of one id range
/// ([`yuanxun_site::feeds::SITEMAP_PART`] ids each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SitemapPart {
    Pages,
    Articles(i64),
}

impl SitemapPart {
    /// The part an article's URL is listed in.
    pub fn of(article_id: i64) -> SitemapPart {
        SitemapPart::Articles(article_id.max(0) / yuanxun_site::feeds::SITEMAP_PART)
    }

    /// Its address, the same on the live site and in the export (`/sitemaps/3.xml`).
    pub fn path(self) -> String {
        match self {
            SitemapPart::Pages => "/sitemaps/pages.xml".into(),
            SitemapPart::Articles(k) => format!("/sitemaps/{k}.xml"),
        }
    }

    /// The part a file name under `/sitemaps/` names, if any.
    pub fn from_file(file: &str) -> Option<SitemapPart> {
        let stem = file.strip_suffix(".xml")?;
        if stem == "pages" {
            return Some(SitemapPart::Pages);
        }
        // Digits only, and not so many that the range overflows.
        (!stem.is_empty() && stem.len() <= 12 && stem.bytes().all(|b| b.is_ascii_digit())).then(|| stem.parse().ok().map(SitemapPart::Articles)).flatten()
    }
}

/// The parts of the site's sitemap: its pages, and one per id range its live articles span.
pub async fn sitemap_parts(state: &AppState, c: &mut yuanxun_store::AnyConnection) -> yuanxun_store::Result<Vec<SitemapPart>> {
    let mut parts = vec![SitemapPart::Pages];
    if let Some((lo, hi)) = articles::id_span(c, state.site_id()).await? {
        let (SitemapPart::Articles(from), SitemapPart::Articles(to)) = (SitemapPart::of(lo), SitemapPart::of(hi)) else { unreachable!() };
        parts.extend((from..=to).map(SitemapPart::Articles));
    }
    Ok(parts)
}

/// sitemap.xml of the site at `base`: an index of its parts (a database failure is an
/// error, never a short map).
pub async fn sitemap_index_xml(state: &AppState, base: &str, c: &mut yuanxun_store::AnyConnection) -> yuanxun_store::Result<String> {
    let locs: Vec<String> = sitemap_parts(state, c).await?.into_iter().map(|p| format!("{base}{}", p.path())).collect();
    Ok(yuanxun_site::feeds::sitemap_index(&locs))
}

/// One part of the sitemap of the site at `base`.
pub async fn sitemap_part_xml(state: &AppState, base: &str, c: &mut yuanxun_store::AnyConnection, part: SitemapPart) -> yuanxun_store::Result<String> {
    let site = state.site_id();
    let urls: Vec<(String, Option<i64>)> = match part {
        SitemapPart::Pages => {
            let chans = sites::list_channels(c, site).await?;
            std::iter::once((format!("{base}/"), None)).chain(chans.iter().map(|ch| (format!("{base}/channel/{}", ch.slug), None))).collect()
        }
        SitemapPart::Articles(k) => {
            let from = k.saturating_mul(yuanxun_site::feeds::SITEMAP_PART);
            let ids = articles::ids_between(c, site, from, from.saturating_add(yuanxun_site::feeds::SITEMAP_PART)).await?;
            ids.into_iter().map(|(id, at)| (format!("{base}{}", article_path(id)), Some(at))).collect()
        }
    };
    Ok(yuanxun_site::feeds::sitemap(&urls))
}

async fn robots(State(state): State<AppState>, headers: HeaderMap) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], yuanxun_site::feeds::robots(&base_url(&state, &headers))).into_response()
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn the_reader_is_sent_back_only_to_this_site() {
        assert_eq!(local_path("/news/1.html").as_deref(), Some("/news/1.html"));
        assert_eq!(local_path("/search?q=%E9%AA%A8%E7%A7%91&page=2").as_deref(), Some("/search?q=%E9%AA%A8%E7%A7%91&page=2"));
        assert_eq!(local_path("/a/../b").as_deref(), Some("/b"));
        for hostile in ["//evil.example/", "/\t/evil.example/", "/\\evil.example", "\\\\evil.example", "https://evil.example/", "javascript:alert(1)", "/\n/evil.example", " /x", "", "evil.example", "/%09/evil.example/x"] {
            let p = local_path(hostile);
            assert!(p.as_deref().is_none_or(|p| !p.starts_with("//")), "{hostile:?} → {p:?}");
            assert_ne!(p.as_deref().and_then(|p| url::Url::parse("http://site.example/").unwrap().join(p).ok()).map(|u| u.host_str().map(str::to_string)), Some(Some("evil.example".to_string())), "{hostile:?}");
        }
        assert_eq!(local_path("/\t/evil.example/"), None, "a tab a browser drops");
    }

    proptest::proptest! {
        /// Whatever `back=` holds, the Location sent resolves on this site, as a browser
        /// (WHATWG rules) reads it.
        #[test]
        fn no_back_value_leaves_the_site(back in "[/\\\\\t\n\r a-z.:%0-9?#@]{0,24}") {
            let site = url::Url::parse("https://news.hospital.example/article").unwrap();
            if let Some(p) = local_path(&back) {
                let to = site.join(&p).unwrap();
                proptest::prop_assert_eq!(to.origin(), site.origin(), "{:?} → {:?}", back, p);
                proptest::prop_assert!(!p.chars().any(char::is_control));
            }
        }
    }
}
