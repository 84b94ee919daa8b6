//! OpenSearch Service requests.

use crate::request::request;

request! {
    /// `opensearch:CreateDomain`; `UpdateDomainConfig` is sent from the same body.
    pub struct CreateDomain, CreateDomainFields {
        /// The domain's name.
        domain_name: String = "DomainName",
        /// `OpenSearch_2.13`, `Elasticsearch_7.10`, …
        engine_version: String = "EngineVersion",
        /// Data node type and count.
        cluster_config: ClusterConfig = "ClusterConfig",
        /// Storage of each data node.
        ebs_options: EbsOptions = "EBSOptions",
        /// TLS between nodes.
        node_to_node_encryption_options: NodeToNodeEncryptionOptions = "NodeToNodeEncryptionOptions",
        /// Encryption at rest.
        encryption_at_rest_options: EncryptionAtRestOptions = "EncryptionAtRestOptions",
        /// HTTPS and its TLS policy.
        domain_endpoint_options: DomainEndpointOptions = "DomainEndpointOptions",
        /// Fine-grained access control.
        advanced_security_options: AdvancedSecurityOptions = "AdvancedSecurityOptions",
        /// The access policy document, as JSON text.
        access_policies: String = "AccessPolicies",
    }
}

request! {
    /// A domain's data nodes.
    pub struct ClusterConfig, ClusterConfigFields {
        /// `r6g.large.search`, …
        instance_type: String = "InstanceType",
        /// How many.
        instance_count: u32 = "InstanceCount",
    }
}

request! {
    /// A domain's EBS storage.
    pub struct EbsOptions, EbsOptionsFields {
        /// EBS volumes on.
        ebs_enabled: bool = "EBSEnabled",
        /// `gp3`, …
        volume_type: String = "VolumeType",
        /// GiB per data node.
        volume_size: u32 = "VolumeSize",
    }
}

request! {
    /// TLS between a domain's nodes.
    pub struct NodeToNodeEncryptionOptions, NodeToNodeEncryptionOptionsFields {
        /// On or off.
        enabled: bool = "Enabled",
    }
}

request! {
    /// A domain's encryption at rest.
    pub struct EncryptionAtRestOptions, EncryptionAtRestOptionsFields {
        /// On or off.
        enabled: bool = "Enabled",
        /// The customer managed key (`aws/es` when absent).
        kms_key_id: String = "KmsKeyId",
    }
}

request! {
    /// A domain's endpoint.
    pub struct DomainEndpointOptions, DomainEndpointOptionsFields {
        /// Refuses plain HTTP.
        enforce_https: bool = "EnforceHTTPS",
        /// The TLS security policy.
        tls_security_policy: String = "TLSSecurityPolicy",
    }
}

request! {
    /// Fine-grained access control.
    pub struct AdvancedSecurityOptions, AdvancedSecurityOptionsFields {
        /// On or off.
        enabled: bool = "Enabled",
        /// Users are kept in the domain (not IAM).
        internal_user_database_enabled: bool = "InternalUserDatabaseEnabled",
        /// The master user.
        master_user_options: MasterUserOptions = "MasterUserOptions",
    }
}

request! {
    /// The master user: an internal user (name and password) or an IAM ARN.
    pub struct MasterUserOptions, MasterUserOptionsFields {
        /// The internal master user's name.
        master_user_name: String = "MasterUserName",
        /// Its password (a secret's value placeholder, resolved in memory).
        master_user_password: String = "MasterUserPassword",
        /// The IAM master user's ARN.
        master_user_arn: String = "MasterUserARN",
    }
}
