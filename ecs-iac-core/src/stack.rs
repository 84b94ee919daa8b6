//! The stack: the set of typed resources a program declares, and typed references to them.

pub use crate::reference::{AnyRef, Ref};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

static NEXT_STACK_ID: AtomicU64 = AtomicU64::new(1);

/// A lint rule suppressed on one resource, with the reason written down. Suppressions
/// never render into a request; only [`crate::lint()`] reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LintAllow {
    /// The rule id (`sg-open-ingress`) or code (`L0101`) as the user wrote it.
    pub rule: String,
    /// Why the finding is acceptable here.
    pub reason: String,
}

/// Name, tags and lint suppressions every resource carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Meta {
    pub name: String,
    pub tags: BTreeMap<String, String>,
    pub lint_allow: Vec<LintAllow>,
}

impl Meta {
    pub(crate) fn new(name: impl Into<String>) -> Meta {
        Meta {
            name: name.into(),
            tags: BTreeMap::new(),
            lint_allow: Vec::new(),
        }
    }

    /// The given description, or one naming the resource (AWS requires descriptions on
    /// several kinds).
    pub(crate) fn description(&self, given: &Option<String>) -> String {
        given
            .clone()
            .unwrap_or_else(|| format!("{} (managed by ecs-iac)", self.name))
    }
}

mod sealed {
    pub trait Sealed {}
}

/// A kind of resource that can be added to a [`Stack`].
pub trait Resource: Clone + Into<AnyResource> + sealed::Sealed + 'static {
    /// The kind, e.g. `ec2.vpc`.
    const KIND: Kind;

    /// The logical name given at construction.
    fn logical_name(&self) -> &str;

    /// The resource of this kind inside `any`, if it is one.
    fn downcast(any: &AnyResource) -> Option<&Self>;
}

macro_rules! resource_kinds {
    ($($variant:ident($ty:ty) = $kind:ident;)*) => {
        /// Any resource of a stack.
        #[derive(Debug, Clone)]
        #[non_exhaustive]
        pub enum AnyResource {
            $(#[doc = concat!("A resource of kind [`Kind::", stringify!($kind), "`].")] $variant($ty),)*
        }

        impl AnyResource {
            /// The logical name given at construction.
            pub fn logical_name(&self) -> &str {
                match self { $(AnyResource::$variant(r) => &r.meta.name,)* }
            }

            /// The kind, e.g. `ec2.vpc`.
            pub fn kind(&self) -> Kind {
                match self { $(AnyResource::$variant(_) => Kind::$kind,)* }
            }
        }

        $(
            impl From<$ty> for AnyResource {
                fn from(r: $ty) -> Self { AnyResource::$variant(r) }
            }
            impl sealed::Sealed for $ty {}
            impl Resource for $ty {
                const KIND: Kind = Kind::$kind;
                fn logical_name(&self) -> &str { &self.meta.name }
                fn downcast(any: &AnyResource) -> Option<&Self> {
                    #[allow(unreachable_patterns)]
                    match any { AnyResource::$variant(r) => Some(r), _ => None }
                }
            }
        )*
    };
}

use crate::kind::Kind;
use crate::resources::*;

/// Hands the list of every resource type of a stack (`Variant(Type) = KIND;`) to the
/// macro `$callback`: the one list that [`AnyResource`] here and the `ResourceSpec`
/// dispatch in `lower.rs` are generated from.
macro_rules! with_resource_kinds {
    ($callback:ident) => {
        $callback! {
            Vpc(Vpc) = VPC;
            Subnet(Subnet) = SUBNET;
            InternetGateway(InternetGateway) = INTERNET_GATEWAY;
            ElasticIp(ElasticIp) = ELASTIC_IP;
            NatGateway(NatGateway) = NAT_GATEWAY;
            RouteTable(RouteTable) = ROUTE_TABLE;
            SecurityGroup(SecurityGroup) = SECURITY_GROUP;
            DbSubnetGroup(DbSubnetGroup) = DB_SUBNET_GROUP;
            DbInstance(DbInstance) = DB_INSTANCE;
            CacheSubnetGroup(CacheSubnetGroup) = CACHE_SUBNET_GROUP;
            ReplicationGroup(ReplicationGroup) = REPLICATION_GROUP;
            Role(Role) = ROLE;
            Secret(Secret) = SECRET_REF;
            LogGroup(LogGroup) = LOG_GROUP;
            Namespace(Namespace) = HTTP_NAMESPACE;
            Cluster(Cluster) = CLUSTER;
            TaskDefinition(TaskDefinition) = TASK_DEFINITION;
            Service(Service) = SERVICE;
            LoadBalancer(LoadBalancer) = LOAD_BALANCER;
            TargetGroup(TargetGroup) = TARGET_GROUP;
            Listener(Listener) = LISTENER;
            ListenerRule(ListenerRule) = LISTENER_RULE;
            ScalableTarget(ScalableTarget) = SCALABLE_TARGET;
            ScalingPolicy(ScalingPolicy) = SCALING_POLICY;
            Alarm(Alarm) = ALARM;
            Certificate(Certificate) = EXISTING_CERTIFICATE;
            KmsKey(KmsKey) = EXISTING_KMS_KEY;
            Topic(Topic) = EXISTING_TOPIC;
            Repository(Repository) = EXISTING_REPOSITORY;
            Bucket(Bucket) = BUCKET;
            Trail(Trail) = TRAIL;
            SubscriptionFilter(SubscriptionFilter) = SUBSCRIPTION_FILTER;
            OpenSearchDomain(OpenSearchDomain) = OPENSEARCH_DOMAIN;
            WebAcl(WebAcl) = WEB_ACL;
        }
    };
}
pub(crate) use with_resource_kinds;

with_resource_kinds!(resource_kinds);

#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub resource: AnyResource,
    pub depends_on: Vec<AnyRef>,
}

/// A set of typed AWS resources with a name. Nothing here does I/O: build it, then hand it
/// to [`crate::validate`], [`crate::plan()`] or [`crate::synth()`].
#[derive(Debug, Clone)]
pub struct Stack {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) region: Option<String>,
    pub(crate) backend: Option<crate::backend::StateBackend>,
    pub(crate) entries: Vec<Entry>,
    pub(crate) outputs: Vec<crate::output::Output>,
}

impl Stack {
    /// An empty stack. The name goes into every resource's ownership tags.
    pub fn new(name: impl Into<String>) -> Stack {
        Stack {
            id: NEXT_STACK_ID.fetch_add(1, Ordering::Relaxed),
            name: name.into(),
            region: None,
            backend: None,
            entries: Vec::new(),
            outputs: Vec::new(),
        }
    }

    /// Declares an output: a value the stack exports, such as a load balancer's DNS name
    /// (`alb.dns_name()`) or a database endpoint. The plan shows it (its value, or "known
    /// after apply"), apply resolves it and keeps it in the state, and `output` prints it.
    /// Chain `.description(...)` to say what it is for.
    pub fn output(
        &mut self,
        name: impl Into<String>,
        value: impl Into<crate::value::Text>,
    ) -> &mut crate::output::Output {
        self.outputs.push(crate::output::Output {
            name: name.into(),
            value: value.into(),
            description: None,
        });
        let last = self.outputs.len() - 1;
        &mut self.outputs[last]
    }

    /// Pins the stack to a region: region-specific values (e.g. `awslogs-region`) render
    /// as this region instead of the `${aws.region}` placeholder.
    #[must_use]
    pub fn region(mut self, region: impl Into<String>) -> Stack {
        self.region = Some(region.into());
        self
    }

    /// Keeps the stack's state in `backend` (e.g. `S3Backend::new(bucket, key)`) instead
    /// of the default local file `<stack>.state.json`. The command line's `--state`
    /// overrides it.
    #[must_use]
    pub fn state_backend(mut self, backend: impl Into<crate::backend::StateBackend>) -> Stack {
        self.backend = Some(backend.into());
        self
    }

    /// The state backend chosen in code, if any.
    pub fn backend(&self) -> Option<&crate::backend::StateBackend> {
        self.backend.as_ref()
    }

    /// The stack's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The pinned region, if any.
    pub fn pinned_region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// Adds a resource and returns a typed reference to it.
    pub fn add<R: Resource>(&mut self, resource: R) -> Ref<R> {
        let index = self.entries.len();
        let name: Arc<str> = Arc::from(resource.logical_name());
        self.entries.push(Entry {
            resource: resource.into(),
            depends_on: Vec::new(),
        });
        Ref::new(self.id, index, name, R::KIND)
    }

    /// Changes an added resource with its own builder methods, e.g. to add a security group
    /// rule that refers to a group added later. Returns `false` (and changes nothing) when
    /// the reference is not from this stack.
    pub fn modify<R: Resource>(&mut self, reference: &Ref<R>, change: impl FnOnce(R) -> R) -> bool {
        let Some(current) = self.get(reference).cloned() else {
            return false;
        };
        let changed = change(current);
        if changed.logical_name() != &*reference.name {
            return false;
        }
        self.entries[reference.index].resource = changed.into();
        true
    }

    /// Declares that `dependent` must be created after (and deleted before) `dependency`,
    /// for ordering the references between them do not show.
    pub fn depends_on<A: Resource, B: Resource>(
        &mut self,
        dependent: &Ref<A>,
        dependency: &Ref<B>,
    ) -> bool {
        if self.get(dependent).is_none() {
            return false;
        }
        self.entries[dependent.index]
            .depends_on
            .push(dependency.erase());
        true
    }

    /// The resource behind a reference, `None` when the reference is from another stack.
    pub fn get<R: Resource>(&self, reference: &Ref<R>) -> Option<&R> {
        if reference.stack != self.id {
            return None;
        }
        self.entries
            .get(reference.index)
            .and_then(|e| R::downcast(&e.resource))
    }

    /// All resources in the order they were added.
    pub fn resources(&self) -> impl Iterator<Item = &AnyResource> {
        self.entries.iter().map(|e| &e.resource)
    }

    /// Number of resources.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no resource was added.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Resolves an erased reference, `None` when it is not from this stack.
    pub(crate) fn resolve(&self, r: &AnyRef) -> Option<&AnyResource> {
        if r.stack != self.id {
            return None;
        }
        self.entries
            .get(r.index)
            .map(|e| &e.resource)
            .filter(|res| res.kind() == r.kind)
    }
}
