//! One provider module per AWS service: create (with adoption), find by ownership tags,
//! wait for readiness, delete. Requests come in exactly as `synth` renders them, with
//! placeholders resolved, so what `synth` shows is what `apply` sends.

/// Defines `$name(address, action)`: a closure turning an SDK error of `$krate` into a
/// [`ProviderError`] naming the address and `service:Action`.
macro_rules! sdk_err {
    ($name:ident, $krate:ident, $service:literal) => {
        fn $name<'a, E>(
            a: &'a str,
            op: &str,
        ) -> impl FnOnce(
            $krate::error::SdkError<E, aws_smithy_runtime_api::http::Response>,
        ) -> ProviderError
               + 'a
        where
            E: $krate::error::ProvideErrorMetadata + std::error::Error + 'static,
        {
            let op = format!(concat!($service, ":{}"), op);
            move |e| ProviderError::from_sdk(a, &op, e)
        }
    };
}

mod ec2;
mod ecs;
mod elb;
mod iam;
mod misc;
mod rds;
mod tags;

use crate::body::Req;
use crate::clients::Aws;
use crate::error::ProviderError;
use serde_json::Value;
use std::collections::BTreeMap;
use std::future::Future;
use std::time::Instant;

/// What a create (or adoption, or lookup) yields: the AWS id and the attributes other
/// resources' placeholders and the delete call need.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    /// The AWS id (VPC id, ARN, name).
    pub id: String,
    /// Named attributes (`id`, `arn`, …).
    pub attributes: BTreeMap<String, String>,
}

impl Outcome {
    pub(crate) fn new(id: impl Into<String>) -> Outcome {
        let id = id.into();
        let mut attributes = BTreeMap::new();
        attributes.insert("id".to_string(), id.clone());
        Outcome { id, attributes }
    }

    pub(crate) fn with(mut self, key: &str, value: impl Into<String>) -> Outcome {
        self.attributes.insert(key.to_string(), value.into());
        self
    }
}

/// One resource to create or find.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The stack's name (ownership tag).
    pub stack: &'a str,
    /// The node address (ownership tag).
    pub address: &'a str,
    /// The node kind, e.g. `ec2.vpc`.
    pub kind: &'a str,
    /// The resolved request.
    pub req: Req<'a>,
}

/// One resource to delete, as state recorded it.
#[derive(Debug, Clone, Copy)]
pub struct Existing<'a> {
    /// The node address.
    pub address: &'a str,
    /// The node kind.
    pub kind: &'a str,
    /// The AWS id.
    pub id: &'a str,
    /// Recorded attributes.
    pub attributes: &'a BTreeMap<String, String>,
}

impl Existing<'_> {
    /// The recorded resource as an outcome: what an in-place update leaves unchanged.
    pub(crate) fn unchanged(&self) -> Outcome {
        Outcome {
            id: self.id.to_string(),
            attributes: self.attributes.clone(),
        }
    }

    pub(crate) fn attr(&self, key: &str) -> Result<String, ProviderError> {
        self.attributes
            .get(key)
            .cloned()
            .ok_or_else(|| ProviderError::Request {
                address: self.address.to_string(),
                field: format!("state attribute {key}"),
                problem: "missing from state; recover the state or remove the resource by hand"
                    .into(),
            })
    }
}

pub(crate) fn response(address: &str, operation: &str, field: &str) -> ProviderError {
    ProviderError::Response {
        address: address.to_string(),
        operation: operation.to_string(),
        field: field.to_string(),
    }
}

impl Aws {
    /// Creates the resource. Calls that AWS makes idempotent (or that fail with
    /// "already exists" for a resource this stack owns) adopt the existing resource.
    pub async fn create(&self, t: &Target<'_>) -> Result<Outcome, ProviderError> {
        match service(t.kind) {
            "ec2" => ec2::create(self, t).await,
            "iam" => iam::create(self, t).await,
            "ecs" => ecs::create(self, t).await,
            "elbv2" => elb::create(self, t).await,
            "rds" | "elasticache" => rds::create(self, t).await,
            _ => misc::create(self, t).await,
        }
    }

    /// Looks for a resource this stack already made for `t.address` (by ownership tags or
    /// by its unique name), for adoption after a crash or a lost response.
    pub async fn find(&self, t: &Target<'_>) -> Result<Option<Outcome>, ProviderError> {
        match service(t.kind) {
            "ec2" => ec2::find(self, t).await,
            "iam" => iam::find(self, t).await,
            "ecs" => ecs::find(self, t).await,
            "elbv2" => elb::find(self, t).await,
            "rds" | "elasticache" => rds::find(self, t).await,
            _ => misc::find(self, t).await,
        }
    }

    /// Changes a recorded resource in place to match `t`'s request (kinds listed by
    /// [`updatable`]), then waits until it is usable again.
    pub async fn update(&self, t: &Target<'_>, e: &Existing<'_>) -> Result<Outcome, ProviderError> {
        let outcome = match service(t.kind) {
            "ec2" => ec2::update(self, t, e).await?,
            "ecs" => ecs::update(self, t, e).await?,
            "iam" => iam::update(self, t, e).await?,
            "elbv2" => elb::update(self, t, e).await?,
            "rds" | "elasticache" => rds::update(self, t, e).await?,
            _ => return Err(ec2::unsupported(t.address, t.kind)),
        };
        self.wait_ready(t, &outcome).await?;
        Ok(outcome)
    }

    /// What AWS has now for the recorded resource `e` (kinds listed by [`observable`]),
    /// in the shape of its create request, restricted to the fields `applied` (the request
    /// last applied, placeholders resolved) sets: `None` when the resource is gone.
    pub async fn observe(
        &self,
        e: &Existing<'_>,
        applied: &Value,
    ) -> Result<Option<Value>, ProviderError> {
        let seen = match service(e.kind) {
            "ec2" => ec2::observe(self, e, applied).await?,
            "ecs" => ecs::observe(self, e, applied).await?,
            "elbv2" => elb::observe(self, e).await?,
            "rds" | "elasticache" => rds::observe(self, e).await?,
            "iam" => iam::observe(self, e).await?,
            "logs" | "cloudwatch" | "application_autoscaling" | "servicediscovery" => {
                misc::observe(self, e, applied).await?
            }
            _ => return Err(ec2::unsupported(e.address, e.kind)),
        };
        Ok(seen.map(|observed| restricted_to(observed, applied)))
    }

    /// Puts this stack's ownership tags on the existing resource `id`, so that
    /// [`Aws::find`] adopts it (`import`). Kinds without tags are refused.
    pub async fn tag_owned(
        &self,
        stack: &str,
        address: &str,
        kind: &str,
        id: &str,
    ) -> Result<(), ProviderError> {
        let owned = [
            (ecs_iac_core::STACK_TAG.to_string(), stack.to_string()),
            (ecs_iac_core::ADDRESS_TAG.to_string(), address.to_string()),
        ];
        tags::retag(self, address, kind, id, &owned, &[]).await
    }

    /// Sets the tags `set` and removes the keys `remove` on the recorded resource `id`
    /// (kinds listed by [`retaggable`]).
    pub async fn retag(
        &self,
        address: &str,
        kind: &str,
        id: &str,
        set: &[(String, String)],
        remove: &[String],
    ) -> Result<(), ProviderError> {
        tags::retag(self, address, kind, id, set, remove).await
    }

    /// Which of `ids` (all of `kind`) still exist, read in one call where the API allows
    /// it; `None` for kinds read one by one with [`Aws::observe`].
    pub async fn existing_of(
        &self,
        kind: &str,
        ids: &[String],
    ) -> Result<Option<std::collections::HashSet<String>>, ProviderError> {
        match service(kind) {
            "ec2" => ec2::existing_of(self, kind, ids).await,
            _ => Ok(None),
        }
    }

    /// Waits until the resource is usable (NAT available, DB available, service steady).
    pub async fn wait_ready(&self, t: &Target<'_>, outcome: &Outcome) -> Result<(), ProviderError> {
        match service(t.kind) {
            "ec2" => ec2::wait_ready(self, t, outcome).await,
            "ecs" => ecs::wait_ready(self, t, outcome).await,
            "rds" | "elasticache" => rds::wait_ready(self, t, outcome).await,
            _ => Ok(()),
        }
    }

    /// Deletes the resource; a resource that is already gone counts as deleted.
    pub async fn delete(&self, e: &Existing<'_>) -> Result<(), ProviderError> {
        match service(e.kind) {
            "ec2" => ec2::delete(self, e).await,
            "iam" => iam::delete(self, e).await,
            "ecs" => ecs::delete(self, e).await,
            "elbv2" => elb::delete(self, e).await,
            "rds" | "elasticache" => rds::delete(self, e).await,
            _ => misc::delete(self, e).await,
        }
    }

    /// Polls `check` every poll interval until it says ready, fails, or the deadline passes.
    pub(crate) async fn poll<F, Fut>(
        &self,
        address: &str,
        what: &str,
        mut check: F,
    ) -> Result<(), ProviderError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Poll, ProviderError>>,
    {
        let start = Instant::now();
        loop {
            match check().await? {
                Poll::Ready => return Ok(()),
                Poll::Failed(message) => {
                    return Err(ProviderError::Wait {
                        address: address.to_string(),
                        message: format!("{what}: {message}"),
                    })
                }
                Poll::Pending(state) => {
                    if start.elapsed() >= self.config.wait_deadline {
                        return Err(ProviderError::Wait {
                            address: address.to_string(),
                            message: format!(
                                "{what}: still `{state}` after {} s; raise the wait deadline or check the AWS console",
                                start.elapsed().as_secs()
                            ),
                        });
                    }
                    tokio::time::sleep(self.config.poll_interval).await;
                }
            }
        }
    }
}

/// A readiness poll result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Poll {
    Ready,
    Pending(String),
    Failed(String),
}

/// Kinds whose create call makes a second resource when it is sent twice: no unique name
/// and no idempotency token AWS honours across runs. Before sending such a create again
/// after an unknown outcome, the engine waits for the first request to settle. Every
/// other kind is safe to send again: AWS refuses a second one ("already exists") and the
/// provider adopts the first.
const DUPLICABLE: &[&str] = &[
    "ec2.vpc",
    "ec2.subnet",
    "ec2.internet_gateway",
    "ec2.elastic_ip",
    "ec2.nat_gateway",
    "ec2.route_table",
    "ecs.task_definition",
];

/// Kinds changed in place by [`Aws::update`] (a modify call). Kinds whose create call is
/// an upsert are updated by sending it again; every other change forces replacement.
const UPDATABLE: &[&str] = &[
    "ec2.security_group_ingress",
    "ec2.security_group_egress",
    "ecs.service",
    "iam.role",
    "elbv2.target_group",
    "elbv2.listener",
    "elbv2.listener_rule",
    "rds.db_instance",
    "elasticache.replication_group",
];

/// Kinds [`Aws::find`] looks up by ownership tags or unique name. The create call of
/// every other kind adopts what already exists (an attachment, a rule, an upsert), so
/// sending it again is how those are adopted.
const FINDABLE: &[&str] = &[
    "ec2.vpc",
    "ec2.subnet",
    "ec2.internet_gateway",
    "ec2.elastic_ip",
    "ec2.nat_gateway",
    "ec2.route_table",
    "ec2.security_group",
    "ecs.service",
    "ecs.task_definition",
    "elbv2.load_balancer",
    "elbv2.target_group",
    "elbv2.listener",
    "elbv2.listener_rule",
    "iam.role",
    "rds.db_instance",
    "rds.db_subnet_group",
    "elasticache.replication_group",
    "logs.log_group",
    "servicediscovery.http_namespace",
];

/// Whether [`Aws::find`] looks `kind` up (rather than adopting it by its create call).
pub fn findable(kind: &str) -> bool {
    FINDABLE.contains(&kind)
}

/// Kinds [`Aws::observe`] reads back from AWS; the others are not refreshed.
const OBSERVABLE: &[&str] = &[
    "ec2.vpc",
    "ec2.vpc_attribute",
    "ec2.subnet_attribute",
    "ec2.route",
    "ec2.route_table_association",
    "ec2.internet_gateway_attachment",
    "ec2.security_group_default_egress",
    "elbv2.listener_rule",
    "rds.db_subnet_group",
    "elasticache.cache_subnet_group",
    "elasticache.replication_group",
    "servicediscovery.http_namespace",
    "ec2.subnet",
    "ec2.internet_gateway",
    "ec2.route_table",
    "ec2.security_group",
    "ec2.security_group_ingress",
    "ec2.security_group_egress",
    "ec2.elastic_ip",
    "ec2.nat_gateway",
    "ecs.cluster",
    "ecs.service",
    "ecs.task_definition",
    "iam.role_policy",
    "iam.role_policy_attachment",
    "cloudwatch.alarm",
    "application_autoscaling.scalable_target",
    "application_autoscaling.scaling_policy",
    "elbv2.load_balancer",
    "elbv2.target_group",
    "elbv2.listener",
    "rds.db_instance",
    "iam.role",
    "logs.log_group",
    "logs.retention_policy",
];

/// Whether [`Aws::observe`] reads `kind` back from AWS.
pub fn observable(kind: &str) -> bool {
    OBSERVABLE.contains(&kind)
}

/// `observed` without the top-level fields `applied` does not set: what AWS fills in on
/// its own (defaults) is not drift. A field the request sets that AWS reports as null
/// (e.g. a retention policy removed) stays, so its removal shows.
fn restricted_to(observed: Value, applied: &Value) -> Value {
    match (observed, applied.as_object()) {
        (Value::Object(fields), Some(wanted)) => Value::Object(
            fields
                .into_iter()
                .filter(|(k, _)| wanted.contains_key(k))
                .collect(),
        ),
        (observed, _) => observed,
    }
}

pub use tags::retaggable;

/// Whether [`Aws::update`] changes `kind` in place.
pub fn updatable(kind: &str) -> bool {
    UPDATABLE.contains(&kind)
}

/// Whether sending `kind`'s create twice can make two resources.
pub(crate) fn may_duplicate(kind: &str) -> bool {
    DUPLICABLE.contains(&kind)
}

fn service(kind: &str) -> &str {
    kind.split('.').next().unwrap_or(kind)
}

/// Whether the ownership tags in `tags` say `stack`/`address`.
pub(crate) fn owned<'a>(
    tags: impl IntoIterator<Item = (&'a str, &'a str)>,
    stack: &str,
    address: &str,
) -> bool {
    let (mut s, mut a) = (false, false);
    for (k, v) in tags {
        s |= k == ecs_iac_core::STACK_TAG && v == stack;
        a |= k == ecs_iac_core::ADDRESS_TAG && v == address;
    }
    s && a
}
