//! What a defaced page carries that its readers do not see.

use std::collections::HashMap;

use scraper::{ElementRef, Html, Selector};

use crate::Problem;

/// Gambling and pornography words that casino spam puts into hospital pages (titles,
/// hidden link texts, keywords). Hand-picked: words that never belong in hospital news.
pub const BAD_WORDS: &[&str] = &[
    "博彩", "赌场", "赌博网", "百家乐", "老虎机", "时时彩", "六合彩", "北京赛车", "真人娱乐", "真人荷官", "娱乐城", "葡京", "威尼斯人",
    "太阳城", "金沙娱乐", "皇冠体育", "体育投注", "网上赌", "彩票平台", "棋牌游戏", "捕鱼游戏", "开元棋牌", "澳门赌", "线上赌",
    "色情", "成人视频", "成人影院", "av在线", "黄色网站", "裸聊", "约炮", "一夜情", "援交",
];

/// Spiders named by cloaking scripts.
const SPIDERS: &[&str] = &["baidu", "spider", "googlebot", "sogou", "360spider", "bingbot", "bot", "yisou", "soso"];

/// Declarations of one CSS rule or `style` attribute, lower-cased, by property.
type Decls = HashMap<String, String>;

fn parse_decls(css: &str) -> Decls {
    css.split(';')
        .filter_map(|d| d.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().trim_end_matches("!important").trim().to_ascii_lowercase()))
        .collect()
}

/// A length of at most `limit` px (or any negative em/rem/% far off).
fn far_negative(v: &str) -> bool {
    let num: String = v.chars().take_while(|c| *c == '-' || *c == '.' || c.is_ascii_digit()).collect();
    num.parse::<f64>().is_ok_and(|n| n <= -500.0 || (n <= -50.0 && (v.ends_with("em") || v.ends_with('%'))))
}

fn zero(v: &str) -> bool {
    let num: String = v.chars().take_while(|c| *c == '.' || c.is_ascii_digit()).collect();
    !num.is_empty() && num.parse::<f64>().is_ok_and(|n| n == 0.0)
}

/// How these declarations hide an element, if they do.
fn hides(d: &Decls) -> Option<String> {
    let get = |k: &str| d.get(k).map(String::as_str);
    if get("display") == Some("none") {
        return Some("display:none".into());
    }
    if matches!(get("visibility"), Some("hidden") | Some("collapse")) {
        return Some("visibility:hidden".into());
    }
    if get("opacity").is_some_and(zero) {
        return Some("opacity:0".into());
    }
    for side in ["left", "top", "right", "bottom", "text-indent", "margin-left", "margin-top"] {
        if get(side).is_some_and(far_negative) {
            return Some(format!("{side}:{}（移出屏幕）", get(side).unwrap_or_default()));
        }
    }
    if get("font-size").is_some_and(zero) {
        return Some("font-size:0".into());
    }
    if (get("width").is_some_and(zero) || get("height").is_some_and(zero) || get("max-height").is_some_and(zero)) && get("overflow") == Some("hidden") {
        return Some("零尺寸且 overflow:hidden".into());
    }
    if let (Some(c), Some(bg)) = (get("color"), get("background-color").or(get("background"))) {
        if !c.is_empty() && c == bg {
            return Some(format!("文字颜色与背景相同（{c}）"));
        }
    }
    None
}

/// Simple rules of the page's `<style>` blocks: `.class` and `#id` selectors.
fn style_rules(doc: &Html) -> (HashMap<String, Decls>, HashMap<String, Decls>) {
    let (mut classes, mut ids) = (HashMap::new(), HashMap::new());
    let sel = Selector::parse("style").expect("valid selector");
    for style in doc.select(&sel) {
        let css: String = style.text().collect();
        for rule in css.split('}') {
            let Some((selectors, body)) = rule.split_once('{') else { continue };
            let decls = parse_decls(body);
            for s in selectors.split(',').map(str::trim) {
                if let Some(c) = s.strip_prefix('.').filter(|c| c.chars().all(|ch| ch.is_alphanumeric() || ch == '-' || ch == '_')) {
                    classes.insert(c.to_string(), decls.clone());
                } else if let Some(i) = s.strip_prefix('#').filter(|i| i.chars().all(|ch| ch.is_alphanumeric() || ch == '-' || ch == '_')) {
                    ids.insert(i.to_string(), decls.clone());
                }
            }
        }
    }
    (classes, ids)
}

fn host_of(href: &str) -> Option<String> {
    let u = url::Url::parse(href).ok()?;
    matches!(u.scheme(), "http" | "https").then(|| u.host_str().map(|h| h.trim_start_matches("www.").to_ascii_lowercase())).flatten()
}

fn allowed(host: &str, allow: &[String]) -> bool {
    allow.iter().any(|a| {
        let a = a.trim_start_matches("www.").to_ascii_lowercase();
        host == a || host.ends_with(&format!(".{a}"))
    })
}

/// Why a script looks like a referrer- or user-agent-keyed redirect, if it does.
fn redirecting(script: &str) -> Option<String> {
    let s: String = script.to_ascii_lowercase().split_whitespace().collect();
    let redirects = ["location.href", "location.replace", "location=", "location.assign", "window.open(", "document.write(", "top.location", "self.location"].iter().any(|p| s.contains(p));
    if !redirects {
        return None;
    }
    if s.contains("document.referrer") {
        return Some("按来源页（document.referrer）跳转".into());
    }
    if s.contains("navigator.useragent") && SPIDERS.iter().any(|b| s.contains(b)) {
        return Some("按浏览器标识（navigator.userAgent）区分搜索引擎跳转".into());
    }
    None
}

/// Scans one HTML page. `allow` lists the hosts links may point to (the site's own and
/// those the hospital trusts); subdomains of an allowed host are allowed.
pub fn scan_page(path: &str, html: &str, allow: &[String]) -> Vec<Problem> {
    let doc = Html::parse_document(html);
    let mut out = Vec::new();
    let (classes, ids) = style_rules(&doc);
    let hidden_by = |el: ElementRef| -> Option<String> {
        let mut node = Some(el);
        while let Some(e) = node {
            let v = e.value();
            if v.name() == "marquee" {
                return Some("marquee 滚动框".into());
            }
            if v.attr("hidden").is_some() {
                return Some("hidden 属性".into());
            }
            if let Some(how) = v.attr("style").map(parse_decls).as_ref().and_then(hides) {
                return Some(how);
            }
            for c in v.classes() {
                if let Some(how) = classes.get(c).and_then(hides) {
                    return Some(format!(".{c} {{{how}}}"));
                }
            }
            if let Some(how) = v.id().and_then(|i| ids.get(i)).and_then(hides) {
                return Some(format!("#{} {{{how}}}", v.id().unwrap_or_default()));
            }
            node = e.parent().and_then(ElementRef::wrap);
        }
        None
    };

    let links = Selector::parse("a[href], area[href]").expect("valid selector");
    for a in doc.select(&links) {
        let href = a.value().attr("href").unwrap_or_default().trim().to_string();
        let foreign = host_of(&href).is_some_and(|h| !allowed(&h, allow));
        if let Some(how) = hidden_by(a) {
            out.push(Problem::HiddenLink { path: path.to_string(), href: href.clone(), how });
        } else if foreign {
            out.push(Problem::ForeignLink { path: path.to_string(), href });
        }
    }

    let scripts = Selector::parse("script").expect("valid selector");
    for s in doc.select(&scripts) {
        if let Some(src) = s.value().attr("src") {
            if host_of(src).is_some_and(|h| !allowed(&h, allow)) {
                out.push(Problem::ForeignLink { path: path.to_string(), href: src.to_string() });
            }
        }
        let code: String = s.text().collect();
        if let Some(how) = redirecting(&code) {
            out.push(Problem::Redirect { path: path.to_string(), how });
        }
    }
    let refresh = Selector::parse("meta[http-equiv]").expect("valid selector");
    for m in doc.select(&refresh) {
        if m.value().attr("http-equiv").is_some_and(|h| h.eq_ignore_ascii_case("refresh")) {
            let to = m.value().attr("content").unwrap_or_default();
            if let Some(h) = to.split_once("url=").or_else(|| to.split_once("URL=")).and_then(|(_, u)| host_of(u.trim())) {
                if !allowed(&h, allow) {
                    out.push(Problem::Redirect { path: path.to_string(), how: format!("meta refresh 跳转到 {h}") });
                }
            }
        }
    }

    // Every piece of text, hidden or not, plus the attributes spam hides words in.
    let mut text: String = doc.root_element().text().collect::<Vec<_>>().join(" ");
    let meta = Selector::parse("meta[content], img[alt], a[title]").expect("valid selector");
    for m in doc.select(&meta) {
        for attr in ["content", "alt", "title"] {
            if let Some(v) = m.value().attr(attr) {
                text.push(' ');
                text.push_str(v);
            }
        }
    }
    let lower = text.to_lowercase();
    let mut seen = Vec::new();
    for w in BAD_WORDS {
        if lower.contains(w) && !seen.contains(w) {
            seen.push(*w);
            out.push(Problem::Vocabulary { path: path.to_string(), word: w.to_string() });
        }
    }
    out
}
