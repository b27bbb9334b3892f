//! The one outbound HTTP client of Yuanxun (monitoring sources, alert robots, `verify
//! --url`): the server sits on a hospital's intranet, where it can reach systems the
//! internet cannot, so every request it makes on someone's say-so is guarded here.
//!
//! - [`Outbound::client`] builds a reqwest client whose DNS resolver is ours: it resolves
//!   the host, drops every address [`is_internal`] names (loopback, private, link-local,
//!   CGNAT, multicast, unspecified, IPv4-mapped and -compatible IPv6 …) unless the
//!   administrator's allow-list covers it, and hands reqwest only what is left. reqwest
//!   connects to exactly those addresses, so there is no window between the check and the
//!   connection (DNS rebinding). No proxy is used: a proxy would resolve the name itself.
//! - An address written into the URL (`http://127.0.0.1/`, `http://2130706433/`,
//!   `http://0x7f.1/`, `http://[::ffff:7f00:1]/`) never reaches a resolver: [`Outbound::check`]
//!   refuses it before the request, and the redirect policy does the same for every hop.
//!   The URL parser (WHATWG rules, as browsers) turns decimal, octal and hex spellings into
//!   the address they mean, so each spelling is judged by its address.
//! - A refusal says [`REFUSED`] and nothing else: no connection was attempted, so it cannot
//!   tell an open port from a closed one.
//!
//! This crate may depend on reqwest, url and tokio only; it knows nothing of the product.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

pub use ipnet::IpNet;

/// What a refused fetch says, to the user and in the source's or channel's error.
pub const REFUSED: &str = "该地址属于内网或本机，出于安全原因不抓取";

/// The reason a request was not made (also the error inside a refused reqwest error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused;

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(REFUSED)
    }
}

impl std::error::Error for Refused {}

/// Why a URL cannot be fetched, before any request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlProblem {
    /// Not a URL with a host.
    Invalid,
    /// A URL, but not http or https.
    Scheme,
    /// An internal address written into the URL.
    Refused,
}

impl std::fmt::Display for UrlProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UrlProblem::Invalid => {
                f.write_str("地址无效：请填写以 http:// 或 https:// 开头的完整地址")
            }
            UrlProblem::Scheme => f.write_str("地址须以 http:// 或 https:// 开头"),
            UrlProblem::Refused => f.write_str(REFUSED),
        }
    }
}

impl std::error::Error for UrlProblem {}

/// Whether `ip` is an address the server must not fetch from on a user's say-so: not a
/// public unicast address of the internet.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => internal_v6(v6),
    }
}

fn internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_unspecified()           // 0.0.0.0 (connects to this machine on Linux)
        || a == 0                 // 0.0.0.0/8 "this network"
        || ip.is_loopback()       // 127.0.0.0/8
        || ip.is_private()        // 10/8, 172.16/12, 192.168/16
        || ip.is_link_local()     // 169.254/16 (cloud metadata lives here)
        || (a == 100 && (64..128).contains(&b)) // 100.64/10 CGNAT
        || (a == 192 && b == 0 && c == 0)       // 192.0.0.0/24 IETF protocol assignments
        || (a == 192 && b == 0 && c == 2)       // TEST-NET-1
        || (a == 198 && (18..20).contains(&b))  // 198.18/15 benchmarking
        || (a == 198 && b == 51 && c == 100)    // TEST-NET-2
        || (a == 203 && b == 0 && c == 113)     // TEST-NET-3
        || ip.is_multicast()      // 224/4
        || a >= 240 // 240/4 reserved, and 255.255.255.255
}

fn internal_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    // IPv4 inside IPv6: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d), NAT64 (64:ff9b::/96),
    // 6to4 (2002:AABB:CCDD::) — judged by the IPv4 address they carry.
    let embedded =
        |hi: u16, lo: u16| Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
    if s[0..5] == [0, 0, 0, 0, 0] && (s[5] == 0xffff || s[5] == 0) {
        return ip.is_unspecified() || ip.is_loopback() || internal_v4(embedded(s[6], s[7]));
    }
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
        return internal_v4(embedded(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        return internal_v4(embedded(s[1], s[2]));
    }
    ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // fc00::/7 unique local
        || (s[0] & 0xffc0) == 0xfe80 // fe80::/10 link-local
        || (s[0] & 0xffc0) == 0xfec0 // fec0::/10 site-local (deprecated)
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || s[0] == 0x0100 && s[1..4] == [0, 0, 0] // 100::/64 discard
}

/// How one client behaves: limits and its name.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Redirects followed, each hop checked; 0: none followed, the 3xx answer is returned.
    pub max_redirects: usize,
    pub user_agent: String,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            timeout: Duration::from_secs(15),
            connect_timeout: Duration::from_secs(10),
            max_redirects: 5,
            user_agent: concat!("Yuanxun/", env!("CARGO_PKG_VERSION")).into(),
        }
    }
}

/// The outbound policy: internal addresses are refused except those the administrator
/// listed (`serve --allow-fetch 10.1.2.0/24`; the project's tests list their loopback
/// servers the same way).
#[derive(Debug, Clone, Default)]
pub struct Outbound {
    allow: Arc<Vec<IpNet>>,
}

impl Outbound {
    /// A policy allowing exactly these internal networks.
    pub fn new(allow: Vec<IpNet>) -> Outbound {
        Outbound {
            allow: Arc::new(allow),
        }
    }

    /// The networks allowed.
    pub fn allowed(&self) -> &[IpNet] {
        &self.allow
    }

    /// Whether a connection to `ip` is allowed.
    pub fn permits(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        !is_internal(ip) || self.allow.iter().any(|n| n.contains(&ip))
    }

    /// Checks a URL before a request: http or https with a host, and no internal address
    /// written into it. Host names are checked when they are resolved.
    pub fn check(&self, url: &str) -> Result<url::Url, UrlProblem> {
        let u = url::Url::parse(url.trim()).map_err(|_| UrlProblem::Invalid)?;
        self.check_parsed(&u)?;
        Ok(u)
    }

    fn check_parsed(&self, u: &url::Url) -> Result<(), UrlProblem> {
        if !matches!(u.scheme(), "http" | "https") {
            return Err(UrlProblem::Scheme);
        }
        match u.host() {
            None => Err(UrlProblem::Invalid),
            Some(url::Host::Ipv4(ip)) if !self.permits(IpAddr::V4(ip)) => Err(UrlProblem::Refused),
            Some(url::Host::Ipv6(ip)) if !self.permits(IpAddr::V6(ip)) => Err(UrlProblem::Refused),
            Some(_) => Ok(()),
        }
    }

    /// A client under this policy: our resolver, every redirect hop checked, no proxy.
    pub fn client(&self, opts: &ClientOptions) -> reqwest::Client {
        let policy = self.clone();
        let max = opts.max_redirects;
        let redirect = if max == 0 {
            reqwest::redirect::Policy::none()
        } else {
            reqwest::redirect::Policy::custom(move |attempt| {
                if attempt.previous().len() > max {
                    attempt.error(TooManyRedirects)
                } else if policy.check_parsed(attempt.url()).is_err() {
                    attempt.error(Refused)
                } else {
                    attempt.follow()
                }
            })
        };
        reqwest::Client::builder()
            .timeout(opts.timeout)
            .connect_timeout(opts.connect_timeout)
            .redirect(redirect)
            .user_agent(opts.user_agent.clone())
            .no_proxy()
            .dns_resolver(Arc::new(Resolver(self.clone())))
            .build()
            .expect("the HTTP client builds")
    }
}

/// IPv4-mapped IPv6 addresses as the IPv4 address they are, so an allow-list written in
/// IPv4 covers them too.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// Redirects beyond the client's limit (reqwest reports it as a redirect error).
#[derive(Debug)]
struct TooManyRedirects;

impl std::fmt::Display for TooManyRedirects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("too many redirects")
    }
}

impl std::error::Error for TooManyRedirects {}

struct Resolver(Outbound);

impl reqwest::dns::Resolve for Resolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.0.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|a| policy.permits(a.ip()))
                .collect();
            if allowed.is_empty() && !found.is_empty() {
                return Err(Box::new(Refused) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Whether a reqwest error is this policy's refusal (of a resolved address or a redirect).
pub fn is_refused(e: &reqwest::Error) -> bool {
    caused_by::<Refused>(e)
}

/// Whether an error of type `E` is somewhere in `e`'s chain of sources.
fn caused_by<E: std::error::Error + 'static>(e: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if s.is::<E>() {
            return true;
        }
        source = s.source();
    }
    false
}

/// Parses an allow-list as an administrator writes it: networks or single addresses,
/// separated by commas or spaces (`10.1.2.0/24, 192.168.5.7`).
pub fn parse_allow_list(s: &str) -> Result<Vec<IpNet>, String> {
    s.split([',', ' ', '\n', '，'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<IpNet>()
                .or_else(|_| p.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("“{p}”不是网段或地址，请写成 10.1.2.0/24 或 10.1.2.3"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host_of(url: &str) -> Result<url::Url, UrlProblem> {
        Outbound::default().check(url)
    }

    #[test]
    fn every_spelling_of_an_internal_address_is_refused() {
        for url in [
            "http://127.0.0.1/",
            "http://127.1/",
            "http://0.0.0.0/",
            "http://0/",
            "http://2130706433/",
            "http://0177.0.0.1/",
            "http://0x7f.0.0.1/",
            "http://0x7f000001/",
            "http://017700000001/",
            "http://[::1]/",
            "http://[::]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://[::127.0.0.1]/",
            "http://[0:0:0:0:0:ffff:a00:1]/",
            "http://[64:ff9b::a9fe:a9fe]/",
            "http://[2002:c0a8:101::]/",
            "http://10.1.2.3/",
            "http://172.16.0.1/",
            "http://192.168.1.1:8080/",
            "http://169.254.169.254/latest/meta-data/",
            "http://100.64.0.1/",
            "http://224.0.0.1/",
            "http://255.255.255.255/",
            "http://[fd00::1]/",
            "http://[fe80::1]/",
            "https://[ff02::1]/",
        ] {
            assert_eq!(host_of(url).unwrap_err(), UrlProblem::Refused, "{url}");
        }
    }

    #[test]
    fn public_addresses_and_names_pass_the_url_check() {
        for url in [
            "https://news.example-hospital.cn/feed.xml",
            "http://8.8.8.8/",
            "http://[2400:3200::1]/",
            "http://114.114.114.114:8080/x",
        ] {
            assert!(host_of(url).is_ok(), "{url}");
        }
        for url in ["ftp://example.com/", "file:///etc/passwd", "gopher://x/", "javascript:alert(1)"] {
            assert_eq!(host_of(url).unwrap_err(), UrlProblem::Scheme, "{url}");
        }
        for url in ["http://", "not a url", "http://[::1/"] {
            assert_eq!(host_of(url).unwrap_err(), UrlProblem::Invalid, "{url}");
        }
    }

    #[test]
    fn an_allow_list_opens_exactly_its_networks() {
        let o = Outbound::new(parse_allow_list("10.1.2.0/24, 127.0.0.2").unwrap());
        assert!(o.check("http://10.1.2.77/").is_ok());
        assert!(
            o.check("http://[::ffff:10.1.2.77]/").is_ok(),
            "mapped form of an allowed address"
        );
        assert!(o.check("http://127.0.0.2:9000/").is_ok());
        assert_eq!(
            o.check("http://10.1.3.1/").unwrap_err(),
            UrlProblem::Refused
        );
        assert_eq!(
            o.check("http://127.0.0.1/").unwrap_err(),
            UrlProblem::Refused
        );
        assert!(parse_allow_list("10.1.2.0/33")
            .unwrap_err()
            .contains("10.1.2.0/33"));
    }

    proptest::proptest! {
        /// Whatever the spelling, an IPv4 address embedded in IPv6 is judged as itself.
        #[test]
        fn embedded_ipv4_is_judged_as_itself(a: u8, b: u8, c: u8, d: u8) {
            let v4 = Ipv4Addr::new(a, b, c, d);
            let mapped = IpAddr::V6(v4.to_ipv6_mapped());
            proptest::prop_assert_eq!(is_internal(mapped), internal_v4(v4));
        }

        /// The decimal spelling of any address means that address.
        #[test]
        fn decimal_hosts_mean_their_address(n: u32) {
            let v4 = Ipv4Addr::from(n);
            let refused = host_of(&format!("http://{n}/")).is_err();
            proptest::prop_assert_eq!(refused, internal_v4(v4));
        }
    }
}
