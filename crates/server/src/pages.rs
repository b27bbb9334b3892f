//! The public site's render cache: each page is rendered once, compressed once (gzip and
//! brotli), and served from memory with an ETag and Last-Modified until something it shows
//! changes. Publishing, correcting, retracting, channel edits and a theme change clear it
//! ([`PageCache::clear`]). Article pages also carry their view count, so they are rendered
//! again at most every [`VIEWS_REFRESH`] while people read them.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime};

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use sha2::{Digest, Sha256};

/// How stale an article page's view count may get.
pub const VIEWS_REFRESH: Duration = Duration::from_secs(30);
/// Pages kept at most; past this the cache starts again (a crawler walking every page of
/// every channel cannot make it grow without bound).
const MAX_PAGES: usize = 20_000;

/// One rendered page in every encoding.
pub struct Page {
    status: StatusCode,
    html: Bytes,
    gzip: Bytes,
    br: Bytes,
    etag: HeaderValue,
    last_modified: HeaderValue,
    modified: SystemTime,
    expires: Option<Instant>,
}

impl Page {
    /// Compresses and fingerprints a rendered page. `ttl` bounds its life (article pages).
    pub fn new(status: StatusCode, html: String, ttl: Option<Duration>) -> Page {
        let html = Bytes::from(html);
        let mut gz = flate2::write::GzEncoder::new(Vec::with_capacity(html.len() / 3), flate2::Compression::new(6));
        let gzip = gz.write_all(&html).and_then(|_| gz.finish()).unwrap_or_default();
        let mut br = Vec::with_capacity(html.len() / 3);
        {
            let mut w = brotli::CompressorWriter::new(&mut br, 4096, 6, 22);
            let _ = w.write_all(&html);
        }
        let digest = Sha256::digest(&html);
        let etag = HeaderValue::from_str(&format!("W/\"{}\"", hex::encode(&digest[..12]))).expect("hex is a valid header value");
        // HTTP dates have one-second resolution: round down so If-Modified-Since compares.
        let now = SystemTime::now();
        let secs = now.duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        let modified = SystemTime::UNIX_EPOCH + Duration::from_secs(secs);
        let last_modified = HeaderValue::from_str(&httpdate::fmt_http_date(modified)).expect("an HTTP date is a valid header value");
        Page { status, html, gzip: Bytes::from(gzip), br: Bytes::from(br), etag, last_modified, modified, expires: ttl.map(|t| Instant::now() + t) }
    }

    fn fresh(&self) -> bool {
        self.expires.is_none_or(|t| Instant::now() < t)
    }

    /// The response for a request: 304 when the reader's copy is current, else the body in
    /// the best encoding the reader accepts.
    pub fn respond(&self, req: &HeaderMap) -> Response {
        let mut h = HeaderMap::new();
        h.insert(header::ETAG, self.etag.clone());
        h.insert(header::LAST_MODIFIED, self.last_modified.clone());
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding, Cookie"));
        if self.status == StatusCode::OK && not_modified(req, &self.etag, self.modified) {
            return (StatusCode::NOT_MODIFIED, h).into_response();
        }
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
        let body = match encoding(req) {
            Encoding::Brotli if !self.br.is_empty() => {
                h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
                self.br.clone()
            }
            Encoding::Gzip | Encoding::Brotli if !self.gzip.is_empty() => {
                h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                self.gzip.clone()
            }
            _ => self.html.clone(),
        };
        (self.status, h, Body::from(body)).into_response()
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The page as served without compression (for tests and exports).
    pub fn html(&self) -> &[u8] {
        &self.html
    }
}

/// Whether the reader's conditional headers say its copy is current. If-None-Match wins
/// over If-Modified-Since (RFC 9110 §13.2.2); ETags compare weakly.
fn not_modified(req: &HeaderMap, etag: &HeaderValue, modified: SystemTime) -> bool {
    let ours = etag.as_bytes().strip_prefix(b"W/").unwrap_or(etag.as_bytes());
    if let Some(inm) = req.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
        return inm.split(',').map(str::trim).any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t).as_bytes() == ours);
    }
    req.get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok())
        .is_some_and(|since| modified <= since)
}

enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

/// The reader's preferred encoding: brotli, then gzip (a `q=0` refuses one).
fn encoding(req: &HeaderMap) -> Encoding {
    let Some(accept) = req.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()) else { return Encoding::Identity };
    let accepts = |name: &str| {
        accept.split(',').any(|part| {
            let mut it = part.split(';');
            let coding = it.next().unwrap_or("").trim();
            let refused = it.any(|p| matches!(p.trim().strip_prefix("q=").map(|q| q.trim().parse::<f32>()), Some(Ok(q)) if q <= 0.0));
            coding.eq_ignore_ascii_case(name) && !refused
        })
    };
    if accepts("br") {
        Encoding::Brotli
    } else if accepts("gzip") {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// Rendered pages by key (address as readers reach it, path with normalised query, reader
/// settings).
#[derive(Default)]
pub struct PageCache {
    pages: RwLock<HashMap<String, Arc<Page>>>,
    /// When a page last could not be rendered because the database failed.
    db_failed: RwLock<Option<Instant>>,
    /// Every page rendered afresh (`serve --page-cache off`, for measuring what a reader
    /// waits for when the cache cannot help); pages are still kept for when the database
    /// is down.
    bypass: bool,
}

/// After a database failure, out-of-date pages are served without asking the database for
/// this long (so readers do not each wait for a connection that will not come).
const DB_FAILURE_GRACE: Duration = Duration::from_secs(5);

impl PageCache {
    /// A cache that never answers from what it keeps (see `bypass`).
    pub fn bypassed() -> PageCache {
        PageCache { bypass: true, ..PageCache::default() }
    }

    /// A current page for `key`, if one is cached.
    pub fn get(&self, key: &str) -> Option<Arc<Page>> {
        if self.bypass {
            return None;
        }
        let pages = self.pages.read().unwrap_or_else(|e| e.into_inner());
        pages.get(key).filter(|p| p.fresh()).cloned()
    }

    /// The page kept for `key` even when it is out of date: what readers get while the
    /// database cannot be reached.
    pub fn stale(&self, key: &str) -> Option<Arc<Page>> {
        self.pages.read().unwrap_or_else(|e| e.into_inner()).get(key).cloned()
    }

    pub fn put(&self, key: String, page: Page) -> Arc<Page> {
        let page = Arc::new(page);
        let mut pages = self.pages.write().unwrap_or_else(|e| e.into_inner());
        if pages.len() >= MAX_PAGES {
            pages.clear();
        }
        pages.insert(key, page.clone());
        page
    }

    /// A page could not be rendered because the database failed: notes it, and gives the
    /// copy kept for `key` however old (what readers get meanwhile), if there is one.
    pub fn fallback(&self, key: &str) -> Option<Arc<Page>> {
        *self.db_failed.write().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
        self.stale(key)
    }

    /// Whether the database failed a moment ago: serve what is kept instead of asking it.
    pub fn db_suspect(&self) -> bool {
        self.db_failed.read().unwrap_or_else(|e| e.into_inner()).is_some_and(|t| t.elapsed() < DB_FAILURE_GRACE)
    }

    /// Forgets every page: something they may show has changed.
    pub fn clear(&self) {
        self.pages.write().unwrap_or_else(|e| e.into_inner()).clear();
    }

    pub fn len(&self) -> usize {
        self.pages.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(k.clone(), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn picks_the_encoding_the_reader_accepts() {
        let page = Page::new(StatusCode::OK, "<p>院讯</p>".repeat(200), None);
        let enc = |a: &str| page.respond(&headers(&[(header::ACCEPT_ENCODING, a)])).headers().get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap().to_string());
        assert_eq!(enc("gzip, deflate, br").as_deref(), Some("br"));
        assert_eq!(enc("gzip").as_deref(), Some("gzip"));
        assert_eq!(enc("br;q=0, gzip").as_deref(), Some("gzip"));
        assert_eq!(enc("identity"), None);
        assert!(page.br.len() < page.html.len() / 4 && page.gzip.len() < page.html.len() / 4);
    }

    #[test]
    fn answers_304_to_a_current_copy_only() {
        let page = Page::new(StatusCode::OK, "<p>一</p>".into(), None);
        let etag = page.etag.to_str().unwrap().to_string();
        let status = |h: HeaderMap| page.respond(&h).status();
        assert_eq!(status(headers(&[(header::IF_NONE_MATCH, &etag)])), StatusCode::NOT_MODIFIED);
        assert_eq!(status(headers(&[(header::IF_NONE_MATCH, etag.trim_start_matches("W/"))])), StatusCode::NOT_MODIFIED, "weak comparison");
        assert_eq!(status(headers(&[(header::IF_NONE_MATCH, "\"other\", W/\"x\"")])), StatusCode::OK);
        let lm = page.last_modified.to_str().unwrap().to_string();
        assert_eq!(status(headers(&[(header::IF_MODIFIED_SINCE, &lm)])), StatusCode::NOT_MODIFIED);
        assert_eq!(status(headers(&[(header::IF_MODIFIED_SINCE, "Mon, 01 Jan 2001 00:00:00 GMT")])), StatusCode::OK);
        // A mismatched ETag wins over a matching date.
        assert_eq!(status(headers(&[(header::IF_NONE_MATCH, "\"other\""), (header::IF_MODIFIED_SINCE, &lm)])), StatusCode::OK);
        let gone = Page::new(StatusCode::GONE, "<p>撤下</p>".into(), None);
        assert_eq!(gone.respond(&headers(&[(header::IF_NONE_MATCH, gone.etag.to_str().unwrap())])).status(), StatusCode::GONE);
    }

    #[test]
    fn article_pages_expire_and_clear_empties() {
        let cache = PageCache::default();
        cache.put("a".into(), Page::new(StatusCode::OK, "x".into(), Some(Duration::from_millis(0))));
        cache.put("b".into(), Page::new(StatusCode::OK, "y".into(), None));
        assert!(cache.get("a").is_none(), "expired");
        assert!(cache.get("b").is_some());
        cache.clear();
        assert!(cache.get("b").is_none() && cache.is_empty());
    }
}
