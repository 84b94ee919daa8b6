//! EC2: VPCs, subnets, gateways, Elastic IPs, route tables, security groups and rules.
//!
//! Why this room is long (about 1,400 lines): EC2 has eighteen kinds sharing one client, one
//! error mapping and the security-group rule encoding (`IpPermissions` in both directions,
//! default egress); splitting them would put that shared code in a third file that every
//! half imports.

use super::{not_supported, observed, response, Existing, Outcome, Poll, Target};
use crate::clients::Aws;
use crate::error::ProviderError;
use aws_sdk_ec2::types::{
    AttributeBooleanValue, ConnectivityType, DomainType, Filter, NatGatewayState, ResourceType,
    Tag, TagSpecification,
};
use ecs_iac_core::kind::{Ec2Kind, Tags};
use ecs_iac_core::requests::ec2::{
    AllocateAddress, AssociateRouteTable, AssociateRouteTableFields, AttachInternetGateway,
    AttachInternetGatewayFields, AttributeBooleanValue as Flag, CreateNatGateway,
    CreateNatGatewayFields, CreateRoute, CreateRouteFields, CreateRouteTable, CreateSecurityGroup,
    CreateSecurityGroupFields, CreateSubnet, CreateSubnetFields, CreateVpc, IpPermission, IpRange,
    Ipv6Range, ModifySubnetAttribute, ModifyVpcAttribute, ModifyVpcAttributeFields,
    SecurityGroupRules, SecurityGroupRulesFields, UserIdGroupPair,
};

use serde_json::{json, Value};

sdk_err!(err, aws_sdk_ec2, "ec2");

/// The AWS names of a subnet's request fields.
const SUBNET: CreateSubnetFields = CreateSubnet::FIELD;
/// The AWS names of a VPC attribute's request fields.
const VPC_ATTRIBUTE: ModifyVpcAttributeFields = ModifyVpcAttribute::FIELD;
/// The AWS names of an internet gateway attachment's request fields.
const ATTACHMENT: AttachInternetGatewayFields = AttachInternetGateway::FIELD;
/// The AWS names of a NAT gateway's request fields.
const NAT: CreateNatGatewayFields = CreateNatGateway::FIELD;
/// The AWS names of a route's request fields.
const ROUTE: CreateRouteFields = CreateRoute::FIELD;
/// The AWS names of a route table association's request fields.
const ASSOCIATION: AssociateRouteTableFields = AssociateRouteTable::FIELD;
/// The AWS names of a security group's request fields.
const GROUP: CreateSecurityGroupFields = CreateSecurityGroup::FIELD;
/// The AWS names of a security group rules request's fields.
const RULES: SecurityGroupRulesFields = SecurityGroupRules::FIELD;

/// The `TagSpecifications` of `t`'s request: the kind's resource type, with the tags the
/// core rendered. `None` when the request has none.
fn tag_spec(t: &Target<'_>) -> Option<Vec<TagSpecification>> {
    let style = t.kind.spec().tags;
    let Tags::Ec2(resource_type) = style else {
        return None;
    };
    t.req.body.get(style.field()?)?;
    let tags: Vec<Tag> = t
        .req
        .ec2_tags()
        .into_iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect();
    Some(vec![TagSpecification::builder()
        .resource_type(ResourceType::from(resource_type))
        .set_tags(Some(tags))
        .build()])
}

fn owner_filters(t: &Target<'_>) -> Vec<Filter> {
    vec![
        Filter::builder()
            .name(format!("tag:{}", ecs_iac_core::STACK_TAG))
            .values(t.stack)
            .build(),
        Filter::builder()
            .name(format!("tag:{}", ecs_iac_core::ADDRESS_TAG))
            .values(t.address)
            .build(),
    ]
}

fn flag(v: bool) -> AttributeBooleanValue {
    AttributeBooleanValue::builder().value(v).build()
}

/// The value of a requested `{"Value": …}` attribute.
fn flag_value(v: Option<Flag>) -> Option<bool> {
    v.and_then(|f| f.value)
}

/// Rules as the SDK takes them (a peer list only when it has peers).
fn permissions(rules: &[IpPermission]) -> Vec<aws_sdk_ec2::types::IpPermission> {
    fn listed<T, U>(items: &Option<Vec<T>>, f: impl Fn(&T) -> U) -> Option<Vec<U>> {
        let items: Vec<U> = items.iter().flatten().map(f).collect();
        (!items.is_empty()).then_some(items)
    }
    rules
        .iter()
        .map(|p| {
            aws_sdk_ec2::types::IpPermission::builder()
                .set_ip_protocol(p.ip_protocol.clone())
                .set_from_port(p.from_port)
                .set_to_port(p.to_port)
                .set_ip_ranges(listed(&p.ip_ranges, |r| {
                    aws_sdk_ec2::types::IpRange::builder()
                        .set_cidr_ip(r.cidr_ip.clone())
                        .set_description(r.description.clone())
                        .build()
                }))
                .set_ipv6_ranges(listed(&p.ipv6_ranges, |r| {
                    aws_sdk_ec2::types::Ipv6Range::builder()
                        .set_cidr_ipv6(r.cidr_ipv6.clone())
                        .set_description(r.description.clone())
                        .build()
                }))
                .set_user_id_group_pairs(listed(&p.user_id_group_pairs, |g| {
                    aws_sdk_ec2::types::UserIdGroupPair::builder()
                        .set_group_id(g.group_id.clone())
                        .set_description(g.description.clone())
                        .build()
                }))
                .build()
        })
        .collect()
}

pub(super) async fn create(
    aws: &Aws,
    k: Ec2Kind,
    t: &Target<'_>,
) -> Result<Outcome, ProviderError> {
    let (c, a, r) = (&aws.once.ec2, t.address, &t.req);
    match k {
        Ec2Kind::ExistingVpc | Ec2Kind::ExistingSubnet | Ec2Kind::ExistingSecurityGroup => {
            super::lookups::ec2(aws, k, t).await
        }
        Ec2Kind::Vpc => {
            let q: CreateVpc = r.decode()?;
            let out = c
                .create_vpc()
                .cidr_block(r.required(q.cidr_block, CreateVpc::FIELD.cidr_block)?)
                .set_tag_specifications(tag_spec(t))
                .send()
                .await
                .map_err(err(a, "CreateVpc"))?;
            let id = out
                .vpc()
                .and_then(|v| v.vpc_id())
                .ok_or_else(|| response(a, "ec2:CreateVpc", "Vpc.VpcId"))?;
            Ok(Outcome::new(id))
        }
        Ec2Kind::VpcAttribute => {
            let q: ModifyVpcAttribute = r.decode()?;
            let vpc = r.required(q.vpc_id, VPC_ATTRIBUTE.vpc_id)?;
            let mut call = aws.c.ec2.modify_vpc_attribute().vpc_id(&vpc);
            if let Some(v) = flag_value(q.enable_dns_hostnames) {
                call = call.enable_dns_hostnames(flag(v));
            }
            if let Some(v) = flag_value(q.enable_dns_support) {
                call = call.enable_dns_support(flag(v));
            }
            call.send().await.map_err(err(a, "ModifyVpcAttribute"))?;
            Ok(Outcome::new(vpc))
        }
        Ec2Kind::Subnet => {
            let q: CreateSubnet = r.decode()?;
            let out = c
                .create_subnet()
                .vpc_id(r.required(q.vpc_id, SUBNET.vpc_id)?)
                .cidr_block(r.required(q.cidr_block, SUBNET.cidr_block)?)
                .set_availability_zone(q.availability_zone)
                .set_tag_specifications(tag_spec(t))
                .send()
                .await
                .map_err(err(a, "CreateSubnet"))?;
            let id = out
                .subnet()
                .and_then(|s| s.subnet_id())
                .ok_or_else(|| response(a, "ec2:CreateSubnet", "Subnet.SubnetId"))?;
            Ok(Outcome::new(id))
        }
        Ec2Kind::SubnetAttribute => {
            let q: ModifySubnetAttribute = r.decode()?;
            let subnet = r.required(q.subnet_id, ModifySubnetAttribute::FIELD.subnet_id)?;
            let v = flag_value(q.map_public_ip_on_launch).unwrap_or(false);
            aws.c
                .ec2
                .modify_subnet_attribute()
                .subnet_id(&subnet)
                .map_public_ip_on_launch(flag(v))
                .send()
                .await
                .map_err(err(a, "ModifySubnetAttribute"))?;
            Ok(Outcome::new(subnet))
        }
        Ec2Kind::InternetGateway => {
            let out = c
                .create_internet_gateway()
                .set_tag_specifications(tag_spec(t))
                .send()
                .await
                .map_err(err(a, "CreateInternetGateway"))?;
            let id = out
                .internet_gateway()
                .and_then(|g| g.internet_gateway_id())
                .ok_or_else(|| {
                    response(
                        a,
                        "ec2:CreateInternetGateway",
                        "InternetGateway.InternetGatewayId",
                    )
                })?;
            Ok(Outcome::new(id))
        }
        Ec2Kind::InternetGatewayAttachment => {
            let q: AttachInternetGateway = r.decode()?;
            let igw = r.required(q.internet_gateway_id, ATTACHMENT.internet_gateway_id)?;
            let vpc = r.required(q.vpc_id, ATTACHMENT.vpc_id)?;
            let res = aws
                .c
                .ec2
                .attach_internet_gateway()
                .internet_gateway_id(&igw)
                .vpc_id(&vpc)
                .send()
                .await
                .map_err(err(a, "AttachInternetGateway"));
            match res {
                Ok(_) => {}
                Err(e) if e.is(&["Resource.AlreadyAssociated"]) => {}
                Err(e) => return Err(e),
            }
            Ok(Outcome::new(format!("{igw}|{vpc}"))
                .with("internet_gateway_id", igw)
                .with("vpc_id", vpc))
        }
        Ec2Kind::ElasticIp => {
            let q: AllocateAddress = r.decode()?;
            let domain = q
                .domain
                .map_or(DomainType::Vpc, |d| DomainType::from(d.as_str()));
            let out = c
                .allocate_address()
                .domain(domain)
                .set_tag_specifications(tag_spec(t))
                .send()
                .await
                .map_err(err(a, "AllocateAddress"))?;
            let id = out
                .allocation_id()
                .ok_or_else(|| response(a, "ec2:AllocateAddress", "AllocationId"))?;
            Ok(Outcome::new(id)
                .with("allocation_id", id)
                .with("public_ip", out.public_ip().unwrap_or_default()))
        }
        Ec2Kind::NatGateway => {
            let q: CreateNatGateway = r.decode()?;
            let connectivity = q.connectivity_type.as_deref().unwrap_or("public");
            let out = c
                .create_nat_gateway()
                .subnet_id(r.required(q.subnet_id, NAT.subnet_id)?)
                .set_allocation_id(q.allocation_id)
                .connectivity_type(ConnectivityType::from(connectivity))
                .client_token(client_token(t))
                .set_tag_specifications(tag_spec(t))
                .send()
                .await
                .map_err(err(a, "CreateNatGateway"))?;
            let id = out
                .nat_gateway()
                .and_then(|n| n.nat_gateway_id())
                .ok_or_else(|| response(a, "ec2:CreateNatGateway", "NatGateway.NatGatewayId"))?;
            Ok(Outcome::new(id))
        }
        Ec2Kind::RouteTable => {
            let q: CreateRouteTable = r.decode()?;
            let out = c
                .create_route_table()
                .vpc_id(r.required(q.vpc_id, CreateRouteTable::FIELD.vpc_id)?)
                .set_tag_specifications(tag_spec(t))
                .send()
                .await
                .map_err(err(a, "CreateRouteTable"))?;
            let id = out
                .route_table()
                .and_then(|t| t.route_table_id())
                .ok_or_else(|| response(a, "ec2:CreateRouteTable", "RouteTable.RouteTableId"))?;
            Ok(Outcome::new(id))
        }
        Ec2Kind::Route => {
            let q: CreateRoute = r.decode()?;
            let table = r.required(q.route_table_id, ROUTE.route_table_id)?;
            let destination = r.required(q.destination_cidr_block, ROUTE.destination_cidr_block)?;
            let res = aws
                .c
                .ec2
                .create_route()
                .route_table_id(&table)
                .destination_cidr_block(&destination)
                .set_gateway_id(q.gateway_id)
                .set_nat_gateway_id(q.nat_gateway_id)
                .send()
                .await
                .map_err(err(a, "CreateRoute"));
            match res {
                Ok(_) => {}
                Err(e) if e.is(&["RouteAlreadyExists"]) => {}
                Err(e) => return Err(e),
            }
            Ok(Outcome::new(format!("{table}|{destination}"))
                .with("route_table_id", table)
                .with("destination", destination))
        }
        Ec2Kind::RouteTableAssociation => {
            let q: AssociateRouteTable = r.decode()?;
            let table = r.required(q.route_table_id, ASSOCIATION.route_table_id)?;
            let subnet = r.required(q.subnet_id, ASSOCIATION.subnet_id)?;
            let res = aws
                .c
                .ec2
                .associate_route_table()
                .route_table_id(&table)
                .subnet_id(&subnet)
                .send()
                .await
                .map_err(err(a, "AssociateRouteTable"));
            let id = match res {
                Ok(out) => out.association_id().map(str::to_string),
                Err(e) if e.is(&["Resource.AlreadyAssociated"]) => None,
                Err(e) => return Err(e),
            };
            let id = match id {
                Some(id) => id,
                None => association_of(aws, a, &table, &subnet)
                    .await?
                    .ok_or_else(|| response(a, "ec2:AssociateRouteTable", "AssociationId"))?,
            };
            Ok(Outcome::new(id))
        }
        Ec2Kind::SecurityGroup => {
            let q: CreateSecurityGroup = r.decode()?;
            let out = c
                .create_security_group()
                .group_name(r.required(q.group_name, GROUP.group_name)?)
                .description(r.required(q.description, GROUP.description)?)
                .set_vpc_id(q.vpc_id)
                .set_tag_specifications(tag_spec(t))
                .send()
                .await
                .map_err(err(a, "CreateSecurityGroup"))?;
            let id = out
                .group_id()
                .ok_or_else(|| response(a, "ec2:CreateSecurityGroup", "GroupId"))?;
            Ok(Outcome::new(id))
        }
        // The group's rules in that direction become exactly the requested ones: rules it
        // already has (AWS's default egress rule when the stack declares it, a retried
        // authorize whose first attempt went through) stay, and only the missing ones
        // are authorized, so one existing rule never fails the whole call.
        Ec2Kind::SecurityGroupIngress | Ec2Kind::SecurityGroupEgress => {
            update_rules(aws, k == Ec2Kind::SecurityGroupEgress, t).await
        }
        Ec2Kind::SecurityGroupDefaultEgress => {
            let q: SecurityGroupRules = r.decode()?;
            let group = r.required(q.group_id, RULES.group_id)?;
            let rules = q.ip_permissions.unwrap_or_default();
            let res = aws
                .c
                .ec2
                .revoke_security_group_egress()
                .group_id(&group)
                .set_ip_permissions(Some(permissions(&rules)))
                .send()
                .await
                .map_err(err(a, "RevokeSecurityGroupEgress"));
            match res {
                Ok(_) => {}
                Err(e) if e.is(&["InvalidPermission.NotFound"]) => {}
                Err(e) => return Err(e),
            }
            Ok(Outcome::new(group.clone()).with("group_id", group))
        }
    }
}

/// An idempotency token from the stack and address (at most 64 characters).
fn client_token(t: &Target<'_>) -> String {
    let token = format!("ecs-iac-{}-{}", t.stack, t.address);
    token
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(64)
        .collect()
}

fn rule_ids(rules: &[aws_sdk_ec2::types::SecurityGroupRule]) -> Vec<String> {
    rules
        .iter()
        .filter_map(|r| r.security_group_rule_id().map(str::to_string))
        .collect()
}

/// The rules of one direction of a group, each as `(rule id, rule)` with the rule in the
/// request's shape: one `IpPermission` per protocol, port range and single peer.
async fn group_rules(
    aws: &Aws,
    a: &str,
    group: &str,
    egress: bool,
) -> Result<Option<Vec<(String, IpPermission)>>, ProviderError> {
    let out = aws
        .c
        .ec2
        .describe_security_group_rules()
        .filters(Filter::builder().name("group-id").values(group).build())
        .send()
        .await
        .map_err(err(a, "DescribeSecurityGroupRules"));
    let out = match out {
        Ok(out) => out,
        Err(e) if e.is(GONE) => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(Some(
        out.security_group_rules()
            .iter()
            .filter(|r| r.is_egress() == Some(egress))
            .filter_map(|r| Some((r.security_group_rule_id()?.to_string(), rule_of(r))))
            .collect(),
    ))
}

/// One security group rule in the request's shape.
fn rule_of(r: &aws_sdk_ec2::types::SecurityGroupRule) -> IpPermission {
    let protocol = r.ip_protocol().unwrap_or("-1");
    let ports = protocol != "-1";
    let description = r
        .description()
        .filter(|d| !d.is_empty())
        .map(str::to_string);
    let mut rule = IpPermission {
        ip_protocol: Some(protocol.to_string()),
        from_port: r.from_port().filter(|_| ports),
        to_port: r.to_port().filter(|_| ports),
        ..IpPermission::default()
    };
    if let Some(cidr) = r.cidr_ipv4() {
        rule.ip_ranges = Some(vec![IpRange {
            cidr_ip: Some(cidr.to_string()),
            description,
        }]);
    } else if let Some(cidr) = r.cidr_ipv6() {
        rule.ipv6_ranges = Some(vec![Ipv6Range {
            cidr_ipv6: Some(cidr.to_string()),
            description,
        }]);
    } else if let Some(group) = r.referenced_group_info().and_then(|g| g.group_id()) {
        rule.user_id_group_pairs = Some(vec![UserIdGroupPair {
            group_id: Some(group.to_string()),
            description,
        }]);
    }
    rule
}

/// A requested rule with empty descriptions dropped, to compare with [`rule_of`].
fn requested_rule(mut rule: IpPermission) -> IpPermission {
    let empty = |d: &mut Option<String>| {
        if d.as_deref() == Some("") {
            *d = None;
        }
    };
    rule.ip_ranges
        .iter_mut()
        .flatten()
        .for_each(|r| empty(&mut r.description));
    rule.ipv6_ranges
        .iter_mut()
        .flatten()
        .for_each(|r| empty(&mut r.description));
    rule.user_id_group_pairs
        .iter_mut()
        .flatten()
        .for_each(|r| empty(&mut r.description));
    rule
}

/// Whether `rule` is AWS's default egress rule, all traffic to `0.0.0.0/0` (descriptions
/// aside).
fn is_allow_all(rule: &IpPermission) -> bool {
    let all = IpPermission::allow_all();
    let cidr = |p: &IpPermission| {
        p.ip_ranges
            .as_ref()
            .and_then(|r| r.first())
            .and_then(|r| r.cidr_ip.clone())
    };
    rule.ip_protocol == all.ip_protocol && cidr(rule) == cidr(&all)
}

/// What AWS has now for `e`, in its request's shape: `None` when it is gone. Covers the
/// kinds whose existence is all there is to read with one describe call.
pub(super) async fn observe(
    aws: &Aws,
    k: Ec2Kind,
    e: &Existing<'_>,
    applied: &Value,
) -> Result<Option<Value>, ProviderError> {
    let (c, a, id) = (&aws.c.ec2, e.address, e.id);
    // Kinds whose existence is all there is to read share the batched read.
    if let Some(found) = existing_of(aws, k, &[id.to_string()]).await? {
        return Ok(found.contains(id).then(|| json!({})));
    }
    match k {
        Ec2Kind::SecurityGroupIngress | Ec2Kind::SecurityGroupEgress => {
            let group = applied_group(applied, id);
            let egress = k == Ec2Kind::SecurityGroupEgress;
            let Some(rules) = group_rules(aws, a, group, egress).await? else {
                return Ok(None);
            };
            let mut rules: Vec<IpPermission> = rules.into_iter().map(|(_, r)| r).collect();
            // In the order of their JSON text, as the rules have always been listed.
            rules.sort_by_cached_key(|r| {
                serde_json::to_value(r)
                    .map(|v| v.to_string())
                    .unwrap_or_default()
            });
            let now = SecurityGroupRules {
                group_id: Some(group.to_string()),
                ip_permissions: Some(rules),
            };
            Ok(Some(observed(a, &now)?))
        }
        Ec2Kind::Route => {
            let (table, destination) = (e.attr("route_table_id")?, e.attr("destination")?);
            let out = c
                .describe_route_tables()
                .route_table_ids(&table)
                .send()
                .await
                .map_err(err(a, "DescribeRouteTables"));
            match out {
                Ok(out) => {
                    let route = out
                        .route_tables()
                        .iter()
                        .flat_map(|t| t.routes())
                        .find(|r| r.destination_cidr_block() == Some(destination.as_str()));
                    let Some(route) = route else {
                        return Ok(None);
                    };
                    let now = CreateRoute {
                        route_table_id: Some(table),
                        destination_cidr_block: Some(destination),
                        gateway_id: route.gateway_id().map(str::to_string),
                        nat_gateway_id: route.nat_gateway_id().map(str::to_string),
                    };
                    Ok(Some(observed(a, &now)?))
                }
                Err(x) if x.is(GONE) => Ok(None),
                Err(x) => Err(x),
            }
        }
        Ec2Kind::RouteTableAssociation => {
            let out = c
                .describe_route_tables()
                .filters(
                    Filter::builder()
                        .name("association.route-table-association-id")
                        .values(id)
                        .build(),
                )
                .send()
                .await
                .map_err(err(a, "DescribeRouteTables"))?;
            Ok((!out.route_tables().is_empty()).then(|| json!({})))
        }
        Ec2Kind::InternetGatewayAttachment => {
            let (igw, vpc) = (e.attr("internet_gateway_id")?, e.attr("vpc_id")?);
            let out = c
                .describe_internet_gateways()
                .internet_gateway_ids(&igw)
                .send()
                .await
                .map_err(err(a, "DescribeInternetGateways"));
            match out {
                Ok(out) => Ok(out
                    .internet_gateways()
                    .iter()
                    .flat_map(|g| g.attachments())
                    .any(|x| x.vpc_id() == Some(vpc.as_str()))
                    .then(|| json!({}))),
                Err(x) if x.is(GONE) => Ok(None),
                Err(x) => Err(x),
            }
        }
        Ec2Kind::VpcAttribute => {
            use aws_sdk_ec2::types::VpcAttributeName;
            let mut now = ModifyVpcAttribute::default();
            for (field, attribute) in [
                (
                    VPC_ATTRIBUTE.enable_dns_hostnames,
                    VpcAttributeName::EnableDnsHostnames,
                ),
                (
                    VPC_ATTRIBUTE.enable_dns_support,
                    VpcAttributeName::EnableDnsSupport,
                ),
            ] {
                if applied.get(field).is_none() {
                    continue;
                }
                let out = c
                    .describe_vpc_attribute()
                    .vpc_id(id)
                    .attribute(attribute.clone())
                    .send()
                    .await
                    .map_err(err(a, "DescribeVpcAttribute"));
                let out = match out {
                    Ok(out) => out,
                    Err(x) if x.is(GONE) => return Ok(None),
                    Err(x) => return Err(x),
                };
                if attribute == VpcAttributeName::EnableDnsHostnames {
                    let value = out.enable_dns_hostnames().and_then(|v| v.value());
                    now.enable_dns_hostnames = Some(Flag { value });
                } else {
                    let value = out.enable_dns_support().and_then(|v| v.value());
                    now.enable_dns_support = Some(Flag { value });
                }
            }
            Ok(Some(observed(a, &now)?))
        }
        Ec2Kind::SubnetAttribute => {
            let out = c
                .describe_subnets()
                .subnet_ids(id)
                .send()
                .await
                .map_err(err(a, "DescribeSubnets"));
            match out {
                Ok(out) => {
                    let Some(subnet) = out.subnets().first() else {
                        return Ok(None);
                    };
                    let now = ModifySubnetAttribute {
                        map_public_ip_on_launch: Some(Flag {
                            value: subnet.map_public_ip_on_launch(),
                        }),
                        ..ModifySubnetAttribute::default()
                    };
                    Ok(Some(observed(a, &now)?))
                }
                Err(x) if x.is(GONE) => Ok(None),
                Err(x) => Err(x),
            }
        }
        // The revoke of the default allow-all egress is undone when that rule is back.
        Ec2Kind::SecurityGroupDefaultEgress => {
            let group = applied_group(applied, id);
            Ok(group_rules(aws, a, group, true).await?.and_then(|rules| {
                let allow_all = rules.iter().any(|(_, r)| is_allow_all(r));
                (!allow_all).then(|| json!({}))
            }))
        }
        Ec2Kind::Vpc
        | Ec2Kind::Subnet
        | Ec2Kind::SecurityGroup
        | Ec2Kind::InternetGateway
        | Ec2Kind::RouteTable
        | Ec2Kind::ElasticIp
        | Ec2Kind::NatGateway => Err(ProviderError::Request {
            address: a.to_string(),
            field: "kind".into(),
            problem: format!("`{}` is read by its id filter", e.kind),
        }),
        // Looked up before every apply, never refreshed.
        Ec2Kind::ExistingVpc | Ec2Kind::ExistingSubnet | Ec2Kind::ExistingSecurityGroup => {
            Err(not_supported(a, e.kind, "refresh"))
        }
    }
}

/// The group of an applied rules request, or `id` when it names none.
fn applied_group<'a>(applied: &'a Value, id: &'a str) -> &'a str {
    applied
        .get(RULES.group_id)
        .and_then(Value::as_str)
        .unwrap_or(id)
}

/// The id filter of the EC2 kinds whose existence is read in one call for many ids.
fn id_filter(k: Ec2Kind) -> Option<&'static str> {
    Some(match k {
        Ec2Kind::Vpc => "vpc-id",
        Ec2Kind::Subnet => "subnet-id",
        Ec2Kind::SecurityGroup => "group-id",
        Ec2Kind::InternetGateway => "internet-gateway-id",
        Ec2Kind::RouteTable => "route-table-id",
        Ec2Kind::ElasticIp => "allocation-id",
        Ec2Kind::NatGateway => "nat-gateway-id",
        Ec2Kind::VpcAttribute
        | Ec2Kind::SubnetAttribute
        | Ec2Kind::InternetGatewayAttachment
        | Ec2Kind::Route
        | Ec2Kind::RouteTableAssociation
        | Ec2Kind::SecurityGroupIngress
        | Ec2Kind::SecurityGroupEgress
        | Ec2Kind::SecurityGroupDefaultEgress
        | Ec2Kind::ExistingVpc
        | Ec2Kind::ExistingSubnet
        | Ec2Kind::ExistingSecurityGroup => return None,
    })
}

/// Which of `ids` (all of `kind`) still exist, read with one describe call filtered by
/// id (a filter, unlike an id list, does not fail on ids that are gone). `None` for kinds
/// read one by one.
pub(super) async fn existing_of(
    aws: &Aws,
    k: Ec2Kind,
    ids: &[String],
) -> Result<Option<std::collections::HashSet<String>>, ProviderError> {
    let Some(name) = id_filter(k) else {
        return Ok(None);
    };
    let (c, a) = (&aws.c.ec2, "(refresh)");
    let filter = Filter::builder()
        .name(name)
        .set_values(Some(ids.to_vec()))
        .build();
    let found: Vec<String> = match k {
        Ec2Kind::Vpc => c
            .describe_vpcs()
            .filters(filter)
            .send()
            .await
            .map_err(err(a, "DescribeVpcs"))?
            .vpcs()
            .iter()
            .filter_map(|x| x.vpc_id().map(str::to_string))
            .collect(),
        Ec2Kind::Subnet => c
            .describe_subnets()
            .filters(filter)
            .send()
            .await
            .map_err(err(a, "DescribeSubnets"))?
            .subnets()
            .iter()
            .filter_map(|x| x.subnet_id().map(str::to_string))
            .collect(),
        Ec2Kind::SecurityGroup => c
            .describe_security_groups()
            .filters(filter)
            .send()
            .await
            .map_err(err(a, "DescribeSecurityGroups"))?
            .security_groups()
            .iter()
            .filter_map(|x| x.group_id().map(str::to_string))
            .collect(),
        Ec2Kind::InternetGateway => c
            .describe_internet_gateways()
            .filters(filter)
            .send()
            .await
            .map_err(err(a, "DescribeInternetGateways"))?
            .internet_gateways()
            .iter()
            .filter_map(|x| x.internet_gateway_id().map(str::to_string))
            .collect(),
        Ec2Kind::RouteTable => c
            .describe_route_tables()
            .filters(filter)
            .send()
            .await
            .map_err(err(a, "DescribeRouteTables"))?
            .route_tables()
            .iter()
            .filter_map(|x| x.route_table_id().map(str::to_string))
            .collect(),
        Ec2Kind::ElasticIp => c
            .describe_addresses()
            .filters(filter)
            .send()
            .await
            .map_err(err(a, "DescribeAddresses"))?
            .addresses()
            .iter()
            .filter_map(|x| x.allocation_id().map(str::to_string))
            .collect(),
        _ => c
            .describe_nat_gateways()
            .filter(filter)
            .send()
            .await
            .map_err(err(a, "DescribeNatGateways"))?
            .nat_gateways()
            .iter()
            .filter(|n| {
                !matches!(
                    n.state(),
                    Some(NatGatewayState::Deleted | NatGatewayState::Deleting)
                )
            })
            .filter_map(|x| x.nat_gateway_id().map(str::to_string))
            .collect(),
    };
    Ok(Some(found.into_iter().collect()))
}

/// Changes `t` in place: security group rules (only the difference) and a route's target
/// (`ReplaceRoute`), the fields [`ecs_iac_core::Kind::spec`] lists as `Modify`.
pub(super) async fn update(
    aws: &Aws,
    k: Ec2Kind,
    t: &Target<'_>,
    recorded: &Existing<'_>,
) -> Result<Outcome, ProviderError> {
    match k {
        Ec2Kind::SecurityGroupIngress | Ec2Kind::SecurityGroupEgress => {
            update_rules(aws, k == Ec2Kind::SecurityGroupEgress, t).await
        }
        Ec2Kind::Route => {
            let r = &t.req;
            let q: CreateRoute = r.decode()?;
            aws.c
                .ec2
                .replace_route()
                .route_table_id(r.required(q.route_table_id, ROUTE.route_table_id)?)
                .destination_cidr_block(
                    r.required(q.destination_cidr_block, ROUTE.destination_cidr_block)?,
                )
                .set_gateway_id(q.gateway_id)
                .set_nat_gateway_id(q.nat_gateway_id)
                .send()
                .await
                .map_err(err(t.address, "ReplaceRoute"))?;
            Ok(recorded.unchanged())
        }
        Ec2Kind::Vpc
        | Ec2Kind::VpcAttribute
        | Ec2Kind::Subnet
        | Ec2Kind::SubnetAttribute
        | Ec2Kind::InternetGateway
        | Ec2Kind::InternetGatewayAttachment
        | Ec2Kind::ElasticIp
        | Ec2Kind::NatGateway
        | Ec2Kind::RouteTable
        | Ec2Kind::RouteTableAssociation
        | Ec2Kind::SecurityGroup
        | Ec2Kind::SecurityGroupDefaultEgress
        | Ec2Kind::ExistingVpc
        | Ec2Kind::ExistingSubnet
        | Ec2Kind::ExistingSecurityGroup => Err(not_supported(t.address, t.kind, "modify")),
    }
}

/// Makes one direction of a group's rules exactly the requested ones: revokes the rules
/// AWS has that the request lacks (added outside ecs-iac, or removed from the stack) and
/// authorizes the missing ones, leaving unchanged rules in place.
async fn update_rules(aws: &Aws, egress: bool, t: &Target<'_>) -> Result<Outcome, ProviderError> {
    let (a, r) = (t.address, &t.req);
    let q: SecurityGroupRules = r.decode()?;
    let group = r.required(q.group_id, RULES.group_id)?;
    let current =
        group_rules(aws, a, &group, egress)
            .await?
            .ok_or_else(|| ProviderError::Request {
                address: a.to_string(),
                field: RULES.group_id.into(),
                problem: format!("security group `{group}` no longer exists"),
            })?;
    let desired: Vec<IpPermission> = q
        .ip_permissions
        .unwrap_or_default()
        .into_iter()
        .map(requested_rule)
        .collect();
    let stale: Vec<String> = current
        .iter()
        .filter(|(_, rule)| !desired.contains(rule))
        .map(|(id, _)| id.clone())
        .collect();
    let missing: Vec<IpPermission> = desired
        .iter()
        .filter(|rule| !current.iter().any(|(_, c)| c == *rule))
        .cloned()
        .collect();
    let mut ids: Vec<String> = current
        .iter()
        .filter(|(id, _)| !stale.contains(id))
        .map(|(id, _)| id.clone())
        .collect();
    let c = &aws.c.ec2;
    if !stale.is_empty() {
        let res = if egress {
            c.revoke_security_group_egress()
                .group_id(&group)
                .set_security_group_rule_ids(Some(stale))
                .send()
                .await
                .map(drop)
                .map_err(err(a, "RevokeSecurityGroupEgress"))
        } else {
            c.revoke_security_group_ingress()
                .group_id(&group)
                .set_security_group_rule_ids(Some(stale))
                .send()
                .await
                .map(drop)
                .map_err(err(a, "RevokeSecurityGroupIngress"))
        };
        gone_ok(res)?;
    }
    if !missing.is_empty() {
        let perms = permissions(&missing);
        let added = if egress {
            c.authorize_security_group_egress()
                .group_id(&group)
                .set_ip_permissions(Some(perms))
                .send()
                .await
                .map(|o| rule_ids(o.security_group_rules()))
                .map_err(err(a, "AuthorizeSecurityGroupEgress"))
        } else {
            c.authorize_security_group_ingress()
                .group_id(&group)
                .set_ip_permissions(Some(perms))
                .send()
                .await
                .map(|o| rule_ids(o.security_group_rules()))
                .map_err(err(a, "AuthorizeSecurityGroupIngress"))
        };
        match added {
            Ok(added) => ids.extend(added),
            // An earlier authorize (a retried call whose first response was lost) landed
            // after the rules were read: read them again and accept them when every
            // requested rule is there.
            Err(e) if e.is(&["InvalidPermission.Duplicate"]) => {
                let now = group_rules(aws, a, &group, egress)
                    .await?
                    .unwrap_or_default();
                if desired
                    .iter()
                    .all(|rule| now.iter().any(|(_, c)| c == rule))
                {
                    ids = now
                        .iter()
                        .filter(|(_, rule)| desired.contains(rule))
                        .map(|(id, _)| id.clone())
                        .collect();
                } else {
                    return Err(e);
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(Outcome::new(group.clone())
        .with("group_id", group)
        .with("rule_ids", ids.join(",")))
}

async fn association_of(
    aws: &Aws,
    a: &str,
    table: &str,
    subnet: &str,
) -> Result<Option<String>, ProviderError> {
    let out = aws
        .c
        .ec2
        .describe_route_tables()
        .route_table_ids(table)
        .send()
        .await
        .map_err(err(a, "DescribeRouteTables"))?;
    Ok(out
        .route_tables()
        .iter()
        .flat_map(|t| t.associations())
        .find(|x| x.subnet_id() == Some(subnet))
        .and_then(|x| x.route_table_association_id().map(str::to_string)))
}

pub(super) async fn find(
    aws: &Aws,
    k: Ec2Kind,
    t: &Target<'_>,
) -> Result<Option<Outcome>, ProviderError> {
    let (c, a) = (&aws.c.ec2, t.address);
    let filters = owner_filters(t);
    let id = match k {
        Ec2Kind::Vpc => {
            let out = c
                .describe_vpcs()
                .set_filters(Some(filters))
                .send()
                .await
                .map_err(err(a, "DescribeVpcs"))?;
            out.vpcs()
                .first()
                .and_then(|v| v.vpc_id())
                .map(str::to_string)
        }
        Ec2Kind::Subnet => {
            let out = c
                .describe_subnets()
                .set_filters(Some(filters))
                .send()
                .await
                .map_err(err(a, "DescribeSubnets"))?;
            out.subnets()
                .first()
                .and_then(|v| v.subnet_id())
                .map(str::to_string)
        }
        Ec2Kind::InternetGateway => {
            let out = c
                .describe_internet_gateways()
                .set_filters(Some(filters))
                .send()
                .await
                .map_err(err(a, "DescribeInternetGateways"))?;
            out.internet_gateways()
                .first()
                .and_then(|v| v.internet_gateway_id())
                .map(str::to_string)
        }
        Ec2Kind::ElasticIp => {
            let out = c
                .describe_addresses()
                .set_filters(Some(filters))
                .send()
                .await
                .map_err(err(a, "DescribeAddresses"))?;
            return Ok(out.addresses().first().and_then(|x| {
                let id = x.allocation_id()?;
                Some(
                    Outcome::new(id)
                        .with("allocation_id", id)
                        .with("public_ip", x.public_ip().unwrap_or_default()),
                )
            }));
        }
        Ec2Kind::NatGateway => {
            let out = c
                .describe_nat_gateways()
                .set_filter(Some(filters))
                .send()
                .await
                .map_err(err(a, "DescribeNatGateways"))?;
            out.nat_gateways()
                .iter()
                .filter(|n| {
                    !matches!(
                        n.state(),
                        Some(
                            NatGatewayState::Deleted
                                | NatGatewayState::Deleting
                                | NatGatewayState::Failed
                        )
                    )
                })
                .find_map(|n| n.nat_gateway_id())
                .map(str::to_string)
        }
        Ec2Kind::RouteTable => {
            let out = c
                .describe_route_tables()
                .set_filters(Some(filters))
                .send()
                .await
                .map_err(err(a, "DescribeRouteTables"))?;
            out.route_tables()
                .first()
                .and_then(|v| v.route_table_id())
                .map(str::to_string)
        }
        Ec2Kind::SecurityGroup => {
            let out = c
                .describe_security_groups()
                .set_filters(Some(filters))
                .send()
                .await
                .map_err(err(a, "DescribeSecurityGroups"))?;
            out.security_groups()
                .first()
                .and_then(|v| v.group_id())
                .map(str::to_string)
        }
        // Attachments, routes, associations and rules are adopted by their create call,
        // which treats "already exists" as success.
        _ => None,
    };
    Ok(id.map(Outcome::new))
}

pub(super) async fn wait_ready(
    aws: &Aws,
    k: Ec2Kind,
    t: &Target<'_>,
    o: &mut Outcome,
) -> Result<(), ProviderError> {
    if k != Ec2Kind::NatGateway {
        return Ok(());
    }
    let a = t.address;
    aws.poll(a, "NAT gateway", || async {
        let out = aws
            .c
            .ec2
            .describe_nat_gateways()
            .nat_gateway_ids(&o.id)
            .send()
            .await
            .map_err(err(a, "DescribeNatGateways"))?;
        let nat = out.nat_gateways().first();
        Ok(match nat.and_then(|n| n.state()) {
            Some(NatGatewayState::Available) => Poll::Ready,
            Some(NatGatewayState::Failed) => Poll::Failed(
                nat.and_then(|n| n.failure_message())
                    .unwrap_or("failed")
                    .to_string(),
            ),
            Some(state) => Poll::Pending(state.as_str().to_string()),
            None => Poll::Pending("unknown".into()),
        })
    })
    .await
}

/// Codes meaning the thing is already gone.
const GONE: &[&str] = &[
    "InvalidVpcID.NotFound",
    "InvalidSubnetID.NotFound",
    "InvalidInternetGatewayID.NotFound",
    "Gateway.NotAttached",
    "InvalidAllocationID.NotFound",
    "NatGatewayNotFound",
    "InvalidNatGatewayID.NotFound",
    "InvalidRouteTableID.NotFound",
    "InvalidRoute.NotFound",
    "InvalidAssociationID.NotFound",
    "InvalidGroup.NotFound",
    "InvalidSecurityGroupRuleId.NotFound",
    "InvalidPermission.NotFound",
];

fn gone_ok(res: Result<(), ProviderError>) -> Result<(), ProviderError> {
    match res {
        Err(e) if e.is(GONE) => Ok(()),
        other => other,
    }
}

pub(super) async fn delete(aws: &Aws, k: Ec2Kind, e: &Existing<'_>) -> Result<(), ProviderError> {
    let (c, a, id) = (&aws.c.ec2, e.address, e.id);
    let res = match k {
        Ec2Kind::Vpc => c
            .delete_vpc()
            .vpc_id(id)
            .send()
            .await
            .map(drop)
            .map_err(err(a, "DeleteVpc")),
        // Attribute nodes go back to AWS's defaults.
        Ec2Kind::VpcAttribute => c
            .modify_vpc_attribute()
            .vpc_id(id)
            .enable_dns_hostnames(flag(false))
            .send()
            .await
            .map(drop)
            .map_err(err(a, "ModifyVpcAttribute")),
        Ec2Kind::SubnetAttribute => c
            .modify_subnet_attribute()
            .subnet_id(id)
            .map_public_ip_on_launch(flag(false))
            .send()
            .await
            .map(drop)
            .map_err(err(a, "ModifySubnetAttribute")),
        Ec2Kind::Subnet => c
            .delete_subnet()
            .subnet_id(id)
            .send()
            .await
            .map(drop)
            .map_err(err(a, "DeleteSubnet")),
        Ec2Kind::InternetGateway => c
            .delete_internet_gateway()
            .internet_gateway_id(id)
            .send()
            .await
            .map(drop)
            .map_err(err(a, "DeleteInternetGateway")),
        Ec2Kind::InternetGatewayAttachment => c
            .detach_internet_gateway()
            .internet_gateway_id(e.attr("internet_gateway_id")?)
            .vpc_id(e.attr("vpc_id")?)
            .send()
            .await
            .map(drop)
            .map_err(err(a, "DetachInternetGateway")),
        Ec2Kind::ElasticIp => c
            .release_address()
            .allocation_id(id)
            .send()
            .await
            .map(drop)
            .map_err(err(a, "ReleaseAddress")),
        Ec2Kind::NatGateway => {
            gone_ok(
                c.delete_nat_gateway()
                    .nat_gateway_id(id)
                    .send()
                    .await
                    .map(drop)
                    .map_err(err(a, "DeleteNatGateway")),
            )?;
            // The Elastic IP and the subnet stay busy until the gateway is deleted.
            return aws
                .poll(a, "NAT gateway deletion", || async {
                    let out = c
                        .describe_nat_gateways()
                        .nat_gateway_ids(id)
                        .send()
                        .await
                        .map_err(err(a, "DescribeNatGateways"));
                    let out = match out {
                        Err(e) if e.is(GONE) => return Ok(Poll::Ready),
                        other => other?,
                    };
                    Ok(match out.nat_gateways().first().and_then(|n| n.state()) {
                        None | Some(NatGatewayState::Deleted) => Poll::Ready,
                        Some(s) => Poll::Pending(s.as_str().to_string()),
                    })
                })
                .await;
        }
        Ec2Kind::RouteTable => c
            .delete_route_table()
            .route_table_id(id)
            .send()
            .await
            .map(drop)
            .map_err(err(a, "DeleteRouteTable")),
        Ec2Kind::Route => c
            .delete_route()
            .route_table_id(e.attr("route_table_id")?)
            .destination_cidr_block(e.attr("destination")?)
            .send()
            .await
            .map(drop)
            .map_err(err(a, "DeleteRoute")),
        Ec2Kind::RouteTableAssociation => c
            .disassociate_route_table()
            .association_id(id)
            .send()
            .await
            .map(drop)
            .map_err(err(a, "DisassociateRouteTable")),
        // Not the stack's: destroy forgets it.
        Ec2Kind::ExistingVpc | Ec2Kind::ExistingSubnet | Ec2Kind::ExistingSecurityGroup => Ok(()),
        Ec2Kind::SecurityGroup => c
            .delete_security_group()
            .group_id(id)
            .send()
            .await
            .map(drop)
            .map_err(err(a, "DeleteSecurityGroup")),
        Ec2Kind::SecurityGroupIngress | Ec2Kind::SecurityGroupEgress => {
            let ids: Vec<String> = e
                .attr("rule_ids")?
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            if ids.is_empty() {
                return Ok(());
            }
            let group = e.attr("group_id")?;
            if k == Ec2Kind::SecurityGroupIngress {
                c.revoke_security_group_ingress()
                    .group_id(group)
                    .set_security_group_rule_ids(Some(ids))
                    .send()
                    .await
                    .map(drop)
                    .map_err(err(a, "RevokeSecurityGroupIngress"))
            } else {
                c.revoke_security_group_egress()
                    .group_id(group)
                    .set_security_group_rule_ids(Some(ids))
                    .send()
                    .await
                    .map(drop)
                    .map_err(err(a, "RevokeSecurityGroupEgress"))
            }
        }
        Ec2Kind::SecurityGroupDefaultEgress => {
            // Restores AWS's default allow-all egress rule.
            match c
                .authorize_security_group_egress()
                .group_id(id)
                .set_ip_permissions(Some(permissions(&[IpPermission::allow_all()])))
                .send()
                .await
                .map(drop)
                .map_err(err(a, "AuthorizeSecurityGroupEgress"))
            {
                Err(x) if x.is(&["InvalidPermission.Duplicate"]) => Ok(()),
                other => other,
            }
        }
    };
    gone_ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::Req;
    use aws_sdk_ec2::types::{ReferencedSecurityGroup, SecurityGroupRule};

    #[test]
    fn a_reported_rule_matches_the_requested_one_and_a_mistyped_port_is_named() {
        let body = json!({"GroupId": "sg-1", "IpPermissions": [{
            "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
            "UserIdGroupPairs": [{"GroupId": "sg-2", "Description": ""}],
        }]});
        let r = Req {
            address: "sg#ingress",
            body: &body,
        };
        let q: SecurityGroupRules = r.decode().unwrap();
        assert_eq!(q.group_id.as_deref(), Some("sg-1"));
        let desired = requested_rule(q.ip_permissions.unwrap().remove(0));
        let reported = SecurityGroupRule::builder()
            .ip_protocol("tcp")
            .from_port(443)
            .to_port(443)
            .description("")
            .referenced_group_info(ReferencedSecurityGroup::builder().group_id("sg-2").build())
            .build();
        assert_eq!(rule_of(&reported), desired);
        let sdk = permissions(&[desired]);
        assert_eq!(sdk[0].user_id_group_pairs()[0].group_id(), Some("sg-2"));
        assert_eq!(sdk[0].ip_ranges(), &[]);
        let all = permissions(&[IpPermission::allow_all()]);
        assert_eq!(
            (all[0].ip_protocol(), all[0].from_port()),
            (Some("-1"), None)
        );
        assert_eq!(all[0].ip_ranges()[0].cidr_ip(), Some("0.0.0.0/0"));

        let body = json!({"IpPermissions": [{"IpProtocol": "tcp", "FromPort": "443"}]});
        let r = Req {
            address: "sg#ingress",
            body: &body,
        };
        let Err(ProviderError::Request { field, .. }) = r.decode::<SecurityGroupRules>() else {
            panic!("a string where a port belongs must fail");
        };
        assert_eq!(field, "IpPermissions[0].FromPort");
        let q: SecurityGroupRules = Req {
            address: "sg#ingress",
            body: &json!({}),
        }
        .decode()
        .unwrap();
        let missing = r.required(q.group_id, RULES.group_id).unwrap_err();
        assert_eq!(
            missing.to_string(),
            "sg#ingress: request field `GroupId`: a value is required"
        );
    }
}
