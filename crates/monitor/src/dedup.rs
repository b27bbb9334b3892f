//! The same story comes back many times: the same entry re-fetched (same GUID), the same page
//! under tracking parameters (same URL once normalised), and the same text reposted by other
//! accounts with a word changed (near-duplicate). Near-duplicates are found with MinHash over
//! character pairs: the share of equal minimums estimates the share of pairs two texts have
//! in common (Jaccard). Locality-sensitive banding (8 bands of 3) finds the candidates, so a
//! lookup compares against a handful of items, not all of them. (SimHash was tried first: on
//! posts of 60 characters, changing two words moved it 11 bits of 64; too coarse.)

use rustc_hash::{FxHashMap, FxHasher};
use std::hash::Hasher;

use crate::expr::normalize;

/// Texts whose estimated share of character pairs is at least this are the same text.
pub const SIMILAR: f32 = 0.6;

const HASHES: usize = 24;
const BANDS: usize = 8;
const ROWS: usize = HASHES / BANDS;

/// Texts shorter than this (in characters) are compared whole: a headline of six characters
/// says too little to call another one a copy.
const SHORTEST: usize = 12;

/// A text's MinHash signature.
pub type Signature = [u32; HASHES];

/// The signature of `text` over its character pairs (normalised, punctuation dropped).
pub fn signature(text: &str) -> Signature {
    let chars: Vec<char> = normalize(text).chars().filter(|c| c.is_alphanumeric()).collect();
    let mut sig = [u32::MAX; HASHES];
    let mut add = |gram: &[char]| {
        let mut h = FxHasher::default();
        for c in gram {
            h.write_u32(*c as u32);
        }
        let base = h.finish();
        for (i, m) in sig.iter_mut().enumerate() {
            let v = mix(base ^ SEEDS[i]) as u32;
            if v < *m {
                *m = v;
            }
        }
    };
    if chars.len() < 2 {
        add(&chars);
    } else {
        chars.windows(2).for_each(&mut add);
    }
    sig
}

/// The estimated share of character pairs two texts have in common.
pub fn similarity(a: &Signature, b: &Signature) -> f32 {
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f32 / HASHES as f32
}

const SEEDS: [u64; HASHES] = {
    let mut s = [0u64; HASHES];
    let mut x = 0x9E3779B97F4A7C15u64;
    let mut i = 0;
    while i < HASHES {
        x = x.wrapping_add(0x9E3779B97F4A7C15);
        s[i] = x;
        i += 1;
    }
    s
};

fn mix(mut x: u64) -> u64 {
    // splitmix64's finaliser
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d049bb133111eb);
    x ^ (x >> 31)
}

fn band_key(sig: &Signature, band: usize) -> u64 {
    let mut h = FxHasher::default();
    for v in &sig[band * ROWS..(band + 1) * ROWS] {
        h.write_u32(*v);
    }
    h.finish()
}

/// `url` with what does not change the page taken away: the fragment, tracking parameters
/// (utm_*, spm, from, share…), a trailing slash, default ports and the case of scheme and host.
pub fn normalize_url(url: &str) -> String {
    let url = url.trim();
    let url = url.split('#').next().unwrap_or("");
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let (scheme, rest) = match base.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => (String::new(), base),
    };
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let mut host = host.to_ascii_lowercase();
    if (scheme == "http" && host.ends_with(":80")) || (scheme == "https" && host.ends_with(":443")) {
        host.truncate(host.rfind(':').unwrap_or(host.len()));
    }
    let path = path.trim_end_matches('/');
    let mut params: Vec<&str> = query
        .unwrap_or("")
        .split('&')
        .filter(|p| {
            let key = p.split('=').next().unwrap_or("").to_ascii_lowercase();
            !p.is_empty() && !key.starts_with("utm_") && !["spm", "from", "share", "share_token", "isappinstalled", "scene", "clicktime", "enterid"].contains(&key.as_str())
        })
        .collect();
    params.sort_unstable();
    let mut out = if scheme.is_empty() { host } else { format!("{scheme}://{host}") };
    out.push_str(path);
    if !params.is_empty() {
        out.push('?');
        out.push_str(&params.join("&"));
    }
    out
}

/// What an item was found to repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat<T> {
    New,
    /// Same GUID or same normalised URL: the same item again (not stored twice).
    Same(T),
    /// Another item's text, reposted (stored, linked to the first, counts toward spread).
    Copy(T),
}

/// The items seen so far (in a window the caller chooses), by GUID, URL and text.
/// `T` is whatever names an item for the caller (a database id, an index).
pub struct Seen<T> {
    keys: FxHashMap<String, T>,
    signatures: Vec<(Signature, T)>,
    bands: [FxHashMap<u64, Vec<u32>>; BANDS],
    short: FxHashMap<String, T>,
}

impl<T: Copy> Default for Seen<T> {
    fn default() -> Self {
        Seen { keys: FxHashMap::default(), signatures: Vec::new(), bands: Default::default(), short: FxHashMap::default() }
    }
}

impl<T: Copy> Seen<T> {
    /// Looks up an item: its GUID (or none), its URL (or none), its text.
    pub fn check(&self, guid: Option<&str>, url: Option<&str>, text: &str) -> Repeat<T> {
        if let Some(g) = guid.filter(|g| !g.is_empty()) {
            if let Some(&t) = self.keys.get(&format!("g:{g}")) {
                return Repeat::Same(t);
            }
        }
        if let Some(u) = url.filter(|u| !u.is_empty()) {
            if let Some(&t) = self.keys.get(&format!("u:{}", normalize_url(u))) {
                return Repeat::Same(t);
            }
        }
        match fingerprint(text) {
            Fingerprint::Short(s) => self.short.get(&s).map_or(Repeat::New, |&t| Repeat::Copy(t)),
            Fingerprint::Long(sig) => self.similar(&sig).map_or(Repeat::New, Repeat::Copy),
        }
    }

    fn similar(&self, sig: &Signature) -> Option<T> {
        for b in 0..BANDS {
            if let Some(list) = self.bands[b].get(&band_key(sig, b)) {
                if let Some(&i) = list.iter().find(|&&i| similarity(&self.signatures[i as usize].0, sig) >= SIMILAR) {
                    return Some(self.signatures[i as usize].1);
                }
            }
        }
        None
    }

    /// Remembers an item under `id`.
    pub fn insert(&mut self, guid: Option<&str>, url: Option<&str>, text: &str, id: T) {
        if let Some(g) = guid.filter(|g| !g.is_empty()) {
            self.keys.insert(format!("g:{g}"), id);
        }
        if let Some(u) = url.filter(|u| !u.is_empty()) {
            self.keys.insert(format!("u:{}", normalize_url(u)), id);
        }
        match fingerprint(text) {
            Fingerprint::Short(s) => {
                self.short.entry(s).or_insert(id);
            }
            Fingerprint::Long(sig) => {
                let i = self.signatures.len() as u32;
                for b in 0..BANDS {
                    self.bands[b].entry(band_key(&sig, b)).or_default().push(i);
                }
                self.signatures.push((sig, id));
            }
        }
    }

    /// How many texts are remembered.
    pub fn len(&self) -> usize {
        self.signatures.len() + self.short.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn fingerprint(text: &str) -> Fingerprint {
    let n = normalize(text);
    if n.chars().filter(|c| c.is_alphanumeric()).count() < SHORTEST {
        Fingerprint::Short(n.chars().filter(|c| c.is_alphanumeric()).collect())
    } else {
        Fingerprint::Long(signature(&n))
    }
}

enum Fingerprint {
    Short(String),
    Long(Signature),
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORY: &str = "网友爆料称，某市人民医院急诊科一名医生昨晚被患者家属殴打，头部受伤缝了六针，警方已经介入调查，医院表示将依法维护医务人员权益。";

    #[test]
    fn a_repost_with_a_word_changed_is_a_copy_and_another_story_is_not() {
        let mut seen = Seen::default();
        seen.insert(Some("guid-1"), Some("https://weibo.example/p/1?utm_source=x"), STORY, 1);
        let repost = STORY.replace("昨晚", "昨天晚上").replace("六针", "6针");
        assert_eq!(seen.check(None, None, &repost), Repeat::Copy(1));
        assert_eq!(seen.check(Some("guid-1"), None, "完全不同"), Repeat::Same(1));
        assert_eq!(seen.check(None, Some("HTTPS://Weibo.example/p/1/#comments"), "完全不同"), Repeat::Same(1));
        let other = "市人民医院举办第三届护理技能大赛，来自二十个病区的六十名护士参加了比赛，比赛设理论考试和操作考核两个环节。";
        assert_eq!(seen.check(None, None, other), Repeat::New);
        // Short texts must be equal to count as copies.
        seen.insert(None, None, "医院停电了", 2);
        assert_eq!(seen.check(None, None, "医院停电了！"), Repeat::Copy(2));
        assert_eq!(seen.check(None, None, "医院停水了"), Repeat::New);
    }

    #[test]
    fn urls_lose_what_does_not_change_the_page() {
        assert_eq!(normalize_url("HTTP://News.Example.cn:80/a/b/?b=2&utm_medium=x&a=1#top"), "http://news.example.cn/a/b?a=1&b=2");
        assert_eq!(normalize_url("https://example.cn"), "https://example.cn");
        assert_ne!(normalize_url("https://example.cn/a?id=1"), normalize_url("https://example.cn/a?id=2"));
    }

    #[test]
    fn similarity_estimates_the_share_of_character_pairs() {
        let a = signature(STORY);
        assert_eq!(signature(STORY), a, "stable");
        let b = signature("医院志愿者服务队走进社区开展义诊活动，为居民测量血压血糖并讲解慢病防治知识，受到居民欢迎。");
        assert!(similarity(&a, &b) < 0.2, "{}", similarity(&a, &b));
        assert!(similarity(&a, &signature(&format!("转发：{STORY}"))) > 0.8);
    }
}
