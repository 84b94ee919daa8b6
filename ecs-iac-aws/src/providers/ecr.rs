//! ECR: repositories the stack owns (and their lifecycle policies), and existing ones it
//! only pulls from.

use super::{
    gone_is_deleted, lookups, not_supported, observed, owned, request, Existing, Outcome, Target,
};
use crate::clients::Aws;
use crate::error::ProviderError;
use aws_sdk_ecr::types::{EncryptionType, ImageTagMutability, Tag};
use ecs_iac_core::kind::EcrKind;
use ecs_iac_core::requests::ecr::{
    CreateRepository, CreateRepositoryFields, EncryptionConfiguration, ImageScanningConfiguration,
    PutLifecyclePolicy, PutLifecyclePolicyFields,
};
use serde_json::Value;

sdk_err!(ecr_err, aws_sdk_ecr, "ecr");

/// The AWS names of a repository's request fields.
const REPOSITORY: CreateRepositoryFields = CreateRepository::FIELD;
/// The AWS names of a lifecycle policy's request fields.
const LIFECYCLE: PutLifecyclePolicyFields = PutLifecyclePolicy::FIELD;

/// The outcome of a repository AWS described.
fn repository_outcome(r: &aws_sdk_ecr::types::Repository) -> Outcome {
    let name = r.repository_name().unwrap_or_default();
    Outcome::new(name)
        .with("arn", r.repository_arn().unwrap_or_default())
        .with("name", name)
        .with("uri", r.repository_uri().unwrap_or_default())
}

/// The repository's scanning setting of a request.
fn scanning(q: &CreateRepository) -> aws_sdk_ecr::types::ImageScanningConfiguration {
    let scan = q
        .image_scanning_configuration
        .as_ref()
        .and_then(|c| c.scan_on_push)
        .unwrap_or(false);
    aws_sdk_ecr::types::ImageScanningConfiguration::builder()
        .scan_on_push(scan)
        .build()
}

pub(super) async fn create(
    aws: &Aws,
    k: EcrKind,
    t: &Target<'_>,
) -> Result<Outcome, ProviderError> {
    let (a, r) = (t.address, &t.req);
    match k {
        EcrKind::ExistingRepository => lookups::repository(aws, t).await,
        EcrKind::Repository => {
            let q: CreateRepository = r.decode()?;
            let name = r.required(q.repository_name.clone(), REPOSITORY.repository_name)?;
            let encryption = match q.encryption_configuration.clone() {
                Some(e) => {
                    let kind = r.required(
                        e.encryption_type,
                        &format!(
                            "{}.{}",
                            REPOSITORY.encryption_configuration,
                            EncryptionConfiguration::FIELD.encryption_type
                        ),
                    )?;
                    Some(
                        aws_sdk_ecr::types::EncryptionConfiguration::builder()
                            .encryption_type(EncryptionType::from(kind.as_str()))
                            .set_kms_key(e.kms_key)
                            .build()
                            .map_err(|x| request(a, REPOSITORY.encryption_configuration, x))?,
                    )
                }
                None => None,
            };
            let tags = r
                .tags("tags")
                .into_iter()
                .map(|(k, v)| Tag::builder().key(k).value(v).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|x| request(a, "tags", x))?;
            let res = aws
                .once
                .ecr
                .create_repository()
                .repository_name(&name)
                .set_image_tag_mutability(
                    q.image_tag_mutability
                        .as_deref()
                        .map(ImageTagMutability::from),
                )
                .image_scanning_configuration(scanning(&q))
                .set_encryption_configuration(encryption)
                .set_tags(Some(tags))
                .send()
                .await
                .map_err(ecr_err(a, "CreateRepository"));
            match res {
                Ok(out) => out
                    .repository()
                    .map(repository_outcome)
                    .ok_or_else(|| super::response(a, "ecr:CreateRepository", "repository")),
                Err(e) if e.is(&["RepositoryAlreadyExistsException"]) => {
                    find(aws, k, t).await?.ok_or_else(|| {
                        request(
                            a,
                            REPOSITORY.repository_name,
                            format!(
                                "repository `{name}` already exists and is not owned by this stack; import it or pick another name"
                            ),
                        )
                    })
                }
                Err(e) => Err(e),
            }
        }
        EcrKind::LifecyclePolicy => {
            let q: PutLifecyclePolicy = r.decode()?;
            let name = r.required(q.repository_name, LIFECYCLE.repository_name)?;
            aws.c
                .ecr
                .put_lifecycle_policy()
                .repository_name(&name)
                .lifecycle_policy_text(
                    r.required(q.lifecycle_policy_text, LIFECYCLE.lifecycle_policy_text)?,
                )
                .send()
                .await
                .map_err(ecr_err(a, "PutLifecyclePolicy"))?;
            Ok(Outcome::new(&name))
        }
    }
}

/// Changes a repository's tag mutability and scanning in place (the fields that
/// changed), or puts its lifecycle policy again.
pub(super) async fn update(
    aws: &Aws,
    k: EcrKind,
    t: &Target<'_>,
    e: &Existing<'_>,
) -> Result<Outcome, ProviderError> {
    let (a, r, c) = (t.address, &t.req, &aws.c.ecr);
    match k {
        EcrKind::Repository => {
            let q: CreateRepository = r.decode()?;
            let changed = |field: &str| t.changed.iter().any(|c| c == field);
            if changed(REPOSITORY.image_tag_mutability) {
                let mutability = r.required(
                    q.image_tag_mutability.clone(),
                    REPOSITORY.image_tag_mutability,
                )?;
                c.put_image_tag_mutability()
                    .repository_name(e.id)
                    .image_tag_mutability(ImageTagMutability::from(mutability.as_str()))
                    .send()
                    .await
                    .map_err(ecr_err(a, "PutImageTagMutability"))?;
            }
            if changed(REPOSITORY.image_scanning_configuration) {
                c.put_image_scanning_configuration()
                    .repository_name(e.id)
                    .image_scanning_configuration(scanning(&q))
                    .send()
                    .await
                    .map_err(ecr_err(a, "PutImageScanningConfiguration"))?;
            }
            Ok(e.unchanged())
        }
        EcrKind::LifecyclePolicy => create(aws, k, t).await,
        EcrKind::ExistingRepository => Err(not_supported(a, t.kind, "modify")),
    }
}

/// Lifecycle policy text as JSON with sorted keys and no whitespace, as the core renders
/// it, so a reformatted answer is not drift.
fn canonical_policy(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .map(|v| v.to_string())
        .unwrap_or_else(|_| text.to_string())
}

/// What AWS has now for a repository (tag mutability, scanning, encryption) or its
/// lifecycle policy; `None` when it is gone.
pub(super) async fn observe(
    aws: &Aws,
    k: EcrKind,
    e: &Existing<'_>,
    applied: &Value,
) -> Result<Option<Value>, ProviderError> {
    let (c, a) = (&aws.c.ecr, e.address);
    match k {
        EcrKind::Repository => {
            let out = c
                .describe_repositories()
                .repository_names(e.id)
                .send()
                .await
                .map_err(ecr_err(a, "DescribeRepositories"));
            let out = match out {
                Err(x) if x.is(&["RepositoryNotFoundException"]) => return Ok(None),
                other => other?,
            };
            out.repositories()
                .first()
                .map(|repo| repository_seen(a, repo, applied))
                .transpose()
        }
        EcrKind::LifecyclePolicy => {
            let out = c
                .get_lifecycle_policy()
                .repository_name(e.id)
                .send()
                .await
                .map_err(ecr_err(a, "GetLifecyclePolicy"));
            match out {
                Err(x)
                    if x.is(&[
                        "LifecyclePolicyNotFoundException",
                        "RepositoryNotFoundException",
                    ]) =>
                {
                    Ok(None)
                }
                Err(x) => Err(x),
                Ok(out) => {
                    let now = PutLifecyclePolicy {
                        repository_name: out.repository_name().map(str::to_string),
                        lifecycle_policy_text: out.lifecycle_policy_text().map(canonical_policy),
                    };
                    Ok(Some(observed(a, &now)?))
                }
            }
        }
        EcrKind::ExistingRepository => Err(not_supported(a, e.kind, "refresh")),
    }
}

/// A repository as refresh compares it: tag mutability, scanning and encryption.
fn repository_seen(
    a: &str,
    repo: &aws_sdk_ecr::types::Repository,
    applied: &Value,
) -> Result<Value, ProviderError> {
    // The key AWS picked for `aws/ecr` is not drift.
    let asked = applied[REPOSITORY.encryption_configuration]
        [EncryptionConfiguration::FIELD.kms_key]
        .is_string();
    let encryption = repo
        .encryption_configuration()
        .map(|enc| EncryptionConfiguration {
            encryption_type: Some(enc.encryption_type().as_str().to_string()),
            kms_key: enc.kms_key().filter(|_| asked).map(str::to_string),
        });
    let now = CreateRepository {
        repository_name: repo.repository_name().map(str::to_string),
        image_tag_mutability: repo.image_tag_mutability().map(|m| m.as_str().to_string()),
        image_scanning_configuration: Some(ImageScanningConfiguration {
            scan_on_push: Some(
                repo.image_scanning_configuration()
                    .is_some_and(|s| s.scan_on_push()),
            ),
        }),
        encryption_configuration: encryption,
    };
    observed(a, &now)
}

/// The most repositories one DescribeRepositories call names.
const REPOSITORIES_PER_CALL: usize = 100;

/// How refresh reads `k` in batches (see [`Aws::batch`]): repositories by 100 names.
pub(super) fn batch(k: EcrKind) -> Option<(usize, String)> {
    match k {
        EcrKind::Repository => Some((REPOSITORIES_PER_CALL, String::new())),
        EcrKind::LifecyclePolicy | EcrKind::ExistingRepository => None,
    }
}

/// [`observe`] for up to 100 repositories in one DescribeRepositories call. AWS fails the
/// whole call when one of them is gone (`RepositoryNotFoundException`): refresh then
/// reads each on its own.
pub(super) async fn observe_batch(
    aws: &Aws,
    k: EcrKind,
    members: &[(Existing<'_>, &Value)],
) -> Result<Vec<Option<Value>>, ProviderError> {
    let Some((first, _)) = members.first() else {
        return Ok(Vec::new());
    };
    if k != EcrKind::Repository {
        return Err(super::not_supported(
            first.address,
            first.kind,
            "batched refresh",
        ));
    }
    let names = members.iter().map(|(e, _)| e.id.to_string()).collect();
    let out = aws
        .c
        .ecr
        .describe_repositories()
        .set_repository_names(Some(names))
        .send()
        .await
        .map_err(ecr_err(first.address, "DescribeRepositories"))?;
    members
        .iter()
        .map(|(e, applied)| {
            out.repositories()
                .iter()
                .find(|r| r.repository_name() == Some(e.id))
                .map(|repo| repository_seen(e.address, repo, applied))
                .transpose()
        })
        .collect()
}

/// The repository of this stack and address, by its name and ownership tags.
pub(super) async fn find(
    aws: &Aws,
    k: EcrKind,
    t: &Target<'_>,
) -> Result<Option<Outcome>, ProviderError> {
    if k != EcrKind::Repository {
        return Ok(None);
    }
    let (c, a) = (&aws.c.ecr, t.address);
    let q: CreateRepository = t.req.decode()?;
    let out = c
        .describe_repositories()
        .repository_names(
            t.req
                .required(q.repository_name, REPOSITORY.repository_name)?,
        )
        .send()
        .await
        .map_err(ecr_err(a, "DescribeRepositories"));
    let out = match out {
        Err(x) if x.is(&["RepositoryNotFoundException"]) => return Ok(None),
        other => other?,
    };
    let Some(repo) = out.repositories().first() else {
        return Ok(None);
    };
    let tags = c
        .list_tags_for_resource()
        .resource_arn(repo.repository_arn().unwrap_or_default())
        .send()
        .await
        .map_err(ecr_err(a, "ListTagsForResource"))?;
    let mine = owned(
        tags.tags().iter().map(|x| (x.key(), x.value())),
        t.stack,
        t.address,
    );
    Ok(mine.then(|| repository_outcome(repo)))
}

/// Deletes a repository (AWS refuses while it holds images: the error says what to do)
/// or its lifecycle policy. An existing repository is only forgotten.
pub(super) async fn delete(aws: &Aws, k: EcrKind, e: &Existing<'_>) -> Result<(), ProviderError> {
    let (c, a) = (&aws.c.ecr, e.address);
    let res = match k {
        EcrKind::ExistingRepository => return Ok(()),
        EcrKind::Repository => c
            .delete_repository()
            .repository_name(e.id)
            .send()
            .await
            .map(drop)
            .map_err(ecr_err(a, "DeleteRepository")),
        EcrKind::LifecyclePolicy => c
            .delete_lifecycle_policy()
            .repository_name(e.id)
            .send()
            .await
            .map(drop)
            .map_err(ecr_err(a, "DeleteLifecyclePolicy")),
    };
    match res {
        Err(x) if x.is(&["RepositoryNotFoundException", "LifecyclePolicyNotFoundException"]) => {
            Ok(())
        }
        Err(x) if x.is(&["RepositoryNotEmptyException"]) => Err(request(
            a,
            REPOSITORY.repository_name,
            format!(
                "repository `{}` still holds images and AWS deletes only empty repositories; delete its images (`aws ecr batch-delete-image`) and run again",
                e.id
            ),
        )),
        other => gone_is_deleted(other),
    }
}

/// Usable once the call returns.
pub(super) async fn wait_ready(
    _aws: &Aws,
    _k: EcrKind,
    _t: &Target<'_>,
    _o: &mut Outcome,
) -> Result<(), ProviderError> {
    Ok(())
}
