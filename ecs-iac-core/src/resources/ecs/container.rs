//! Containers of a task definition: ports, health checks, dependencies, mounts,
//! environment and secrets.

use super::*;
use crate::lower::{Cx, NodeBuilder};
use crate::requests::ecs::{self as req, ContainerDefinitionFields, RegisterTaskDefinition};
use crate::resources::secrets::SecretSource;
use crate::value::Text;
use std::collections::BTreeMap;

/// The AWS names of a container definition's fields.
const C: ContainerDefinitionFields = req::ContainerDefinition::FIELD;

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
pub(super) struct SecretEnv {
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
    pub(super) secrets: Vec<SecretEnv>,
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

    pub(super) fn render(
        &self,
        n: &mut NodeBuilder<'_>,
        cx: &Cx<'_>,
        i: usize,
    ) -> req::ContainerDefinition {
        let path = format!(
            "{}[{i}]",
            RegisterTaskDefinition::FIELD.container_definitions
        );
        let ports: Vec<req::PortMapping> = self
            .ports
            .iter()
            .map(|p| req::PortMapping {
                container_port: Some(i32::from(p.container_port)),
                host_port: Some(i32::from(p.container_port)),
                protocol: Some(
                    match p.protocol {
                        PortProtocol::Tcp => "tcp",
                        PortProtocol::Udp => "udp",
                    }
                    .to_string(),
                ),
                name: p.name.clone(),
                app_protocol: p.app_protocol.map(|a| {
                    match a {
                        AppProtocol::Http => "http",
                        AppProtocol::Http2 => "http2",
                        AppProtocol::Grpc => "grpc",
                    }
                    .to_string()
                }),
            })
            .collect();
        let environment: Vec<req::KeyValuePair> = self
            .environment
            .iter()
            .enumerate()
            .map(|(j, (k, v))| {
                let at = || {
                    format!(
                        "{path}.{}[{j}].{}",
                        C.environment,
                        req::KeyValuePair::FIELD.value
                    )
                };
                req::KeyValuePair {
                    name: Some(k.clone()),
                    value: Some(n.text(at, v)),
                }
            })
            .collect();
        let secrets: Vec<req::Secret> = self
            .secrets
            .iter()
            .enumerate()
            .map(|(j, s)| {
                let at = || {
                    format!(
                        "{path}.{}[{j}].{}",
                        C.secrets,
                        req::Secret::FIELD.value_from
                    )
                };
                let arn = s.source.render(n, cx, at);
                let value_from = match &s.json_key {
                    Some(key) => format!("{arn}:{key}::"),
                    None => arn,
                };
                req::Secret {
                    name: Some(s.name.clone()),
                    value_from: Some(value_from),
                }
            })
            .collect();
        let image = self
            .image
            .render(n, &format!("{path}.{}", C.image), &cx.region());
        let count = |v: u32| i32::try_from(v).ok();
        let non_empty = |v: Vec<String>| (!v.is_empty()).then_some(v);
        let health_check = self.health_check.as_ref().map(|h| req::HealthCheck {
            command: Some(h.command.clone()),
            interval: count(h.interval),
            timeout: count(h.timeout),
            retries: count(h.retries),
            start_period: count(h.start_period),
        });
        let log_configuration = self
            .logging
            .as_ref()
            .map(|l| l.render(n, cx, &format!("{path}.{}", C.log_configuration)));
        let depends_on: Vec<req::ContainerDependency> = self
            .depends_on
            .iter()
            .map(|(c, cond)| req::ContainerDependency {
                container_name: Some(c.clone()),
                condition: Some(cond.as_str().to_string()),
            })
            .collect();
        let mount_points: Vec<req::MountPoint> = self
            .mount_points
            .iter()
            .map(|mp| req::MountPoint {
                source_volume: Some(mp.volume.clone()),
                container_path: Some(mp.container_path.clone()),
                read_only: Some(mp.read_only),
            })
            .collect();
        let firelens_configuration =
            self.firelens
                .as_ref()
                .map(|(kind, options)| req::FirelensConfiguration {
                    r#type: Some(
                        match kind {
                            FirelensType::FluentBit => "fluentbit",
                            FirelensType::Fluentd => "fluentd",
                        }
                        .to_string(),
                    ),
                    options: (!options.is_empty()).then(|| options.clone()),
                });
        let command: Vec<String> = (self.command.iter().enumerate())
            .map(|(k, a)| n.text(|| format!("{path}.{}[{k}]", C.command), a))
            .collect();
        let entry_point: Vec<String> = (self.entry_point.iter().enumerate())
            .map(|(k, a)| n.text(|| format!("{path}.{}[{k}]", C.entry_point), a))
            .collect();
        req::ContainerDefinition {
            name: Some(self.name.clone()),
            image: Some(image),
            essential: Some(self.essential),
            cpu: self.cpu.and_then(count),
            memory: self.memory.and_then(count),
            memory_reservation: self.memory_reservation.and_then(count),
            port_mappings: (!ports.is_empty()).then_some(ports),
            environment: (!environment.is_empty()).then_some(environment),
            secrets: (!secrets.is_empty()).then_some(secrets),
            health_check,
            log_configuration,
            depends_on: (!depends_on.is_empty()).then_some(depends_on),
            mount_points: (!mount_points.is_empty()).then_some(mount_points),
            firelens_configuration,
            command: non_empty(command),
            entry_point: non_empty(entry_point),
            user: self.user.clone(),
            readonly_root_filesystem: self.readonly_root_filesystem,
            privileged: self.privileged.then_some(true),
            working_directory: self.working_directory.clone(),
            linux_parameters: self.init_process.then_some(req::LinuxParameters {
                init_process_enabled: Some(true),
            }),
            stop_timeout: self.stop_timeout.and_then(count),
        }
    }
}
