//! Fetching a monitoring source (舆情来源) and reading its entries, as a hostile stranger
//! might serve them: every request has a time limit, a size limit and a redirect limit;
//! the body is decoded by the charset it declares (header, XML declaration, HTML meta), and
//! GB18030 is tried when the declared one does not fit; whatever goes wrong becomes one
//! Chinese sentence for the source page ([`SourceError`]), never a crash.

use std::time::Duration;

use futures::StreamExt;
use serde::Deserialize;

/// Limits of one fetch.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub timeout: Duration,
    pub max_body: usize,
    pub max_redirects: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { timeout: Duration::from_secs(15), max_body: 5 * 1024 * 1024, max_redirects: 5 }
    }
}

/// The most entries taken from one fetch.
pub const MAX_ENTRIES: usize = 500;

/// Why a fetch failed, in words for the source page; `retry_after` when the server said when
/// to come back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError {
    pub message: String,
    pub retry_after: Option<u64>,
}

impl SourceError {
    fn new(message: impl Into<String>) -> SourceError {
        SourceError { message: message.into(), retry_after: None }
    }
}

impl std::fmt::Display for SourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// What a fetch brought.
#[derive(Debug)]
pub enum Fetched {
    /// 304: nothing new since the validators.
    NotModified,
    Body { text: String, etag: Option<String>, last_modified: Option<String>, final_url: String },
}

/// One entry read from a source.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Entry {
    pub guid: String,
    pub url: String,
    pub title: String,
    pub body: String,
    pub author: String,
    pub published_at: Option<i64>,
}

/// A client with the limits (one per round of fetches), under the outbound policy: no
/// internal address is fetched unless the administrator allowed it, redirects included.
pub fn client(limits: &Limits, outbound: &yuanxun_net::Outbound) -> reqwest::Client {
    let opts = yuanxun_net::ClientOptions {
        timeout: limits.timeout,
        connect_timeout: limits.timeout.min(Duration::from_secs(10)),
        max_redirects: limits.max_redirects,
        user_agent: concat!("Yuanxun-monitor/", env!("CARGO_PKG_VERSION")).into(),
    };
    outbound.client(&opts)
}

/// GETs `url`, conditionally when validators are given. An internal address written into
/// the URL is refused here, before any connection; one a name resolves to, or a redirect
/// leads to, by the client.
pub async fn fetch(client: &reqwest::Client, outbound: &yuanxun_net::Outbound, limits: &Limits, url: &str, etag: Option<&str>, last_modified: Option<&str>) -> Result<Fetched, SourceError> {
    outbound.check(url).map_err(|e| SourceError::new(e.to_string()))?;
    let mut req = client.get(url);
    if let Some(e) = etag {
        req = req.header(reqwest::header::IF_NONE_MATCH, e);
    }
    if let Some(m) = last_modified {
        req = req.header(reqwest::header::IF_MODIFIED_SINCE, m);
    }
    let res = req.send().await.map_err(|e| request_error(&e, limits))?;
    let status = res.status();
    if status == reqwest::StatusCode::NOT_MODIFIED {
        return Ok(Fetched::NotModified);
    }
    if !status.is_success() {
        let retry_after = res.headers().get(reqwest::header::RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(retry_after_secs);
        let message = match (status.as_u16(), retry_after) {
            (_, Some(s)) => format!("对方要求 {s} 秒后再来（HTTP {}），已按要求推迟", status.as_u16()),
            (404 | 410, _) => format!("对方返回 HTTP {}：这个地址已不存在，请检查或更换订阅地址", status.as_u16()),
            (401 | 403, _) => format!("对方拒绝访问（HTTP {}）：可能需要登录或屏蔽了抓取", status.as_u16()),
            (s, _) if s >= 500 => format!("对方服务器出错（HTTP {s}），稍后会自动重试"),
            (s, _) => format!("对方返回 HTTP {s}，没有取到内容"),
        };
        return Err(SourceError { message, retry_after });
    }
    let header = |name| res.headers().get(name).and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok()).map(str::to_string);
    let etag = header(reqwest::header::ETAG);
    let last_modified = header(reqwest::header::LAST_MODIFIED);
    let content_type = header(reqwest::header::CONTENT_TYPE).unwrap_or_default();
    let final_url = res.url().to_string();
    if res.content_length().is_some_and(|n| n as usize > limits.max_body) {
        return Err(too_big(limits));
    }
    let mut body = Vec::new();
    let mut stream = res.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| request_error(&e, limits))?;
        if body.len() + chunk.len() > limits.max_body {
            return Err(too_big(limits));
        }
        body.extend_from_slice(&chunk);
    }
    let text = decode(&body, &content_type)?;
    Ok(Fetched::Body { text, etag, last_modified, final_url })
}

fn too_big(limits: &Limits) -> SourceError {
    SourceError::new(format!("内容超过 {} MB 的上限，已放弃：请确认这是订阅或列表地址，而不是大文件", limits.max_body / (1024 * 1024)))
}

fn request_error(e: &reqwest::Error, limits: &Limits) -> SourceError {
    if yuanxun_net::is_refused(e) {
        SourceError::new(yuanxun_net::REFUSED)
    } else if e.is_timeout() {
        SourceError::new(format!("对方 {} 秒内没有返回完整内容（超时），稍后会自动重试", limits.timeout.as_secs().max(1)))
    } else if e.is_redirect() {
        SourceError::new(format!("重定向超过 {} 次（可能是循环重定向）：请在浏览器中打开，改用最终地址", limits.max_redirects))
    } else if e.is_connect() {
        SourceError::new("连不上对方服务器：请检查地址是否正确，或对方是否已停止服务")
    } else if e.is_builder() {
        SourceError::new("地址无效：请填写以 http:// 或 https:// 开头的完整地址")
    } else {
        SourceError::new("读取内容时连接中断，稍后会自动重试")
    }
}

/// Retry-After as seconds (a number, or an HTTP date).
fn retry_after_secs(v: &str) -> Option<u64> {
    if let Ok(n) = v.trim().parse::<u64>() {
        return Some(n);
    }
    let at = httpdate::parse_http_date(v.trim()).ok()?;
    Some(at.duration_since(std::time::SystemTime::now()).map_or(0, |d| d.as_secs()))
}

/// Decodes `body` by its declared charset; GB18030 when the declared (or assumed UTF-8)
/// one does not fit and GB18030 does (Chinese sites that say nothing or say it wrong).
pub fn decode(body: &[u8], content_type: &str) -> Result<String, SourceError> {
    let declared = charset_param(content_type).or_else(|| sniff_charset(body));
    let encoding = match &declared {
        Some(label) => encoding_rs::Encoding::for_label(label.as_bytes()).ok_or_else(|| SourceError::new(format!("不认识对方声明的字符编码“{label}”")))?,
        None => encoding_rs::UTF_8,
    };
    let (text, used, bad) = encoding.decode(body);
    if bad && used != encoding_rs::GB18030 {
        let (gb, _, gb_bad) = encoding_rs::GB18030.decode(body);
        if !gb_bad {
            return Ok(gb.into_owned());
        }
    }
    Ok(text.into_owned())
}

fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim().eq_ignore_ascii_case("charset")).then(|| v.trim().trim_matches('"').to_string())
    })
}

/// The charset an XML declaration or an HTML meta tag names in the first 2 KB.
fn sniff_charset(body: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(&body[..body.len().min(2048)]).to_ascii_lowercase();
    for key in ["encoding=", "charset="] {
        if let Some(i) = head.find(key) {
            let rest = head[i + key.len()..].trim_start_matches(['"', '\'', ' ']);
            let label: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
            if !label.is_empty() {
                return Some(label);
            }
        }
    }
    None
}

/// How a JSON source's values map to entries: dotted paths (`data.list`, `user.name`).
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, PartialEq)]
pub struct JsonMapping {
    /// The list of entries (empty: the document itself is the list).
    #[serde(default)]
    pub items: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub guid: String,
    #[serde(default)]
    pub author: String,
    #[serde(default)]
    pub time: String,
}

/// How a web page's entries are found: CSS selectors.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, PartialEq)]
pub struct HtmlRecipe {
    /// One element per entry (`ul.news li`).
    #[serde(default)]
    pub item: String,
    /// Inside it: the title (`a`), the link (an element with href; the title's when empty),
    /// the text (empty: the item's whole text).
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub link: String,
    #[serde(default)]
    pub text: String,
}

/// Reads the entries of a fetched body by the source's kind and mapping.
pub fn parse(kind: &str, mapping: &str, text: &str, base_url: &str) -> Result<Vec<Entry>, SourceError> {
    let mut entries = match kind {
        "rss" => parse_feed(text)?,
        "json" => {
            let m: JsonMapping = serde_json::from_str(mapping).map_err(|_| SourceError::new("JSON 字段映射设置有误：请在来源设置中重新填写"))?;
            parse_json(&m, text)?
        }
        "html" => {
            let r: HtmlRecipe = serde_json::from_str(mapping).map_err(|_| SourceError::new("网页选择器设置有误：请在来源设置中重新填写"))?;
            parse_html(&r, text, base_url)?
        }
        other => return Err(SourceError::new(format!("来源类型“{other}”不能抓取"))),
    };
    entries.truncate(MAX_ENTRIES);
    for e in &mut entries {
        e.title = clip(&plain(&e.title), 300);
        e.body = clip(&plain(&e.body), 20_000);
        e.author = clip(&plain(&e.author), 100);
        e.url = clip(e.url.trim(), 2000);
        e.guid = clip(e.guid.trim(), 500);
        if e.guid.is_empty() {
            e.guid = e.url.clone();
        }
    }
    entries.retain(|e| !(e.title.is_empty() && e.body.is_empty()));
    Ok(entries)
}

fn parse_feed(text: &str) -> Result<Vec<Entry>, SourceError> {
    // The text is UTF-8 now whatever the declaration said; say so, or the parser decodes twice.
    let text = match (text.trim_start().starts_with("<?xml"), text.find("?>")) {
        (true, Some(end)) => format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>{}", &text[end + 2..]),
        _ => text.to_string(),
    };
    // An XML declaration anywhere but at the start is not well-formed XML (the name `xml` is
    // reserved), and quick-xml panics on one that names an encoding (found by fuzzing): it
    // is refused before the parser sees it.
    if later_declaration(&text) {
        return Err(SourceError::new("不是有效的 RSS/Atom 订阅（文档中间出现了第二个 XML 声明）：请确认地址是订阅源"));
    }
    // feed-rs may panic on other malformed documents too: a panic is a broken feed.
    let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| feed_rs::parser::parse(text.as_bytes()))).map_err(|_| SourceError::new("不是有效的 RSS/Atom 订阅（文档结构错误）：请确认地址是订阅源"))?;
    let feed = parsed.map_err(|e| SourceError::new(format!("不是有效的 RSS/Atom 订阅（{}）：请确认地址是订阅源", short_error(&e.to_string()))))?;
    Ok(feed
        .entries
        .into_iter()
        .map(|e| Entry {
            guid: e.id.clone(),
            url: e.links.first().map(|l| l.href.clone()).unwrap_or_default(),
            title: e.title.map(|t| t.content).unwrap_or_default(),
            body: e.content.and_then(|c| c.body).or(e.summary.map(|s| s.content)).unwrap_or_default(),
            author: e.authors.first().and_then(|a| a.name.clone()).unwrap_or_default(),
            published_at: e.published.or(e.updated).map(|d| d.timestamp()),
        })
        .collect())
}

/// Whether `<?xml` followed by white space or `?` (any case) occurs after the first character.
fn later_declaration(text: &str) -> bool {
    let bytes = text.as_bytes();
    (1..bytes.len().saturating_sub(5)).any(|i| bytes[i] == b'<' && bytes[i + 1] == b'?' && bytes[i + 2..i + 5].eq_ignore_ascii_case(b"xml") && (bytes[i + 5].is_ascii_whitespace() || bytes[i + 5] == b'?'))
}

fn short_error(e: &str) -> String {
    clip(e, 80)
}

fn path<'a>(v: &'a serde_json::Value, dotted: &str) -> Option<&'a serde_json::Value> {
    dotted.split('.').filter(|p| !p.is_empty()).try_fold(v, |v, key| match v {
        serde_json::Value::Array(a) => key.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => v.get(key),
    })
}

fn as_text(v: Option<&serde_json::Value>) -> String {
    match v {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn parse_json(m: &JsonMapping, text: &str) -> Result<Vec<Entry>, SourceError> {
    let doc: serde_json::Value = serde_json::from_str(text).map_err(|e| SourceError::new(format!("不是有效的 JSON（第 {} 行第 {} 列）", e.line(), e.column())))?;
    let list = path(&doc, &m.items).and_then(|v| v.as_array()).ok_or_else(|| {
        SourceError::new(if m.items.is_empty() { "JSON 的最外层不是列表：请在字段映射中填写列表所在的路径（如 data.list）".to_string() } else { format!("JSON 中“{}”处不是列表：请检查字段映射", m.items) })
    })?;
    Ok(list
        .iter()
        .map(|v| {
            let time = path(v, &m.time);
            let published_at = match time {
                Some(serde_json::Value::Number(n)) => n.as_i64().map(|t| if t > 100_000_000_000 { t / 1000 } else { t }),
                Some(serde_json::Value::String(s)) => parse_time(s),
                _ => None,
            };
            Entry { guid: as_text(path(v, &m.guid)), url: as_text(path(v, &m.url)), title: as_text(path(v, &m.title)), body: as_text(path(v, &m.text)), author: as_text(path(v, &m.author)), published_at }
        })
        .collect())
}

/// RFC 3339, `YYYY-MM-DD HH:MM[:SS]` (China time) or `YYYY-MM-DD`.
fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339) {
        return Some(t.unix_timestamp());
    }
    let date = time::Date::parse(s.get(..10)?, time::macros::format_description!("[year]-[month]-[day]")).ok()?;
    let rest = s.get(10..).unwrap_or("").trim();
    let t = if rest.is_empty() {
        time::Time::MIDNIGHT
    } else {
        let hms: Vec<u8> = rest.split(':').map(|p| p.trim().parse().unwrap_or(0)).collect();
        time::Time::from_hms(*hms.first()?, *hms.get(1).unwrap_or(&0), *hms.get(2).unwrap_or(&0)).ok()?
    };
    Some(time::PrimitiveDateTime::new(date, t).assume_offset(time::macros::offset!(+8)).unix_timestamp())
}

fn selector(s: &str, what: &str) -> Result<scraper::Selector, SourceError> {
    scraper::Selector::parse(s).map_err(|_| SourceError::new(format!("{what}选择器“{s}”写法有误：请写成 CSS 选择器，如 ul.news li")))
}

fn parse_html(r: &HtmlRecipe, text: &str, base_url: &str) -> Result<Vec<Entry>, SourceError> {
    if r.item.trim().is_empty() {
        return Err(SourceError::new("请填写条目的选择器（如 ul.news li）"));
    }
    let item = selector(&r.item, "条目")?;
    let title = (!r.title.trim().is_empty()).then(|| selector(&r.title, "标题")).transpose()?;
    let link = (!r.link.trim().is_empty()).then(|| selector(&r.link, "链接")).transpose()?;
    let body = (!r.text.trim().is_empty()).then(|| selector(&r.text, "正文")).transpose()?;
    let doc = scraper::Html::parse_document(text);
    let base = reqwest::Url::parse(base_url).ok();
    let text_of = |e: scraper::ElementRef| e.text().collect::<Vec<_>>().join(" ");
    let entries: Vec<Entry> = doc
        .select(&item)
        .map(|el| {
            let title_el = title.as_ref().and_then(|s| el.select(s).next());
            let link_el = link.as_ref().and_then(|s| el.select(s).next()).or(title_el).or_else(|| el.select(&scraper::Selector::parse("a[href]").expect("a constant selector")).next());
            let href = link_el.and_then(|a| a.value().attr("href")).unwrap_or("");
            let url = base.as_ref().and_then(|b| b.join(href).ok()).map(|u| u.to_string()).unwrap_or_else(|| href.to_string());
            Entry {
                guid: String::new(),
                url,
                title: title_el.map(text_of).unwrap_or_default(),
                body: body.as_ref().and_then(|s| el.select(s).next()).map(text_of).unwrap_or_else(|| text_of(el)),
                author: String::new(),
                published_at: None,
            }
        })
        .collect();
    if entries.is_empty() {
        return Err(SourceError::new(format!("页面中没有与“{}”匹配的条目：页面可能已改版，请更新选择器", r.item)));
    }
    Ok(entries)
}

/// Text without markup, with whitespace runs made one space.
pub fn plain(s: &str) -> String {
    let text = if s.contains('<') {
        scraper::Html::parse_fragment(s).root_element().text().collect::<Vec<_>>().join(" ")
    } else {
        s.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&nbsp;", " ")
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by `bench/fuzz.sh` (target `feed`): a second XML declaration naming an
    /// encoding made quick-xml panic inside feed-rs.
    #[test]
    fn a_feed_with_a_second_declaration_is_refused_not_a_panic() {
        let text = r#"<?xml version="1.0" encoding="GBK"?><rss version="2.0"><?xml version="1.0" encoding="GBK"?><rss version="2.0"><channel><title>网</title><item><title>示范医院急诊科</title><link>https://news.example/2</link></item></channel></rss>"#;
        let e = parse("rss", "", text, "https://news.example/").err().expect("refused");
        assert!(e.to_string().contains("第二个 XML 声明"), "{e}");
        // The two inputs the fuzzer kept (one with the second declaration inside a title).
        for input in [&b"<?xml version=\"1.0\" encoding=\"GBK\"?><rss version=\"2.0\"><?xml version=\"1.0\" encoding=\"GBK\"?><rss version=\"2.0\"><channel><tjtle>\xe7\xbd\x91</title><item><title>\xe7\xa4\xba\xe8\x8c\x83\xe5\x8c\xbb\xe9\x99\xa2\xe6\x80\xa5\xe8\xaf\x8a\xe7\xa7\x91</title><nilk>https://news.example/2</link><guid><channe1</guid><l><title>\xe7\xbd\x91descr</title><item><title>\xe7iption\xa4\xba><!["[..], &b"<?xml version=\"1.0\" encoding=\"GBK\"?><rss version=\"2.0\"><channel><title>\xe7\xbd\x91<?xml version=\"1.0\" encoding=\"GBK\"?><rss version=\"2.0\"><channel><title>\xe7\xbd\x91</title><item><title>\xe7\xa4\xba\xe8\x8c\x83\xe5\x8c\xbb\xe9\x98\xa2\xe6\x80\xa5\xe8\xaf\x8a\xe7\xa7\x91</title><link>https://n</title><item><ews.example/2</li,k><guid>1</guid><desticrt"[..]] {
            let text = String::from_utf8_lossy(input);
            assert!(parse("rss", "", &text, "https://news.example/").is_err());
        }
        // A processing instruction that only starts with the letters is not a declaration.
        assert!(!later_declaration("<rss><?xml-stylesheet href=\"a.xsl\"?></rss>"));
        assert!(later_declaration("<rss><?XML version=\"1.0\"?></rss>"));
        assert!(!later_declaration("<?xml version=\"1.0\"?><rss/>"));
    }

    #[test]
    fn charsets_are_taken_from_header_declaration_or_meta_and_gbk_is_recognised() {
        let (gbk, _, _) = encoding_rs::GBK.encode("示范医院急诊科");
        assert_eq!(decode(&gbk, "text/xml; charset=GBK").unwrap(), "示范医院急诊科");
        let mut xml = b"<?xml version=\"1.0\" encoding=\"gb2312\"?><a>".to_vec();
        xml.extend_from_slice(&gbk);
        assert!(decode(&xml, "application/xml").unwrap().contains("示范医院"));
        // Declared UTF-8 but GBK in fact: GB18030 is tried.
        assert_eq!(decode(&gbk, "text/html; charset=utf-8").unwrap(), "示范医院急诊科");
        assert!(decode(b"x", "text/html; charset=klingon").unwrap_err().message.contains("klingon"));
    }

    #[test]
    fn json_and_html_sources_map_to_entries() {
        let m = JsonMapping { items: "data.list".into(), title: "t".into(), url: "u".into(), text: "c".into(), guid: "id".into(), author: "user.name".into(), time: "time".into() };
        let doc = r#"{"data":{"list":[{"id":7,"t":"标题<b>一</b>","u":"https://x.example/7","c":"正文","user":{"name":"网友"},"time":"2026-11-20 08:30"}]}}"#;
        let e = parse("json", &serde_json::to_string(&m).unwrap(), doc, "https://x.example/").unwrap();
        assert_eq!(e[0].guid, "7");
        assert_eq!(e[0].title, "标题 一");
        assert_eq!(e[0].author, "网友");
        assert_eq!(e[0].published_at, Some(time::macros::datetime!(2026-11-20 08:30 +8).unix_timestamp()));
        let err = parse("json", &serde_json::to_string(&JsonMapping { items: "data.items".into(), ..m }).unwrap(), doc, "").unwrap_err();
        assert!(err.message.contains("data.items"), "{err}");

        let r = HtmlRecipe { item: "ul.news li".into(), title: "a".into(), link: String::new(), text: "p".into() };
        let html = r#"<ul class="news"><li><a href="/p/1">医院停车难</a><p>排队一小时</p></li><li><a href="p/2">第二条</a></li></ul>"#;
        let e = parse("html", &serde_json::to_string(&r).unwrap(), html, "https://bbs.example/list/").unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].url, "https://bbs.example/p/1");
        assert_eq!(e[0].body, "排队一小时");
        assert_eq!(e[1].url, "https://bbs.example/list/p/2");
        let bad = HtmlRecipe { item: "ul..x".into(), ..r };
        assert!(parse("html", &serde_json::to_string(&bad).unwrap(), html, "").unwrap_err().message.contains("写法有误"));
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(retry_after_secs("120"), Some(120));
        let later = std::time::SystemTime::now() + Duration::from_secs(3600);
        let s = retry_after_secs(&httpdate::fmt_http_date(later)).unwrap();
        assert!((3590..=3600).contains(&s), "{s}");
        assert_eq!(retry_after_secs("soon"), None);
    }
}
