//! ECS clusters: Container Insights, capacity providers, the Service Connect default.

use crate::diagnostic::Rule;
use crate::kind::Kind;
use crate::limits::{self, NameRule};
use crate::lower::{Cx, ResourceSpec};
use crate::requests::ecs::{
    CapacityProviderStrategyItem, ClusterServiceConnectDefaults, ClusterSetting, CreateCluster,
    CreateClusterFields, DescribeClusters,
};
use crate::resources::iam::HasArn;
use crate::resources::servicediscovery::Namespace;
use crate::stack::{Meta, Ref};
use crate::value::Attr;

/// The AWS names of a cluster's request fields.
const F: CreateClusterFields = CreateCluster::FIELD;

/// CloudWatch Container Insights level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerInsights {
    /// Off (AWS's default).
    Disabled,
    /// Standard metrics.
    Enabled,
    /// Enhanced observability.
    Enhanced,
}

/// A capacity provider and its share of tasks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapacityProviderStrategy {
    /// `FARGATE` or `FARGATE_SPOT` (or an Auto Scaling group provider name).
    pub provider: String,
    /// Relative weight.
    pub weight: u32,
    /// Tasks placed here before weights apply.
    pub base: u32,
}

impl CapacityProviderStrategy {
    /// A strategy item.
    pub fn new(provider: impl Into<String>, weight: u32, base: u32) -> CapacityProviderStrategy {
        CapacityProviderStrategy {
            provider: provider.into(),
            weight,
            base,
        }
    }

    /// As a typed request part.
    pub(super) fn to_request(&self) -> CapacityProviderStrategyItem {
        CapacityProviderStrategyItem {
            capacity_provider: Some(self.provider.clone()),
            weight: i32::try_from(self.weight).ok(),
            base: i32::try_from(self.base).ok(),
        }
    }
}

/// An ECS cluster.
#[derive(Debug, Clone)]
pub struct Cluster {
    pub(crate) meta: Meta,
    pub(crate) insights: ContainerInsights,
    pub(crate) capacity_providers: Vec<String>,
    pub(crate) default_strategy: Vec<CapacityProviderStrategy>,
    pub(crate) service_connect_namespace: Option<Ref<Namespace>>,
    /// The AWS name of a cluster the stack does not own ([`Cluster::existing`]).
    pub(crate) existing: Option<String>,
}

impl Cluster {
    /// A cluster; its AWS name is the logical name.
    pub fn new(name: impl Into<String>) -> Cluster {
        Cluster {
            meta: Meta::new(name),
            insights: ContainerInsights::Disabled,
            capacity_providers: Vec::new(),
            default_strategy: Vec::new(),
            service_connect_namespace: None,
            existing: None,
        }
    }

    /// A cluster the stack runs services in but does not own, found by its name
    /// (`DescribeClusters`; it must be `ACTIVE`).
    pub fn existing(name: impl Into<String>, cluster_name: impl Into<String>) -> Cluster {
        Cluster {
            existing: Some(cluster_name.into()),
            ..Cluster::new(name)
        }
    }

    /// Container Insights.
    #[must_use]
    pub fn container_insights(mut self, level: ContainerInsights) -> Cluster {
        self.insights = level;
        self
    }

    /// Associates `FARGATE` and `FARGATE_SPOT` (or other providers) with the cluster.
    #[must_use]
    pub fn capacity_providers<I, S>(mut self, providers: I) -> Cluster
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.capacity_providers = providers.into_iter().map(Into::into).collect();
        self
    }

    /// The default capacity provider strategy for services that set none.
    #[must_use]
    pub fn default_strategy(mut self, item: CapacityProviderStrategy) -> Cluster {
        self.default_strategy.push(item);
        self
    }

    /// The default Service Connect namespace.
    #[must_use]
    pub fn service_connect_defaults(mut self, namespace: &Ref<Namespace>) -> Cluster {
        self.service_connect_namespace = Some(namespace.clone());
        self
    }

    /// The cluster's AWS name.
    pub fn cluster_name(&self) -> String {
        match &self.existing {
            Some(name) => name.clone(),
            None => self.meta.name.replace('/', "-"),
        }
    }
}

impl ResourceSpec for Cluster {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn aws_name(&self) -> Option<(String, &'static NameRule)> {
        Some((self.cluster_name(), &limits::ECS_CLUSTER_NAME))
    }

    fn validate(&self, cx: &mut Cx<'_>) {
        let changes = self.insights != ContainerInsights::Disabled
            || !self.capacity_providers.is_empty()
            || !self.default_strategy.is_empty()
            || self.service_connect_namespace.is_some();
        if self.existing.is_some() && changes {
            cx.error(
                Rule::ExistingResource,
                F.settings,
                format!("`{}` is a cluster the stack does not own: Container Insights, capacity providers and Service Connect defaults are not the stack's to set", self.meta.name),
            );
        }
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        if let Some(name) = &self.existing {
            let n = cx.node("", Kind::EXISTING_CLUSTER);
            let lookup = DescribeClusters {
                clusters: Some(vec![name.clone()]),
            };
            cx.push_request(n, lookup);
            return;
        }
        let mut n = cx.node("", Kind::CLUSTER);
        let insights = match self.insights {
            ContainerInsights::Disabled => "disabled",
            ContainerInsights::Enabled => "enabled",
            ContainerInsights::Enhanced => "enhanced",
        };
        let defaults = self.service_connect_namespace.as_ref().map(|ns| {
            let path = || {
                let namespace = ClusterServiceConnectDefaults::FIELD.namespace;
                format!("{}.{namespace}", F.service_connect_defaults)
            };
            ClusterServiceConnectDefaults {
                namespace: Some(n.attr(path, ns, "arn")),
            }
        });
        let strategy: Vec<CapacityProviderStrategyItem> = self
            .default_strategy
            .iter()
            .map(CapacityProviderStrategy::to_request)
            .collect();
        let request = CreateCluster {
            cluster_name: Some(self.cluster_name()),
            settings: Some(vec![ClusterSetting {
                name: Some("containerInsights".into()),
                value: Some(insights.into()),
            }]),
            capacity_providers: (!self.capacity_providers.is_empty())
                .then(|| self.capacity_providers.clone()),
            default_capacity_provider_strategy: (!strategy.is_empty()).then_some(strategy),
            service_connect_defaults: defaults,
        };
        cx.push_request(n, request);
    }
}

impl HasArn for Cluster {}

impl Ref<Cluster> {
    /// The cluster's name.
    pub fn cluster_name(&self) -> Attr<String> {
        Attr::of(self, "name")
    }
}
