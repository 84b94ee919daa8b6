//! Reads before the first change: every resource the stack only reads (data sources such
//! as secrets) and every thing its requests name by a literal ARN (certificates, managed
//! policies, KMS keys, roles, secrets) is looked up before apply sends anything that
//! changes AWS. One that does not exist stops the run with nothing changed, naming it and
//! what uses it; all such problems are reported at once.

use crate::body::Req;
use crate::clients::Aws;
use crate::error::{Missing, ProviderError};
use crate::providers::{Outcome, Target};
use ecs_iac_core::requests::secretsmanager::{CreateSecret, DescribeSecret};
use ecs_iac_core::{external_references, Action, ExternalKind, ExternalRef, Plan, State};
use tokio::task::JoinSet;

/// What the reads found: the outcome of every data source of the plan, by address.
#[derive(Debug, Clone, Default)]
pub struct Preflight {
    /// Each data source's lookup, in plan order.
    pub reads: Vec<(String, Outcome)>,
}

/// Reads every data source of `plan` and checks every external reference it makes
/// ([`external_references`]), `aws.config.parallelism` calls at a time. Sends nothing that
/// changes AWS. Fails with every problem found ([`ProviderError::Several`] for more than
/// one).
pub async fn preflight(aws: &Aws, plan: &Plan, state: &State) -> Result<Preflight, ProviderError> {
    let permits = std::sync::Arc::new(tokio::sync::Semaphore::new(aws.config.parallelism.max(1)));
    let mut checks: JoinSet<Result<(), ProviderError>> = JoinSet::new();
    for r in external_references(plan) {
        let (aws, permits) = (aws.clone(), permits.clone());
        checks.spawn(async move {
            let _permit = permits.acquire().await;
            check(&aws, &r).await
        });
    }
    let data_sources: Vec<_> = plan
        .actions
        .iter()
        .filter(|a| a.action == Action::Read)
        .collect();
    let mut errors = Vec::new();
    let mut found: Vec<Option<Outcome>> = vec![None; data_sources.len()];
    // In waves: a lookup that uses another one's result (the subnets of an existing VPC)
    // runs once that one is found.
    let mut known = state.clone();
    let mut pending: Vec<usize> = (0..data_sources.len()).collect();
    while !pending.is_empty() {
        let unresolved: std::collections::BTreeSet<&str> = pending
            .iter()
            .map(|&i| data_sources[i].address.as_str())
            .collect();
        let (wave, later): (Vec<usize>, Vec<usize>) = pending.iter().partition(|&&i| {
            !data_sources[i]
                .depends_on
                .iter()
                .any(|d| unresolved.contains(d.as_str()))
        });
        if wave.is_empty() {
            break;
        }
        let failed_before = errors.len();
        read_wave(
            aws,
            plan,
            &data_sources,
            &wave,
            &known,
            &permits,
            &mut found,
            &mut errors,
        )
        .await;
        for &i in &wave {
            if let Some(o) = &found[i] {
                known.resources.insert(
                    data_sources[i].address.clone(),
                    ecs_iac_core::ResourceState {
                        kind: data_sources[i].kind,
                        operation: data_sources[i].kind.create_operation().to_string(),
                        status: ecs_iac_core::ResourceStatus::Created,
                        id: Some(o.id.clone()),
                        attributes: o.attributes.clone(),
                        request: serde_json::Value::Null,
                        depends_on: Vec::new(),
                        pending_since: None,
                        allow_destroy: false,
                        deletion: Default::default(),
                    },
                );
            }
        }
        if errors.len() > failed_before {
            // What depends on a lookup that failed cannot be looked up.
            break;
        }
        pending = later;
    }
    errors.extend(unreadable_secret_values(plan));
    while let Some(joined) = checks.join_next().await {
        match joined {
            Ok(Ok(())) => {}
            Ok(Err(e)) => errors.push(e),
            Err(e) => errors.push(internal(e)),
        }
    }
    match errors.len() {
        0 => Ok(Preflight {
            reads: data_sources
                .iter()
                .zip(found)
                .filter_map(|(a, o)| Some((a.address.clone(), o?)))
                .collect(),
        }),
        1 => Err(errors.remove(0)),
        _ => {
            errors.sort_by_key(ToString::to_string);
            Err(ProviderError::Several(errors))
        }
    }
}

/// The secrets the plan creates whose value comes from an environment variable or a file
/// that cannot be read now (unset, empty, missing): reported before anything is created,
/// so a run never stops half way for want of a value. The values read are dropped.
fn unreadable_secret_values(plan: &Plan) -> Vec<ProviderError> {
    plan.actions
        .iter()
        .filter_map(|a| {
            let source = a.initial_value.as_ref()?;
            let problem = crate::providers::read_local_value(source)?.err()?;
            Some(ProviderError::Request {
                address: a.address.clone(),
                field: CreateSecret::FIELD.secret_string.into(),
                problem: format!("{problem}: the secret is created with it"),
            })
        })
        .collect()
}

/// Runs the lookups `wave` of `data_sources` in parallel, with placeholders resolved
/// from `known`, filling `found` and `errors`.
#[allow(clippy::too_many_arguments)]
async fn read_wave(
    aws: &Aws,
    plan: &Plan,
    data_sources: &[&ecs_iac_core::PlannedAction],
    wave: &[usize],
    known: &State,
    permits: &std::sync::Arc<tokio::sync::Semaphore>,
    found: &mut [Option<Outcome>],
    errors: &mut Vec<ProviderError>,
) {
    let mut reads: JoinSet<(usize, Result<Outcome, ProviderError>)> = JoinSet::new();
    for &i in wave {
        let a = data_sources[i];
        let body = known.resolve_known(
            a.after.as_ref().unwrap_or(&serde_json::Value::Null),
            Some(&aws.account_id),
            Some(&aws.region),
        );
        let (aws, stack, address, kind, permits) = (
            aws.clone(),
            plan.stack.clone(),
            a.address.clone(),
            a.kind,
            permits.clone(),
        );
        reads.spawn(async move {
            let _permit = permits.acquire().await;
            let t = Target {
                stack: &stack,
                address: &address,
                kind,
                req: Req {
                    address: &address,
                    body: &body,
                },
                changed: &[],
            };
            (i, aws.create(&t).await)
        });
    }
    while let Some(joined) = reads.join_next().await {
        match joined {
            Ok((i, Ok(o))) => found[i] = Some(o),
            Ok((i, Err(e))) if e.is(NOT_FOUND) => {
                errors.push(missing_data_source(plan, data_sources[i], &e));
            }
            // A lookup that found nothing, named by the lookup: add what uses it.
            Ok((i, Err(ProviderError::Missing(mut missing)))) => {
                missing.used_by = users_of(plan, &data_sources[i].address);
                errors.push(ProviderError::Missing(missing));
            }
            Ok((_, Err(e))) => errors.push(e),
            Err(e) => errors.push(internal(e)),
        }
    }
}

/// The error of a data source that does not exist, naming it by its AWS name and the
/// resources that use it.
fn missing_data_source(
    plan: &Plan,
    read: &ecs_iac_core::PlannedAction,
    e: &ProviderError,
) -> ProviderError {
    let body = read.after.as_ref();
    let (field, id) = [DescribeSecret::FIELD.secret_id, "RoleName", "Name", "Id"]
        .iter()
        .find_map(|f| Some((*f, body?.get(*f)?.as_str()?.to_string())))
        .unwrap_or(("", read.address.clone()));
    let users = users_of(plan, &read.address);
    ProviderError::Missing(Box::new(Missing {
        address: read.address.clone(),
        field: field.to_string(),
        what: match read.kind {
            ecs_iac_core::Kind::SECRET_REF => "secret",
            ecs_iac_core::Kind::EXISTING_ROLE => "IAM role",
            _ => "resource",
        },
        id,
        detail: e.aws_message(),
        used_by: users,
    }))
}

/// The addresses of the plan's actions that depend on `address`.
fn users_of(plan: &Plan, address: &str) -> Vec<String> {
    plan.actions
        .iter()
        .filter(|a| a.depends_on.iter().any(|d| d == address))
        .map(|a| a.address.clone())
        .collect()
}

fn internal(e: tokio::task::JoinError) -> ProviderError {
    ProviderError::Wait {
        address: "(preflight)".into(),
        message: format!("a lookup did not finish: {e}"),
    }
}

/// Looks `r` up. Only "it does not exist" (or is being deleted, or disabled) fails: a
/// lookup the credentials may not make (access denied) is logged and let through, since
/// apply may still be allowed to use the thing.
async fn check(aws: &Aws, r: &ExternalRef) -> Result<(), ProviderError> {
    let (address, field) = r.used_by.first().cloned().unwrap_or_default();
    let missing = |operation: &str, detail: String| {
        ProviderError::Missing(Box::new(Missing {
            address: address.clone(),
            field: field.clone(),
            what: r.kind.describe(),
            id: r.id.clone(),
            detail: format!("{operation}: {detail}"),
            used_by: r.used_by.iter().map(|(a, _)| a.clone()).collect(),
        }))
    };
    let operation = match r.kind {
        ExternalKind::Certificate => "acm:DescribeCertificate",
        ExternalKind::ManagedPolicy => "iam:GetPolicy",
        ExternalKind::KmsKey => "kms:DescribeKey",
        ExternalKind::Role => "iam:GetRole",
        ExternalKind::Secret => "secretsmanager:DescribeSecret",
    };
    let outcome: Result<Option<String>, ProviderError> = match r.kind {
        ExternalKind::Certificate => aws
            .c
            .acm
            .describe_certificate()
            .certificate_arn(&r.id)
            .send()
            .await
            .map(|out| {
                let status = out
                    .certificate()
                    .and_then(|c| c.status())
                    .map(|s| s.as_str().to_string());
                match status.as_deref() {
                    Some("ISSUED") | None => None,
                    Some(other) => Some(format!("its status is {other}, not ISSUED")),
                }
            })
            .map_err(failed(&address, operation)),
        ExternalKind::ManagedPolicy => aws
            .c
            .iam
            .get_policy()
            .policy_arn(&r.id)
            .send()
            .await
            .map(|_| None)
            .map_err(failed(&address, operation)),
        ExternalKind::KmsKey => aws
            .c
            .kms
            .describe_key()
            .key_id(&r.id)
            .send()
            .await
            .map(|out| {
                let state = out
                    .key_metadata()
                    .and_then(|m| m.key_state())
                    .map(|s| s.as_str().to_string());
                match state.as_deref() {
                    Some("Enabled") | None => None,
                    Some(other) => Some(format!("its key state is {other}, not Enabled")),
                }
            })
            .map_err(failed(&address, operation)),
        ExternalKind::Role => {
            let name = r.id.rsplit('/').next().unwrap_or(&r.id).to_string();
            aws.c
                .iam
                .get_role()
                .role_name(name)
                .send()
                .await
                .map(|_| None)
                .map_err(failed(&address, operation))
        }
        ExternalKind::Secret => aws
            .c
            .secrets
            .describe_secret()
            .secret_id(&r.id)
            .send()
            .await
            .map(|out| {
                out.deleted_date()
                    .map(|_| "it is scheduled for deletion".to_string())
            })
            .map_err(failed(&address, operation)),
    };
    match outcome {
        Ok(None) => Ok(()),
        Ok(Some(problem)) => Err(missing(operation, problem)),
        Err(e) if e.is(NOT_FOUND) => Err(missing(operation, e.aws_message())),
        Err(e) if e.is_transient() => Err(e),
        Err(e) => {
            tracing::warn!(id = %r.id, error = %e, "could not check that it exists; going on");
            Ok(())
        }
    }
}

/// Turns an SDK error of `operation` into a [`ProviderError`] naming `address`.
fn failed<'a, E>(
    address: &'a str,
    operation: &'a str,
) -> impl FnOnce(
    aws_sdk_ec2::error::SdkError<E, aws_smithy_runtime_api::http::Response>,
) -> ProviderError
       + 'a
where
    E: aws_sdk_ec2::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    move |e| ProviderError::from_sdk(address, operation, e)
}

/// The error codes that mean "no such thing" across the services checked.
const NOT_FOUND: &[&str] = &[
    "ResourceNotFoundException",
    "NoSuchEntity",
    "NoSuchEntityException",
    "NotFoundException",
    "InvalidArnException",
    "InvalidInput",
    "ValidationException",
    "InvalidParameterException",
];
