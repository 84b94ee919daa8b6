//! Data store checks: RDS instances and ElastiCache replication groups.

use super::{quoted, LintRule, Lx};
use crate::resources::*;
use crate::stack::Ref;

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
                "PubliclyAccessible",
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
                    "DBSubnetGroupName",
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
                "StorageEncrypted",
                "storage, snapshots and backups are not encrypted at rest".into(),
            );
        }
        if db.backup_retention == 0 {
            self.emit(
                LintRule::RdsBackupsDisabled,
                "",
                "BackupRetentionPeriod",
                "automated backups are off (retention 0 days); no point-in-time recovery".into(),
            );
        }
        if !db.deletion_protection {
            self.emit(
                LintRule::RdsNoDeletionProtection,
                "",
                "DeletionProtection",
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
                    "CacheSubnetGroupName",
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
                "AtRestEncryptionEnabled",
                "data and backups are not encrypted at rest".into(),
            );
        }
        if !c.transit_encryption {
            self.emit(
                LintRule::CacheInTransitUnencrypted,
                "",
                "TransitEncryptionEnabled",
                "clients connect without TLS".into(),
            );
        }
        if c.auth_token.is_none() {
            self.emit(
                LintRule::CacheNoAuth,
                "",
                "AuthToken",
                "no AUTH token: whoever reaches the port can run any command".into(),
            );
        }
    }
}
