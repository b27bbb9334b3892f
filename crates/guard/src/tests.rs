use std::collections::BTreeMap;

use super::*;

fn allow() -> Vec<String> {
    vec!["news.example-hospital.cn".into(), "gov.cn".into()]
}

fn kinds(p: &[Problem]) -> Vec<String> {
    p.iter().map(|p| p.to_string()).collect()
}

#[test]
fn a_clean_page_has_nothing_to_report() {
    let html = r##"<!doctype html><html><head><title>骨科举办义诊 - 示范医院</title><meta name="description" content="义诊"><link rel="stylesheet" href="/static/site.css"></head>
        <body><a class="skip" href="#main">跳到正文</a><nav><a href="/">首页</a><a href="https://www.news.example-hospital.cn/channel/news">医院要闻</a></nav>
        <p>详见<a href="https://www.nhc.gov.cn/">国家卫生健康委员会</a>网站。</p><img src="/media/1.jpg" alt="义诊现场">
        <script>document.querySelectorAll('.slide').forEach(function(s){s.hidden=true})</script></body></html>"##;
    assert_eq!(kinds(&scan_page("news/1.html", html, &allow())), Vec::<String>::new());
}

#[test]
fn hidden_links_are_found_however_they_are_hidden() {
    let cases = [
        (r##"<div style="display:none"><a href="https://casino.example/">x</a></div>"##, "display:none"),
        (r##"<span style="VISIBILITY: hidden !important"><a href="https://casino.example/">x</a></span>"##, "visibility:hidden"),
        (r##"<div style="position:absolute;left:-9999px"><a href="https://casino.example/">x</a></div>"##, "移出屏幕"),
        (r##"<p style="height:0;overflow:hidden"><a href="https://casino.example/">x</a></p>"##, "零尺寸"),
        (r##"<p style="color:#fff;background-color:#fff"><a href="https://casino.example/">x</a></p>"##, "文字颜色与背景相同"),
        (r##"<marquee><a href="https://casino.example/">x</a></marquee>"##, "marquee"),
        (r##"<style>.ad-x { text-indent: -20000px }</style><div class="wrap ad-x"><a href="https://casino.example/">x</a></div>"##, ".ad-x"),
        (r##"<style>#f{font-size:0}</style><div id="f"><a href="/news/2.html">x</a></div>"##, "#f"),
        (r##"<div hidden><a href="https://casino.example/">x</a></div>"##, "hidden 属性"),
    ];
    for (body, how) in cases {
        let found = scan_page("index.html", &format!("<html><body>{body}</body></html>"), &allow());
        assert!(matches!(found.first(), Some(Problem::HiddenLink { how: h, .. }) if h.contains(how)), "{body}: {found:?}");
    }
}

#[test]
fn foreign_links_scripts_and_words_are_reported() {
    let html = r##"<html><head><title>澳门葡京娱乐城-百家乐</title><script src="https://cdn.evil.example/x.js"></script></head>
        <body><a href="http://bet.example.com/">点击</a><a href="https://sub.gov.cn/x">ok</a><img alt="真人荷官" src="/a.png"></body></html>"##;
    let found = kinds(&scan_page("index.html", html, &allow()));
    for expected in ["index.html：指向白名单以外网站的链接 https://cdn.evil.example/x.js", "index.html：指向白名单以外网站的链接 http://bet.example.com/", "涉赌涉黄词语“葡京”", "“百家乐”", "“娱乐城”", "“真人荷官”"] {
        assert!(found.iter().any(|f| f.contains(expected)), "{expected} in {found:?}");
    }
    assert!(!found.iter().any(|f| f.contains("sub.gov.cn")), "subdomains of an allowed host are fine");
}

#[test]
fn referrer_and_spider_keyed_redirects_are_caught() {
    let by_referrer = r##"<script>var r = document.referrer; if (r.indexOf("baidu") > -1 || r.indexOf("sogou") > -1) { window.location.href = "https://casino.example/"; }</script>"##;
    let by_agent = r##"<script>if(/Baiduspider|Googlebot/i.test(navigator.userAgent)){document.write('<a href="https://x.example">x</a>')}</script>"##;
    let refresh = r##"<meta http-equiv="refresh" content="0;url=https://casino.example/">"##;
    for (html, how) in [(by_referrer, "document.referrer"), (by_agent, "navigator.userAgent"), (refresh, "meta refresh")] {
        let found = scan_page("news/3.html", &format!("<html><head>{html}</head><body></body></html>"), &allow());
        assert!(found.iter().any(|p| matches!(p, Problem::Redirect { how: h, .. } if h.contains(how))), "{how}: {found:?}");
    }
    // Our own script reads neither.
    let ours = include_str!("../../../themes/default/site.js");
    assert!(scan_page("x.html", &format!("<html><body><script>{ours}</script></body></html>"), &allow()).is_empty());
}

#[test]
fn compare_finds_modified_missing_and_extra_files() {
    let manifest = vec![Entry::of("index.html", b"home"), Entry::of("news/1.html", b"one"), Entry::of("news/2.html", b"two")];
    let mut found: BTreeMap<String, Option<String>> = BTreeMap::new();
    found.insert("index.html".into(), Some(Entry::of("index.html", b"home").sha256));
    found.insert("news/1.html".into(), Some(Entry::of("news/1.html", b"one, changed").sha256));
    found.insert("shell.php".into(), Some(Entry::of("shell.php", b"<?php").sha256));
    found.insert("manifest.json".into(), Some("x".into()));
    let problems = compare(&manifest, &found, true);
    assert_eq!(problems, vec![Problem::Modified { path: "news/1.html".into() }, Problem::Missing { path: "news/2.html".into() }, Problem::Extra { path: "shell.php".into() }]);
    assert_eq!(compare(&manifest, &found, false).len(), 2, "over HTTP extra files cannot be seen");
}

#[test]
fn signatures_bind_the_manifest_to_the_key() {
    let key = SigningKey::from_bytes(&[7; 32]);
    let other = SigningKey::from_bytes(&[8; 32]);
    let sig = sign(b"{\"files\":[]}", &key);
    assert!(verify_signature(b"{\"files\":[]}", &sig, &key.verifying_key()));
    assert!(!verify_signature(b"{\"files\":[ ]}", &sig, &key.verifying_key()));
    assert!(!verify_signature(b"{\"files\":[]}", &sig, &other.verifying_key()));
    assert!(!verify_signature(b"{\"files\":[]}", "zz", &key.verifying_key()));
}

/// An export folder in memory, for the stored manifest.
fn folder(written: &crate::Written, into: &mut BTreeMap<String, Vec<u8>>) {
    for (path, bytes) in &written.files {
        into.insert(path.clone(), bytes.clone());
    }
    for path in &written.gone {
        into.remove(path);
    }
}

#[test]
fn a_stored_manifest_is_an_index_and_parts_and_a_change_rewrites_only_its_parts() {
    use crate::{part_of, Stored};
    use std::cell::RefCell;
    assert_eq!(part_of("news/1234.html").as_deref(), Some("manifest/news/1.json"));
    assert_eq!(part_of("channel/news/archive/7.html").as_deref(), Some("manifest/channel/news/archive/0.json"));
    assert_eq!(part_of("media/12.jpg").as_deref(), Some("manifest/media/0.json"));
    for unnumbered in ["index.html", "channel/news/index.html", "static/site.3f2a.css", "news/12a.html", "7.html", "../news/1.html", "manifest/news/1.json"] {
        assert_eq!(part_of(unnumbered), None, "{unnumbered}");
    }
    let key = SigningKey::from_bytes(&[7; 32]);
    let disk = RefCell::new(BTreeMap::<String, Vec<u8>>::new());
    let read = |p: &str| disk.borrow().get(p).cloned();
    let mut m = Stored::new(read, "医院", "https://h.example", &key.verifying_key());
    for id in 1..=2500 {
        m.put(Entry::of(&format!("news/{id}.html"), format!("page {id}").as_bytes())).unwrap();
        m.set_version(id, Some(1)).unwrap();
    }
    m.put(Entry::of("index.html", b"home")).unwrap();
    let w = m.save(&key, 1).unwrap();
    let names: Vec<&str> = w.files.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(names, ["manifest/news/0.json", "manifest/news/1.json", "manifest/news/2.json", "manifest.json", "manifest.sig"]);
    folder(&w, &mut disk.borrow_mut());

    // A correction of story 1500: its part and the index, nothing else.
    let mut m = Stored::open(read, &key.verifying_key()).unwrap();
    assert_eq!(m.version(1500).unwrap(), Some(1));
    m.put(Entry::of("news/1500.html", b"corrected")).unwrap();
    m.set_version(1500, Some(2)).unwrap();
    let w = m.save(&key, 2).unwrap();
    let names: Vec<&str> = w.files.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(names, ["manifest/news/1.json", "manifest.json", "manifest.sig"]);
    folder(&w, &mut disk.borrow_mut());
    let (whole, parts) = Stored::open(read, &key.verifying_key()).unwrap().whole().unwrap();
    assert_eq!(whole.files.len(), 2501);
    assert_eq!(whole.articles.len(), 2500);
    assert_eq!(whole.articles[&1500], 2);
    assert_eq!(parts.len(), 3);
    assert!(whole.files.contains(&Entry::of("news/1500.html", b"corrected")));

    // Retracting every story of a part removes the part.
    let mut m = Stored::open(read, &key.verifying_key()).unwrap();
    for id in 2000..=2500 {
        m.remove(&format!("news/{id}.html")).unwrap();
        m.set_version(id, None).unwrap();
    }
    let w = m.save(&key, 3).unwrap();
    assert_eq!(w.gone, ["manifest/news/2.json"]);
    folder(&w, &mut disk.borrow_mut());
    let (whole, parts) = Stored::open(read, &key.verifying_key()).unwrap().whole().unwrap();
    assert_eq!((whole.files.len(), parts.len()), (2000, 2), "stories 1–1999 and the home page");

    // A part changed on disk is caught by the signed index's hash.
    disk.borrow_mut().get_mut("manifest/news/1.json").unwrap().push(b' ');
    let mut m = Stored::open(read, &key.verifying_key()).unwrap();
    assert!(matches!(m.version(1500), Err(crate::ManifestError::Damaged(_))));
    assert!(Stored::open(read, &key.verifying_key()).unwrap().whole().is_err());
    // And an index without the key's signature is not believed at all.
    assert!(matches!(Stored::open(read, &SigningKey::from_bytes(&[8; 32]).verifying_key()), Err(crate::ManifestError::Unsigned)));
}

#[test]
fn a_manifest_from_before_parts_is_read_and_written_back_in_parts() {
    use crate::{Manifest, Stored};
    let key = SigningKey::from_bytes(&[7; 32]);
    let old = Manifest { site: "医院".into(), base_url: "https://h.example".into(), generated_at: 1, public_key: hex::encode(key.verifying_key().to_bytes()), files: vec![Entry::of("index.html", b"home"), Entry::of("news/3.html", b"three")], articles: BTreeMap::from([(3, 4)]) };
    let json = serde_json::to_vec_pretty(&old).unwrap();
    let disk = BTreeMap::from([("manifest.json".to_string(), json.clone()), ("manifest.sig".to_string(), sign(&json, &key).into_bytes())]);
    let read = |p: &str| disk.get(p).cloned();
    let mut m = Stored::open(read, &key.verifying_key()).unwrap();
    assert_eq!(m.version(3).unwrap(), Some(4));
    assert!(m.contains("news/3.html").unwrap());
    let w = m.save(&key, 2).unwrap();
    let names: Vec<&str> = w.files.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(names, ["manifest/news/0.json", "manifest.json", "manifest.sig"]);
}
