//! CloudWatch Logs: log groups, their retention and their subscription filters.

use super::{gone_is_deleted, owned, request, Existing, Outcome, Target};
use crate::clients::Aws;
use crate::error::ProviderError;
use ecs_iac_core::kind::LogsKind;
use std::collections::HashMap;

sdk_err!(logs_err, aws_sdk_cloudwatchlogs, "logs");

fn log_group_arn(aws: &Aws, name: &str) -> String {
    aws.arn("logs", &format!("log-group:{name}"))
}

pub(super) async fn create(
    aws: &Aws,
    k: LogsKind,
    t: &Target<'_>,
) -> Result<Outcome, ProviderError> {
    let (a, r) = (t.address, &t.req);
    match k {
        LogsKind::LogGroup => {
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
                Ok(_) => Ok(Outcome::new(&name)
                    .with("arn", log_group_arn(aws, &name))
                    .with("name", &name)),
                Err(e) if e.is(&["ResourceAlreadyExistsException"]) => {
                    find(aws, k, t).await?.ok_or_else(|| {
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
        LogsKind::SubscriptionFilter => {
            let (group, filter) = (r.s("logGroupName")?, r.s("filterName")?);
            aws.c
                .logs
                .put_subscription_filter()
                .log_group_name(&group)
                .filter_name(&filter)
                .filter_pattern(r.os("filterPattern").unwrap_or_default())
                .destination_arn(r.s("destinationArn")?)
                .set_role_arn(r.os("roleArn"))
                .set_distribution(r.os("distribution").map(|d| d.as_str().into()))
                .send()
                .await
                .map_err(logs_err(a, "PutSubscriptionFilter"))?;
            Ok(Outcome::new(format!("{group}:{filter}")))
        }
        LogsKind::RetentionPolicy => {
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
    }
}

/// What AWS has now for a log group (that it exists) or its retention; `None` when
/// the log group is gone.
pub(super) async fn observe(
    aws: &Aws,
    k: LogsKind,
    e: &Existing<'_>,
    applied: &serde_json::Value,
) -> Result<Option<serde_json::Value>, ProviderError> {
    let a = e.address;
    if k == LogsKind::SubscriptionFilter {
        return observe_filter(aws, e, applied).await;
    }
    let name = match k {
        LogsKind::SubscriptionFilter | LogsKind::LogGroup => e.id.to_string(),
        LogsKind::RetentionPolicy => applied["logGroupName"].as_str().unwrap_or(e.id).to_string(),
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
    Ok(group.map(|g| match k {
        LogsKind::RetentionPolicy => serde_json::json!({
            "logGroupName": name,
            "retentionInDays": g.retention_in_days(),
        }),
        LogsKind::SubscriptionFilter | LogsKind::LogGroup => serde_json::json!({}),
    }))
}

/// A filter's id: `LOG_GROUP:FILTER` (neither holds a `:`).
fn filter_id(id: &str) -> (&str, &str) {
    id.split_once(':').unwrap_or((id, ""))
}

/// What a subscription filter is now, in the request's shape; `None` when it (or its log
/// group) is gone.
async fn observe_filter(
    aws: &Aws,
    e: &Existing<'_>,
    applied: &serde_json::Value,
) -> Result<Option<serde_json::Value>, ProviderError> {
    let (group, filter) = filter_id(e.id);
    let out = aws
        .c
        .logs
        .describe_subscription_filters()
        .log_group_name(group)
        .filter_name_prefix(filter)
        .send()
        .await
        .map_err(logs_err(e.address, "DescribeSubscriptionFilters"));
    let out = match out {
        Err(x) if x.is(&["ResourceNotFoundException"]) => return Ok(None),
        other => other?,
    };
    Ok(out
        .subscription_filters()
        .iter()
        .find(|f| f.filter_name() == Some(filter))
        .map(|f| {
            serde_json::json!({
                "logGroupName": group,
                "filterName": filter,
                "filterPattern": f.filter_pattern().unwrap_or_default(),
                "destinationArn": f.destination_arn(),
                "roleArn": f.role_arn().filter(|r| !r.is_empty()),
                // AWS reports its default, `ByLogStream`, for a request without one.
                "distribution": f
                    .distribution()
                    .map(|d| d.as_str())
                    .filter(|d| *d != "ByLogStream" || applied.get("distribution").is_some()),
            })
        }))
}

pub(super) async fn find(
    aws: &Aws,
    k: LogsKind,
    t: &Target<'_>,
) -> Result<Option<Outcome>, ProviderError> {
    let (a, r) = (t.address, &t.req);
    match k {
        LogsKind::LogGroup => {
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
                    Ok(mine.then(|| Outcome::new(&name).with("arn", arn).with("name", &name)))
                }
                Err(e) if e.is(&["ResourceNotFoundException"]) => Ok(None),
                Err(e) => Err(e),
            }
        }
        _ => Ok(None),
    }
}

pub(super) async fn delete(aws: &Aws, k: LogsKind, e: &Existing<'_>) -> Result<(), ProviderError> {
    let (a, id) = (e.address, e.id);
    let res = match k {
        LogsKind::LogGroup => aws
            .c
            .logs
            .delete_log_group()
            .log_group_name(id)
            .send()
            .await
            .map(drop)
            .map_err(logs_err(a, "DeleteLogGroup")),
        LogsKind::SubscriptionFilter => {
            let (group, filter) = filter_id(id);
            match aws
                .c
                .logs
                .delete_subscription_filter()
                .log_group_name(group)
                .filter_name(filter)
                .send()
                .await
                .map_err(logs_err(a, "DeleteSubscriptionFilter"))
            {
                Err(x) if x.is(&["ResourceNotFoundException"]) => Ok(()),
                other => other.map(drop),
            }
        }
        LogsKind::RetentionPolicy => aws
            .c
            .logs
            .delete_retention_policy()
            .log_group_name(id)
            .send()
            .await
            .map(drop)
            .map_err(logs_err(a, "DeleteRetentionPolicy")),
    };
    gone_is_deleted(res)
}

no_modify_call_and_nothing_to_wait_for!(LogsKind);
