//! KMS requests.

use crate::request::request;

request! {
    /// `kms:CreateKey`; `UpdateKeyDescription` and `PutKeyPolicy` are sent from the same
    /// body.
    pub struct CreateKey, CreateKeyFields {
        /// What the key is for.
        description: String = "Description",
        /// `ENCRYPT_DECRYPT`, …
        key_usage: String = "KeyUsage",
        /// `SYMMETRIC_DEFAULT`, …
        key_spec: String = "KeySpec",
        /// The key policy document, as JSON text.
        policy: String = "Policy",
    }
}

request! {
    /// `kms:EnableKeyRotation`.
    pub struct EnableKeyRotation, EnableKeyRotationFields {
        /// The key's id.
        key_id: String = "KeyId",
    }
}

request! {
    /// `kms:CreateAlias`; `UpdateAlias` is sent from the same body.
    pub struct CreateAlias, CreateAliasFields {
        /// `alias/NAME`.
        alias_name: String = "AliasName",
        /// The key it names.
        target_key_id: String = "TargetKeyId",
    }
}

request! {
    /// `kms:DescribeKey`: the lookup of a key the stack uses.
    pub struct DescribeKey, DescribeKeyFields {
        /// The key's id, ARN, alias or alias ARN.
        key_id: String = "KeyId",
    }
}
