//! The private-network guard for links found in records. A hostile post must
//! not make the reporter's machine probe its own network, so pages linked from
//! records are not fetched from loopback, private, link-local, unique-local,
//! shared (CGNAT) or cloud-metadata addresses. Names are checked after DNS
//! resolution (the client's resolver refuses them) and every redirect's
//! literal host is checked again. Through a proxy, names are the proxy's to
//! resolve: only literal hosts (IP literals, `localhost`) are checked then.
//! Sources a person configured and URLs a reporter adds are not guarded.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;

/// Why an address may not be fetched, or None when it is public.
pub fn private_reason(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_reason(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return v4_reason(v4);
            }
            let seg = v6.segments();
            if v6.is_loopback() {
                Some("loopback")
            } else if v6.is_unspecified() {
                Some("unspecified")
            } else if v6 == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254) {
                Some("cloud metadata")
            } else if seg[0] & 0xfe00 == 0xfc00 {
                Some("unique-local")
            } else if seg[0] & 0xffc0 == 0xfe80 {
                Some("link-local")
            } else if seg[0] & 0xff00 == 0xff00 {
                Some("multicast")
            } else if seg[0] == 0x64 && seg[1] == 0xff9b {
                // NAT64 embeds an IPv4 address in the last 32 bits.
                v4_reason(Ipv4Addr::new(
                    (seg[6] >> 8) as u8,
                    seg[6] as u8,
                    (seg[7] >> 8) as u8,
                    seg[7] as u8,
                ))
            } else {
                None
            }
        }
    }
}

fn v4_reason(ip: Ipv4Addr) -> Option<&'static str> {
    let o = ip.octets();
    if ip == Ipv4Addr::new(169, 254, 169, 254) || ip == Ipv4Addr::new(100, 100, 100, 200) {
        Some("cloud metadata")
    } else if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_private() {
        Some("private")
    } else if ip.is_link_local() {
        Some("link-local")
    } else if ip.is_unspecified() || o[0] == 0 {
        Some("unspecified")
    } else if o[0] == 100 && (64..128).contains(&o[1]) {
        Some("shared (carrier-grade NAT)")
    } else if ip.is_broadcast() || ip.is_multicast() || o[0] >= 240 {
        Some("reserved")
    } else {
        None
    }
}

/// Why a URL's literal host may not be fetched: an IP literal in a private
/// range, or `localhost` (which never leaves the machine).
pub fn literal_host_reason(url: &url::Url) -> Option<String> {
    let ip = match url.host()? {
        url::Host::Ipv4(ip) => IpAddr::V4(ip),
        url::Host::Ipv6(ip) => IpAddr::V6(ip),
        url::Host::Domain(d) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            if d == "localhost" || d.ends_with(".localhost") {
                return Some(format!("{d} is this machine"));
            }
            return None;
        }
    };
    private_reason(ip).map(|why| format!("{ip} is a {why} address"))
}

pub type Lookup = Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send>>;

/// DNS, behind a trait so tests control what names resolve to.
pub trait NameLookup: Send + Sync {
    fn lookup(&self, host: &str) -> Lookup;
}

/// The system resolver.
pub struct SystemLookup;

impl NameLookup for SystemLookup {
    fn lookup(&self, host: &str) -> Lookup {
        let host = host.to_string();
        Box::pin(async move {
            let addrs = tokio::net::lookup_host((host.as_str(), 0)).await?;
            Ok(addrs.map(|a| a.ip()).collect())
        })
    }
}

/// The resolver the link client uses: names resolving to a private address
/// are refused (all of the name's addresses must be public). Proxy host names
/// are exempt: the user configured them.
pub struct GuardedResolver {
    pub lookup: Arc<dyn NameLookup>,
    pub exempt: Vec<String>,
}

/// The message a refused name carries (`is_refused` looks for it).
pub const REFUSED: &str = "refused: private network address";

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().trim_end_matches('.').to_ascii_lowercase();
        let exempt = self.exempt.iter().any(|e| e.eq_ignore_ascii_case(&host));
        let fut = self.lookup.lookup(&host);
        Box::pin(async move {
            let ips = fut.await?;
            if ips.is_empty() {
                return Err(format!("no address found for {host}").into());
            }
            if !exempt {
                if let Some((ip, why)) = ips
                    .iter()
                    .find_map(|ip| private_reason(*ip).map(|w| (*ip, w)))
                {
                    return Err(format!("{REFUSED}: {host} resolves to {ip} ({why})").into());
                }
            }
            let addrs: Vec<SocketAddr> = ips.into_iter().map(|ip| SocketAddr::new(ip, 0)).collect();
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Test and offline resolver: a fixed table of names.
pub struct StaticLookup(pub Vec<(String, Vec<IpAddr>)>);

impl NameLookup for StaticLookup {
    fn lookup(&self, host: &str) -> Lookup {
        let found = self
            .0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(host))
            .map(|(_, ips)| ips.clone());
        let host = host.to_string();
        Box::pin(async move {
            found.ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    format!("failed to lookup address information: {host}: name not known"),
                )
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_ranges_are_named_and_public_ones_pass() {
        for (ip, want) in [
            ("127.0.0.1", "loopback"),
            ("10.0.0.1", "private"),
            ("172.16.5.4", "private"),
            ("192.168.1.20", "private"),
            ("169.254.169.254", "cloud metadata"),
            ("169.254.10.1", "link-local"),
            ("100.64.0.1", "shared (carrier-grade NAT)"),
            ("0.0.0.0", "unspecified"),
            ("::1", "loopback"),
            ("fd12:3456::1", "unique-local"),
            ("fe80::1", "link-local"),
            ("::ffff:10.1.2.3", "private"),
            ("fd00:ec2::254", "cloud metadata"),
            ("64:ff9b::a9fe:a9fe", "cloud metadata"),
        ] {
            assert_eq!(private_reason(ip.parse().unwrap()), Some(want), "{ip}");
        }
        for ip in [
            "93.184.216.34",
            "1.1.1.1",
            "2606:4700::1111",
            "172.32.0.1",
            "100.128.0.1",
        ] {
            assert_eq!(private_reason(ip.parse().unwrap()), None, "{ip}");
        }
    }

    #[test]
    fn literal_hosts_are_checked_names_are_left_to_dns() {
        let check = |u: &str| literal_host_reason(&url::Url::parse(u).unwrap());
        assert_eq!(
            check("http://169.254.169.254/latest/meta-data/").as_deref(),
            Some("169.254.169.254 is a cloud metadata address")
        );
        assert!(check("http://[::1]:8080/").is_some());
        assert!(check("http://LOCALHOST./admin").is_some());
        assert!(check("http://api.localhost/").is_some());
        assert!(
            check("http://0x7f000001/").is_some(),
            "hex IPv4 literal is parsed as 127.0.0.1"
        );
        assert!(check("https://github.com/x").is_none());
    }
}
