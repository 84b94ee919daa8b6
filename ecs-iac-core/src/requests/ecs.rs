//! ECS requests.

use crate::request::request;
use std::collections::BTreeMap;

request! {
    /// `ecs:CreateService`; `UpdateService` is sent from the same body.
    pub struct CreateService, CreateServiceFields {
        /// The cluster's name or ARN.
        cluster: String = "cluster",
        /// The service's name.
        service_name: String = "serviceName",
        /// The task definition's ARN (a placeholder until resolved).
        task_definition: String = "taskDefinition",
        /// Tasks to keep running (left out when an autoscaler owns it).
        desired_count: i32 = "desiredCount",
        /// `FARGATE` when no capacity provider strategy is given.
        launch_type: String = "launchType",
        /// Capacity providers and their weights.
        capacity_provider_strategy: Vec<CapacityProviderStrategyItem> = "capacityProviderStrategy",
        /// The Fargate platform version.
        platform_version: String = "platformVersion",
        /// Subnets, security groups and public IP.
        network_configuration: NetworkConfiguration = "networkConfiguration",
        /// Target groups the tasks register in.
        load_balancers: Vec<LoadBalancer> = "loadBalancers",
        /// Seconds health checks are ignored after a task starts.
        health_check_grace_period_seconds: i32 = "healthCheckGracePeriodSeconds",
        /// Rolling update limits and the circuit breaker.
        deployment_configuration: DeploymentConfiguration = "deploymentConfiguration",
        /// ECS Exec.
        enable_execute_command: bool = "enableExecuteCommand",
        /// ECS adds its own tags to tasks.
        enable_ecs_managed_tags: bool = "enableECSManagedTags",
        /// `SERVICE`, `TASK_DEFINITION` or `NONE`.
        propagate_tags: String = "propagateTags",
        /// Service Connect.
        service_connect_configuration: ServiceConnectConfiguration = "serviceConnectConfiguration",
    }
}

request! {
    /// One capacity provider of a strategy.
    pub struct CapacityProviderStrategyItem, CapacityProviderStrategyItemFields {
        /// `FARGATE`, `FARGATE_SPOT` or a provider's name.
        capacity_provider: String = "capacityProvider",
        /// Relative share of tasks.
        weight: i32 = "weight",
        /// Tasks placed on this provider first.
        base: i32 = "base",
    }
}

request! {
    /// A service's network configuration.
    pub struct NetworkConfiguration, NetworkConfigurationFields {
        /// The `awsvpc` settings.
        awsvpc_configuration: AwsVpcConfiguration = "awsvpcConfiguration",
    }
}

request! {
    /// Subnets, security groups and public IP of a service's tasks.
    pub struct AwsVpcConfiguration, AwsVpcConfigurationFields {
        /// Subnet ids.
        subnets: Vec<String> = "subnets",
        /// Security group ids.
        security_groups: Vec<String> = "securityGroups",
        /// `ENABLED` or `DISABLED`.
        assign_public_ip: String = "assignPublicIp",
    }
}

request! {
    /// A target group the service's tasks register in.
    pub struct LoadBalancer, LoadBalancerFields {
        /// The target group's ARN.
        target_group_arn: String = "targetGroupArn",
        /// The container that receives traffic.
        container_name: String = "containerName",
        /// Its port.
        container_port: i32 = "containerPort",
    }
}

request! {
    /// Rolling update limits and the circuit breaker.
    pub struct DeploymentConfiguration, DeploymentConfigurationFields {
        /// Stops (and maybe rolls back) a deployment that does not become healthy.
        deployment_circuit_breaker: DeploymentCircuitBreaker = "deploymentCircuitBreaker",
        /// Upper limit of running tasks during a deployment, in percent.
        maximum_percent: i32 = "maximumPercent",
        /// Lower limit of healthy tasks during a deployment, in percent.
        minimum_healthy_percent: i32 = "minimumHealthyPercent",
    }
}

request! {
    /// The deployment circuit breaker.
    pub struct DeploymentCircuitBreaker, DeploymentCircuitBreakerFields {
        /// On or off.
        enable: bool = "enable",
        /// Roll back to the last deployment that completed.
        rollback: bool = "rollback",
    }
}

request! {
    /// A service's Service Connect settings.
    pub struct ServiceConnectConfiguration, ServiceConnectConfigurationFields {
        /// On or off.
        enabled: bool = "enabled",
        /// The Cloud Map namespace's ARN.
        namespace: String = "namespace",
        /// The ports the service exposes.
        services: Vec<ServiceConnectService> = "services",
        /// Logs of the Service Connect proxy.
        log_configuration: LogConfiguration = "logConfiguration",
    }
}

request! {
    /// A port a service exposes through Service Connect.
    pub struct ServiceConnectService, ServiceConnectServiceFields {
        /// The task's port mapping name.
        port_name: String = "portName",
        /// The Cloud Map discovery name.
        discovery_name: String = "discoveryName",
        /// The names and ports clients connect to.
        client_aliases: Vec<ServiceConnectClientAlias> = "clientAliases",
        /// TLS between Service Connect proxies.
        tls: ServiceConnectTlsConfiguration = "tls",
    }
}

request! {
    /// A name and port clients of a Service Connect service connect to.
    pub struct ServiceConnectClientAlias, ServiceConnectClientAliasFields {
        /// The port.
        port: i32 = "port",
        /// The DNS name (the discovery name when absent).
        dns_name: String = "dnsName",
    }
}

request! {
    /// TLS between Service Connect proxies.
    pub struct ServiceConnectTlsConfiguration, ServiceConnectTlsConfigurationFields {
        /// The certificate authority issuing the certificates.
        issuer_certificate_authority: ServiceConnectTlsCertificateAuthority = "issuerCertificateAuthority",
        /// A KMS key for the certificates.
        kms_key: String = "kmsKey",
        /// The infrastructure role ECS issues certificates with.
        role_arn: String = "roleArn",
    }
}

request! {
    /// The AWS Private CA issuing Service Connect certificates.
    pub struct ServiceConnectTlsCertificateAuthority, ServiceConnectTlsCertificateAuthorityFields {
        /// The private CA's ARN.
        aws_pca_authority_arn: String = "awsPcaAuthorityArn",
    }
}

request! {
    /// Where a container's (or Service Connect proxy's) logs go.
    pub struct LogConfiguration, LogConfigurationFields {
        /// `awslogs` or `awsfirelens`.
        log_driver: String = "logDriver",
        /// The driver's options (`awslogs-group`, …).
        options: BTreeMap<String, String> = "options",
    }
}

request! {
    /// `ecs:CreateCluster`; `UpdateCluster` and `PutClusterCapacityProviders` are sent
    /// from the same body.
    pub struct CreateCluster, CreateClusterFields {
        /// The cluster's name.
        cluster_name: String = "clusterName",
        /// Container Insights.
        settings: Vec<ClusterSetting> = "settings",
        /// `FARGATE`, `FARGATE_SPOT`, …
        capacity_providers: Vec<String> = "capacityProviders",
        /// The strategy of services that set none.
        default_capacity_provider_strategy: Vec<CapacityProviderStrategyItem> = "defaultCapacityProviderStrategy",
        /// The default Service Connect namespace.
        service_connect_defaults: ClusterServiceConnectDefaults = "serviceConnectDefaults",
    }
}

request! {
    /// One cluster setting.
    pub struct ClusterSetting, ClusterSettingFields {
        /// `containerInsights`.
        name: String = "name",
        /// `disabled`, `enabled` or `enhanced`.
        value: String = "value",
    }
}

request! {
    /// A cluster's default Service Connect namespace.
    pub struct ClusterServiceConnectDefaults, ClusterServiceConnectDefaultsFields {
        /// The namespace's ARN.
        namespace: String = "namespace",
    }
}

request! {
    /// `ecs:DescribeClusters`: the lookup of a cluster the stack does not own.
    pub struct DescribeClusters, DescribeClustersFields {
        /// The cluster's name.
        clusters: Vec<String> = "clusters",
    }
}

request! {
    /// `ecs:RegisterTaskDefinition`.
    pub struct RegisterTaskDefinition, RegisterTaskDefinitionFields {
        /// The family.
        family: String = "family",
        /// The role the application's AWS calls use.
        task_role_arn: String = "taskRoleArn",
        /// The role ECS pulls images, fetches secrets and writes logs with.
        execution_role_arn: String = "executionRoleArn",
        /// `awsvpc`.
        network_mode: String = "networkMode",
        /// `FARGATE`.
        requires_compatibilities: Vec<String> = "requiresCompatibilities",
        /// CPU units, as text (`"256"`).
        cpu: String = "cpu",
        /// Memory in MiB, as text (`"512"`).
        memory: String = "memory",
        /// CPU architecture and operating system.
        runtime_platform: RuntimePlatform = "runtimePlatform",
        /// Task volumes containers mount.
        volumes: Vec<Volume> = "volumes",
        /// Ephemeral storage.
        ephemeral_storage: EphemeralStorage = "ephemeralStorage",
        /// The containers.
        container_definitions: Vec<ContainerDefinition> = "containerDefinitions",
    }
}

request! {
    /// A task's CPU architecture and operating system.
    pub struct RuntimePlatform, RuntimePlatformFields {
        /// `X86_64` or `ARM64`.
        cpu_architecture: String = "cpuArchitecture",
        /// `LINUX`.
        operating_system_family: String = "operatingSystemFamily",
    }
}

request! {
    /// A task volume.
    pub struct Volume, VolumeFields {
        /// Its name, as mount points name it.
        name: String = "name",
    }
}

request! {
    /// A task's ephemeral storage.
    pub struct EphemeralStorage, EphemeralStorageFields {
        /// Size in GiB (21-200).
        size_in_gib: i32 = "sizeInGiB",
    }
}

request! {
    /// A container of a task definition.
    pub struct ContainerDefinition, ContainerDefinitionFields {
        /// The container's name.
        name: String = "name",
        /// The image reference.
        image: String = "image",
        /// The task stops when this container stops.
        essential: bool = "essential",
        /// CPU units reserved.
        cpu: i32 = "cpu",
        /// Hard memory limit in MiB.
        memory: i32 = "memory",
        /// Soft memory reservation in MiB.
        memory_reservation: i32 = "memoryReservation",
        /// Port mappings.
        port_mappings: Vec<PortMapping> = "portMappings",
        /// Plain environment variables.
        environment: Vec<KeyValuePair> = "environment",
        /// Environment variables filled from secrets.
        secrets: Vec<Secret> = "secrets",
        /// The health check.
        health_check: HealthCheck = "healthCheck",
        /// Where the logs go.
        log_configuration: LogConfiguration = "logConfiguration",
        /// Containers this one waits for.
        depends_on: Vec<ContainerDependency> = "dependsOn",
        /// Volumes mounted.
        mount_points: Vec<MountPoint> = "mountPoints",
        /// Set on the task's FireLens log router.
        firelens_configuration: FirelensConfiguration = "firelensConfiguration",
        /// The command.
        command: Vec<String> = "command",
        /// The entry point.
        entry_point: Vec<String> = "entryPoint",
        /// The user (`1000:1000`).
        user: String = "user",
        /// Read-only root filesystem.
        readonly_root_filesystem: bool = "readonlyRootFilesystem",
        /// Privileged mode.
        privileged: bool = "privileged",
        /// Working directory.
        working_directory: String = "workingDirectory",
        /// Linux settings (the init process).
        linux_parameters: LinuxParameters = "linuxParameters",
        /// Seconds between SIGTERM and SIGKILL.
        stop_timeout: i32 = "stopTimeout",
    }
}

request! {
    /// A container port mapping.
    pub struct PortMapping, PortMappingFields {
        /// The container port.
        container_port: i32 = "containerPort",
        /// The host port (the container port in `awsvpc` mode).
        host_port: i32 = "hostPort",
        /// `tcp` or `udp`.
        protocol: String = "protocol",
        /// A name, for Service Connect.
        name: String = "name",
        /// `http`, `http2` or `grpc`, for Service Connect.
        app_protocol: String = "appProtocol",
    }
}

request! {
    /// A plain environment variable.
    pub struct KeyValuePair, KeyValuePairFields {
        /// The variable's name.
        name: String = "name",
        /// Its value.
        value: String = "value",
    }
}

request! {
    /// An environment variable filled from a secret at task start.
    pub struct Secret, SecretFields {
        /// The variable's name.
        name: String = "name",
        /// The secret's (or parameter's) ARN, maybe with a JSON key (`ARN:KEY::`).
        value_from: String = "valueFrom",
    }
}

request! {
    /// A container health check.
    pub struct HealthCheck, HealthCheckFields {
        /// `["CMD-SHELL", …]` or `["CMD", …]`.
        command: Vec<String> = "command",
        /// Seconds between checks.
        interval: i32 = "interval",
        /// Seconds before a check fails.
        timeout: i32 = "timeout",
        /// Failures before the container is unhealthy.
        retries: i32 = "retries",
        /// Grace seconds after start.
        start_period: i32 = "startPeriod",
    }
}

request! {
    /// A container another one waits for.
    pub struct ContainerDependency, ContainerDependencyFields {
        /// The other container.
        container_name: String = "containerName",
        /// `START`, `COMPLETE`, `SUCCESS` or `HEALTHY`.
        condition: String = "condition",
    }
}

request! {
    /// A task volume mounted into a container.
    pub struct MountPoint, MountPointFields {
        /// The volume's name.
        source_volume: String = "sourceVolume",
        /// The path inside the container.
        container_path: String = "containerPath",
        /// Mounted read-only.
        read_only: bool = "readOnly",
    }
}

request! {
    /// The FireLens log router settings of a container.
    pub struct FirelensConfiguration, FirelensConfigurationFields {
        /// `fluentbit` or `fluentd`.
        r#type: String = "type",
        /// Router options.
        options: BTreeMap<String, String> = "options",
    }
}

request! {
    /// Linux settings of a container.
    pub struct LinuxParameters, LinuxParametersFields {
        /// Runs an init process.
        init_process_enabled: bool = "initProcessEnabled",
    }
}
