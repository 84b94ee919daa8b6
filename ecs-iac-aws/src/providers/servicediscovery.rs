//! Cloud Map: HTTP namespaces.

use super::{
    gone_is_deleted, not_supported, observed, owned, request, response, Existing, Outcome, Poll,
    Target,
};
use crate::clients::Aws;
use crate::error::ProviderError;
use ecs_iac_core::kind::ServiceDiscoveryKind;
use ecs_iac_core::requests::servicediscovery::{CreateHttpNamespace, CreateHttpNamespaceFields};

/// The AWS names of a namespace's request fields.
const NS: CreateHttpNamespaceFields = CreateHttpNamespace::FIELD;

sdk_err!(sd_err, aws_sdk_servicediscovery, "servicediscovery");

pub(super) async fn create(
    aws: &Aws,
    k: ServiceDiscoveryKind,
    t: &Target<'_>,
) -> Result<Outcome, ProviderError> {
    let (a, r) = (t.address, &t.req);
    match k {
        ServiceDiscoveryKind::ExistingNamespace => super::lookups::namespace(aws, t).await,
        ServiceDiscoveryKind::HttpNamespace => {
            use aws_sdk_servicediscovery::types::Tag;
            let q: CreateHttpNamespace = r.decode()?;
            let name = r.required(q.name, NS.name)?;
            let tags = r
                .tags("Tags")
                .into_iter()
                .map(|(k, v)| {
                    Tag::builder()
                        .key(k)
                        .value(v)
                        .build()
                        .map_err(|e| request(a, "Tags", e))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let res = aws
                .once
                .discovery
                .create_http_namespace()
                .name(&name)
                .set_description(q.description)
                .creator_request_id(
                    format!("ecs-iac-{}-{}", t.stack, t.address)
                        .chars()
                        .take(64)
                        .collect::<String>(),
                )
                .set_tags(Some(tags))
                .send()
                .await
                .map_err(sd_err(a, "CreateHttpNamespace"));
            match res {
                Ok(out) => {
                    let operation = out.operation_id().ok_or_else(|| {
                        response(a, "servicediscovery:CreateHttpNamespace", "OperationId")
                    })?;
                    wait_operation(aws, a, operation).await?;
                    find(aws, k, t).await?.ok_or_else(|| {
                        response(a, "servicediscovery:ListNamespaces", "the new namespace")
                    })
                }
                Err(e) if e.is(&["NamespaceAlreadyExists"]) => {
                    find(aws, k, t).await?.ok_or_else(|| {
                        request(
                            a,
                            NS.name,
                            format!(
                                "namespace `{name}` already exists and is not owned by this stack"
                            ),
                        )
                    })
                }
                Err(e) => Err(e),
            }
        }
    }
}

async fn wait_operation(aws: &Aws, a: &str, operation: &str) -> Result<(), ProviderError> {
    use aws_sdk_servicediscovery::types::OperationStatus;
    aws.poll(a, "Cloud Map operation", || async {
        let out = aws
            .c
            .discovery
            .get_operation()
            .operation_id(operation)
            .send()
            .await
            .map_err(sd_err(a, "GetOperation"))?;
        let op = out.operation();
        Ok(match op.and_then(|o| o.status()) {
            Some(OperationStatus::Success) => Poll::Ready,
            Some(OperationStatus::Fail) => Poll::Failed(
                op.and_then(|o| o.error_message())
                    .unwrap_or("failed")
                    .to_string(),
            ),
            Some(s) => Poll::Pending(s.as_str().to_string()),
            None => Poll::Pending("unknown".into()),
        })
    })
    .await
}

/// Whether the namespace still exists; `None` when it is gone.
pub(super) async fn observe(
    aws: &Aws,
    k: ServiceDiscoveryKind,
    e: &Existing<'_>,
    _applied: &serde_json::Value,
) -> Result<Option<serde_json::Value>, ProviderError> {
    match k {
        // Looked up before every apply, never refreshed.
        ServiceDiscoveryKind::ExistingNamespace => Err(not_supported(e.address, e.kind, "refresh")),
        ServiceDiscoveryKind::HttpNamespace => match aws
            .c
            .discovery
            .get_namespace()
            .id(e.id)
            .send()
            .await
            .map_err(sd_err(e.address, "GetNamespace"))
        {
            Ok(out) => out
                .namespace()
                .map(|_| observed(e.address, &CreateHttpNamespace::default()))
                .transpose(),
            Err(x) if x.is(&["NamespaceNotFound"]) => Ok(None),
            Err(x) => Err(x),
        },
    }
}

pub(super) async fn find(
    aws: &Aws,
    k: ServiceDiscoveryKind,
    t: &Target<'_>,
) -> Result<Option<Outcome>, ProviderError> {
    let (a, r) = (t.address, &t.req);
    match k {
        ServiceDiscoveryKind::ExistingNamespace => Ok(None),
        ServiceDiscoveryKind::HttpNamespace => {
            let q: CreateHttpNamespace = r.decode()?;
            let name = r.required(q.name, NS.name)?;
            let out = aws
                .c
                .discovery
                .list_namespaces()
                .send()
                .await
                .map_err(sd_err(a, "ListNamespaces"))?;
            let Some(ns) = out
                .namespaces()
                .iter()
                .find(|n| n.name() == Some(name.as_str()))
            else {
                return Ok(None);
            };
            let (Some(id), Some(arn)) = (ns.id(), ns.arn()) else {
                return Ok(None);
            };
            let tags = aws
                .c
                .discovery
                .list_tags_for_resource()
                .resource_arn(arn)
                .send()
                .await
                .map_err(sd_err(a, "ListTagsForResource"))?;
            let mine = owned(
                tags.tags().iter().map(|x| (x.key(), x.value())),
                t.stack,
                t.address,
            );
            Ok(mine.then(|| Outcome::new(id).with("arn", arn)))
        }
    }
}

pub(super) async fn delete(
    aws: &Aws,
    k: ServiceDiscoveryKind,
    e: &Existing<'_>,
) -> Result<(), ProviderError> {
    let (a, id) = (e.address, e.id);
    let res = match k {
        // Not owned: forgetting it is all a destroy does.
        ServiceDiscoveryKind::ExistingNamespace => Ok(()),
        ServiceDiscoveryKind::HttpNamespace => match aws
            .c
            .discovery
            .delete_namespace()
            .id(id)
            .send()
            .await
            .map_err(sd_err(a, "DeleteNamespace"))
        {
            Ok(out) => match out.operation_id() {
                Some(op) => wait_operation(aws, a, op).await,
                None => Ok(()),
            },
            Err(x) => Err(x),
        },
    };
    gone_is_deleted(res)
}

no_modify_call_and_nothing_to_wait_for!(ServiceDiscoveryKind);
