//! IAM: roles, managed policy attachments and inline policies.

use super::{not_supported, observed, owned, response, Existing, Outcome, Target};
use crate::clients::Aws;
use crate::error::ProviderError;
use aws_sdk_iam::types::Tag;
use ecs_iac_core::kind::IamKind;
use ecs_iac_core::requests::iam::{
    AttachRolePolicy, CreateRole, CreateRoleFields, GetRole, PutRolePolicy, PutRolePolicyFields,
};

/// The AWS names of a role's request fields.
const ROLE: CreateRoleFields = CreateRole::FIELD;
/// The AWS names of an inline policy's request fields.
const POLICY: PutRolePolicyFields = PutRolePolicy::FIELD;

sdk_err!(err, aws_sdk_iam, "iam");

pub(super) async fn create(
    aws: &Aws,
    k: IamKind,
    t: &Target<'_>,
) -> Result<Outcome, ProviderError> {
    let (a, r) = (t.address, &t.req);
    match k {
        IamKind::ExistingRole => {
            let q: GetRole = r.decode()?;
            let name = r.required(q.role_name, GetRole::FIELD.role_name)?;
            let out = aws
                .c
                .iam
                .get_role()
                .role_name(&name)
                .send()
                .await
                .map_err(err(a, "GetRole"))?;
            let role = out
                .role()
                .ok_or_else(|| response(a, "iam:GetRole", "Role"))?;
            Ok(Outcome::new(role.role_name())
                .with("arn", role.arn())
                .with("name", role.role_name()))
        }
        IamKind::Role => {
            let q: CreateRole = r.decode()?;
            let name = r.required(q.role_name, ROLE.role_name)?;
            let tags: Vec<Tag> = r
                .tags("Tags")
                .into_iter()
                .filter_map(|(k, v)| Tag::builder().key(k).value(v).build().ok())
                .collect();
            let res = aws
                .once
                .iam
                .create_role()
                .role_name(&name)
                .assume_role_policy_document(r.required(
                    q.assume_role_policy_document,
                    ROLE.assume_role_policy_document,
                )?)
                .set_description(q.description)
                .set_path(q.path)
                .set_max_session_duration(q.max_session_duration)
                .set_tags(Some(tags))
                .send()
                .await
                .map_err(err(a, "CreateRole"));
            match res {
                Ok(out) => {
                    let role = out.role().ok_or_else(|| response(a, "iam:CreateRole", "Role"))?;
                    Ok(Outcome::new(role.role_name())
                        .with("arn", role.arn())
                        .with("name", role.role_name()))
                }
                Err(e) if e.is(&["EntityAlreadyExists"]) => match find(aws, k, t).await? {
                    Some(found) => Ok(found),
                    None => Err(ProviderError::Request {
                        address: a.into(),
                        field: ROLE.role_name.into(),
                        problem: format!("a role named `{name}` already exists and is not owned by this stack; rename the role or import it"),
                    }),
                },
                Err(e) => Err(e),
            }
        }
        IamKind::RolePolicyAttachment => {
            let q: AttachRolePolicy = r.decode()?;
            let field = AttachRolePolicy::FIELD;
            let role = r.required(q.role_name, field.role_name)?;
            let policy = r.required(q.policy_arn, field.policy_arn)?;
            aws.c
                .iam
                .attach_role_policy()
                .role_name(&role)
                .policy_arn(&policy)
                .send()
                .await
                .map_err(err(a, "AttachRolePolicy"))?;
            Ok(Outcome::new(format!("{role}|{policy}"))
                .with("role_name", role)
                .with("policy_arn", policy))
        }
        IamKind::RolePolicy => {
            let q: PutRolePolicy = r.decode()?;
            let role = r.required(q.role_name, POLICY.role_name)?;
            let name = r.required(q.policy_name, POLICY.policy_name)?;
            aws.c
                .iam
                .put_role_policy()
                .role_name(&role)
                .policy_name(&name)
                .policy_document(r.required(q.policy_document, POLICY.policy_document)?)
                .send()
                .await
                .map_err(err(a, "PutRolePolicy"))?;
            Ok(Outcome::new(format!("{role}|{name}"))
                .with("role_name", role)
                .with("policy_name", name))
        }
    }
}

/// Changes a role's trust policy, description and maximum session duration in place.
pub(super) async fn update(
    aws: &Aws,
    k: IamKind,
    t: &Target<'_>,
    e: &Existing<'_>,
) -> Result<Outcome, ProviderError> {
    let (a, r) = (t.address, &t.req);
    match k {
        IamKind::Role => {
            let q: CreateRole = r.decode()?;
            aws.c
                .iam
                .update_assume_role_policy()
                .role_name(e.id)
                .policy_document(r.required(
                    q.assume_role_policy_document,
                    ROLE.assume_role_policy_document,
                )?)
                .send()
                .await
                .map_err(err(a, "UpdateAssumeRolePolicy"))?;
            aws.c
                .iam
                .update_role()
                .role_name(e.id)
                .set_description(q.description)
                .set_max_session_duration(q.max_session_duration)
                .send()
                .await
                .map_err(err(a, "UpdateRole"))?;
        }
        IamKind::RolePolicy | IamKind::RolePolicyAttachment | IamKind::ExistingRole => {
            return Err(not_supported(a, t.kind, "modify"))
        }
    }
    Ok(e.unchanged())
}

/// What AWS has now for a role (description, session duration), an inline policy (its
/// document) or a managed policy attachment (that it is attached); `None` when gone.
pub(super) async fn observe(
    aws: &Aws,
    k: IamKind,
    e: &Existing<'_>,
    _applied: &serde_json::Value,
) -> Result<Option<serde_json::Value>, ProviderError> {
    let a = e.address;
    match k {
        IamKind::Role => {}
        // Looked up before every apply, never refreshed.
        IamKind::ExistingRole => return Err(not_supported(a, e.kind, "refresh")),
        IamKind::RolePolicy => {
            let (role, name) = (e.attr("role_name")?, e.attr("policy_name")?);
            return match aws
                .c
                .iam
                .get_role_policy()
                .role_name(&role)
                .policy_name(&name)
                .send()
                .await
                .map_err(err(a, "GetRolePolicy"))
            {
                Ok(out) => {
                    let now = PutRolePolicy {
                        policy_document: Some(out.policy_document().to_string()),
                        ..PutRolePolicy::default()
                    };
                    Ok(Some(observed(a, &now)?))
                }
                Err(x) if x.is(&["NoSuchEntity"]) => Ok(None),
                Err(x) => Err(x),
            };
        }
        IamKind::RolePolicyAttachment => {
            let (role, policy) = (e.attr("role_name")?, e.attr("policy_arn")?);
            return match aws
                .c
                .iam
                .list_attached_role_policies()
                .role_name(&role)
                .send()
                .await
                .map_err(err(a, "ListAttachedRolePolicies"))
            {
                Ok(out) => Ok(out
                    .attached_policies()
                    .iter()
                    .any(|p| p.policy_arn() == Some(policy.as_str()))
                    .then(|| observed(a, &AttachRolePolicy::default()))
                    .transpose()?),
                Err(x) if x.is(&["NoSuchEntity"]) => Ok(None),
                Err(x) => Err(x),
            };
        }
    }
    match aws
        .c
        .iam
        .get_role()
        .role_name(e.id)
        .send()
        .await
        .map_err(err(a, "GetRole"))
    {
        Ok(out) => out
            .role()
            .map(|r| {
                let now = CreateRole {
                    description: r.description().map(str::to_string),
                    max_session_duration: r.max_session_duration(),
                    ..CreateRole::default()
                };
                observed(a, &now)
            })
            .transpose(),
        Err(x) if x.is(&["NoSuchEntity"]) => Ok(None),
        Err(x) => Err(x),
    }
}

pub(super) async fn find(
    aws: &Aws,
    k: IamKind,
    t: &Target<'_>,
) -> Result<Option<Outcome>, ProviderError> {
    if k != IamKind::Role {
        return Ok(None);
    }
    let (a, r) = (t.address, &t.req);
    let q: CreateRole = r.decode()?;
    let name = r.required(q.role_name, ROLE.role_name)?;
    let out = match aws
        .c
        .iam
        .get_role()
        .role_name(&name)
        .send()
        .await
        .map_err(err(a, "GetRole"))
    {
        Ok(out) => out,
        Err(e) if e.is(&["NoSuchEntity"]) => return Ok(None),
        Err(e) => return Err(e),
    };
    let Some(role) = out.role() else {
        return Ok(None);
    };
    let tags = aws
        .c
        .iam
        .list_role_tags()
        .role_name(&name)
        .send()
        .await
        .map_err(err(a, "ListRoleTags"))?;
    let mine = owned(
        tags.tags().iter().map(|t| (t.key(), t.value())),
        t.stack,
        t.address,
    );
    Ok(mine.then(|| {
        Outcome::new(role.role_name())
            .with("arn", role.arn())
            .with("name", role.role_name())
    }))
}

pub(super) async fn delete(aws: &Aws, k: IamKind, e: &Existing<'_>) -> Result<(), ProviderError> {
    let (c, a) = (&aws.c.iam, e.address);
    let res = match k {
        // Not the stack's: destroy forgets it.
        IamKind::ExistingRole => Ok(()),
        IamKind::Role => c
            .delete_role()
            .role_name(e.id)
            .send()
            .await
            .map(drop)
            .map_err(err(a, "DeleteRole")),
        IamKind::RolePolicyAttachment => c
            .detach_role_policy()
            .role_name(e.attr("role_name")?)
            .policy_arn(e.attr("policy_arn")?)
            .send()
            .await
            .map(drop)
            .map_err(err(a, "DetachRolePolicy")),
        IamKind::RolePolicy => c
            .delete_role_policy()
            .role_name(e.attr("role_name")?)
            .policy_name(e.attr("policy_name")?)
            .send()
            .await
            .map(drop)
            .map_err(err(a, "DeleteRolePolicy")),
    };
    match res {
        Err(x) if x.is(&["NoSuchEntity"]) => Ok(()),
        other => other,
    }
}

/// Roles, inline policies and attachments are usable once created (IAM is eventually
/// consistent; the services that use a role retry on their own).
pub(super) async fn wait_ready(
    _aws: &Aws,
    _k: IamKind,
    _t: &Target<'_>,
    _o: &mut Outcome,
) -> Result<(), ProviderError> {
    Ok(())
}
