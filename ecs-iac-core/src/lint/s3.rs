//! S3 checks: buckets that allow public access or requests without TLS.

use super::{LintRule, Lx};
use crate::requests::s3::{PutBucketPolicy, PutPublicAccessBlock};
use crate::resources::*;

impl Lx<'_> {
    /// A bucket: public access block and TLS-only policy.
    pub(super) fn bucket(&mut self, b: &Bucket) {
        if !b.blocks_public_access() {
            self.emit(
                LintRule::BucketPublicAccess,
                "public-access-block",
                PutPublicAccessBlock::FIELD.public_access_block_configuration,
                format!(
                    "bucket `{}` does not block all public access",
                    b.bucket_name()
                ),
            );
        }
        if !b.requires_tls() {
            self.emit(
                LintRule::BucketNoTlsPolicy,
                "",
                PutBucketPolicy::FIELD.policy,
                format!("bucket `{}` accepts requests without TLS", b.bucket_name()),
            );
        }
    }
}
