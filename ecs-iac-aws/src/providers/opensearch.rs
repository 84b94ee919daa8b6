//! OpenSearch Service: domains the stack owns.

use super::{gone_is_deleted, not_supported, owned, request, response, Existing, Outcome, Target};
use crate::body::Req;
use crate::clients::Aws;
use crate::error::ProviderError;
use aws_sdk_opensearch::types as os;
use ecs_iac_core::kind::OpenSearchKind;
use serde_json::{json, Value};

sdk_err!(search_err, aws_sdk_opensearch, "opensearch");

/// The errors of a domain that does not exist.
const GONE: [&str; 1] = ["ResourceNotFoundException"];

fn cluster(r: &Req<'_>) -> Option<os::ClusterConfig> {
    let c = r.obj("ClusterConfig")?;
    Some(
        os::ClusterConfig::builder()
            .set_instance_type(c.os("InstanceType").map(|t| t.as_str().into()))
            .set_instance_count(c.oi("InstanceCount"))
            .build(),
    )
}

fn ebs(r: &Req<'_>) -> Option<os::EbsOptions> {
    let e = r.obj("EBSOptions")?;
    Some(
        os::EbsOptions::builder()
            .set_ebs_enabled(e.ob("EBSEnabled"))
            .set_volume_type(e.os("VolumeType").map(|t| t.as_str().into()))
            .set_volume_size(e.oi("VolumeSize"))
            .build(),
    )
}

fn node_to_node(r: &Req<'_>) -> Option<os::NodeToNodeEncryptionOptions> {
    let n = r.obj("NodeToNodeEncryptionOptions")?;
    Some(
        os::NodeToNodeEncryptionOptions::builder()
            .set_enabled(n.ob("Enabled"))
            .build(),
    )
}

fn at_rest(r: &Req<'_>) -> Option<os::EncryptionAtRestOptions> {
    let e = r.obj("EncryptionAtRestOptions")?;
    Some(
        os::EncryptionAtRestOptions::builder()
            .set_enabled(e.ob("Enabled"))
            .set_kms_key_id(e.os("KmsKeyId"))
            .build(),
    )
}

fn endpoint(r: &Req<'_>) -> Option<os::DomainEndpointOptions> {
    let e = r.obj("DomainEndpointOptions")?;
    Some(
        os::DomainEndpointOptions::builder()
            .set_enforce_https(e.ob("EnforceHTTPS"))
            .set_tls_security_policy(e.os("TLSSecurityPolicy").map(|p| p.as_str().into()))
            .build(),
    )
}

fn security(r: &Req<'_>) -> Option<os::AdvancedSecurityOptionsInput> {
    let s = r.obj("AdvancedSecurityOptions")?;
    let master = s.obj("MasterUserOptions").map(|m| {
        os::MasterUserOptions::builder()
            .set_master_user_name(m.os("MasterUserName"))
            .set_master_user_password(m.os("MasterUserPassword"))
            .set_master_user_arn(m.os("MasterUserARN"))
            .build()
    });
    Some(
        os::AdvancedSecurityOptionsInput::builder()
            .set_enabled(s.ob("Enabled"))
            .set_internal_user_database_enabled(s.ob("InternalUserDatabaseEnabled"))
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
            let name = r.s("DomainName")?;
            let out = aws
                .once
                .opensearch
                .create_domain()
                .domain_name(&name)
                .set_engine_version(r.os("EngineVersion"))
                .set_cluster_config(cluster(r))
                .set_ebs_options(ebs(r))
                .set_node_to_node_encryption_options(node_to_node(r))
                .set_encryption_at_rest_options(at_rest(r))
                .set_domain_endpoint_options(endpoint(r))
                .set_advanced_security_options(security(r))
                .set_access_policies(r.os("AccessPolicies"))
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
                            "DomainName",
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
    let changed = |field: &str| t.changed.iter().any(|c| c == field);
    let mut call = aws.c.opensearch.update_domain_config().domain_name(e.id);
    if changed("ClusterConfig") {
        call = call.set_cluster_config(cluster(r));
    }
    if changed("EBSOptions") {
        call = call.set_ebs_options(ebs(r));
    }
    if changed("NodeToNodeEncryptionOptions") {
        call = call.set_node_to_node_encryption_options(node_to_node(r));
    }
    if changed("EncryptionAtRestOptions") {
        call = call.set_encryption_at_rest_options(at_rest(r));
    }
    if changed("DomainEndpointOptions") {
        call = call.set_domain_endpoint_options(endpoint(r));
    }
    if changed("AdvancedSecurityOptions") {
        call = call.set_advanced_security_options(security(r));
    }
    if changed("AccessPolicies") {
        // An empty policy removes it.
        call = call.access_policies(r.os("AccessPolicies").unwrap_or_default());
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
    let mut seen = json!({
        "DomainName": d.domain_name(),
        "EngineVersion": d.engine_version(),
        "ClusterConfig": {
            "InstanceType": cluster.and_then(|c| c.instance_type()).map(|t| t.as_str()),
            "InstanceCount": cluster.and_then(|c| c.instance_count()),
        },
        "EBSOptions": {
            "EBSEnabled": ebs.and_then(|e| e.ebs_enabled()),
            "VolumeType": ebs.and_then(|e| e.volume_type()).map(|t| t.as_str()),
            "VolumeSize": ebs.and_then(|e| e.volume_size()),
        },
        "NodeToNodeEncryptionOptions": {
            "Enabled": d.node_to_node_encryption_options().and_then(|n| n.enabled()).unwrap_or(false),
        },
        "EncryptionAtRestOptions": {
            "Enabled": d.encryption_at_rest_options().and_then(|e| e.enabled()).unwrap_or(false),
        },
        "DomainEndpointOptions": {
            "EnforceHTTPS": d.domain_endpoint_options().and_then(|o| o.enforce_https()).unwrap_or(false),
            "TLSSecurityPolicy": d
                .domain_endpoint_options()
                .and_then(|o| o.tls_security_policy())
                .map(|p| p.as_str()),
        },
    });
    // The key AWS picked for `aws/es` is not drift.
    if applied["EncryptionAtRestOptions"]["KmsKeyId"].is_string() {
        seen["EncryptionAtRestOptions"]["KmsKeyId"] = d
            .encryption_at_rest_options()
            .and_then(|e| e.kms_key_id())
            .into();
    }
    if security.and_then(|s| s.enabled()) == Some(true) {
        seen["AdvancedSecurityOptions"] = json!({
            "Enabled": true,
            "InternalUserDatabaseEnabled": security.and_then(|s| s.internal_user_database_enabled()).unwrap_or(false),
            "MasterUserOptions": applied["AdvancedSecurityOptions"]["MasterUserOptions"],
        });
    }
    if let Some(policy) = d.access_policies().filter(|p| !p.trim().is_empty()) {
        seen["AccessPolicies"] = policy.into();
    }
    Ok(Some(seen))
}

/// The domain of this stack and address: its name, if its tags say it is ours.
pub(super) async fn find(
    aws: &Aws,
    k: OpenSearchKind,
    t: &Target<'_>,
) -> Result<Option<Outcome>, ProviderError> {
    let OpenSearchKind::Domain = k;
    let (a, c) = (t.address, &aws.c.opensearch);
    let name = t.req.s("DomainName")?;
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
