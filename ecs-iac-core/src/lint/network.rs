//! Network checks: security group ingress and egress rules, and subnets that give
//! out public addresses.

use super::{LintRule, Lx};
use crate::net::{Port, Protocol};
use crate::requests::ec2::{
    IpPermission, IpPermissionFields, IpRange, Ipv6Range, ModifySubnetAttribute,
    SecurityGroupRules, UserIdGroupPair,
};
use crate::resources::*;
use std::collections::BTreeMap;

impl Lx<'_> {
    pub(super) fn security_group(&mut self, sg: &SecurityGroup) {
        let on_lb = self.facts.lb_groups.contains(&self.index);
        let guards = self
            .facts
            .data_groups
            .get(&self.index)
            .cloned()
            .unwrap_or_default();
        for (i, rule) in sg.ingress.iter().enumerate() {
            let (range, description) = match &rule.peer {
                Peer::Ipv4(_) => (RULE.ip_ranges, IpRange::FIELD.description),
                Peer::Ipv6(_) => (RULE.ipv6_ranges, Ipv6Range::FIELD.description),
                Peer::Group(_) | Peer::Itself => {
                    (RULE.user_id_group_pairs, UserIdGroupPair::FIELD.description)
                }
            };
            if rule
                .description
                .as_deref()
                .is_none_or(|d| d.trim().is_empty())
            {
                self.emit(
                    LintRule::SgRuleNoDescription,
                    "ingress",
                    format!("{PERMISSIONS}[{i}].{range}[0].{description}"),
                    format!("ingress rule {i} ({}) has no description", rule.port),
                );
            }
            let Some((field, anywhere)) = open_to_world(&rule.peer) else {
                continue;
            };
            let path = format!("{PERMISSIONS}[{i}].{range}[0].{field}");
            // Exposed ports by number: the guarded stores first, then well-known ports,
            // then the ports of the stack's other databases and caches.
            let mut exposed: BTreeMap<u16, String> = BTreeMap::new();
            for (name, port) in &guards {
                if rule.port.covers(*port) {
                    exposed
                        .entry(*port)
                        .or_insert_with(|| format!("{port} (guards `{name}`)"));
                }
            }
            for (port, what) in SENSITIVE_PORTS {
                if rule.port.covers(*port) {
                    exposed
                        .entry(*port)
                        .or_insert_with(|| format!("{port} ({what})"));
                }
            }
            for (port, what) in &self.facts.data_ports {
                if rule.port.covers(*port) {
                    exposed
                        .entry(*port)
                        .or_insert_with(|| format!("{port} ({what})"));
                }
            }
            let mut exposed: Vec<String> = exposed.into_values().collect();
            if let (true, Some((name, _))) = (exposed.is_empty(), guards.first()) {
                if rule.port.protocol != Protocol::Icmp {
                    exposed.push(format!("a group guarding `{name}`"));
                }
            }
            if !exposed.is_empty() {
                let more = if exposed.len() > 4 {
                    format!(" and {} more", exposed.len() - 4)
                } else {
                    String::new()
                };
                exposed.truncate(4);
                self.emit(
                    LintRule::SgOpenIngressSensitivePort,
                    "ingress",
                    path,
                    format!(
                        "{} is open to {anywhere}, exposing {}{more}",
                        rule.port,
                        exposed.join(", ")
                    ),
                );
            } else if !(on_lb && is_web_port(&rule.port)) {
                let context = if on_lb {
                    "; a load balancer's group should be open to the internet on 80/443 only"
                } else {
                    ""
                };
                self.emit(
                    LintRule::SgOpenIngress,
                    "ingress",
                    path,
                    format!("{} is open to {anywhere}{context}", rule.port),
                );
            }
        }
        if !sg.restrict_egress {
            self.emit(
                LintRule::SgEgressAll,
                "",
                "IpPermissionsEgress",
                "AWS's default egress rule (all traffic to 0.0.0.0/0) is kept".into(),
            );
        }
        for (i, rule) in sg.egress.iter().enumerate() {
            if let Some((field, anywhere)) = open_to_world(&rule.peer) {
                if rule.port.protocol == Protocol::All
                    || (rule.port.from == 0 && rule.port.to == 65535)
                {
                    let range = if field == IpRange::FIELD.cidr_ip {
                        RULE.ip_ranges
                    } else {
                        RULE.ipv6_ranges
                    };
                    self.emit(
                        LintRule::SgEgressAll,
                        "egress",
                        format!("{PERMISSIONS}[{i}].{range}[0].{field}"),
                        format!("egress rule {i} allows {} to {anywhere}", rule.port),
                    );
                }
            }
        }
    }

    /// A subnet that maps public IPs on launch.
    pub(super) fn subnet_public_ip(&mut self) {
        self.emit(
            LintRule::SubnetPublicIpOnLaunch,
            "map-public-ip",
            format!(
                "{}.{}",
                ModifySubnetAttribute::FIELD.map_public_ip_on_launch,
                crate::requests::ec2::AttributeBooleanValue::FIELD.value
            ),
            "every network interface launched in this subnet gets a public IPv4 address".into(),
        );
    }
}

/// The rules of a security group's ingress and egress requests.
const PERMISSIONS: &str = SecurityGroupRules::FIELD.ip_permissions;
/// The AWS names of a security group rule's fields.
const RULE: IpPermissionFields = IpPermission::FIELD;

/// Well-known ports that must never be open to the internet.
const SENSITIVE_PORTS: &[(u16, &str)] = &[
    (20, "FTP data"),
    (21, "FTP"),
    (22, "SSH"),
    (23, "Telnet"),
    (445, "SMB"),
    (1433, "SQL Server"),
    (1521, "Oracle"),
    (2049, "NFS"),
    (2375, "Docker API"),
    (2376, "Docker API"),
    (2379, "etcd"),
    (3306, "MySQL/MariaDB"),
    (3389, "RDP"),
    (5432, "PostgreSQL"),
    (5601, "Kibana"),
    (5672, "AMQP"),
    (5900, "VNC"),
    (5984, "CouchDB"),
    (6379, "Redis/Valkey"),
    (9042, "Cassandra"),
    (9092, "Kafka"),
    (9200, "Elasticsearch"),
    (9300, "Elasticsearch"),
    (11211, "Memcached"),
    (27017, "MongoDB"),
    (27018, "MongoDB"),
    (27019, "MongoDB"),
];

/// The range field and a description, when the peer is the whole internet.
fn open_to_world(peer: &Peer) -> Option<(&'static str, &'static str)> {
    match peer {
        Peer::Ipv4(block) if block.net().is_some_and(|n| n.prefix_len() == 0) => {
            Some((IpRange::FIELD.cidr_ip, "0.0.0.0/0"))
        }
        Peer::Ipv6(block) if block.trim().ends_with("/0") => {
            Some((Ipv6Range::FIELD.cidr_ipv6, "::/0"))
        }
        _ => None,
    }
}

fn is_web_port(port: &Port) -> bool {
    port.protocol == Protocol::Tcp && port.from == port.to && (port.from == 80 || port.from == 443)
}

trait Covers {
    fn covers(&self, port: u16) -> bool;
}

impl Covers for Port {
    /// TCP or UDP traffic to `port` is allowed by this rule.
    fn covers(&self, port: u16) -> bool {
        match self.protocol {
            Protocol::All => true,
            Protocol::Tcp | Protocol::Udp => (self.from..=self.to).contains(&port),
            Protocol::Icmp => false,
        }
    }
}
