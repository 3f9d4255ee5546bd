//! `cidr`: an IPv4 or IPv6 block, matched against an event's address strings.

use std::fmt;
use std::net::IpAddr;

/// A parsed CIDR block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cidr {
    network: IpAddr,
    length: u8,
    text: String,
}

impl Cidr {
    /// Parses `a.b.c.d/n` or `x:y::z/n`; the error says what is wrong.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let Some((address, length)) = text.split_once('/') else {
            return Err(format!(
                "Invalid CIDR `{text}`: a CIDR block is an address, `/` and a prefix length"
            ));
        };
        let network: IpAddr = address
            .parse()
            .map_err(|_| format!("Invalid CIDR `{text}`: `{address}` is not an IP address"))?;
        let maximum = if network.is_ipv4() { 32 } else { 128 };
        let length: u8 = length
            .parse()
            .ok()
            .filter(|length| *length <= maximum)
            .ok_or_else(|| {
                format!("Invalid CIDR `{text}`: the prefix length must be 0 to {maximum}")
            })?;
        Ok(Self {
            network,
            length,
            text: text.to_owned(),
        })
    }

    /// Whether `value` is an address of this block.
    pub(crate) fn contains(&self, value: &str) -> bool {
        let Ok(address) = value.parse::<IpAddr>() else {
            return false;
        };
        match (self.network, address) {
            (IpAddr::V4(network), IpAddr::V4(address)) => {
                let mask = mask32(self.length);
                u32::from(network) & mask == u32::from(address) & mask
            }
            (IpAddr::V6(network), IpAddr::V6(address)) => {
                let mask = mask128(self.length);
                u128::from(network) & mask == u128::from(address) & mask
            }
            _ => false,
        }
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.text)
    }
}

fn mask32(length: u8) -> u32 {
    u32::MAX.checked_shl(32 - u32::from(length)).unwrap_or(0)
}

fn mask128(length: u8) -> u128 {
    u128::MAX.checked_shl(128 - u32::from(length)).unwrap_or(0)
}

/// Whether two strings are the same IP address written differently (AWS compares address
/// values as addresses: `::1` is `0:0:0:0:0:0:0:1`).
pub(crate) fn same_address(left: &str, right: &str) -> bool {
    match (left.parse::<IpAddr>(), right.parse::<IpAddr>()) {
        (Ok(left), Ok(right)) => left == right,
        _ => false,
    }
}
