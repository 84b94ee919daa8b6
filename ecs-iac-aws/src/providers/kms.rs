//! KMS: keys the stack uses (it never creates, changes or deletes them).

use super::{lookups, Existing, Outcome, Target};
use crate::clients::Aws;
use crate::error::ProviderError;
use ecs_iac_core::kind::KmsKind;

/// Looks the resource up (exactly one match).
pub(super) async fn create(
    aws: &Aws,
    k: KmsKind,
    t: &Target<'_>,
) -> Result<Outcome, ProviderError> {
    match k {
        KmsKind::ExistingKey => lookups::kms_key(aws, t).await,
    }
}

only_read!(KmsKind);
