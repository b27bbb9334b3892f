//! Rate limits per client address (the address [`crate::auth`] derives, so behind a
//! configured proxy the reader's own, never one a client wrote in a header): logins,
//! searches, file downloads and the JSON API each have their own budget. A client over its
//! budget is answered 429 with `Retry-After` and a page that says, in Chinese, when to try
//! again; nothing it asked for is done.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Requests per minute per client address for each kind of request; `None`: no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Sign-in attempts (the newsroom's form and the API's session).
    pub login: Option<NonZeroU32>,
    /// Public site searches.
    pub search: Option<NonZeroU32>,
    /// Files built on request: Word downloads of articles, reports, ledgers, spreadsheets.
    pub download: Option<NonZeroU32>,
    /// Every other `/api/v1` call.
    pub api: Option<NonZeroU32>,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits { login: NonZeroU32::new(30), search: NonZeroU32::new(60), download: NonZeroU32::new(30), api: NonZeroU32::new(600) }
    }
}

impl RateLimits {
    /// No limits at all (`serve --rate-limits off`).
    pub const OFF: RateLimits = RateLimits { login: None, search: None, download: None, api: None };

    /// Parses `off`, or `login=30,search=60,download=30,api=600` (any subset; the rest keep
    /// their defaults; `0` turns one off).
    pub fn parse(s: &str) -> Result<RateLimits, String> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("off") {
            return Ok(RateLimits::OFF);
        }
        let mut limits = RateLimits::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, n) = part.split_once('=').ok_or_else(|| format!("“{part}”应写成 名称=每分钟次数，例如 login=10"))?;
            let n: u32 = n.trim().parse().map_err(|_| format!("“{part}”中的次数不是整数"))?;
            let slot = match name.trim() {
                "login" => &mut limits.login,
                "search" => &mut limits.search,
                "download" => &mut limits.download,
                "api" => &mut limits.api,
                other => return Err(format!("没有名为“{other}”的限制（可用：login、search、download、api）")),
            };
            *slot = NonZeroU32::new(n);
        }
        Ok(limits)
    }
}

/// The kinds of request a budget applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Login,
    Search,
    Download,
    Api,
}

impl Kind {
    /// The budget `method path` draws on, if any.
    pub fn of(method: &axum::http::Method, path: &str) -> Option<Kind> {
        use axum::http::Method;
        let post = *method == Method::POST;
        if post && (path == "/admin/login" || path == "/api/v1/session") {
            return Some(Kind::Login);
        }
        if path == "/search" || path == "/api/v1/search" {
            return Some(Kind::Search);
        }
        if [".docx", ".xlsx", ".csv", ".md"].iter().any(|ext| path.ends_with(ext)) {
            return Some(Kind::Download);
        }
        if path.starts_with("/api/") {
            return Some(Kind::Api);
        }
        None
    }

    /// What the refusal page says the reader was doing.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Login => "登录尝试",
            Kind::Search => "搜索",
            Kind::Download => "文件下载",
            Kind::Api => "接口调用",
        }
    }
}

/// The limiters of one site.
pub struct Limiter {
    login: Option<DefaultKeyedRateLimiter<IpAddr>>,
    search: Option<DefaultKeyedRateLimiter<IpAddr>>,
    download: Option<DefaultKeyedRateLimiter<IpAddr>>,
    api: Option<DefaultKeyedRateLimiter<IpAddr>>,
}

/// Addresses remembered before the limiters forget the ones whose budget is full again.
const FORGET_AFTER: usize = 10_000;

impl Limiter {
    pub fn new(limits: RateLimits) -> Limiter {
        let make = |n: Option<NonZeroU32>| n.map(|n| RateLimiter::keyed(Quota::per_minute(n)));
        Limiter { login: make(limits.login), search: make(limits.search), download: make(limits.download), api: make(limits.api) }
    }

    /// `Ok` when `client` may make a request of `kind` now (and counts it), else how long
    /// it must wait.
    pub fn check(&self, kind: Kind, client: IpAddr) -> Result<(), Duration> {
        let limiter = match kind {
            Kind::Login => &self.login,
            Kind::Search => &self.search,
            Kind::Download => &self.download,
            Kind::Api => &self.api,
        };
        let Some(l) = limiter else { return Ok(()) };
        if l.len() > FORGET_AFTER {
            l.retain_recent();
        }
        l.check_key(&client).map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Method;

    #[test]
    fn requests_fall_into_their_budgets() {
        assert_eq!(Kind::of(&Method::POST, "/admin/login"), Some(Kind::Login));
        assert_eq!(Kind::of(&Method::GET, "/admin/login"), None);
        assert_eq!(Kind::of(&Method::POST, "/api/v1/session"), Some(Kind::Login));
        assert_eq!(Kind::of(&Method::GET, "/search"), Some(Kind::Search));
        assert_eq!(Kind::of(&Method::GET, "/news/12.docx"), Some(Kind::Download));
        assert_eq!(Kind::of(&Method::GET, "/admin/points/export.xlsx"), Some(Kind::Download));
        assert_eq!(Kind::of(&Method::GET, "/api/v1/articles"), Some(Kind::Api));
        assert_eq!(Kind::of(&Method::GET, "/news/12.html"), None);
    }

    #[test]
    fn a_client_over_its_budget_waits_and_others_do_not() {
        let l = Limiter::new(RateLimits { login: NonZeroU32::new(3), ..RateLimits::OFF });
        let a: IpAddr = "203.0.113.7".parse().unwrap();
        let b: IpAddr = "203.0.113.8".parse().unwrap();
        for _ in 0..3 {
            assert!(l.check(Kind::Login, a).is_ok());
        }
        let wait = l.check(Kind::Login, a).unwrap_err();
        assert!(wait > Duration::from_secs(10) && wait <= Duration::from_secs(20), "{wait:?}");
        assert!(l.check(Kind::Login, b).is_ok());
        assert!(l.check(Kind::Search, a).is_ok(), "search has no limit here");
    }

    #[test]
    fn limits_are_read_from_the_command_line() {
        assert_eq!(RateLimits::parse("off").unwrap(), RateLimits::OFF);
        let l = RateLimits::parse("login=5, api=0").unwrap();
        assert_eq!((l.login, l.api, l.search), (NonZeroU32::new(5), None, RateLimits::default().search));
        assert!(RateLimits::parse("logon=5").unwrap_err().contains("login"));
        assert!(RateLimits::parse("login=many").is_err());
    }
}
