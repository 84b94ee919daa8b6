//! Lookups of resources the stack refers to and does not own (`Vpc::existing`,
//! `Cluster::existing`, `Certificate::for_domain`, …): one describe call with the ids,
//! names or filters the request names, which must match exactly one resource. A lookup
//! that matches nothing is [`ProviderError::Missing`], naming what was looked for; one
//! that matches several is an error listing them.

use super::{Outcome, Target};
use crate::clients::Aws;
use crate::error::{Missing, ProviderError};
use aws_sdk_ec2::types::Filter;
use ecs_iac_core::kind::Ec2Kind;
use ecs_iac_core::requests::ec2::{
    DescribeSecurityGroups, DescribeSubnets, DescribeVpcs, Filter as DescribeFilter,
};
use ecs_iac_core::requests::ecr::DescribeRepositories;
use ecs_iac_core::requests::kms::DescribeKey;
use ecs_iac_core::requests::sns::GetTopicAttributes;

sdk_err!(err, aws_sdk_ec2, "ec2");
sdk_err!(ecs_err, aws_sdk_ecs, "ecs");
sdk_err!(
    elbv2_err,
    aws_sdk_elasticloadbalancingv2,
    "elasticloadbalancingv2"
);
sdk_err!(discovery_err, aws_sdk_servicediscovery, "servicediscovery");
sdk_err!(acm_err, aws_sdk_acm, "acm");
sdk_err!(kms_err, aws_sdk_kms, "kms");
sdk_err!(sns_err, aws_sdk_sns, "sns");
sdk_err!(ecr_err, aws_sdk_ecr, "ecr");

/// What is looked for, for messages: the request field naming it, what it is, and how
/// the stack names it.
struct Sought<'a> {
    t: &'a Target<'a>,
    field: &'static str,
    what: &'static str,
    described: String,
    operation: &'static str,
}

impl Sought<'_> {
    /// Nothing matches.
    fn missing(&self, detail: impl std::fmt::Display) -> ProviderError {
        ProviderError::Missing(Box::new(Missing {
            address: self.t.address.to_string(),
            field: self.field.to_string(),
            what: self.what,
            id: self.described.clone(),
            detail: format!("{}: {detail}", self.operation),
            used_by: Vec::new(),
        }))
    }

    /// The outcome of exactly one match; none is [`Sought::missing`], several an error
    /// naming them.
    fn exactly_one(&self, mut matches: Vec<Outcome>) -> Result<Outcome, ProviderError> {
        match matches.len() {
            0 => Err(self.missing(format!("no {} matches", self.what))),
            1 => Ok(matches.remove(0)),
            n => Err(ProviderError::Request {
                address: self.t.address.to_string(),
                field: self.field.into(),
                problem: format!(
                    "the lookup {} matches {n} {}s ({}); it must match exactly one: narrow it, or name it by id or ARN",
                    self.described,
                    self.what,
                    matches.iter().map(|m| m.id.as_str()).collect::<Vec<_>>().join(", ")
                ),
            }),
        }
    }

    /// `result`, with an error whose code says "not found" turned into [`Sought::missing`].
    fn found<T>(
        &self,
        result: Result<T, ProviderError>,
        not_found: &[&str],
    ) -> Result<T, ProviderError> {
        match result {
            Err(e) if e.code().is_some_and(|c| not_found.contains(&c)) => {
                Err(self.missing(e.aws_message()))
            }
            other => other,
        }
    }
}

/// Looks up the EC2 resource of `t` (an `Existing*` kind).
pub(super) async fn ec2(aws: &Aws, k: Ec2Kind, t: &Target<'_>) -> Result<Outcome, ProviderError> {
    let (c, a, r) = (&aws.c.ec2, t.address, &t.req);
    // The three describe requests differ only in the name of their ids.
    let (what, ids_field, operation, ids, filters) = match k {
        Ec2Kind::ExistingVpc => {
            let q: DescribeVpcs = r.decode()?;
            let field = DescribeVpcs::FIELD.vpc_ids;
            ("VPC", field, "DescribeVpcs", q.vpc_ids, q.filters)
        }
        Ec2Kind::ExistingSubnet => {
            let q: DescribeSubnets = r.decode()?;
            let field = DescribeSubnets::FIELD.subnet_ids;
            ("subnet", field, "DescribeSubnets", q.subnet_ids, q.filters)
        }
        _ => {
            let q: DescribeSecurityGroups = r.decode()?;
            let field = DescribeSecurityGroups::FIELD.group_ids;
            let operation = "DescribeSecurityGroups";
            ("security group", field, operation, q.group_ids, q.filters)
        }
    };
    let (ids, filters) = (ids.unwrap_or_default(), filters.unwrap_or_default());
    let described = describe(&ids, &filters);
    let ids = (!ids.is_empty()).then_some(ids);
    let filters = sdk_filters(filters);
    let result: Result<Vec<Outcome>, ProviderError> = match k {
        Ec2Kind::ExistingVpc => c
            .describe_vpcs()
            .set_vpc_ids(ids)
            .set_filters(filters)
            .send()
            .await
            .map(|out| {
                out.vpcs()
                    .iter()
                    .map(|v| {
                        Outcome::new(v.vpc_id().unwrap_or_default())
                            .with("cidr", v.cidr_block().unwrap_or_default())
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
                    .map(|s| {
                        Outcome::new(s.subnet_id().unwrap_or_default())
                            .with("cidr", s.cidr_block().unwrap_or_default())
                            .with("vpc_id", s.vpc_id().unwrap_or_default())
                            .with(
                                "availability_zone",
                                s.availability_zone().unwrap_or_default(),
                            )
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
                    .map(|g| {
                        Outcome::new(g.group_id().unwrap_or_default())
                            .with("name", g.group_name().unwrap_or_default())
                            .with("vpc_id", g.vpc_id().unwrap_or_default())
                    })
                    .collect()
            })
            .map_err(err(a, operation)),
    };
    let sought = Sought {
        t,
        field: ids_field,
        what,
        described,
        operation,
    };
    let matches = match result {
        Ok(found) => found,
        // An id that does not exist (`InvalidVpcID.NotFound`, …).
        Err(e) if e.code().is_some_and(|c| c.ends_with(".NotFound")) => {
            return Err(sought.missing(e.aws_message()))
        }
        Err(e) => return Err(e),
    };
    sought.exactly_one(matches)
}

/// Describe filters as the SDK takes them (`None` when there are none).
fn sdk_filters(filters: Vec<DescribeFilter>) -> Option<Vec<Filter>> {
    let filters: Vec<Filter> = filters
        .into_iter()
        .map(|f| {
            Filter::builder()
                .set_name(f.name)
                .set_values(Some(f.values.unwrap_or_default()))
                .build()
        })
        .collect();
    (!filters.is_empty()).then_some(filters)
}

/// How messages name a lookup: its ids, or its filters (`tag:Name=shared, vpc-id=vpc-1`).
fn describe(ids: &[String], filters: &[DescribeFilter]) -> String {
    let mut parts: Vec<String> = ids.to_vec();
    parts.extend(filters.iter().map(|f| {
        format!(
            "{}={}",
            f.name.as_deref().unwrap_or_default(),
            f.values.as_deref().unwrap_or_default().join("|")
        )
    }));
    parts.join(", ")
}

/// The ECS cluster `clusters[0]`; it must be `ACTIVE` (a deleted cluster stays
/// `INACTIVE` for a while and takes no services).
pub(super) async fn ecs_cluster(aws: &Aws, t: &Target<'_>) -> Result<Outcome, ProviderError> {
    use ecs_iac_core::requests::ecs::DescribeClusters;
    let q: DescribeClusters = t.req.decode()?;
    let names = q.clusters.unwrap_or_default();
    let sought = Sought {
        t,
        field: DescribeClusters::FIELD.clusters,
        what: "ECS cluster",
        described: names.join(", "),
        operation: "ecs:DescribeClusters",
    };
    let out = aws
        .c
        .ecs
        .describe_clusters()
        .set_clusters(Some(names))
        .send()
        .await
        .map_err(ecs_err(t.address, "DescribeClusters"))?;
    let matches = out
        .clusters()
        .iter()
        .filter(|c| c.status() == Some("ACTIVE"))
        .map(|c| {
            Outcome::new(c.cluster_arn().unwrap_or_default())
                .with("arn", c.cluster_arn().unwrap_or_default())
                .with("name", c.cluster_name().unwrap_or_default())
        })
        .collect();
    sought.exactly_one(matches)
}

/// The load balancer named in `Names` or `LoadBalancerArns`, recorded by `outcome` (the
/// ELBv2 provider's, so both record the same attributes).
pub(super) async fn load_balancer(
    aws: &Aws,
    t: &Target<'_>,
    outcome: fn(&aws_sdk_elasticloadbalancingv2::types::LoadBalancer) -> Option<Outcome>,
) -> Result<Outcome, ProviderError> {
    use ecs_iac_core::requests::elbv2::DescribeLoadBalancers;
    let q: DescribeLoadBalancers = t.req.decode()?;
    let names = q.names.unwrap_or_default();
    let arns = q.load_balancer_arns.unwrap_or_default();
    let sought = Sought {
        t,
        field: if arns.is_empty() {
            DescribeLoadBalancers::FIELD.names
        } else {
            DescribeLoadBalancers::FIELD.load_balancer_arns
        },
        what: "load balancer",
        described: names
            .iter()
            .chain(&arns)
            .cloned()
            .collect::<Vec<_>>()
            .join(", "),
        operation: "elasticloadbalancingv2:DescribeLoadBalancers",
    };
    let out = aws
        .c
        .elbv2
        .describe_load_balancers()
        .set_names((!names.is_empty()).then_some(names))
        .set_load_balancer_arns((!arns.is_empty()).then_some(arns))
        .send()
        .await
        .map_err(elbv2_err(t.address, "DescribeLoadBalancers"));
    let out = sought.found(out, &["LoadBalancerNotFound"])?;
    let matches = out.load_balancers().iter().filter_map(outcome).collect();
    sought.exactly_one(matches)
}

/// The listener named in `ListenerArns`.
pub(super) async fn listener(aws: &Aws, t: &Target<'_>) -> Result<Outcome, ProviderError> {
    use ecs_iac_core::requests::elbv2::DescribeListeners;
    let q: DescribeListeners = t.req.decode()?;
    let arns = q.listener_arns.unwrap_or_default();
    let sought = Sought {
        t,
        field: DescribeListeners::FIELD.listener_arns,
        what: "listener",
        described: arns.join(", "),
        operation: "elasticloadbalancingv2:DescribeListeners",
    };
    let out = aws
        .c
        .elbv2
        .describe_listeners()
        .set_listener_arns(Some(arns))
        .send()
        .await
        .map_err(elbv2_err(t.address, "DescribeListeners"));
    let out = sought.found(out, &["ListenerNotFound"])?;
    let matches = out
        .listeners()
        .iter()
        .map(|l| {
            Outcome::new(l.listener_arn().unwrap_or_default())
                .with("arn", l.listener_arn().unwrap_or_default())
                .with(
                    "load_balancer_arn",
                    l.load_balancer_arn().unwrap_or_default(),
                )
                .with("port", l.port().unwrap_or_default().to_string())
        })
        .collect();
    sought.exactly_one(matches)
}

/// The Cloud Map namespace named by the `NAME` filter. The name is compared here too:
/// the filter narrows the list, and every page is read.
pub(super) async fn namespace(aws: &Aws, t: &Target<'_>) -> Result<Outcome, ProviderError> {
    use aws_sdk_servicediscovery::types::{FilterCondition, NamespaceFilter, NamespaceFilterName};
    use ecs_iac_core::requests::servicediscovery::ListNamespaces;
    let q: ListNamespaces = t.req.decode()?;
    let filter = q.filters.unwrap_or_default().into_iter().next();
    let name = filter
        .and_then(|f| f.values)
        .map(|values| values.join(""))
        .unwrap_or_default();
    let sought = Sought {
        t,
        field: ListNamespaces::FIELD.filters,
        what: "Cloud Map namespace",
        described: name.clone(),
        operation: "servicediscovery:ListNamespaces",
    };
    let by_name = NamespaceFilter::builder()
        .name(NamespaceFilterName::Name)
        .values(&name)
        .condition(FilterCondition::Eq)
        .build()
        .map_err(|e| super::request(t.address, ListNamespaces::FIELD.filters, e.to_string()))?;
    let mut matches = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let out = aws
            .c
            .discovery
            .list_namespaces()
            .filters(by_name.clone())
            .set_next_token(next.take())
            .send()
            .await
            .map_err(discovery_err(t.address, "ListNamespaces"))?;
        matches.extend(
            out.namespaces()
                .iter()
                .filter(|n| n.name() == Some(name.as_str()))
                .map(|n| {
                    Outcome::new(n.id().unwrap_or_default())
                        .with("arn", n.arn().unwrap_or_default())
                        .with("name", n.name().unwrap_or_default())
                }),
        );
        match out.next_token() {
            Some(token) if !token.is_empty() => next = Some(token.to_string()),
            _ => break,
        }
    }
    sought.exactly_one(matches)
}

/// The certificate `CertificateArn`; it must be issued (a listener refuses one pending
/// validation, expired or revoked).
pub(super) async fn certificate(aws: &Aws, t: &Target<'_>) -> Result<Outcome, ProviderError> {
    use ecs_iac_core::requests::acm::DescribeCertificate;
    const FIELD: &str = DescribeCertificate::FIELD.certificate_arn;
    let q: DescribeCertificate = t.req.decode()?;
    let arn = t.req.required(q.certificate_arn, FIELD)?;
    let sought = Sought {
        t,
        field: FIELD,
        what: "ACM certificate",
        described: arn.clone(),
        operation: "acm:DescribeCertificate",
    };
    let out = aws
        .c
        .acm
        .describe_certificate()
        .certificate_arn(&arn)
        .send()
        .await
        .map_err(acm_err(t.address, "DescribeCertificate"));
    let out = sought.found(out, &["ResourceNotFoundException"])?;
    let cert = out
        .certificate()
        .ok_or_else(|| super::response(t.address, sought.operation, "Certificate"))?;
    match cert.status() {
        Some(aws_sdk_acm::types::CertificateStatus::Issued) => {}
        status => {
            let status = status.map(|s| s.as_str().to_string()).unwrap_or_default();
            return Err(sought.missing(format!("the certificate is {status}, not ISSUED")));
        }
    }
    Ok(Outcome::new(&arn)
        .with("arn", &arn)
        .with("domain_name", cert.domain_name().unwrap_or_default()))
}

/// The issued certificate whose subject alternative names include the domain of the
/// request's `DnsName` filter (`SearchCertificates`, every page).
pub(super) async fn certificate_for_domain(
    aws: &Aws,
    t: &Target<'_>,
) -> Result<Outcome, ProviderError> {
    use aws_sdk_acm::types::{
        AcmCertificateMetadataFilter, CertificateFilter, CertificateFilterStatement,
        CertificateStatus, ComparisonOperator, DnsNameFilter, SubjectAlternativeNameFilter,
        X509AttributeFilter,
    };
    use ecs_iac_core::requests::acm::SearchCertificates;
    const FIELD: &str = SearchCertificates::FIELD.filter_statement;
    let q: SearchCertificates = t.req.decode()?;
    // The domain of the first statement of `And`: the DNS name filter the core renders.
    let domain = q
        .filter_statement
        .and_then(|s| s.and)
        .and_then(|and| and.into_iter().next())
        .and_then(|s| s.filter)
        .and_then(|f| f.x509_attribute_filter)
        .and_then(|x| x.subject_alternative_name)
        .and_then(|san| san.dns_name)
        .and_then(|dns| dns.value)
        .ok_or_else(|| super::request(t.address, FIELD, "names no domain"))?;
    let sought = Sought {
        t,
        field: FIELD,
        what: "issued ACM certificate",
        described: format!("for domain {domain}"),
        operation: "acm:SearchCertificates",
    };
    let dns = DnsNameFilter::builder()
        .value(&domain)
        .comparison_operator(ComparisonOperator::Equals)
        .build()
        .map_err(|e| super::request(t.address, FIELD, e.to_string()))?;
    let statement = CertificateFilterStatement::And(vec![
        CertificateFilterStatement::Filter(CertificateFilter::X509AttributeFilter(
            X509AttributeFilter::SubjectAlternativeName(SubjectAlternativeNameFilter::DnsName(dns)),
        )),
        CertificateFilterStatement::Filter(CertificateFilter::AcmCertificateMetadataFilter(
            AcmCertificateMetadataFilter::Status(CertificateStatus::Issued),
        )),
    ]);
    let mut matches = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let out = aws
            .c
            .acm
            .search_certificates()
            .filter_statement(statement.clone())
            .set_next_token(next.take())
            .send()
            .await
            .map_err(acm_err(t.address, "SearchCertificates"))?;
        matches.extend(out.results().iter().filter_map(|r| {
            let arn = r.certificate_arn()?;
            Some(
                Outcome::new(arn)
                    .with("arn", arn)
                    .with("domain_name", &domain),
            )
        }));
        match out.next_token() {
            Some(token) if !token.is_empty() => next = Some(token.to_string()),
            _ => break,
        }
    }
    sought.exactly_one(matches)
}

/// The KMS key `KeyId` (an id, ARN or alias); it must be enabled.
pub(super) async fn kms_key(aws: &Aws, t: &Target<'_>) -> Result<Outcome, ProviderError> {
    let q: DescribeKey = t.req.decode()?;
    let field = DescribeKey::FIELD.key_id;
    let key = t.req.required(q.key_id, field)?;
    let sought = Sought {
        t,
        field,
        what: "KMS key",
        described: key.clone(),
        operation: "kms:DescribeKey",
    };
    let out = aws
        .c
        .kms
        .describe_key()
        .key_id(&key)
        .send()
        .await
        .map_err(kms_err(t.address, "DescribeKey"));
    let out = sought.found(out, &["NotFoundException"])?;
    let meta = out
        .key_metadata()
        .ok_or_else(|| super::response(t.address, sought.operation, "KeyMetadata"))?;
    if !meta.enabled() {
        let state = meta
            .key_state()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default();
        return Err(sought.missing(format!("the key is {state}, not enabled")));
    }
    Ok(Outcome::new(meta.key_id()).with("arn", meta.arn().unwrap_or_default()))
}

/// The SNS topic `TopicArn`.
pub(super) async fn topic(aws: &Aws, t: &Target<'_>) -> Result<Outcome, ProviderError> {
    let q: GetTopicAttributes = t.req.decode()?;
    let field = GetTopicAttributes::FIELD.topic_arn;
    let arn = t.req.required(q.topic_arn, field)?;
    let sought = Sought {
        t,
        field,
        what: "SNS topic",
        described: arn.clone(),
        operation: "sns:GetTopicAttributes",
    };
    let out = aws
        .c
        .sns
        .get_topic_attributes()
        .topic_arn(&arn)
        .send()
        .await
        .map_err(sns_err(t.address, "GetTopicAttributes"));
    let out = sought.found(out, &["NotFound", "NotFoundException"])?;
    let arn = out
        .attributes()
        .and_then(|a| a.get(field))
        .cloned()
        .unwrap_or(arn);
    let name = arn.rsplit(':').next().unwrap_or_default().to_string();
    Ok(Outcome::new(&arn).with("arn", &arn).with("name", name))
}

/// The ECR repository `repositoryNames[0]`.
pub(super) async fn repository(aws: &Aws, t: &Target<'_>) -> Result<Outcome, ProviderError> {
    let q: DescribeRepositories = t.req.decode()?;
    let names = q.repository_names.unwrap_or_default();
    let sought = Sought {
        t,
        field: DescribeRepositories::FIELD.repository_names,
        what: "ECR repository",
        described: names.join(", "),
        operation: "ecr:DescribeRepositories",
    };
    let out = aws
        .c
        .ecr
        .describe_repositories()
        .set_repository_names(Some(names))
        .send()
        .await
        .map_err(ecr_err(t.address, "DescribeRepositories"));
    let out = sought.found(out, &["RepositoryNotFoundException"])?;
    let matches = out
        .repositories()
        .iter()
        .map(|r| {
            Outcome::new(r.repository_name().unwrap_or_default())
                .with("arn", r.repository_arn().unwrap_or_default())
                .with("name", r.repository_name().unwrap_or_default())
                .with("uri", r.repository_uri().unwrap_or_default())
        })
        .collect();
    sought.exactly_one(matches)
}
