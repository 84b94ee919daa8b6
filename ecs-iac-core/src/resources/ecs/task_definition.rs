//! Fargate task definitions: size, roles, architecture, volumes and their containers.

use super::*;
use crate::diagnostic::Rule;
use crate::kind::Kind;
use crate::limits::{self, container_health_check as hc, Bounds, NameRule};
use crate::lower::{Cx, ResourceSpec};
use crate::requests::ecs::{self as req, RegisterTaskDefinition, RegisterTaskDefinitionFields};
use crate::resources::iam::{HasArn, Role};
use crate::stack::{Meta, Ref};
use crate::value::Attr;
use std::collections::{BTreeMap, BTreeSet};

/// The AWS names of a task definition's request fields.
const TD: RegisterTaskDefinitionFields = RegisterTaskDefinition::FIELD;
/// The AWS names of a container definition's fields.
const C: req::ContainerDefinitionFields = req::ContainerDefinition::FIELD;
/// The AWS names of a port mapping's fields.
const PM: req::PortMappingFields = req::PortMapping::FIELD;
/// The AWS names of a container health check's fields.
const HC: req::HealthCheckFields = req::HealthCheck::FIELD;

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
                TD.cpu,
                format!("{cpu} CPU units is not a Fargate size; use 256, 512, 1024, 2048, 4096, 8192 or 16384"),
            ),
            Some(options) if !options.allows(memory) => cx.error(
                Rule::FargateCpuMemory,
                TD.memory,
                format!("{memory} MiB is not available with {cpu} CPU units; Fargate allows {}", options.describe()),
            ),
            Some(_) => {}
        }
        if self.containers.is_empty() || !self.containers.iter().any(|c| c.essential) {
            cx.error(
                Rule::EssentialContainer,
                TD.container_definitions,
                "a task needs at least one essential container",
            );
        }
        let total_cpu: u32 = self.containers.iter().filter_map(|c| c.cpu).sum();
        if total_cpu > cpu {
            cx.error(
                Rule::ContainerExceedsTask,
                format!("{}[*].{}", TD.container_definitions, C.cpu),
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
                format!("{}[*].{}", TD.container_definitions, C.memory),
                format!("containers reserve {total_memory} MiB but the task has {memory} MiB"),
            );
        }
        let names: BTreeSet<&str> = self.containers.iter().map(|c| c.name.as_str()).collect();
        let mut seen_ports = BTreeMap::new();
        let mut seen_names = BTreeSet::new();
        let mut needs_execution_role = None;
        for (i, c) in self.containers.iter().enumerate() {
            // Paths are written only for findings: this runs for every container.
            let path = ContainerPath(i);
            if let Some(problem) = limits::ECS_CONTAINER_NAME.check(&c.name) {
                cx.error(Rule::AwsName, format!("{path}.{}", C.name), problem);
            }
            if !seen_names.insert(c.name.as_str()) {
                cx.error(
                    Rule::DuplicateName,
                    format!("{path}.{}", C.name),
                    format!("container name `{}` is used twice", c.name),
                );
            }
            if let Some(m) = c.memory {
                if m > memory {
                    cx.error(
                        Rule::ContainerExceedsTask,
                        format!("{path}.{}", C.memory),
                        format!("{m} MiB is more than the task's {memory} MiB"),
                    );
                }
            }
            if let (Some(m), Some(r)) = (c.memory, c.memory_reservation) {
                if r > m {
                    cx.error(
                        Rule::ContainerExceedsTask,
                        format!("{path}.{}", C.memory_reservation),
                        format!("reservation {r} MiB is above the hard limit {m} MiB"),
                    );
                }
            }
            for (j, p) in c.ports.iter().enumerate() {
                let port_path = |(i, j): (usize, usize)| {
                    format!(
                        "{}.{}[{j}].{}",
                        ContainerPath(i),
                        C.port_mappings,
                        PM.container_port
                    )
                };
                if p.container_port == 0 {
                    cx.error(
                        Rule::PortRange,
                        port_path((i, j)),
                        "port 0 is not a usable port",
                    );
                }
                if let Some(first) = seen_ports.insert((p.container_port, p.protocol), (i, j)) {
                    cx.error(
                        Rule::DuplicatePort,
                        port_path((i, j)),
                        format!("port {} is already mapped at {}; awsvpc containers share one network namespace", p.container_port, port_path(first)),
                    );
                }
            }
            if let Some(h) = &c.health_check {
                let hpath = format!("{path}.{}", C.health_check);
                Self::check_bounds(cx, &hpath, hc::INTERVAL, h.interval);
                Self::check_bounds(cx, &hpath, hc::TIMEOUT, h.timeout);
                Self::check_bounds(cx, &hpath, hc::RETRIES, h.retries);
                Self::check_bounds(cx, &hpath, hc::START_PERIOD, h.start_period);
                if h.timeout >= h.interval {
                    cx.error(
                        Rule::HealthCheckBounds,
                        format!("{hpath}.{}", HC.timeout),
                        "timeout must be shorter than the interval",
                    );
                }
                if h.command.len() < 2 {
                    cx.error(
                        Rule::HealthCheckBounds,
                        format!("{hpath}.{}", HC.command),
                        "the health check command is empty",
                    );
                }
            }
            for (j, (dep, _)) in c.depends_on.iter().enumerate() {
                if !names.contains(dep.as_str()) || dep == &c.name {
                    cx.error(
                        Rule::ContainerReference,
                        format!(
                            "{path}.{}[{j}].{}",
                            C.depends_on,
                            req::ContainerDependency::FIELD.container_name
                        ),
                        format!("`{dep}` is not another container of this task"),
                    );
                }
            }
            for (j, mp) in c.mount_points.iter().enumerate() {
                if !self.volumes.contains(&mp.volume) {
                    cx.error(
                        Rule::ContainerReference,
                        format!(
                            "{path}.{}[{j}].{}",
                            C.mount_points,
                            req::MountPoint::FIELD.source_volume
                        ),
                        format!("volume `{}` is not declared; add `.volume(\"{}\")` to the task definition", mp.volume, mp.volume),
                    );
                }
            }
            if c.privileged {
                cx.error(
                    Rule::FargateUnsupported,
                    format!("{path}.{}", C.privileged),
                    "Fargate does not run privileged containers",
                );
            }
            if matches!(c.logging, Some(LogConfig::FireLens { .. }))
                && !self.containers.iter().any(|x| x.firelens.is_some())
            {
                cx.error(
                    Rule::ContainerReference,
                    format!(
                        "{path}.{}.{}",
                        C.log_configuration,
                        req::LogConfiguration::FIELD.log_driver
                    ),
                    "the awsfirelens driver needs a log router container: add one with `.firelens_router(...)`",
                );
            }
            if needs_execution_role.is_none() {
                if !c.secrets.is_empty() {
                    needs_execution_role = Some((i, C.secrets, "fetches secrets"));
                } else if matches!(c.logging, Some(LogConfig::AwsLogs { .. })) {
                    needs_execution_role = Some((i, C.log_configuration, "writes awslogs"));
                } else if c.image.is_private_ecr() {
                    needs_execution_role = Some((i, C.image, "pulls from private ECR"));
                }
            }
        }
        if let (None, Some((i, field, why))) = (&self.execution_role, needs_execution_role) {
            cx.error(
                Rule::ExecutionRoleRequired,
                format!("{}.{field}", ContainerPath(i)),
                format!("the task {why} but has no execution role; add `.execution_role(&role)` with a role ECS tasks can assume"),
            );
        }
        if let Some(gib) = self.ephemeral_storage {
            if !(21..=200).contains(&gib) {
                cx.error(
                    Rule::FargateUnsupported,
                    format!(
                        "{}.{}",
                        TD.ephemeral_storage,
                        req::EphemeralStorage::FIELD.size_in_gib
                    ),
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
            .map(|r| n.attr(TD.execution_role_arn, r, "arn"));
        let task = self
            .task_role
            .as_ref()
            .map(|r| n.attr(TD.task_role_arn, r, "arn"));
        // Tasks must not start before their roles hold what `stack.grant` gave them.
        for role in self.execution_role.iter().chain(&self.task_role) {
            if cx.get(role).is_some_and(Role::has_grants) {
                n.depend_on_node(format!("{}#{}", role.name(), Role::grants_part()));
            }
        }
        let containers: Vec<req::ContainerDefinition> = self
            .containers
            .iter()
            .enumerate()
            .map(|(i, c)| c.render(&mut n, cx, i))
            .collect();
        let volumes: Vec<req::Volume> = self
            .volumes
            .iter()
            .map(|v| req::Volume {
                name: Some(v.clone()),
            })
            .collect();
        let request = RegisterTaskDefinition {
            family: Some(self.family()),
            task_role_arn: task,
            execution_role_arn: execution,
            network_mode: Some("awsvpc".into()),
            requires_compatibilities: Some(vec!["FARGATE".into()]),
            cpu: Some(self.size.cpu.to_string()),
            memory: Some(self.size.memory.to_string()),
            runtime_platform: Some(req::RuntimePlatform {
                cpu_architecture: Some(
                    match self.architecture {
                        CpuArchitecture::X86_64 => "X86_64",
                        CpuArchitecture::Arm64 => "ARM64",
                    }
                    .to_string(),
                ),
                operating_system_family: Some("LINUX".into()),
            }),
            volumes: (!volumes.is_empty()).then_some(volumes),
            ephemeral_storage: self.ephemeral_storage.map(|g| req::EphemeralStorage {
                size_in_gib: i32::try_from(g).ok(),
            }),
            container_definitions: Some(containers),
        };
        cx.push_request(n, request);
    }
}

impl HasArn for TaskDefinition {}

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

/// `containerDefinitions[I]`, written only when a finding needs it.
#[derive(Clone, Copy)]
struct ContainerPath(usize);

impl std::fmt::Display for ContainerPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}[{}]", TD.container_definitions, self.0)
    }
}
