//! Secrets Manager: secrets the stack reads (never creates or changes) and their values.

use super::{not_supported, response, Existing, Outcome, Target};
use crate::clients::Aws;
use crate::error::ProviderError;
use ecs_iac_core::kind::SecretsManagerKind;

sdk_err!(secrets_err, aws_sdk_secretsmanager, "secretsmanager");

pub(super) async fn create(
    aws: &Aws,
    k: SecretsManagerKind,
    t: &Target<'_>,
) -> Result<Outcome, ProviderError> {
    let (a, r) = (t.address, &t.req);
    match k {
        SecretsManagerKind::SecretRef => {
            let out = aws
                .c
                .secrets
                .describe_secret()
                .secret_id(r.s("SecretId")?)
                .send()
                .await
                .map_err(secrets_err(a, "DescribeSecret"))?;
            let arn = out
                .arn()
                .ok_or_else(|| response(a, "secretsmanager:DescribeSecret", "ARN"))?;
            if out.deleted_date().is_some() {
                return Err(super::request(
                    a,
                    "SecretId",
                    format!("secret `{arn}` is scheduled for deletion; restore it (`aws secretsmanager restore-secret`) or point the stack at another one"),
                ));
            }
            Ok(Outcome::new(arn)
                .with("arn", arn)
                .with("name", out.name().unwrap_or_default()))
        }
    }
}

/// A secret the stack only reads is not refreshed: it is looked up on every apply.
pub(super) async fn observe(
    _aws: &Aws,
    k: SecretsManagerKind,
    e: &Existing<'_>,
    _applied: &serde_json::Value,
) -> Result<Option<serde_json::Value>, ProviderError> {
    match k {
        SecretsManagerKind::SecretRef => Err(not_supported(e.address, e.kind, "refresh")),
    }
}

/// Adopted by sending the create call again, which creates or overwrites.
pub(super) async fn find(
    _aws: &Aws,
    _k: SecretsManagerKind,
    _t: &Target<'_>,
) -> Result<Option<Outcome>, ProviderError> {
    Ok(None)
}

/// A secret the stack reads is not its to delete: destroy forgets it.
pub(super) async fn delete(
    _aws: &Aws,
    k: SecretsManagerKind,
    _e: &Existing<'_>,
) -> Result<(), ProviderError> {
    match k {
        SecretsManagerKind::SecretRef => Ok(()),
    }
}

impl Aws {
    /// A secret's current value, for requests that need it (an RDS master password, an
    /// ElastiCache AUTH token). Kept in memory only; never logged or written.
    pub async fn secret_value(
        &self,
        address: &str,
        secret_id: &str,
    ) -> Result<String, ProviderError> {
        let out = self
            .c
            .secrets
            .get_secret_value()
            .secret_id(secret_id)
            .send()
            .await
            .map_err(secrets_err(address, "GetSecretValue"))?;
        out.secret_string()
            .map(str::to_string)
            .ok_or_else(|| response(address, "secretsmanager:GetSecretValue", "SecretString"))
    }
}

no_modify_call_and_nothing_to_wait_for!(SecretsManagerKind);
