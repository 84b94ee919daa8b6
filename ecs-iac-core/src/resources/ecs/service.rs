//! Fargate services: networking, deployments, load balancers, Service Connect.

use super::*;
use crate::diagnostic::Rule;
use crate::kind::Kind;
use crate::limits::{self, NameRule};
use crate::lower::{Cx, NodeBuilder, ResourceSpec};
use crate::requests::ecs as req;
use crate::requests::ecs::{
    AwsVpcConfiguration, CapacityProviderStrategyItem, CreateService, CreateServiceFields,
    DeploymentCircuitBreaker, DeploymentConfiguration, LoadBalancer, LoadBalancerFields,
    NetworkConfiguration, ServiceConnectConfiguration, ServiceConnectConfigurationFields,
};
use crate::resources::elb::{TargetGroup, TargetType};
use crate::resources::iam::HasArn;
use crate::resources::network::{SecurityGroup, Subnet};
use crate::stack::{Meta, Ref};
use crate::value::Attr;
use std::collections::BTreeSet;

/// Who propagates tags to tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropagateTags {
    /// From the service (the default here, so tasks carry ownership tags).
    Service,
    /// From the task definition.
    TaskDefinition,
    /// No propagation.
    None,
}

/// A load balancer attachment of a service.
#[derive(Debug, Clone)]
pub struct LoadBalancerAttachment {
    target_group: Ref<TargetGroup>,
    container: String,
    port: u16,
}

/// The ECS deployment circuit breaker of a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CircuitBreaker {
    /// No breaker: a deployment whose tasks keep failing retries forever (AWS's default).
    #[default]
    Off,
    /// A deployment whose tasks keep failing is stopped and marked failed.
    On,
    /// As `On`, and the service rolls back to its last deployment that worked.
    OnWithRollback,
}

/// An ECS service on Fargate.
#[derive(Debug, Clone)]
pub struct Service {
    pub(crate) meta: Meta,
    pub(crate) cluster: Ref<Cluster>,
    pub(crate) task_definition: Ref<TaskDefinition>,
    pub(crate) desired_count: u32,
    pub(crate) strategy: Vec<CapacityProviderStrategy>,
    pub(crate) platform_version: String,
    pub(crate) subnets: Vec<Ref<Subnet>>,
    pub(crate) security_groups: Vec<Ref<SecurityGroup>>,
    pub(crate) assign_public_ip: bool,
    pub(crate) circuit_breaker: CircuitBreaker,
    pub(crate) maximum_percent: u32,
    pub(crate) minimum_healthy_percent: u32,
    pub(crate) grace_period: Option<u32>,
    pub(crate) execute_command: bool,
    pub(crate) load_balancers: Vec<LoadBalancerAttachment>,
    pub(crate) service_connect: Option<ServiceConnect>,
    pub(crate) propagate_tags: PropagateTags,
}

impl Service {
    /// A service running `task_definition` in `cluster`; its AWS name is the logical name.
    pub fn new(
        name: impl Into<String>,
        cluster: &Ref<Cluster>,
        task_definition: &Ref<TaskDefinition>,
    ) -> Service {
        Service {
            meta: Meta::new(name),
            cluster: cluster.clone(),
            task_definition: task_definition.clone(),
            desired_count: 1,
            strategy: Vec::new(),
            platform_version: "LATEST".to_string(),
            subnets: Vec::new(),
            security_groups: Vec::new(),
            assign_public_ip: false,
            circuit_breaker: CircuitBreaker::Off,
            maximum_percent: 200,
            minimum_healthy_percent: 100,
            grace_period: None,
            execute_command: false,
            load_balancers: Vec::new(),
            service_connect: None,
            propagate_tags: PropagateTags::Service,
        }
    }

    /// Number of tasks to keep running (1 by default).
    #[must_use]
    pub fn desired_count(mut self, count: u32) -> Service {
        self.desired_count = count;
        self
    }

    /// A capacity provider strategy item (instead of launch type `FARGATE`).
    #[must_use]
    pub fn capacity_provider(mut self, item: CapacityProviderStrategy) -> Service {
        self.strategy.push(item);
        self
    }

    /// Fargate platform version (`LATEST` by default).
    #[must_use]
    pub fn platform_version(mut self, version: impl Into<String>) -> Service {
        self.platform_version = version.into();
        self
    }

    /// Subnets the tasks run in.
    #[must_use]
    pub fn subnets<'s>(mut self, subnets: impl IntoIterator<Item = &'s Ref<Subnet>>) -> Service {
        self.subnets.extend(subnets.into_iter().cloned());
        self
    }

    /// A security group of the tasks.
    #[must_use]
    pub fn security_group(mut self, group: &Ref<SecurityGroup>) -> Service {
        self.security_groups.push(group.clone());
        self
    }

    /// Whether tasks get a public IP (off by default).
    #[must_use]
    pub fn assign_public_ip(mut self, enabled: bool) -> Service {
        self.assign_public_ip = enabled;
        self
    }

    /// The deployment circuit breaker: off (the default), on (a failing deployment
    /// stops), or on with rollback to the last working deployment.
    #[must_use]
    pub fn circuit_breaker(mut self, breaker: CircuitBreaker) -> Service {
        self.circuit_breaker = breaker;
        self
    }

    /// Deployment bounds (200 / 100 by default).
    #[must_use]
    pub fn deployment_percent(mut self, maximum: u32, minimum_healthy: u32) -> Service {
        self.maximum_percent = maximum;
        self.minimum_healthy_percent = minimum_healthy;
        self
    }

    /// Seconds load balancer health checks are ignored after a task starts.
    #[must_use]
    pub fn health_check_grace_period(mut self, seconds: u32) -> Service {
        self.grace_period = Some(seconds);
        self
    }

    /// ECS Exec.
    #[must_use]
    pub fn enable_execute_command(mut self, enabled: bool) -> Service {
        self.execute_command = enabled;
        self
    }

    /// Registers `container:port` with a target group.
    #[must_use]
    pub fn load_balancer(
        mut self,
        target_group: &Ref<TargetGroup>,
        container: impl Into<String>,
        port: u16,
    ) -> Service {
        self.load_balancers.push(LoadBalancerAttachment {
            target_group: target_group.clone(),
            container: container.into(),
            port,
        });
        self
    }

    /// Service Connect.
    #[must_use]
    pub fn service_connect(mut self, config: ServiceConnect) -> Service {
        self.service_connect = Some(config);
        self
    }

    /// Tag propagation to tasks.
    #[must_use]
    pub fn propagate_tags(mut self, from: PropagateTags) -> Service {
        self.propagate_tags = from;
        self
    }

    /// The service's AWS name.
    pub fn service_name(&self) -> String {
        self.meta.name.replace('/', "-")
    }

    /// The desired count.
    pub fn desired(&self) -> u32 {
        self.desired_count
    }

    /// The service's cluster.
    pub fn cluster(&self) -> &Ref<Cluster> {
        &self.cluster
    }

    fn render_service_connect(
        &self,
        n: &mut NodeBuilder<'_>,
        cx: &Cx<'_>,
        sc: &ServiceConnect,
    ) -> ServiceConnectConfiguration {
        let at = F.service_connect_configuration;
        let namespace = n.attr(|| format!("{at}.{}", SC.namespace), &sc.namespace, "arn");
        let services: Vec<req::ServiceConnectService> = sc
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let aliases: Vec<req::ServiceConnectClientAlias> = s
                    .aliases
                    .iter()
                    .map(|(port, dns)| req::ServiceConnectClientAlias {
                        port: Some(i32::from(*port)),
                        dns_name: dns.clone(),
                    })
                    .collect();
                let tls = s.tls.as_ref().map(|(ca, role)| {
                    let path = || {
                        let tls = req::ServiceConnectService::FIELD.tls;
                        let role = req::ServiceConnectTlsConfiguration::FIELD.role_arn;
                        format!("{at}.{}[{i}].{tls}.{role}", SC.services)
                    };
                    req::ServiceConnectTlsConfiguration {
                        issuer_certificate_authority: Some(
                            req::ServiceConnectTlsCertificateAuthority {
                                aws_pca_authority_arn: Some(ca.clone()),
                            },
                        ),
                        kms_key: None,
                        role_arn: Some(n.attr(path, role, "arn")),
                    }
                });
                req::ServiceConnectService {
                    port_name: Some(s.port_name.clone()),
                    discovery_name: s.discovery_name.clone(),
                    client_aliases: (!aliases.is_empty()).then_some(aliases),
                    tls,
                }
            })
            .collect();
        let logs = sc
            .logs
            .as_ref()
            .map(|l| l.render(n, cx, &format!("{at}.{}", SC.log_configuration)));
        ServiceConnectConfiguration {
            enabled: Some(true),
            namespace: Some(namespace),
            services: (!services.is_empty()).then_some(services),
            log_configuration: logs,
        }
    }
}

/// The AWS names of a service's request fields.
const F: CreateServiceFields = CreateService::FIELD;
/// The AWS names of a service's load balancer fields.
const LB: LoadBalancerFields = LoadBalancer::FIELD;
/// The AWS names of a service's Service Connect fields.
const SC: ServiceConnectConfigurationFields = ServiceConnectConfiguration::FIELD;

impl ResourceSpec for Service {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn aws_name(&self) -> Option<(String, &'static NameRule)> {
        Some((self.service_name(), &limits::ECS_SERVICE_NAME))
    }

    fn validate(&self, cx: &mut Cx<'_>) {
        if self.subnets.is_empty() {
            cx.error(
                Rule::ServiceNetwork,
                "networkConfiguration.awsvpcConfiguration.subnets",
                "a Fargate service needs subnets: add `.subnets([&subnet_a, &subnet_b])`",
            );
        }
        if self.security_groups.is_empty() {
            cx.error(
                Rule::ServiceSecurityGroups,
                "networkConfiguration.awsvpcConfiguration.securityGroups",
                "no security groups: tasks get the VPC's default group; add `.security_group(&sg)`",
            );
        }
        if self.maximum_percent < 100 || self.minimum_healthy_percent > self.maximum_percent {
            cx.error(
                Rule::DeploymentPercent,
                F.deployment_configuration,
                format!(
                    "maximumPercent {} / minimumHealthyPercent {}: maximum must be at least 100 and at least the minimum",
                    self.maximum_percent, self.minimum_healthy_percent
                ),
            );
        }
        if self.grace_period.is_some() && self.load_balancers.is_empty() {
            cx.error(
                Rule::DeploymentPercent,
                F.health_check_grace_period_seconds,
                "a health check grace period applies only to services with a load balancer",
            );
        }
        let vpcs: BTreeSet<String> = self
            .subnets
            .iter()
            .filter_map(|s| cx.get(s).map(|s| s.vpc().name().to_string()))
            .chain(
                self.security_groups
                    .iter()
                    .filter_map(|g| cx.get(g).map(|g| g.vpc().name().to_string())),
            )
            .collect();
        if vpcs.len() > 1 {
            cx.error(
                Rule::VpcMismatch,
                "networkConfiguration.awsvpcConfiguration",
                format!(
                    "subnets and security groups are in different VPCs: {}",
                    vpcs.into_iter().collect::<Vec<_>>().join(", ")
                ),
            );
        }
        let Some(task) = cx.get(&self.task_definition) else {
            return;
        };
        for (i, lb) in self.load_balancers.iter().enumerate() {
            let path = format!("loadBalancers[{i}]");
            match task.containers.iter().find(|c| c.name == lb.container) {
                None => cx.error(
                    Rule::ContainerReference,
                    format!("{path}.containerName"),
                    format!(
                        "task definition `{}` has no container `{}`",
                        self.task_definition.name(),
                        lb.container
                    ),
                ),
                Some(c) if !c.ports.iter().any(|p| p.container_port == lb.port) => cx.error(
                    Rule::ContainerReference,
                    format!("{path}.containerPort"),
                    format!("container `{}` does not map port {}", lb.container, lb.port),
                ),
                Some(_) => {}
            }
            if let Some(tg) = cx.get(&lb.target_group) {
                if tg.target_type != TargetType::Ip {
                    cx.error(
                        Rule::TargetType,
                        format!("{path}.targetGroupArn"),
                        format!(
                            "target group `{}` must have target type `ip` for awsvpc tasks",
                            lb.target_group.name()
                        ),
                    );
                }
            }
        }
        if let Some(sc) = &self.service_connect {
            for (i, s) in sc.services.iter().enumerate() {
                let named = task
                    .containers
                    .iter()
                    .flat_map(|c| &c.ports)
                    .any(|p| p.name.as_deref() == Some(&s.port_name));
                if !named {
                    cx.error(
                        Rule::ContainerReference,
                        format!(
                            "{}.{}[{i}].{}",
                            F.service_connect_configuration,
                            SC.services,
                            req::ServiceConnectService::FIELD.port_name
                        ),
                        format!(
                            "no port mapping of `{}` is named `{}`; use `.named_port(...)`",
                            self.task_definition.name(),
                            s.port_name
                        ),
                    );
                }
            }
        }
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        let mut n = cx.node("", Kind::SERVICE);
        let cluster = n
            .target(F.cluster, &self.cluster)
            .map(Cluster::cluster_name);
        let task = n.attr(F.task_definition, &self.task_definition, "arn");
        let subnets: Vec<String> = self
            .subnets
            .iter()
            .enumerate()
            .map(|(i, s)| {
                n.attr(
                    || format!("networkConfiguration.awsvpcConfiguration.subnets[{i}]"),
                    s,
                    "id",
                )
            })
            .collect();
        let groups: Vec<String> = self
            .security_groups
            .iter()
            .enumerate()
            .map(|(i, g)| {
                n.attr(
                    || format!("networkConfiguration.awsvpcConfiguration.securityGroups[{i}]"),
                    g,
                    "id",
                )
            })
            .collect();
        let lbs: Vec<LoadBalancer> = self
            .load_balancers
            .iter()
            .enumerate()
            .map(|(i, lb)| LoadBalancer {
                target_group_arn: Some(n.attr(
                    || format!("{}[{i}].{}", F.load_balancers, LB.target_group_arn),
                    &lb.target_group,
                    "arn",
                )),
                container_name: Some(lb.container.clone()),
                container_port: Some(i32::from(lb.port)),
            })
            .collect();
        // ECS refuses a target group that no listener forwards to yet: wait for those listeners.
        for lb in &self.load_balancers {
            for listener in cx
                .index
                .forwarders
                .get(&lb.target_group.index)
                .into_iter()
                .flatten()
            {
                n.depend_on_node(listener.clone());
            }
        }
        let service_connect = self
            .service_connect
            .as_ref()
            .map(|sc| self.render_service_connect(&mut n, cx, sc));
        let strategy: Vec<CapacityProviderStrategyItem> = self
            .strategy
            .iter()
            .map(CapacityProviderStrategy::to_request)
            .collect();
        let count = |n: u32| i32::try_from(n).ok();
        let request = CreateService {
            cluster,
            service_name: Some(self.service_name()),
            task_definition: Some(task),
            desired_count: count(self.desired_count),
            launch_type: strategy.is_empty().then(|| "FARGATE".to_string()),
            capacity_provider_strategy: (!strategy.is_empty()).then_some(strategy),
            platform_version: Some(self.platform_version.clone()),
            network_configuration: Some(NetworkConfiguration {
                awsvpc_configuration: Some(AwsVpcConfiguration {
                    subnets: Some(subnets),
                    security_groups: (!groups.is_empty()).then_some(groups),
                    assign_public_ip: Some(
                        if self.assign_public_ip {
                            "ENABLED"
                        } else {
                            "DISABLED"
                        }
                        .to_string(),
                    ),
                }),
            }),
            load_balancers: (!lbs.is_empty()).then_some(lbs),
            health_check_grace_period_seconds: self.grace_period.and_then(count),
            deployment_configuration: Some(DeploymentConfiguration {
                deployment_circuit_breaker: Some(DeploymentCircuitBreaker {
                    enable: Some(self.circuit_breaker != CircuitBreaker::Off),
                    rollback: Some(self.circuit_breaker == CircuitBreaker::OnWithRollback),
                }),
                maximum_percent: count(self.maximum_percent),
                minimum_healthy_percent: count(self.minimum_healthy_percent),
            }),
            enable_execute_command: Some(self.execute_command),
            enable_ecs_managed_tags: Some(true),
            propagate_tags: Some(
                match self.propagate_tags {
                    PropagateTags::Service => "SERVICE",
                    PropagateTags::TaskDefinition => "TASK_DEFINITION",
                    PropagateTags::None => "NONE",
                }
                .to_string(),
            ),
            service_connect_configuration: service_connect,
        };
        cx.push_request(n, request);
    }
}

impl HasArn for Service {}

impl Ref<Service> {
    /// The service's name.
    pub fn service_name(&self) -> Attr<String> {
        Attr::of(self, "name")
    }
}

/// The `service/<cluster>/<service>` resource id of a service (Application Auto Scaling).
pub(crate) fn service_resource_id(cx: &Cx<'_>, service: &Service) -> String {
    let cluster = cx
        .get(&service.cluster)
        .map(Cluster::cluster_name)
        .unwrap_or_default();
    format!("service/{cluster}/{}", service.service_name())
}
