//! CloudWatch Logs: log groups, their retention and their subscription filters.

use super::{gone_is_deleted, observed, owned, request, Existing, Outcome, Target};
use crate::clients::Aws;
use crate::error::ProviderError;
use ecs_iac_core::kind::LogsKind;
use ecs_iac_core::requests::logs::{
    CreateLogGroup, PutRetentionPolicy, PutSubscriptionFilter, PutSubscriptionFilterFields,
};
use std::collections::HashMap;

/// The AWS names of a subscription filter's request fields.
const SF: PutSubscriptionFilterFields = PutSubscriptionFilter::FIELD;

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
            let q: CreateLogGroup = r.decode()?;
            let name = r.required(q.log_group_name, CreateLogGroup::FIELD.log_group_name)?;
            let tags: HashMap<String, String> = r.tags("tags").into_iter().collect();
            let res = aws
                .once
                .logs
                .create_log_group()
                .log_group_name(&name)
                .set_kms_key_id(q.kms_key_id)
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
                            CreateLogGroup::FIELD.log_group_name,
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
            let q: PutSubscriptionFilter = r.decode()?;
            let group = r.required(q.log_group_name, SF.log_group_name)?;
            let filter = r.required(q.filter_name, SF.filter_name)?;
            aws.c
                .logs
                .put_subscription_filter()
                .log_group_name(&group)
                .filter_name(&filter)
                .filter_pattern(q.filter_pattern.unwrap_or_default())
                .destination_arn(r.required(q.destination_arn, SF.destination_arn)?)
                .set_role_arn(q.role_arn)
                .set_distribution(q.distribution.map(|d| d.as_str().into()))
                .send()
                .await
                .map_err(logs_err(a, "PutSubscriptionFilter"))?;
            Ok(Outcome::new(format!("{group}:{filter}")))
        }
        LogsKind::RetentionPolicy => {
            let q: PutRetentionPolicy = r.decode()?;
            let field = PutRetentionPolicy::FIELD;
            let name = r.required(q.log_group_name, field.log_group_name)?;
            aws.c
                .logs
                .put_retention_policy()
                .log_group_name(&name)
                .retention_in_days(r.required(q.retention_in_days, field.retention_in_days)?)
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
    if k == LogsKind::SubscriptionFilter {
        return observe_filter(aws, e, applied).await;
    }
    // Read as a batch of one.
    Ok(observe_batch(aws, k, &[(*e, applied)])
        .await?
        .pop()
        .flatten())
}

/// The name of the log group a log group or retention policy `e` is about.
fn group_name(k: LogsKind, e: &Existing<'_>, applied: &serde_json::Value) -> String {
    match k {
        LogsKind::SubscriptionFilter | LogsKind::LogGroup => e.id.to_string(),
        LogsKind::RetentionPolicy => applied[PutRetentionPolicy::FIELD.log_group_name]
            .as_str()
            .unwrap_or(e.id)
            .to_string(),
    }
}

/// A log group (or its retention) as refresh compares it.
fn group_seen(
    a: &str,
    k: LogsKind,
    name: &str,
    g: &aws_sdk_cloudwatchlogs::types::LogGroup,
) -> Result<serde_json::Value, ProviderError> {
    match k {
        LogsKind::RetentionPolicy => {
            let now = PutRetentionPolicy {
                log_group_name: Some(name.to_string()),
                retention_in_days: g.retention_in_days(),
            };
            observed(a, &now)
        }
        LogsKind::SubscriptionFilter | LogsKind::LogGroup => {
            observed(a, &CreateLogGroup::default())
        }
    }
}

/// The most log groups one DescribeLogGroups call names (`logGroupIdentifiers`).
const GROUPS_PER_CALL: usize = 50;

/// How refresh reads `k` in batches (see [`Aws::batch`]): log groups and retention
/// policies by 50 names; subscription filters one by one.
pub(super) fn batch(k: LogsKind) -> Option<(usize, String)> {
    match k {
        LogsKind::LogGroup | LogsKind::RetentionPolicy => Some((GROUPS_PER_CALL, String::new())),
        LogsKind::SubscriptionFilter => None,
    }
}

/// [`observe`] for up to 50 log groups (or retention policies) in one DescribeLogGroups
/// call naming them. The answer is paged through, in case an endpoint lists more than
/// it was asked for.
pub(super) async fn observe_batch(
    aws: &Aws,
    k: LogsKind,
    members: &[(Existing<'_>, &serde_json::Value)],
) -> Result<Vec<Option<serde_json::Value>>, ProviderError> {
    let Some((first, _)) = members.first() else {
        return Ok(Vec::new());
    };
    if k == LogsKind::SubscriptionFilter {
        return Err(super::not_supported(
            first.address,
            first.kind,
            "batched refresh",
        ));
    }
    let names: Vec<String> = members
        .iter()
        .map(|(e, applied)| group_name(k, e, applied))
        .collect();
    let mut found: HashMap<String, aws_sdk_cloudwatchlogs::types::LogGroup> = HashMap::new();
    let mut token = None;
    loop {
        let out = aws
            .c
            .logs
            .describe_log_groups()
            .set_log_group_identifiers(Some(names.clone()))
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(logs_err(first.address, "DescribeLogGroups"))?;
        for g in out.log_groups() {
            if let Some(name) = g.log_group_name().filter(|n| names.iter().any(|m| m == n)) {
                found.insert(name.to_string(), g.clone());
            }
        }
        let next = out.next_token().map(str::to_string);
        // Done when all are found, or the answer has no further page (or repeats its own).
        if next.is_none() || next == token || found.len() == names.len() {
            break;
        }
        token = next;
    }
    members
        .iter()
        .zip(&names)
        .map(|((e, _), name)| {
            found
                .get(name)
                .map(|g| group_seen(e.address, k, name, g))
                .transpose()
        })
        .collect()
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
    out.subscription_filters()
        .iter()
        .find(|f| f.filter_name() == Some(filter))
        .map(|f| {
            let now = PutSubscriptionFilter {
                log_group_name: Some(group.to_string()),
                filter_name: Some(filter.to_string()),
                filter_pattern: Some(f.filter_pattern().unwrap_or_default().to_string()),
                destination_arn: f.destination_arn().map(str::to_string),
                role_arn: f.role_arn().filter(|r| !r.is_empty()).map(str::to_string),
                // AWS reports its default, `ByLogStream`, for a request without one.
                distribution: f
                    .distribution()
                    .map(|d| d.as_str())
                    .filter(|d| *d != "ByLogStream" || applied.get(SF.distribution).is_some())
                    .map(str::to_string),
            };
            observed(e.address, &now)
        })
        .transpose()
}

pub(super) async fn find(
    aws: &Aws,
    k: LogsKind,
    t: &Target<'_>,
) -> Result<Option<Outcome>, ProviderError> {
    let (a, r) = (t.address, &t.req);
    match k {
        LogsKind::LogGroup => {
            let q: CreateLogGroup = r.decode()?;
            let name = r.required(q.log_group_name, CreateLogGroup::FIELD.log_group_name)?;
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
