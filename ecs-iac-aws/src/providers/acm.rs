//! ACM: certificates the stack uses (it never requests, changes or deletes them).

use super::{lookups, Existing, Outcome, Target};
use crate::clients::Aws;
use crate::error::ProviderError;
use ecs_iac_core::kind::AcmKind;

/// Looks the resource up (exactly one match).
pub(super) async fn create(
    aws: &Aws,
    k: AcmKind,
    t: &Target<'_>,
) -> Result<Outcome, ProviderError> {
    match k {
        AcmKind::ExistingCertificate => lookups::certificate(aws, t).await,
        AcmKind::CertificateForDomain => lookups::certificate_for_domain(aws, t).await,
    }
}

only_read!(AcmKind);
