//! CloudWatch Logs: log groups and their retention.

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
    let name = match k {
        LogsKind::LogGroup => e.id.to_string(),
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
        LogsKind::LogGroup => serde_json::json!({}),
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
