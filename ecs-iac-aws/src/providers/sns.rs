//! SNS: topics the stack owns and their subscriptions, and existing topics it only
//! notifies.

use super::{
    gone_is_deleted, lookups, not_supported, observed, owned, request, Existing, Outcome, Target,
};
use crate::clients::Aws;
use crate::error::ProviderError;
use ecs_iac_core::kind::SnsKind;
use ecs_iac_core::requests::sns::{
    CreateTopic, CreateTopicFields, Subscribe, SubscribeFields, TopicAttributes,
};

sdk_err!(sns_err, aws_sdk_sns, "sns");

/// The AWS names of a topic's request fields.
const TOPIC: CreateTopicFields = CreateTopic::FIELD;
/// The AWS names of a subscription's request fields.
const SUBSCRIPTION: SubscribeFields = Subscribe::FIELD;

/// The topic's outcome from its ARN.
fn topic_outcome(arn: &str) -> Outcome {
    let name = arn.rsplit(':').next().unwrap_or_default();
    Outcome::new(arn).with("arn", arn).with("name", name)
}

pub(super) async fn create(
    aws: &Aws,
    k: SnsKind,
    t: &Target<'_>,
) -> Result<Outcome, ProviderError> {
    let (a, r) = (t.address, &t.req);
    match k {
        SnsKind::ExistingTopic => lookups::topic(aws, t).await,
        SnsKind::Topic => {
            let q: CreateTopic = r.decode()?;
            let name = r.required(q.name, TOPIC.name)?;
            // CreateTopic returns the existing topic's ARN for a name already taken, so a
            // topic someone else made is adopted only when its tags say it is ours.
            let arn = aws.arn("sns", &name);
            match ownership(aws, t, &arn).await? {
                Some(true) => return Ok(topic_outcome(&arn)),
                Some(false) => {
                    return Err(request(
                        a,
                        TOPIC.name,
                        format!("topic `{name}` already exists and is not owned by this stack; import it or pick another name"),
                    ))
                }
                None => {}
            }
            let tags = r
                .tags("Tags")
                .into_iter()
                .map(|(k, v)| aws_sdk_sns::types::Tag::builder().key(k).value(v).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|x| request(a, "Tags", x))?;
            // The attributes the stack sets; the others (policy, owner, counts) are AWS's.
            let attributes = q.attributes.map(|attrs| {
                attrs
                    .entries()
                    .into_iter()
                    .filter_map(|(key, value)| Some((key.to_string(), value?.to_string())))
                    .collect()
            });
            let out = aws
                .once
                .sns
                .create_topic()
                .name(&name)
                .set_attributes(attributes)
                .set_tags(Some(tags))
                .send()
                .await
                .map_err(sns_err(a, "CreateTopic"))?;
            let arn = out
                .topic_arn()
                .ok_or_else(|| super::response(a, "sns:CreateTopic", "TopicArn"))?;
            Ok(topic_outcome(arn))
        }
        SnsKind::Subscription => {
            let q: Subscribe = r.decode()?;
            let out = aws
                .c
                .sns
                .subscribe()
                .topic_arn(r.required(q.topic_arn, SUBSCRIPTION.topic_arn)?)
                .protocol(r.required(q.protocol, SUBSCRIPTION.protocol)?)
                .endpoint(r.required(q.endpoint, SUBSCRIPTION.endpoint)?)
                // The ARN also while the subscription waits for confirmation.
                .return_subscription_arn(q.return_subscription_arn.unwrap_or(true))
                .send()
                .await
                .map_err(sns_err(a, "Subscribe"))?;
            let arn = out
                .subscription_arn()
                .ok_or_else(|| super::response(a, "sns:Subscribe", "SubscriptionArn"))?;
            Ok(Outcome::new(arn).with("arn", arn))
        }
    }
}

/// Sets each managed topic attribute to its desired value, or clears it (`""`) when the
/// stack no longer sets it and AWS still has one.
pub(super) async fn update(
    aws: &Aws,
    k: SnsKind,
    t: &Target<'_>,
    e: &Existing<'_>,
) -> Result<Outcome, ProviderError> {
    let (a, c) = (t.address, &aws.c.sns);
    if k != SnsKind::Topic {
        return Err(not_supported(a, t.kind, "modify"));
    }
    let current = c
        .get_topic_attributes()
        .topic_arn(e.id)
        .send()
        .await
        .map_err(sns_err(a, "GetTopicAttributes"))?;
    let current = current.attributes().cloned().unwrap_or_default();
    let q: CreateTopic = t.req.decode()?;
    let desired = q.attributes.unwrap_or_default();
    for (key, want) in desired.entries() {
        let want = want.unwrap_or_default().to_string();
        let have = current.get(key).cloned().unwrap_or_default();
        if want != have {
            c.set_topic_attributes()
                .topic_arn(e.id)
                .attribute_name(key)
                .attribute_value(want)
                .send()
                .await
                .map_err(sns_err(a, "SetTopicAttributes"))?;
        }
    }
    Ok(e.unchanged())
}

/// What AWS has now: a topic's name and managed attributes (those it has a value for),
/// or that a subscription exists; `None` when it is gone.
pub(super) async fn observe(
    aws: &Aws,
    k: SnsKind,
    e: &Existing<'_>,
    _applied: &serde_json::Value,
) -> Result<Option<serde_json::Value>, ProviderError> {
    let (c, a) = (&aws.c.sns, e.address);
    let gone = ["NotFound", "NotFoundException"];
    match k {
        SnsKind::Topic => {
            let out = c
                .get_topic_attributes()
                .topic_arn(e.id)
                .send()
                .await
                .map_err(sns_err(a, "GetTopicAttributes"));
            let out = match out {
                Err(x) if x.is(&gone) => return Ok(None),
                other => other?,
            };
            let attrs = out.attributes().cloned().unwrap_or_default();
            let set = |key: &str| attrs.get(key).filter(|v| !v.is_empty()).cloned();
            let field = TopicAttributes::FIELD;
            let managed = TopicAttributes {
                display_name: set(field.display_name),
                kms_master_key_id: set(field.kms_master_key_id),
            };
            let name = e.id.rsplit(':').next().unwrap_or_default();
            let now = CreateTopic {
                name: Some(name.to_string()),
                attributes: (managed != TopicAttributes::default()).then_some(managed),
            };
            Ok(Some(observed(a, &now)?))
        }
        SnsKind::Subscription => {
            let out = c
                .get_subscription_attributes()
                .subscription_arn(e.id)
                .send()
                .await
                .map_err(sns_err(a, "GetSubscriptionAttributes"));
            match out {
                Err(x) if x.is(&gone) => Ok(None),
                Err(x) => Err(x),
                // The subscription's settings are not compared: only that it exists.
                Ok(_) => Ok(Some(observed(a, &Subscribe::default())?)),
            }
        }
        SnsKind::ExistingTopic => Err(not_supported(a, e.kind, "refresh")),
    }
}

/// The topic of this stack and address: the name's ARN, if its tags say it is ours.
pub(super) async fn find(
    aws: &Aws,
    k: SnsKind,
    t: &Target<'_>,
) -> Result<Option<Outcome>, ProviderError> {
    if k != SnsKind::Topic {
        return Ok(None);
    }
    let q: CreateTopic = t.req.decode()?;
    let arn = aws.arn("sns", &t.req.required(q.name, TOPIC.name)?);
    Ok((ownership(aws, t, &arn).await? == Some(true)).then(|| topic_outcome(&arn)))
}

/// Whether the topic `arn` is this stack's and address's by its tags; `None` when no
/// topic has that ARN.
async fn ownership(aws: &Aws, t: &Target<'_>, arn: &str) -> Result<Option<bool>, ProviderError> {
    let tags = aws
        .c
        .sns
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .map_err(sns_err(t.address, "ListTagsForResource"));
    let tags = match tags {
        Err(x)
            if x.is(&[
                "NotFound",
                "NotFoundException",
                "ResourceNotFound",
                "ResourceNotFoundException",
            ]) =>
        {
            return Ok(None)
        }
        other => other?,
    };
    Ok(Some(owned(
        tags.tags().iter().map(|x| (x.key(), x.value())),
        t.stack,
        t.address,
    )))
}

/// Deletes a topic (with its subscriptions) or one subscription; an existing topic is
/// only forgotten.
pub(super) async fn delete(aws: &Aws, k: SnsKind, e: &Existing<'_>) -> Result<(), ProviderError> {
    let (c, a) = (&aws.c.sns, e.address);
    let res = match k {
        SnsKind::ExistingTopic => return Ok(()),
        SnsKind::Topic => c
            .delete_topic()
            .topic_arn(e.id)
            .send()
            .await
            .map(drop)
            .map_err(sns_err(a, "DeleteTopic")),
        SnsKind::Subscription => c
            .unsubscribe()
            .subscription_arn(e.id)
            .send()
            .await
            .map(drop)
            .map_err(sns_err(a, "Unsubscribe")),
    };
    match res {
        Err(x) if x.is(&["NotFound", "NotFoundException"]) => Ok(()),
        other => gone_is_deleted(other),
    }
}

/// Usable once the call returns.
pub(super) async fn wait_ready(
    _aws: &Aws,
    _k: SnsKind,
    _t: &Target<'_>,
    _o: &mut Outcome,
) -> Result<(), ProviderError> {
    Ok(())
}
