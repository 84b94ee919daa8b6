//! ECS checks: task definitions and their containers (users, filesystems, logs, images,
//! health checks), services and clusters.

use super::{quoted, LintRule, Lx};
use crate::requests::ecs::{
    ContainerDefinition, ContainerDefinitionFields, CreateCluster, RegisterTaskDefinition,
    ServiceConnectConfiguration, ServiceConnectConfigurationFields, ServiceConnectService,
};
use crate::resources::*;

/// The AWS names of a container definition's fields.
const C: ContainerDefinitionFields = ContainerDefinition::FIELD;
/// The AWS names of a service's Service Connect fields.
const SC: ServiceConnectConfigurationFields = ServiceConnectConfiguration::FIELD;

impl Lx<'_> {
    pub(super) fn task_definition(&mut self, t: &TaskDefinition) {
        if let (Some(task), Some(exec)) = (&t.task_role, &t.execution_role) {
            if task == exec {
                self.emit(
                    LintRule::TaskRoleIsExecutionRole,
                    "",
                    RegisterTaskDefinition::FIELD.task_role_arn,
                    format!(
                        "role `{}` is both the task role and the execution role",
                        task.name()
                    ),
                );
            }
        }
        for (i, c) in t.containers.iter().enumerate() {
            let base = format!(
                "{}[{i}]",
                RegisterTaskDefinition::FIELD.container_definitions
            );
            let who = format!("container `{}`", c.name);
            if c.privileged {
                self.emit(
                    LintRule::ContainerPrivileged,
                    "",
                    format!("{base}.{}", C.privileged),
                    format!("{who} runs privileged"),
                );
            }
            match c.user.as_deref().map(str::trim) {
                None | Some("") => self.emit(
                    LintRule::ContainerUserUnset,
                    "",
                    format!("{base}.{}", C.user),
                    format!("{who} sets no user; it runs as the image's USER (root unless the image says otherwise)"),
                ),
                Some(u) if is_root_user(u) => self.emit(
                    LintRule::ContainerRootUser,
                    "",
                    format!("{base}.{}", C.user),
                    format!("{who} runs as root"),
                ),
                Some(_) => {}
            }
            if c.readonly_root_filesystem != Some(true) {
                self.emit(
                    LintRule::ContainerWritableRootFs,
                    "",
                    format!("{base}.{}", C.readonly_root_filesystem),
                    format!("{who} can write to its root filesystem"),
                );
            }
            self.container_secrets(c, &base, &who);
            match &c.logging {
                None => self.emit(
                    LintRule::ContainerNoLogs,
                    "",
                    format!("{base}.{}", C.log_configuration),
                    format!("{who} has no log configuration; its output is lost"),
                ),
                Some(config) => {
                    self.log_options(config, &format!("{base}.{}", C.log_configuration), &who);
                }
            }
            if let Some(why) = unpinned_image(&c.image) {
                self.emit(
                    LintRule::ImageLatest,
                    "",
                    format!("{base}.{}", C.image),
                    format!("{who}: image `{}` {why}", image_text(&c.image)),
                );
            }
            if c.essential && c.health_check.is_none() {
                self.emit(
                    LintRule::ContainerNoHealthCheck,
                    "",
                    format!("{base}.{}", C.health_check),
                    format!("essential {who} has no health check"),
                );
            }
        }
    }

    pub(super) fn service(&mut self, s: &Service) {
        if s.assign_public_ip {
            let private: Vec<&str> = s
                .subnets
                .iter()
                .filter_map(|r| self.stack.get(r))
                .filter(|x| x.tier != SubnetTier::Public)
                .map(|x| x.meta.name.as_str())
                .collect();
            let message = if private.is_empty() {
                "tasks get public IP addresses and are reachable from the internet as far as their security groups allow".to_string()
            } else {
                format!("tasks get public IP addresses but run in non-public subnet(s) {} without an internet gateway route: the address is useless and signals a mistake", quoted(&private))
            };
            self.emit(
                LintRule::ServicePublicIp,
                "",
                "networkConfiguration.awsvpcConfiguration.assignPublicIp",
                message,
            );
        }
        if s.circuit_breaker == crate::resources::CircuitBreaker::Off {
            self.emit(
                LintRule::ServiceNoCircuitBreaker,
                "",
                "deploymentConfiguration.deploymentCircuitBreaker.enable",
                "no deployment circuit breaker: failed deployments are neither stopped nor rolled back".into(),
            );
        }
        if s.execute_command {
            self.emit(
                LintRule::ServiceExecEnabled,
                "",
                crate::requests::ecs::CreateService::FIELD.enable_execute_command,
                "ECS Exec is enabled: `ecs:ExecuteCommand` gives a shell in the service's containers".into(),
            );
        }
        if let Some(sc) = &s.service_connect {
            for (i, svc) in sc.services.iter().enumerate() {
                if svc.tls.is_none() {
                    self.emit(
                        LintRule::ServiceConnectNoTls,
                        "",
                        format!(
                            "{}.{}[{i}].{}",
                            crate::requests::ecs::CreateService::FIELD
                                .service_connect_configuration,
                            SC.services,
                            ServiceConnectService::FIELD.tls
                        ),
                        format!(
                            "Service Connect port `{}` is served without TLS",
                            svc.port_name
                        ),
                    );
                }
            }
            if let Some(logs) = &sc.logs {
                let path = format!(
                    "{}.{}",
                    crate::requests::ecs::CreateService::FIELD.service_connect_configuration,
                    SC.log_configuration
                );
                self.log_options(logs, &path, "the Service Connect proxy");
            }
        }
    }

    /// A cluster with Container Insights disabled.
    pub(super) fn cluster_insights_disabled(&mut self) {
        self.emit(
            LintRule::ClusterInsightsDisabled,
            "",
            format!("{}[0].value", CreateCluster::FIELD.settings),
            "Container Insights is disabled; task and service metrics are not collected".into(),
        );
    }
}

pub(super) fn is_root_user(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or_default().trim();
    name == "root" || name == "0"
}

/// Why the image is not pinned, `None` when it has a version tag or a digest.
pub(super) fn unpinned_image(image: &Image) -> Option<&'static str> {
    let tag = match image {
        Image::Ecr { tag, .. } | Image::Repository { tag, .. } => tag.trim().to_string(),
        Image::Uri(uri) => {
            if uri.contains('@') {
                return None;
            }
            let last = uri.rsplit('/').next().unwrap_or(uri);
            last.split_once(':')
                .map(|(_, tag)| tag.trim().to_string())
                .unwrap_or_default()
        }
    };
    if tag.is_empty() {
        Some("has no tag, so it means `latest`")
    } else if tag.eq_ignore_ascii_case("latest") {
        Some("uses the mutable `latest` tag")
    } else {
        None
    }
}

fn image_text(image: &Image) -> String {
    match image {
        Image::Uri(u) => u.clone(),
        Image::Ecr { repository, tag } => format!("{repository}:{tag} (ECR)"),
        Image::Repository { repository, tag } => format!("{}:{tag} (ECR)", repository.name()),
    }
}
