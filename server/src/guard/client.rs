//! Who a request comes from, as every limit counts it: the TCP peer's address, or, only when
//! that peer is a proxy listed in `TRUSTED_PROXIES`, the last `X-Forwarded-For` entry (across
//! every such header line: the one the trusted proxy appended). A header from anyone else is
//! ignored, so a client cannot pick its own identity.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;

/// The client a request comes from, as an extractor (for any state that knows the trusted
/// proxies).
pub struct Client(pub IpAddr);

impl<S> FromRequestParts<S> for Client
where
    S: Send + Sync,
    ClientAddress: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Client(client_of(parts, &ClientAddress::from_ref(state))))
    }
}

#[derive(Clone, Debug, Default)]
pub struct ClientAddress {
    trusted_proxies: Arc<[IpAddr]>,
}

impl ClientAddress {
    pub fn new(trusted_proxies: Vec<IpAddr>) -> Self {
        ClientAddress {
            trusted_proxies: trusted_proxies.into(),
        }
    }

    pub fn of(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = unmapped(peer);
        if !self.trusted_proxies.contains(&peer) {
            return canonical(peer);
        }
        headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|line| line.to_str().ok())
            .flat_map(|line| line.split(','))
            .next_back()
            .and_then(|last| last.trim().parse().ok())
            .map_or(canonical(peer), canonical)
    }

    /// Whether the request came through a trusted proxy (whose `X-Forwarded-Proto` counts).
    pub fn via_trusted_proxy(&self, peer: IpAddr) -> bool {
        self.trusted_proxies.contains(&unmapped(peer))
    }
}

/// An IPv4 address seen through an IPv6 socket (`::ffff:1.2.3.4`) is that IPv4 address.
fn unmapped(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

/// The client an address stands for: an IPv4 address as it is; an IPv6 address by its /64
/// network, the block one subscriber is given, in which it may pick any of 2^64 addresses.
fn canonical(address: IpAddr) -> IpAddr {
    match unmapped(address) {
        IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & !(u64::MAX as u128)).into()),
        v4 => v4,
    }
}

/// The client of a request whose parts are at hand.
pub fn client_of(parts: &Parts, clients: &ClientAddress) -> IpAddr {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([127, 0, 0, 1]), |ConnectInfo(peer)| peer.ip());
    clients.of(peer, &parts.headers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn forwarded(lines: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for line in lines {
            headers.append("x-forwarded-for", HeaderValue::from_str(line).unwrap());
        }
        headers
    }

    #[test]
    fn only_a_trusted_proxy_names_the_client() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let clients = ClientAddress::new(vec![proxy]);
        let headers = forwarded(&["203.0.113.9, 198.51.100.4", "192.0.2.77"]);
        assert_eq!(
            clients.of(proxy, &headers),
            "192.0.2.77".parse::<IpAddr>().unwrap(),
            "last entry of all lines"
        );
        let stranger: IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(
            clients.of(stranger, &headers),
            stranger,
            "loopback is not trusted by default"
        );
        assert_eq!(clients.of(proxy, &forwarded(&["nonsense"])), proxy);
        assert_eq!(ClientAddress::default().of(proxy, &headers), proxy);
    }

    #[test]
    fn an_ipv6_client_is_its_64_network() {
        let clients = ClientAddress::default();
        let none = HeaderMap::new();
        let one: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let same: IpAddr = "2001:db8:1:2:ffff:aaaa:1234:5678".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(clients.of(one, &none), clients.of(same, &none));
        assert_ne!(clients.of(one, &none), clients.of(other, &none));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(
            clients.of(mapped, &none),
            "192.0.2.7".parse::<IpAddr>().unwrap()
        );
    }
}
