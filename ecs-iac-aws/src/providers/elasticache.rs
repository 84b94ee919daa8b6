//! ElastiCache: cache subnet groups and replication groups.

use super::{not_owned, Existing, Outcome, Poll, Target};
use crate::body::Req;
use crate::clients::Aws;
use crate::error::ProviderError;
use ecs_iac_core::kind::ElastiCacheKind;
use ecs_iac_core::requests::elasticache::{
    CreateCacheSubnetGroup, CreateCacheSubnetGroupFields, CreateReplicationGroup,
    CreateReplicationGroupFields,
};

sdk_err!(cache_err, aws_sdk_elasticache, "elasticache");

/// The AWS names of a replication group's request fields.
const CACHE: CreateReplicationGroupFields = CreateReplicationGroup::FIELD;
/// The AWS names of a cache subnet group's request fields.
const GROUP: CreateCacheSubnetGroupFields = CreateCacheSubnetGroup::FIELD;

fn elasticache_tags(r: &Req<'_>) -> Vec<aws_sdk_elasticache::types::Tag> {
    r.tags("Tags")
        .into_iter()
        .map(|(k, v)| {
            aws_sdk_elasticache::types::Tag::builder()
                .key(k)
                .value(v)
                .build()
        })
        .collect()
}

pub(super) async fn create(
    aws: &Aws,
    k: ElastiCacheKind,
    t: &Target<'_>,
) -> Result<Outcome, ProviderError> {
    let (a, r) = (t.address, &t.req);
    match k {
        ElastiCacheKind::CacheSubnetGroup => {
            let q: CreateCacheSubnetGroup = r.decode()?;
            let name = r.required(q.cache_subnet_group_name, GROUP.cache_subnet_group_name)?;
            let tags = elasticache_tags(r);
            let res = aws
                .once
                .elasticache
                .create_cache_subnet_group()
                .cache_subnet_group_name(&name)
                .cache_subnet_group_description(r.required(
                    q.cache_subnet_group_description,
                    GROUP.cache_subnet_group_description,
                )?)
                .set_subnet_ids(Some(r.required(q.subnet_ids, GROUP.subnet_ids)?))
                .set_tags(Some(tags))
                .send()
                .await
                .map_err(cache_err(a, "CreateCacheSubnetGroup"));
            match res {
                Ok(out) => Ok(Outcome::new(&name).with(
                    "arn",
                    out.cache_subnet_group()
                        .and_then(|g| g.arn())
                        .unwrap_or_default(),
                )),
                Err(e)
                    if e.is(&[
                        "CacheSubnetGroupAlreadyExists",
                        "CacheSubnetGroupAlreadyExistsFault",
                    ]) =>
                {
                    Ok(Outcome::new(&name))
                }
                Err(e) => Err(e),
            }
        }
        ElastiCacheKind::ReplicationGroup => {
            let q: CreateReplicationGroup = r.decode()?;
            let id = r.required(q.replication_group_id, CACHE.replication_group_id)?;
            let tags = elasticache_tags(r);
            let res = aws
                .once
                .elasticache
                .create_replication_group()
                .replication_group_id(&id)
                .replication_group_description(r.required(
                    q.replication_group_description,
                    CACHE.replication_group_description,
                )?)
                .set_engine(q.engine)
                .set_engine_version(q.engine_version)
                .set_cache_node_type(q.cache_node_type)
                .set_num_cache_clusters(q.num_cache_clusters)
                .set_multi_az_enabled(q.multi_az_enabled)
                .set_automatic_failover_enabled(q.automatic_failover_enabled)
                .set_at_rest_encryption_enabled(q.at_rest_encryption_enabled)
                .set_transit_encryption_enabled(q.transit_encryption_enabled)
                .set_auth_token(q.auth_token)
                .set_cache_subnet_group_name(q.cache_subnet_group_name)
                .set_security_group_ids(q.security_group_ids.filter(|g| !g.is_empty()))
                .set_port(q.port)
                .set_tags(Some(tags))
                .send()
                .await
                .map_err(cache_err(a, "CreateReplicationGroup"));
            match res {
                Ok(out) => Ok(Outcome::new(&id).with(
                    "arn",
                    out.replication_group()
                        .and_then(|g| g.arn())
                        .unwrap_or_default(),
                )),
                Err(e)
                    if e.is(&[
                        "ReplicationGroupAlreadyExists",
                        "ReplicationGroupAlreadyExistsFault",
                    ]) =>
                {
                    find(aws, k, t)
                        .await?
                        .ok_or_else(|| not_owned(a, CACHE.replication_group_id, &id))
                }
                Err(e) => Err(e),
            }
        }
    }
}

/// Modifies a DB instance (class, storage, backups, multi-AZ, deletion protection, …) or
/// a replication group (node type, failover, multi-AZ, security groups) in place, then
/// waits until it is available again. `ApplyImmediately` follows
/// [`crate::EngineConfig::apply_immediately`]; otherwise AWS applies the change in the
/// next maintenance window.
pub(super) async fn update(
    aws: &Aws,
    k: ElastiCacheKind,
    t: &Target<'_>,
    e: &Existing<'_>,
) -> Result<Outcome, ProviderError> {
    let (a, r) = (t.address, &t.req);
    let now = aws.config.apply_immediately;
    match k {
        ElastiCacheKind::CacheSubnetGroup => {
            let q: CreateCacheSubnetGroup = r.decode()?;
            aws.c
                .elasticache
                .modify_cache_subnet_group()
                .cache_subnet_group_name(e.id)
                .set_cache_subnet_group_description(q.cache_subnet_group_description)
                .set_subnet_ids(Some(r.required(q.subnet_ids, GROUP.subnet_ids)?))
                .send()
                .await
                .map_err(cache_err(a, "ModifyCacheSubnetGroup"))?;
        }
        ElastiCacheKind::ReplicationGroup => {
            let q: CreateReplicationGroup = r.decode()?;
            aws.c
                .elasticache
                .modify_replication_group()
                .replication_group_id(e.id)
                .set_replication_group_description(q.replication_group_description)
                .set_cache_node_type(q.cache_node_type)
                .set_engine_version(q.engine_version)
                .set_automatic_failover_enabled(q.automatic_failover_enabled)
                .set_multi_az_enabled(q.multi_az_enabled)
                .set_security_group_ids(q.security_group_ids.filter(|g| !g.is_empty()))
                .apply_immediately(now)
                .send()
                .await
                .map_err(cache_err(a, "ModifyReplicationGroup"))?;
        }
    }
    Ok(e.unchanged())
}

/// Whether a cache subnet group or replication group still exists; `None` when it is
/// gone.
pub(super) async fn observe(
    aws: &Aws,
    k: ElastiCacheKind,
    e: &Existing<'_>,
    _applied: &serde_json::Value,
) -> Result<Option<serde_json::Value>, ProviderError> {
    let a = e.address;
    let exists = |found: bool| Ok(found.then(|| serde_json::json!({})));
    match k {
        ElastiCacheKind::CacheSubnetGroup => {
            match aws
                .c
                .elasticache
                .describe_cache_subnet_groups()
                .cache_subnet_group_name(e.id)
                .send()
                .await
                .map_err(cache_err(a, "DescribeCacheSubnetGroups"))
            {
                Ok(out) => exists(!out.cache_subnet_groups().is_empty()),
                Err(x) if x.is(&["CacheSubnetGroupNotFoundFault"]) => Ok(None),
                Err(x) => Err(x),
            }
        }
        ElastiCacheKind::ReplicationGroup => {
            match aws
                .c
                .elasticache
                .describe_replication_groups()
                .replication_group_id(e.id)
                .send()
                .await
                .map_err(cache_err(a, "DescribeReplicationGroups"))
            {
                Ok(out) => exists(
                    out.replication_groups()
                        .iter()
                        .any(|g| g.status() != Some("deleting")),
                ),
                Err(x) if x.is(&["ReplicationGroupNotFoundFault"]) => Ok(None),
                Err(x) => Err(x),
            }
        }
    }
}

pub(super) async fn find(
    aws: &Aws,
    k: ElastiCacheKind,
    t: &Target<'_>,
) -> Result<Option<Outcome>, ProviderError> {
    let (a, r) = (t.address, &t.req);
    match k {
        ElastiCacheKind::ReplicationGroup => {
            let q: CreateReplicationGroup = r.decode()?;
            let id = r.required(q.replication_group_id, CACHE.replication_group_id)?;
            match aws
                .c
                .elasticache
                .describe_replication_groups()
                .replication_group_id(&id)
                .send()
                .await
                .map_err(cache_err(a, "DescribeReplicationGroups"))
            {
                Ok(out) => Ok(out.replication_groups().first().map(|g| {
                    let mut o = Outcome::new(&id);
                    record_group(&mut o, g);
                    o
                })),
                Err(e) if e.is(&["ReplicationGroupNotFoundFault", "ReplicationGroupNotFound"]) => {
                    Ok(None)
                }
                Err(e) => Err(e),
            }
        }
        _ => Ok(None),
    }
}

pub(super) async fn wait_ready(
    aws: &Aws,
    k: ElastiCacheKind,
    t: &Target<'_>,
    o: &mut Outcome,
) -> Result<(), ProviderError> {
    let a = t.address;
    match k {
        ElastiCacheKind::ReplicationGroup => {
            let id = o.id.clone();
            let ready = std::sync::Mutex::new(None);
            aws.poll(a, "ElastiCache replication group", || async {
                let out = aws
                    .c
                    .elasticache
                    .describe_replication_groups()
                    .replication_group_id(&id)
                    .send()
                    .await
                    .map_err(cache_err(a, "DescribeReplicationGroups"))?;
                let group = out.replication_groups().first();
                Ok(match group.and_then(|g| g.status()) {
                    Some("available") => {
                        if let (Some(g), Ok(mut slot)) = (group, ready.lock()) {
                            *slot = Some(g.clone());
                        }
                        Poll::Ready
                    }
                    Some("create-failed") => Poll::Failed("create-failed".into()),
                    Some(s) => Poll::Pending(s.to_string()),
                    None => Poll::Pending("unknown".into()),
                })
            })
            .await?;
            if let Some(g) = ready.into_inner().ok().flatten() {
                record_group(o, &g);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Records what a replication group reports once available: its ARN, the primary and
/// reader endpoints (cluster mode disabled) or the configuration endpoint (cluster mode
/// enabled, as both), and their port.
fn record_group(o: &mut Outcome, g: &aws_sdk_elasticache::types::ReplicationGroup) {
    if let Some(arn) = g.arn() {
        o.attributes.insert("arn".into(), arn.to_string());
    }
    let node_group = g.node_groups().first();
    let primary = g
        .configuration_endpoint()
        .or_else(|| node_group.and_then(|n| n.primary_endpoint()));
    let reader = node_group.and_then(|n| n.reader_endpoint()).or(primary);
    if let Some(endpoint) = primary {
        if let Some(address) = endpoint.address() {
            o.attributes
                .insert("primary_endpoint".into(), address.to_string());
        }
        if let Some(port) = endpoint.port() {
            o.attributes.insert("port".into(), port.to_string());
        }
    }
    if let Some(address) = reader.and_then(|e| e.address()) {
        o.attributes
            .insert("reader_endpoint".into(), address.to_string());
    }
}

/// The attributes a replication group reports now (for refresh).
pub(super) async fn attributes(
    aws: &Aws,
    k: ElastiCacheKind,
    e: &Existing<'_>,
) -> Result<Option<Outcome>, ProviderError> {
    if k != ElastiCacheKind::ReplicationGroup {
        return Ok(None);
    }
    match aws
        .c
        .elasticache
        .describe_replication_groups()
        .replication_group_id(e.id)
        .send()
        .await
        .map_err(cache_err(e.address, "DescribeReplicationGroups"))
    {
        Ok(out) => Ok(out.replication_groups().first().map(|g| {
            let mut o = Outcome::new(e.id);
            record_group(&mut o, g);
            o
        })),
        Err(x) if x.is(&["ReplicationGroupNotFoundFault", "ReplicationGroupNotFound"]) => Ok(None),
        Err(x) => Err(x),
    }
}

pub(super) async fn delete(
    aws: &Aws,
    k: ElastiCacheKind,
    e: &Existing<'_>,
) -> Result<(), ProviderError> {
    let (a, id) = (e.address, e.id);
    match k {
        ElastiCacheKind::CacheSubnetGroup => {
            match aws
                .c
                .elasticache
                .delete_cache_subnet_group()
                .cache_subnet_group_name(id)
                .send()
                .await
                .map_err(cache_err(a, "DeleteCacheSubnetGroup"))
            {
                Err(x) if x.is(&["CacheSubnetGroupNotFoundFault", "CacheSubnetGroupNotFound"]) => {
                    Ok(())
                }
                other => other.map(drop),
            }
        }
        ElastiCacheKind::ReplicationGroup => {
            match aws
                .c
                .elasticache
                .delete_replication_group()
                .replication_group_id(id)
                .send()
                .await
                .map_err(cache_err(a, "DeleteReplicationGroup"))
            {
                Err(x) if x.is(&["ReplicationGroupNotFoundFault", "ReplicationGroupNotFound"]) => {
                    return Ok(())
                }
                other => other?,
            };
            aws.poll(a, "ElastiCache replication group deletion", || async {
                match aws
                    .c
                    .elasticache
                    .describe_replication_groups()
                    .replication_group_id(id)
                    .send()
                    .await
                    .map_err(cache_err(a, "DescribeReplicationGroups"))
                {
                    Err(x)
                        if x.is(&["ReplicationGroupNotFoundFault", "ReplicationGroupNotFound"]) =>
                    {
                        Ok(Poll::Ready)
                    }
                    Err(x) => Err(x),
                    Ok(out) => Ok(
                        match out.replication_groups().first().and_then(|g| g.status()) {
                            None => Poll::Ready,
                            Some(s) => Poll::Pending(s.to_string()),
                        },
                    ),
                }
            })
            .await
        }
    }
}
