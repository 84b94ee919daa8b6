//! ECR: repositories the stack pulls from (it never creates, changes or deletes them).

use super::{lookups, Existing, Outcome, Target};
use crate::clients::Aws;
use crate::error::ProviderError;
use ecs_iac_core::kind::EcrKind;

/// Looks the resource up (exactly one match).
pub(super) async fn create(
    aws: &Aws,
    k: EcrKind,
    t: &Target<'_>,
) -> Result<Outcome, ProviderError> {
    match k {
        EcrKind::ExistingRepository => lookups::repository(aws, t).await,
    }
}

only_read!(EcrKind);
