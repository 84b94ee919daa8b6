//! S3 requests: buckets and the settings S3 keeps beside each.

use crate::request::request;
use serde::{Deserialize, Serialize};

request! {
    /// `s3:CreateBucket`; `PutBucketOwnershipControls` changes its ownership from the
    /// same body.
    pub struct CreateBucket, CreateBucketFields {
        /// The bucket's name.
        bucket: String = "Bucket",
        /// Its region and ownership tags.
        create_bucket_configuration: CreateBucketConfiguration = "CreateBucketConfiguration",
        /// `BucketOwnerEnforced`, …
        object_ownership: String = "ObjectOwnership",
    }
}

request! {
    /// A bucket's region and the tags it is created with.
    pub struct CreateBucketConfiguration, CreateBucketConfigurationFields {
        /// The region (left out in us-east-1).
        location_constraint: String = "LocationConstraint",
        /// The ownership tags.
        tags: Vec<Tag> = "Tags",
    }
}

/// An S3 tag.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    /// The key.
    #[serde(rename = "Key")]
    pub key: String,
    /// The value.
    #[serde(rename = "Value")]
    pub value: String,
}

impl crate::request::IntoBody for Tag {
    fn into_body(self) -> serde_json::Value {
        crate::request::key_value(self.key, self.value)
    }
}

request! {
    /// `s3:PutBucketTagging`.
    pub struct PutBucketTagging, PutBucketTaggingFields {
        /// The bucket's name.
        bucket: String = "Bucket",
        /// The tag set.
        tagging: Tagging = "Tagging",
    }
}

request! {
    /// A bucket's tag set.
    pub struct Tagging, TaggingFields {
        /// Every tag.
        tag_set: Vec<Tag> = "TagSet",
    }
}

request! {
    /// `s3:PutPublicAccessBlock`.
    pub struct PutPublicAccessBlock, PutPublicAccessBlockFields {
        /// The bucket's name.
        bucket: String = "Bucket",
        /// The four switches.
        public_access_block_configuration: PublicAccessBlockConfiguration = "PublicAccessBlockConfiguration",
    }
}

request! {
    /// Block public access.
    pub struct PublicAccessBlockConfiguration, PublicAccessBlockConfigurationFields {
        /// Refuse public ACLs.
        block_public_acls: bool = "BlockPublicAcls",
        /// Ignore public ACLs.
        ignore_public_acls: bool = "IgnorePublicAcls",
        /// Refuse public bucket policies.
        block_public_policy: bool = "BlockPublicPolicy",
        /// Restrict access under a public policy to AWS services and the account.
        restrict_public_buckets: bool = "RestrictPublicBuckets",
    }
}

request! {
    /// `s3:PutBucketEncryption`.
    pub struct PutBucketEncryption, PutBucketEncryptionFields {
        /// The bucket's name.
        bucket: String = "Bucket",
        /// The default encryption.
        server_side_encryption_configuration: ServerSideEncryptionConfiguration = "ServerSideEncryptionConfiguration",
    }
}

request! {
    /// A bucket's default encryption.
    pub struct ServerSideEncryptionConfiguration, ServerSideEncryptionConfigurationFields {
        /// One rule.
        rules: Vec<ServerSideEncryptionRule> = "Rules",
    }
}

request! {
    /// A default encryption rule.
    pub struct ServerSideEncryptionRule, ServerSideEncryptionRuleFields {
        /// The algorithm and key.
        apply_server_side_encryption_by_default: ServerSideEncryptionByDefault = "ApplyServerSideEncryptionByDefault",
        /// S3 Bucket Keys (SSE-KMS only).
        bucket_key_enabled: bool = "BucketKeyEnabled",
    }
}

request! {
    /// The default encryption's algorithm and key.
    pub struct ServerSideEncryptionByDefault, ServerSideEncryptionByDefaultFields {
        /// `AES256` or `aws:kms`.
        sse_algorithm: String = "SSEAlgorithm",
        /// The KMS key's ARN (a placeholder until resolved).
        kms_master_key_id: String = "KMSMasterKeyID",
    }
}

request! {
    /// `s3:PutBucketVersioning`.
    pub struct PutBucketVersioning, PutBucketVersioningFields {
        /// The bucket's name.
        bucket: String = "Bucket",
        /// The versioning state.
        versioning_configuration: VersioningConfiguration = "VersioningConfiguration",
    }
}

request! {
    /// A bucket's versioning state.
    pub struct VersioningConfiguration, VersioningConfigurationFields {
        /// `Enabled` or `Suspended`.
        status: String = "Status",
    }
}

request! {
    /// `s3:PutBucketLifecycleConfiguration`.
    pub struct PutBucketLifecycleConfiguration, PutBucketLifecycleConfigurationFields {
        /// The bucket's name.
        bucket: String = "Bucket",
        /// The rules.
        lifecycle_configuration: LifecycleConfiguration = "LifecycleConfiguration",
    }
}

request! {
    /// A bucket's lifecycle rules.
    pub struct LifecycleConfiguration, LifecycleConfigurationFields {
        /// Every rule.
        rules: Vec<LifecycleRule> = "Rules",
    }
}

request! {
    /// A lifecycle rule.
    pub struct LifecycleRule, LifecycleRuleFields {
        /// The rule's id.
        id: String = "ID",
        /// `Enabled`.
        status: String = "Status",
        /// The objects it applies to.
        filter: LifecycleRuleFilter = "Filter",
        /// When current versions expire.
        expiration: LifecycleExpiration = "Expiration",
        /// When noncurrent versions expire.
        noncurrent_version_expiration: NoncurrentVersionExpiration = "NoncurrentVersionExpiration",
        /// When incomplete multipart uploads are aborted.
        abort_incomplete_multipart_upload: AbortIncompleteMultipartUpload = "AbortIncompleteMultipartUpload",
        /// Moves to other storage classes.
        transitions: Vec<Transition> = "Transitions",
    }
}

request! {
    /// The objects a lifecycle rule applies to.
    pub struct LifecycleRuleFilter, LifecycleRuleFilterFields {
        /// The key prefix (empty: every object).
        prefix: String = "Prefix",
    }
}

request! {
    /// When current versions expire.
    pub struct LifecycleExpiration, LifecycleExpirationFields {
        /// Days after creation.
        days: i32 = "Days",
    }
}

request! {
    /// When noncurrent versions expire.
    pub struct NoncurrentVersionExpiration, NoncurrentVersionExpirationFields {
        /// Days after becoming noncurrent.
        noncurrent_days: i32 = "NoncurrentDays",
    }
}

request! {
    /// When incomplete multipart uploads are aborted.
    pub struct AbortIncompleteMultipartUpload, AbortIncompleteMultipartUploadFields {
        /// Days after the upload started.
        days_after_initiation: i32 = "DaysAfterInitiation",
    }
}

request! {
    /// A move to another storage class.
    pub struct Transition, TransitionFields {
        /// Days after creation.
        days: i32 = "Days",
        /// `STANDARD_IA`, `GLACIER`, …
        storage_class: String = "StorageClass",
    }
}

request! {
    /// `s3:PutBucketPolicy`.
    pub struct PutBucketPolicy, PutBucketPolicyFields {
        /// The bucket's name.
        bucket: String = "Bucket",
        /// The policy document, as JSON text.
        policy: String = "Policy",
    }
}
