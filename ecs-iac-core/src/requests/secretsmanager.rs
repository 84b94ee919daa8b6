//! Secrets Manager requests.

use crate::request::request;

request! {
    /// `secretsmanager:DescribeSecret`: the lookup of a secret the stack reads.
    pub struct DescribeSecret, DescribeSecretFields {
        /// The secret's name or ARN.
        secret_id: String = "SecretId",
    }
}

request! {
    /// `secretsmanager:CreateSecret`; `UpdateSecret` is sent from the same body.
    pub struct CreateSecret, CreateSecretFields {
        /// The secret's name.
        name: String = "Name",
        /// What the secret is for.
        description: String = "Description",
        /// The customer managed key (`aws/secretsmanager` when absent).
        kms_key_id: String = "KmsKeyId",
        /// The value: never rendered, added in memory at apply.
        secret_string: String = "SecretString",
    }
}

request! {
    /// `secretsmanager:PutResourcePolicy`.
    pub struct PutResourcePolicy, PutResourcePolicyFields {
        /// The secret's ARN.
        secret_id: String = "SecretId",
        /// The policy document, as JSON text.
        resource_policy: String = "ResourcePolicy",
        /// Refuses a policy that grants broad access to the public.
        block_public_policy: bool = "BlockPublicPolicy",
    }
}
