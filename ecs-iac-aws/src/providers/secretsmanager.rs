//! Secrets Manager: secrets the stack creates (with a value produced at apply) and their
//! resource policies, secrets it only reads, and secret values for requests that need
//! them. No value is ever logged, recorded or put in an error.

use super::{
    gone_is_deleted, not_supported, observed, owned, request, response, Existing, Outcome, Target,
};
use crate::clients::Aws;
use crate::error::ProviderError;
use ecs_iac_core::kind::SecretsManagerKind;
use ecs_iac_core::requests::secretsmanager::{
    CreateSecret, CreateSecretFields, DescribeSecret, PutResourcePolicy, PutResourcePolicyFields,
};
use ecs_iac_core::resources::SecretValue;
use serde_json::Value;

sdk_err!(secrets_err, aws_sdk_secretsmanager, "secretsmanager");

/// The errors of a secret that does not exist.
const GONE: [&str; 1] = ["ResourceNotFoundException"];

/// The AWS names of a secret's request fields.
const SECRET: CreateSecretFields = CreateSecret::FIELD;
/// The AWS names of a secret policy's request fields.
const POLICY: PutResourcePolicyFields = PutResourcePolicy::FIELD;

/// The key Secrets Manager uses when a secret names none.
const DEFAULT_KEY: &str = "alias/aws/secretsmanager";

pub(super) async fn create(
    aws: &Aws,
    k: SecretsManagerKind,
    t: &Target<'_>,
) -> Result<Outcome, ProviderError> {
    let (a, r) = (t.address, &t.req);
    let c = &aws.c.secrets;
    match k {
        SecretsManagerKind::SecretRef => {
            let q: DescribeSecret = r.decode()?;
            let out = c
                .describe_secret()
                .secret_id(r.required(q.secret_id, DescribeSecret::FIELD.secret_id)?)
                .send()
                .await
                .map_err(secrets_err(a, "DescribeSecret"))?;
            let arn = out
                .arn()
                .ok_or_else(|| response(a, "secretsmanager:DescribeSecret", "ARN"))?;
            if out.deleted_date().is_some() {
                return Err(request(
                    a,
                    DescribeSecret::FIELD.secret_id,
                    format!("secret `{arn}` is scheduled for deletion; restore it (`aws secretsmanager restore-secret`) or point the stack at another one"),
                ));
            }
            Ok(Outcome::new(arn)
                .with("arn", arn)
                .with("name", out.name().unwrap_or_default()))
        }
        SecretsManagerKind::Secret => {
            let q: CreateSecret = r.decode()?;
            let name = r.required(q.name, SECRET.name)?;
            let value = q.secret_string.ok_or_else(|| {
                request(
                    a,
                    SECRET.secret_string,
                    "no value was produced for the secret",
                )
            })?;
            let tags = r
                .tags("Tags")
                .into_iter()
                .map(|(k, v)| {
                    aws_sdk_secretsmanager::types::Tag::builder()
                        .key(k)
                        .value(v)
                        .build()
                })
                .collect();
            let out = c
                .create_secret()
                .name(&name)
                .set_description(q.description)
                .set_kms_key_id(q.kms_key_id)
                .secret_string(value)
                .set_tags(Some(tags))
                .send()
                .await
                .map_err(secrets_err(a, "CreateSecret"));
            match out {
                Ok(out) => {
                    let arn = out
                        .arn()
                        .ok_or_else(|| response(a, "secretsmanager:CreateSecret", "ARN"))?;
                    Ok(secret_outcome(arn, &name))
                }
                // The name is taken: by this stack (a create whose answer was lost), by a
                // secret scheduled for deletion, or by someone else's.
                Err(x) if x.is(&["ResourceExistsException", "InvalidRequestException"]) => {
                    match ownership(aws, t, &name).await? {
                        Some(Taken::Ours(found)) => Ok(found),
                        Some(Taken::Deleted(arn)) => Err(request(
                            a,
                            SECRET.name,
                            format!("secret `{name}` ({arn}) is scheduled for deletion and keeps its name until then; restore it (`aws secretsmanager restore-secret --secret-id {name}`) and import it, delete it for good (`aws secretsmanager delete-secret --secret-id {name} --force-delete-without-recovery`), or pick another name"),
                        )),
                        Some(Taken::Theirs) => Err(request(
                            a,
                            SECRET.name,
                            format!("secret `{name}` already exists and is not owned by this stack; import it or pick another name"),
                        )),
                        None => Err(x),
                    }
                }
                Err(x) => Err(x),
            }
        }
        SecretsManagerKind::ResourcePolicy => {
            let q: PutResourcePolicy = r.decode()?;
            let secret = r.required(q.secret_id, POLICY.secret_id)?;
            c.put_resource_policy()
                .secret_id(&secret)
                .resource_policy(r.required(q.resource_policy, POLICY.resource_policy)?)
                .set_block_public_policy(q.block_public_policy)
                .send()
                .await
                .map_err(secrets_err(a, "PutResourcePolicy"))?;
            Ok(Outcome::new(secret))
        }
    }
}

/// A created secret's outcome.
fn secret_outcome(arn: &str, name: &str) -> Outcome {
    Outcome::new(arn).with("arn", arn).with("name", name)
}

/// Who holds a secret name.
enum Taken {
    /// This stack and address, live.
    Ours(Outcome),
    /// A secret scheduled for deletion (anyone's).
    Deleted(String),
    /// Another stack or a person.
    Theirs,
}

/// Who holds the secret name `name`; `None` when no secret has it.
async fn ownership(aws: &Aws, t: &Target<'_>, name: &str) -> Result<Option<Taken>, ProviderError> {
    let out = aws
        .c
        .secrets
        .describe_secret()
        .secret_id(name)
        .send()
        .await
        .map_err(secrets_err(t.address, "DescribeSecret"));
    let out = match out {
        Err(x) if x.is(&GONE) => return Ok(None),
        other => other?,
    };
    let arn = out
        .arn()
        .ok_or_else(|| response(t.address, "secretsmanager:DescribeSecret", "ARN"))?;
    if out.deleted_date().is_some() {
        return Ok(Some(Taken::Deleted(arn.to_string())));
    }
    let ours = owned(
        out.tags()
            .iter()
            .map(|x| (x.key().unwrap_or_default(), x.value().unwrap_or_default())),
        t.stack,
        t.address,
    );
    Ok(Some(if ours {
        Taken::Ours(secret_outcome(arn, name))
    } else {
        Taken::Theirs
    }))
}

/// Changes a secret's description and key (`UpdateSecret`, without a value: the value
/// stays; a new key re-encrypts it).
pub(super) async fn update(
    aws: &Aws,
    k: SecretsManagerKind,
    t: &Target<'_>,
    e: &Existing<'_>,
) -> Result<Outcome, ProviderError> {
    let (a, r) = (t.address, &t.req);
    if k != SecretsManagerKind::Secret {
        return Err(not_supported(a, t.kind, "modify"));
    }
    let q: CreateSecret = r.decode()?;
    let changed = |field: &str| t.changed.iter().any(|c| c == field);
    let mut call = aws.c.secrets.update_secret().secret_id(e.id);
    if changed(SECRET.description) {
        call = call.description(q.description.unwrap_or_default());
    }
    if changed(SECRET.kms_key_id) {
        call = call.kms_key_id(q.kms_key_id.unwrap_or_else(|| DEFAULT_KEY.into()));
    }
    call.send().await.map_err(secrets_err(a, "UpdateSecret"))?;
    Ok(e.unchanged())
}

/// What AWS has now: a secret's name, description and key, or a resource policy; `None`
/// when it is gone or scheduled for deletion.
pub(super) async fn observe(
    aws: &Aws,
    k: SecretsManagerKind,
    e: &Existing<'_>,
    applied: &Value,
) -> Result<Option<Value>, ProviderError> {
    let (c, a) = (&aws.c.secrets, e.address);
    match k {
        SecretsManagerKind::SecretRef => Err(not_supported(a, e.kind, "refresh")),
        SecretsManagerKind::Secret => {
            let out = c
                .describe_secret()
                .secret_id(e.id)
                .send()
                .await
                .map_err(secrets_err(a, "DescribeSecret"));
            let out = match out {
                Err(x) if x.is(&GONE) => return Ok(None),
                other => other?,
            };
            if out.deleted_date().is_some() {
                return Ok(None);
            }
            let asked = applied.get(SECRET.kms_key_id).and_then(Value::as_str);
            let now = CreateSecret {
                name: out.name().map(str::to_string),
                description: out
                    .description()
                    .filter(|d| !d.is_empty())
                    .map(str::to_string),
                kms_key_id: out
                    .kms_key_id()
                    .filter(|k| *k != DEFAULT_KEY)
                    .map(|key| same_key(asked, key)),
                secret_string: None,
            };
            Ok(Some(observed(a, &now)?))
        }
        SecretsManagerKind::ResourcePolicy => {
            let out = c
                .get_resource_policy()
                .secret_id(e.id)
                .send()
                .await
                .map_err(secrets_err(a, "GetResourcePolicy"));
            let out = match out {
                Err(x) if x.is(&GONE) => return Ok(None),
                other => other?,
            };
            let Some(policy) = out.resource_policy() else {
                return Ok(None);
            };
            let now = PutResourcePolicy {
                secret_id: Some(e.id.to_string()),
                resource_policy: Some(policy.to_string()),
                // Whether public policies are blocked is not reported back.
                block_public_policy: applied
                    .get(POLICY.block_public_policy)
                    .and_then(Value::as_bool),
            };
            Ok(Some(observed(a, &now)?))
        }
    }
}

/// The key AWS reports, in the form the request gave it when both name the same key
/// (an ARN and its key id, or an alias AWS reports as given).
fn same_key(asked: Option<&str>, reported: &str) -> String {
    match asked {
        Some(asked)
            if asked == reported
                || reported.ends_with(&format!("/{asked}"))
                || asked.ends_with(&format!("/{reported}")) =>
        {
            asked.to_string()
        }
        _ => reported.to_string(),
    }
}

/// The secret of this stack and address, by its name and ownership tags.
pub(super) async fn find(
    aws: &Aws,
    k: SecretsManagerKind,
    t: &Target<'_>,
) -> Result<Option<Outcome>, ProviderError> {
    if k != SecretsManagerKind::Secret {
        return Ok(None);
    }
    let q: CreateSecret = t.req.decode()?;
    match ownership(aws, t, &t.req.required(q.name, SECRET.name)?).await? {
        Some(Taken::Ours(found)) => Ok(Some(found)),
        _ => Ok(None),
    }
}

/// Deletes a secret with the recovery window the state records (none: AWS's 30 days;
/// 0: at once), or removes a resource policy. A secret the stack reads is only
/// forgotten.
pub(super) async fn delete(
    aws: &Aws,
    k: SecretsManagerKind,
    e: &Existing<'_>,
) -> Result<(), ProviderError> {
    let (c, a) = (&aws.c.secrets, e.address);
    let res = match k {
        SecretsManagerKind::SecretRef => return Ok(()),
        SecretsManagerKind::Secret => {
            let call = c.delete_secret().secret_id(e.id);
            let call = match e.deletion.window_days {
                Some(0) => call.force_delete_without_recovery(true),
                Some(days) => call.recovery_window_in_days(i64::from(days)),
                None => call,
            };
            call.send()
                .await
                .map(drop)
                .map_err(secrets_err(a, "DeleteSecret"))
        }
        SecretsManagerKind::ResourcePolicy => c
            .delete_resource_policy()
            .secret_id(e.id)
            .send()
            .await
            .map(drop)
            .map_err(secrets_err(a, "DeleteResourcePolicy")),
    };
    match res {
        Err(x) if x.is(&GONE) => Ok(()),
        other => gone_is_deleted(other),
    }
}

/// Usable once the call returns.
pub(super) async fn wait_ready(
    _aws: &Aws,
    _k: SecretsManagerKind,
    _t: &Target<'_>,
    _o: &mut Outcome,
) -> Result<(), ProviderError> {
    Ok(())
}

/// Reads a secret value from an environment variable or file, or says why it cannot:
/// `Err(problem)` never holds the value.
pub(crate) fn read_local_value(source: &SecretValue) -> Option<Result<String, String>> {
    match source {
        SecretValue::Generated(_) => None,
        SecretValue::Env { variable } => Some(match std::env::var(variable) {
            Ok(v) if !v.is_empty() => Ok(v),
            Ok(_) => Err(format!("the environment variable `{variable}` is empty")),
            Err(std::env::VarError::NotPresent) => {
                Err(format!("the environment variable `{variable}` is not set"))
            }
            Err(std::env::VarError::NotUnicode(_)) => Err(format!(
                "the environment variable `{variable}` is not valid UTF-8"
            )),
        }),
        SecretValue::File { path } => Some(match std::fs::read_to_string(path) {
            Ok(v) => {
                let v = v
                    .strip_suffix("\r\n")
                    .or_else(|| v.strip_suffix('\n'))
                    .unwrap_or(&v);
                if v.is_empty() {
                    Err(format!("the file `{}` is empty", path.display()))
                } else {
                    Ok(v.to_string())
                }
            }
            Err(e) => Err(format!("the file `{}` cannot be read: {e}", path.display())),
        }),
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

    /// The value the secret at `address` is created with: a password from
    /// `GetRandomPassword`, or an environment variable or file read now. Kept in memory
    /// only; never logged or written.
    pub async fn produce_secret_value(
        &self,
        address: &str,
        source: &SecretValue,
    ) -> Result<String, ProviderError> {
        if let Some(local) = read_local_value(source) {
            return local.map_err(|problem| request(address, SECRET.secret_string, problem));
        }
        let SecretValue::Generated(p) = source else {
            return Err(request(address, SECRET.secret_string, "no value source"));
        };
        let out = self
            .c
            .secrets
            .get_random_password()
            .password_length(i64::from(p.length))
            .set_exclude_characters(
                (!p.exclude_characters.is_empty()).then(|| p.exclude_characters.clone()),
            )
            .exclude_punctuation(p.exclude_punctuation)
            .exclude_numbers(p.exclude_numbers)
            .exclude_uppercase(p.exclude_uppercase)
            .exclude_lowercase(p.exclude_lowercase)
            .include_space(p.include_space)
            .require_each_included_type(p.require_each_included_type)
            .send()
            .await
            .map_err(secrets_err(address, "GetRandomPassword"))?;
        out.random_password().map(str::to_string).ok_or_else(|| {
            response(
                address,
                "secretsmanager:GetRandomPassword",
                "RandomPassword",
            )
        })
    }
}
