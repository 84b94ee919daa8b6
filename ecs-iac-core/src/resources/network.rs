//! VPC networking: VPC, subnets, gateways, route tables and security groups.
//!
//! Why this room is long (about 1,100 lines): the VPC builders validate against each other
//! (subnet CIDRs inside the VPC, routes to gateways of the same VPC, security group rules
//! naming peers of the same stack), so VPC, subnets, gateways, route tables and security
//! groups share helpers that would otherwise cross files.

use super::lookup::Lookup;
use crate::diagnostic::Rule;
use crate::kind::Kind;
use crate::limits::{self, NameRule};
use crate::lower::{tag_setter, Cx, ResourceSpec};
use crate::net::{Az, Cidr, Port, Protocol};
use crate::requests::ec2::{
    AllocateAddress, AssociateRouteTable, AttachInternetGateway, AttributeBooleanValue,
    CreateInternetGateway, CreateNatGateway, CreateRoute, CreateRouteFields, CreateRouteTable,
    CreateSecurityGroup, CreateSubnet, CreateVpc, DescribeSecurityGroups, DescribeSubnets,
    DescribeVpcs, IpPermission, IpPermissionFields, IpRange, Ipv6Range, ModifySubnetAttribute,
    ModifyVpcAttribute, SecurityGroupRules, UserIdGroupPair,
};
use crate::stack::{Meta, Ref};

/// The AWS names of a route's request fields.
const ROUTE: CreateRouteFields = CreateRoute::FIELD;
/// The AWS names of a security group rule's fields.
const RULE: IpPermissionFields = IpPermission::FIELD;

/// A VPC. DNS support is on (AWS's default); DNS hostnames are off unless enabled.
#[derive(Debug, Clone)]
pub struct Vpc {
    pub(crate) meta: Meta,
    pub(crate) cidr: Cidr,
    pub(crate) dns_support: bool,
    pub(crate) dns_hostnames: bool,
    /// Set for a VPC the stack does not own.
    pub(crate) existing: Option<Lookup>,
}

impl Vpc {
    /// A VPC with its IPv4 CIDR block (between /16 and /28).
    pub fn new(name: impl Into<String>, cidr: Cidr) -> Vpc {
        Vpc {
            meta: Meta::new(name),
            cidr,
            dns_support: true,
            dns_hostnames: false,
            existing: None,
        }
    }

    /// A VPC the stack does not own (`data "aws_vpc"` in Terraform), found by
    /// `lookup` when planning against the account and before every apply; never changed,
    /// and forgotten by `destroy`. Its reference is used like an owned VPC's (subnets,
    /// security groups, target groups in it). Its CIDR block is not known to validation.
    pub fn existing(name: impl Into<String>, lookup: Lookup) -> Vpc {
        Vpc {
            existing: Some(lookup),
            ..Vpc::new(name, Cidr::unknown())
        }
    }

    /// Whether instances get public DNS hostnames (needed for some VPC endpoints).
    #[must_use]
    pub fn dns_hostnames(mut self, enabled: bool) -> Vpc {
        self.dns_hostnames = enabled;
        self
    }

    /// Whether the Amazon DNS server resolves names in the VPC.
    #[must_use]
    pub fn dns_support(mut self, enabled: bool) -> Vpc {
        self.dns_support = enabled;
        self
    }

    /// The VPC's CIDR block.
    pub fn cidr(&self) -> &Cidr {
        &self.cidr
    }
}

/// `{"Value": value}`.
fn flag(value: bool) -> AttributeBooleanValue {
    AttributeBooleanValue { value: Some(value) }
}

fn check_cidr(cx: &mut Cx<'_>, path: &str, cidr: &Cidr) {
    if let Some(err) = cidr.error() {
        cx.error(Rule::CidrMalformed, path, err.to_string());
    } else if let Some(net) = cidr.net() {
        if !(16..=28).contains(&net.prefix_len()) {
            cx.error(
                Rule::CidrSize,
                path,
                format!(
                    "`{cidr}` is a /{}; VPC and subnet blocks must be between /16 and /28",
                    net.prefix_len()
                ),
            );
        }
    }
}

impl ResourceSpec for Vpc {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn validate(&self, cx: &mut Cx<'_>) {
        if self.existing.is_none() {
            check_cidr(cx, CreateVpc::FIELD.cidr_block, &self.cidr);
        } else if !self.dns_support || self.dns_hostnames {
            cx.error(
                Rule::ExistingResource,
                ModifyVpcAttribute::FIELD.enable_dns_hostnames,
                format!("`{}` is a VPC the stack does not own: its DNS settings are not the stack's to change", self.meta.name),
            );
        }
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        if let Some(lookup) = &self.existing {
            let n = cx.node("", Kind::EXISTING_VPC);
            let request = DescribeVpcs {
                vpc_ids: lookup.ids(),
                filters: lookup.filters(&[]),
            };
            cx.push_request(n, request);
            return;
        }
        let n = cx.node("", Kind::VPC);
        let request = CreateVpc {
            cidr_block: Some(self.cidr.as_str().to_string()),
        };
        cx.push_request(n, request);
        let vpc_id = crate::lower::placeholder(&self.meta.name, "id");
        if !self.dns_support {
            let n = cx.node("dns-support", Kind::VPC_ATTRIBUTE);
            let request = ModifyVpcAttribute {
                vpc_id: Some(vpc_id.clone()),
                enable_dns_support: Some(flag(false)),
                ..ModifyVpcAttribute::default()
            };
            cx.push_request(n, request);
        }
        if self.dns_hostnames {
            let n = cx.node("dns-hostnames", Kind::VPC_ATTRIBUTE);
            let request = ModifyVpcAttribute {
                vpc_id: Some(vpc_id),
                enable_dns_hostnames: Some(flag(true)),
                ..ModifyVpcAttribute::default()
            };
            cx.push_request(n, request);
        }
    }
}

/// How a subnet reaches the internet. Informational: routing comes from route tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubnetTier {
    /// Routes to an internet gateway (load balancers, NAT gateways).
    Public,
    /// Routes out through a NAT gateway (application tasks).
    Private,
    /// No route to the internet (databases, caches).
    Isolated,
}

impl SubnetTier {
    fn as_str(self) -> &'static str {
        match self {
            SubnetTier::Public => "public",
            SubnetTier::Private => "private",
            SubnetTier::Isolated => "isolated",
        }
    }
}

/// A subnet in one Availability Zone.
#[derive(Debug, Clone)]
pub struct Subnet {
    pub(crate) meta: Meta,
    pub(crate) vpc: Ref<Vpc>,
    pub(crate) cidr: Cidr,
    pub(crate) az: Az,
    pub(crate) tier: SubnetTier,
    pub(crate) map_public_ip: bool,
    /// Set for a subnet the stack does not own.
    pub(crate) existing: Option<Lookup>,
}

impl Subnet {
    /// A subnet of `vpc` with its CIDR block, zone and tier.
    pub fn new(
        name: impl Into<String>,
        vpc: &Ref<Vpc>,
        cidr: Cidr,
        az: Az,
        tier: SubnetTier,
    ) -> Subnet {
        let mut meta = Meta::new(name);
        meta.tags
            .insert("ecs-iac:tier".to_string(), tier.as_str().to_string());
        Subnet {
            meta,
            vpc: vpc.clone(),
            cidr,
            az,
            tier,
            map_public_ip: false,
            existing: None,
        }
    }

    /// A subnet of `vpc` the stack does not own, in zone `az`, found by `lookup` (a
    /// tag lookup is limited to `vpc`); never changed, forgotten by `destroy`. Its
    /// reference goes wherever an owned subnet's does (services, load balancers, subnet
    /// groups, route table associations). `az` is what validation checks multi-AZ
    /// placements with; the lookup fails when AWS reports another zone. It counts as a
    /// private subnet for lint.
    pub fn existing(name: impl Into<String>, vpc: &Ref<Vpc>, az: Az, lookup: Lookup) -> Subnet {
        let mut subnet = Subnet::new(name, vpc, Cidr::unknown(), az, SubnetTier::Private);
        subnet.meta.tags.clear();
        subnet.existing = Some(lookup);
        subnet
    }

    /// One existing subnet per zone of `zones`, each found by `lookup` in `vpc` and that
    /// zone: e.g. the private subnets of a shared VPC, `Lookup::tag("Tier", "private")`.
    /// Each is named `NAME-ZONE` (`private-us-east-1a`) and must match exactly one subnet.
    ///
    /// ```
    /// use ecs_iac_core::prelude::*;
    /// let mut stack = Stack::new("app").region("us-east-1");
    /// let vpc = stack.add(Vpc::existing("shared", Lookup::tag("Name", "shared")));
    /// let private: Vec<_> = Subnet::existing_in_zones(
    ///     "private",
    ///     &vpc,
    ///     [Az::US_EAST_1A, Az::US_EAST_1B],
    ///     Lookup::tag("Tier", "private"),
    /// )
    /// .into_iter()
    /// .map(|s| stack.add(s))
    /// .collect();
    /// assert_eq!(private[1].name(), "private-us-east-1b");
    /// ```
    pub fn existing_in_zones(
        name: &str,
        vpc: &Ref<Vpc>,
        zones: impl IntoIterator<Item = Az>,
        lookup: Lookup,
    ) -> Vec<Subnet> {
        zones
            .into_iter()
            .map(|az| Subnet::existing(format!("{name}-{az}"), vpc, az, lookup.clone()))
            .collect()
    }

    /// A public-tier subnet.
    pub fn public(name: impl Into<String>, vpc: &Ref<Vpc>, cidr: Cidr, az: Az) -> Subnet {
        Subnet::new(name, vpc, cidr, az, SubnetTier::Public)
    }

    /// A private-tier subnet (egress through NAT).
    pub fn private(name: impl Into<String>, vpc: &Ref<Vpc>, cidr: Cidr, az: Az) -> Subnet {
        Subnet::new(name, vpc, cidr, az, SubnetTier::Private)
    }

    /// An isolated-tier subnet (no internet route).
    pub fn isolated(name: impl Into<String>, vpc: &Ref<Vpc>, cidr: Cidr, az: Az) -> Subnet {
        Subnet::new(name, vpc, cidr, az, SubnetTier::Isolated)
    }

    /// Whether instances launched here get a public IPv4 address (off by default).
    #[must_use]
    pub fn map_public_ip(mut self, enabled: bool) -> Subnet {
        self.map_public_ip = enabled;
        self
    }

    /// The subnet's zone.
    pub fn az(&self) -> &Az {
        &self.az
    }

    /// The subnet's tier.
    pub fn tier(&self) -> SubnetTier {
        self.tier
    }

    /// The subnet's VPC.
    pub fn vpc(&self) -> &Ref<Vpc> {
        &self.vpc
    }
}

impl ResourceSpec for Subnet {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn validate(&self, cx: &mut Cx<'_>) {
        if self.existing.is_some() {
            if self.map_public_ip {
                cx.error(
                    Rule::ExistingResource,
                    ModifySubnetAttribute::FIELD.map_public_ip_on_launch,
                    format!("`{}` is a subnet the stack does not own: its public IP setting is not the stack's to change", self.meta.name),
                );
            }
            return;
        }
        check_cidr(cx, CreateSubnet::FIELD.cidr_block, &self.cidr);
        let Some(vpc) = cx.get(&self.vpc) else { return };
        if self.cidr.net().is_some() && vpc.cidr.net().is_some() && !self.cidr.is_within(&vpc.cidr)
        {
            cx.error(
                Rule::SubnetOutsideVpc,
                CreateSubnet::FIELD.cidr_block,
                format!(
                    "`{}` is not inside VPC `{}` ({})",
                    self.cidr,
                    self.vpc.name(),
                    vpc.cidr
                ),
            );
        }
        // Overlaps with subnets added earlier in the same VPC.
        let mut overlaps = Vec::new();
        for other in cx.stack.resources() {
            let crate::stack::AnyResource::Subnet(other) = other else {
                continue;
            };
            if other.meta.name == self.meta.name {
                break;
            }
            if other.vpc == self.vpc && other.cidr.overlaps(&self.cidr) {
                overlaps.push(format!("`{}` ({})", other.meta.name, other.cidr));
            }
        }
        if !overlaps.is_empty() {
            cx.error(
                Rule::CidrOverlap,
                CreateSubnet::FIELD.cidr_block,
                format!(
                    "`{}` overlaps subnet {} in the same VPC",
                    self.cidr,
                    overlaps.join(", ")
                ),
            );
        }
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        if let Some(lookup) = &self.existing {
            let mut n = cx.node("", Kind::EXISTING_SUBNET);
            let vpc_id = n.attr(DescribeSubnets::FIELD.filters, &self.vpc, "id");
            let scope = [
                ("vpc-id", vpc_id),
                ("availability-zone", self.az.as_str().to_string()),
            ];
            let request = DescribeSubnets {
                subnet_ids: lookup.ids(),
                filters: lookup.filters(&scope),
            };
            cx.push_request(n, request);
            return;
        }
        let mut n = cx.node("", Kind::SUBNET);
        let vpc_id = n.attr(CreateSubnet::FIELD.vpc_id, &self.vpc, "id");
        let request = CreateSubnet {
            vpc_id: Some(vpc_id),
            cidr_block: Some(self.cidr.as_str().to_string()),
            availability_zone: Some(self.az.as_str().to_string()),
        };
        cx.push_request(n, request);
        if self.map_public_ip {
            let n = cx.node("map-public-ip", Kind::SUBNET_ATTRIBUTE);
            let request = ModifySubnetAttribute {
                subnet_id: Some(crate::lower::placeholder(&self.meta.name, "id")),
                map_public_ip_on_launch: Some(flag(true)),
            };
            cx.push_request(n, request);
        }
    }
}

/// An internet gateway, attached to its VPC.
#[derive(Debug, Clone)]
pub struct InternetGateway {
    pub(crate) meta: Meta,
    pub(crate) vpc: Ref<Vpc>,
}

impl InternetGateway {
    /// An internet gateway attached to `vpc`.
    pub fn new(name: impl Into<String>, vpc: &Ref<Vpc>) -> InternetGateway {
        InternetGateway {
            meta: Meta::new(name),
            vpc: vpc.clone(),
        }
    }

    /// The address of the attachment node, which routes and NAT gateways wait for.
    pub(crate) fn attachment_address(name: &str) -> String {
        format!("{name}#attachment")
    }
}

impl ResourceSpec for InternetGateway {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn validate(&self, _cx: &mut Cx<'_>) {}

    fn lower(&self, cx: &mut Cx<'_>) {
        let n = cx.node("", Kind::INTERNET_GATEWAY);
        cx.push_request(n, CreateInternetGateway {});
        let mut n = cx.node("attachment", Kind::INTERNET_GATEWAY_ATTACHMENT);
        let vpc_id = n.attr(AttachInternetGateway::FIELD.vpc_id, &self.vpc, "id");
        let request = AttachInternetGateway {
            internet_gateway_id: Some(crate::lower::placeholder(&self.meta.name, "id")),
            vpc_id: Some(vpc_id),
        };
        cx.push_request(n, request);
    }
}

/// An Elastic IP address (for a NAT gateway).
#[derive(Debug, Clone)]
pub struct ElasticIp {
    pub(crate) meta: Meta,
}

impl ElasticIp {
    /// A VPC Elastic IP address.
    pub fn new(name: impl Into<String>) -> ElasticIp {
        ElasticIp {
            meta: Meta::new(name),
        }
    }
}

impl ResourceSpec for ElasticIp {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn validate(&self, _cx: &mut Cx<'_>) {}

    fn lower(&self, cx: &mut Cx<'_>) {
        let n = cx.node("", Kind::ELASTIC_IP);
        let request = AllocateAddress {
            domain: Some("vpc".to_string()),
        };
        cx.push_request(n, request);
    }
}

/// A public NAT gateway in a public subnet, using an Elastic IP.
#[derive(Debug, Clone)]
pub struct NatGateway {
    pub(crate) meta: Meta,
    pub(crate) subnet: Ref<Subnet>,
    pub(crate) eip: Ref<ElasticIp>,
}

impl NatGateway {
    /// A public NAT gateway. It is created after its VPC's internet gateway is attached,
    /// which AWS requires.
    pub fn public(
        name: impl Into<String>,
        subnet: &Ref<Subnet>,
        eip: &Ref<ElasticIp>,
    ) -> NatGateway {
        NatGateway {
            meta: Meta::new(name),
            subnet: subnet.clone(),
            eip: eip.clone(),
        }
    }
}

impl ResourceSpec for NatGateway {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn validate(&self, _cx: &mut Cx<'_>) {}

    fn lower(&self, cx: &mut Cx<'_>) {
        let mut n = cx.node("", Kind::NAT_GATEWAY);
        let subnet_id = n.attr(CreateNatGateway::FIELD.subnet_id, &self.subnet, "id");
        let allocation_id = n.attr(
            CreateNatGateway::FIELD.allocation_id,
            &self.eip,
            "allocation_id",
        );
        // AWS refuses a public NAT gateway in a VPC without an attached internet gateway.
        if let Some(subnet) = cx.get(&self.subnet) {
            for attachment in cx
                .index
                .igw_attachments
                .get(&subnet.vpc.index)
                .into_iter()
                .flatten()
            {
                n.depend_on_node(attachment.clone());
            }
        }
        let request = CreateNatGateway {
            subnet_id: Some(subnet_id),
            allocation_id: Some(allocation_id),
            connectivity_type: Some("public".to_string()),
        };
        cx.push_request(n, request);
    }
}

/// Where a route sends traffic.
#[derive(Debug, Clone)]
pub enum RouteTarget {
    /// To the internet through an internet gateway.
    InternetGateway(Ref<InternetGateway>),
    /// To the internet through a NAT gateway.
    NatGateway(Ref<NatGateway>),
}

impl RouteTarget {
    /// Through an internet gateway.
    pub fn internet_gateway(igw: &Ref<InternetGateway>) -> RouteTarget {
        RouteTarget::InternetGateway(igw.clone())
    }

    /// Through a NAT gateway.
    pub fn nat_gateway(nat: &Ref<NatGateway>) -> RouteTarget {
        RouteTarget::NatGateway(nat.clone())
    }
}

/// A route table with its routes and subnet associations.
#[derive(Debug, Clone)]
pub struct RouteTable {
    pub(crate) meta: Meta,
    pub(crate) vpc: Ref<Vpc>,
    pub(crate) routes: Vec<(Cidr, RouteTarget)>,
    pub(crate) subnets: Vec<Ref<Subnet>>,
}

impl RouteTable {
    /// An empty route table of `vpc` (it has the implicit local route).
    pub fn new(name: impl Into<String>, vpc: &Ref<Vpc>) -> RouteTable {
        RouteTable {
            meta: Meta::new(name),
            vpc: vpc.clone(),
            routes: Vec::new(),
            subnets: Vec::new(),
        }
    }

    /// Adds a route for `destination`.
    #[must_use]
    pub fn route(mut self, destination: Cidr, target: RouteTarget) -> RouteTable {
        self.routes.push((destination, target));
        self
    }

    /// Associates a subnet with this table.
    #[must_use]
    pub fn associate(mut self, subnet: &Ref<Subnet>) -> RouteTable {
        self.subnets.push(subnet.clone());
        self
    }
}

impl ResourceSpec for RouteTable {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn validate(&self, cx: &mut Cx<'_>) {
        let vpc_cidr = cx.get(&self.vpc).map(|v| v.cidr.clone());
        for (i, (destination, target)) in self.routes.iter().enumerate() {
            let path = format!("routes[{i}].{}", ROUTE.destination_cidr_block);
            if let Some(err) = destination.error() {
                cx.error(Rule::CidrMalformed, path, err.to_string());
                continue;
            }
            // AWS creates the local route (the VPC's CIDR) in every table. A route may be
            // more specific than it only towards a NAT gateway (or an appliance), never
            // through an internet gateway, and never for the VPC's whole block.
            let Some(vpc_cidr) = &vpc_cidr else { continue };
            let through_igw = matches!(target, RouteTarget::InternetGateway(_));
            let relation = if destination.as_str() == vpc_cidr.as_str() {
                "is"
            } else if through_igw && destination.is_within(vpc_cidr) {
                "is inside"
            } else {
                continue;
            };
            cx.error(
                Rule::RouteLocal,
                path,
                format!(
                    "{destination} {relation} VPC `{}`'s block {vpc_cidr}, which the local route already covers; route only destinations outside the VPC (see {})",
                    self.vpc.name(),
                    crate::limits::LOCAL_ROUTE
                ),
            );
        }
        for (i, subnet) in self.subnets.iter().enumerate() {
            if let Some(s) = cx.get(subnet) {
                if s.vpc != self.vpc {
                    cx.error(
                        Rule::VpcMismatch,
                        format!("associations[{i}].{}", AssociateRouteTable::FIELD.subnet_id),
                        format!(
                            "subnet `{}` is in VPC `{}`, the route table in `{}`",
                            subnet.name(),
                            s.vpc.name(),
                            self.vpc.name()
                        ),
                    );
                }
            }
        }
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        let mut n = cx.node("", Kind::ROUTE_TABLE);
        let vpc_id = n.attr(CreateRouteTable::FIELD.vpc_id, &self.vpc, "id");
        let request = CreateRouteTable {
            vpc_id: Some(vpc_id),
        };
        cx.push_request(n, request);
        let table_id = crate::lower::placeholder(&self.meta.name, "id");
        for (i, (destination, target)) in self.routes.iter().enumerate() {
            let mut n = cx.node(&format!("route:{destination}"), Kind::ROUTE);
            let mut request = CreateRoute {
                route_table_id: Some(table_id.clone()),
                destination_cidr_block: Some(destination.as_str().to_string()),
                ..CreateRoute::default()
            };
            match target {
                RouteTarget::InternetGateway(igw) => {
                    let path = || format!("routes[{i}].{}", ROUTE.gateway_id);
                    request.gateway_id = Some(n.attr(path, igw, "id"));
                    n.depend_on_node(InternetGateway::attachment_address(igw.name()));
                }
                RouteTarget::NatGateway(nat) => {
                    let path = || format!("routes[{i}].{}", ROUTE.nat_gateway_id);
                    request.nat_gateway_id = Some(n.attr(path, nat, "id"));
                }
            }
            cx.push_request(n, request);
        }
        for (i, subnet) in self.subnets.iter().enumerate() {
            let mut n = cx.node(
                &format!("association:{}", subnet.name()),
                Kind::ROUTE_TABLE_ASSOCIATION,
            );
            let path = || format!("associations[{i}].{}", AssociateRouteTable::FIELD.subnet_id);
            let request = AssociateRouteTable {
                route_table_id: Some(table_id.clone()),
                subnet_id: Some(n.attr(path, subnet, "id")),
            };
            cx.push_request(n, request);
        }
    }
}

/// The other side of a security group rule.
#[derive(Debug, Clone)]
pub enum Peer {
    /// An IPv4 CIDR block.
    Ipv4(Cidr),
    /// An IPv6 CIDR block, e.g. `::/0`.
    Ipv6(String),
    /// Another security group.
    Group(Ref<SecurityGroup>),
    /// The same security group (members talk to each other).
    Itself,
}

impl Peer {
    /// Anywhere on the IPv4 internet (`0.0.0.0/0`).
    pub fn any_ipv4() -> Peer {
        Peer::Ipv4(crate::net::cidr("0.0.0.0/0"))
    }

    /// Anywhere on the IPv6 internet (`::/0`).
    pub fn any_ipv6() -> Peer {
        Peer::Ipv6("::/0".to_string())
    }

    /// An IPv4 CIDR block.
    pub fn cidr(block: Cidr) -> Peer {
        Peer::Ipv4(block)
    }

    /// Members of another security group.
    pub fn group(group: &Ref<SecurityGroup>) -> Peer {
        Peer::Group(group.clone())
    }

    /// Members of the same group.
    pub fn itself() -> Peer {
        Peer::Itself
    }
}

/// One security group rule.
#[derive(Debug, Clone)]
pub struct SecurityGroupRule {
    /// Who may connect (ingress) or be connected to (egress).
    pub peer: Peer,
    /// Protocol and ports.
    pub port: Port,
    /// Optional description.
    pub description: Option<String>,
}

impl SecurityGroupRule {
    /// Whether this rule is exactly `port` with the group `group` as its peer.
    pub(crate) fn is_from_group(&self, group: &Ref<SecurityGroup>, port: &Port) -> bool {
        matches!(&self.peer, Peer::Group(g) if g == group) && self.port == *port
    }
}

/// A security group with typed ingress and egress rules.
///
/// Egress: AWS adds an allow-all egress rule to every new group. It is kept unless
/// egress rules are given or [`SecurityGroup::no_egress`] is called; then it is revoked
/// and only the given rules apply.
#[derive(Debug, Clone)]
pub struct SecurityGroup {
    pub(crate) meta: Meta,
    pub(crate) vpc: Ref<Vpc>,
    pub(crate) group_name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) ingress: Vec<SecurityGroupRule>,
    pub(crate) egress: Vec<SecurityGroupRule>,
    pub(crate) restrict_egress: bool,
    /// Set for a group the stack does not own.
    pub(crate) existing: Option<Lookup>,
}

impl SecurityGroup {
    /// A security group in `vpc`. Its AWS name is the logical name unless set.
    pub fn new(name: impl Into<String>, vpc: &Ref<Vpc>) -> SecurityGroup {
        SecurityGroup {
            meta: Meta::new(name),
            vpc: vpc.clone(),
            group_name: None,
            description: None,
            ingress: Vec::new(),
            egress: Vec::new(),
            restrict_egress: false,
            existing: None,
        }
    }

    /// A security group of `vpc` the stack does not own, found by `lookup`
    /// (`Lookup::id("sg-…")`, or tags, limited to `vpc`); never changed, forgotten by
    /// `destroy`. Use its reference as a peer of the stack's own rules
    /// (`Peer::group(&shared)`), or on services, load balancers, databases. It takes no
    /// rules of its own: adding one is a validation error (the stack would change it).
    pub fn existing(name: impl Into<String>, vpc: &Ref<Vpc>, lookup: Lookup) -> SecurityGroup {
        SecurityGroup {
            existing: Some(lookup),
            ..SecurityGroup::new(name, vpc)
        }
    }

    /// Like [`SecurityGroup::existing`], found by its group name in `vpc`.
    pub fn existing_named(
        name: impl Into<String>,
        vpc: &Ref<Vpc>,
        group_name: impl Into<String>,
    ) -> SecurityGroup {
        let lookup = Lookup::Filter(vec![("group-name".to_string(), group_name.into())]);
        SecurityGroup::existing(name, vpc, lookup)
    }

    /// The AWS group name (defaults to the logical name).
    #[must_use]
    pub fn group_name(mut self, name: impl Into<String>) -> SecurityGroup {
        self.group_name = Some(name.into());
        self
    }

    /// The group description (immutable in AWS).
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> SecurityGroup {
        self.description = Some(description.into());
        self
    }

    /// Allows inbound traffic from `peer` on `port`.
    #[must_use]
    pub fn ingress(mut self, peer: Peer, port: Port) -> SecurityGroup {
        self.ingress.push(SecurityGroupRule {
            peer,
            port,
            description: None,
        });
        self
    }

    /// Allows inbound traffic, with a rule description.
    #[must_use]
    pub fn ingress_described(
        mut self,
        peer: Peer,
        port: Port,
        description: impl Into<String>,
    ) -> SecurityGroup {
        self.ingress.push(SecurityGroupRule {
            peer,
            port,
            description: Some(description.into()),
        });
        self
    }

    /// Allows outbound traffic to `peer` on `port` (replacing the default allow-all).
    #[must_use]
    pub fn egress(mut self, peer: Peer, port: Port) -> SecurityGroup {
        self.egress.push(SecurityGroupRule {
            peer,
            port,
            description: None,
        });
        self.restrict_egress = true;
        self
    }

    /// Allows outbound traffic, with a rule description (replacing the default allow-all).
    #[must_use]
    pub fn egress_described(
        mut self,
        peer: Peer,
        port: Port,
        description: impl Into<String>,
    ) -> SecurityGroup {
        self.egress.push(SecurityGroupRule {
            peer,
            port,
            description: Some(description.into()),
        });
        self.restrict_egress = true;
        self
    }

    /// Allows no outbound traffic at all (revokes the default allow-all rule).
    #[must_use]
    pub fn no_egress(mut self) -> SecurityGroup {
        self.restrict_egress = true;
        self
    }

    /// Inbound rules.
    pub fn ingress_rules(&self) -> &[SecurityGroupRule] {
        &self.ingress
    }

    /// The VPC of the group.
    pub fn vpc(&self) -> &Ref<Vpc> {
        &self.vpc
    }

    fn aws_group_name(&self) -> String {
        self.group_name
            .clone()
            .unwrap_or_else(|| self.meta.name.replace('/', "-"))
    }

    fn check_rules(&self, cx: &mut Cx<'_>, field: &str, rules: &[SecurityGroupRule]) {
        for (i, rule) in rules.iter().enumerate() {
            if let Some(problem) = rule.port.problem() {
                let path = format!("{field}[{i}].{}", RULE.from_port);
                cx.error(Rule::PortRange, path, problem);
            }
            match &rule.peer {
                Peer::Ipv4(block) => {
                    if let Some(err) = block.error() {
                        cx.error(
                            Rule::CidrMalformed,
                            format!(
                                "{field}[{i}].{}[0].{}",
                                RULE.ip_ranges,
                                IpRange::FIELD.cidr_ip
                            ),
                            err.to_string(),
                        );
                    }
                }
                Peer::Group(group) => {
                    if let Some(g) = cx.get(group) {
                        if g.vpc != self.vpc {
                            cx.error(
                                Rule::VpcMismatch,
                                group_pair_path(field, i),
                                format!(
                                    "group `{}` is in VPC `{}`, this group in `{}`",
                                    group.name(),
                                    g.vpc.name(),
                                    self.vpc.name()
                                ),
                            );
                        }
                    }
                }
                Peer::Ipv6(_) | Peer::Itself => {}
            }
        }
    }

    /// Whether an egress rule is AWS's default one for a new group: all traffic to
    /// `0.0.0.0/0` (descriptions aside).
    fn declares_default_egress(&self) -> bool {
        self.egress.iter().any(|rule| {
            rule.port.protocol == Protocol::All
                && matches!(&rule.peer, Peer::Ipv4(block) if block.as_str() == "0.0.0.0/0")
        })
    }

    fn permissions(
        &self,
        n: &mut crate::lower::NodeBuilder<'_>,
        field: &str,
        rules: &[SecurityGroupRule],
    ) -> Vec<IpPermission> {
        let own_id = crate::lower::placeholder(&self.meta.name, "id");
        rules
            .iter()
            .enumerate()
            .map(|(i, rule)| {
                let ports = rule.port.protocol != Protocol::All;
                let mut p = IpPermission {
                    ip_protocol: Some(rule.port.protocol.as_ec2().to_string()),
                    from_port: ports.then_some(i32::from(rule.port.from)),
                    to_port: ports.then_some(i32::from(rule.port.to)),
                    ..IpPermission::default()
                };
                let description = rule.description.clone();
                let pair = |group_id: String| UserIdGroupPair {
                    group_id: Some(group_id),
                    description: description.clone(),
                };
                match &rule.peer {
                    Peer::Ipv4(block) => {
                        p.ip_ranges = Some(vec![IpRange {
                            cidr_ip: Some(block.as_str().to_string()),
                            description: description.clone(),
                        }]);
                    }
                    Peer::Ipv6(block) => {
                        p.ipv6_ranges = Some(vec![Ipv6Range {
                            cidr_ipv6: Some(block.clone()),
                            description: description.clone(),
                        }]);
                    }
                    Peer::Group(group) => {
                        let id = n.attr(|| group_pair_path(field, i), group, "id");
                        p.user_id_group_pairs = Some(vec![pair(id)]);
                    }
                    Peer::Itself => {
                        p.user_id_group_pairs = Some(vec![pair(own_id.clone())]);
                    }
                }
                p
            })
            .collect()
    }
}

/// `ingress[2].UserIdGroupPairs[0].GroupId`: the peer group of rule `i` of `field`.
fn group_pair_path(field: &str, i: usize) -> String {
    format!(
        "{field}[{i}].{}[0].{}",
        RULE.user_id_group_pairs,
        UserIdGroupPair::FIELD.group_id
    )
}

impl ResourceSpec for SecurityGroup {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn aws_name(&self) -> Option<(String, &'static NameRule)> {
        self.existing
            .is_none()
            .then(|| (self.aws_group_name(), &limits::SECURITY_GROUP_NAME))
    }

    fn validate(&self, cx: &mut Cx<'_>) {
        if self.existing.is_some() {
            if !self.ingress.is_empty() || !self.egress.is_empty() || self.restrict_egress {
                cx.error(
                    Rule::ExistingResource,
                    SecurityGroupRules::FIELD.ip_permissions,
                    format!(
                        "`{}` is a security group the stack does not own: it takes no rules (a grant or `.ingress`/`.egress`/`.no_egress` would change it); add the rules to a group of the stack instead",
                        self.meta.name
                    ),
                );
            }
            return;
        }
        if self
            .aws_group_name()
            .to_ascii_lowercase()
            .starts_with("sg-")
        {
            cx.error(
                Rule::AwsName,
                CreateSecurityGroup::FIELD.group_name,
                "security group names must not start with `sg-`",
            );
        }
        self.check_rules(cx, "ingress", &self.ingress);
        self.check_rules(cx, "egress", &self.egress);
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        if let Some(lookup) = &self.existing {
            let mut n = cx.node("", Kind::EXISTING_SECURITY_GROUP);
            let vpc_id = n.attr(DescribeSecurityGroups::FIELD.filters, &self.vpc, "id");
            let request = DescribeSecurityGroups {
                group_ids: lookup.ids(),
                filters: lookup.filters(&[("vpc-id", vpc_id)]),
            };
            cx.push_request(n, request);
            return;
        }
        let mut n = cx.node("", Kind::SECURITY_GROUP);
        let vpc_id = n.attr(CreateSecurityGroup::FIELD.vpc_id, &self.vpc, "id");
        let request = CreateSecurityGroup {
            group_name: Some(self.aws_group_name()),
            description: Some(self.meta.description(&self.description)),
            vpc_id: Some(vpc_id),
        };
        cx.push_request(n, request);
        let group_id = crate::lower::placeholder(&self.meta.name, "id");
        if !self.ingress.is_empty() {
            // Rules change in place: the engine revokes and authorizes only the difference.
            let mut n = cx.node("ingress", Kind::SECURITY_GROUP_INGRESS);
            let request = SecurityGroupRules {
                group_id: Some(group_id.clone()),
                ip_permissions: Some(self.permissions(&mut n, "ingress", &self.ingress)),
            };
            cx.push_request(n, request);
        }
        // A declared rule identical to AWS's default egress rule *is* that rule: revoking
        // the default and authorizing it again would make every refresh see the revoke
        // undone, and the next apply cut the group off.
        let revoke_default = self.restrict_egress && !self.declares_default_egress();
        if revoke_default {
            let n = cx.node("default-egress", Kind::SECURITY_GROUP_DEFAULT_EGRESS);
            let request = SecurityGroupRules {
                group_id: Some(group_id.clone()),
                ip_permissions: Some(vec![IpPermission::allow_all()]),
            };
            cx.push_request(n, request);
        }
        if !self.egress.is_empty() {
            let mut n = cx.node("egress", Kind::SECURITY_GROUP_EGRESS);
            if revoke_default {
                n.depend_on_node(format!("{}#default-egress", self.meta.name));
            }
            let request = SecurityGroupRules {
                group_id: Some(group_id),
                ip_permissions: Some(self.permissions(&mut n, "egress", &self.egress)),
            };
            cx.push_request(n, request);
        }
    }
}

tag_setter!(
    Vpc,
    Subnet,
    InternetGateway,
    ElasticIp,
    NatGateway,
    RouteTable,
    SecurityGroup
);
