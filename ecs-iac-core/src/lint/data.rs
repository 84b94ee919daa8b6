//! Data store checks: RDS instances and ElastiCache replication groups.

use super::{quoted, LintRule, Lx};
use crate::requests::elasticache::{CreateReplicationGroup, CreateReplicationGroupFields};
use crate::requests::rds::{CreateDbInstance, CreateDbInstanceFields};
use crate::resources::*;
use crate::stack::Ref;

/// The AWS names of a DB instance's request fields.
const DB: CreateDbInstanceFields = CreateDbInstance::FIELD;
/// The AWS names of a replication group's request fields.
const CACHE: CreateReplicationGroupFields = CreateReplicationGroup::FIELD;

impl<'a> Lx<'a> {
    /// The public subnets of a subnet list, by name.
    fn public_subnets(&self, subnets: &[Ref<Subnet>]) -> Vec<&'a str> {
        subnets
            .iter()
            .filter_map(|s| self.stack.get(s).map(|x| (s, x)))
            .filter(|(_, x)| x.tier == SubnetTier::Public)
            .map(|(_, x)| x.meta.name.as_str())
            .collect()
    }

    pub(super) fn db_instance(&mut self, db: &DbInstance) {
        if db.publicly_accessible {
            self.emit(
                LintRule::RdsPublicAccess,
                "",
                DB.publicly_accessible,
                format!(
                    "database `{}` gets a public DNS name and address",
                    db.meta.name
                ),
            );
        }
        if let Some(group) = self.stack.get(&db.subnet_group) {
            let public = self.public_subnets(&group.subnets);
            if !public.is_empty() {
                self.emit(
                    LintRule::RdsPublicSubnet,
                    "",
                    DB.db_subnet_group_name,
                    format!(
                        "subnet group `{}` includes public subnet(s) {}",
                        group.meta.name,
                        quoted(&public)
                    ),
                );
            }
        }
        if !db.storage_encrypted {
            self.emit(
                LintRule::RdsStorageUnencrypted,
                "",
                DB.storage_encrypted,
                "storage, snapshots and backups are not encrypted at rest".into(),
            );
        }
        if db.backup_retention == 0 {
            self.emit(
                LintRule::RdsBackupsDisabled,
                "",
                DB.backup_retention_period,
                "automated backups are off (retention 0 days); no point-in-time recovery".into(),
            );
        }
        if !db.deletion_protection {
            self.emit(
                LintRule::RdsNoDeletionProtection,
                "",
                DB.deletion_protection,
                "deletion protection is off; a destroy or a replacement deletes the database"
                    .into(),
            );
        }
    }

    pub(super) fn cache(&mut self, c: &ReplicationGroup) {
        if let Some(group) = self.stack.get(&c.subnet_group) {
            let public = self.public_subnets(&group.subnets);
            if !public.is_empty() {
                self.emit(
                    LintRule::CachePublicSubnet,
                    "",
                    CACHE.cache_subnet_group_name,
                    format!(
                        "subnet group `{}` includes public subnet(s) {}",
                        group.meta.name,
                        quoted(&public)
                    ),
                );
            }
        }
        if !c.at_rest_encryption {
            self.emit(
                LintRule::CacheAtRestUnencrypted,
                "",
                CACHE.at_rest_encryption_enabled,
                "data and backups are not encrypted at rest".into(),
            );
        }
        if !c.transit_encryption {
            self.emit(
                LintRule::CacheInTransitUnencrypted,
                "",
                CACHE.transit_encryption_enabled,
                "clients connect without TLS".into(),
            );
        }
        if c.auth_token.is_none() {
            self.emit(
                LintRule::CacheNoAuth,
                "",
                CACHE.auth_token,
                "no AUTH token: whoever reaches the port can run any command".into(),
            );
        }
    }
}
