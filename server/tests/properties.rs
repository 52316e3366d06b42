//! Property tests of the client-address rule: whatever `X-Forwarded-For` says, the client is
//! the socket peer unless the peer is a trusted proxy, and then one of the addresses the chain
//! names, never one to the left of an untrusted hop.
use std::net::{IpAddr, Ipv4Addr};

use proptest::prelude::*;
use server::proxy::TrustedProxies;

fn address() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        (any::<u8>(), any::<u8>()).prop_map(|(c, d)| IpAddr::V4(Ipv4Addr::new(10, 0, c, d))),
        (any::<u8>(), any::<u8>()).prop_map(|(c, d)| IpAddr::V4(Ipv4Addr::new(203, 0, c, d))),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn the_client_is_the_peer_or_the_rightmost_untrusted_hop(
        peer in address(),
        chain in prop::collection::vec(address(), 0..6),
        junk in "\\PC{0,30}",
    ) {
        let trusted = TrustedProxies::parse("10.0.0.0/8").expect("list");
        let written: Vec<String> = chain.iter().map(IpAddr::to_string).collect();
        let header = written.join(", ");
        let client = trusted.client_ip(peer, [header.as_str()]);
        if !trusted.contains(peer) {
            prop_assert_eq!(client, peer, "an untrusted peer is the client, whatever it forwards");
        } else {
            let expected = chain.iter().rev().find(|ip| !trusted.contains(**ip)).copied()
                .or_else(|| chain.first().copied())
                .unwrap_or(peer);
            prop_assert_eq!(client, expected);
        }
        // Junk anywhere never panics, and never makes the client an address left of it.
        let with_junk = format!("{junk}, {header}");
        let _ = trusted.client_ip(peer, [with_junk.as_str(), junk.as_str()]);
    }
}
