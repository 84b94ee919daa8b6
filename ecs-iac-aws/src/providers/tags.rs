//! Tags of existing resources: set and removed in place (a tag-only change needs no
//! replacement), and the ownership tags `import` puts on a resource made elsewhere.

use super::Existing;
use crate::clients::Aws;
use crate::error::ProviderError;
use ecs_iac_core::kind::{ElastiCacheKind, RdsKind};
use ecs_iac_core::Kind;

/// Sets the tags `set` and removes the keys `remove` with a service's `TagResource` and
/// `UntagResource`, naming the resource with `$target($id)` and building each tag with
/// `$tag::builder().$key(k).$value(v).build()` (fallible in these SDKs).
macro_rules! tag_resource {
    ($client:expr, $target:ident($id:expr), $tag:path { $key:ident, $value:ident }, $field:literal,
     $service:literal, ($address:expr, $set:expr, $remove:expr)) => {{
        let (c, address) = (&$client, $address);
        if !$set.is_empty() {
            let tags = $set
                .iter()
                .map(|(k, v)| <$tag>::builder().$key(k).$value(v).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|x| ProviderError::Request {
                    address: address.to_string(),
                    field: $field.into(),
                    problem: x.to_string(),
                })?;
            c.tag_resource()
                .$target($id)
                .set_tags(Some(tags))
                .send()
                .await
                .map_err(|e| {
                    ProviderError::from_sdk(address, concat!($service, ":TagResource"), e)
                })?;
        }
        if !$remove.is_empty() {
            c.untag_resource()
                .$target($id)
                .set_tag_keys(Some($remove.to_vec()))
                .send()
                .await
                .map_err(|e| {
                    ProviderError::from_sdk(address, concat!($service, ":UntagResource"), e)
                })?;
        }
    }};
}

/// Sets the tags `set` and removes the keys `remove` on the recorded resource `e`.
pub(crate) async fn retag(
    aws: &Aws,
    e: &Existing<'_>,
    set: &[(String, String)],
    remove: &[String],
) -> Result<(), ProviderError> {
    let (address, id) = (e.address, e.id);
    let arn = |service: &str, resource: String| aws.arn(service, &resource);
    // The ARN recorded on create or adoption; for an import (nothing recorded yet), the
    // one the id gives.
    let recorded_arn = |service: &str, resource: String| {
        e.attributes.get("arn").cloned().unwrap_or_else(|| {
            if id.starts_with("arn:") {
                id.to_string()
            } else {
                arn(service, resource)
            }
        })
    };
    let (add, keys) = (!set.is_empty(), !remove.is_empty());
    match e.kind {
        Kind::Ec2(_) => {
            let c = &aws.c.ec2;
            if add {
                let tags = set
                    .iter()
                    .map(|(k, v)| aws_sdk_ec2::types::Tag::builder().key(k).value(v).build());
                c.create_tags()
                    .resources(id)
                    .set_tags(Some(tags.collect()))
                    .send()
                    .await
                    .map_err(|e| ProviderError::from_sdk(address, "ec2:CreateTags", e))?;
            }
            if keys {
                let tags = remove
                    .iter()
                    .map(|k| aws_sdk_ec2::types::Tag::builder().key(k).build());
                c.delete_tags()
                    .resources(id)
                    .set_tags(Some(tags.collect()))
                    .send()
                    .await
                    .map_err(|e| ProviderError::from_sdk(address, "ec2:DeleteTags", e))?;
            }
        }
        Kind::Elbv2(_) => {
            let c = &aws.c.elbv2;
            if add {
                let tags = set.iter().map(|(k, v)| {
                    aws_sdk_elasticloadbalancingv2::types::Tag::builder()
                        .key(k)
                        .value(v)
                        .build()
                });
                c.add_tags()
                    .resource_arns(id)
                    .set_tags(Some(tags.collect()))
                    .send()
                    .await
                    .map_err(|e| {
                        ProviderError::from_sdk(address, "elasticloadbalancingv2:AddTags", e)
                    })?;
            }
            if keys {
                c.remove_tags()
                    .resource_arns(id)
                    .set_tag_keys(Some(remove.to_vec()))
                    .send()
                    .await
                    .map_err(|e| {
                        ProviderError::from_sdk(address, "elasticloadbalancingv2:RemoveTags", e)
                    })?;
            }
        }
        Kind::Iam(_) => {
            let c = &aws.c.iam;
            if add {
                let tags = set.iter().filter_map(|(k, v)| {
                    aws_sdk_iam::types::Tag::builder()
                        .key(k)
                        .value(v)
                        .build()
                        .ok()
                });
                c.tag_role()
                    .role_name(id)
                    .set_tags(Some(tags.collect()))
                    .send()
                    .await
                    .map_err(|e| ProviderError::from_sdk(address, "iam:TagRole", e))?;
            }
            if keys {
                c.untag_role()
                    .role_name(id)
                    .set_tag_keys(Some(remove.to_vec()))
                    .send()
                    .await
                    .map_err(|e| ProviderError::from_sdk(address, "iam:UntagRole", e))?;
            }
        }
        Kind::Ecs(_) => {
            let resource = if id.starts_with("arn:") {
                id.to_string()
            } else {
                arn("ecs", format!("cluster/{id}"))
            };
            let c = &aws.c.ecs;
            if add {
                let tags = set
                    .iter()
                    .map(|(k, v)| aws_sdk_ecs::types::Tag::builder().key(k).value(v).build());
                c.tag_resource()
                    .resource_arn(&resource)
                    .set_tags(Some(tags.collect()))
                    .send()
                    .await
                    .map_err(|e| ProviderError::from_sdk(address, "ecs:TagResource", e))?;
            }
            if keys {
                c.untag_resource()
                    .resource_arn(&resource)
                    .set_tag_keys(Some(remove.to_vec()))
                    .send()
                    .await
                    .map_err(|e| ProviderError::from_sdk(address, "ecs:UntagResource", e))?;
            }
        }
        Kind::Rds(k) => {
            let resource = match k {
                RdsKind::DbInstance => arn("rds", format!("db:{id}")),
                RdsKind::DbSubnetGroup => arn("rds", format!("subgrp:{id}")),
            };
            let c = &aws.c.rds;
            if add {
                let tags = set
                    .iter()
                    .map(|(k, v)| aws_sdk_rds::types::Tag::builder().key(k).value(v).build());
                c.add_tags_to_resource()
                    .resource_name(&resource)
                    .set_tags(Some(tags.collect()))
                    .send()
                    .await
                    .map_err(|e| ProviderError::from_sdk(address, "rds:AddTagsToResource", e))?;
            }
            if keys {
                c.remove_tags_from_resource()
                    .resource_name(&resource)
                    .set_tag_keys(Some(remove.to_vec()))
                    .send()
                    .await
                    .map_err(|e| {
                        ProviderError::from_sdk(address, "rds:RemoveTagsFromResource", e)
                    })?;
            }
        }
        Kind::Logs(_) => {
            let resource = arn("logs", format!("log-group:{id}"));
            let c = &aws.c.logs;
            if add {
                c.tag_resource()
                    .resource_arn(&resource)
                    .set_tags(Some(set.iter().cloned().collect()))
                    .send()
                    .await
                    .map_err(|e| ProviderError::from_sdk(address, "logs:TagResource", e))?;
            }
            if keys {
                c.untag_resource()
                    .resource_arn(&resource)
                    .set_tag_keys(Some(remove.to_vec()))
                    .send()
                    .await
                    .map_err(|e| ProviderError::from_sdk(address, "logs:UntagResource", e))?;
            }
        }
        Kind::ElastiCache(k) => {
            let resource = match k {
                ElastiCacheKind::ReplicationGroup => {
                    recorded_arn("elasticache", format!("replicationgroup:{id}"))
                }
                ElastiCacheKind::CacheSubnetGroup => {
                    arn("elasticache", format!("subnetgroup:{id}"))
                }
            };
            let c = &aws.c.elasticache;
            if add {
                let tags = set.iter().map(|(k, v)| {
                    aws_sdk_elasticache::types::Tag::builder()
                        .key(k)
                        .value(v)
                        .build()
                });
                c.add_tags_to_resource()
                    .resource_name(&resource)
                    .set_tags(Some(tags.collect()))
                    .send()
                    .await
                    .map_err(|e| {
                        ProviderError::from_sdk(address, "elasticache:AddTagsToResource", e)
                    })?;
            }
            if keys {
                c.remove_tags_from_resource()
                    .resource_name(&resource)
                    .set_tag_keys(Some(remove.to_vec()))
                    .send()
                    .await
                    .map_err(|e| {
                        ProviderError::from_sdk(address, "elasticache:RemoveTagsFromResource", e)
                    })?;
            }
        }
        Kind::CloudWatch(_) => {
            let resource = recorded_arn("cloudwatch", format!("alarm:{id}"));
            let c = &aws.c.cloudwatch;
            if add {
                let tags = set.iter().map(|(k, v)| {
                    aws_sdk_cloudwatch::types::Tag::builder()
                        .key(k)
                        .value(v)
                        .build()
                });
                c.tag_resource()
                    .resource_arn(&resource)
                    .set_tags(Some(tags.collect()))
                    .send()
                    .await
                    .map_err(|e| ProviderError::from_sdk(address, "cloudwatch:TagResource", e))?;
            }
            if keys {
                c.untag_resource()
                    .resource_arn(&resource)
                    .set_tag_keys(Some(remove.to_vec()))
                    .send()
                    .await
                    .map_err(|e| ProviderError::from_sdk(address, "cloudwatch:UntagResource", e))?;
            }
        }
        Kind::ApplicationAutoScaling(_) => {
            let resource = e.attr("arn")?;
            let c = &aws.c.autoscaling;
            if add {
                c.tag_resource()
                    .resource_arn(&resource)
                    .set_tags(Some(set.iter().cloned().collect()))
                    .send()
                    .await
                    .map_err(|e| {
                        ProviderError::from_sdk(address, "applicationautoscaling:TagResource", e)
                    })?;
            }
            if keys {
                c.untag_resource()
                    .resource_arn(&resource)
                    .set_tag_keys(Some(remove.to_vec()))
                    .send()
                    .await
                    .map_err(|e| {
                        ProviderError::from_sdk(address, "applicationautoscaling:UntagResource", e)
                    })?;
            }
        }
        Kind::ServiceDiscovery(_) => {
            let resource = e.attr("arn")?;
            tag_resource!(
                aws.c.discovery,
                resource_arn(&resource),
                aws_sdk_servicediscovery::types::Tag { key, value },
                "Tags",
                "servicediscovery",
                (address, set, remove)
            );
        }
        Kind::Ecr(_) if e.kind.spec().retag => {
            let resource = recorded_arn("ecr", format!("repository/{id}"));
            tag_resource!(
                aws.c.ecr,
                resource_arn(&resource),
                aws_sdk_ecr::types::Tag { key, value },
                "tags",
                "ecr",
                (address, set, remove)
            );
        }
        Kind::Sns(_) if e.kind.spec().retag => {
            tag_resource!(
                aws.c.sns,
                resource_arn(id),
                aws_sdk_sns::types::Tag { key, value },
                "Tags",
                "sns",
                (address, set, remove)
            );
        }
        Kind::Kms(_) if e.kind.spec().retag => {
            tag_resource!(
                aws.c.kms,
                key_id(id),
                aws_sdk_kms::types::Tag { tag_key, tag_value },
                "Tags",
                "kms",
                (address, set, remove)
            );
        }
        Kind::Wafv2(_) if e.kind.spec().retag => {
            tag_resource!(
                aws.c.wafv2,
                resource_arn(id),
                aws_sdk_wafv2::types::Tag { key, value },
                "Tags",
                "wafv2",
                (address, set, remove)
            );
        }
        Kind::SecretsManager(_) if e.kind.spec().retag => {
            let c = &aws.c.secrets;
            if !set.is_empty() {
                let tags = set
                    .iter()
                    .map(|(k, v)| {
                        aws_sdk_secretsmanager::types::Tag::builder()
                            .key(k)
                            .value(v)
                            .build()
                    })
                    .collect();
                c.tag_resource()
                    .secret_id(id)
                    .set_tags(Some(tags))
                    .send()
                    .await
                    .map_err(|e| {
                        ProviderError::from_sdk(address, "secretsmanager:TagResource", e)
                    })?;
            }
            if !remove.is_empty() {
                c.untag_resource()
                    .secret_id(id)
                    .set_tag_keys(Some(remove.to_vec()))
                    .send()
                    .await
                    .map_err(|e| {
                        ProviderError::from_sdk(address, "secretsmanager:UntagResource", e)
                    })?;
            }
        }
        Kind::CloudTrail(_) if e.kind.spec().retag => {
            let c = &aws.c.cloudtrail;
            if !set.is_empty() {
                let tags = set
                    .iter()
                    .map(|(k, v)| {
                        aws_sdk_cloudtrail::types::Tag::builder()
                            .key(k)
                            .value(v)
                            .build()
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|x| ProviderError::Request {
                        address: address.to_string(),
                        field: "TagsList".into(),
                        problem: x.to_string(),
                    })?;
                c.add_tags()
                    .resource_id(id)
                    .set_tags_list(Some(tags))
                    .send()
                    .await
                    .map_err(|e| ProviderError::from_sdk(address, "cloudtrail:AddTags", e))?;
            }
            if !remove.is_empty() {
                let keys = remove
                    .iter()
                    .map(|k| aws_sdk_cloudtrail::types::Tag::builder().key(k).build())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|x| ProviderError::Request {
                        address: address.to_string(),
                        field: "TagsList".into(),
                        problem: x.to_string(),
                    })?;
                c.remove_tags()
                    .resource_id(id)
                    .set_tags_list(Some(keys))
                    .send()
                    .await
                    .map_err(|e| ProviderError::from_sdk(address, "cloudtrail:RemoveTags", e))?;
            }
        }
        Kind::OpenSearch(_) => {
            let c = &aws.c.opensearch;
            let arn = e.attr("arn")?;
            if !set.is_empty() {
                let tags = set
                    .iter()
                    .map(|(k, v)| {
                        aws_sdk_opensearch::types::Tag::builder()
                            .key(k)
                            .value(v)
                            .build()
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|x| ProviderError::Request {
                        address: address.to_string(),
                        field: "TagList".into(),
                        problem: x.to_string(),
                    })?;
                c.add_tags()
                    .arn(&arn)
                    .set_tag_list(Some(tags))
                    .send()
                    .await
                    .map_err(|e| ProviderError::from_sdk(address, "opensearch:AddTags", e))?;
            }
            if !remove.is_empty() {
                c.remove_tags()
                    .arn(&arn)
                    .set_tag_keys(Some(remove.to_vec()))
                    .send()
                    .await
                    .map_err(|e| ProviderError::from_sdk(address, "opensearch:RemoveTags", e))?;
            }
        }
        Kind::SecretsManager(_)
        | Kind::CloudTrail(_)
        | Kind::Acm(_)
        | Kind::Kms(_)
        | Kind::Sns(_)
        | Kind::Ecr(_)
        | Kind::S3(_)
        | Kind::Wafv2(_) => {
            return Err(ProviderError::Request {
                address: address.to_string(),
                field: "tags".into(),
                problem: format!(
                    "`{}` is not owned by the stack: its tags are not changed",
                    e.kind
                ),
            })
        }
    }
    Ok(())
}
