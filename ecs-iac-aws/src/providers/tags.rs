//! Tags of existing resources: set and removed in place (a tag-only change needs no
//! replacement), and the ownership tags `import` puts on a resource made elsewhere.

use crate::clients::Aws;
use crate::error::ProviderError;

/// Kinds whose tags [`retag`] changes in place.
pub fn retaggable(kind: &str) -> bool {
    kind.starts_with("ec2.")
        || kind.starts_with("elbv2.")
        || matches!(
            kind,
            "iam.role"
                | "ecs.service"
                | "ecs.cluster"
                | "rds.db_instance"
                | "rds.db_subnet_group"
                | "logs.log_group"
        )
}

/// Sets the tags `set` and removes the keys `remove` on the resource `id` of `kind`.
pub(crate) async fn retag(
    aws: &Aws,
    address: &str,
    kind: &str,
    id: &str,
    set: &[(String, String)],
    remove: &[String],
) -> Result<(), ProviderError> {
    let arn = |service: &str, resource: String| {
        format!(
            "arn:aws:{service}:{}:{}:{resource}",
            aws.region, aws.account_id
        )
    };
    let (add, keys) = (!set.is_empty(), !remove.is_empty());
    match kind {
        k if k.starts_with("ec2.") => {
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
        k if k.starts_with("elbv2.") => {
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
        "iam.role" => {
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
        "ecs.service" | "ecs.cluster" => {
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
        "rds.db_instance" | "rds.db_subnet_group" => {
            let resource = match kind {
                "rds.db_instance" => arn("rds", format!("db:{id}")),
                _ => arn("rds", format!("subgrp:{id}")),
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
        "logs.log_group" => {
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
        other => {
            return Err(ProviderError::Request {
                address: address.to_string(),
                field: "tags".into(),
                problem: format!("the tags of `{other}` cannot be changed in place"),
            })
        }
    }
    Ok(())
}
