//! S3 checks: buckets that allow public access or requests without TLS.

use super::{LintRule, Lx};
use crate::resources::*;

impl Lx<'_> {
    /// A bucket: public access block and TLS-only policy.
    pub(super) fn bucket(&mut self, b: &Bucket) {
        if !b.blocks_public_access() {
            self.emit(
                LintRule::BucketPublicAccess,
                "public-access-block",
                "PublicAccessBlockConfiguration",
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
                "Policy",
                format!("bucket `{}` accepts requests without TLS", b.bucket_name()),
            );
        }
    }
}
