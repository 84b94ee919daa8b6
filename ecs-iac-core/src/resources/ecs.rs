//! ECS: clusters, Fargate task definitions with their containers, services, and the
//! Cloud Map namespaces Service Connect uses.

use super::ecr::Repository;
use super::elb::{TargetGroup, TargetType};
use super::iam::{HasArn, Role};
use super::network::{SecurityGroup, Subnet};
use super::observability::LogGroup;
use super::secrets::SecretSource;
use crate::diagnostic::Rule;
use crate::kind::Kind;
use crate::limits::{self, container_health_check as hc, Bounds, NameRule};
use crate::lower::{tag_setter, Cx, NodeBuilder, ACCOUNT_ID};
use crate::stack::{Meta, Ref, ResourceSpec};
use crate::value::{Attr, Text};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// A Cloud Map HTTP namespace, for ECS Service Connect.
#[derive(Debug, Clone)]
pub struct Namespace {
    pub(crate) meta: Meta,
    pub(crate) namespace_name: String,
    pub(crate) description: Option<String>,
    /// Set for a namespace the stack does not own ([`Namespace::existing`]).
    pub(crate) existing: bool,
}

impl Namespace {
    /// An HTTP namespace named `namespace_name` (e.g. `internal`).
    pub fn http(name: impl Into<String>, namespace_name: impl Into<String>) -> Namespace {
        Namespace {
            meta: Meta::new(name),
            namespace_name: namespace_name.into(),
            description: None,
            existing: false,
        }
    }

    /// A namespace the stack uses but does not own (HTTP or DNS), found by its name.
    pub fn existing(name: impl Into<String>, namespace_name: impl Into<String>) -> Namespace {
        Namespace {
            existing: true,
            ..Namespace::http(name, namespace_name)
        }
    }

    /// A description.
    #[must_use]
    pub fn description(mut self, description: impl Into<String>) -> Namespace {
        self.description = Some(description.into());
        self
    }
}

impl ResourceSpec for Namespace {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn aws_name(&self) -> Option<(String, &'static NameRule)> {
        Some((self.namespace_name.clone(), &limits::NAMESPACE_NAME))
    }

    fn validate(&self, cx: &mut Cx<'_>) {
        if self.existing && self.description.is_some() {
            cx.error(
                Rule::ExistingResource,
                "Description",
                format!("`{}` is a namespace the stack does not own: its description is not the stack's to set", self.meta.name),
            );
        }
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        if self.existing {
            let n = cx.node("", Kind::EXISTING_NAMESPACE);
            let filter =
                json!({ "Name": "NAME", "Values": [self.namespace_name], "Condition": "EQ" });
            cx.push(n, json!({ "Filters": [filter] }));
            return;
        }
        let n = cx.node("", Kind::HTTP_NAMESPACE);
        let body = json!({ "Name": self.namespace_name, "Description": self.description });
        cx.push(n, body);
    }
}

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

    fn to_json(&self) -> Value {
        json!({ "capacityProvider": self.provider, "weight": self.weight, "base": self.base })
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
                "settings",
                format!("`{}` is a cluster the stack does not own: Container Insights, capacity providers and Service Connect defaults are not the stack's to set", self.meta.name),
            );
        }
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        if let Some(name) = &self.existing {
            let n = cx.node("", Kind::EXISTING_CLUSTER);
            cx.push(n, json!({ "clusters": [name] }));
            return;
        }
        let mut n = cx.node("", Kind::CLUSTER);
        let insights = match self.insights {
            ContainerInsights::Disabled => "disabled",
            ContainerInsights::Enabled => "enabled",
            ContainerInsights::Enhanced => "enhanced",
        };
        let defaults = self.service_connect_namespace.as_ref().map(
            |ns| json!({ "namespace": n.attr("serviceConnectDefaults.namespace", ns, "arn") }),
        );
        let strategy: Vec<Value> = self
            .default_strategy
            .iter()
            .map(CapacityProviderStrategy::to_json)
            .collect();
        let body = json!({
            "clusterName": self.cluster_name(),
            "settings": [{ "name": "containerInsights", "value": insights }],
            "capacityProviders": if self.capacity_providers.is_empty() { None } else { Some(&self.capacity_providers) },
            "defaultCapacityProviderStrategy": if strategy.is_empty() { None } else { Some(strategy) },
            "serviceConnectDefaults": defaults,
        });
        cx.push(n, body);
    }
}

/// A Fargate task size: CPU units and memory in MiB. Constants cover common sizes; any
/// other pair can be built with [`Fargate::size`] and is checked against the AWS table
/// by validation (`fargate-cpu-memory`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fargate {
    /// CPU units (1024 = one vCPU).
    pub cpu: u32,
    /// Memory in MiB.
    pub memory: u32,
}

impl Fargate {
    /// 0.25 vCPU, 512 MiB.
    pub const CPU_256_MEM_512: Fargate = Fargate {
        cpu: 256,
        memory: 512,
    };
    /// 0.25 vCPU, 1 GiB.
    pub const CPU_256_MEM_1024: Fargate = Fargate {
        cpu: 256,
        memory: 1024,
    };
    /// 0.25 vCPU, 2 GiB.
    pub const CPU_256_MEM_2048: Fargate = Fargate {
        cpu: 256,
        memory: 2048,
    };
    /// 0.5 vCPU, 1 GiB.
    pub const CPU_512_MEM_1024: Fargate = Fargate {
        cpu: 512,
        memory: 1024,
    };
    /// 0.5 vCPU, 2 GiB.
    pub const CPU_512_MEM_2048: Fargate = Fargate {
        cpu: 512,
        memory: 2048,
    };
    /// 1 vCPU, 2 GiB.
    pub const CPU_1024_MEM_2048: Fargate = Fargate {
        cpu: 1024,
        memory: 2048,
    };
    /// 1 vCPU, 4 GiB.
    pub const CPU_1024_MEM_4096: Fargate = Fargate {
        cpu: 1024,
        memory: 4096,
    };
    /// 2 vCPU, 4 GiB.
    pub const CPU_2048_MEM_4096: Fargate = Fargate {
        cpu: 2048,
        memory: 4096,
    };
    /// 4 vCPU, 8 GiB.
    pub const CPU_4096_MEM_8192: Fargate = Fargate {
        cpu: 4096,
        memory: 8192,
    };

    /// Any pair; validation checks it against the Fargate table.
    pub const fn size(cpu: u32, memory: u32) -> Fargate {
        Fargate { cpu, memory }
    }
}

/// A container image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Image {
    /// A full image reference, e.g. `public.ecr.aws/nginx/nginx:1.27`.
    Uri(String),
    /// An image in this account's ECR, in the stack's region.
    Ecr {
        /// Repository name.
        repository: String,
        /// Tag.
        tag: String,
    },
    /// An image of a repository of the stack ([`Image::from_repository`]).
    Repository {
        /// The repository.
        repository: Ref<Repository>,
        /// Tag.
        tag: String,
    },
}

/// An image by full reference.
pub fn image(reference: impl Into<String>) -> Image {
    Image::Uri(reference.into())
}

impl Image {
    /// An image in this account's ECR registry.
    pub fn ecr(repository: impl Into<String>, tag: impl Into<String>) -> Image {
        Image::Ecr {
            repository: repository.into(),
            tag: tag.into(),
        }
    }

    /// The image with `tag` of `repository`: its URI follows the repository's
    /// (`ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME:TAG`), and the task depends on it.
    pub fn from_repository(repository: &Ref<Repository>, tag: impl Into<String>) -> Image {
        Image::Repository {
            repository: repository.clone(),
            tag: tag.into(),
        }
    }

    /// Pulled from a private ECR repository (so the task needs an execution role).
    pub(crate) fn is_private_ecr(&self) -> bool {
        matches!(self, Image::Ecr { .. } | Image::Repository { .. })
    }

    fn render(&self, n: &mut NodeBuilder<'_>, path: &str, region: &str) -> String {
        match self {
            Image::Uri(u) => u.clone(),
            Image::Repository { repository, tag } => {
                format!("{}:{tag}", n.attr(path, repository, "uri"))
            }
            Image::Ecr { repository, tag } => {
                format!("{ACCOUNT_ID}.dkr.ecr.{region}.amazonaws.com/{repository}:{tag}")
            }
        }
    }
}

/// Transport protocol of a port mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PortProtocol {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
}

/// Application protocol of a named port (Service Connect).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppProtocol {
    /// HTTP/1.1.
    Http,
    /// HTTP/2.
    Http2,
    /// gRPC.
    Grpc,
}

/// A container port mapping (awsvpc: host port equals container port).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortMapping {
    /// The container port.
    pub container_port: u16,
    /// TCP or UDP.
    pub protocol: PortProtocol,
    /// A name, needed for Service Connect.
    pub name: Option<String>,
    /// Application protocol, for Service Connect.
    pub app_protocol: Option<AppProtocol>,
}

/// A container health check. Defaults are AWS's: interval 30 s, timeout 5 s,
/// 3 retries, start period 0 s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthCheck {
    pub(crate) command: Vec<String>,
    pub(crate) interval: u32,
    pub(crate) timeout: u32,
    pub(crate) retries: u32,
    pub(crate) start_period: u32,
}

impl HealthCheck {
    /// `["CMD-SHELL", command]`.
    pub fn cmd_shell(command: impl Into<String>) -> HealthCheck {
        HealthCheck::raw(vec!["CMD-SHELL".to_string(), command.into()])
    }

    /// `["CMD", args...]`.
    pub fn cmd<I, S>(args: I) -> HealthCheck
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut command = vec!["CMD".to_string()];
        command.extend(args.into_iter().map(Into::into));
        HealthCheck::raw(command)
    }

    fn raw(command: Vec<String>) -> HealthCheck {
        HealthCheck {
            command,
            interval: 30,
            timeout: 5,
            retries: 3,
            start_period: 0,
        }
    }

    /// Seconds between checks (5-300).
    #[must_use]
    pub fn interval(mut self, seconds: u32) -> HealthCheck {
        self.interval = seconds;
        self
    }

    /// Seconds before a check fails (2-60).
    #[must_use]
    pub fn timeout(mut self, seconds: u32) -> HealthCheck {
        self.timeout = seconds;
        self
    }

    /// Failures before the container is unhealthy (1-10).
    #[must_use]
    pub fn retries(mut self, retries: u32) -> HealthCheck {
        self.retries = retries;
        self
    }

    /// Grace seconds after start (0-300).
    #[must_use]
    pub fn start_period(mut self, seconds: u32) -> HealthCheck {
        self.start_period = seconds;
        self
    }
}

/// Where a container's logs go.
#[derive(Debug, Clone)]
pub enum LogConfig {
    /// CloudWatch Logs through the awslogs driver.
    AwsLogs {
        /// The log group.
        group: Ref<LogGroup>,
        /// Stream prefix (`prefix/container/task-id`).
        stream_prefix: String,
    },
    /// FireLens (`awsfirelens` driver): options go to the task's log router.
    FireLens {
        /// Output plugin options, e.g. `Name=cloudwatch_logs`.
        options: BTreeMap<String, String>,
    },
}

impl LogConfig {
    /// awslogs to `group` with a stream prefix.
    pub fn awslogs(group: &Ref<LogGroup>, stream_prefix: impl Into<String>) -> LogConfig {
        LogConfig::AwsLogs {
            group: group.clone(),
            stream_prefix: stream_prefix.into(),
        }
    }

    /// FireLens with output plugin options.
    pub fn firelens<I, K, V>(options: I) -> LogConfig
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        LogConfig::FireLens {
            options: options
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    fn render(&self, n: &mut NodeBuilder<'_>, cx: &Cx<'_>, path: &str) -> Value {
        match self {
            LogConfig::AwsLogs {
                group,
                stream_prefix,
            } => {
                let name = n
                    .target(|| format!("{path}.options.awslogs-group"), group)
                    .map(|g| g.log_group_name.clone())
                    .unwrap_or_default();
                json!({
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": name,
                        "awslogs-region": cx.region(),
                        "awslogs-stream-prefix": stream_prefix,
                    },
                })
            }
            LogConfig::FireLens { options } => {
                json!({ "logDriver": "awsfirelens", "options": options })
            }
        }
    }
}

/// A FireLens log router type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirelensType {
    /// Fluent Bit.
    FluentBit,
    /// Fluentd.
    Fluentd,
}

/// When a container may start relative to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerCondition {
    /// The other container has started.
    Start,
    /// The other container ran to completion.
    Complete,
    /// The other container exited 0.
    Success,
    /// The other container's health check passes.
    Healthy,
}

impl ContainerCondition {
    fn as_str(self) -> &'static str {
        match self {
            ContainerCondition::Start => "START",
            ContainerCondition::Complete => "COMPLETE",
            ContainerCondition::Success => "SUCCESS",
            ContainerCondition::Healthy => "HEALTHY",
        }
    }
}

/// A volume mounted into a container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountPoint {
    /// The task volume's name.
    pub volume: String,
    /// Path inside the container.
    pub container_path: String,
    /// Mounted read-only.
    pub read_only: bool,
}

#[derive(Debug, Clone)]
struct SecretEnv {
    name: String,
    source: SecretSource,
    json_key: Option<String>,
}

/// A container of a task definition.
#[derive(Debug, Clone)]
pub struct Container {
    pub(crate) name: String,
    pub(crate) image: Image,
    pub(crate) cpu: Option<u32>,
    pub(crate) memory: Option<u32>,
    pub(crate) memory_reservation: Option<u32>,
    pub(crate) essential: bool,
    pub(crate) ports: Vec<PortMapping>,
    pub(crate) environment: Vec<(String, Text)>,
    secrets: Vec<SecretEnv>,
    pub(crate) health_check: Option<HealthCheck>,
    pub(crate) logging: Option<LogConfig>,
    pub(crate) depends_on: Vec<(String, ContainerCondition)>,
    pub(crate) mount_points: Vec<MountPoint>,
    pub(crate) firelens: Option<(FirelensType, BTreeMap<String, String>)>,
    pub(crate) command: Vec<Text>,
    pub(crate) entry_point: Vec<Text>,
    pub(crate) user: Option<String>,
    pub(crate) readonly_root_filesystem: Option<bool>,
    pub(crate) privileged: bool,
    pub(crate) working_directory: Option<String>,
    pub(crate) init_process: bool,
    pub(crate) stop_timeout: Option<u32>,
}

impl Container {
    /// An essential container running `image`.
    pub fn new(name: impl Into<String>, image: Image) -> Container {
        Container {
            name: name.into(),
            image,
            cpu: None,
            memory: None,
            memory_reservation: None,
            essential: true,
            ports: Vec::new(),
            environment: Vec::new(),
            secrets: Vec::new(),
            health_check: None,
            logging: None,
            depends_on: Vec::new(),
            mount_points: Vec::new(),
            firelens: None,
            command: Vec::new(),
            entry_point: Vec::new(),
            user: None,
            readonly_root_filesystem: None,
            privileged: false,
            working_directory: None,
            init_process: false,
            stop_timeout: None,
        }
    }

    /// CPU units reserved for this container.
    #[must_use]
    pub fn cpu(mut self, units: u32) -> Container {
        self.cpu = Some(units);
        self
    }

    /// Hard memory limit in MiB.
    #[must_use]
    pub fn memory(mut self, mib: u32) -> Container {
        self.memory = Some(mib);
        self
    }

    /// Soft memory reservation in MiB.
    #[must_use]
    pub fn memory_reservation(mut self, mib: u32) -> Container {
        self.memory_reservation = Some(mib);
        self
    }

    /// Whether the task stops when this container stops (true by default).
    #[must_use]
    pub fn essential(mut self, essential: bool) -> Container {
        self.essential = essential;
        self
    }

    /// A TCP port.
    #[must_use]
    pub fn port(mut self, port: u16) -> Container {
        self.ports.push(PortMapping {
            container_port: port,
            protocol: PortProtocol::Tcp,
            name: None,
            app_protocol: None,
        });
        self
    }

    /// A named TCP port with an application protocol (for Service Connect).
    #[must_use]
    pub fn named_port(
        mut self,
        name: impl Into<String>,
        port: u16,
        app_protocol: AppProtocol,
    ) -> Container {
        self.ports.push(PortMapping {
            container_port: port,
            protocol: PortProtocol::Tcp,
            name: Some(name.into()),
            app_protocol: Some(app_protocol),
        });
        self
    }

    /// A port mapping.
    #[must_use]
    pub fn port_mapping(mut self, mapping: PortMapping) -> Container {
        self.ports.push(mapping);
        self
    }

    /// A plain environment variable: a literal, or a value known after apply
    /// (`db.endpoint()`, `text!("{}:{}", cache.primary_endpoint(), cache.port())`), which
    /// also makes the task definition wait for its resource. Secret values belong in
    /// [`Container::secret`].
    #[must_use]
    pub fn env(mut self, name: impl Into<String>, value: impl Into<Text>) -> Container {
        self.environment.push((name.into(), value.into()));
        self
    }

    /// An environment variable filled from a secret at task start: a [`SecretRef`](crate::resources::SecretRef)
    /// (`&secret`) or a secret AWS manages for a resource (`&db.master_secret()`).
    #[must_use]
    pub fn secret(mut self, name: impl Into<String>, secret: impl Into<SecretSource>) -> Container {
        self.secrets.push(SecretEnv {
            name: name.into(),
            source: secret.into(),
            json_key: None,
        });
        self
    }

    /// An environment variable filled from one key of a JSON secret at task start
    /// (`valueFrom` `ARN:KEY::`), e.g. the `username` and `password` of the master
    /// secret RDS manages: `.secret_key("DB_PASSWORD", &db.master_secret(), "password")`.
    #[must_use]
    pub fn secret_key(
        mut self,
        name: impl Into<String>,
        secret: impl Into<SecretSource>,
        json_key: impl Into<String>,
    ) -> Container {
        self.secrets.push(SecretEnv {
            name: name.into(),
            source: secret.into(),
            json_key: Some(json_key.into()),
        });
        self
    }

    /// A health check.
    #[must_use]
    pub fn health_check(mut self, check: HealthCheck) -> Container {
        self.health_check = Some(check);
        self
    }

    /// Log configuration.
    #[must_use]
    pub fn logs(mut self, config: LogConfig) -> Container {
        self.logging = Some(config);
        self
    }

    /// Starts after `container` reaches `condition`.
    #[must_use]
    pub fn depends_on(
        mut self,
        container: impl Into<String>,
        condition: ContainerCondition,
    ) -> Container {
        self.depends_on.push((container.into(), condition));
        self
    }

    /// Mounts task volume `volume` at `path`.
    #[must_use]
    pub fn mount(
        mut self,
        volume: impl Into<String>,
        path: impl Into<String>,
        read_only: bool,
    ) -> Container {
        self.mount_points.push(MountPoint {
            volume: volume.into(),
            container_path: path.into(),
            read_only,
        });
        self
    }

    /// Makes this container the task's FireLens log router.
    #[must_use]
    pub fn firelens_router<I, K, V>(mut self, kind: FirelensType, options: I) -> Container
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        self.firelens = Some((
            kind,
            options
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        ));
        self
    }

    /// The command. Arguments may hold values known after apply.
    #[must_use]
    pub fn command<I, S>(mut self, args: I) -> Container
    where
        I: IntoIterator<Item = S>,
        S: Into<Text>,
    {
        self.command = args.into_iter().map(Into::into).collect();
        self
    }

    /// The entry point. Arguments may hold values known after apply.
    #[must_use]
    pub fn entry_point<I, S>(mut self, args: I) -> Container
    where
        I: IntoIterator<Item = S>,
        S: Into<Text>,
    {
        self.entry_point = args.into_iter().map(Into::into).collect();
        self
    }

    /// The user (e.g. `1000:1000`).
    #[must_use]
    pub fn user(mut self, user: impl Into<String>) -> Container {
        self.user = Some(user.into());
        self
    }

    /// Read-only root filesystem.
    #[must_use]
    pub fn readonly_root_filesystem(mut self, enabled: bool) -> Container {
        self.readonly_root_filesystem = Some(enabled);
        self
    }

    /// Privileged mode (not supported on Fargate).
    #[must_use]
    pub fn privileged(mut self, enabled: bool) -> Container {
        self.privileged = enabled;
        self
    }

    /// Working directory.
    #[must_use]
    pub fn working_directory(mut self, dir: impl Into<String>) -> Container {
        self.working_directory = Some(dir.into());
        self
    }

    /// Runs an init process (needed for ECS Exec to reap processes cleanly).
    #[must_use]
    pub fn init_process(mut self, enabled: bool) -> Container {
        self.init_process = enabled;
        self
    }

    /// Seconds to wait after SIGTERM before SIGKILL (max 120 on Fargate).
    #[must_use]
    pub fn stop_timeout(mut self, seconds: u32) -> Container {
        self.stop_timeout = Some(seconds);
        self
    }

    /// The container's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Port mappings.
    pub fn ports(&self) -> &[PortMapping] {
        &self.ports
    }

    /// Environment variables, in order.
    pub fn environment(&self) -> &[(String, Text)] {
        &self.environment
    }

    fn render(&self, n: &mut NodeBuilder<'_>, cx: &Cx<'_>, i: usize) -> Value {
        let path = format!("containerDefinitions[{i}]");
        let ports: Vec<Value> = self
            .ports
            .iter()
            .map(|p| {
                json!({
                    "containerPort": p.container_port,
                    "hostPort": p.container_port,
                    "protocol": match p.protocol { PortProtocol::Tcp => "tcp", PortProtocol::Udp => "udp" },
                    "name": p.name,
                    "appProtocol": p.app_protocol.map(|a| match a {
                        AppProtocol::Http => "http",
                        AppProtocol::Http2 => "http2",
                        AppProtocol::Grpc => "grpc",
                    }),
                })
            })
            .collect();
        let environment: Vec<Value> = self
            .environment
            .iter()
            .enumerate()
            .map(|(j, (k, v))| {
                let value = n.text(|| format!("{path}.environment[{j}].value"), v);
                json!({ "name": k, "value": value })
            })
            .collect();
        let secrets: Vec<Value> = self
            .secrets
            .iter()
            .enumerate()
            .map(|(j, s)| {
                let at = || format!("{path}.secrets[{j}].valueFrom");
                let arn = s.source.render(n, cx, at);
                let value_from = match &s.json_key {
                    Some(key) => format!("{arn}:{key}::"),
                    None => arn,
                };
                json!({ "name": s.name, "valueFrom": value_from })
            })
            .collect();
        let mut m = Map::new();
        m.insert("name".into(), json!(self.name));
        let image = self.image.render(n, &format!("{path}.image"), &cx.region());
        m.insert("image".into(), json!(image));
        m.insert("essential".into(), json!(self.essential));
        if let Some(cpu) = self.cpu {
            m.insert("cpu".into(), json!(cpu));
        }
        if let Some(memory) = self.memory {
            m.insert("memory".into(), json!(memory));
        }
        if let Some(r) = self.memory_reservation {
            m.insert("memoryReservation".into(), json!(r));
        }
        if !ports.is_empty() {
            m.insert("portMappings".into(), Value::Array(ports));
        }
        if !environment.is_empty() {
            m.insert("environment".into(), Value::Array(environment));
        }
        if !secrets.is_empty() {
            m.insert("secrets".into(), Value::Array(secrets));
        }
        if let Some(h) = &self.health_check {
            m.insert(
                "healthCheck".into(),
                json!({
                    "command": h.command,
                    "interval": h.interval,
                    "timeout": h.timeout,
                    "retries": h.retries,
                    "startPeriod": h.start_period,
                }),
            );
        }
        if let Some(l) = &self.logging {
            m.insert(
                "logConfiguration".into(),
                l.render(n, cx, &format!("{path}.logConfiguration")),
            );
        }
        if !self.depends_on.is_empty() {
            let deps: Vec<Value> = self
                .depends_on
                .iter()
                .map(|(c, cond)| json!({ "containerName": c, "condition": cond.as_str() }))
                .collect();
            m.insert("dependsOn".into(), Value::Array(deps));
        }
        if !self.mount_points.is_empty() {
            let mounts: Vec<Value> = self
                .mount_points
                .iter()
                .map(|mp| json!({ "sourceVolume": mp.volume, "containerPath": mp.container_path, "readOnly": mp.read_only }))
                .collect();
            m.insert("mountPoints".into(), Value::Array(mounts));
        }
        if let Some((kind, options)) = &self.firelens {
            let kind = match kind {
                FirelensType::FluentBit => "fluentbit",
                FirelensType::Fluentd => "fluentd",
            };
            let options = if options.is_empty() {
                None
            } else {
                Some(options)
            };
            m.insert(
                "firelensConfiguration".into(),
                json!({ "type": kind, "options": options }),
            );
        }
        if !self.command.is_empty() {
            let args: Vec<String> = (self.command.iter().enumerate())
                .map(|(k, a)| n.text(|| format!("{path}.command[{k}]"), a))
                .collect();
            m.insert("command".into(), json!(args));
        }
        if !self.entry_point.is_empty() {
            let args: Vec<String> = (self.entry_point.iter().enumerate())
                .map(|(k, a)| n.text(|| format!("{path}.entryPoint[{k}]"), a))
                .collect();
            m.insert("entryPoint".into(), json!(args));
        }
        if let Some(u) = &self.user {
            m.insert("user".into(), json!(u));
        }
        if let Some(r) = self.readonly_root_filesystem {
            m.insert("readonlyRootFilesystem".into(), json!(r));
        }
        if self.privileged {
            m.insert("privileged".into(), json!(true));
        }
        if let Some(w) = &self.working_directory {
            m.insert("workingDirectory".into(), json!(w));
        }
        if self.init_process {
            m.insert(
                "linuxParameters".into(),
                json!({ "initProcessEnabled": true }),
            );
        }
        if let Some(t) = self.stop_timeout {
            m.insert("stopTimeout".into(), json!(t));
        }
        Value::Object(m)
    }
}

/// CPU architecture of a Fargate task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CpuArchitecture {
    /// x86-64 (the default).
    X86_64,
    /// 64-bit ARM (Graviton).
    Arm64,
}

/// A Fargate task definition (network mode `awsvpc`). Each change registers a new revision.
#[derive(Debug, Clone)]
pub struct TaskDefinition {
    pub(crate) meta: Meta,
    pub(crate) size: Fargate,
    pub(crate) execution_role: Option<Ref<Role>>,
    pub(crate) task_role: Option<Ref<Role>>,
    pub(crate) containers: Vec<Container>,
    pub(crate) volumes: Vec<String>,
    pub(crate) architecture: CpuArchitecture,
    pub(crate) ephemeral_storage: Option<u32>,
}

impl TaskDefinition {
    /// A Fargate task definition; its family is the logical name.
    pub fn fargate(family: impl Into<String>, size: Fargate) -> TaskDefinition {
        TaskDefinition {
            meta: Meta::new(family),
            size,
            execution_role: None,
            task_role: None,
            containers: Vec::new(),
            volumes: Vec::new(),
            architecture: CpuArchitecture::X86_64,
            ephemeral_storage: None,
        }
    }

    /// The role ECS uses to pull images, fetch secrets and write awslogs.
    #[must_use]
    pub fn execution_role(mut self, role: &Ref<Role>) -> TaskDefinition {
        self.execution_role = Some(role.clone());
        self
    }

    /// The role the application's AWS calls use.
    #[must_use]
    pub fn task_role(mut self, role: &Ref<Role>) -> TaskDefinition {
        self.task_role = Some(role.clone());
        self
    }

    /// Adds a container.
    #[must_use]
    pub fn container(mut self, container: Container) -> TaskDefinition {
        self.containers.push(container);
        self
    }

    /// Adds an ephemeral task volume containers can mount by name.
    #[must_use]
    pub fn volume(mut self, name: impl Into<String>) -> TaskDefinition {
        self.volumes.push(name.into());
        self
    }

    /// CPU architecture.
    #[must_use]
    pub fn architecture(mut self, architecture: CpuArchitecture) -> TaskDefinition {
        self.architecture = architecture;
        self
    }

    /// Ephemeral storage in GiB (21-200).
    #[must_use]
    pub fn ephemeral_storage_gib(mut self, gib: u32) -> TaskDefinition {
        self.ephemeral_storage = Some(gib);
        self
    }

    /// The containers.
    pub fn containers(&self) -> &[Container] {
        &self.containers
    }

    /// The family name.
    pub fn family(&self) -> String {
        self.meta.name.replace('/', "-")
    }

    fn check_bounds(cx: &mut Cx<'_>, path: &str, bounds: Bounds, value: u32) {
        if !bounds.contains(value) {
            cx.error(
                Rule::HealthCheckBounds,
                format!("{path}.{}", bounds.field),
                format!("{value} is outside {}-{}", bounds.min, bounds.max),
            );
        }
    }
}

impl ResourceSpec for TaskDefinition {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn aws_name(&self) -> Option<(String, &'static NameRule)> {
        Some((self.family(), &limits::ECS_FAMILY))
    }

    fn validate(&self, cx: &mut Cx<'_>) {
        let Fargate { cpu, memory } = self.size;
        match limits::fargate_memory_options(cpu) {
            None => cx.error(
                Rule::FargateCpuMemory,
                "cpu",
                format!("{cpu} CPU units is not a Fargate size; use 256, 512, 1024, 2048, 4096, 8192 or 16384"),
            ),
            Some(options) if !options.allows(memory) => cx.error(
                Rule::FargateCpuMemory,
                "memory",
                format!("{memory} MiB is not available with {cpu} CPU units; Fargate allows {}", options.describe()),
            ),
            Some(_) => {}
        }
        if self.containers.is_empty() || !self.containers.iter().any(|c| c.essential) {
            cx.error(
                Rule::EssentialContainer,
                "containerDefinitions",
                "a task needs at least one essential container",
            );
        }
        let total_cpu: u32 = self.containers.iter().filter_map(|c| c.cpu).sum();
        if total_cpu > cpu {
            cx.error(
                Rule::ContainerExceedsTask,
                "containerDefinitions[*].cpu",
                format!("containers reserve {total_cpu} CPU units but the task has {cpu}"),
            );
        }
        let total_memory: u32 = self
            .containers
            .iter()
            .filter_map(|c| c.memory_reservation.or(c.memory))
            .sum();
        if total_memory > memory {
            cx.error(
                Rule::ContainerExceedsTask,
                "containerDefinitions[*].memory",
                format!("containers reserve {total_memory} MiB but the task has {memory} MiB"),
            );
        }
        let names: BTreeSet<&str> = self.containers.iter().map(|c| c.name.as_str()).collect();
        let mut seen_ports = BTreeMap::new();
        let mut seen_names = BTreeSet::new();
        let mut needs_execution_role = None;
        for (i, c) in self.containers.iter().enumerate() {
            let path = format!("containerDefinitions[{i}]");
            if let Some(problem) = limits::ECS_CONTAINER_NAME.check(&c.name) {
                cx.error(Rule::AwsName, format!("{path}.name"), problem);
            }
            if !seen_names.insert(c.name.as_str()) {
                cx.error(
                    Rule::DuplicateName,
                    format!("{path}.name"),
                    format!("container name `{}` is used twice", c.name),
                );
            }
            if let Some(m) = c.memory {
                if m > memory {
                    cx.error(
                        Rule::ContainerExceedsTask,
                        format!("{path}.memory"),
                        format!("{m} MiB is more than the task's {memory} MiB"),
                    );
                }
            }
            if let (Some(m), Some(r)) = (c.memory, c.memory_reservation) {
                if r > m {
                    cx.error(
                        Rule::ContainerExceedsTask,
                        format!("{path}.memoryReservation"),
                        format!("reservation {r} MiB is above the hard limit {m} MiB"),
                    );
                }
            }
            for (j, p) in c.ports.iter().enumerate() {
                let ppath = format!("{path}.portMappings[{j}].containerPort");
                if p.container_port == 0 {
                    cx.error(Rule::PortRange, &ppath, "port 0 is not a usable port");
                }
                if let Some(first) =
                    seen_ports.insert((p.container_port, p.protocol), ppath.clone())
                {
                    cx.error(
                        Rule::DuplicatePort,
                        &ppath,
                        format!("port {} is already mapped at {first}; awsvpc containers share one network namespace", p.container_port),
                    );
                }
            }
            if let Some(h) = &c.health_check {
                let hpath = format!("{path}.healthCheck");
                Self::check_bounds(cx, &hpath, hc::INTERVAL, h.interval);
                Self::check_bounds(cx, &hpath, hc::TIMEOUT, h.timeout);
                Self::check_bounds(cx, &hpath, hc::RETRIES, h.retries);
                Self::check_bounds(cx, &hpath, hc::START_PERIOD, h.start_period);
                if h.timeout >= h.interval {
                    cx.error(
                        Rule::HealthCheckBounds,
                        format!("{hpath}.timeout"),
                        "timeout must be shorter than the interval",
                    );
                }
                if h.command.len() < 2 {
                    cx.error(
                        Rule::HealthCheckBounds,
                        format!("{hpath}.command"),
                        "the health check command is empty",
                    );
                }
            }
            for (j, (dep, _)) in c.depends_on.iter().enumerate() {
                if !names.contains(dep.as_str()) || dep == &c.name {
                    cx.error(
                        Rule::ContainerReference,
                        format!("{path}.dependsOn[{j}].containerName"),
                        format!("`{dep}` is not another container of this task"),
                    );
                }
            }
            for (j, mp) in c.mount_points.iter().enumerate() {
                if !self.volumes.contains(&mp.volume) {
                    cx.error(
                        Rule::ContainerReference,
                        format!("{path}.mountPoints[{j}].sourceVolume"),
                        format!("volume `{}` is not declared; add `.volume(\"{}\")` to the task definition", mp.volume, mp.volume),
                    );
                }
            }
            if c.privileged {
                cx.error(
                    Rule::FargateUnsupported,
                    format!("{path}.privileged"),
                    "Fargate does not run privileged containers",
                );
            }
            if matches!(c.logging, Some(LogConfig::FireLens { .. }))
                && !self.containers.iter().any(|x| x.firelens.is_some())
            {
                cx.error(
                    Rule::ContainerReference,
                    format!("{path}.logConfiguration.logDriver"),
                    "the awsfirelens driver needs a log router container: add one with `.firelens_router(...)`",
                );
            }
            if needs_execution_role.is_none() {
                if !c.secrets.is_empty() {
                    needs_execution_role = Some((format!("{path}.secrets"), "fetches secrets"));
                } else if matches!(c.logging, Some(LogConfig::AwsLogs { .. })) {
                    needs_execution_role =
                        Some((format!("{path}.logConfiguration"), "writes awslogs"));
                } else if c.image.is_private_ecr() {
                    needs_execution_role =
                        Some((format!("{path}.image"), "pulls from private ECR"));
                }
            }
        }
        if let (None, Some((path, why))) = (&self.execution_role, needs_execution_role) {
            cx.error(
                Rule::ExecutionRoleRequired,
                path,
                format!("the task {why} but has no execution role; add `.execution_role(&role)` with a role ECS tasks can assume"),
            );
        }
        if let Some(gib) = self.ephemeral_storage {
            if !(21..=200).contains(&gib) {
                cx.error(
                    Rule::FargateUnsupported,
                    "ephemeralStorage.sizeInGiB",
                    format!("{gib} GiB; Fargate allows 21-200"),
                );
            }
        }
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        let mut n = cx.node("", Kind::TASK_DEFINITION);
        let execution = self
            .execution_role
            .as_ref()
            .map(|r| n.attr("executionRoleArn", r, "arn"));
        let task = self
            .task_role
            .as_ref()
            .map(|r| n.attr("taskRoleArn", r, "arn"));
        // Tasks must not start before their roles hold what `stack.grant` gave them.
        for role in self.execution_role.iter().chain(&self.task_role) {
            if cx.get(role).is_some_and(Role::has_grants) {
                n.depend_on_node(format!("{}#{}", role.name(), Role::grants_part()));
            }
        }
        let containers: Vec<Value> = self
            .containers
            .iter()
            .enumerate()
            .map(|(i, c)| c.render(&mut n, cx, i))
            .collect();
        let volumes: Vec<Value> = self.volumes.iter().map(|v| json!({ "name": v })).collect();
        let mut body = json!({
            "family": self.family(),
            "taskRoleArn": task,
            "executionRoleArn": execution,
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": self.size.cpu.to_string(),
            "memory": self.size.memory.to_string(),
            "runtimePlatform": {
                "cpuArchitecture": match self.architecture { CpuArchitecture::X86_64 => "X86_64", CpuArchitecture::Arm64 => "ARM64" },
                "operatingSystemFamily": "LINUX",
            },
            "volumes": if volumes.is_empty() { None } else { Some(volumes) },
            "ephemeralStorage": self.ephemeral_storage.map(|g| json!({ "sizeInGiB": g })),
        });
        // Inserted by move: `json!` would deep-copy the rendered containers.
        body["containerDefinitions"] = Value::Array(containers);
        cx.push(n, body);
    }
}

impl HasArn for TaskDefinition {}
impl HasArn for Cluster {}
impl HasArn for Namespace {}

impl Ref<Cluster> {
    /// The cluster's name.
    pub fn cluster_name(&self) -> Attr<String> {
        Attr::of(self, "name")
    }
}

impl Ref<TaskDefinition> {
    /// The task definition's family.
    pub fn family(&self) -> Attr<String> {
        Attr::of(self, "family")
    }

    /// The revision number registered by the last apply.
    pub fn revision(&self) -> Attr<u16> {
        Attr::of(self, "revision")
    }
}

/// One service exposed through Service Connect.
#[derive(Debug, Clone)]
pub struct ServiceConnectService {
    pub(crate) port_name: String,
    discovery_name: Option<String>,
    aliases: Vec<(u16, Option<String>)>,
    pub(crate) tls: Option<(String, Ref<Role>)>,
}

impl ServiceConnectService {
    /// Exposes the task's port mapping named `port_name`.
    pub fn new(port_name: impl Into<String>) -> ServiceConnectService {
        ServiceConnectService {
            port_name: port_name.into(),
            discovery_name: None,
            aliases: Vec::new(),
            tls: None,
        }
    }

    /// The Cloud Map discovery name (defaults to the port name).
    #[must_use]
    pub fn discovery_name(mut self, name: impl Into<String>) -> ServiceConnectService {
        self.discovery_name = Some(name.into());
        self
    }

    /// A client alias: clients connect to `dns_name:port` (dns name defaults to the discovery name).
    #[must_use]
    pub fn client_alias(mut self, port: u16, dns_name: Option<&str>) -> ServiceConnectService {
        self.aliases.push((port, dns_name.map(str::to_string)));
        self
    }

    /// TLS between Service Connect proxies, with certificates from an AWS Private CA and
    /// the infrastructure role ECS uses to issue them.
    #[must_use]
    pub fn tls(
        mut self,
        private_ca_arn: impl Into<String>,
        role: &Ref<Role>,
    ) -> ServiceConnectService {
        self.tls = Some((private_ca_arn.into(), role.clone()));
        self
    }
}

/// Service Connect settings of a service.
#[derive(Debug, Clone)]
pub struct ServiceConnect {
    namespace: Ref<Namespace>,
    pub(crate) services: Vec<ServiceConnectService>,
    pub(crate) logs: Option<LogConfig>,
}

impl ServiceConnect {
    /// Joins `namespace` as a client; add [`ServiceConnect::service`] to serve too.
    pub fn new(namespace: &Ref<Namespace>) -> ServiceConnect {
        ServiceConnect {
            namespace: namespace.clone(),
            services: Vec::new(),
            logs: None,
        }
    }

    /// Exposes a port of the task.
    #[must_use]
    pub fn service(mut self, service: ServiceConnectService) -> ServiceConnect {
        self.services.push(service);
        self
    }

    /// Logs of the Service Connect proxy.
    #[must_use]
    pub fn logs(mut self, config: LogConfig) -> ServiceConnect {
        self.logs = Some(config);
        self
    }
}

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
    ) -> Value {
        let namespace = n.attr(
            "serviceConnectConfiguration.namespace",
            &sc.namespace,
            "arn",
        );
        let services: Vec<Value> = sc
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let aliases: Vec<Value> = s.aliases.iter().map(|(port, dns)| json!({ "port": port, "dnsName": dns })).collect();
                let tls = s.tls.as_ref().map(|(ca, role)| {
                    let role_arn = n.attr(|| format!("serviceConnectConfiguration.services[{i}].tls.roleArn"), role, "arn");
                    json!({ "issuerCertificateAuthority": { "awsPcaAuthorityArn": ca }, "roleArn": role_arn })
                });
                json!({
                    "portName": s.port_name,
                    "discoveryName": s.discovery_name,
                    "clientAliases": if aliases.is_empty() { None } else { Some(aliases) },
                    "tls": tls,
                })
            })
            .collect();
        let logs = sc
            .logs
            .as_ref()
            .map(|l| l.render(n, cx, "serviceConnectConfiguration.logConfiguration"));
        json!({
            "enabled": true,
            "namespace": namespace,
            "services": if services.is_empty() { None } else { Some(services) },
            "logConfiguration": logs,
        })
    }
}

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
                "deploymentConfiguration",
                format!(
                    "maximumPercent {} / minimumHealthyPercent {}: maximum must be at least 100 and at least the minimum",
                    self.maximum_percent, self.minimum_healthy_percent
                ),
            );
        }
        if self.grace_period.is_some() && self.load_balancers.is_empty() {
            cx.error(
                Rule::DeploymentPercent,
                "healthCheckGracePeriodSeconds",
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
                        format!("serviceConnectConfiguration.services[{i}].portName"),
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
            .target("cluster", &self.cluster)
            .map(Cluster::cluster_name);
        let task = n.attr("taskDefinition", &self.task_definition, "arn");
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
        let lbs: Vec<Value> = self
            .load_balancers
            .iter()
            .enumerate()
            .map(|(i, lb)| {
                let arn = n.attr(|| format!("loadBalancers[{i}].targetGroupArn"), &lb.target_group, "arn");
                json!({ "targetGroupArn": arn, "containerName": lb.container, "containerPort": lb.port })
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
        let strategy: Vec<Value> = self
            .strategy
            .iter()
            .map(CapacityProviderStrategy::to_json)
            .collect();
        let body = json!({
            "cluster": cluster,
            "serviceName": self.service_name(),
            "taskDefinition": task,
            "desiredCount": self.desired_count,
            "launchType": if strategy.is_empty() { Some("FARGATE") } else { None },
            "capacityProviderStrategy": if strategy.is_empty() { None } else { Some(strategy) },
            "platformVersion": self.platform_version,
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": subnets,
                    "securityGroups": if groups.is_empty() { None } else { Some(groups) },
                    "assignPublicIp": if self.assign_public_ip { "ENABLED" } else { "DISABLED" },
                },
            },
            "loadBalancers": if lbs.is_empty() { None } else { Some(lbs) },
            "healthCheckGracePeriodSeconds": self.grace_period,
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {
                    "enable": self.circuit_breaker != CircuitBreaker::Off,
                    "rollback": self.circuit_breaker == CircuitBreaker::OnWithRollback,
                },
                "maximumPercent": self.maximum_percent,
                "minimumHealthyPercent": self.minimum_healthy_percent,
            },
            "enableExecuteCommand": self.execute_command,
            "enableECSManagedTags": true,
            "propagateTags": match self.propagate_tags {
                PropagateTags::Service => "SERVICE",
                PropagateTags::TaskDefinition => "TASK_DEFINITION",
                PropagateTags::None => "NONE",
            },
            "serviceConnectConfiguration": service_connect,
        });
        cx.push(n, body);
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

tag_setter!(Namespace, Cluster, TaskDefinition, Service);
