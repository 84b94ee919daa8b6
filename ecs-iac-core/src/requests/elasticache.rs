//! ElastiCache requests.

use crate::request::request;

request! {
    /// `elasticache:CreateReplicationGroup`; `ModifyReplicationGroup` is sent from the
    /// same body.
    pub struct CreateReplicationGroup, CreateReplicationGroupFields {
        /// The group's id.
        replication_group_id: String = "ReplicationGroupId",
        /// A description (required by AWS).
        replication_group_description: String = "ReplicationGroupDescription",
        /// `redis` or `valkey`.
        engine: String = "Engine",
        /// The engine version.
        engine_version: String = "EngineVersion",
        /// `cache.t4g.micro`, …
        cache_node_type: String = "CacheNodeType",
        /// The primary and its replicas.
        num_cache_clusters: i32 = "NumCacheClusters",
        /// Replicas in other zones.
        multi_az_enabled: bool = "MultiAZEnabled",
        /// A replica takes over when the primary fails.
        automatic_failover_enabled: bool = "AutomaticFailoverEnabled",
        /// Encryption at rest.
        at_rest_encryption_enabled: bool = "AtRestEncryptionEnabled",
        /// TLS between clients and nodes.
        transit_encryption_enabled: bool = "TransitEncryptionEnabled",
        /// The AUTH token (a secret's value placeholder, resolved in memory).
        auth_token: String = "AuthToken",
        /// The subnet group.
        cache_subnet_group_name: String = "CacheSubnetGroupName",
        /// Security group ids.
        security_group_ids: Vec<String> = "SecurityGroupIds",
        /// The port clients connect to.
        port: i32 = "Port",
    }
}

request! {
    /// `elasticache:CreateCacheSubnetGroup`; `ModifyCacheSubnetGroup` is sent from the
    /// same body.
    pub struct CreateCacheSubnetGroup, CreateCacheSubnetGroupFields {
        /// The group's name.
        cache_subnet_group_name: String = "CacheSubnetGroupName",
        /// A description (required by AWS).
        cache_subnet_group_description: String = "CacheSubnetGroupDescription",
        /// Subnet ids (placeholders until resolved).
        subnet_ids: Vec<String> = "SubnetIds",
    }
}
