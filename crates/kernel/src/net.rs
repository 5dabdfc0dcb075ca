//! Who is on the other end of a request. Behind a reverse proxy every connection comes from the
//! proxy, so the client's address is in `X-Forwarded-For`; but anyone can send that header, so it
//! is believed only when the direct peer is a proxy the operator listed as trusted, and only as
//! far as the chain of trusted proxies reaches.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// An address or a block of addresses: `127.0.0.1`, `10.0.0.0/8`, `::1`, `fd00::/8`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "String")]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    /// Whether `ip` lies in this block. An IPv4 address written as IPv6 (`::ffff:10.0.0.1`, as a
    /// dual-stack socket reports it) counts as the IPv4 address.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for IpNet {
    type Err = String;

    fn from_str(s: &str) -> Result<IpNet, String> {
        let s = s.trim();
        let bad = || format!("{s:?} is not an address or a block such as 10.0.0.0/8");
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().map_err(|_| bad())?)),
            None => (s, None),
        };
        let addr = IpAddr::from_str(addr).map_err(|_| bad())?.to_canonical();
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        if prefix > max {
            return Err(bad());
        }
        Ok(IpNet { addr, prefix })
    }
}

impl TryFrom<String> for IpNet {
    type Error = String;

    fn try_from(s: String) -> Result<IpNet, String> {
        s.parse()
    }
}

impl fmt::Display for IpNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// One entry of `X-Forwarded-For`: a bare address, or one with a port (`1.2.3.4:5`, `[::1]:5`).
fn parse_forwarded(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    IpAddr::from_str(entry)
        .ok()
        .or_else(|| std::net::SocketAddr::from_str(entry).ok().map(|a| a.ip()))
        .map(|ip| ip.to_canonical())
}

/// The client's address: the peer's, unless the peer is a trusted proxy, in which case the
/// right-most address of `X-Forwarded-For` that is not itself a trusted proxy. Each proxy appends
/// the address it saw, so entries to the right were written by proxies we trust and anything left
/// of the first untrusted one may be made up by the client. `forwarded` is every value of the
/// header, in order. `None` when the peer is unknown (a request driven in-process).
pub fn client_address<'a>(
    peer: Option<IpAddr>,
    forwarded: impl IntoIterator<Item = &'a str>,
    trusted: &[IpNet],
) -> Option<IpAddr> {
    let mut client = peer?.to_canonical();
    if !trusted.iter().any(|t| t.contains(client)) {
        return Some(client);
    }
    let entries: Vec<&str> = forwarded.into_iter().flat_map(|v| v.split(',')).collect();
    for entry in entries.iter().rev() {
        // An entry that does not parse cannot have been written by a proxy we trust: stop at the
        // last address a trusted proxy vouched for.
        let Some(ip) = parse_forwarded(entry) else {
            break;
        };
        client = ip;
        if !trusted.iter().any(|t| t.contains(ip)) {
            break;
        }
    }
    Some(client)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn blocks_contain_their_addresses_and_no_others() {
        let n: IpNet = "10.1.0.0/16".parse().unwrap();
        assert!(n.contains("10.1.200.3".parse().unwrap()));
        assert!(!n.contains("10.2.0.1".parse().unwrap()));
        assert!(n.contains("::ffff:10.1.0.9".parse().unwrap()));
        let one: IpNet = "127.0.0.1".parse().unwrap();
        assert!(one.contains("127.0.0.1".parse().unwrap()));
        assert!(!one.contains("127.0.0.2".parse().unwrap()));
        let all: IpNet = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("8.8.8.8".parse().unwrap()));
        let v6: IpNet = "fd00::/8".parse().unwrap();
        assert!(v6.contains("fd12::1".parse().unwrap()));
        assert!(!v6.contains("10.0.0.1".parse().unwrap()));
        for bad in ["", "localhost", "10.0.0.0/33", "::/129", "1.2.3.4/x"] {
            assert!(bad.parse::<IpNet>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_header_of_an_untrusted_peer_is_ignored() {
        let t = nets(&["127.0.0.1"]);
        assert_eq!(client_address(ip("203.0.113.9"), ["1.1.1.1"], &t), ip("203.0.113.9"));
        assert_eq!(client_address(ip("127.0.0.1"), [], &[]), ip("127.0.0.1"));
        assert_eq!(client_address(None, ["1.1.1.1"], &t), None);
    }

    #[test]
    fn behind_trusted_proxies_the_right_most_untrusted_address_is_the_client() {
        let t = nets(&["127.0.0.1", "10.0.0.0/8"]);
        // The client claims to be 6.6.6.6; the proxy appended what it saw.
        assert_eq!(
            client_address(ip("127.0.0.1"), ["6.6.6.6, 198.51.100.7"], &t),
            ip("198.51.100.7")
        );
        // Two proxies, the header split over two lines.
        assert_eq!(
            client_address(ip("127.0.0.1"), ["198.51.100.7", "10.0.0.5"], &t),
            ip("198.51.100.7")
        );
        // With a port, and garbage the client wrote before a made-up trusted address.
        assert_eq!(
            client_address(ip("127.0.0.1"), ["nonsense, 10.0.0.3, 198.51.100.7:4711"], &t),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_address(ip("127.0.0.1"), ["nonsense, 10.0.0.3"], &t),
            ip("10.0.0.3")
        );
        // A trusted peer that forwarded nothing is itself the client.
        assert_eq!(client_address(ip("127.0.0.1"), [], &t), ip("127.0.0.1"));
    }
}
