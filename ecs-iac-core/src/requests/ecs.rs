//! ECS requests.

use crate::request::request;
use serde_json::Value;

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
        /// Service Connect (not typed yet: its parts are read by the provider's
        /// `service_connect`).
        service_connect_configuration: Value = "serviceConnectConfiguration",
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
