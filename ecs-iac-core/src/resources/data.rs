//! Databases and caches: RDS instances and ElastiCache replication groups with their
//! subnet groups.
//!
//! Why this room is long (about 850 lines): RDS instances and ElastiCache groups share
//! subnet-group, security-group and multi-AZ validation; each service's part is a section.

use super::network::{SecurityGroup, Subnet};
use super::secrets::{ManagedSecret, SecretRef};
use crate::diagnostic::Rule;
use crate::kind::Kind;
use crate::limits::{self, NameRule};
use crate::lower::{protection_setters, tag_setter, Cx, NodeBuilder, Protection, ResourceSpec};
use crate::net::Az;
use crate::requests::elasticache::{
    CreateCacheSubnetGroup, CreateReplicationGroup, CreateReplicationGroupFields,
};
use crate::requests::rds::{CreateDbInstance, CreateDbInstanceFields, CreateDbSubnetGroup};
use crate::stack::{Meta, Ref};
use crate::value::{Arn, Attr};
use std::collections::BTreeSet;

/// The distinct zones of `subnets` that resolve in this stack.
fn zones(cx: &Cx<'_>, subnets: &[Ref<Subnet>]) -> BTreeSet<Az> {
    subnets
        .iter()
        .filter_map(|s| cx.get(s))
        .map(|s| s.az().clone())
        .collect()
}

fn subnet_ids(n: &mut NodeBuilder<'_>, field: &str, subnets: &[Ref<Subnet>]) -> Vec<String> {
    subnets
        .iter()
        .enumerate()
        .map(|(i, s)| n.attr(|| format!("{field}[{i}]"), s, "id"))
        .collect()
}

fn group_ids(
    n: &mut NodeBuilder<'_>,
    field: &str,
    groups: &[Ref<SecurityGroup>],
) -> Option<Vec<String>> {
    if groups.is_empty() {
        return None;
    }
    Some(
        groups
            .iter()
            .enumerate()
            .map(|(i, g)| n.attr(|| format!("{field}[{i}]"), g, "id"))
            .collect(),
    )
}

fn check_two_azs(cx: &mut Cx<'_>, rule: Rule, field: &str, subnets: &[Ref<Subnet>]) {
    let azs = zones(cx, subnets);
    if azs.len() < 2 {
        cx.error(
            rule,
            field,
            format!(
                "the subnets span {} Availability Zone(s); use subnets in at least two",
                azs.len()
            ),
        );
    }
}

/// An RDS DB subnet group.
#[derive(Debug, Clone)]
pub struct DbSubnetGroup {
    pub(crate) meta: Meta,
    pub(crate) description: Option<String>,
    pub(crate) subnets: Vec<Ref<Subnet>>,
}

impl DbSubnetGroup {
    /// A DB subnet group; its AWS name is the logical name. Needs subnets in two zones.
    pub fn new<'s>(
        name: impl Into<String>,
        subnets: impl IntoIterator<Item = &'s Ref<Subnet>>,
    ) -> DbSubnetGroup {
        DbSubnetGroup {
            meta: Meta::new(name),
            description: None,
            subnets: subnets.into_iter().cloned().collect(),
        }
    }

    /// A description.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> DbSubnetGroup {
        self.description = Some(description.into());
        self
    }
}

impl ResourceSpec for DbSubnetGroup {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn aws_name(&self) -> Option<(String, &'static NameRule)> {
        Some((self.meta.name.clone(), &limits::DB_SUBNET_GROUP_NAME))
    }

    fn validate(&self, cx: &mut Cx<'_>) {
        let field = CreateDbSubnetGroup::FIELD.subnet_ids;
        check_two_azs(cx, Rule::SubnetGroupAzs, field, &self.subnets);
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        let mut n = cx.node("", Kind::DB_SUBNET_GROUP);
        let ids = subnet_ids(&mut n, CreateDbSubnetGroup::FIELD.subnet_ids, &self.subnets);
        let request = CreateDbSubnetGroup {
            db_subnet_group_name: Some(self.meta.name.clone()),
            db_subnet_group_description: Some(self.meta.description(&self.description)),
            subnet_ids: Some(ids),
        };
        cx.push_request(n, request);
    }
}

/// A database engine.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DbEngine {
    /// PostgreSQL (`postgres`), port 5432.
    Postgres,
    /// MySQL (`mysql`), port 3306.
    MySql,
    /// MariaDB (`mariadb`), port 3306.
    MariaDb,
    /// An engine name this crate does not know yet.
    Other(String),
}

impl DbEngine {
    /// The RDS engine name.
    pub fn as_str(&self) -> &str {
        match self {
            DbEngine::Postgres => "postgres",
            DbEngine::MySql => "mysql",
            DbEngine::MariaDb => "mariadb",
            DbEngine::Other(s) => s,
        }
    }

    /// The engine's default port.
    pub fn default_port(&self) -> Option<u16> {
        match self {
            DbEngine::Postgres => Some(5432),
            DbEngine::MySql | DbEngine::MariaDb => Some(3306),
            DbEngine::Other(_) => None,
        }
    }
}

/// An RDS instance class such as `db.t3.small`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbInstanceClass(std::borrow::Cow<'static, str>);

impl DbInstanceClass {
    /// `db.t3.micro`.
    pub const T3_MICRO: DbInstanceClass =
        DbInstanceClass(std::borrow::Cow::Borrowed("db.t3.micro"));
    /// `db.t3.small`.
    pub const T3_SMALL: DbInstanceClass =
        DbInstanceClass(std::borrow::Cow::Borrowed("db.t3.small"));
    /// `db.t3.medium`.
    pub const T3_MEDIUM: DbInstanceClass =
        DbInstanceClass(std::borrow::Cow::Borrowed("db.t3.medium"));
    /// `db.m6g.large`.
    pub const M6G_LARGE: DbInstanceClass =
        DbInstanceClass(std::borrow::Cow::Borrowed("db.m6g.large"));
    /// `db.r6g.large`.
    pub const R6G_LARGE: DbInstanceClass =
        DbInstanceClass(std::borrow::Cow::Borrowed("db.r6g.large"));

    /// Any class by name.
    pub fn other(name: impl Into<String>) -> DbInstanceClass {
        DbInstanceClass(std::borrow::Cow::Owned(name.into()))
    }

    /// The class name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How the master user's password is provided.
#[derive(Debug, Clone)]
pub enum MasterPassword {
    /// RDS generates it and keeps it in Secrets Manager (`ManageMasterUserPassword`).
    ManagedBySecretsManager,
    /// Taken from an existing secret at apply; never written anywhere by ecs-iac.
    FromSecret(Ref<SecretRef>),
}

/// RDS storage type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageType {
    /// General purpose SSD, gp2.
    Gp2,
    /// General purpose SSD, gp3.
    Gp3,
    /// Provisioned IOPS SSD, io1.
    Io1,
    /// Magnetic.
    Standard,
}

impl StorageType {
    fn as_str(self) -> &'static str {
        match self {
            StorageType::Gp2 => "gp2",
            StorageType::Gp3 => "gp3",
            StorageType::Io1 => "io1",
            StorageType::Standard => "standard",
        }
    }
}

/// An RDS DB instance. Defaults are the safe ones: storage encrypted, not publicly
/// accessible, backups kept 7 days.
#[derive(Debug, Clone)]
pub struct DbInstance {
    pub(crate) meta: Meta,
    pub(crate) engine: DbEngine,
    pub(crate) engine_version: Option<String>,
    pub(crate) class: DbInstanceClass,
    pub(crate) allocated_storage: u32,
    pub(crate) storage_type: StorageType,
    pub(crate) subnet_group: Ref<DbSubnetGroup>,
    pub(crate) master_username: String,
    pub(crate) master_password: MasterPassword,
    pub(crate) multi_az: bool,
    pub(crate) storage_encrypted: bool,
    pub(crate) backup_retention: u32,
    pub(crate) deletion_protection: bool,
    pub(crate) publicly_accessible: bool,
    pub(crate) security_groups: Vec<Ref<SecurityGroup>>,
    pub(crate) port: Option<u16>,
    pub(crate) db_name: Option<String>,
    pub(crate) parameter_group: Option<String>,
    pub(crate) protection: Protection,
}

impl DbInstance {
    /// An instance; its identifier is the logical name.
    pub fn new(
        name: impl Into<String>,
        engine: DbEngine,
        class: DbInstanceClass,
        allocated_storage_gib: u32,
        subnet_group: &Ref<DbSubnetGroup>,
        master_username: impl Into<String>,
        master_password: MasterPassword,
    ) -> DbInstance {
        DbInstance {
            meta: Meta::new(name),
            engine,
            engine_version: None,
            class,
            allocated_storage: allocated_storage_gib,
            storage_type: StorageType::Gp3,
            subnet_group: subnet_group.clone(),
            master_username: master_username.into(),
            master_password,
            multi_az: false,
            storage_encrypted: true,
            backup_retention: 7,
            deletion_protection: false,
            publicly_accessible: false,
            security_groups: Vec::new(),
            port: None,
            db_name: None,
            parameter_group: None,
            protection: Protection::default(),
        }
    }

    /// The engine version, e.g. `16.4`.
    #[must_use]
    pub fn engine_version(mut self, version: impl Into<String>) -> DbInstance {
        self.engine_version = Some(version.into());
        self
    }

    /// Storage type (gp3 by default).
    #[must_use]
    pub fn storage_type(mut self, storage_type: StorageType) -> DbInstance {
        self.storage_type = storage_type;
        self
    }

    /// A standby in a second zone.
    #[must_use]
    pub fn multi_az(mut self, enabled: bool) -> DbInstance {
        self.multi_az = enabled;
        self
    }

    /// Storage encryption at rest (on by default).
    #[must_use]
    pub fn storage_encrypted(mut self, enabled: bool) -> DbInstance {
        self.storage_encrypted = enabled;
        self
    }

    /// Days automated backups are kept, 0-35 (0 turns backups off).
    #[must_use]
    pub fn backup_retention_days(mut self, days: u32) -> DbInstance {
        self.backup_retention = days;
        self
    }

    /// Deletion protection.
    #[must_use]
    pub fn deletion_protection(mut self, enabled: bool) -> DbInstance {
        self.deletion_protection = enabled;
        self
    }

    /// Whether the instance gets a public address (off by default).
    #[must_use]
    pub fn publicly_accessible(mut self, enabled: bool) -> DbInstance {
        self.publicly_accessible = enabled;
        self
    }

    /// A VPC security group.
    #[must_use]
    pub fn security_group(mut self, group: &Ref<SecurityGroup>) -> DbInstance {
        self.security_groups.push(group.clone());
        self
    }

    /// The port (engine default otherwise).
    #[must_use]
    pub fn port(mut self, port: u16) -> DbInstance {
        self.port = Some(port);
        self
    }

    /// The name of the initial database.
    #[must_use]
    pub fn db_name(mut self, name: impl Into<String>) -> DbInstance {
        self.db_name = Some(name.into());
        self
    }

    /// A DB parameter group by name.
    #[must_use]
    pub fn parameter_group(mut self, name: impl Into<String>) -> DbInstance {
        self.parameter_group = Some(name.into());
        self
    }

    /// The port clients connect to.
    pub fn effective_port(&self) -> Option<u16> {
        self.port.or_else(|| self.engine.default_port())
    }
}

/// The AWS names of a DB instance's request fields.
const DB: CreateDbInstanceFields = CreateDbInstance::FIELD;

impl ResourceSpec for DbInstance {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn aws_name(&self) -> Option<(String, &'static NameRule)> {
        Some((self.meta.name.clone(), &limits::DB_INSTANCE_ID))
    }

    fn validate(&self, cx: &mut Cx<'_>) {
        if self.meta.name.contains("--") {
            cx.error(
                Rule::AwsName,
                DB.db_instance_identifier,
                "must not contain two consecutive hyphens",
            );
        }
        let bounds = limits::rds_storage_bounds(self.storage_type.as_str());
        if !bounds.contains(self.allocated_storage) {
            cx.error(
                Rule::DbStorage,
                DB.allocated_storage,
                format!(
                    "{} GiB of {} storage; RDS allows {}-{} GiB",
                    self.allocated_storage,
                    self.storage_type.as_str(),
                    bounds.min,
                    bounds.max
                ),
            );
        }
        if !limits::RDS_BACKUP_RETENTION.contains(self.backup_retention) {
            cx.error(
                Rule::DbStorage,
                DB.backup_retention_period,
                format!("{} days; RDS allows 0-35", self.backup_retention),
            );
        }
        if self.multi_az {
            if let Some(group) = cx.get(&self.subnet_group) {
                if zones(cx, &group.subnets).len() < 2 {
                    cx.error(
                        Rule::MultiAzNeedsTwoAzs,
                        DB.multi_az,
                        format!(
                            "multi-AZ needs subnet group `{}` to span two Availability Zones",
                            self.subnet_group.name()
                        ),
                    );
                }
            }
        }
        if !self.class.as_str().starts_with("db.") {
            cx.error(
                Rule::AwsName,
                DB.db_instance_class,
                format!(
                    "`{}` is not an RDS instance class (they start with `db.`)",
                    self.class.as_str()
                ),
            );
        }
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        let mut n = cx.node("", Kind::DB_INSTANCE).protection(self.protection);
        let subnet_group = n
            .target(DB.db_subnet_group_name, &self.subnet_group)
            .map(|g| g.meta.name.clone());
        let groups = group_ids(&mut n, DB.vpc_security_group_ids, &self.security_groups);
        let (managed, password) = match &self.master_password {
            MasterPassword::ManagedBySecretsManager => (Some(true), None),
            MasterPassword::FromSecret(secret) => {
                let value = n
                    .target(DB.master_user_password, secret)
                    .map(SecretRef::value_placeholder);
                (None, value)
            }
        };
        let request = CreateDbInstance {
            db_instance_identifier: Some(self.meta.name.clone()),
            db_instance_class: Some(self.class.as_str().to_string()),
            engine: Some(self.engine.as_str().to_string()),
            engine_version: self.engine_version.clone(),
            allocated_storage: i32::try_from(self.allocated_storage).ok(),
            storage_type: Some(self.storage_type.as_str().to_string()),
            master_username: Some(self.master_username.clone()),
            manage_master_user_password: managed,
            master_user_password: password,
            db_subnet_group_name: subnet_group,
            vpc_security_group_ids: groups,
            multi_az: Some(self.multi_az),
            storage_encrypted: Some(self.storage_encrypted),
            backup_retention_period: i32::try_from(self.backup_retention).ok(),
            deletion_protection: Some(self.deletion_protection),
            publicly_accessible: Some(self.publicly_accessible),
            port: self.port.map(i32::from),
            db_name: self.db_name.clone(),
            db_parameter_group_name: self.parameter_group.clone(),
        };
        cx.push_request(n, request);
    }
}

/// An ElastiCache subnet group.
#[derive(Debug, Clone)]
pub struct CacheSubnetGroup {
    pub(crate) meta: Meta,
    pub(crate) description: Option<String>,
    pub(crate) subnets: Vec<Ref<Subnet>>,
}

impl CacheSubnetGroup {
    /// A cache subnet group; its AWS name is the logical name.
    pub fn new<'s>(
        name: impl Into<String>,
        subnets: impl IntoIterator<Item = &'s Ref<Subnet>>,
    ) -> CacheSubnetGroup {
        CacheSubnetGroup {
            meta: Meta::new(name),
            description: None,
            subnets: subnets.into_iter().cloned().collect(),
        }
    }

    /// A description.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> CacheSubnetGroup {
        self.description = Some(description.into());
        self
    }
}

impl ResourceSpec for CacheSubnetGroup {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn aws_name(&self) -> Option<(String, &'static NameRule)> {
        Some((self.meta.name.clone(), &limits::CACHE_SUBNET_GROUP_NAME))
    }

    fn validate(&self, cx: &mut Cx<'_>) {
        let field = CreateCacheSubnetGroup::FIELD.subnet_ids;
        check_two_azs(cx, Rule::CacheSubnetGroupAzs, field, &self.subnets);
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        let mut n = cx.node("", Kind::CACHE_SUBNET_GROUP);
        let ids = subnet_ids(
            &mut n,
            CreateCacheSubnetGroup::FIELD.subnet_ids,
            &self.subnets,
        );
        let request = CreateCacheSubnetGroup {
            cache_subnet_group_name: Some(self.meta.name.clone()),
            cache_subnet_group_description: Some(self.meta.description(&self.description)),
            subnet_ids: Some(ids),
        };
        cx.push_request(n, request);
    }
}

/// A cache engine.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CacheEngine {
    /// Redis OSS.
    Redis,
    /// Valkey.
    Valkey,
    /// An engine this crate does not know yet.
    Other(String),
}

impl CacheEngine {
    fn as_str(&self) -> &str {
        match self {
            CacheEngine::Redis => "redis",
            CacheEngine::Valkey => "valkey",
            CacheEngine::Other(s) => s,
        }
    }
}

/// A Redis/Valkey replication group (cluster mode disabled): one primary and replicas.
/// Encryption at rest and in transit are on by default.
#[derive(Debug, Clone)]
pub struct ReplicationGroup {
    pub(crate) meta: Meta,
    pub(crate) engine: CacheEngine,
    pub(crate) engine_version: Option<String>,
    pub(crate) node_type: String,
    pub(crate) subnet_group: Ref<CacheSubnetGroup>,
    pub(crate) description: Option<String>,
    pub(crate) replicas: u32,
    pub(crate) multi_az: bool,
    pub(crate) automatic_failover: bool,
    pub(crate) at_rest_encryption: bool,
    pub(crate) transit_encryption: bool,
    pub(crate) auth_token: Option<Ref<SecretRef>>,
    pub(crate) security_groups: Vec<Ref<SecurityGroup>>,
    pub(crate) port: u16,
    pub(crate) protection: Protection,
}

impl ReplicationGroup {
    /// A replication group; its id is the logical name.
    pub fn new(
        name: impl Into<String>,
        engine: CacheEngine,
        node_type: impl Into<String>,
        subnet_group: &Ref<CacheSubnetGroup>,
    ) -> ReplicationGroup {
        ReplicationGroup {
            meta: Meta::new(name),
            engine,
            engine_version: None,
            node_type: node_type.into(),
            subnet_group: subnet_group.clone(),
            description: None,
            replicas: 0,
            multi_az: false,
            automatic_failover: false,
            at_rest_encryption: true,
            transit_encryption: true,
            auth_token: None,
            security_groups: Vec::new(),
            port: 6379,
            protection: Protection::default(),
        }
    }

    /// The engine version, e.g. `7.1`.
    #[must_use]
    pub fn engine_version(mut self, version: impl Into<String>) -> ReplicationGroup {
        self.engine_version = Some(version.into());
        self
    }

    /// A description.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> ReplicationGroup {
        self.description = Some(description.into());
        self
    }

    /// Number of read replicas (0-5).
    #[must_use]
    pub fn replicas(mut self, replicas: u32) -> ReplicationGroup {
        self.replicas = replicas;
        self
    }

    /// Multi-AZ with automatic failover (needs at least one replica).
    #[must_use]
    pub fn multi_az(mut self, enabled: bool) -> ReplicationGroup {
        self.multi_az = enabled;
        self.automatic_failover = enabled || self.automatic_failover;
        self
    }

    /// Automatic failover to a replica (needs at least one replica).
    #[must_use]
    pub fn automatic_failover(mut self, enabled: bool) -> ReplicationGroup {
        self.automatic_failover = enabled;
        self
    }

    /// Encryption at rest (on by default).
    #[must_use]
    pub fn at_rest_encryption(mut self, enabled: bool) -> ReplicationGroup {
        self.at_rest_encryption = enabled;
        self
    }

    /// TLS in transit (on by default; required for an auth token).
    #[must_use]
    pub fn transit_encryption(mut self, enabled: bool) -> ReplicationGroup {
        self.transit_encryption = enabled;
        self
    }

    /// An AUTH token taken from a secret at apply.
    #[must_use]
    pub fn auth_token(mut self, secret: &Ref<SecretRef>) -> ReplicationGroup {
        self.auth_token = Some(secret.clone());
        self
    }

    /// A VPC security group.
    #[must_use]
    pub fn security_group(mut self, group: &Ref<SecurityGroup>) -> ReplicationGroup {
        self.security_groups.push(group.clone());
        self
    }

    /// The port (6379 by default).
    #[must_use]
    pub fn port(mut self, port: u16) -> ReplicationGroup {
        self.port = port;
        self
    }
}

/// The AWS names of a replication group's request fields.
const CACHE: CreateReplicationGroupFields = CreateReplicationGroup::FIELD;

impl ResourceSpec for ReplicationGroup {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn aws_name(&self) -> Option<(String, &'static NameRule)> {
        Some((self.meta.name.clone(), &limits::REPLICATION_GROUP_ID))
    }

    fn validate(&self, cx: &mut Cx<'_>) {
        if !limits::CACHE_REPLICAS.contains(self.replicas) {
            cx.error(
                Rule::CacheSettings,
                CACHE.num_cache_clusters,
                format!("{} replicas; ElastiCache allows 0-5", self.replicas),
            );
        }
        if self.automatic_failover && self.replicas == 0 {
            cx.error(
                Rule::CacheSettings,
                CACHE.automatic_failover_enabled,
                "automatic failover needs at least one replica: add `.replicas(1)`",
            );
        }
        if self.multi_az {
            if let Some(group) = cx.get(&self.subnet_group) {
                if zones(cx, &group.subnets).len() < 2 {
                    cx.error(
                        Rule::MultiAzNeedsTwoAzs,
                        CACHE.multi_az_enabled,
                        format!(
                            "multi-AZ needs subnet group `{}` to span two Availability Zones",
                            self.subnet_group.name()
                        ),
                    );
                }
            }
        }
        if self.auth_token.is_some() && !self.transit_encryption {
            cx.error(
                Rule::CacheSettings,
                CACHE.auth_token,
                "an AUTH token needs transit encryption; remove `.transit_encryption(false)`",
            );
        }
        if self.port == 0 {
            cx.error(Rule::PortRange, CACHE.port, "port 0 is not a usable port");
        }
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        let mut n = cx
            .node("", Kind::REPLICATION_GROUP)
            .protection(self.protection);
        let subnet_group = n
            .target(CACHE.cache_subnet_group_name, &self.subnet_group)
            .map(|g| g.meta.name.clone());
        let groups = group_ids(&mut n, CACHE.security_group_ids, &self.security_groups);
        let token = self.auth_token.as_ref().and_then(|s| {
            n.target(CACHE.auth_token, s)
                .map(SecretRef::value_placeholder)
        });
        let description = self.meta.description(&self.description);
        let request = CreateReplicationGroup {
            replication_group_id: Some(self.meta.name.clone()),
            replication_group_description: Some(description),
            engine: Some(self.engine.as_str().to_string()),
            engine_version: self.engine_version.clone(),
            cache_node_type: Some(self.node_type.clone()),
            num_cache_clusters: i32::try_from(self.replicas + 1).ok(),
            multi_az_enabled: Some(self.multi_az),
            automatic_failover_enabled: Some(self.automatic_failover),
            at_rest_encryption_enabled: Some(self.at_rest_encryption),
            transit_encryption_enabled: Some(self.transit_encryption),
            auth_token: token,
            cache_subnet_group_name: subnet_group,
            security_group_ids: groups,
            port: Some(i32::from(self.port)),
        };
        cx.push_request(n, request);
    }
}

tag_setter!(
    DbSubnetGroup,
    DbInstance,
    CacheSubnetGroup,
    ReplicationGroup
);
protection_setters!(DbInstance, ReplicationGroup);

impl super::iam::HasArn for DbInstance {}
impl super::iam::HasArn for ReplicationGroup {}

impl Ref<DbInstance> {
    /// The host name clients connect to (`Endpoint.Address`), known once the instance is
    /// available.
    pub fn endpoint(&self) -> Attr<String> {
        Attr::of(self, "address")
    }

    /// The port the instance listens on (`Endpoint.Port`).
    pub fn port(&self) -> Attr<u16> {
        Attr::of(self, "port")
    }

    /// The ARN of the master user's secret RDS manages in Secrets Manager
    /// ([`MasterPassword::ManagedBySecretsManager`]).
    pub fn master_secret_arn(&self) -> Attr<Arn> {
        Attr::of(self, "master_user_secret_arn")
    }

    /// The master user's secret RDS creates and rotates in Secrets Manager when the
    /// instance uses [`MasterPassword::ManagedBySecretsManager`]: a JSON secret with the
    /// keys `username` and `password`. Give its keys to a container with
    /// [`Container::secret_key`](crate::resources::Container::secret_key) and let the
    /// task's execution role read it with `stack.grant(db.master_secret().grant_read(&task))`.
    pub fn master_secret(&self) -> ManagedSecret {
        let db = self.clone();
        ManagedSecret::new(self.master_secret_arn(), move |cx| {
            let instance = cx.get(&db)?;
            (!matches!(instance.master_password, MasterPassword::ManagedBySecretsManager)).then(|| {
                format!(
                    "`{}` has no managed master secret: it sets its password itself; use `MasterPassword::ManagedBySecretsManager`",
                    db.name()
                )
            })
        })
    }
}

impl Ref<ReplicationGroup> {
    /// The primary endpoint's host name (writes go here).
    pub fn primary_endpoint(&self) -> Attr<String> {
        Attr::of(self, "primary_endpoint")
    }

    /// The reader endpoint's host name (reads spread over the replicas).
    pub fn reader_endpoint(&self) -> Attr<String> {
        Attr::of(self, "reader_endpoint")
    }

    /// The port of the endpoints.
    pub fn port(&self) -> Attr<u16> {
        Attr::of(self, "port")
    }
}
