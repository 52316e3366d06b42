//! Who the client is behind the reverse proxies the operator trusts (`TRUSTED_PROXIES`).
//!
//! `X-Forwarded-For` is a list that every proxy appends to, so only its right end is written by
//! proxies we know; anything to the left of the first address that is not ours was written by
//! whoever connected, and may be forged. The client is therefore the socket peer when it is not
//! a trusted proxy, else the rightmost forwarded address that is not a trusted proxy.
use std::net::IpAddr;

use ipnet::IpNet;

/// The networks of the trusted reverse proxies; empty by default (no header is believed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// A comma-separated list of networks (`10.0.0.0/8`) or single addresses (`127.0.0.1`).
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        let mut nets = Vec::new();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let net = match item.parse::<IpNet>() {
                Ok(net) => net,
                Err(_) => item
                    .parse::<IpAddr>()
                    .map(IpNet::from)
                    .map_err(|_| format!("{item:?} is neither a network (10.0.0.0/8) nor an address"))?,
            };
            nets.push(net.trunc());
        }
        Ok(TrustedProxies(nets))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address: `peer` when it is not a trusted proxy; else `forwarded_for` (the
    /// `X-Forwarded-For` values in header order) read from the right, taking the first address
    /// that is not a trusted proxy. The walk stops at an entry that is not an address (a broken
    /// or forged chain): the client is then the last trusted hop, who handed it over. When every
    /// hop is trusted, the leftmost is the best known.
    pub fn client_ip<'a>(&self, peer: IpAddr, forwarded_for: impl IntoIterator<Item = &'a str>) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.contains(peer) {
            return peer;
        }
        let entries: Vec<&str> = forwarded_for.into_iter().flat_map(|value| value.split(',')).collect();
        let mut client = peer;
        for entry in entries.into_iter().rev() {
            let Some(ip) = forwarded_address(entry) else { break };
            client = ip;
            if !self.contains(ip) {
                break;
            }
        }
        client
    }
}

/// One `X-Forwarded-For` entry as an address: `203.0.113.7`, `2001:db8::1`, and the forms some
/// proxies write with a port (`203.0.113.7:4711`, `[2001:db8::1]:4711`).
fn forwarded_address(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    let ip = entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))?;
    Some(ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or_else(|_| panic!("{s} is an address"))
    }

    fn proxies(list: &str) -> TrustedProxies {
        TrustedProxies::parse(list).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_trusted_list_takes_networks_and_single_addresses() {
        let trusted = proxies(" 10.0.0.0/8, 127.0.0.1 ,fd00::/8,192.168.1.77/24,");
        for inside in ["10.1.2.3", "127.0.0.1", "fd12::1", "192.168.1.1", "::ffff:10.9.9.9"] {
            assert!(trusted.contains(ip(inside)), "{inside}");
        }
        for outside in ["11.0.0.1", "127.0.0.2", "fe80::1", "192.168.2.1", "::ffff:11.0.0.1"] {
            assert!(!trusted.contains(ip(outside)), "{outside}");
        }
        assert!(proxies("").is_empty());
        for bad in ["10.0.0.0/33", "localhost", "10.0.0", "*"] {
            assert!(TrustedProxies::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_client_is_the_rightmost_address_not_a_trusted_proxy() {
        let trusted = proxies("10.0.0.0/8,127.0.0.1/32");
        let client = |peer: &str, xff: &[&str]| trusted.client_ip(ip(peer), xff.iter().copied()).to_string();
        let table: &[(&str, &[&str], &str)] = &[
            // Nobody trusted: the socket peer, whatever the header says.
            ("203.0.113.9", &["1.2.3.4"], "203.0.113.9"),
            ("203.0.113.9", &[], "203.0.113.9"),
            // A trusted proxy without a header: the proxy itself.
            ("127.0.0.1", &[], "127.0.0.1"),
            // The proxy appended the client; a forged leftmost entry is never taken.
            ("127.0.0.1", &["6.6.6.6, 198.51.100.7"], "198.51.100.7"),
            ("127.0.0.1", &["6.6.6.6", "198.51.100.7"], "198.51.100.7"),
            // Two trusted hops.
            ("127.0.0.1", &["6.6.6.6, 198.51.100.7, 10.0.0.5"], "198.51.100.7"),
            // Every hop trusted: the leftmost.
            ("10.0.0.1", &["10.0.0.9, 10.0.0.5"], "10.0.0.9"),
            // An entry that is no address stops the walk at the hop that handed it over.
            ("127.0.0.1", &["6.6.6.6, evil, 10.0.0.5"], "10.0.0.5"),
            ("127.0.0.1", &["6.6.6.6, , 10.0.0.5"], "10.0.0.5"),
            ("127.0.0.1", &["unknown"], "127.0.0.1"),
            ("127.0.0.1", &["198.51.100.7\u{0}"], "127.0.0.1"),
            // Ports and IPv6, and IPv4 seen through a dual-stack socket.
            ("127.0.0.1", &["198.51.100.7:4711"], "198.51.100.7"),
            ("127.0.0.1", &["[2001:db8::7]:4711"], "2001:db8::7"),
            ("127.0.0.1", &[" 2001:db8::7 "], "2001:db8::7"),
            ("::ffff:127.0.0.1", &["198.51.100.7"], "198.51.100.7"),
            ("::ffff:203.0.113.9", &["1.2.3.4"], "203.0.113.9"),
        ];
        for (peer, xff, want) in table {
            assert_eq!(client(peer, xff), *want, "peer {peer}, X-Forwarded-For {xff:?}");
        }
        let nobody = TrustedProxies::default();
        assert_eq!(nobody.client_ip(ip("127.0.0.1"), ["1.2.3.4"]).to_string(), "127.0.0.1");
    }
}
