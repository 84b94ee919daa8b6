//! RDS requests.

use crate::request::request;

request! {
    /// `rds:CreateDBInstance`; `ModifyDBInstance` is sent from the same body.
    pub struct CreateDbInstance, CreateDbInstanceFields {
        /// The instance's name.
        db_instance_identifier: String = "DBInstanceIdentifier",
        /// `db.t4g.micro`, …
        db_instance_class: String = "DBInstanceClass",
        /// `postgres`, `mysql`, …
        engine: String = "Engine",
        /// The engine version.
        engine_version: String = "EngineVersion",
        /// Storage in GiB.
        allocated_storage: i32 = "AllocatedStorage",
        /// `gp3`, `io2`, …
        storage_type: String = "StorageType",
        /// The master user.
        master_username: String = "MasterUsername",
        /// Secrets Manager keeps the master password.
        manage_master_user_password: bool = "ManageMasterUserPassword",
        /// The master password (a secret's value placeholder, resolved in memory).
        master_user_password: String = "MasterUserPassword",
        /// The subnet group.
        db_subnet_group_name: String = "DBSubnetGroupName",
        /// Security group ids.
        vpc_security_group_ids: Vec<String> = "VpcSecurityGroupIds",
        /// A standby in a second zone.
        multi_az: bool = "MultiAZ",
        /// Encryption at rest.
        storage_encrypted: bool = "StorageEncrypted",
        /// Days of automated backups (0-35).
        backup_retention_period: i32 = "BackupRetentionPeriod",
        /// Refuses DeleteDBInstance while on.
        deletion_protection: bool = "DeletionProtection",
        /// A public address.
        publicly_accessible: bool = "PubliclyAccessible",
        /// The port clients connect to.
        port: i32 = "Port",
        /// The database created at launch.
        db_name: String = "DBName",
        /// The parameter group.
        db_parameter_group_name: String = "DBParameterGroupName",
    }
}

request! {
    /// `rds:CreateDBSubnetGroup`; `ModifyDBSubnetGroup` is sent from the same body.
    pub struct CreateDbSubnetGroup, CreateDbSubnetGroupFields {
        /// The group's name.
        db_subnet_group_name: String = "DBSubnetGroupName",
        /// A description.
        db_subnet_group_description: String = "DBSubnetGroupDescription",
        /// Subnet ids (placeholders until resolved).
        subnet_ids: Vec<String> = "SubnetIds",
    }
}
