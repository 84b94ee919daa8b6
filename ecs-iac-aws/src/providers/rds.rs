//! RDS DB subnet groups and instances; ElastiCache subnet groups and replication groups.

use super::ec2::unsupported;
use super::{owned, response, Existing, Outcome, Poll, Target};
use crate::body::Req;
use crate::clients::Aws;
use crate::error::ProviderError;
use std::time::{SystemTime, UNIX_EPOCH};

sdk_err!(rds_err, aws_sdk_rds, "rds");

sdk_err!(cache_err, aws_sdk_elasticache, "elasticache");

fn rds_tags(r: &Req<'_>) -> Vec<aws_sdk_rds::types::Tag> {
    r.tags("Tags")
        .into_iter()
        .map(|(k, v)| aws_sdk_rds::types::Tag::builder().key(k).value(v).build())
        .collect()
}

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

fn not_owned(a: &str, field: &str, name: &str) -> ProviderError {
    ProviderError::Request {
        address: a.into(),
        field: field.into(),
        problem: format!("`{name}` already exists and is not owned by this stack; choose another name or import it"),
    }
}

pub(super) async fn create(aws: &Aws, t: &Target<'_>) -> Result<Outcome, ProviderError> {
    let (a, r) = (t.address, &t.req);
    match t.kind {
        "rds.db_subnet_group" => {
            let name = r.s("DBSubnetGroupName")?;
            let tags = rds_tags(r);
            let res = aws
                .once
                .rds
                .create_db_subnet_group()
                .db_subnet_group_name(&name)
                .db_subnet_group_description(r.s("DBSubnetGroupDescription")?)
                .set_subnet_ids(Some(r.ss("SubnetIds")))
                .set_tags(Some(tags))
                .send()
                .await
                .map_err(rds_err(a, "CreateDBSubnetGroup"));
            match res {
                Ok(out) => {
                    let arn = out
                        .db_subnet_group()
                        .and_then(|g| g.db_subnet_group_arn())
                        .unwrap_or_default();
                    Ok(Outcome::new(&name).with("arn", arn))
                }
                Err(e)
                    if e.is(&[
                        "DBSubnetGroupAlreadyExists",
                        "DBSubnetGroupAlreadyExistsFault",
                    ]) =>
                {
                    find(aws, t)
                        .await?
                        .ok_or_else(|| not_owned(a, "DBSubnetGroupName", &name))
                }
                Err(e) => Err(e),
            }
        }
        "rds.db_instance" => {
            let id = r.s("DBInstanceIdentifier")?;
            let tags = rds_tags(r);
            let groups = r.ss("VpcSecurityGroupIds");
            let res = aws
                .once
                .rds
                .create_db_instance()
                .db_instance_identifier(&id)
                .db_instance_class(r.s("DBInstanceClass")?)
                .engine(r.s("Engine")?)
                .set_engine_version(r.os("EngineVersion"))
                .set_allocated_storage(r.oi("AllocatedStorage"))
                .set_storage_type(r.os("StorageType"))
                .set_master_username(r.os("MasterUsername"))
                .set_manage_master_user_password(r.ob("ManageMasterUserPassword"))
                .set_master_user_password(r.os("MasterUserPassword"))
                .set_db_subnet_group_name(r.os("DBSubnetGroupName"))
                .set_vpc_security_group_ids((!groups.is_empty()).then_some(groups))
                .set_multi_az(r.ob("MultiAZ"))
                .set_storage_encrypted(r.ob("StorageEncrypted"))
                .set_backup_retention_period(r.oi("BackupRetentionPeriod"))
                .set_deletion_protection(r.ob("DeletionProtection"))
                .set_publicly_accessible(r.ob("PubliclyAccessible"))
                .set_port(r.oi("Port"))
                .set_db_name(r.os("DBName"))
                .set_db_parameter_group_name(r.os("DBParameterGroupName"))
                .set_tags(Some(tags))
                .send()
                .await
                .map_err(rds_err(a, "CreateDBInstance"));
            match res {
                Ok(out) => {
                    let arn = out
                        .db_instance()
                        .and_then(|d| d.db_instance_arn())
                        .ok_or_else(|| response(a, "rds:CreateDBInstance", "DBInstanceArn"))?;
                    Ok(Outcome::new(&id).with("arn", arn))
                }
                Err(e) if e.is(&["DBInstanceAlreadyExists", "DBInstanceAlreadyExistsFault"]) => {
                    find(aws, t)
                        .await?
                        .ok_or_else(|| not_owned(a, "DBInstanceIdentifier", &id))
                }
                Err(e) => Err(e),
            }
        }
        "elasticache.cache_subnet_group" => {
            let name = r.s("CacheSubnetGroupName")?;
            let tags = elasticache_tags(r);
            let res = aws
                .once
                .elasticache
                .create_cache_subnet_group()
                .cache_subnet_group_name(&name)
                .cache_subnet_group_description(r.s("CacheSubnetGroupDescription")?)
                .set_subnet_ids(Some(r.ss("SubnetIds")))
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
        "elasticache.replication_group" => {
            let id = r.s("ReplicationGroupId")?;
            let tags = elasticache_tags(r);
            let groups = r.ss("SecurityGroupIds");
            let res = aws
                .once
                .elasticache
                .create_replication_group()
                .replication_group_id(&id)
                .replication_group_description(r.s("ReplicationGroupDescription")?)
                .set_engine(r.os("Engine"))
                .set_engine_version(r.os("EngineVersion"))
                .set_cache_node_type(r.os("CacheNodeType"))
                .set_num_cache_clusters(r.oi("NumCacheClusters"))
                .set_multi_az_enabled(r.ob("MultiAZEnabled"))
                .set_automatic_failover_enabled(r.ob("AutomaticFailoverEnabled"))
                .set_at_rest_encryption_enabled(r.ob("AtRestEncryptionEnabled"))
                .set_transit_encryption_enabled(r.ob("TransitEncryptionEnabled"))
                .set_auth_token(r.os("AuthToken"))
                .set_cache_subnet_group_name(r.os("CacheSubnetGroupName"))
                .set_security_group_ids((!groups.is_empty()).then_some(groups))
                .set_port(r.oi("Port"))
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
                    find(aws, t)
                        .await?
                        .ok_or_else(|| not_owned(a, "ReplicationGroupId", &id))
                }
                Err(e) => Err(e),
            }
        }
        other => Err(unsupported(a, other)),
    }
}

/// Modifies a DB instance (class, storage, backups, multi-AZ, deletion protection, …) or
/// a replication group (node type, failover, multi-AZ, security groups) in place, then
/// waits until it is available again. `ApplyImmediately` follows
/// [`crate::EngineConfig::apply_immediately`]; otherwise AWS applies the change in the
/// next maintenance window.
pub(super) async fn update(
    aws: &Aws,
    t: &Target<'_>,
    e: &Existing<'_>,
) -> Result<Outcome, ProviderError> {
    let (a, r) = (t.address, &t.req);
    let now = aws.config.apply_immediately;
    match t.kind {
        "rds.db_instance" => {
            let groups = r.ss("VpcSecurityGroupIds");
            aws.c
                .rds
                .modify_db_instance()
                .db_instance_identifier(e.id)
                .set_db_instance_class(r.os("DBInstanceClass"))
                .set_allocated_storage(r.oi("AllocatedStorage"))
                .set_storage_type(r.os("StorageType"))
                .set_engine_version(r.os("EngineVersion"))
                .set_multi_az(r.ob("MultiAZ"))
                .set_backup_retention_period(r.oi("BackupRetentionPeriod"))
                .set_deletion_protection(r.ob("DeletionProtection"))
                .set_publicly_accessible(r.ob("PubliclyAccessible"))
                .set_vpc_security_group_ids((!groups.is_empty()).then_some(groups))
                .set_db_parameter_group_name(r.os("DBParameterGroupName"))
                .apply_immediately(now)
                .send()
                .await
                .map_err(rds_err(a, "ModifyDBInstance"))?;
        }
        "elasticache.replication_group" => {
            let groups = r.ss("SecurityGroupIds");
            aws.c
                .elasticache
                .modify_replication_group()
                .replication_group_id(e.id)
                .set_replication_group_description(r.os("ReplicationGroupDescription"))
                .set_cache_node_type(r.os("CacheNodeType"))
                .set_engine_version(r.os("EngineVersion"))
                .set_automatic_failover_enabled(r.ob("AutomaticFailoverEnabled"))
                .set_multi_az_enabled(r.ob("MultiAZEnabled"))
                .set_security_group_ids((!groups.is_empty()).then_some(groups))
                .apply_immediately(now)
                .send()
                .await
                .map_err(cache_err(a, "ModifyReplicationGroup"))?;
        }
        other => return Err(unsupported(a, other)),
    }
    Ok(e.unchanged())
}

/// What AWS has now for a DB instance (class, storage, backups, multi-AZ, protection,
/// access); `None` when it is gone.
pub(super) async fn observe(
    aws: &Aws,
    e: &Existing<'_>,
) -> Result<Option<serde_json::Value>, ProviderError> {
    let a = e.address;
    let exists = |found: bool| Ok(found.then(|| serde_json::json!({})));
    match e.kind {
        "rds.db_instance" => {}
        "rds.db_subnet_group" => {
            return match aws
                .c
                .rds
                .describe_db_subnet_groups()
                .db_subnet_group_name(e.id)
                .send()
                .await
                .map_err(rds_err(a, "DescribeDBSubnetGroups"))
            {
                Ok(out) => exists(!out.db_subnet_groups().is_empty()),
                Err(x) if x.is(&["DBSubnetGroupNotFoundFault"]) => Ok(None),
                Err(x) => Err(x),
            }
        }
        "elasticache.cache_subnet_group" => {
            return match aws
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
        "elasticache.replication_group" => {
            return match aws
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
        other => return Err(unsupported(a, other)),
    }
    let out = aws
        .c
        .rds
        .describe_db_instances()
        .db_instance_identifier(e.id)
        .send()
        .await
        .map_err(rds_err(a, "DescribeDBInstances"));
    let out = match out {
        Ok(out) => out,
        Err(x) if x.is(&["DBInstanceNotFound", "DBInstanceNotFoundFault"]) => return Ok(None),
        Err(x) => return Err(x),
    };
    Ok(out.db_instances().first().map(|d| {
        serde_json::json!({
            "DBInstanceClass": d.db_instance_class(),
            "AllocatedStorage": d.allocated_storage(),
            "BackupRetentionPeriod": d.backup_retention_period(),
            "MultiAZ": d.multi_az(),
            "DeletionProtection": d.deletion_protection(),
            "PubliclyAccessible": d.publicly_accessible(),
            "StorageEncrypted": d.storage_encrypted(),
        })
    }))
}

pub(super) async fn find(aws: &Aws, t: &Target<'_>) -> Result<Option<Outcome>, ProviderError> {
    let (a, r) = (t.address, &t.req);
    match t.kind {
        "rds.db_instance" => {
            let id = r.s("DBInstanceIdentifier")?;
            match aws
                .c
                .rds
                .describe_db_instances()
                .db_instance_identifier(&id)
                .send()
                .await
                .map_err(rds_err(a, "DescribeDBInstances"))
            {
                Ok(out) => Ok(out.db_instances().first().and_then(|d| {
                    let tags = d
                        .tag_list()
                        .iter()
                        .filter_map(|x| Some((x.key()?, x.value()?)));
                    owned(tags, t.stack, t.address).then(|| {
                        Outcome::new(&id).with("arn", d.db_instance_arn().unwrap_or_default())
                    })
                })),
                Err(e) if e.is(&["DBInstanceNotFound", "DBInstanceNotFoundFault"]) => Ok(None),
                Err(e) => Err(e),
            }
        }
        "rds.db_subnet_group" => {
            let name = r.s("DBSubnetGroupName")?;
            match aws
                .c
                .rds
                .describe_db_subnet_groups()
                .db_subnet_group_name(&name)
                .send()
                .await
                .map_err(rds_err(a, "DescribeDBSubnetGroups"))
            {
                Ok(out) => {
                    let Some(arn) = out
                        .db_subnet_groups()
                        .first()
                        .and_then(|g| g.db_subnet_group_arn())
                    else {
                        return Ok(None);
                    };
                    let tags = aws
                        .c
                        .rds
                        .list_tags_for_resource()
                        .resource_name(arn)
                        .send()
                        .await
                        .map_err(rds_err(a, "ListTagsForResource"))?;
                    let mine = owned(
                        tags.tag_list()
                            .iter()
                            .filter_map(|x| Some((x.key()?, x.value()?))),
                        t.stack,
                        t.address,
                    );
                    Ok(mine.then(|| Outcome::new(&name).with("arn", arn)))
                }
                Err(e) if e.is(&["DBSubnetGroupNotFoundFault", "DBSubnetGroupNotFound"]) => {
                    Ok(None)
                }
                Err(e) => Err(e),
            }
        }
        "elasticache.replication_group" => {
            let id = r.s("ReplicationGroupId")?;
            match aws
                .c
                .elasticache
                .describe_replication_groups()
                .replication_group_id(&id)
                .send()
                .await
                .map_err(cache_err(a, "DescribeReplicationGroups"))
            {
                Ok(out) => Ok(out
                    .replication_groups()
                    .first()
                    .map(|g| Outcome::new(&id).with("arn", g.arn().unwrap_or_default()))),
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
    t: &Target<'_>,
    o: &Outcome,
) -> Result<(), ProviderError> {
    let a = t.address;
    match t.kind {
        "rds.db_instance" => {
            aws.poll(a, "RDS instance", || async {
                let out = aws
                    .c
                    .rds
                    .describe_db_instances()
                    .db_instance_identifier(&o.id)
                    .send()
                    .await
                    .map_err(rds_err(a, "DescribeDBInstances"))?;
                Ok(
                    match out
                        .db_instances()
                        .first()
                        .and_then(|d| d.db_instance_status())
                    {
                        Some("available") => Poll::Ready,
                        Some(
                            s @ ("failed"
                            | "incompatible-parameters"
                            | "incompatible-network"
                            | "storage-full"),
                        ) => Poll::Failed(s.to_string()),
                        Some(s) => Poll::Pending(s.to_string()),
                        None => Poll::Pending("unknown".into()),
                    },
                )
            })
            .await
        }
        "elasticache.replication_group" => {
            aws.poll(a, "ElastiCache replication group", || async {
                let out = aws
                    .c
                    .elasticache
                    .describe_replication_groups()
                    .replication_group_id(&o.id)
                    .send()
                    .await
                    .map_err(cache_err(a, "DescribeReplicationGroups"))?;
                Ok(
                    match out.replication_groups().first().and_then(|g| g.status()) {
                        Some("available") => Poll::Ready,
                        Some("create-failed") => Poll::Failed("create-failed".into()),
                        Some(s) => Poll::Pending(s.to_string()),
                        None => Poll::Pending("unknown".into()),
                    },
                )
            })
            .await
        }
        _ => Ok(()),
    }
}

pub(super) async fn delete(aws: &Aws, e: &Existing<'_>) -> Result<(), ProviderError> {
    let (a, id) = (e.address, e.id);
    match e.kind {
        "rds.db_subnet_group" => match aws
            .c
            .rds
            .delete_db_subnet_group()
            .db_subnet_group_name(id)
            .send()
            .await
            .map_err(rds_err(a, "DeleteDBSubnetGroup"))
        {
            Err(x) if x.is(&["DBSubnetGroupNotFoundFault", "DBSubnetGroupNotFound"]) => Ok(()),
            other => other.map(drop),
        },
        "rds.db_instance" => {
            // Data is never dropped silently: a final snapshot is taken.
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            let res = aws
                .c
                .rds
                .delete_db_instance()
                .db_instance_identifier(id)
                .skip_final_snapshot(false)
                .final_db_snapshot_identifier(format!("{id}-final-{now}"))
                .send()
                .await
                .map_err(rds_err(a, "DeleteDBInstance"));
            match res {
                Err(x) if x.is(&["DBInstanceNotFound", "DBInstanceNotFoundFault"]) => return Ok(()),
                other => other?,
            };
            aws.poll(a, "RDS instance deletion", || async {
                match aws
                    .c
                    .rds
                    .describe_db_instances()
                    .db_instance_identifier(id)
                    .send()
                    .await
                    .map_err(rds_err(a, "DescribeDBInstances"))
                {
                    Err(x) if x.is(&["DBInstanceNotFound", "DBInstanceNotFoundFault"]) => {
                        Ok(Poll::Ready)
                    }
                    Err(x) => Err(x),
                    Ok(out) => Ok(
                        match out
                            .db_instances()
                            .first()
                            .and_then(|d| d.db_instance_status())
                        {
                            None => Poll::Ready,
                            Some(s) => Poll::Pending(s.to_string()),
                        },
                    ),
                }
            })
            .await
        }
        "elasticache.cache_subnet_group" => {
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
        "elasticache.replication_group" => {
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
        other => Err(unsupported(a, other)),
    }
}
