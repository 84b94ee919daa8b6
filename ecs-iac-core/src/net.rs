//! Network value types: CIDR blocks, Availability Zones, ports.

use ipnet::Ipv4Net;
use std::borrow::Cow;
use std::fmt;

/// An IPv4 CIDR block as written by the user. Parsing never panics: a malformed block is
/// kept as written and reported by validation (`cidr-malformed`) with the resource and field.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cidr {
    raw: String,
    net: Option<Ipv4Net>,
}

/// Why a CIDR string is not a valid IPv4 network.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CidrError {
    /// Not of the form `a.b.c.d/n`.
    #[error("`{0}` is not an IPv4 CIDR block like 10.0.0.0/16")]
    Syntax(String),
    /// Bits are set after the prefix, e.g. `10.0.0.1/16`.
    #[error("`{0}` has host bits set; did you mean `{1}`?")]
    HostBits(String, String),
}

impl Cidr {
    /// Parses a CIDR block, rejecting malformed ones and ones with host bits set.
    pub fn parse(s: &str) -> Result<Cidr, CidrError> {
        let net: Ipv4Net = s.parse().map_err(|_| CidrError::Syntax(s.to_string()))?;
        if net.trunc() != net {
            return Err(CidrError::HostBits(s.to_string(), net.trunc().to_string()));
        }
        Ok(Cidr {
            raw: s.to_string(),
            net: Some(net),
        })
    }

    /// The block of a resource the stack does not own, not known before the lookup: it
    /// overlaps nothing and contains nothing, so validation skips it.
    pub(crate) fn unknown() -> Cidr {
        Cidr {
            raw: String::new(),
            net: None,
        }
    }

    /// The CIDR block exactly as written.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The parsed network, `None` when the block is malformed.
    pub fn net(&self) -> Option<Ipv4Net> {
        self.net
    }

    /// Why the block is invalid, `None` when it is valid.
    pub fn error(&self) -> Option<CidrError> {
        Cidr::parse(&self.raw).err()
    }

    /// Whether this block lies entirely inside `outer`.
    pub fn is_within(&self, outer: &Cidr) -> bool {
        matches!((self.net, outer.net), (Some(i), Some(o)) if o.contains(&i))
    }

    /// Whether the two blocks share at least one address.
    pub fn overlaps(&self, other: &Cidr) -> bool {
        matches!((self.net, other.net), (Some(a), Some(b)) if a.contains(&b.network()) || b.contains(&a.network()))
    }
}

/// A CIDR block from a string; see [`Cidr`] for how malformed input is handled.
pub fn cidr(s: &str) -> Cidr {
    let net = s.parse::<Ipv4Net>().ok().filter(|n| n.trunc() == *n);
    Cidr {
        raw: s.to_string(),
        net,
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// An Availability Zone name such as `us-east-1a`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Az(Cow<'static, str>);

impl Az {
    /// `us-east-1a`.
    pub const US_EAST_1A: Az = Az(Cow::Borrowed("us-east-1a"));
    /// `us-east-1b`.
    pub const US_EAST_1B: Az = Az(Cow::Borrowed("us-east-1b"));
    /// `us-east-1c`.
    pub const US_EAST_1C: Az = Az(Cow::Borrowed("us-east-1c"));
    /// `eu-west-1a`.
    pub const EU_WEST_1A: Az = Az(Cow::Borrowed("eu-west-1a"));
    /// `eu-west-1b`.
    pub const EU_WEST_1B: Az = Az(Cow::Borrowed("eu-west-1b"));

    /// Any zone by name.
    pub fn new(name: impl Into<String>) -> Az {
        Az(Cow::Owned(name.into()))
    }

    /// The zone's name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Az {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A transport protocol for security group rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
    /// ICMP (ports are type and code).
    Icmp,
    /// Every protocol and port (`-1`).
    All,
}

impl Protocol {
    /// The `IpProtocol` value EC2 uses.
    pub fn as_ec2(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Icmp => "icmp",
            Protocol::All => "-1",
        }
    }
}

/// A protocol with a port or an inclusive port range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Port {
    /// The protocol.
    pub protocol: Protocol,
    /// First port of the range.
    pub from: u16,
    /// Last port of the range.
    pub to: u16,
}

impl Port {
    /// One TCP port.
    pub const fn tcp(port: u16) -> Port {
        Port {
            protocol: Protocol::Tcp,
            from: port,
            to: port,
        }
    }

    /// An inclusive TCP port range, e.g. `tcp_range(3000, 4000)`.
    pub const fn tcp_range(from: u16, to: u16) -> Port {
        Port {
            protocol: Protocol::Tcp,
            from,
            to,
        }
    }

    /// One UDP port.
    pub const fn udp(port: u16) -> Port {
        Port {
            protocol: Protocol::Udp,
            from: port,
            to: port,
        }
    }

    /// Every protocol and port.
    pub const fn all() -> Port {
        Port {
            protocol: Protocol::All,
            from: 0,
            to: 65535,
        }
    }

    /// Every TCP port.
    pub const fn all_tcp() -> Port {
        Port {
            protocol: Protocol::Tcp,
            from: 0,
            to: 65535,
        }
    }

    /// Whether this port range contains `port` for TCP traffic.
    pub fn covers_tcp(&self, port: u16) -> bool {
        matches!(self.protocol, Protocol::Tcp | Protocol::All)
            && (self.from..=self.to).contains(&port)
    }

    /// What is wrong with the port, `None` when it is valid.
    pub fn problem(&self) -> Option<String> {
        match self.protocol {
            Protocol::All | Protocol::Icmp => None,
            _ if self.from > self.to => Some(format!(
                "port range {}-{} runs backwards; write {}-{}",
                self.from, self.to, self.to, self.from
            )),
            _ if self.from == 0 && self.to != 65535 => {
                Some("port 0 is not a usable port; use 1-65535".to_string())
            }
            _ => None,
        }
    }
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.protocol {
            Protocol::All => f.write_str("all traffic"),
            p if self.from == self.to => write!(f, "{}/{}", p.as_ec2(), self.from),
            p => write!(f, "{}/{}-{}", p.as_ec2(), self.from, self.to),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_parses_and_relates() {
        let vpc = cidr("10.0.0.0/16");
        assert!(cidr("10.0.3.0/24").is_within(&vpc));
        assert!(!cidr("10.1.0.0/24").is_within(&vpc));
        assert!(cidr("10.0.0.0/23").overlaps(&cidr("10.0.1.0/24")));
        assert!(!cidr("10.0.1.0/24").overlaps(&cidr("10.0.2.0/24")));
        assert!(matches!(
            Cidr::parse("10.0.0.1/16"),
            Err(CidrError::HostBits(_, _))
        ));
        assert!(matches!(
            Cidr::parse("10.0.0/16"),
            Err(CidrError::Syntax(_))
        ));
        assert!(cidr("nonsense").net().is_none());
    }

    #[test]
    fn port_problems() {
        assert_eq!(Port::tcp(443).problem(), None);
        assert!(Port::tcp_range(4000, 3000).problem().is_some());
        assert!(Port::tcp(0).problem().is_some());
        assert_eq!(Port::all().problem(), None);
        assert_eq!(Port::tcp_range(3000, 4000).to_string(), "tcp/3000-4000");
    }
}
