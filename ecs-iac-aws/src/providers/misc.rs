//! The smaller services: CloudWatch Logs, Application Auto Scaling, CloudWatch alarms,
//! Secrets Manager lookups and Cloud Map namespaces.

use super::ec2::unsupported;
use super::{owned, response, Existing, Outcome, Poll, Target};
use crate::clients::Aws;
use crate::error::ProviderError;
use std::collections::HashMap;

sdk_err!(logs_err, aws_sdk_cloudwatchlogs, "logs");
sdk_err!(
    scaling_err,
    aws_sdk_applicationautoscaling,
    "applicationautoscaling"
);
sdk_err!(cw_err, aws_sdk_cloudwatch, "cloudwatch");
sdk_err!(secrets_err, aws_sdk_secretsmanager, "secretsmanager");
sdk_err!(sd_err, aws_sdk_servicediscovery, "servicediscovery");

fn request(a: &str, field: &str, problem: impl ToString) -> ProviderError {
    ProviderError::Request {
        address: a.into(),
        field: field.into(),
        problem: problem.to_string(),
    }
}

fn log_group_arn(aws: &Aws, name: &str) -> String {
    format!(
        "arn:aws:logs:{}:{}:log-group:{name}",
        aws.region, aws.account_id
    )
}

pub(super) async fn create(aws: &Aws, t: &Target<'_>) -> Result<Outcome, ProviderError> {
    let (a, r) = (t.address, &t.req);
    match t.kind {
        "logs.log_group" => {
            let name = r.s("logGroupName")?;
            let tags: HashMap<String, String> = r.tags("tags").into_iter().collect();
            let res = aws
                .once
                .logs
                .create_log_group()
                .log_group_name(&name)
                .set_kms_key_id(r.os("kmsKeyId"))
                .set_tags(Some(tags))
                .send()
                .await
                .map_err(logs_err(a, "CreateLogGroup"));
            match res {
                Ok(_) => Ok(Outcome::new(&name).with("arn", log_group_arn(aws, &name))),
                Err(e) if e.is(&["ResourceAlreadyExistsException"]) => {
                    find(aws, t).await?.ok_or_else(|| {
                        request(
                            a,
                            "logGroupName",
                            format!(
                                "log group `{name}` already exists and is not owned by this stack"
                            ),
                        )
                    })
                }
                Err(e) => Err(e),
            }
        }
        "logs.retention_policy" => {
            let name = r.s("logGroupName")?;
            aws.c
                .logs
                .put_retention_policy()
                .log_group_name(&name)
                .retention_in_days(r.i("retentionInDays")?)
                .send()
                .await
                .map_err(logs_err(a, "PutRetentionPolicy"))?;
            Ok(Outcome::new(&name))
        }
        "application_autoscaling.scalable_target" => {
            use aws_sdk_applicationautoscaling::types::{ScalableDimension, ServiceNamespace};
            let resource_id = r.s("ResourceId")?;
            let dimension = r.s("ScalableDimension")?;
            let namespace = r.s("ServiceNamespace")?;
            let tags: HashMap<String, String> = r.tags("Tags").into_iter().collect();
            // RegisterScalableTarget creates or updates: retries are safe.
            let out = aws
                .c
                .autoscaling
                .register_scalable_target()
                .service_namespace(ServiceNamespace::from(namespace.as_str()))
                .resource_id(&resource_id)
                .scalable_dimension(ScalableDimension::from(dimension.as_str()))
                .set_min_capacity(r.oi("MinCapacity"))
                .set_max_capacity(r.oi("MaxCapacity"))
                .set_tags(Some(tags))
                .send()
                .await
                .map_err(scaling_err(a, "RegisterScalableTarget"))?;
            Ok(Outcome::new(&resource_id)
                .with("arn", out.scalable_target_arn().unwrap_or_default())
                .with("service_namespace", namespace)
                .with("scalable_dimension", dimension))
        }
        "application_autoscaling.scaling_policy" => {
            use aws_sdk_applicationautoscaling::types::{
                MetricType, PolicyType, PredefinedMetricSpecification, ScalableDimension,
                ServiceNamespace, TargetTrackingScalingPolicyConfiguration,
            };
            let (name, resource_id, dimension, namespace) = (
                r.s("PolicyName")?,
                r.s("ResourceId")?,
                r.s("ScalableDimension")?,
                r.s("ServiceNamespace")?,
            );
            let config = match r.obj("TargetTrackingScalingPolicyConfiguration") {
                Some(c) => {
                    let metric = match c.obj("PredefinedMetricSpecification") {
                        Some(m) => Some(
                            PredefinedMetricSpecification::builder()
                                .predefined_metric_type(MetricType::from(
                                    m.s("PredefinedMetricType")?.as_str(),
                                ))
                                .build()
                                .map_err(|e| request(a, "PredefinedMetricSpecification", e))?,
                        ),
                        None => None,
                    };
                    Some(
                        TargetTrackingScalingPolicyConfiguration::builder()
                            .set_target_value(c.of("TargetValue"))
                            .set_predefined_metric_specification(metric)
                            .set_scale_out_cooldown(c.oi("ScaleOutCooldown"))
                            .set_scale_in_cooldown(c.oi("ScaleInCooldown"))
                            .set_disable_scale_in(c.ob("DisableScaleIn"))
                            .build()
                            .map_err(|e| {
                                request(a, "TargetTrackingScalingPolicyConfiguration", e)
                            })?,
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
                .set_policy_type(r.os("PolicyType").map(|p| PolicyType::from(p.as_str())))
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
        "cloudwatch.alarm" => {
            use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, Statistic, Tag};
            let name = r.s("AlarmName")?;
            let dimensions: Vec<Dimension> = r
                .arr("Dimensions")
                .iter()
                .map(|d| {
                    let d = r.at(d);
                    Dimension::builder()
                        .set_name(d.os("Name"))
                        .set_value(d.os("Value"))
                        .build()
                })
                .collect();
            let tags: Vec<Tag> = r
                .tags("Tags")
                .into_iter()
                .map(|(k, v)| Tag::builder().key(k).value(v).build())
                .collect();
            let actions = r.ss("AlarmActions");
            // PutMetricAlarm creates or replaces: retries are safe.
            aws.c
                .cloudwatch
                .put_metric_alarm()
                .alarm_name(&name)
                .set_alarm_description(r.os("AlarmDescription"))
                .set_namespace(r.os("Namespace"))
                .set_metric_name(r.os("MetricName"))
                .set_statistic(r.os("Statistic").map(|s| Statistic::from(s.as_str())))
                .set_period(r.oi("Period"))
                .set_threshold(r.of("Threshold"))
                .set_comparison_operator(
                    r.os("ComparisonOperator")
                        .map(|s| ComparisonOperator::from(s.as_str())),
                )
                .set_evaluation_periods(r.oi("EvaluationPeriods"))
                .set_dimensions(Some(dimensions))
                .set_alarm_actions((!actions.is_empty()).then_some(actions))
                .set_treat_missing_data(r.os("TreatMissingData"))
                .set_tags(Some(tags))
                .send()
                .await
                .map_err(cw_err(a, "PutMetricAlarm"))?;
            Ok(Outcome::new(&name).with(
                "arn",
                format!(
                    "arn:aws:cloudwatch:{}:{}:alarm:{name}",
                    aws.region, aws.account_id
                ),
            ))
        }
        "secretsmanager.secret_ref" => {
            let out = aws
                .c
                .secrets
                .describe_secret()
                .secret_id(r.s("SecretId")?)
                .send()
                .await
                .map_err(secrets_err(a, "DescribeSecret"))?;
            let arn = out
                .arn()
                .ok_or_else(|| response(a, "secretsmanager:DescribeSecret", "ARN"))?;
            Ok(Outcome::new(arn)
                .with("arn", arn)
                .with("name", out.name().unwrap_or_default()))
        }
        "servicediscovery.http_namespace" => {
            use aws_sdk_servicediscovery::types::Tag;
            let name = r.s("Name")?;
            let tags = r
                .tags("Tags")
                .into_iter()
                .map(|(k, v)| {
                    Tag::builder()
                        .key(k)
                        .value(v)
                        .build()
                        .map_err(|e| request(a, "Tags", e))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let res = aws
                .once
                .discovery
                .create_http_namespace()
                .name(&name)
                .set_description(r.os("Description"))
                .creator_request_id(
                    format!("ecs-iac-{}-{}", t.stack, t.address)
                        .chars()
                        .take(64)
                        .collect::<String>(),
                )
                .set_tags(Some(tags))
                .send()
                .await
                .map_err(sd_err(a, "CreateHttpNamespace"));
            match res {
                Ok(out) => {
                    let operation = out.operation_id().ok_or_else(|| {
                        response(a, "servicediscovery:CreateHttpNamespace", "OperationId")
                    })?;
                    wait_operation(aws, a, operation).await?;
                    find(aws, t).await?.ok_or_else(|| {
                        response(a, "servicediscovery:ListNamespaces", "the new namespace")
                    })
                }
                Err(e) if e.is(&["NamespaceAlreadyExists"]) => {
                    find(aws, t).await?.ok_or_else(|| {
                        request(
                            a,
                            "Name",
                            format!(
                                "namespace `{name}` already exists and is not owned by this stack"
                            ),
                        )
                    })
                }
                Err(e) => Err(e),
            }
        }
        other => Err(unsupported(a, other)),
    }
}

async fn wait_operation(aws: &Aws, a: &str, operation: &str) -> Result<(), ProviderError> {
    use aws_sdk_servicediscovery::types::OperationStatus;
    aws.poll(a, "Cloud Map operation", || async {
        let out = aws
            .c
            .discovery
            .get_operation()
            .operation_id(operation)
            .send()
            .await
            .map_err(sd_err(a, "GetOperation"))?;
        let op = out.operation();
        Ok(match op.and_then(|o| o.status()) {
            Some(OperationStatus::Success) => Poll::Ready,
            Some(OperationStatus::Fail) => Poll::Failed(
                op.and_then(|o| o.error_message())
                    .unwrap_or("failed")
                    .to_string(),
            ),
            Some(s) => Poll::Pending(s.as_str().to_string()),
            None => Poll::Pending("unknown".into()),
        })
    })
    .await
}

/// What AWS has now for a log group (that it exists) or its retention; `None` when
/// the log group is gone.
pub(super) async fn observe(
    aws: &Aws,
    e: &Existing<'_>,
    applied: &serde_json::Value,
) -> Result<Option<serde_json::Value>, ProviderError> {
    let a = e.address;
    let name = match e.kind {
        "cloudwatch.alarm" => {
            let out = aws
                .c
                .cloudwatch
                .describe_alarms()
                .alarm_names(e.id)
                .send()
                .await
                .map_err(cw_err(a, "DescribeAlarms"))?;
            return Ok((!out.metric_alarms().is_empty()).then(|| serde_json::json!({})));
        }
        "application_autoscaling.scalable_target" => {
            let out = aws
                .c
                .autoscaling
                .describe_scalable_targets()
                .service_namespace(
                    aws_sdk_applicationautoscaling::types::ServiceNamespace::from(
                        e.attr("service_namespace")?.as_str(),
                    ),
                )
                .resource_ids(e.id)
                .send()
                .await
                .map_err(scaling_err(a, "DescribeScalableTargets"))?;
            return Ok((!out.scalable_targets().is_empty()).then(|| serde_json::json!({})));
        }
        "application_autoscaling.scaling_policy" => {
            let out = aws
                .c
                .autoscaling
                .describe_scaling_policies()
                .service_namespace(
                    aws_sdk_applicationautoscaling::types::ServiceNamespace::from(
                        e.attr("service_namespace")?.as_str(),
                    ),
                )
                .resource_id(e.attr("resource_id")?)
                .policy_names(e.attr("policy_name")?)
                .send()
                .await
                .map_err(scaling_err(a, "DescribeScalingPolicies"))?;
            return Ok((!out.scaling_policies().is_empty()).then(|| serde_json::json!({})));
        }
        "servicediscovery.http_namespace" => {
            return match aws
                .c
                .discovery
                .get_namespace()
                .id(e.id)
                .send()
                .await
                .map_err(sd_err(a, "GetNamespace"))
            {
                Ok(out) => Ok(out.namespace().map(|_| serde_json::json!({}))),
                Err(x) if x.is(&["NamespaceNotFound"]) => Ok(None),
                Err(x) => Err(x),
            };
        }
        "logs.log_group" => e.id.to_string(),
        "logs.retention_policy" => applied["logGroupName"].as_str().unwrap_or(e.id).to_string(),
        other => return Err(unsupported(a, other)),
    };
    let out = aws
        .c
        .logs
        .describe_log_groups()
        .log_group_name_prefix(&name)
        .send()
        .await
        .map_err(logs_err(a, "DescribeLogGroups"))?;
    let group = out
        .log_groups()
        .iter()
        .find(|g| g.log_group_name() == Some(name.as_str()));
    Ok(group.map(|g| match e.kind {
        "logs.retention_policy" => serde_json::json!({
            "logGroupName": name,
            "retentionInDays": g.retention_in_days(),
        }),
        _ => serde_json::json!({}),
    }))
}

pub(super) async fn find(aws: &Aws, t: &Target<'_>) -> Result<Option<Outcome>, ProviderError> {
    let (a, r) = (t.address, &t.req);
    match t.kind {
        "logs.log_group" => {
            let name = r.s("logGroupName")?;
            let arn = log_group_arn(aws, &name);
            match aws
                .c
                .logs
                .list_tags_for_resource()
                .resource_arn(&arn)
                .send()
                .await
                .map_err(logs_err(a, "ListTagsForResource"))
            {
                Ok(out) => {
                    let mine = out.tags().is_some_and(|tags| {
                        owned(
                            tags.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                            t.stack,
                            t.address,
                        )
                    });
                    Ok(mine.then(|| Outcome::new(&name).with("arn", arn)))
                }
                Err(e) if e.is(&["ResourceNotFoundException"]) => Ok(None),
                Err(e) => Err(e),
            }
        }
        "servicediscovery.http_namespace" => {
            let name = r.s("Name")?;
            let out = aws
                .c
                .discovery
                .list_namespaces()
                .send()
                .await
                .map_err(sd_err(a, "ListNamespaces"))?;
            let Some(ns) = out
                .namespaces()
                .iter()
                .find(|n| n.name() == Some(name.as_str()))
            else {
                return Ok(None);
            };
            let (Some(id), Some(arn)) = (ns.id(), ns.arn()) else {
                return Ok(None);
            };
            let tags = aws
                .c
                .discovery
                .list_tags_for_resource()
                .resource_arn(arn)
                .send()
                .await
                .map_err(sd_err(a, "ListTagsForResource"))?;
            let mine = owned(
                tags.tags().iter().map(|x| (x.key(), x.value())),
                t.stack,
                t.address,
            );
            Ok(mine.then(|| Outcome::new(id).with("arn", arn)))
        }
        _ => Ok(None),
    }
}

pub(super) async fn delete(aws: &Aws, e: &Existing<'_>) -> Result<(), ProviderError> {
    use aws_sdk_applicationautoscaling::types::{ScalableDimension, ServiceNamespace};
    let (a, id) = (e.address, e.id);
    let res = match e.kind {
        "logs.log_group" => aws
            .c
            .logs
            .delete_log_group()
            .log_group_name(id)
            .send()
            .await
            .map(drop)
            .map_err(logs_err(a, "DeleteLogGroup")),
        "logs.retention_policy" => aws
            .c
            .logs
            .delete_retention_policy()
            .log_group_name(id)
            .send()
            .await
            .map(drop)
            .map_err(logs_err(a, "DeleteRetentionPolicy")),
        "application_autoscaling.scalable_target" => aws
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
        "application_autoscaling.scaling_policy" => aws
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
        "cloudwatch.alarm" => aws
            .c
            .cloudwatch
            .delete_alarms()
            .alarm_names(id)
            .send()
            .await
            .map(drop)
            .map_err(cw_err(a, "DeleteAlarms")),
        "secretsmanager.secret_ref" => Ok(()),
        "servicediscovery.http_namespace" => match aws
            .c
            .discovery
            .delete_namespace()
            .id(id)
            .send()
            .await
            .map_err(sd_err(a, "DeleteNamespace"))
        {
            Ok(out) => match out.operation_id() {
                Some(op) => wait_operation(aws, a, op).await,
                None => Ok(()),
            },
            Err(x) => Err(x),
        },
        other => Err(unsupported(a, other)),
    };
    match res {
        Err(x)
            if x.is(&[
                "ResourceNotFoundException",
                "ObjectNotFoundException",
                "NamespaceNotFound",
            ]) =>
        {
            Ok(())
        }
        other => other,
    }
}

impl Aws {
    /// A secret's current value, for requests that need it (an RDS master password, an
    /// ElastiCache AUTH token). Kept in memory only; never logged or written.
    pub async fn secret_value(
        &self,
        address: &str,
        secret_id: &str,
    ) -> Result<String, ProviderError> {
        let out = self
            .c
            .secrets
            .get_secret_value()
            .secret_id(secret_id)
            .send()
            .await
            .map_err(secrets_err(address, "GetSecretValue"))?;
        out.secret_string()
            .map(str::to_string)
            .ok_or_else(|| response(address, "secretsmanager:GetSecretValue", "SecretString"))
    }
}
