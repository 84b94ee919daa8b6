//! Application Auto Scaling (scalable targets, policies) requests.

use crate::request::request;

request! {
    /// `application-autoscaling:RegisterScalableTarget` (creates or updates).
    pub struct RegisterScalableTarget, RegisterScalableTargetFields {
        /// `ecs`.
        service_namespace: String = "ServiceNamespace",
        /// `service/CLUSTER/SERVICE`.
        resource_id: String = "ResourceId",
        /// `ecs:service:DesiredCount`.
        scalable_dimension: String = "ScalableDimension",
        /// The fewest tasks.
        min_capacity: i32 = "MinCapacity",
        /// The most tasks.
        max_capacity: i32 = "MaxCapacity",
    }
}

request! {
    /// `application-autoscaling:PutScalingPolicy` (creates or overwrites).
    pub struct PutScalingPolicy, PutScalingPolicyFields {
        /// The policy's name.
        policy_name: String = "PolicyName",
        /// `ecs`.
        service_namespace: String = "ServiceNamespace",
        /// `service/CLUSTER/SERVICE`.
        resource_id: String = "ResourceId",
        /// `ecs:service:DesiredCount`.
        scalable_dimension: String = "ScalableDimension",
        /// `TargetTrackingScaling`.
        policy_type: String = "PolicyType",
        /// The metric and the value to keep it near.
        target_tracking_scaling_policy_configuration: TargetTrackingScalingPolicyConfiguration = "TargetTrackingScalingPolicyConfiguration",
    }
}

request! {
    /// A target tracking policy's metric, target and cooldowns.
    pub struct TargetTrackingScalingPolicyConfiguration, TargetTrackingScalingPolicyConfigurationFields {
        /// The value to keep the metric near.
        target_value: f64 = "TargetValue",
        /// The predefined metric.
        predefined_metric_specification: PredefinedMetricSpecification = "PredefinedMetricSpecification",
        /// Seconds between scale-out activities.
        scale_out_cooldown: i32 = "ScaleOutCooldown",
        /// Seconds between scale-in activities.
        scale_in_cooldown: i32 = "ScaleInCooldown",
        /// Never scales in.
        disable_scale_in: bool = "DisableScaleIn",
    }
}

request! {
    /// A predefined metric of target tracking.
    pub struct PredefinedMetricSpecification, PredefinedMetricSpecificationFields {
        /// `ECSServiceAverageCPUUtilization`, …
        predefined_metric_type: String = "PredefinedMetricType",
    }
}
