//! RDS: DB subnet groups and DB instances.

use super::{not_owned, observed, owned, response, Existing, Outcome, Poll, Target};
use crate::body::Req;
use crate::clients::Aws;
use crate::error::ProviderError;
use ecs_iac_core::kind::RdsKind;
use ecs_iac_core::requests::rds::{
    CreateDbInstance, CreateDbInstanceFields, CreateDbSubnetGroup, CreateDbSubnetGroupFields,
};
use std::time::{SystemTime, UNIX_EPOCH};

sdk_err!(rds_err, aws_sdk_rds, "rds");

/// The AWS names of a DB instance's request fields.
const DB: CreateDbInstanceFields = CreateDbInstance::FIELD;
/// The AWS names of a DB subnet group's request fields.
const GROUP: CreateDbSubnetGroupFields = CreateDbSubnetGroup::FIELD;

/// Records what a DB instance reports once available: its endpoint's address and port,
/// and the ARN of the master user secret RDS manages.
fn record_instance(o: &mut Outcome, d: &aws_sdk_rds::types::DbInstance) {
    if let Some(arn) = d.db_instance_arn() {
        o.attributes.insert("arn".into(), arn.to_string());
    }
    if let Some(endpoint) = d.endpoint() {
        if let Some(address) = endpoint.address() {
            o.attributes.insert("address".into(), address.to_string());
        }
        if let Some(port) = endpoint.port() {
            o.attributes.insert("port".into(), port.to_string());
        }
    }
    if let Some(secret) = d.master_user_secret().and_then(|s| s.secret_arn()) {
        o.attributes
            .insert("master_user_secret_arn".into(), secret.to_string());
    }
}

/// The attributes a DB instance reports now (for refresh).
pub(super) async fn attributes(
    aws: &Aws,
    k: RdsKind,
    e: &Existing<'_>,
) -> Result<Option<Outcome>, ProviderError> {
    if k != RdsKind::DbInstance {
        return Ok(None);
    }
    Ok(describe_instance(aws, e.address, e.id).await?.map(|d| {
        let mut o = Outcome::new(e.id);
        record_instance(&mut o, &d);
        o
    }))
}

/// The DB instance `id`, `None` when it does not exist.
async fn describe_instance(
    aws: &Aws,
    address: &str,
    id: &str,
) -> Result<Option<aws_sdk_rds::types::DbInstance>, ProviderError> {
    match aws
        .c
        .rds
        .describe_db_instances()
        .db_instance_identifier(id)
        .send()
        .await
        .map_err(rds_err(address, "DescribeDBInstances"))
    {
        Ok(out) => Ok(out.db_instances().first().cloned()),
        Err(x) if x.is(&["DBInstanceNotFound", "DBInstanceNotFoundFault"]) => Ok(None),
        Err(x) => Err(x),
    }
}

fn rds_tags(r: &Req<'_>) -> Vec<aws_sdk_rds::types::Tag> {
    r.tags("Tags")
        .into_iter()
        .map(|(k, v)| aws_sdk_rds::types::Tag::builder().key(k).value(v).build())
        .collect()
}

pub(super) async fn create(
    aws: &Aws,
    k: RdsKind,
    t: &Target<'_>,
) -> Result<Outcome, ProviderError> {
    let (a, r) = (t.address, &t.req);
    match k {
        RdsKind::DbSubnetGroup => {
            let q: CreateDbSubnetGroup = r.decode()?;
            let name = r.required(q.db_subnet_group_name, GROUP.db_subnet_group_name)?;
            let tags = rds_tags(r);
            let res = aws
                .once
                .rds
                .create_db_subnet_group()
                .db_subnet_group_name(&name)
                .db_subnet_group_description(r.required(
                    q.db_subnet_group_description,
                    GROUP.db_subnet_group_description,
                )?)
                .set_subnet_ids(Some(r.required(q.subnet_ids, GROUP.subnet_ids)?))
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
                    find(aws, k, t)
                        .await?
                        .ok_or_else(|| not_owned(a, GROUP.db_subnet_group_name, &name))
                }
                Err(e) => Err(e),
            }
        }
        RdsKind::DbInstance => {
            let q: CreateDbInstance = r.decode()?;
            let id = r.required(q.db_instance_identifier, DB.db_instance_identifier)?;
            let tags = rds_tags(r);
            let res = aws
                .once
                .rds
                .create_db_instance()
                .db_instance_identifier(&id)
                .db_instance_class(r.required(q.db_instance_class, DB.db_instance_class)?)
                .engine(r.required(q.engine, DB.engine)?)
                .set_engine_version(q.engine_version)
                .set_allocated_storage(q.allocated_storage)
                .set_storage_type(q.storage_type)
                .set_master_username(q.master_username)
                .set_manage_master_user_password(q.manage_master_user_password)
                .set_master_user_password(q.master_user_password)
                .set_db_subnet_group_name(q.db_subnet_group_name)
                .set_vpc_security_group_ids(q.vpc_security_group_ids.filter(|g| !g.is_empty()))
                .set_multi_az(q.multi_az)
                .set_storage_encrypted(q.storage_encrypted)
                .set_backup_retention_period(q.backup_retention_period)
                .set_deletion_protection(q.deletion_protection)
                .set_publicly_accessible(q.publicly_accessible)
                .set_port(q.port)
                .set_db_name(q.db_name)
                .set_db_parameter_group_name(q.db_parameter_group_name)
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
                    find(aws, k, t)
                        .await?
                        .ok_or_else(|| not_owned(a, DB.db_instance_identifier, &id))
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
    k: RdsKind,
    t: &Target<'_>,
    e: &Existing<'_>,
) -> Result<Outcome, ProviderError> {
    let (a, r) = (t.address, &t.req);
    let now = aws.config.apply_immediately;
    let changed = |field: &str| t.changed.iter().any(|c| c == field);
    match k {
        RdsKind::DbSubnetGroup => {
            let q: CreateDbSubnetGroup = r.decode()?;
            aws.c
                .rds
                .modify_db_subnet_group()
                .db_subnet_group_name(e.id)
                .set_db_subnet_group_description(q.db_subnet_group_description)
                .set_subnet_ids(Some(r.required(q.subnet_ids, GROUP.subnet_ids)?))
                .send()
                .await
                .map_err(rds_err(a, "ModifyDBSubnetGroup"))?;
        }
        RdsKind::DbInstance => {
            let q: CreateDbInstance = r.decode()?;
            // Sent only when they change: AWS refuses to turn on a managed password
            // that is on already, and a port change restarts the instance.
            let managed = q
                .manage_master_user_password
                .filter(|_| changed(DB.manage_master_user_password));
            let port = q.port.filter(|_| changed(DB.port));
            aws.c
                .rds
                .modify_db_instance()
                .db_instance_identifier(e.id)
                .set_db_instance_class(q.db_instance_class)
                .set_allocated_storage(q.allocated_storage)
                .set_storage_type(q.storage_type)
                .set_engine_version(q.engine_version)
                .set_multi_az(q.multi_az)
                .set_backup_retention_period(q.backup_retention_period)
                .set_deletion_protection(q.deletion_protection)
                .set_publicly_accessible(q.publicly_accessible)
                .set_vpc_security_group_ids(q.vpc_security_group_ids.filter(|g| !g.is_empty()))
                .set_db_parameter_group_name(q.db_parameter_group_name)
                .set_manage_master_user_password(managed)
                .set_db_port_number(port)
                .apply_immediately(now)
                .send()
                .await
                .map_err(rds_err(a, "ModifyDBInstance"))?;
        }
    }
    Ok(e.unchanged())
}

/// What AWS has now for a DB instance (class, storage, backups, multi-AZ, protection,
/// access); `None` when it is gone.
pub(super) async fn observe(
    aws: &Aws,
    k: RdsKind,
    e: &Existing<'_>,
    _applied: &serde_json::Value,
) -> Result<Option<serde_json::Value>, ProviderError> {
    let a = e.address;
    let exists = |found: bool| Ok(found.then(|| serde_json::json!({})));
    match k {
        RdsKind::DbInstance => {}
        RdsKind::DbSubnetGroup => {
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
    }
    let Some(d) = describe_instance(aws, a, e.id).await? else {
        return Ok(None);
    };
    let now = CreateDbInstance {
        db_instance_class: d.db_instance_class().map(str::to_string),
        allocated_storage: d.allocated_storage(),
        backup_retention_period: d.backup_retention_period(),
        multi_az: d.multi_az(),
        deletion_protection: d.deletion_protection(),
        publicly_accessible: d.publicly_accessible(),
        storage_encrypted: d.storage_encrypted(),
        ..CreateDbInstance::default()
    };
    Ok(Some(observed(a, &now)?))
}

pub(super) async fn find(
    aws: &Aws,
    k: RdsKind,
    t: &Target<'_>,
) -> Result<Option<Outcome>, ProviderError> {
    let (a, r) = (t.address, &t.req);
    match k {
        RdsKind::DbInstance => {
            let q: CreateDbInstance = r.decode()?;
            let id = r.required(q.db_instance_identifier, DB.db_instance_identifier)?;
            Ok(describe_instance(aws, a, &id).await?.and_then(|d| {
                let tags = d
                    .tag_list()
                    .iter()
                    .filter_map(|x| Some((x.key()?, x.value()?)));
                owned(tags, t.stack, t.address).then(|| {
                    let mut o = Outcome::new(&id);
                    record_instance(&mut o, &d);
                    o
                })
            }))
        }
        RdsKind::DbSubnetGroup => {
            let q: CreateDbSubnetGroup = r.decode()?;
            let name = r.required(q.db_subnet_group_name, GROUP.db_subnet_group_name)?;
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
    }
}

pub(super) async fn wait_ready(
    aws: &Aws,
    k: RdsKind,
    t: &Target<'_>,
    o: &mut Outcome,
) -> Result<(), ProviderError> {
    let a = t.address;
    match k {
        RdsKind::DbInstance => {
            let id = o.id.clone();
            let ready = std::sync::Mutex::new(None);
            aws.poll(a, "RDS instance", || async {
                let out = aws
                    .c
                    .rds
                    .describe_db_instances()
                    .db_instance_identifier(&id)
                    .send()
                    .await
                    .map_err(rds_err(a, "DescribeDBInstances"))?;
                let instance = out.db_instances().first();
                Ok(match instance.and_then(|d| d.db_instance_status()) {
                    Some("available") => {
                        if let (Some(d), Ok(mut slot)) = (instance, ready.lock()) {
                            *slot = Some(d.clone());
                        }
                        Poll::Ready
                    }
                    Some(
                        s @ ("failed"
                        | "incompatible-parameters"
                        | "incompatible-network"
                        | "storage-full"),
                    ) => Poll::Failed(s.to_string()),
                    Some(s) => Poll::Pending(s.to_string()),
                    None => Poll::Pending("unknown".into()),
                })
            })
            .await?;
            if let Some(d) = ready.into_inner().ok().flatten() {
                record_instance(o, &d);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

pub(super) async fn delete(aws: &Aws, k: RdsKind, e: &Existing<'_>) -> Result<(), ProviderError> {
    let (a, id) = (e.address, e.id);
    match k {
        RdsKind::DbSubnetGroup => match aws
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
        RdsKind::DbInstance => {
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
    }
}
