//! ECS: clusters, task definitions (every container field the core renders) and services.
//!
//! Why this room is long (about 1,300 lines): most of it decodes every container-definition
//! field the core renders into the SDK's builders and back for observe, which belongs
//! beside the cluster, task definition and service calls that send and read them.

use super::{not_supported, observed, owned, response, Existing, Outcome, Poll, Target};
use crate::body::Req;
use crate::clients::Aws;
use crate::error::ProviderError;
use aws_sdk_ecs::types::{
    ApplicationProtocol, AssignPublicIp, AwsVpcConfiguration, CapacityProviderStrategyItem,
    ClusterServiceConnectDefaultsRequest, ClusterSetting, ClusterSettingName, Compatibility,
    ContainerCondition, ContainerDefinition, ContainerDependency, CpuArchitecture,
    DeploymentCircuitBreaker, DeploymentConfiguration, EphemeralStorage, FirelensConfiguration,
    FirelensConfigurationType, HealthCheck, KeyValuePair, LaunchType, LinuxParameters,
    LoadBalancer, LogConfiguration, LogDriver, MountPoint, NetworkConfiguration, NetworkMode,
    OsFamily, PortMapping, PropagateTags, RuntimePlatform, Secret, ServiceConnectClientAlias,
    ServiceConnectConfiguration, ServiceConnectService, ServiceConnectTlsCertificateAuthority,
    ServiceConnectTlsConfiguration, ServiceField, Tag, TaskDefinitionField, TaskDefinitionStatus,
    TransportProtocol, Volume,
};
use ecs_iac_core::kind::EcsKind;
use ecs_iac_core::requests::ecs as req;
use std::collections::{BTreeMap, HashMap};

/// The AWS names of a service's request fields.
const F: req::CreateServiceFields = req::CreateService::FIELD;
/// The AWS names of a service's Service Connect fields.
const SC: req::ServiceConnectConfigurationFields = req::ServiceConnectConfiguration::FIELD;
/// The AWS names of a cluster's request fields.
const CL: req::CreateClusterFields = req::CreateCluster::FIELD;
/// The AWS names of a task definition's request fields.
const TD: req::RegisterTaskDefinitionFields = req::RegisterTaskDefinition::FIELD;
/// The AWS names of a container definition's fields.
const C: req::ContainerDefinitionFields = req::ContainerDefinition::FIELD;

sdk_err!(err, aws_sdk_ecs, "ecs");

/// Maps a builder error (a required member missing) to a request error.
fn built<T>(
    a: &str,
    what: &str,
    r: Result<T, aws_sdk_ecs::error::BuildError>,
) -> Result<T, ProviderError> {
    r.map_err(|e| ProviderError::Request {
        address: a.into(),
        field: what.into(),
        problem: e.to_string(),
    })
}

fn tags(r: &Req<'_>) -> Vec<Tag> {
    r.tags("tags")
        .into_iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

/// A list, or `None` when it is absent or empty (the SDK leaves out `None`).
fn non_empty<T>(items: Vec<T>) -> Option<Vec<T>> {
    (!items.is_empty()).then_some(items)
}

/// The options of a log driver or log router as the SDK takes them.
fn options(map: Option<BTreeMap<String, String>>) -> Option<HashMap<String, String>> {
    map.map(|m| m.into_iter().collect())
}

/// A log configuration at request path `path`.
fn log_configuration(
    r: &Req<'_>,
    path: &str,
    config: Option<req::LogConfiguration>,
) -> Result<Option<LogConfiguration>, ProviderError> {
    let Some(config) = config else {
        return Ok(None);
    };
    let driver = r.required(
        config.log_driver,
        &format!("{path}.{}", req::LogConfiguration::FIELD.log_driver),
    )?;
    let built_config = LogConfiguration::builder()
        .log_driver(LogDriver::from(driver.as_str()))
        .set_options(options(config.options))
        .build();
    built(r.address, path, built_config).map(Some)
}

/// The container definition at index `i` of a task definition request.
fn container(
    r: &Req<'_>,
    i: usize,
    c: req::ContainerDefinition,
) -> Result<ContainerDefinition, ProviderError> {
    let a = r.address;
    let path = format!("{}[{i}]", TD.container_definitions);
    let ports: Vec<PortMapping> = c
        .port_mappings
        .unwrap_or_default()
        .into_iter()
        .map(|p| {
            PortMapping::builder()
                .set_container_port(p.container_port)
                .set_host_port(p.host_port)
                .set_protocol(p.protocol.map(|x| TransportProtocol::from(x.as_str())))
                .set_name(p.name)
                .set_app_protocol(
                    p.app_protocol
                        .map(|x| ApplicationProtocol::from(x.as_str())),
                )
                .build()
        })
        .collect();
    let env: Vec<KeyValuePair> = c
        .environment
        .unwrap_or_default()
        .into_iter()
        .map(|e| {
            KeyValuePair::builder()
                .set_name(e.name)
                .set_value(e.value)
                .build()
        })
        .collect();
    let secrets = c
        .secrets
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(j, s)| {
            let item = format!("{path}.{}[{j}]", C.secrets);
            let at = |field: &str| format!("{item}.{field}");
            let field = req::Secret::FIELD;
            built(
                a,
                &item,
                Secret::builder()
                    .name(r.required(s.name, &at(field.name))?)
                    .value_from(r.required(s.value_from, &at(field.value_from))?)
                    .build(),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let health = match c.health_check {
        Some(h) => Some(built(
            a,
            &format!("{path}.{}", C.health_check),
            HealthCheck::builder()
                .set_command(Some(h.command.unwrap_or_default()))
                .set_interval(h.interval)
                .set_timeout(h.timeout)
                .set_retries(h.retries)
                .set_start_period(h.start_period)
                .build(),
        )?),
        None => None,
    };
    let depends = c
        .depends_on
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(j, d)| {
            let item = format!("{path}.{}[{j}]", C.depends_on);
            let at = |field: &str| format!("{item}.{field}");
            let field = req::ContainerDependency::FIELD;
            let condition = r.required(d.condition, &at(field.condition))?;
            built(
                a,
                &item,
                ContainerDependency::builder()
                    .container_name(r.required(d.container_name, &at(field.container_name))?)
                    .condition(ContainerCondition::from(condition.as_str()))
                    .build(),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mounts: Vec<MountPoint> = c
        .mount_points
        .unwrap_or_default()
        .into_iter()
        .map(|m| {
            MountPoint::builder()
                .set_source_volume(m.source_volume)
                .set_container_path(m.container_path)
                .set_read_only(m.read_only)
                .build()
        })
        .collect();
    let firelens = match c.firelens_configuration {
        Some(f) => {
            let at = format!("{path}.{}", C.firelens_configuration);
            let kind = r.required(
                f.r#type,
                &format!("{at}.{}", req::FirelensConfiguration::FIELD.r#type),
            )?;
            Some(built(
                a,
                &at,
                FirelensConfiguration::builder()
                    .r#type(FirelensConfigurationType::from(kind.as_str()))
                    .set_options(options(f.options))
                    .build(),
            )?)
        }
        None => None,
    };
    let linux = c.linux_parameters.map(|l| {
        LinuxParameters::builder()
            .set_init_process_enabled(l.init_process_enabled)
            .build()
    });
    let logs = log_configuration(
        r,
        &format!("{path}.{}", C.log_configuration),
        c.log_configuration,
    )?;
    Ok(ContainerDefinition::builder()
        .set_name(c.name)
        .set_image(c.image)
        .set_essential(c.essential)
        .set_cpu(c.cpu)
        .set_memory(c.memory)
        .set_memory_reservation(c.memory_reservation)
        .set_port_mappings(non_empty(ports))
        .set_environment(non_empty(env))
        .set_secrets(non_empty(secrets))
        .set_health_check(health)
        .set_log_configuration(logs)
        .set_depends_on(non_empty(depends))
        .set_mount_points(non_empty(mounts))
        .set_firelens_configuration(firelens)
        .set_command(c.command.and_then(non_empty))
        .set_entry_point(c.entry_point.and_then(non_empty))
        .set_user(c.user)
        .set_readonly_root_filesystem(c.readonly_root_filesystem)
        .set_privileged(c.privileged)
        .set_working_directory(c.working_directory)
        .set_linux_parameters(linux)
        .set_stop_timeout(c.stop_timeout)
        .build())
}

/// The Service Connect configuration of a service request.
fn service_connect(
    r: &Req<'_>,
    config: Option<req::ServiceConnectConfiguration>,
) -> Result<Option<ServiceConnectConfiguration>, ProviderError> {
    let Some(config) = config else {
        return Ok(None);
    };
    let (a, path) = (r.address, F.service_connect_configuration);
    let services = config
        .services
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let at = format!("{path}.{}[{i}]", SC.services);
            let aliases = s
                .client_aliases
                .unwrap_or_default()
                .into_iter()
                .enumerate()
                .map(|(j, x)| {
                    let alias = format!(
                        "{at}.{}[{j}]",
                        req::ServiceConnectService::FIELD.client_aliases
                    );
                    let port = r.required(
                        x.port,
                        &format!("{alias}.{}", req::ServiceConnectClientAlias::FIELD.port),
                    )?;
                    built(
                        a,
                        &alias,
                        ServiceConnectClientAlias::builder()
                            .port(port)
                            .set_dns_name(x.dns_name)
                            .build(),
                    )
                })
                .collect::<Result<Vec<_>, _>>()?;
            let tls = s.tls.map(|t| {
                let ca = t
                    .issuer_certificate_authority
                    .and_then(|c| c.aws_pca_authority_arn);
                ServiceConnectTlsConfiguration::builder()
                    .issuer_certificate_authority(
                        ServiceConnectTlsCertificateAuthority::builder()
                            .set_aws_pca_authority_arn(ca)
                            .build(),
                    )
                    .set_kms_key(t.kms_key)
                    .set_role_arn(t.role_arn)
                    .build()
            });
            let port_name = r.required(
                s.port_name,
                &format!("{at}.{}", req::ServiceConnectService::FIELD.port_name),
            )?;
            built(
                a,
                &at,
                ServiceConnectService::builder()
                    .port_name(port_name)
                    .set_discovery_name(s.discovery_name)
                    .set_client_aliases(non_empty(aliases))
                    .set_tls(tls)
                    .build(),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let logs = log_configuration(
        r,
        &format!("{path}.{}", SC.log_configuration),
        config.log_configuration,
    )?;
    Ok(Some(
        ServiceConnectConfiguration::builder()
            .enabled(config.enabled.unwrap_or(true))
            .set_namespace(config.namespace)
            .set_services(non_empty(services))
            .set_log_configuration(logs)
            .build(),
    ))
}

/// A client token from stack and address (ECS allows 36 characters).
fn client_token(t: &Target<'_>) -> String {
    format!(
        "ecs-iac-{}",
        super::stable_hash(format!("{}\0{}", t.stack, t.address).as_bytes())
    )
}

pub(super) async fn create(
    aws: &Aws,
    k: EcsKind,
    t: &Target<'_>,
) -> Result<Outcome, ProviderError> {
    let (a, r) = (t.address, &t.req);
    match k {
        EcsKind::ExistingCluster => super::lookups::ecs_cluster(aws, t).await,
        EcsKind::Cluster => {
            let q: req::CreateCluster = r.decode()?;
            // CreateCluster returns the existing cluster for an existing name.
            let out = aws
                .c
                .ecs
                .create_cluster()
                .cluster_name(r.required(q.cluster_name, CL.cluster_name)?)
                .set_settings(Some(cluster_settings(q.settings)))
                .set_capacity_providers(q.capacity_providers.and_then(non_empty))
                .set_default_capacity_provider_strategy(capacity_strategy(
                    a,
                    CL.default_capacity_provider_strategy,
                    q.default_capacity_provider_strategy,
                )?)
                .set_service_connect_defaults(cluster_service_connect(
                    r,
                    q.service_connect_defaults,
                )?)
                .set_tags(Some(tags(r)))
                .send()
                .await
                .map_err(err(a, "CreateCluster"))?;
            let cluster = out
                .cluster()
                .ok_or_else(|| response(a, "ecs:CreateCluster", "cluster"))?;
            let arn = cluster.cluster_arn().unwrap_or_default();
            let name = cluster.cluster_name().unwrap_or_default();
            Ok(Outcome::new(name).with("arn", arn).with("name", name))
        }
        EcsKind::TaskDefinition => {
            let q: req::RegisterTaskDefinition = r.decode()?;
            let containers = q
                .container_definitions
                .unwrap_or_default()
                .into_iter()
                .enumerate()
                .map(|(i, c)| container(r, i, c))
                .collect::<Result<Vec<_>, _>>()?;
            let volumes: Vec<Volume> = q
                .volumes
                .unwrap_or_default()
                .into_iter()
                .map(|v| Volume::builder().set_name(v.name).build())
                .collect();
            let platform = q.runtime_platform.map(|p| {
                RuntimePlatform::builder()
                    .set_cpu_architecture(
                        p.cpu_architecture
                            .map(|x| CpuArchitecture::from(x.as_str())),
                    )
                    .set_operating_system_family(
                        p.operating_system_family
                            .map(|x| OsFamily::from(x.as_str())),
                    )
                    .build()
            });
            let storage = match q.ephemeral_storage {
                Some(s) => {
                    let size = format!(
                        "{}.{}",
                        TD.ephemeral_storage,
                        req::EphemeralStorage::FIELD.size_in_gib
                    );
                    let size = r.required(s.size_in_gib, &size)?;
                    Some(EphemeralStorage::builder().size_in_gib(size).build())
                }
                None => None,
            };
            let compat: Vec<Compatibility> = q
                .requires_compatibilities
                .unwrap_or_default()
                .iter()
                .map(|c| Compatibility::from(c.as_str()))
                .collect();
            // Not retried by the SDK: a lost response is found by its request hash
            // instead of registering a second revision.
            let mut tags = tags(r);
            tags.push(
                Tag::builder()
                    .key(REQUEST_HASH_TAG)
                    .value(request_hash(r.body))
                    .build(),
            );
            let out = aws
                .once
                .ecs
                .register_task_definition()
                .family(r.required(q.family, TD.family)?)
                .set_task_role_arn(q.task_role_arn)
                .set_execution_role_arn(q.execution_role_arn)
                .set_network_mode(q.network_mode.map(|m| NetworkMode::from(m.as_str())))
                .set_requires_compatibilities(Some(compat))
                .set_cpu(q.cpu)
                .set_memory(q.memory)
                .set_runtime_platform(platform)
                .set_container_definitions(Some(containers))
                .set_volumes(non_empty(volumes))
                .set_ephemeral_storage(storage)
                .set_tags(Some(tags))
                .send()
                .await
                .map_err(err(a, "RegisterTaskDefinition"))?;
            let arn = out
                .task_definition()
                .and_then(|d| d.task_definition_arn())
                .ok_or_else(|| {
                    response(
                        a,
                        "ecs:RegisterTaskDefinition",
                        "taskDefinition.taskDefinitionArn",
                    )
                })?;
            Ok(task_definition_outcome(arn))
        }
        EcsKind::Service => {
            let q: req::CreateService = r.decode()?;
            let name = r.required(q.service_name, F.service_name)?;
            let res = aws
                .once
                .ecs
                .create_service()
                .set_cluster(q.cluster)
                .service_name(name)
                .set_task_definition(q.task_definition)
                .set_desired_count(q.desired_count)
                .set_launch_type(q.launch_type.map(|l| LaunchType::from(l.as_str())))
                .set_capacity_provider_strategy(capacity_strategy(
                    a,
                    F.capacity_provider_strategy,
                    q.capacity_provider_strategy,
                )?)
                .set_platform_version(q.platform_version)
                .set_network_configuration(service_network(a, q.network_configuration)?)
                .set_load_balancers(service_load_balancers(q.load_balancers))
                .set_health_check_grace_period_seconds(q.health_check_grace_period_seconds)
                .set_deployment_configuration(service_deployment(q.deployment_configuration))
                .set_enable_execute_command(q.enable_execute_command)
                .set_enable_ecs_managed_tags(q.enable_ecs_managed_tags)
                .set_propagate_tags(q.propagate_tags.map(|p| PropagateTags::from(p.as_str())))
                .set_service_connect_configuration(service_connect(
                    r,
                    q.service_connect_configuration,
                )?)
                .set_tags(Some(tags(r)))
                .client_token(client_token(t))
                .send()
                .await
                .map_err(err(a, "CreateService"));
            match res {
                Ok(out) => {
                    let arn = out
                        .service()
                        .and_then(|s| s.service_arn())
                        .ok_or_else(|| response(a, "ecs:CreateService", "service.serviceArn"))?;
                    Ok(service_outcome(arn))
                }
                Err(e)
                    if e.is(&["InvalidParameterException"])
                        && e.to_string().contains("idempotent") =>
                {
                    find(aws, k, t).await?.ok_or(e)
                }
                Err(e) => Err(e),
            }
        }
    }
}

/// The awsvpc network configuration of a service request.
fn service_network(
    address: &str,
    network: Option<req::NetworkConfiguration>,
) -> Result<Option<NetworkConfiguration>, ProviderError> {
    let Some(v) = network.and_then(|n| n.awsvpc_configuration) else {
        return Ok(None);
    };
    let vpc = built(
        address,
        F.network_configuration,
        AwsVpcConfiguration::builder()
            .set_subnets(v.subnets)
            .set_security_groups(v.security_groups.filter(|g| !g.is_empty()))
            .set_assign_public_ip(v.assign_public_ip.map(|x| AssignPublicIp::from(x.as_str())))
            .build(),
    )?;
    Ok(Some(
        NetworkConfiguration::builder()
            .awsvpc_configuration(vpc)
            .build(),
    ))
}

/// The load balancer attachments of a service request (`None` when there are none).
fn service_load_balancers(lbs: Option<Vec<req::LoadBalancer>>) -> Option<Vec<LoadBalancer>> {
    let lbs: Vec<LoadBalancer> = lbs
        .unwrap_or_default()
        .into_iter()
        .map(|l| {
            LoadBalancer::builder()
                .set_target_group_arn(l.target_group_arn)
                .set_container_name(l.container_name)
                .set_container_port(l.container_port)
                .build()
        })
        .collect();
    (!lbs.is_empty()).then_some(lbs)
}

/// The deployment configuration (circuit breaker, percentages) of a service request.
fn service_deployment(
    deployment: Option<req::DeploymentConfiguration>,
) -> Option<DeploymentConfiguration> {
    deployment.map(|d| {
        let breaker = d.deployment_circuit_breaker.map(|b| {
            DeploymentCircuitBreaker::builder()
                .enable(b.enable.unwrap_or(false))
                .rollback(b.rollback.unwrap_or(false))
                .build()
        });
        DeploymentConfiguration::builder()
            .set_deployment_circuit_breaker(breaker)
            .set_maximum_percent(d.maximum_percent)
            .set_minimum_healthy_percent(d.minimum_healthy_percent)
            .build()
    })
}

/// A capacity provider strategy, from the request field `field` (`None` when empty).
fn capacity_strategy(
    address: &str,
    field: &str,
    items: Option<Vec<req::CapacityProviderStrategyItem>>,
) -> Result<Option<Vec<CapacityProviderStrategyItem>>, ProviderError> {
    let items = items.unwrap_or_default();
    if items.is_empty() {
        return Ok(None);
    }
    items
        .into_iter()
        .map(|i| {
            built(
                address,
                field,
                CapacityProviderStrategyItem::builder()
                    .set_capacity_provider(i.capacity_provider)
                    .set_weight(i.weight)
                    .set_base(i.base)
                    .build(),
            )
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// Changes a service in place to match its request: task definition revision, desired
/// count, network and deployment configuration, grace period, ECS Exec, Service Connect.
/// UpdateService sets state, so sending it twice is harmless.
pub(super) async fn update(
    aws: &Aws,
    k: EcsKind,
    t: &Target<'_>,
    e: &Existing<'_>,
) -> Result<Outcome, ProviderError> {
    let (a, r) = (t.address, &t.req);
    match k {
        EcsKind::Service => {
            let q: req::CreateService = r.decode()?;
            aws.c
                .ecs
                .update_service()
                .set_cluster(q.cluster)
                .service(e.id)
                .set_task_definition(q.task_definition)
                .set_desired_count(q.desired_count)
                .set_capacity_provider_strategy(capacity_strategy(
                    a,
                    F.capacity_provider_strategy,
                    q.capacity_provider_strategy,
                )?)
                .set_platform_version(q.platform_version)
                .set_network_configuration(service_network(a, q.network_configuration)?)
                .set_health_check_grace_period_seconds(q.health_check_grace_period_seconds)
                .set_deployment_configuration(service_deployment(q.deployment_configuration))
                .set_enable_execute_command(q.enable_execute_command)
                .set_enable_ecs_managed_tags(q.enable_ecs_managed_tags)
                .set_propagate_tags(q.propagate_tags.map(|p| PropagateTags::from(p.as_str())))
                .set_service_connect_configuration(service_connect(
                    r,
                    q.service_connect_configuration,
                )?)
                .send()
                .await
                .map_err(err(a, "UpdateService"))?;
            Ok(e.unchanged())
        }
        EcsKind::Cluster => {
            let q: req::CreateCluster = r.decode()?;
            let changed = |field: &str| t.changed.iter().any(|c| c == field);
            if changed(CL.settings) || changed(CL.service_connect_defaults) {
                aws.c
                    .ecs
                    .update_cluster()
                    .cluster(e.id)
                    .set_settings(Some(cluster_settings(q.settings)))
                    .set_service_connect_defaults(cluster_service_connect(
                        r,
                        q.service_connect_defaults,
                    )?)
                    .send()
                    .await
                    .map_err(err(a, "UpdateCluster"))?;
            }
            if changed(CL.capacity_providers) || changed(CL.default_capacity_provider_strategy) {
                let strategy = capacity_strategy(
                    a,
                    CL.default_capacity_provider_strategy,
                    q.default_capacity_provider_strategy,
                )?;
                aws.c
                    .ecs
                    .put_cluster_capacity_providers()
                    .cluster(e.id)
                    .set_capacity_providers(Some(q.capacity_providers.unwrap_or_default()))
                    .set_default_capacity_provider_strategy(Some(strategy.unwrap_or_default()))
                    .send()
                    .await
                    .map_err(err(a, "PutClusterCapacityProviders"))?;
            }
            Ok(e.unchanged())
        }
        EcsKind::TaskDefinition | EcsKind::ExistingCluster => {
            Err(not_supported(a, t.kind, "modify"))
        }
    }
}

/// The cluster settings of a `CreateCluster` request.
fn cluster_settings(settings: Option<Vec<req::ClusterSetting>>) -> Vec<ClusterSetting> {
    settings
        .unwrap_or_default()
        .into_iter()
        .map(|s| {
            ClusterSetting::builder()
                .set_name(s.name.map(|n| ClusterSettingName::from(n.as_str())))
                .set_value(s.value)
                .build()
        })
        .collect()
}

/// The default Service Connect namespace of a cluster request.
fn cluster_service_connect(
    r: &Req<'_>,
    defaults: Option<req::ClusterServiceConnectDefaults>,
) -> Result<Option<ClusterServiceConnectDefaultsRequest>, ProviderError> {
    let Some(d) = defaults else {
        return Ok(None);
    };
    let field = CL.service_connect_defaults;
    let namespace = format!(
        "{field}.{}",
        req::ClusterServiceConnectDefaults::FIELD.namespace
    );
    let namespace = r.required(d.namespace, &namespace)?;
    built(
        r.address,
        field,
        ClusterServiceConnectDefaultsRequest::builder()
            .namespace(namespace)
            .build(),
    )
    .map(Some)
}

/// What AWS has now for a service (its task definition revision and desired count) or
/// a cluster; `None` when it is gone.
pub(super) async fn observe(
    aws: &Aws,
    k: EcsKind,
    e: &Existing<'_>,
    applied: &serde_json::Value,
) -> Result<Option<serde_json::Value>, ProviderError> {
    let (c, a) = (&aws.c.ecs, e.address);
    match k {
        // Looked up before every apply, never refreshed.
        EcsKind::ExistingCluster => Err(not_supported(a, e.kind, "refresh")),
        // Read as a batch of one.
        EcsKind::Service | EcsKind::Cluster => Ok(observe_batch(aws, k, &[(*e, applied)])
            .await?
            .pop()
            .flatten()),
        // A revision deregistered outside ecs-iac is registered again (and the service
        // moved to it).
        EcsKind::TaskDefinition => {
            let out = c
                .describe_task_definition()
                .task_definition(e.id)
                .send()
                .await
                .map_err(err(a, "DescribeTaskDefinition"));
            match out {
                Ok(out) => out
                    .task_definition()
                    .filter(|d| d.status() == Some(&TaskDefinitionStatus::Active))
                    .map(|_| observed(a, &req::RegisterTaskDefinition::default()))
                    .transpose(),
                Err(x) if x.is(&["ClientException"]) => Ok(None),
                Err(x) => Err(x),
            }
        }
    }
}

/// The most services one DescribeServices call reads (all of one cluster), and the most
/// clusters one DescribeClusters call reads.
const SERVICES_PER_CALL: usize = 10;
const CLUSTERS_PER_CALL: usize = 100;

/// How refresh reads `k` in batches: the most resources one call takes, and the key
/// shared by the resources one call can read together (a service's cluster). `None` for
/// kinds read one by one.
pub(super) fn batch(k: EcsKind, applied: &serde_json::Value) -> Option<(usize, String)> {
    match k {
        EcsKind::Service => Some((
            SERVICES_PER_CALL,
            applied[F.cluster].as_str().unwrap_or_default().to_string(),
        )),
        EcsKind::Cluster => Some((CLUSTERS_PER_CALL, String::new())),
        EcsKind::ExistingCluster | EcsKind::TaskDefinition => None,
    }
}

/// [`observe`] for several recorded resources of kind `k` in one call (as many as
/// [`batch`] allows, sharing its key): what AWS has now for each, in order.
pub(super) async fn observe_batch(
    aws: &Aws,
    k: EcsKind,
    members: &[(Existing<'_>, &serde_json::Value)],
) -> Result<Vec<Option<serde_json::Value>>, ProviderError> {
    let c = &aws.c.ecs;
    let Some((first, applied)) = members.first() else {
        return Ok(Vec::new());
    };
    let a = first.address;
    let ids = members.iter().map(|(e, _)| e.id.to_string()).collect();
    match k {
        EcsKind::Service => {
            let out = c
                .describe_services()
                .set_cluster(applied[F.cluster].as_str().map(str::to_string))
                .set_services(Some(ids))
                .send()
                .await
                .map_err(err(a, "DescribeServices"))?;
            members
                .iter()
                .map(|(e, _)| {
                    active_service(out.services(), e.id)
                        .map(|s| service_seen(e.address, s))
                        .transpose()
                })
                .collect()
        }
        EcsKind::Cluster => {
            let out = c
                .describe_clusters()
                .set_clusters(Some(ids))
                .include(aws_sdk_ecs::types::ClusterField::Settings)
                .send()
                .await
                .map_err(err(a, "DescribeClusters"))?;
            members
                .iter()
                .map(|(e, _)| {
                    active_cluster(out.clusters(), e.id)
                        .map(|x| cluster_seen(e.address, x))
                        .transpose()
                })
                .collect()
        }
        EcsKind::ExistingCluster | EcsKind::TaskDefinition => {
            Err(not_supported(a, first.kind, "batched refresh"))
        }
    }
}

/// The active service recorded as `id` (its ARN) among `services`: matched by name,
/// which is unique in its cluster and the same in both ARN formats.
fn active_service<'s>(
    services: &'s [aws_sdk_ecs::types::Service],
    id: &str,
) -> Option<&'s aws_sdk_ecs::types::Service> {
    let name = id.rsplit('/').next().unwrap_or(id);
    services
        .iter()
        .find(|s| s.status() == Some("ACTIVE") && s.service_name() == Some(name))
}

/// A service as refresh compares it: its task definition revision and desired count.
fn service_seen(
    a: &str,
    s: &aws_sdk_ecs::types::Service,
) -> Result<serde_json::Value, ProviderError> {
    let now = req::CreateService {
        service_name: s.service_name().map(str::to_string),
        task_definition: s.task_definition().map(str::to_string),
        desired_count: Some(s.desired_count()),
        ..req::CreateService::default()
    };
    observed(a, &now)
}

/// The active cluster recorded as `id` (its name) among `clusters`.
fn active_cluster<'c>(
    clusters: &'c [aws_sdk_ecs::types::Cluster],
    id: &str,
) -> Option<&'c aws_sdk_ecs::types::Cluster> {
    clusters.iter().find(|x| {
        x.status() == Some("ACTIVE")
            && (x.cluster_name() == Some(id) || x.cluster_arn() == Some(id))
    })
}

/// A cluster as refresh compares it: its settings.
fn cluster_seen(
    a: &str,
    x: &aws_sdk_ecs::types::Cluster,
) -> Result<serde_json::Value, ProviderError> {
    let settings: Vec<req::ClusterSetting> = x
        .settings()
        .iter()
        .map(|s| req::ClusterSetting {
            name: s.name().map(|n| n.as_str().to_string()),
            value: s.value().map(str::to_string),
        })
        .collect();
    // A cluster that reports no settings (some emulators) is not drift.
    let now = req::CreateCluster {
        settings: non_empty(settings),
        ..req::CreateCluster::default()
    };
    observed(a, &now)
}

/// The tag on every task definition revision holding [`request_hash`] of the request
/// that registered it. Revisions are append-only, so this is how a registration whose
/// response was lost is recognised and adopted instead of registered again.
pub const REQUEST_HASH_TAG: &str = "ecs-iac:request-hash";

/// A stable 64-bit FNV-1a hash of a request body (keys in sorted order), in hex. Task
/// definition requests hold secrets only as references, never values.
pub(crate) fn request_hash(body: &serde_json::Value) -> String {
    super::stable_hash(body.to_string().as_bytes())
}

/// The latest active revision of the family, when this stack registered it with exactly
/// this request.
async fn find_task_definition(aws: &Aws, t: &Target<'_>) -> Result<Option<Outcome>, ProviderError> {
    let (a, r) = (t.address, &t.req);
    let q: req::RegisterTaskDefinition = r.decode()?;
    let out = aws
        .c
        .ecs
        .describe_task_definition()
        .task_definition(r.required(q.family, TD.family)?)
        .include(TaskDefinitionField::Tags)
        .send()
        .await;
    let out = match out.map_err(err(a, "DescribeTaskDefinition")) {
        Ok(out) => out,
        Err(e) if e.is(&["ClientException"]) => return Ok(None),
        Err(e) => return Err(e),
    };
    let tags: Vec<(&str, &str)> = out
        .tags()
        .iter()
        .filter_map(|x| Some((x.key()?, x.value()?)))
        .collect();
    let hash = request_hash(r.body);
    let same_request = tags
        .iter()
        .any(|(k, v)| *k == REQUEST_HASH_TAG && *v == hash);
    Ok(out
        .task_definition()
        .filter(|d| d.status() == Some(&TaskDefinitionStatus::Active))
        .filter(|_| same_request && owned(tags.iter().copied(), t.stack, t.address))
        .and_then(|d| d.task_definition_arn())
        .map(task_definition_outcome))
}

/// A task definition revision's id and attributes: its ARN
/// (`arn:…:task-definition/FAMILY:REVISION`), family and revision.
fn task_definition_outcome(arn: &str) -> Outcome {
    let (family, revision) = arn
        .rsplit_once('/')
        .and_then(|(_, tail)| tail.rsplit_once(':'))
        .unwrap_or_default();
    Outcome::new(arn)
        .with("arn", arn)
        .with("family", family)
        .with("revision", revision)
}

/// A service's id and attributes: its ARN and name (the ARN's last segment).
fn service_outcome(arn: &str) -> Outcome {
    let name = arn.rsplit('/').next().unwrap_or(arn);
    Outcome::new(arn).with("arn", arn).with("name", name)
}

pub(super) async fn find(
    aws: &Aws,
    k: EcsKind,
    t: &Target<'_>,
) -> Result<Option<Outcome>, ProviderError> {
    match k {
        EcsKind::TaskDefinition => return find_task_definition(aws, t).await,
        EcsKind::Cluster | EcsKind::ExistingCluster => return Ok(None),
        EcsKind::Service => {}
    }
    let (a, r) = (t.address, &t.req);
    let q: req::CreateService = r.decode()?;
    let out = aws
        .c
        .ecs
        .describe_services()
        .set_cluster(q.cluster)
        .services(r.required(q.service_name, F.service_name)?)
        .include(ServiceField::Tags)
        .send()
        .await
        .map_err(err(a, "DescribeServices"))?;
    Ok(out
        .services()
        .iter()
        .filter(|s| s.status() == Some("ACTIVE"))
        .find(|s| {
            owned(
                s.tags().iter().filter_map(|x| Some((x.key()?, x.value()?))),
                t.stack,
                t.address,
            )
        })
        .and_then(|s| s.service_arn())
        .map(service_outcome))
}

pub(super) async fn wait_ready(
    aws: &Aws,
    k: EcsKind,
    t: &Target<'_>,
    o: &mut Outcome,
) -> Result<(), ProviderError> {
    if k != EcsKind::Service {
        return Ok(());
    }
    let a = t.address;
    let q: req::CreateService = t.req.decode()?;
    let (cluster, wanted) = (q.cluster, q.task_definition);
    aws.poll(a, "ECS service deployment", || async {
        let out = aws
            .c
            .ecs
            .describe_services()
            .set_cluster(cluster.clone())
            .services(&o.id)
            .send()
            .await
            .map_err(err(a, "DescribeServices"))?;
        Ok(match out.services().first() {
            Some(service) => deployment_progress(service, wanted.as_deref()),
            None => Poll::Pending("not visible yet".into()),
        })
    })
    .await
}

/// Where the deployment of `wanted` (a task definition ARN) stands. The deployment running
/// it is followed, not merely the PRIMARY one: when the circuit breaker rolls back, ECS
/// makes a new PRIMARY deployment of the previous task definition, which completes.
pub(crate) fn deployment_progress(
    service: &aws_sdk_ecs::types::Service,
    wanted: Option<&str>,
) -> Poll {
    if service.status() == Some("INACTIVE") || service.status() == Some("DRAINING") {
        return Poll::Failed(format!(
            "the service is {}",
            service.status().unwrap_or_default()
        ));
    }
    let deployments = service.deployments();
    let ours =
        |d: &&aws_sdk_ecs::types::Deployment| wanted.is_none_or(|w| d.task_definition() == Some(w));
    let primary = deployments.iter().find(|d| d.status() == Some("PRIMARY"));
    let failed = deployments
        .iter()
        .filter(ours)
        .find(|d| d.rollout_state().map(|s| s.as_str()) == Some("FAILED"));
    let rolled_back = primary.is_some_and(|p| !ours(&p)) && failed.is_some();
    if let Some(failed) = failed {
        let breaker = service
            .deployment_configuration()
            .and_then(|d| d.deployment_circuit_breaker())
            .is_some_and(|b| b.rollback());
        let latest_event = service
            .events()
            .first()
            .and_then(|e| e.message())
            .map(|m| format!("; latest service event: {m}"))
            .unwrap_or_default();
        return Poll::Failed(format!(
            "deployment {} failed{}: {}{latest_event}",
            failed.id().unwrap_or("?"),
            if breaker || rolled_back {
                " and the circuit breaker rolled it back"
            } else {
                ""
            },
            failed.rollout_state_reason().unwrap_or("no reason given"),
        ));
    }
    let Some(primary) = primary else {
        return Poll::Pending("no primary deployment yet".into());
    };
    // AWS makes the requested revision's deployment PRIMARY at once, and the service's own
    // `taskDefinition` follows it (a rollback sets it back). Emulators that only update
    // the service's field are taken at their word once the primary deployment completed.
    let service_runs_wanted = wanted.is_some() && service.task_definition() == wanted;
    if !ours(&primary) && !service_runs_wanted {
        return Poll::Pending(format!(
            "the primary deployment runs {}, not the requested task definition",
            primary.task_definition().unwrap_or("?")
        ));
    }
    let tasks = format!(
        "{}/{} tasks running",
        primary.running_count(),
        primary.desired_count()
    );
    match primary.rollout_state().map(|s| s.as_str()) {
        Some("COMPLETED") => Poll::Ready,
        // Without a rollout state (older deployment controllers), steady state is every
        // desired task running.
        None if primary.running_count() >= primary.desired_count() => Poll::Ready,
        None => Poll::Pending(tasks),
        Some(state) => Poll::Pending(format!("{state}, {tasks}")),
    }
}

pub(super) async fn delete(aws: &Aws, k: EcsKind, e: &Existing<'_>) -> Result<(), ProviderError> {
    let (c, a) = (&aws.c.ecs, e.address);
    let gone = |x: &ProviderError| {
        x.is(&[
            "ClusterNotFoundException",
            "ServiceNotFoundException",
            "ServiceNotActiveException",
        ])
    };
    let res = match k {
        // Not owned: forgetting it is all a destroy does.
        EcsKind::ExistingCluster => Ok(()),
        EcsKind::Cluster => c
            .delete_cluster()
            .cluster(e.id)
            .send()
            .await
            .map(drop)
            .map_err(err(a, "DeleteCluster")),
        EcsKind::TaskDefinition => c
            .deregister_task_definition()
            .task_definition(e.id)
            .send()
            .await
            .map(drop)
            .map_err(err(a, "DeregisterTaskDefinition")),
        EcsKind::Service => {
            let cluster = cluster_of(e.id);
            // Drain first, then delete, then wait until ECS lets go of its ENIs.
            let scaled = c
                .update_service()
                .set_cluster(cluster.clone())
                .service(e.id)
                .desired_count(0)
                .send()
                .await
                .map(drop)
                .map_err(err(a, "UpdateService"));
            match scaled {
                Err(x) if gone(&x) => return Ok(()),
                other => other?,
            }
            match c
                .delete_service()
                .set_cluster(cluster.clone())
                .service(e.id)
                .force(true)
                .send()
                .await
                .map(drop)
                .map_err(err(a, "DeleteService"))
            {
                Err(x) if gone(&x) => return Ok(()),
                other => other?,
            }
            return aws
                .poll(a, "ECS service deletion", || async {
                    let out = c
                        .describe_services()
                        .set_cluster(cluster.clone())
                        .services(e.id)
                        .send()
                        .await
                        .map_err(err(a, "DescribeServices"))?;
                    Ok(match out.services().first().and_then(|s| s.status()) {
                        None | Some("INACTIVE") => Poll::Ready,
                        Some(s) => Poll::Pending(s.to_string()),
                    })
                })
                .await;
        }
    };
    match res {
        Err(x) if gone(&x) => Ok(()),
        other => other,
    }
}

/// The cluster name inside a service ARN (`…:service/<cluster>/<service>`).
fn cluster_of(service_arn: &str) -> Option<String> {
    let path = service_arn.split(":service/").nth(1)?;
    let mut parts = path.split('/');
    match (parts.next(), parts.next()) {
        (Some(cluster), Some(_)) => Some(cluster.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ecs::types::{Deployment, DeploymentRolloutState, Service, ServiceEvent};

    const NEW: &str = "arn:aws:ecs:us-east-1:1:task-definition/app:2";
    const OLD: &str = "arn:aws:ecs:us-east-1:1:task-definition/app:1";

    fn deployment(id: &str, status: &str, task: &str, state: DeploymentRolloutState) -> Deployment {
        Deployment::builder()
            .id(id)
            .status(status)
            .task_definition(task)
            .rollout_state(state)
            .rollout_state_reason("ECS deployment circuit breaker: tasks failed to start.")
            .desired_count(2)
            .running_count(1)
            .build()
    }

    fn service(deployments: Vec<Deployment>, breaker: bool) -> Service {
        Service::builder()
            .status("ACTIVE")
            .set_deployments(Some(deployments))
            .deployment_configuration(
                DeploymentConfiguration::builder()
                    .deployment_circuit_breaker(
                        DeploymentCircuitBreaker::builder()
                            .enable(breaker)
                            .rollback(breaker)
                            .build(),
                    )
                    .build(),
            )
            .events(
                ServiceEvent::builder()
                    .message("(service app) failed to launch a task: CannotPullContainerError")
                    .build(),
            )
            .build()
    }

    #[test]
    fn a_container_field_a_call_needs_is_named_by_its_path() {
        let body = serde_json::json!({
            "family": "app",
            "containerDefinitions": [
                {"name": "web", "secrets": [{"name": "DB", "valueFrom": "arn:secret"}]},
                {"name": "worker", "secrets": [{"name": "DB"}]},
            ],
        });
        let r = Req {
            address: "task",
            body: &body,
        };
        let q: req::RegisterTaskDefinition = r.decode().unwrap();
        let mut containers = q.container_definitions.unwrap().into_iter();
        let web = container(&r, 0, containers.next().unwrap()).unwrap();
        assert_eq!(web.secrets()[0].value_from(), "arn:secret");
        let Err(ProviderError::Request { field, .. }) =
            container(&r, 1, containers.next().unwrap())
        else {
            panic!("a secret without valueFrom must fail");
        };
        assert_eq!(field, "containerDefinitions[1].secrets[0].valueFrom");

        let body = serde_json::json!({"containerDefinitions": [{"portMappings": [{"containerPort": "80"}]}]});
        let r = Req {
            address: "task",
            body: &body,
        };
        let Err(ProviderError::Request { field, .. }) = r.decode::<req::RegisterTaskDefinition>()
        else {
            panic!("a port as text must fail");
        };
        assert_eq!(
            field,
            "containerDefinitions[0].portMappings[0].containerPort"
        );
    }

    #[test]
    fn in_progress_then_completed() {
        let running = service(
            vec![deployment(
                "d2",
                "PRIMARY",
                NEW,
                DeploymentRolloutState::InProgress,
            )],
            true,
        );
        assert_eq!(
            deployment_progress(&running, Some(NEW)),
            Poll::Pending("IN_PROGRESS, 1/2 tasks running".into())
        );
        let done = service(
            vec![deployment(
                "d2",
                "PRIMARY",
                NEW,
                DeploymentRolloutState::Completed,
            )],
            true,
        );
        assert_eq!(deployment_progress(&done, Some(NEW)), Poll::Ready);
    }

    #[test]
    fn a_rollback_to_the_previous_revision_is_a_failure_not_a_success() {
        // After the breaker trips, the PRIMARY deployment is the rollback, and it completes.
        let rolled_back = service(
            vec![
                deployment("d3", "PRIMARY", OLD, DeploymentRolloutState::Completed),
                deployment("d2", "ACTIVE", NEW, DeploymentRolloutState::Failed),
            ],
            true,
        );
        let Poll::Failed(message) = deployment_progress(&rolled_back, Some(NEW)) else {
            panic!("a rolled back deployment must fail");
        };
        assert!(message.contains("deployment d2 failed and the circuit breaker rolled it back: ECS deployment circuit breaker: tasks failed to start."), "{message}");
        assert!(message.contains("CannotPullContainerError"), "{message}");
        // While the rollback is still in progress, it fails just as fast.
        let rolling_back = service(
            vec![
                deployment("d3", "PRIMARY", OLD, DeploymentRolloutState::InProgress),
                deployment("d2", "ACTIVE", NEW, DeploymentRolloutState::Failed),
            ],
            true,
        );
        assert!(matches!(
            deployment_progress(&rolling_back, Some(NEW)),
            Poll::Failed(_)
        ));
    }

    #[test]
    fn a_failed_first_deployment_without_breaker_fails() {
        let failed = service(
            vec![deployment(
                "d1",
                "PRIMARY",
                NEW,
                DeploymentRolloutState::Failed,
            )],
            false,
        );
        let Poll::Failed(message) = deployment_progress(&failed, Some(NEW)) else {
            panic!("must fail");
        };
        assert!(message.starts_with("deployment d1 failed: "), "{message}");
    }

    #[test]
    fn other_revisions_and_missing_deployments_are_pending() {
        let old_primary = service(
            vec![deployment(
                "d1",
                "PRIMARY",
                OLD,
                DeploymentRolloutState::Completed,
            )],
            true,
        );
        assert!(matches!(
            deployment_progress(&old_primary, Some(NEW)),
            Poll::Pending(m) if m.contains("not the requested task definition")
        ));
        assert!(matches!(
            deployment_progress(&service(vec![], true), Some(NEW)),
            Poll::Pending(_)
        ));
        // The service's own field names the requested revision: its completed primary
        // deployment is taken as the steady state.
        let mut updated = old_primary.clone();
        updated.task_definition = Some(NEW.into());
        assert_eq!(deployment_progress(&updated, Some(NEW)), Poll::Ready);
        let inactive = Service::builder().status("INACTIVE").build();
        assert!(matches!(
            deployment_progress(&inactive, Some(NEW)),
            Poll::Failed(_)
        ));
    }

    #[test]
    fn without_rollout_state_steady_state_is_all_tasks_running() {
        let d = |running| {
            Deployment::builder()
                .status("PRIMARY")
                .task_definition(NEW)
                .desired_count(2)
                .running_count(running)
                .build()
        };
        assert!(matches!(
            deployment_progress(&service(vec![d(1)], false), Some(NEW)),
            Poll::Pending(_)
        ));
        assert_eq!(
            deployment_progress(&service(vec![d(2)], false), Some(NEW)),
            Poll::Ready
        );
    }
}
