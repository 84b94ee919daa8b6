//! CloudWatch: metric alarms.

use super::{gone_is_deleted, Existing, Outcome, Target};
use crate::clients::Aws;
use crate::error::ProviderError;
use ecs_iac_core::kind::CloudWatchKind;

sdk_err!(cw_err, aws_sdk_cloudwatch, "cloudwatch");

pub(super) async fn create(
    aws: &Aws,
    k: CloudWatchKind,
    t: &Target<'_>,
) -> Result<Outcome, ProviderError> {
    let (a, r) = (t.address, &t.req);
    match k {
        CloudWatchKind::Alarm => {
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
            Ok(Outcome::new(&name).with("arn", aws.arn("cloudwatch", &format!("alarm:{name}"))))
        }
    }
}

/// Whether the alarm still exists; `None` when it is gone.
pub(super) async fn observe(
    aws: &Aws,
    k: CloudWatchKind,
    e: &Existing<'_>,
    _applied: &serde_json::Value,
) -> Result<Option<serde_json::Value>, ProviderError> {
    match k {
        CloudWatchKind::Alarm => {
            let out = aws
                .c
                .cloudwatch
                .describe_alarms()
                .alarm_names(e.id)
                .send()
                .await
                .map_err(cw_err(e.address, "DescribeAlarms"))?;
            Ok((!out.metric_alarms().is_empty()).then(|| serde_json::json!({})))
        }
    }
}

/// Adopted by sending the create call again, which creates or overwrites.
pub(super) async fn find(
    _aws: &Aws,
    _k: CloudWatchKind,
    _t: &Target<'_>,
) -> Result<Option<Outcome>, ProviderError> {
    Ok(None)
}

pub(super) async fn delete(
    aws: &Aws,
    k: CloudWatchKind,
    e: &Existing<'_>,
) -> Result<(), ProviderError> {
    let (a, id) = (e.address, e.id);
    let res = match k {
        CloudWatchKind::Alarm => aws
            .c
            .cloudwatch
            .delete_alarms()
            .alarm_names(id)
            .send()
            .await
            .map(drop)
            .map_err(cw_err(a, "DeleteAlarms")),
    };
    gone_is_deleted(res)
}

no_modify_call_and_nothing_to_wait_for!(CloudWatchKind);
