//! CloudTrail: trails the stack owns, their logging and their Insights selectors.

use super::{gone_is_deleted, not_supported, owned, request, response, Existing, Outcome, Target};
use crate::body::Req;
use crate::clients::Aws;
use crate::error::ProviderError;
use aws_sdk_cloudtrail::types::{InsightSelector, InsightType, Tag};
use ecs_iac_core::kind::CloudTrailKind;
use serde_json::{json, Value};

sdk_err!(trail_err, aws_sdk_cloudtrail, "cloudtrail");

/// The errors of a trail that does not exist.
const GONE: [&str; 1] = ["TrailNotFoundException"];

/// The `[{"Key", "Value"}]` pairs at `field` as CloudTrail tags.
pub(super) fn trail_tags(r: &Req<'_>, field: &str) -> Result<Vec<Tag>, ProviderError> {
    r.tags(field)
        .into_iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|x| request(r.address, field, x))
}

fn trail_outcome(arn: &str, name: &str) -> Outcome {
    Outcome::new(arn).with("arn", arn).with("name", name)
}

pub(super) async fn create(
    aws: &Aws,
    k: CloudTrailKind,
    t: &Target<'_>,
) -> Result<Outcome, ProviderError> {
    let (a, r) = (t.address, &t.req);
    let c = &aws.c.cloudtrail;
    match k {
        CloudTrailKind::Trail => {
            let name = r.s("Name")?;
            let out = aws
                .once
                .cloudtrail
                .create_trail()
                .name(&name)
                .s3_bucket_name(r.s("S3BucketName")?)
                .set_s3_key_prefix(r.os("S3KeyPrefix"))
                .set_is_multi_region_trail(r.ob("IsMultiRegionTrail"))
                .set_enable_log_file_validation(r.ob("EnableLogFileValidation"))
                .set_include_global_service_events(r.ob("IncludeGlobalServiceEvents"))
                .set_kms_key_id(r.os("KmsKeyId"))
                .set_tags_list(Some(trail_tags(r, "TagsList")?))
                .send()
                .await
                .map_err(trail_err(a, "CreateTrail"));
            match out {
                Ok(out) => {
                    let arn = out
                        .trail_arn()
                        .ok_or_else(|| response(a, "cloudtrail:CreateTrail", "TrailARN"))?;
                    Ok(trail_outcome(arn, &name))
                }
                Err(x) if x.is(&["TrailAlreadyExistsException"]) => match ownership(aws, t, &name)
                    .await?
                {
                    Some((true, arn)) => Ok(trail_outcome(&arn, &name)),
                    _ => Err(request(
                        a,
                        "Name",
                        format!("trail `{name}` already exists and is not owned by this stack; import it or pick another name"),
                    )),
                },
                Err(x) => Err(x),
            }
        }
        CloudTrailKind::TrailLogging => {
            let name = r.s("Name")?;
            c.start_logging()
                .name(&name)
                .send()
                .await
                .map_err(trail_err(a, "StartLogging"))?;
            Ok(Outcome::new(name))
        }
        CloudTrailKind::InsightSelectors => {
            let name = r.s("TrailName")?;
            let selectors = r
                .arr("InsightSelectors")
                .iter()
                .filter_map(|s| r.at(s).os("InsightType"))
                .map(|kind| {
                    InsightSelector::builder()
                        .insight_type(InsightType::from(kind.as_str()))
                        .build()
                })
                .collect();
            c.put_insight_selectors()
                .trail_name(&name)
                .set_insight_selectors(Some(selectors))
                .send()
                .await
                .map_err(trail_err(a, "PutInsightSelectors"))?;
            Ok(Outcome::new(name))
        }
    }
}

/// Whether the trail `name` is this stack's and address's by its tags, and its ARN;
/// `None` when there is no such trail.
async fn ownership(
    aws: &Aws,
    t: &Target<'_>,
    name: &str,
) -> Result<Option<(bool, String)>, ProviderError> {
    let a = t.address;
    let c = &aws.c.cloudtrail;
    let trail = match c
        .get_trail()
        .name(name)
        .send()
        .await
        .map_err(trail_err(a, "GetTrail"))
    {
        Err(x) if x.is(&GONE) => return Ok(None),
        other => other?,
    };
    let Some(arn) = trail
        .trail()
        .and_then(|t| t.trail_arn())
        .map(str::to_string)
    else {
        return Ok(None);
    };
    let tags = c
        .list_tags()
        .resource_id_list(&arn)
        .send()
        .await
        .map_err(trail_err(a, "ListTags"))?;
    let ours = owned(
        tags.resource_tag_list()
            .iter()
            .flat_map(|r| r.tags_list())
            .map(|t| (t.key(), t.value().unwrap_or_default())),
        t.stack,
        t.address,
    );
    Ok(Some((ours, arn)))
}

/// Changes the trail's delivery and recording settings in place.
pub(super) async fn update(
    aws: &Aws,
    k: CloudTrailKind,
    t: &Target<'_>,
    e: &Existing<'_>,
) -> Result<Outcome, ProviderError> {
    let (a, r) = (t.address, &t.req);
    if k != CloudTrailKind::Trail {
        return Err(not_supported(a, t.kind, "modify"));
    }
    let changed = |field: &str| t.changed.iter().any(|c| c == field);
    let mut call = aws
        .c
        .cloudtrail
        .update_trail()
        .name(e.id)
        .s3_bucket_name(r.s("S3BucketName")?);
    if changed("S3KeyPrefix") {
        call = call.s3_key_prefix(r.os("S3KeyPrefix").unwrap_or_default());
    }
    if changed("IsMultiRegionTrail") {
        call = call.set_is_multi_region_trail(r.ob("IsMultiRegionTrail"));
    }
    if changed("EnableLogFileValidation") {
        call = call.set_enable_log_file_validation(r.ob("EnableLogFileValidation"));
    }
    if changed("IncludeGlobalServiceEvents") {
        call = call.set_include_global_service_events(r.ob("IncludeGlobalServiceEvents"));
    }
    if changed("KmsKeyId") {
        // An empty key id turns encryption off.
        call = call.kms_key_id(r.os("KmsKeyId").unwrap_or_default());
    }
    call.send().await.map_err(trail_err(a, "UpdateTrail"))?;
    Ok(e.unchanged())
}

/// What CloudTrail has now, in the request's shape; `None` when the trail is gone, it
/// is not logging, or it has no Insights selectors.
pub(super) async fn observe(
    aws: &Aws,
    k: CloudTrailKind,
    e: &Existing<'_>,
    _applied: &Value,
) -> Result<Option<Value>, ProviderError> {
    let (c, a) = (&aws.c.cloudtrail, e.address);
    match k {
        CloudTrailKind::Trail => {
            let out = match c
                .get_trail()
                .name(e.id)
                .send()
                .await
                .map_err(trail_err(a, "GetTrail"))
            {
                Err(x) if x.is(&GONE) => return Ok(None),
                other => other?,
            };
            Ok(out.trail().map(|t| {
                json!({
                    "Name": t.name(),
                    "S3BucketName": t.s3_bucket_name(),
                    "S3KeyPrefix": t.s3_key_prefix().filter(|p| !p.is_empty()),
                    "IsMultiRegionTrail": t.is_multi_region_trail(),
                    "EnableLogFileValidation": t.log_file_validation_enabled(),
                    "IncludeGlobalServiceEvents": t.include_global_service_events(),
                    "KmsKeyId": t.kms_key_id().filter(|k| !k.is_empty()),
                })
            }))
        }
        CloudTrailKind::TrailLogging => {
            let out = match c
                .get_trail_status()
                .name(e.id)
                .send()
                .await
                .map_err(trail_err(a, "GetTrailStatus"))
            {
                Err(x) if x.is(&GONE) => return Ok(None),
                other => other?,
            };
            Ok((out.is_logging() == Some(true)).then(|| json!({ "Name": e.id })))
        }
        CloudTrailKind::InsightSelectors => {
            let out = match c
                .get_insight_selectors()
                .trail_name(e.id)
                .send()
                .await
                .map_err(trail_err(a, "GetInsightSelectors"))
            {
                Err(x) if x.is(&GONE) || x.is(&["InsightNotEnabledException"]) => return Ok(None),
                other => other?,
            };
            let mut kinds: Vec<&str> = out
                .insight_selectors()
                .iter()
                .filter_map(|s| s.insight_type().map(|t| t.as_str()))
                .collect();
            // A set: AWS lists each type once (moto repeats the ones put again).
            kinds.sort_unstable();
            kinds.dedup();
            if kinds.is_empty() {
                return Ok(None);
            }
            let selectors: Vec<Value> = kinds
                .into_iter()
                .map(|k| json!({ "InsightType": k }))
                .collect();
            Ok(Some(
                json!({ "TrailName": e.id, "InsightSelectors": selectors }),
            ))
        }
    }
}

/// The trail of this stack and address, by its name and ownership tags.
pub(super) async fn find(
    aws: &Aws,
    k: CloudTrailKind,
    t: &Target<'_>,
) -> Result<Option<Outcome>, ProviderError> {
    if k != CloudTrailKind::Trail {
        return Ok(None);
    }
    let name = t.req.s("Name")?;
    Ok(match ownership(aws, t, &name).await? {
        Some((true, arn)) => Some(trail_outcome(&arn, &name)),
        _ => None,
    })
}

/// Deletes a trail, stops its logging, or removes its Insights selectors.
pub(super) async fn delete(
    aws: &Aws,
    k: CloudTrailKind,
    e: &Existing<'_>,
) -> Result<(), ProviderError> {
    let (c, a) = (&aws.c.cloudtrail, e.address);
    let res = match k {
        // By name, which AWS takes as well as the ARN (moto only the name).
        CloudTrailKind::Trail => c
            .delete_trail()
            .name(e.attr("name").unwrap_or_else(|_| e.id.to_string()))
            .send()
            .await
            .map(drop)
            .map_err(trail_err(a, "DeleteTrail")),
        CloudTrailKind::TrailLogging => c
            .stop_logging()
            .name(e.id)
            .send()
            .await
            .map(drop)
            .map_err(trail_err(a, "StopLogging")),
        CloudTrailKind::InsightSelectors => c
            .put_insight_selectors()
            .trail_name(e.id)
            .set_insight_selectors(Some(Vec::new()))
            .send()
            .await
            .map(drop)
            .map_err(trail_err(a, "PutInsightSelectors")),
    };
    match res {
        Err(x) if x.is(&GONE) => Ok(()),
        other => gone_is_deleted(other),
    }
}

/// Usable once the call returns.
pub(super) async fn wait_ready(
    _aws: &Aws,
    _k: CloudTrailKind,
    _t: &Target<'_>,
    _o: &mut Outcome,
) -> Result<(), ProviderError> {
    Ok(())
}
