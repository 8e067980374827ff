//! Where a remote probe may connect: every address a remote URL resolves to (and every address
//! after a redirect) is checked before a byte is sent, and the connection is pinned to the
//! checked addresses, so a DNS answer that changes between the check and the connect (DNS
//! rebinding) cannot reach a private network.
//!
//! Refused unless [`Policy::allow_private`]: loopback, private (RFC 1918, IPv6 unique-local),
//! link-local (cloud metadata at 169.254.169.254), CGNAT, multicast, broadcast, unspecified,
//! reserved and documentation ranges, and IPv6 forms embedding such an IPv4 address (mapped,
//! compatible, NAT64, 6to4). It does not send requests itself (see `remote`).

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

/// Whether a probe may connect to `ip` without `--allow-private-hosts`.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    let n = u32::from(ip);
    let in_net = |base: [u8; 4], bits: u32| {
        let mask = if bits == 0 {
            0
        } else {
            u32::MAX << (32 - bits)
        };
        n & mask == u32::from(Ipv4Addr::from(base)) & mask
    };
    !(o[0] == 0                                // "this network", unspecified
        || o[0] == 10                          // private
        || o[0] == 127                         // loopback
        || in_net([100, 64, 0, 0], 10)         // CGNAT
        || in_net([169, 254, 0, 0], 16)        // link-local, cloud metadata
        || in_net([172, 16, 0, 0], 12)         // private
        || in_net([192, 0, 0, 0], 24)          // IETF protocol assignments
        || in_net([192, 0, 2, 0], 24)          // documentation
        || in_net([192, 88, 99, 0], 24)        // 6to4 relay anycast
        || in_net([192, 168, 0, 0], 16)        // private
        || in_net([198, 18, 0, 0], 15)         // benchmarking
        || in_net([198, 51, 100, 0], 24)       // documentation
        || in_net([203, 0, 113, 0], 24)        // documentation
        || o[0] >= 224) // multicast, reserved, broadcast
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    // ::a.b.c.d (deprecated IPv4-compatible), :: and ::1
    if s[..6].iter().all(|x| *x == 0) {
        return s[6] != 0
            && is_public_v4(Ipv4Addr::new(
                (s[6] >> 8) as u8,
                s[6] as u8,
                (s[7] >> 8) as u8,
                s[7] as u8,
            ));
    }
    let embedded =
        |hi: u16, lo: u16| Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
    // NAT64 64:ff9b::/96 and 64:ff9b:1::/48 carry an IPv4 address
    if s[0] == 0x64 && s[1] == 0xff9b {
        return is_public_v4(embedded(s[6], s[7]));
    }
    // 6to4 2002:V4ADDR::/48
    if s[0] == 0x2002 {
        return is_public_v4(embedded(s[1], s[2]));
    }
    !((s[0] & 0xfe00) == 0xfc00          // unique local
        || (s[0] & 0xffc0) == 0xfe80     // link-local
        || (s[0] & 0xffc0) == 0xfec0     // site-local (deprecated)
        || (s[0] & 0xff00) == 0xff00     // multicast
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || (s[0] == 0x2001 && s[1] == 0)      // Teredo
        || s[0] == 0x0100 && s[1..4].iter().all(|x| *x == 0)) // discard-only
}

/// Why a host may not be connected to.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum GuardError {
    #[error("{host} resolves to {addr}, a loopback, private, link-local, CGNAT or multicast address (refused; --allow-private-hosts is for local testing only)")]
    Blocked { host: String, addr: IpAddr },
    #[error("{host}: DNS lookup failed: {reason}")]
    Dns { host: String, reason: String },
}

/// Connection rules for remote probes.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Allow every address (local testing only).
    pub allow_private: bool,
    /// IP-literal endpoints allowed although private (tests use the exact address of a local
    /// fake; a redirect to another port of the same host is still refused).
    pub exempt: Vec<SocketAddr>,
    /// Fixed answers for host names, checked like DNS answers (like curl's `--resolve`).
    pub hosts: BTreeMap<String, Vec<IpAddr>>,
}

impl Policy {
    /// Checks an IP-literal endpoint (these never reach the resolver).
    pub fn check_literal(&self, ip: IpAddr, port: u16) -> Result<(), GuardError> {
        if self.allow_private || is_public(ip) || self.exempt.contains(&SocketAddr::new(ip, port)) {
            return Ok(());
        }
        Err(GuardError::Blocked {
            host: ip.to_string(),
            addr: ip,
        })
    }

    /// Resolves `host` (fixed answers first, else the system resolver) and checks every
    /// address: one refused address refuses the host.
    pub async fn resolve(&self, host: &str) -> Result<Vec<IpAddr>, GuardError> {
        let host_l = host.trim_end_matches('.').to_ascii_lowercase();
        let addrs: Vec<IpAddr> = match self.hosts.get(&host_l) {
            Some(a) => a.clone(),
            None => tokio::net::lookup_host((host_l.as_str(), 0))
                .await
                .map_err(|e| GuardError::Dns {
                    host: host_l.clone(),
                    reason: e.to_string(),
                })?
                .map(|a| a.ip())
                .collect(),
        };
        if addrs.is_empty() {
            return Err(GuardError::Dns {
                host: host_l,
                reason: "no address".into(),
            });
        }
        if !self.allow_private {
            if let Some(bad) = addrs.iter().find(|a| !is_public(**a)) {
                return Err(GuardError::Blocked {
                    host: host_l,
                    addr: *bad,
                });
            }
        }
        Ok(addrs)
    }
}

/// The reqwest resolver that applies a [`Policy`]: connections go only to checked addresses.
pub struct GuardResolver(pub Arc<Policy>);

impl reqwest::dns::Resolve for GuardResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.0.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs = policy.resolve(&host).await?;
            let it: reqwest::dns::Addrs =
                Box::new(addrs.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(it)
        })
    }
}

/// Finds a [`GuardError`] in an error's source chain.
pub fn guard_error(e: &(dyn std::error::Error + 'static)) -> Option<GuardError> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(g) = err.downcast_ref::<GuardError>() {
            return Some(g.clone());
        }
        cur = err.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn private_ranges_are_refused_and_public_ones_allowed() {
        for bad in [
            "127.0.0.1",
            "127.255.0.9",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "224.0.0.1",
            "239.1.1.1",
            "255.255.255.255",
            "0.0.0.0",
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "64:ff9b::a9fe:a9fe",
            "2002:a00:1::1",
        ] {
            assert!(!is_public(ip(bad)), "{bad} must be refused");
        }
        for good in [
            "8.8.8.8",
            "1.1.1.1",
            "172.32.0.1",
            "100.128.0.1",
            "169.253.1.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(is_public(ip(good)), "{good} must be allowed");
        }
    }

    #[test]
    fn literal_exemptions_name_one_port_only() {
        let p = Policy {
            exempt: vec!["127.0.0.1:4000".parse().unwrap()],
            ..Policy::default()
        };
        assert!(p.check_literal(ip("127.0.0.1"), 4000).is_ok());
        assert!(p.check_literal(ip("127.0.0.1"), 4001).is_err());
        assert!(p.check_literal(ip("8.8.8.8"), 80).is_ok());
    }

    #[test]
    fn a_name_with_one_private_answer_is_refused() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let p = Policy {
            hosts: BTreeMap::from([
                (
                    "mixed.test".to_string(),
                    vec![ip("8.8.8.8"), ip("10.0.0.1")],
                ),
                ("fine.test".to_string(), vec![ip("8.8.4.4")]),
            ]),
            ..Policy::default()
        };
        assert!(matches!(
            rt.block_on(p.resolve("Mixed.Test.")),
            Err(GuardError::Blocked { addr, .. }) if addr == ip("10.0.0.1")
        ));
        assert_eq!(
            rt.block_on(p.resolve("fine.test")).unwrap(),
            [ip("8.8.4.4")]
        );
    }
}
