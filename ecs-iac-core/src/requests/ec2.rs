//! EC2 requests: VPCs, subnets, gateways, Elastic IPs, route tables, security groups and
//! their rules, and the describe calls that look up the ones the stack does not own.
//! (`TagSpecifications` are added by the kind's tag style.)

use crate::request::request;

request! {
    /// `ec2:CreateVpc`.
    pub struct CreateVpc, CreateVpcFields {
        /// The IPv4 block.
        cidr_block: String = "CidrBlock",
    }
}

request! {
    /// A boolean attribute value, `{"Value": true}`.
    pub struct AttributeBooleanValue, AttributeBooleanValueFields {
        /// The value.
        value: bool = "Value",
    }
}

request! {
    /// `ec2:ModifyVpcAttribute`: one attribute per call.
    pub struct ModifyVpcAttribute, ModifyVpcAttributeFields {
        /// The VPC.
        vpc_id: String = "VpcId",
        /// Whether the Amazon DNS server resolves names.
        enable_dns_support: AttributeBooleanValue = "EnableDnsSupport",
        /// Whether instances get public DNS hostnames.
        enable_dns_hostnames: AttributeBooleanValue = "EnableDnsHostnames",
    }
}

request! {
    /// `ec2:CreateSubnet`.
    pub struct CreateSubnet, CreateSubnetFields {
        /// The VPC.
        vpc_id: String = "VpcId",
        /// The IPv4 block.
        cidr_block: String = "CidrBlock",
        /// The zone, `us-east-1a`.
        availability_zone: String = "AvailabilityZone",
    }
}

request! {
    /// `ec2:ModifySubnetAttribute`.
    pub struct ModifySubnetAttribute, ModifySubnetAttributeFields {
        /// The subnet.
        subnet_id: String = "SubnetId",
        /// Whether instances launched here get a public IPv4 address.
        map_public_ip_on_launch: AttributeBooleanValue = "MapPublicIpOnLaunch",
    }
}

request! {
    /// `ec2:CreateInternetGateway` (only tags).
    pub struct CreateInternetGateway, CreateInternetGatewayFields {}
}

request! {
    /// `ec2:AttachInternetGateway`.
    pub struct AttachInternetGateway, AttachInternetGatewayFields {
        /// The gateway.
        internet_gateway_id: String = "InternetGatewayId",
        /// The VPC.
        vpc_id: String = "VpcId",
    }
}

request! {
    /// `ec2:AllocateAddress`.
    pub struct AllocateAddress, AllocateAddressFields {
        /// `vpc`.
        domain: String = "Domain",
    }
}

request! {
    /// `ec2:CreateNatGateway`.
    pub struct CreateNatGateway, CreateNatGatewayFields {
        /// The (public) subnet.
        subnet_id: String = "SubnetId",
        /// The Elastic IP's allocation id.
        allocation_id: String = "AllocationId",
        /// `public` or `private`.
        connectivity_type: String = "ConnectivityType",
    }
}

request! {
    /// `ec2:CreateRouteTable`.
    pub struct CreateRouteTable, CreateRouteTableFields {
        /// The VPC.
        vpc_id: String = "VpcId",
    }
}

request! {
    /// `ec2:CreateRoute`; `ReplaceRoute` is sent from the same body.
    pub struct CreateRoute, CreateRouteFields {
        /// The route table.
        route_table_id: String = "RouteTableId",
        /// Where the traffic goes.
        destination_cidr_block: String = "DestinationCidrBlock",
        /// Through an internet gateway.
        gateway_id: String = "GatewayId",
        /// Through a NAT gateway.
        nat_gateway_id: String = "NatGatewayId",
    }
}

request! {
    /// `ec2:AssociateRouteTable`.
    pub struct AssociateRouteTable, AssociateRouteTableFields {
        /// The route table.
        route_table_id: String = "RouteTableId",
        /// The subnet.
        subnet_id: String = "SubnetId",
    }
}

request! {
    /// `ec2:CreateSecurityGroup`.
    pub struct CreateSecurityGroup, CreateSecurityGroupFields {
        /// The group's name, unique in its VPC.
        group_name: String = "GroupName",
        /// A description (immutable).
        description: String = "Description",
        /// The VPC.
        vpc_id: String = "VpcId",
    }
}

request! {
    /// A group's rules in one direction: `ec2:AuthorizeSecurityGroupIngress` and
    /// `AuthorizeSecurityGroupEgress`, and the `RevokeSecurityGroupEgress` of the default
    /// egress rule.
    pub struct SecurityGroupRules, SecurityGroupRulesFields {
        /// The group.
        group_id: String = "GroupId",
        /// The rules.
        ip_permissions: Vec<IpPermission> = "IpPermissions",
    }
}

request! {
    /// One security group rule: protocol, ports and peers.
    pub struct IpPermission, IpPermissionFields {
        /// `tcp`, `udp`, `icmp`, or `-1` (all traffic, without ports).
        ip_protocol: String = "IpProtocol",
        /// The first port (the ICMP type).
        from_port: i32 = "FromPort",
        /// The last port (the ICMP code).
        to_port: i32 = "ToPort",
        /// IPv4 peers.
        ip_ranges: Vec<IpRange> = "IpRanges",
        /// IPv6 peers.
        ipv6_ranges: Vec<Ipv6Range> = "Ipv6Ranges",
        /// Security group peers.
        user_id_group_pairs: Vec<UserIdGroupPair> = "UserIdGroupPairs",
    }
}

request! {
    /// An IPv4 peer of a rule.
    pub struct IpRange, IpRangeFields {
        /// The block.
        cidr_ip: String = "CidrIp",
        /// The rule's description.
        description: String = "Description",
    }
}

request! {
    /// An IPv6 peer of a rule.
    pub struct Ipv6Range, Ipv6RangeFields {
        /// The block.
        cidr_ipv6: String = "CidrIpv6",
        /// The rule's description.
        description: String = "Description",
    }
}

request! {
    /// A security group peer of a rule.
    pub struct UserIdGroupPair, UserIdGroupPairFields {
        /// The peer group.
        group_id: String = "GroupId",
        /// The rule's description.
        description: String = "Description",
    }
}

request! {
    /// A describe filter: `{"Name": "vpc-id", "Values": ["vpc-1"]}`.
    pub struct Filter, FilterFields {
        /// The filter (`tag:Name`, `vpc-id`, …).
        name: String = "Name",
        /// The values, any of which matches.
        values: Vec<String> = "Values",
    }
}

request! {
    /// `ec2:DescribeVpcs`, the lookup of a VPC the stack does not own.
    pub struct DescribeVpcs, DescribeVpcsFields {
        /// By id.
        vpc_ids: Vec<String> = "VpcIds",
        /// By filters.
        filters: Vec<Filter> = "Filters",
    }
}

request! {
    /// `ec2:DescribeSubnets`, the lookup of a subnet the stack does not own.
    pub struct DescribeSubnets, DescribeSubnetsFields {
        /// By id.
        subnet_ids: Vec<String> = "SubnetIds",
        /// By filters (always the VPC and the zone).
        filters: Vec<Filter> = "Filters",
    }
}

request! {
    /// `ec2:DescribeSecurityGroups`, the lookup of a group the stack does not own.
    pub struct DescribeSecurityGroups, DescribeSecurityGroupsFields {
        /// By id.
        group_ids: Vec<String> = "GroupIds",
        /// By filters (always the VPC).
        filters: Vec<Filter> = "Filters",
    }
}

impl IpPermission {
    /// All traffic to `0.0.0.0/0`: the egress rule AWS gives every new group.
    pub fn allow_all() -> IpPermission {
        IpPermission {
            ip_protocol: Some("-1".to_string()),
            ip_ranges: Some(vec![IpRange {
                cidr_ip: Some("0.0.0.0/0".to_string()),
                description: None,
            }]),
            ..IpPermission::default()
        }
    }
}
