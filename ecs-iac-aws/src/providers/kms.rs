//! KMS: keys the stack owns (policy, rotation, alias), and existing keys it only uses.

use super::{lookups, not_supported, observed, owned, request, Existing, Outcome, Target};
use crate::clients::Aws;
use crate::error::ProviderError;
use aws_sdk_kms::types::{KeySpec, KeyState, KeyUsageType, Tag};
use ecs_iac_core::kind::KmsKind;
use ecs_iac_core::requests::kms::{
    CreateAlias, CreateAliasFields, CreateKey, CreateKeyFields, EnableKeyRotation,
};
use serde_json::Value;

sdk_err!(kms_err, aws_sdk_kms, "kms");

/// The AWS names of a key's request fields.
const KEY: CreateKeyFields = CreateKey::FIELD;
/// The AWS names of an alias's request fields.
const ALIAS: CreateAliasFields = CreateAlias::FIELD;

/// Errors meaning the key or alias is not there (or, for a key, already scheduled for
/// deletion).
const GONE: [&str; 2] = ["NotFoundException", "KMSInvalidStateException"];

fn key_outcome(meta: &aws_sdk_kms::types::KeyMetadata) -> Outcome {
    Outcome::new(meta.key_id()).with("arn", meta.arn().unwrap_or_default())
}

/// Whether a key state means the key is usable (not pending deletion or deleted).
fn alive(state: Option<&KeyState>) -> bool {
    !matches!(
        state,
        Some(KeyState::PendingDeletion | KeyState::PendingReplicaDeletion | KeyState::Unavailable)
    )
}

pub(super) async fn create(
    aws: &Aws,
    k: KmsKind,
    t: &Target<'_>,
) -> Result<Outcome, ProviderError> {
    let (a, r) = (t.address, &t.req);
    match k {
        KmsKind::ExistingKey => lookups::kms_key(aws, t).await,
        KmsKind::Key => {
            let q: CreateKey = r.decode()?;
            let usage = r.required(q.key_usage, KEY.key_usage)?;
            let spec = r.required(q.key_spec, KEY.key_spec)?;
            let tags = r
                .tags("Tags")
                .into_iter()
                .map(|(k, v)| Tag::builder().tag_key(k).tag_value(v).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|x| request(a, "Tags", x))?;
            let out = aws
                .once
                .kms
                .create_key()
                .set_description(q.description)
                .key_usage(KeyUsageType::from(usage.as_str()))
                .key_spec(KeySpec::from(spec.as_str()))
                .set_policy(q.policy)
                .set_tags(Some(tags))
                .send()
                .await
                .map_err(kms_err(a, "CreateKey"))?;
            out.key_metadata()
                .map(key_outcome)
                .ok_or_else(|| super::response(a, "kms:CreateKey", "KeyMetadata"))
        }
        KmsKind::KeyRotation => {
            let q: EnableKeyRotation = r.decode()?;
            let key = r.required(q.key_id, EnableKeyRotation::FIELD.key_id)?;
            aws.c
                .kms
                .enable_key_rotation()
                .key_id(&key)
                .send()
                .await
                .map_err(kms_err(a, "EnableKeyRotation"))?;
            Ok(Outcome::new(&key))
        }
        KmsKind::Alias => {
            let q: CreateAlias = r.decode()?;
            let alias = r.required(q.alias_name, ALIAS.alias_name)?;
            let target = r.required(q.target_key_id, ALIAS.target_key_id)?;
            let res = aws
                .c
                .kms
                .create_alias()
                .alias_name(&alias)
                .target_key_id(&target)
                .send()
                .await
                .map_err(kms_err(a, "CreateAlias"));
            match res {
                Ok(_) => {}
                // Ours already when it names our key (a retried create).
                Err(e) if e.is(&["AlreadyExistsException"]) => {
                    let points_at = aws
                        .c
                        .kms
                        .describe_key()
                        .key_id(&alias)
                        .send()
                        .await
                        .map_err(kms_err(a, "DescribeKey"))?;
                    let ours = points_at
                        .key_metadata()
                        .is_some_and(|m| m.key_id() == target || m.arn() == Some(&target));
                    if !ours {
                        return Err(request(
                            a,
                            ALIAS.alias_name,
                            format!("alias `{alias}` already names another key; pick another alias or move it with `aws kms update-alias`"),
                        ));
                    }
                }
                Err(e) => return Err(e),
            }
            Ok(Outcome::new(&alias).with("arn", aws.arn("kms", &alias)))
        }
    }
}

/// Changes a key's description and policy (the fields that changed), or points an alias
/// at another key.
pub(super) async fn update(
    aws: &Aws,
    k: KmsKind,
    t: &Target<'_>,
    e: &Existing<'_>,
) -> Result<Outcome, ProviderError> {
    let (a, r, c) = (t.address, &t.req, &aws.c.kms);
    let changed = |field: &str| t.changed.iter().any(|c| c == field);
    match k {
        KmsKind::Key => {
            let q: CreateKey = r.decode()?;
            if changed(KEY.description) {
                c.update_key_description()
                    .key_id(e.id)
                    .description(q.description.unwrap_or_default())
                    .send()
                    .await
                    .map_err(kms_err(a, "UpdateKeyDescription"))?;
            }
            if changed(KEY.policy) {
                c.put_key_policy()
                    .key_id(e.id)
                    .policy_name("default")
                    .policy(r.required(q.policy, KEY.policy)?)
                    .send()
                    .await
                    .map_err(kms_err(a, "PutKeyPolicy"))?;
            }
            Ok(e.unchanged())
        }
        KmsKind::Alias => {
            let q: CreateAlias = r.decode()?;
            c.update_alias()
                .alias_name(e.id)
                .target_key_id(r.required(q.target_key_id, ALIAS.target_key_id)?)
                .send()
                .await
                .map_err(kms_err(a, "UpdateAlias"))?;
            Ok(e.unchanged())
        }
        KmsKind::KeyRotation => create(aws, k, t).await,
        KmsKind::ExistingKey => Err(not_supported(a, t.kind, "modify")),
    }
}

/// What AWS has now: a key's description and policy, whether its rotation is on, the key
/// an alias names; `None` when it is gone (a key pending deletion is gone).
pub(super) async fn observe(
    aws: &Aws,
    k: KmsKind,
    e: &Existing<'_>,
    applied: &Value,
) -> Result<Option<Value>, ProviderError> {
    let (c, a) = (&aws.c.kms, e.address);
    match k {
        KmsKind::Key => {
            let out = c
                .describe_key()
                .key_id(e.id)
                .send()
                .await
                .map_err(kms_err(a, "DescribeKey"));
            let out = match out {
                Err(x) if x.is(&GONE) => return Ok(None),
                other => other?,
            };
            let Some(meta) = out.key_metadata().filter(|m| alive(m.key_state())) else {
                return Ok(None);
            };
            let policy = c
                .get_key_policy()
                .key_id(e.id)
                .policy_name("default")
                .send()
                .await
                .map_err(kms_err(a, "GetKeyPolicy"))?;
            // An empty description is how AWS reports none.
            let description = meta.description().filter(|d| !d.is_empty());
            let now = CreateKey {
                description: (description.is_some() || applied.get(KEY.description).is_some())
                    .then(|| description.unwrap_or_default().to_string()),
                key_usage: meta.key_usage().map(|u| u.as_str().to_string()),
                key_spec: meta.key_spec().map(|s| s.as_str().to_string()),
                policy: policy.policy().map(str::to_string),
            };
            Ok(Some(observed(a, &now)?))
        }
        KmsKind::KeyRotation => {
            let out = c
                .get_key_rotation_status()
                .key_id(e.id)
                .send()
                .await
                .map_err(kms_err(a, "GetKeyRotationStatus"));
            match out {
                Err(x) if x.is(&GONE) => Ok(None),
                Err(x) => Err(x),
                Ok(out) if out.key_rotation_enabled() => {
                    let field = EnableKeyRotation::FIELD.key_id;
                    let now = EnableKeyRotation {
                        key_id: applied
                            .get(field)
                            .and_then(Value::as_str)
                            .map(str::to_string),
                    };
                    Ok(Some(observed(a, &now)?))
                }
                Ok(_) => Ok(None),
            }
        }
        KmsKind::Alias => {
            let out = c
                .describe_key()
                .key_id(e.id)
                .send()
                .await
                .map_err(kms_err(a, "DescribeKey"));
            match out {
                Err(x) if x.is(&GONE) => Ok(None),
                Err(x) => Err(x),
                Ok(out) => match out.key_metadata() {
                    Some(m) => {
                        let now = CreateAlias {
                            alias_name: Some(e.id.to_string()),
                            target_key_id: Some(m.key_id().to_string()),
                        };
                        Ok(Some(observed(a, &now)?))
                    }
                    None => Ok(None),
                },
            }
        }
        KmsKind::ExistingKey => Err(not_supported(a, e.kind, "refresh")),
    }
}

/// The key of this stack and address, by its ownership tags (every page of the account's
/// keys; keys pending deletion are skipped).
pub(super) async fn find(
    aws: &Aws,
    k: KmsKind,
    t: &Target<'_>,
) -> Result<Option<Outcome>, ProviderError> {
    if k != KmsKind::Key {
        return Ok(None);
    }
    let (c, a) = (&aws.c.kms, t.address);
    let mut marker: Option<String> = None;
    loop {
        let page = c
            .list_keys()
            .set_marker(marker.take())
            .send()
            .await
            .map_err(kms_err(a, "ListKeys"))?;
        for key in page.keys() {
            let Some(id) = key.key_id() else { continue };
            let tags = c
                .list_resource_tags()
                .key_id(id)
                .send()
                .await
                .map_err(kms_err(a, "ListResourceTags"));
            let tags = match tags {
                Err(x) if x.is(&GONE) => continue,
                other => other?,
            };
            let mine = owned(
                tags.tags().iter().map(|x| (x.tag_key(), x.tag_value())),
                t.stack,
                t.address,
            );
            if !mine {
                continue;
            }
            let described = c
                .describe_key()
                .key_id(id)
                .send()
                .await
                .map_err(kms_err(a, "DescribeKey"))?;
            if let Some(meta) = described.key_metadata().filter(|m| alive(m.key_state())) {
                return Ok(Some(key_outcome(meta)));
            }
        }
        match page.next_marker() {
            Some(next) if page.truncated() => marker = Some(next.to_string()),
            _ => return Ok(None),
        }
    }
}

/// Schedules a key's deletion (AWS's 30-day window, cancellable), turns rotation off,
/// deletes an alias; an existing key is only forgotten.
pub(super) async fn delete(aws: &Aws, k: KmsKind, e: &Existing<'_>) -> Result<(), ProviderError> {
    let (c, a) = (&aws.c.kms, e.address);
    let res = match k {
        KmsKind::ExistingKey => return Ok(()),
        KmsKind::Key => c
            .schedule_key_deletion()
            .key_id(e.id)
            .set_pending_window_in_days(e.deletion.window_days.map(i32::from))
            .send()
            .await
            .map(drop)
            .map_err(kms_err(a, "ScheduleKeyDeletion")),
        KmsKind::KeyRotation => c
            .disable_key_rotation()
            .key_id(e.id)
            .send()
            .await
            .map(drop)
            .map_err(kms_err(a, "DisableKeyRotation")),
        KmsKind::Alias => c
            .delete_alias()
            .alias_name(e.id)
            .send()
            .await
            .map(drop)
            .map_err(kms_err(a, "DeleteAlias")),
    };
    match res {
        Err(x) if x.is(&GONE) => Ok(()),
        other => other,
    }
}

/// Usable once the call returns.
pub(super) async fn wait_ready(
    _aws: &Aws,
    _k: KmsKind,
    _t: &Target<'_>,
    _o: &mut Outcome,
) -> Result<(), ProviderError> {
    Ok(())
}
