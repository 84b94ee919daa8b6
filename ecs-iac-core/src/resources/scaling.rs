//! Application Auto Scaling of ECS services: scalable targets and target tracking policies.

use super::ecs::{service_resource_id, Service};
use crate::diagnostic::Rule;
use crate::kind::Kind;
use crate::limits::{self, NameRule};
use crate::lower::{allow_lint_setter, tag_setter, Cx, ResourceSpec};
use crate::requests::application_autoscaling::{
    PredefinedMetricSpecification, PutScalingPolicy, RegisterScalableTarget,
    RegisterScalableTargetFields, TargetTrackingScalingPolicyConfiguration,
};
use crate::stack::{Meta, Ref};

/// The AWS names of a scalable target's request fields.
const T: RegisterScalableTargetFields = RegisterScalableTarget::FIELD;

/// The desired count of an ECS service as a scalable target.
#[derive(Debug, Clone)]
pub struct ScalableTarget {
    pub(crate) meta: Meta,
    pub(crate) service: Ref<Service>,
    pub(crate) min: u32,
    pub(crate) max: u32,
}

impl ScalableTarget {
    /// Scales `service` between `min` and `max` tasks.
    pub fn ecs_service(
        name: impl Into<String>,
        service: &Ref<Service>,
        min: u32,
        max: u32,
    ) -> ScalableTarget {
        ScalableTarget {
            meta: Meta::new(name),
            service: service.clone(),
            min,
            max,
        }
    }
}

impl ResourceSpec for ScalableTarget {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn validate(&self, cx: &mut Cx<'_>) {
        if self.min > self.max {
            cx.error(
                Rule::AutoscalingCapacity,
                T.min_capacity,
                format!("minimum {} is above maximum {}", self.min, self.max),
            );
        }
        if let Some(service) = cx.get(&self.service) {
            let desired = service.desired();
            if desired < self.min || desired > self.max {
                cx.error(
                    Rule::AutoscalingCapacity,
                    T.min_capacity,
                    format!(
                        "service `{}` starts with desired count {desired}, outside {}-{}; set the desired count inside the range",
                        self.service.name(),
                        self.min,
                        self.max
                    ),
                );
            }
        }
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        let mut n = cx.node("", Kind::SCALABLE_TARGET);
        let resource_id = n
            .target(T.resource_id, &self.service)
            .map(|s| service_resource_id(cx, s));
        let request = RegisterScalableTarget {
            service_namespace: Some("ecs".into()),
            resource_id,
            scalable_dimension: Some("ecs:service:DesiredCount".into()),
            min_capacity: i32::try_from(self.min).ok(),
            max_capacity: i32::try_from(self.max).ok(),
        };
        cx.push_request(n, request);
    }
}

/// A predefined metric for target tracking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PredefinedMetric {
    /// `ECSServiceAverageCPUUtilization`.
    EcsServiceAverageCpu,
    /// `ECSServiceAverageMemoryUtilization`.
    EcsServiceAverageMemory,
}

impl PredefinedMetric {
    fn as_str(self) -> &'static str {
        match self {
            PredefinedMetric::EcsServiceAverageCpu => "ECSServiceAverageCPUUtilization",
            PredefinedMetric::EcsServiceAverageMemory => "ECSServiceAverageMemoryUtilization",
        }
    }
}

/// A target tracking scaling policy.
#[derive(Debug, Clone)]
pub struct ScalingPolicy {
    pub(crate) meta: Meta,
    pub(crate) target: Ref<ScalableTarget>,
    pub(crate) metric: PredefinedMetric,
    pub(crate) target_value: f64,
    pub(crate) scale_out_cooldown: Option<u32>,
    pub(crate) scale_in_cooldown: Option<u32>,
    pub(crate) disable_scale_in: bool,
}

impl ScalingPolicy {
    /// Keeps `metric` near `target_value` (e.g. 70.0 percent CPU); its AWS name is the logical name.
    pub fn target_tracking(
        name: impl Into<String>,
        target: &Ref<ScalableTarget>,
        metric: PredefinedMetric,
        target_value: f64,
    ) -> ScalingPolicy {
        ScalingPolicy {
            meta: Meta::new(name),
            target: target.clone(),
            metric,
            target_value,
            scale_out_cooldown: None,
            scale_in_cooldown: None,
            disable_scale_in: false,
        }
    }

    /// Seconds between scale-out activities.
    #[must_use]
    pub fn scale_out_cooldown(mut self, seconds: u32) -> ScalingPolicy {
        self.scale_out_cooldown = Some(seconds);
        self
    }

    /// Seconds between scale-in activities.
    #[must_use]
    pub fn scale_in_cooldown(mut self, seconds: u32) -> ScalingPolicy {
        self.scale_in_cooldown = Some(seconds);
        self
    }
}

impl ResourceSpec for ScalingPolicy {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn aws_name(&self) -> Option<(String, &'static NameRule)> {
        Some((self.meta.name.clone(), &limits::SCALING_POLICY_NAME))
    }

    fn validate(&self, cx: &mut Cx<'_>) {
        if !(self.target_value > 0.0 && self.target_value <= 100.0) {
            cx.error(
                Rule::AutoscalingCapacity,
                format!(
                    "{}.{}",
                    PutScalingPolicy::FIELD.target_tracking_scaling_policy_configuration,
                    TargetTrackingScalingPolicyConfiguration::FIELD.target_value
                ),
                format!(
                    "{} is not a utilization percentage in (0, 100]",
                    self.target_value
                ),
            );
        }
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        let mut n = cx.node("", Kind::SCALING_POLICY);
        let resource_id = n
            .target(PutScalingPolicy::FIELD.resource_id, &self.target)
            .and_then(|t| cx.get(&t.service))
            .map(|s| service_resource_id(cx, s));
        let seconds = |s: u32| i32::try_from(s).ok();
        let request = PutScalingPolicy {
            policy_name: Some(self.meta.name.clone()),
            service_namespace: Some("ecs".into()),
            resource_id,
            scalable_dimension: Some("ecs:service:DesiredCount".into()),
            policy_type: Some("TargetTrackingScaling".into()),
            target_tracking_scaling_policy_configuration: Some(
                TargetTrackingScalingPolicyConfiguration {
                    target_value: Some(self.target_value),
                    predefined_metric_specification: Some(PredefinedMetricSpecification {
                        predefined_metric_type: Some(self.metric.as_str().into()),
                    }),
                    scale_out_cooldown: self.scale_out_cooldown.and_then(seconds),
                    scale_in_cooldown: self.scale_in_cooldown.and_then(seconds),
                    disable_scale_in: Some(self.disable_scale_in),
                },
            ),
        };
        cx.push_request(n, request);
    }
}

tag_setter!(ScalableTarget);
allow_lint_setter!(ScalingPolicy);
