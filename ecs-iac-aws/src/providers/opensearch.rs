//! OpenSearch Service: domains the stack owns.

use super::{
    gone_is_deleted, not_supported, observed, owned, request, response, Existing, Outcome, Target,
};
use crate::body::Req;
use crate::clients::Aws;
use crate::error::ProviderError;
use aws_sdk_opensearch::types as os;
use ecs_iac_core::kind::OpenSearchKind;
use ecs_iac_core::requests::opensearch::{
    AdvancedSecurityOptions, ClusterConfig, CreateDomain, CreateDomainFields,
    DomainEndpointOptions, EbsOptions, EncryptionAtRestOptions, MasterUserOptions,
    NodeToNodeEncryptionOptions,
};
use serde_json::Value;

sdk_err!(search_err, aws_sdk_opensearch, "opensearch");

/// The errors of a domain that does not exist.
const GONE: [&str; 1] = ["ResourceNotFoundException"];

/// The AWS names of a domain's request fields.
const DOMAIN: CreateDomainFields = CreateDomain::FIELD;

/// A request count or size as the SDK takes it.
fn int(n: Option<u32>) -> Option<i32> {
    n.and_then(|n| i32::try_from(n).ok())
}

/// A count or size AWS reports, as the request has it.
fn uint(n: Option<i32>) -> Option<u32> {
    n.and_then(|n| u32::try_from(n).ok())
}

fn cluster(c: Option<ClusterConfig>) -> Option<os::ClusterConfig> {
    let c = c?;
    Some(
        os::ClusterConfig::builder()
            .set_instance_type(c.instance_type.map(|t| t.as_str().into()))
            .set_instance_count(int(c.instance_count))
            .build(),
    )
}

fn ebs(e: Option<EbsOptions>) -> Option<os::EbsOptions> {
    let e = e?;
    Some(
        os::EbsOptions::builder()
            .set_ebs_enabled(e.ebs_enabled)
            .set_volume_type(e.volume_type.map(|t| t.as_str().into()))
            .set_volume_size(int(e.volume_size))
            .build(),
    )
}

fn node_to_node(n: Option<NodeToNodeEncryptionOptions>) -> Option<os::NodeToNodeEncryptionOptions> {
    Some(
        os::NodeToNodeEncryptionOptions::builder()
            .set_enabled(n?.enabled)
            .build(),
    )
}

fn at_rest(e: Option<EncryptionAtRestOptions>) -> Option<os::EncryptionAtRestOptions> {
    let e = e?;
    Some(
        os::EncryptionAtRestOptions::builder()
            .set_enabled(e.enabled)
            .set_kms_key_id(e.kms_key_id)
            .build(),
    )
}

fn endpoint(e: Option<DomainEndpointOptions>) -> Option<os::DomainEndpointOptions> {
    let e = e?;
    Some(
        os::DomainEndpointOptions::builder()
            .set_enforce_https(e.enforce_https)
            .set_tls_security_policy(e.tls_security_policy.map(|p| p.as_str().into()))
            .build(),
    )
}

fn security(s: Option<AdvancedSecurityOptions>) -> Option<os::AdvancedSecurityOptionsInput> {
    let s = s?;
    let master = s.master_user_options.map(|m| {
        os::MasterUserOptions::builder()
            .set_master_user_name(m.master_user_name)
            .set_master_user_password(m.master_user_password)
            .set_master_user_arn(m.master_user_arn)
            .build()
    });
    Some(
        os::AdvancedSecurityOptionsInput::builder()
            .set_enabled(s.enabled)
            .set_internal_user_database_enabled(s.internal_user_database_enabled)
            .set_master_user_options(master)
            .build(),
    )
}

fn tags(r: &Req<'_>) -> Result<Vec<os::Tag>, ProviderError> {
    r.tags("TagList")
        .into_iter()
        .map(|(k, v)| os::Tag::builder().key(k).value(v).build())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|x| request(r.address, "TagList", x))
}

fn outcome(d: &os::DomainStatus) -> Outcome {
    let mut o = Outcome::new(d.domain_name())
        .with("arn", d.arn())
        .with("name", d.domain_name())
        .with("domain_id", d.domain_id());
    if let Some(endpoint) = d.endpoint() {
        o = o.with("endpoint", endpoint);
    }
    o
}

pub(super) async fn create(
    aws: &Aws,
    k: OpenSearchKind,
    t: &Target<'_>,
) -> Result<Outcome, ProviderError> {
    let (a, r) = (t.address, &t.req);
    match k {
        OpenSearchKind::Domain => {
            let q: CreateDomain = r.decode()?;
            let name = r.required(q.domain_name, DOMAIN.domain_name)?;
            let out = aws
                .once
                .opensearch
                .create_domain()
                .domain_name(&name)
                .set_engine_version(q.engine_version)
                .set_cluster_config(cluster(q.cluster_config))
                .set_ebs_options(ebs(q.ebs_options))
                .set_node_to_node_encryption_options(node_to_node(
                    q.node_to_node_encryption_options,
                ))
                .set_encryption_at_rest_options(at_rest(q.encryption_at_rest_options))
                .set_domain_endpoint_options(endpoint(q.domain_endpoint_options))
                .set_advanced_security_options(security(q.advanced_security_options))
                .set_access_policies(q.access_policies)
                .set_tag_list(Some(tags(r)?))
                .send()
                .await
                .map_err(search_err(a, "CreateDomain"));
            match out {
                Ok(out) => out
                    .domain_status()
                    .map(outcome)
                    .ok_or_else(|| response(a, "opensearch:CreateDomain", "DomainStatus")),
                Err(x) if x.is(&["ResourceAlreadyExistsException"]) => {
                    find(aws, k, t).await?.ok_or_else(|| {
                        request(
                            a,
                            DOMAIN.domain_name,
                            format!("domain `{name}` already exists and is not owned by this stack; import it or pick another name"),
                        )
                    })
                }
                Err(x) => Err(x),
            }
        }
    }
}

/// Changes the domain's configuration in place (`UpdateDomainConfig` with the changed
/// parts); OpenSearch applies it with a blue/green deployment where it needs one.
pub(super) async fn update(
    aws: &Aws,
    k: OpenSearchKind,
    t: &Target<'_>,
    e: &Existing<'_>,
) -> Result<Outcome, ProviderError> {
    let (a, r) = (t.address, &t.req);
    if k != OpenSearchKind::Domain {
        return Err(not_supported(a, t.kind, "modify"));
    }
    let q: CreateDomain = r.decode()?;
    let changed = |field: &str| t.changed.iter().any(|c| c == field);
    let mut call = aws.c.opensearch.update_domain_config().domain_name(e.id);
    if changed(DOMAIN.cluster_config) {
        call = call.set_cluster_config(cluster(q.cluster_config));
    }
    if changed(DOMAIN.ebs_options) {
        call = call.set_ebs_options(ebs(q.ebs_options));
    }
    if changed(DOMAIN.node_to_node_encryption_options) {
        call = call
            .set_node_to_node_encryption_options(node_to_node(q.node_to_node_encryption_options));
    }
    if changed(DOMAIN.encryption_at_rest_options) {
        call = call.set_encryption_at_rest_options(at_rest(q.encryption_at_rest_options));
    }
    if changed(DOMAIN.domain_endpoint_options) {
        call = call.set_domain_endpoint_options(endpoint(q.domain_endpoint_options));
    }
    if changed(DOMAIN.advanced_security_options) {
        call = call.set_advanced_security_options(security(q.advanced_security_options));
    }
    if changed(DOMAIN.access_policies) {
        // An empty policy removes it.
        call = call.access_policies(q.access_policies.unwrap_or_default());
    }
    call.send()
        .await
        .map_err(search_err(a, "UpdateDomainConfig"))?;
    Ok(e.unchanged())
}

/// What the domain is now, in the request's shape; `None` when it is gone or being
/// deleted. The master user's password is never reported back: the request's stands.
pub(super) async fn observe(
    aws: &Aws,
    k: OpenSearchKind,
    e: &Existing<'_>,
    applied: &Value,
) -> Result<Option<Value>, ProviderError> {
    let a = e.address;
    let OpenSearchKind::Domain = k;
    let out = match aws
        .c
        .opensearch
        .describe_domain()
        .domain_name(e.id)
        .send()
        .await
        .map_err(search_err(a, "DescribeDomain"))
    {
        Err(x) if x.is(&GONE) => return Ok(None),
        other => other?,
    };
    let Some(d) = out.domain_status() else {
        return Ok(None);
    };
    if d.deleted() == Some(true) {
        return Ok(None);
    }
    let cluster = d.cluster_config();
    let ebs = d.ebs_options();
    let security = d.advanced_security_options();
    let at_rest = d.encryption_at_rest_options();
    let endpoint = d.domain_endpoint_options();
    // The key AWS picked for `aws/es` is not drift.
    let asked_key = applied[DOMAIN.encryption_at_rest_options]
        [EncryptionAtRestOptions::FIELD.kms_key_id]
        .is_string();
    // The master user's password is never reported back: the request's stands.
    let master = &applied[DOMAIN.advanced_security_options]
        [AdvancedSecurityOptions::FIELD.master_user_options];
    let master = serde_json::from_value::<MasterUserOptions>(master.clone()).ok();
    let now = CreateDomain {
        domain_name: Some(d.domain_name().to_string()),
        engine_version: d.engine_version().map(str::to_string),
        cluster_config: Some(ClusterConfig {
            instance_type: cluster
                .and_then(|c| c.instance_type())
                .map(|t| t.as_str().to_string()),
            instance_count: uint(cluster.and_then(|c| c.instance_count())),
        }),
        ebs_options: Some(EbsOptions {
            ebs_enabled: ebs.and_then(|e| e.ebs_enabled()),
            volume_type: ebs
                .and_then(|e| e.volume_type())
                .map(|t| t.as_str().to_string()),
            volume_size: uint(ebs.and_then(|e| e.volume_size())),
        }),
        node_to_node_encryption_options: Some(NodeToNodeEncryptionOptions {
            enabled: Some(
                d.node_to_node_encryption_options()
                    .and_then(|n| n.enabled())
                    .unwrap_or(false),
            ),
        }),
        encryption_at_rest_options: Some(EncryptionAtRestOptions {
            enabled: Some(at_rest.and_then(|e| e.enabled()).unwrap_or(false)),
            kms_key_id: at_rest
                .and_then(|e| e.kms_key_id())
                .filter(|_| asked_key)
                .map(str::to_string),
        }),
        domain_endpoint_options: Some(DomainEndpointOptions {
            enforce_https: Some(endpoint.and_then(|o| o.enforce_https()).unwrap_or(false)),
            tls_security_policy: endpoint
                .and_then(|o| o.tls_security_policy())
                .map(|p| p.as_str().to_string()),
        }),
        advanced_security_options: (security.and_then(|s| s.enabled()) == Some(true)).then(|| {
            AdvancedSecurityOptions {
                enabled: Some(true),
                internal_user_database_enabled: Some(
                    security
                        .and_then(|s| s.internal_user_database_enabled())
                        .unwrap_or(false),
                ),
                master_user_options: master,
            }
        }),
        access_policies: d
            .access_policies()
            .filter(|p| !p.trim().is_empty())
            .map(str::to_string),
    };
    Ok(Some(observed(a, &now)?))
}

/// The domain of this stack and address: its name, if its tags say it is ours.
pub(super) async fn find(
    aws: &Aws,
    k: OpenSearchKind,
    t: &Target<'_>,
) -> Result<Option<Outcome>, ProviderError> {
    let OpenSearchKind::Domain = k;
    let (a, c) = (t.address, &aws.c.opensearch);
    let q: CreateDomain = t.req.decode()?;
    let name = t.req.required(q.domain_name, DOMAIN.domain_name)?;
    let out = match c
        .describe_domain()
        .domain_name(&name)
        .send()
        .await
        .map_err(search_err(a, "DescribeDomain"))
    {
        Err(x) if x.is(&GONE) => return Ok(None),
        other => other?,
    };
    let Some(d) = out.domain_status().filter(|d| d.deleted() != Some(true)) else {
        return Ok(None);
    };
    let tags = c
        .list_tags()
        .arn(d.arn())
        .send()
        .await
        .map_err(search_err(a, "ListTags"))?;
    let ours = owned(
        tags.tag_list().iter().map(|t| (t.key(), t.value())),
        t.stack,
        t.address,
    );
    Ok(ours.then(|| outcome(d)))
}

/// Deletes the domain and waits until OpenSearch no longer lists it.
pub(super) async fn delete(
    aws: &Aws,
    k: OpenSearchKind,
    e: &Existing<'_>,
) -> Result<(), ProviderError> {
    let OpenSearchKind::Domain = k;
    let (a, c) = (e.address, &aws.c.opensearch);
    let res = c
        .delete_domain()
        .domain_name(e.id)
        .send()
        .await
        .map(drop)
        .map_err(search_err(a, "DeleteDomain"));
    match res {
        Err(x) if x.is(&GONE) => return Ok(()),
        other => gone_is_deleted(other)?,
    }
    aws.poll(a, "OpenSearch domain deletion", || async {
        match c
            .describe_domain()
            .domain_name(e.id)
            .send()
            .await
            .map_err(search_err(a, "DescribeDomain"))
        {
            Err(x) if x.is(&GONE) => Ok(super::Poll::Ready),
            Err(x) => Err(x),
            Ok(_) => Ok(super::Poll::Pending("deleting".into())),
        }
    })
    .await
}

/// Waits until the domain has an endpoint and is no longer processing, and records the
/// endpoint.
pub(super) async fn wait_ready(
    aws: &Aws,
    k: OpenSearchKind,
    t: &Target<'_>,
    o: &mut Outcome,
) -> Result<(), ProviderError> {
    let OpenSearchKind::Domain = k;
    let (a, c) = (t.address, &aws.c.opensearch);
    let name = o.id.clone();
    let name = name.as_str();
    let describe = || async {
        c.describe_domain()
            .domain_name(name)
            .send()
            .await
            .map_err(search_err(a, "DescribeDomain"))
    };
    aws.poll(a, "OpenSearch domain", || async {
        let out = describe().await?;
        Ok(match out.domain_status() {
            Some(d) if d.processing() != Some(true) && d.endpoint().is_some() => super::Poll::Ready,
            Some(_) => super::Poll::Pending("processing".into()),
            None => super::Poll::Pending("not listed yet".into()),
        })
    })
    .await?;
    if let Some(endpoint) = describe().await?.domain_status().and_then(|d| d.endpoint()) {
        o.attributes.insert("endpoint".into(), endpoint.to_string());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_domain_request_decodes_and_a_mistyped_part_is_named_by_its_path() {
        let body = serde_json::json!({
            "DomainName": "logs",
            "ClusterConfig": {"InstanceType": "r6g.large.search", "InstanceCount": 2},
            "TagList": [{"Key": "a", "Value": "b"}],
        });
        let r = Req {
            address: "search",
            body: &body,
        };
        let q: CreateDomain = r.decode().unwrap();
        let config = cluster(q.cluster_config).unwrap();
        assert_eq!(config.instance_count(), Some(2));
        assert_eq!(q.access_policies, None);

        let body = serde_json::json!({"ClusterConfig": {"InstanceCount": "two"}});
        let r = Req {
            address: "search",
            body: &body,
        };
        match r.decode::<CreateDomain>() {
            Err(ProviderError::Request { field, .. }) => {
                assert_eq!(field, "ClusterConfig.InstanceCount");
            }
            other => panic!("a string where a count belongs must fail: {other:?}"),
        }
    }
}
