//! CloudWatch: metric alarms.

use super::{gone_is_deleted, observed, Existing, Outcome, Target};
use crate::clients::Aws;
use crate::error::ProviderError;
use ecs_iac_core::kind::CloudWatchKind;
use ecs_iac_core::requests::cloudwatch::PutMetricAlarm;

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
            let q: PutMetricAlarm = r.decode()?;
            let name = r.required(q.alarm_name, PutMetricAlarm::FIELD.alarm_name)?;
            let dimensions: Vec<Dimension> = q
                .dimensions
                .unwrap_or_default()
                .into_iter()
                .map(|d| {
                    Dimension::builder()
                        .set_name(d.name)
                        .set_value(d.value)
                        .build()
                })
                .collect();
            let tags: Vec<Tag> = r
                .tags("Tags")
                .into_iter()
                .map(|(k, v)| Tag::builder().key(k).value(v).build())
                .collect();
            let actions = q.alarm_actions.unwrap_or_default();
            // PutMetricAlarm creates or replaces: retries are safe.
            aws.c
                .cloudwatch
                .put_metric_alarm()
                .alarm_name(&name)
                .set_alarm_description(q.alarm_description)
                .set_namespace(q.namespace)
                .set_metric_name(q.metric_name)
                .set_statistic(q.statistic.map(|s| Statistic::from(s.as_str())))
                .set_period(q.period)
                .set_threshold(q.threshold)
                .set_comparison_operator(
                    q.comparison_operator
                        .map(|s| ComparisonOperator::from(s.as_str())),
                )
                .set_evaluation_periods(q.evaluation_periods)
                .set_dimensions(Some(dimensions))
                .set_alarm_actions((!actions.is_empty()).then_some(actions))
                .set_treat_missing_data(q.treat_missing_data)
                .set_tags(Some(tags))
                .send()
                .await
                .map_err(cw_err(a, "PutMetricAlarm"))?;
            Ok(Outcome::new(&name).with("arn", aws.arn("cloudwatch", &format!("alarm:{name}"))))
        }
    }
}

/// Whether the alarm still exists (an empty body: its settings are not compared); `None`
/// when it is gone.
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
            if out.metric_alarms().is_empty() {
                return Ok(None);
            }
            observed(e.address, &PutMetricAlarm::default()).map(Some)
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
