//! ECR requests.

use crate::request::request;

request! {
    /// `ecr:CreateRepository`; `PutImageTagMutability` and
    /// `PutImageScanningConfiguration` are sent from the same body.
    pub struct CreateRepository, CreateRepositoryFields {
        /// The repository's name.
        repository_name: String = "repositoryName",
        /// `MUTABLE` or `IMMUTABLE`.
        image_tag_mutability: String = "imageTagMutability",
        /// Scan on push.
        image_scanning_configuration: ImageScanningConfiguration = "imageScanningConfiguration",
        /// Encryption at rest (set at creation only).
        encryption_configuration: EncryptionConfiguration = "encryptionConfiguration",
    }
}

request! {
    /// A repository's scanning setting.
    pub struct ImageScanningConfiguration, ImageScanningConfigurationFields {
        /// Scans each image when it is pushed.
        scan_on_push: bool = "scanOnPush",
    }
}

request! {
    /// A repository's encryption at rest.
    pub struct EncryptionConfiguration, EncryptionConfigurationFields {
        /// `AES256` or `KMS`.
        encryption_type: String = "encryptionType",
        /// The customer managed key (`aws/ecr` when absent with `KMS`).
        kms_key: String = "kmsKey",
    }
}

request! {
    /// `ecr:PutLifecyclePolicy`.
    pub struct PutLifecyclePolicy, PutLifecyclePolicyFields {
        /// The repository's name.
        repository_name: String = "repositoryName",
        /// The lifecycle policy document, as JSON text.
        lifecycle_policy_text: String = "lifecyclePolicyText",
    }
}

request! {
    /// `ecr:DescribeRepositories`: the lookup of a repository the stack pulls from.
    pub struct DescribeRepositories, DescribeRepositoriesFields {
        /// The repository's name (one).
        repository_names: Vec<String> = "repositoryNames",
    }
}
