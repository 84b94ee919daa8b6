//! Application Auto Scaling: scalable targets and scaling policies.

use super::{gone_is_deleted, observed, request, Existing, Outcome, Target};
use crate::clients::Aws;
use crate::error::ProviderError;
use ecs_iac_core::kind::ApplicationAutoScalingKind;
use ecs_iac_core::requests::application_autoscaling::{
    PredefinedMetricSpecification as Metric, PutScalingPolicy, PutScalingPolicyFields,
    RegisterScalableTarget, RegisterScalableTargetFields,
    TargetTrackingScalingPolicyConfiguration as Tracking,
};
use std::collections::HashMap;

/// The AWS names of a scalable target's request fields.
const ST: RegisterScalableTargetFields = RegisterScalableTarget::FIELD;
/// The AWS names of a scaling policy's request fields.
const SP: PutScalingPolicyFields = PutScalingPolicy::FIELD;

sdk_err!(
    scaling_err,
    aws_sdk_applicationautoscaling,
    "applicationautoscaling"
);

pub(super) async fn create(
    aws: &Aws,
    k: ApplicationAutoScalingKind,
    t: &Target<'_>,
) -> Result<Outcome, ProviderError> {
    let (a, r) = (t.address, &t.req);
    match k {
        ApplicationAutoScalingKind::ScalableTarget => {
            use aws_sdk_applicationautoscaling::types::{ScalableDimension, ServiceNamespace};
            let q: RegisterScalableTarget = r.decode()?;
            let resource_id = r.required(q.resource_id, ST.resource_id)?;
            let dimension = r.required(q.scalable_dimension, ST.scalable_dimension)?;
            let namespace = r.required(q.service_namespace, ST.service_namespace)?;
            let tags: HashMap<String, String> = r.tags("Tags").into_iter().collect();
            // RegisterScalableTarget creates or updates: retries are safe.
            let out = aws
                .c
                .autoscaling
                .register_scalable_target()
                .service_namespace(ServiceNamespace::from(namespace.as_str()))
                .resource_id(&resource_id)
                .scalable_dimension(ScalableDimension::from(dimension.as_str()))
                .set_min_capacity(q.min_capacity)
                .set_max_capacity(q.max_capacity)
                .set_tags(Some(tags))
                .send()
                .await
                .map_err(scaling_err(a, "RegisterScalableTarget"))?;
            Ok(Outcome::new(&resource_id)
                .with("arn", out.scalable_target_arn().unwrap_or_default())
                .with("service_namespace", namespace)
                .with("scalable_dimension", dimension))
        }
        ApplicationAutoScalingKind::ScalingPolicy => {
            use aws_sdk_applicationautoscaling::types::{
                MetricType, PolicyType, PredefinedMetricSpecification, ScalableDimension,
                ServiceNamespace, TargetTrackingScalingPolicyConfiguration,
            };
            let q: PutScalingPolicy = r.decode()?;
            let (name, resource_id, dimension, namespace) = (
                r.required(q.policy_name, SP.policy_name)?,
                r.required(q.resource_id, SP.resource_id)?,
                r.required(q.scalable_dimension, SP.scalable_dimension)?,
                r.required(q.service_namespace, SP.service_namespace)?,
            );
            let tracking = SP.target_tracking_scaling_policy_configuration;
            let config = match q.target_tracking_scaling_policy_configuration {
                Some(c) => {
                    let metric = match c.predefined_metric_specification {
                        Some(m) => {
                            let at = format!(
                                "{tracking}.{}",
                                Tracking::FIELD.predefined_metric_specification
                            );
                            let kind = r.required(
                                m.predefined_metric_type,
                                &format!("{at}.{}", Metric::FIELD.predefined_metric_type),
                            )?;
                            Some(
                                PredefinedMetricSpecification::builder()
                                    .predefined_metric_type(MetricType::from(kind.as_str()))
                                    .build()
                                    .map_err(|e| request(a, &at, e))?,
                            )
                        }
                        None => None,
                    };
                    Some(
                        TargetTrackingScalingPolicyConfiguration::builder()
                            .set_target_value(c.target_value)
                            .set_predefined_metric_specification(metric)
                            .set_scale_out_cooldown(c.scale_out_cooldown)
                            .set_scale_in_cooldown(c.scale_in_cooldown)
                            .set_disable_scale_in(c.disable_scale_in)
                            .build()
                            .map_err(|e| request(a, tracking, e))?,
                    )
                }
                None => None,
            };
            let out = aws
                .c
                .autoscaling
                .put_scaling_policy()
                .policy_name(&name)
                .service_namespace(ServiceNamespace::from(namespace.as_str()))
                .resource_id(&resource_id)
                .scalable_dimension(ScalableDimension::from(dimension.as_str()))
                .set_policy_type(q.policy_type.map(|p| PolicyType::from(p.as_str())))
                .set_target_tracking_scaling_policy_configuration(config)
                .send()
                .await
                .map_err(scaling_err(a, "PutScalingPolicy"))?;
            Ok(Outcome::new(out.policy_arn())
                .with("arn", out.policy_arn())
                .with("policy_name", name)
                .with("resource_id", resource_id)
                .with("service_namespace", namespace)
                .with("scalable_dimension", dimension))
        }
    }
}

/// Whether the scalable target or the policy still exists; `None` when it is gone.
pub(super) async fn observe(
    aws: &Aws,
    k: ApplicationAutoScalingKind,
    e: &Existing<'_>,
    _applied: &serde_json::Value,
) -> Result<Option<serde_json::Value>, ProviderError> {
    let a = e.address;
    let namespace = aws_sdk_applicationautoscaling::types::ServiceNamespace::from(
        e.attr("service_namespace")?.as_str(),
    );
    let found = match k {
        ApplicationAutoScalingKind::ScalableTarget => !aws
            .c
            .autoscaling
            .describe_scalable_targets()
            .service_namespace(namespace)
            .resource_ids(e.id)
            .send()
            .await
            .map_err(scaling_err(a, "DescribeScalableTargets"))?
            .scalable_targets()
            .is_empty(),
        ApplicationAutoScalingKind::ScalingPolicy => !aws
            .c
            .autoscaling
            .describe_scaling_policies()
            .service_namespace(namespace)
            .resource_id(e.attr("resource_id")?)
            .policy_names(e.attr("policy_name")?)
            .send()
            .await
            .map_err(scaling_err(a, "DescribeScalingPolicies"))?
            .scaling_policies()
            .is_empty(),
    };
    match (found, k) {
        (false, _) => Ok(None),
        (true, ApplicationAutoScalingKind::ScalableTarget) => {
            observed(a, &RegisterScalableTarget::default()).map(Some)
        }
        (true, ApplicationAutoScalingKind::ScalingPolicy) => {
            observed(a, &PutScalingPolicy::default()).map(Some)
        }
    }
}

/// Adopted by sending the create call again, which creates or overwrites.
pub(super) async fn find(
    _aws: &Aws,
    _k: ApplicationAutoScalingKind,
    _t: &Target<'_>,
) -> Result<Option<Outcome>, ProviderError> {
    Ok(None)
}

pub(super) async fn delete(
    aws: &Aws,
    k: ApplicationAutoScalingKind,
    e: &Existing<'_>,
) -> Result<(), ProviderError> {
    use aws_sdk_applicationautoscaling::types::{ScalableDimension, ServiceNamespace};
    let (a, id) = (e.address, e.id);
    let res = match k {
        ApplicationAutoScalingKind::ScalableTarget => aws
            .c
            .autoscaling
            .deregister_scalable_target()
            .service_namespace(ServiceNamespace::from(
                e.attr("service_namespace")?.as_str(),
            ))
            .resource_id(id)
            .scalable_dimension(ScalableDimension::from(
                e.attr("scalable_dimension")?.as_str(),
            ))
            .send()
            .await
            .map(drop)
            .map_err(scaling_err(a, "DeregisterScalableTarget")),
        ApplicationAutoScalingKind::ScalingPolicy => aws
            .c
            .autoscaling
            .delete_scaling_policy()
            .policy_name(e.attr("policy_name")?)
            .service_namespace(ServiceNamespace::from(
                e.attr("service_namespace")?.as_str(),
            ))
            .resource_id(e.attr("resource_id")?)
            .scalable_dimension(ScalableDimension::from(
                e.attr("scalable_dimension")?.as_str(),
            ))
            .send()
            .await
            .map(drop)
            .map_err(scaling_err(a, "DeleteScalingPolicy")),
    };
    gone_is_deleted(res)
}

no_modify_call_and_nothing_to_wait_for!(ApplicationAutoScalingKind);
