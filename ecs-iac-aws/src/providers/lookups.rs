//! Lookups of resources the stack refers to and does not own (`Vpc::existing`,
//! `Subnet::existing`, `SecurityGroup::existing`): one describe call with the ids or
//! filters the request names, which must match exactly one resource.

use super::{Outcome, Target};
use crate::body::Req;
use crate::clients::Aws;
use crate::error::{Missing, ProviderError};
use aws_sdk_ec2::types::Filter;
use ecs_iac_core::kind::Ec2Kind;

sdk_err!(err, aws_sdk_ec2, "ec2");

/// One match of a lookup: its id and the attributes the kind records.
struct Match {
    id: String,
    attributes: Vec<(&'static str, String)>,
}

/// Looks up the EC2 resource of `t` (an `Existing*` kind).
pub(super) async fn ec2(aws: &Aws, k: Ec2Kind, t: &Target<'_>) -> Result<Outcome, ProviderError> {
    let (c, a, r) = (&aws.c.ec2, t.address, &t.req);
    let filters = filters(r);
    let (what, ids_field, operation) = match k {
        Ec2Kind::ExistingVpc => ("VPC", "VpcIds", "DescribeVpcs"),
        Ec2Kind::ExistingSubnet => ("subnet", "SubnetIds", "DescribeSubnets"),
        _ => ("security group", "GroupIds", "DescribeSecurityGroups"),
    };
    let ids = r.ss(ids_field);
    let ids = (!ids.is_empty()).then_some(ids);
    let result: Result<Vec<Match>, ProviderError> = match k {
        Ec2Kind::ExistingVpc => c
            .describe_vpcs()
            .set_vpc_ids(ids)
            .set_filters(filters)
            .send()
            .await
            .map(|out| {
                out.vpcs()
                    .iter()
                    .map(|v| Match {
                        id: v.vpc_id().unwrap_or_default().to_string(),
                        attributes: vec![("cidr", v.cidr_block().unwrap_or_default().to_string())],
                    })
                    .collect()
            })
            .map_err(err(a, operation)),
        Ec2Kind::ExistingSubnet => c
            .describe_subnets()
            .set_subnet_ids(ids)
            .set_filters(filters)
            .send()
            .await
            .map(|out| {
                out.subnets()
                    .iter()
                    .map(|s| Match {
                        id: s.subnet_id().unwrap_or_default().to_string(),
                        attributes: vec![
                            ("cidr", s.cidr_block().unwrap_or_default().to_string()),
                            ("vpc_id", s.vpc_id().unwrap_or_default().to_string()),
                            (
                                "availability_zone",
                                s.availability_zone().unwrap_or_default().to_string(),
                            ),
                        ],
                    })
                    .collect()
            })
            .map_err(err(a, operation)),
        _ => c
            .describe_security_groups()
            .set_group_ids(ids)
            .set_filters(filters)
            .send()
            .await
            .map(|out| {
                out.security_groups()
                    .iter()
                    .map(|g| Match {
                        id: g.group_id().unwrap_or_default().to_string(),
                        attributes: vec![
                            ("name", g.group_name().unwrap_or_default().to_string()),
                            ("vpc_id", g.vpc_id().unwrap_or_default().to_string()),
                        ],
                    })
                    .collect()
            })
            .map_err(err(a, operation)),
    };
    let described = describe(r, ids_field);
    let missing = |detail: String| {
        ProviderError::Missing(Box::new(Missing {
            address: a.to_string(),
            field: ids_field.to_string(),
            what,
            id: described.clone(),
            detail: format!("ec2:{operation}: {detail}"),
            used_by: Vec::new(),
        }))
    };
    let mut matches = match result {
        Ok(found) => found,
        // An id that does not exist (`InvalidVpcID.NotFound`, …).
        Err(e) if e.code().is_some_and(|c| c.ends_with(".NotFound")) => {
            return Err(missing(e.aws_message()))
        }
        Err(e) => return Err(e),
    };
    match matches.len() {
        0 => Err(missing(format!("no {what} matches"))),
        1 => {
            let found = matches.remove(0);
            let mut o = Outcome::new(&found.id);
            for (k, v) in found.attributes {
                o = o.with(k, v);
            }
            Ok(o)
        }
        n => Err(ProviderError::Request {
            address: a.to_string(),
            field: "Filters".into(),
            problem: format!(
                "the lookup {described} matches {n} {what}s ({}); it must match exactly one: add a tag to narrow it, or look it up by id",
                matches.iter().map(|m| m.id.as_str()).collect::<Vec<_>>().join(", ")
            ),
        }),
    }
}

/// The request's `Filters`, as the SDK takes them.
fn filters(r: &Req<'_>) -> Option<Vec<Filter>> {
    let filters: Vec<Filter> = r
        .arr("Filters")
        .iter()
        .map(|f| {
            let f = r.at(f);
            Filter::builder()
                .set_name(f.os("Name"))
                .set_values(Some(f.ss("Values")))
                .build()
        })
        .collect();
    (!filters.is_empty()).then_some(filters)
}

/// How messages name a lookup: its ids, or its filters (`tag:Name=shared, vpc-id=vpc-1`).
fn describe(r: &Req<'_>, ids_field: &str) -> String {
    let mut parts: Vec<String> = r.ss(ids_field);
    parts.extend(r.arr("Filters").iter().map(|f| {
        let f = r.at(f);
        format!(
            "{}={}",
            f.os("Name").unwrap_or_default(),
            f.ss("Values").join("|")
        )
    }));
    parts.join(", ")
}
