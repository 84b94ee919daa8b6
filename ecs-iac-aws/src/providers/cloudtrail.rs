//! CloudTrail: trails the stack owns, their logging and their Insights selectors.

use super::{
    gone_is_deleted, not_supported, observed, owned, request, response, Existing, Outcome, Target,
};
use crate::body::Req;
use crate::clients::Aws;
use crate::error::ProviderError;
use aws_sdk_cloudtrail::types::{InsightType, Tag};
use ecs_iac_core::kind::CloudTrailKind;
use ecs_iac_core::requests::cloudtrail::{
    CreateTrail, CreateTrailFields, InsightSelector, PutInsightSelectors, StartLogging,
};
use serde_json::Value;

sdk_err!(trail_err, aws_sdk_cloudtrail, "cloudtrail");

/// The AWS names of a trail's request fields.
const TRAIL: CreateTrailFields = CreateTrail::FIELD;

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
            let q: CreateTrail = r.decode()?;
            let name = r.required(q.name, TRAIL.name)?;
            let out = aws
                .once
                .cloudtrail
                .create_trail()
                .name(&name)
                .s3_bucket_name(r.required(q.s3_bucket_name, TRAIL.s3_bucket_name)?)
                .set_s3_key_prefix(q.s3_key_prefix)
                .set_is_multi_region_trail(q.is_multi_region_trail)
                .set_enable_log_file_validation(q.enable_log_file_validation)
                .set_include_global_service_events(q.include_global_service_events)
                .set_kms_key_id(q.kms_key_id)
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
                        TRAIL.name,
                        format!("trail `{name}` already exists and is not owned by this stack; import it or pick another name"),
                    )),
                },
                Err(x) => Err(x),
            }
        }
        CloudTrailKind::TrailLogging => {
            let q: StartLogging = r.decode()?;
            let name = r.required(q.name, StartLogging::FIELD.name)?;
            c.start_logging()
                .name(&name)
                .send()
                .await
                .map_err(trail_err(a, "StartLogging"))?;
            Ok(Outcome::new(name))
        }
        CloudTrailKind::InsightSelectors => {
            let q: PutInsightSelectors = r.decode()?;
            let name = r.required(q.trail_name, PutInsightSelectors::FIELD.trail_name)?;
            let selectors = q
                .insight_selectors
                .unwrap_or_default()
                .into_iter()
                .filter_map(|s| s.insight_type)
                .map(|kind| {
                    aws_sdk_cloudtrail::types::InsightSelector::builder()
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
    let q: CreateTrail = r.decode()?;
    let changed = |field: &str| t.changed.iter().any(|c| c == field);
    let mut call = aws
        .c
        .cloudtrail
        .update_trail()
        .name(e.id)
        .s3_bucket_name(r.required(q.s3_bucket_name, TRAIL.s3_bucket_name)?);
    if changed(TRAIL.s3_key_prefix) {
        call = call.s3_key_prefix(q.s3_key_prefix.unwrap_or_default());
    }
    if changed(TRAIL.is_multi_region_trail) {
        call = call.set_is_multi_region_trail(q.is_multi_region_trail);
    }
    if changed(TRAIL.enable_log_file_validation) {
        call = call.set_enable_log_file_validation(q.enable_log_file_validation);
    }
    if changed(TRAIL.include_global_service_events) {
        call = call.set_include_global_service_events(q.include_global_service_events);
    }
    if changed(TRAIL.kms_key_id) {
        // An empty key id turns encryption off.
        call = call.kms_key_id(q.kms_key_id.unwrap_or_default());
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
            let Some(t) = out.trail() else {
                return Ok(None);
            };
            let text = |v: Option<&str>| v.filter(|v| !v.is_empty()).map(str::to_string);
            let now = CreateTrail {
                name: t.name().map(str::to_string),
                s3_bucket_name: t.s3_bucket_name().map(str::to_string),
                s3_key_prefix: text(t.s3_key_prefix()),
                is_multi_region_trail: t.is_multi_region_trail(),
                enable_log_file_validation: t.log_file_validation_enabled(),
                include_global_service_events: t.include_global_service_events(),
                kms_key_id: text(t.kms_key_id()),
            };
            Ok(Some(observed(a, &now)?))
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
            if out.is_logging() != Some(true) {
                return Ok(None);
            }
            let now = StartLogging {
                name: Some(e.id.to_string()),
            };
            Ok(Some(observed(a, &now)?))
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
            let now = PutInsightSelectors {
                trail_name: Some(e.id.to_string()),
                insight_selectors: Some(
                    kinds
                        .into_iter()
                        .map(|k| InsightSelector {
                            insight_type: Some(k.to_string()),
                        })
                        .collect(),
                ),
            };
            Ok(Some(observed(a, &now)?))
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
    let q: CreateTrail = t.req.decode()?;
    let name = t.req.required(q.name, TRAIL.name)?;
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
