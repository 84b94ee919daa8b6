//! SNS: topics the stack uses (it never creates, changes or deletes them).

use super::{lookups, Existing, Outcome, Target};
use crate::clients::Aws;
use crate::error::ProviderError;
use ecs_iac_core::kind::SnsKind;

/// Looks the resource up (exactly one match).
pub(super) async fn create(
    aws: &Aws,
    k: SnsKind,
    t: &Target<'_>,
) -> Result<Outcome, ProviderError> {
    match k {
        SnsKind::ExistingTopic => lookups::topic(aws, t).await,
    }
}

only_read!(SnsKind);
