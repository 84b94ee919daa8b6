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

/// Defines `update` and `wait_ready` for a service whose kinds have no modify call (their
/// create is an upsert, or they are only read) and are usable once the call returns.
macro_rules! no_modify_call_and_nothing_to_wait_for {
    ($kind:ty) => {
        /// Never planned (the kinds change in place by their create call, or not at all).
        pub(super) async fn update(
            _aws: &Aws,
            _k: $kind,
            t: &Target<'_>,
            _e: &Existing<'_>,
        ) -> Result<Outcome, ProviderError> {
            Err(super::not_supported(t.address, t.kind, "modify"))
        }

        /// Usable once the call returns.
        pub(super) async fn wait_ready(
            _aws: &Aws,
            _k: $kind,
            _t: &Target<'_>,
            _o: &mut Outcome,
        ) -> Result<(), ProviderError> {
            Ok(())
        }
    };
}

/// Defines every operation but `create` (the lookup) for a service whose kinds the stack
/// only reads: they are looked up before every apply, and never refreshed, changed,
/// waited for or deleted (destroy forgets them).
macro_rules! only_read {
    ($kind:ty) => {
        /// Nothing to adopt: the lookup runs again.
        pub(super) async fn find(
            _aws: &Aws,
            _k: $kind,
            _t: &Target<'_>,
        ) -> Result<Option<Outcome>, ProviderError> {
            Ok(None)
        }

        /// Never planned: what the stack reads is looked up on every apply instead.
        pub(super) async fn observe(
            _aws: &Aws,
            _k: $kind,
            e: &Existing<'_>,
            _applied: &serde_json::Value,
        ) -> Result<Option<serde_json::Value>, ProviderError> {
            Err(super::not_supported(e.address, e.kind, "refresh"))
        }

        /// Not the stack's to delete: destroy forgets it.
        pub(super) async fn delete(
            _aws: &Aws,
            _k: $kind,
            _e: &Existing<'_>,
        ) -> Result<(), ProviderError> {
            Ok(())
        }

        no_modify_call_and_nothing_to_wait_for!($kind);
    };
}

mod acm;
mod application_autoscaling;
mod cloudtrail;
mod cloudwatch;
mod ec2;
mod ecr;
mod ecs;
mod elasticache;
mod elbv2;
mod iam;
mod kms;
mod logs;
mod lookups;
mod opensearch;
mod rds;
mod s3;
mod secretsmanager;
pub(crate) use secretsmanager::read_local_value;
mod servicediscovery;
mod sns;
mod tags;
mod wafv2;

use crate::body::Req;
use crate::clients::Aws;
use crate::error::ProviderError;
use ecs_iac_core::Kind;
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
    pub kind: Kind,
    /// The resolved request.
    pub req: Req<'a>,
    /// For an update, the top-level request fields that change (a modify call sends
    /// only what it must); empty for creates.
    pub changed: &'a [String],
}

/// One resource to delete, as state recorded it.
#[derive(Debug, Clone, Copy)]
pub struct Existing<'a> {
    /// The node address.
    pub address: &'a str,
    /// The node kind.
    pub kind: Kind,
    /// The AWS id.
    pub id: &'a str,
    /// Recorded attributes.
    pub attributes: &'a BTreeMap<String, String>,
    /// How the delete runs, as the state records it
    /// ([`ecs_iac_core::ResourceState::deletion`]).
    pub deletion: ecs_iac_core::lower::Deletion,
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

/// A delete of the smaller services (logs, alarms, autoscaling, Cloud Map) whose object
/// is already gone counts as done.
pub(crate) fn gone_is_deleted(res: Result<(), ProviderError>) -> Result<(), ProviderError> {
    match res {
        Err(x)
            if x.is(&[
                "ResourceNotFoundException",
                "ObjectNotFoundException",
                "NamespaceNotFound",
            ]) =>
        {
            Ok(())
        }
        other => other,
    }
}

/// The error of a request the provider cannot build: `field` is wrong for `problem`.
pub(crate) fn request(address: &str, field: &str, problem: impl ToString) -> ProviderError {
    ProviderError::Request {
        address: address.into(),
        field: field.into(),
        problem: problem.to_string(),
    }
}

/// The error of a create refused because the name is taken by something this stack does
/// not own.
pub(crate) fn not_owned(address: &str, field: &str, name: &str) -> ProviderError {
    ProviderError::Request {
        address: address.into(),
        field: field.into(),
        problem: format!("`{name}` already exists and is not owned by this stack; choose another name or import it"),
    }
}

/// A typed request ([`ecs_iac_core::request`]) built from a describe answer, as the
/// observed body refresh compares with what was applied.
pub(crate) fn observed<T: serde::Serialize>(
    address: &str,
    now: &T,
) -> Result<serde_json::Value, ProviderError> {
    serde_json::to_value(now).map_err(|e| ProviderError::Request {
        address: address.to_string(),
        field: "(observed)".into(),
        problem: e.to_string(),
    })
}

pub(crate) fn response(address: &str, operation: &str, field: &str) -> ProviderError {
    ProviderError::Response {
        address: address.to_string(),
        operation: operation.to_string(),
        field: field.to_string(),
    }
}

/// Calls `$op` of the provider module of `$kind`'s service with its kind enum, e.g.
/// `dispatch!(t.kind, create(self, t))` runs `ec2::create(self, k, t)` for an EC2 kind.
/// The match is exhaustive: a kind of a new service does not compile until its module
/// is wired here, and each module matches its own kinds exhaustively.
macro_rules! dispatch {
    ($kind:expr, $op:ident($aws:expr $(, $arg:expr)*)) => {
        match $kind {
            Kind::Ec2(k) => ec2::$op($aws, k $(, $arg)*).await,
            Kind::Ecs(k) => ecs::$op($aws, k $(, $arg)*).await,
            Kind::Elbv2(k) => elbv2::$op($aws, k $(, $arg)*).await,
            Kind::Rds(k) => rds::$op($aws, k $(, $arg)*).await,
            Kind::ElastiCache(k) => elasticache::$op($aws, k $(, $arg)*).await,
            Kind::Iam(k) => iam::$op($aws, k $(, $arg)*).await,
            Kind::SecretsManager(k) => secretsmanager::$op($aws, k $(, $arg)*).await,
            Kind::Logs(k) => logs::$op($aws, k $(, $arg)*).await,
            Kind::CloudWatch(k) => cloudwatch::$op($aws, k $(, $arg)*).await,
            Kind::ApplicationAutoScaling(k) => application_autoscaling::$op($aws, k $(, $arg)*).await,
            Kind::ServiceDiscovery(k) => servicediscovery::$op($aws, k $(, $arg)*).await,
            Kind::Acm(k) => acm::$op($aws, k $(, $arg)*).await,
            Kind::Kms(k) => kms::$op($aws, k $(, $arg)*).await,
            Kind::Sns(k) => sns::$op($aws, k $(, $arg)*).await,
            Kind::Ecr(k) => ecr::$op($aws, k $(, $arg)*).await,
            Kind::S3(k) => s3::$op($aws, k $(, $arg)*).await,
            Kind::CloudTrail(k) => cloudtrail::$op($aws, k $(, $arg)*).await,
            Kind::OpenSearch(k) => opensearch::$op($aws, k $(, $arg)*).await,
            Kind::Wafv2(k) => wafv2::$op($aws, k $(, $arg)*).await,
        }
    };
}

/// The error of an operation a kind does not have: the planner never plans it (see
/// [`ecs_iac_core::KindSpec`]), so reaching this is a bug, reported rather than ignored.
pub(crate) fn not_supported(address: &str, kind: Kind, operation: &str) -> ProviderError {
    ProviderError::Request {
        address: address.to_string(),
        field: "kind".into(),
        problem: format!("`{kind}` has no {operation} call; this is a bug in ecs-iac (the plan must not ask for it)"),
    }
}

impl Aws {
    /// Creates the resource. Calls that AWS makes idempotent (or that fail with
    /// "already exists" for a resource this stack owns) adopt the existing resource.
    pub async fn create(&self, t: &Target<'_>) -> Result<Outcome, ProviderError> {
        dispatch!(t.kind, create(self, t))
    }

    /// Looks for a resource this stack already made for `t.address` (by ownership tags or
    /// by its unique name), for adoption after a crash or a lost response. Kinds that are
    /// not [`findable`](ecs_iac_core::KindSpec::findable) find nothing: their create call
    /// adopts what exists.
    pub async fn find(&self, t: &Target<'_>) -> Result<Option<Outcome>, ProviderError> {
        if !t.kind.spec().findable {
            return Ok(None);
        }
        dispatch!(t.kind, find(self, t))
    }

    /// Changes a recorded resource in place with the kind's modify call (kinds whose
    /// [`Updates`](ecs_iac_core::Updates) are `Modify`), then waits until it is usable
    /// again.
    pub async fn update(&self, t: &Target<'_>, e: &Existing<'_>) -> Result<Outcome, ProviderError> {
        let mut outcome = dispatch!(t.kind, update(self, t, e))?;
        self.wait_ready(t, &mut outcome).await?;
        Ok(outcome)
    }

    /// What AWS has now for the recorded resource `e`, in the shape of its create
    /// request, restricted to the fields `applied` (the request last applied,
    /// placeholders resolved) sets: `None` when the resource is gone.
    pub async fn observe(
        &self,
        e: &Existing<'_>,
        applied: &Value,
    ) -> Result<Option<Value>, ProviderError> {
        let seen = dispatch!(e.kind, observe(self, e, applied))?;
        Ok(seen.map(|observed| restricted_to(observed, applied)))
    }

    /// How refresh reads `kind` in batches instead of one by one: the most resources one
    /// call reads, and the key the resources of one call share (a service's cluster, from
    /// `applied`). `None` for kinds read one by one. No batched kind has attributes that
    /// refresh reads again ([`Aws::attributes`]).
    pub fn batch(&self, kind: Kind, applied: &Value) -> Option<(usize, String)> {
        match kind {
            Kind::Ecs(k) => ecs::batch(k, applied),
            Kind::Logs(k) => logs::batch(k),
            Kind::Ecr(k) => ecr::batch(k),
            Kind::Ec2(_)
            | Kind::Elbv2(_)
            | Kind::Rds(_)
            | Kind::ElastiCache(_)
            | Kind::Iam(_)
            | Kind::SecretsManager(_)
            | Kind::CloudWatch(_)
            | Kind::ApplicationAutoScaling(_)
            | Kind::ServiceDiscovery(_)
            | Kind::Acm(_)
            | Kind::Kms(_)
            | Kind::Sns(_)
            | Kind::S3(_)
            | Kind::CloudTrail(_)
            | Kind::OpenSearch(_)
            | Kind::Wafv2(_) => None,
        }
    }

    /// [`Aws::observe`] for several recorded resources of `kind` in one call: at most
    /// [`Aws::batch`]'s size, all with its key; what AWS has now for each, in order.
    pub async fn observe_batch(
        &self,
        kind: Kind,
        members: &[(Existing<'_>, &Value)],
    ) -> Result<Vec<Option<Value>>, ProviderError> {
        let seen = match kind {
            Kind::Ecs(k) => ecs::observe_batch(self, k, members).await?,
            Kind::Logs(k) => logs::observe_batch(self, k, members).await?,
            Kind::Ecr(k) => ecr::observe_batch(self, k, members).await?,
            _ => {
                let address = members.first().map_or("", |(e, _)| e.address);
                return Err(not_supported(address, kind, "batched refresh"));
            }
        };
        Ok(seen
            .into_iter()
            .zip(members)
            .map(|(seen, (_, applied))| seen.map(|observed| restricted_to(observed, applied)))
            .collect())
    }

    /// The attributes of the recorded resource `e` that AWS reports now, for kinds whose
    /// attributes are read again on refresh (RDS instances, ElastiCache replication
    /// groups: their endpoints); `None` for other kinds and for a resource that is gone.
    pub async fn attributes(
        &self,
        e: &Existing<'_>,
    ) -> Result<Option<BTreeMap<String, String>>, ProviderError> {
        let found = match e.kind {
            Kind::Rds(k) => rds::attributes(self, k, e).await?,
            Kind::ElastiCache(k) => elasticache::attributes(self, k, e).await?,
            _ => None,
        };
        Ok(found.map(|o| o.attributes))
    }

    /// Puts this stack's ownership tags on the existing resource `id`, so that
    /// [`Aws::find`] adopts it (`import`). Kinds without tags are refused.
    pub async fn tag_owned(
        &self,
        stack: &str,
        address: &str,
        kind: Kind,
        id: &str,
    ) -> Result<(), ProviderError> {
        let owned = [
            (ecs_iac_core::STACK_TAG.to_string(), stack.to_string()),
            (ecs_iac_core::ADDRESS_TAG.to_string(), address.to_string()),
        ];
        let attributes = BTreeMap::new();
        let e = Existing {
            address,
            kind,
            id,
            attributes: &attributes,
            deletion: Default::default(),
        };
        self.retag(&e, &owned, &[]).await
    }

    /// Sets the tags `set` and removes the keys `remove` on the recorded resource `e`
    /// (kinds that [`retag`](ecs_iac_core::KindSpec::retag)).
    pub async fn retag(
        &self,
        e: &Existing<'_>,
        set: &[(String, String)],
        remove: &[String],
    ) -> Result<(), ProviderError> {
        if !e.kind.spec().retag {
            return Err(ProviderError::Request {
                address: e.address.to_string(),
                field: "tags".into(),
                problem: format!("the tags of `{}` cannot be changed in place", e.kind),
            });
        }
        tags::retag(self, e, set, remove).await
    }

    /// Which of `ids` (all of `kind`) still exist, read in one call where the API allows
    /// it; `None` for kinds read one by one with [`Aws::observe`].
    pub async fn existing_of(
        &self,
        kind: Kind,
        ids: &[String],
    ) -> Result<Option<std::collections::HashSet<String>>, ProviderError> {
        match kind {
            Kind::Ec2(k) => ec2::existing_of(self, k, ids).await,
            _ => Ok(None),
        }
    }

    /// Waits until the resource is usable (NAT available, DB available, service steady),
    /// and records in `outcome` the attributes AWS reports only then (an RDS endpoint, a
    /// cache's endpoints).
    pub async fn wait_ready(
        &self,
        t: &Target<'_>,
        outcome: &mut Outcome,
    ) -> Result<(), ProviderError> {
        dispatch!(t.kind, wait_ready(self, t, outcome))
    }

    /// Deletes the resource; a resource that is already gone counts as deleted.
    pub async fn delete(&self, e: &Existing<'_>) -> Result<(), ProviderError> {
        dispatch!(e.kind, delete(self, e))
    }

    /// The ARN of `resource` in `service`, in this connection's partition, region and
    /// account.
    pub(crate) fn arn(&self, service: &str, resource: &str) -> String {
        format!(
            "arn:{}:{service}:{}:{}:{resource}",
            partition(&self.region),
            self.region,
            self.account_id
        )
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
                    self.pause(
                        address,
                        &format!("{what} (`{state}`)"),
                        self.config.poll_interval,
                    )
                    .await?;
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

pub use ecs_iac_core::resolve::partition;

/// A stable 64-bit FNV-1a hash of `bytes`, in hex: the same on every Rust release and
/// machine (unlike `std`'s `DefaultHasher`), for idempotency tokens and request hashes.
pub(crate) fn stable_hash(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
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

#[cfg(test)]
mod tests {
    use super::partition;

    #[test]
    fn partitions_follow_the_region() {
        assert_eq!(partition("us-east-1"), "aws");
        assert_eq!(partition("eu-west-1"), "aws");
        assert_eq!(partition("cn-north-1"), "aws-cn");
        assert_eq!(partition("us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition("us-iso-east-1"), "aws-iso");
        assert_eq!(partition("us-isob-east-1"), "aws-iso-b");
    }

    #[test]
    fn the_stable_hash_is_fnv1a() {
        // FNV-1a 64 of the empty input and of "a" (published test vectors).
        assert_eq!(super::stable_hash(b""), "cbf29ce484222325");
        assert_eq!(super::stable_hash(b"a"), "af63dc4c8601ec8c");
    }
}
