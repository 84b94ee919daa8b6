//! S3: buckets the stack owns and the settings S3 keeps beside each (tags, block public
//! access, default encryption, versioning, lifecycle rules, policy).

use super::{gone_is_deleted, not_supported, observed, owned, request, Existing, Outcome, Target};
use crate::body::Req;
use crate::clients::Aws;
use crate::error::ProviderError;
use aws_sdk_s3::types as s3;
use ecs_iac_core::kind::S3Kind;
use ecs_iac_core::requests::s3 as q;
use ecs_iac_core::requests::s3::{
    CreateBucket, PutBucketEncryption, PutBucketLifecycleConfiguration, PutBucketPolicy,
    PutBucketTagging, PutBucketVersioning, PutPublicAccessBlock,
};
use serde_json::Value;

sdk_err!(s3_err, aws_sdk_s3, "s3");

/// The errors of a bucket that does not exist.
const NO_BUCKET: [&str; 2] = ["NoSuchBucket", "NotFound"];

/// The error S3 answers when a setting is not there, by kind.
const fn not_set(k: S3Kind) -> &'static str {
    match k {
        S3Kind::Bucket => "NotFound",
        S3Kind::BucketTagging => "NoSuchTagSet",
        S3Kind::PublicAccessBlock => "NoSuchPublicAccessBlockConfiguration",
        S3Kind::BucketEncryption => "ServerSideEncryptionConfigurationNotFoundError",
        S3Kind::BucketVersioning => "NoSuchBucketVersioning",
        S3Kind::BucketLifecycle => "NoSuchLifecycleConfiguration",
        S3Kind::BucketPolicy => "NoSuchBucketPolicy",
    }
}

/// A bucket's outcome: its name, ARN and regional domain name.
fn bucket_outcome(aws: &Aws, name: &str) -> Outcome {
    let partition = ecs_iac_core::resolve::partition(&aws.region);
    let suffix = if partition == "aws-cn" {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    Outcome::new(name)
        .with("arn", format!("arn:{partition}:s3:::{name}"))
        .with("name", name)
        .with(
            "regional_domain_name",
            format!("{name}.s3.{}.{suffix}", aws.region),
        )
}

/// Tags of a request (at `field`, for errors) as S3's.
fn tags(a: &str, field: &str, tags: Vec<q::Tag>) -> Result<Vec<s3::Tag>, ProviderError> {
    tags.into_iter()
        .map(|t| s3::Tag::builder().key(t.key).value(t.value).build())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|x| request(a, field, x))
}

/// The bucket every request of an S3 kind names (`Bucket`).
fn bucket_of(r: &Req<'_>) -> Result<String, ProviderError> {
    let field = CreateBucket::FIELD.bucket;
    r.required(r.decode_field::<String>(field)?, field)
}

pub(super) async fn create(aws: &Aws, k: S3Kind, t: &Target<'_>) -> Result<Outcome, ProviderError> {
    let (a, r) = (t.address, &t.req);
    let bucket = bucket_of(r)?;
    let c = &aws.c.s3;
    match k {
        S3Kind::Bucket => {
            let q: CreateBucket = r.decode()?;
            let configuration = q.create_bucket_configuration.unwrap_or_default();
            let location = configuration
                .location_constraint
                .filter(|l| l != "us-east-1");
            let ownership_tags = tags(
                a,
                CreateBucket::FIELD.create_bucket_configuration,
                configuration.tags.unwrap_or_default(),
            )?;
            let out = aws
                .once
                .s3
                .create_bucket()
                .bucket(&bucket)
                .create_bucket_configuration(
                    s3::CreateBucketConfiguration::builder()
                        .set_location_constraint(location.map(|l| l.as_str().into()))
                        .set_tags((!ownership_tags.is_empty()).then_some(ownership_tags))
                        .build(),
                )
                .set_object_ownership(q.object_ownership.map(|o| o.as_str().into()))
                .send()
                .await
                .map_err(s3_err(a, "CreateBucket"));
            match out {
                Ok(_) => Ok(bucket_outcome(aws, &bucket)),
                Err(x) if x.is(&["BucketAlreadyOwnedByYou"]) => {
                    match ownership(aws, t, &bucket).await? {
                        Some(true) => Ok(bucket_outcome(aws, &bucket)),
                        _ => Err(request(
                            a,
                            CreateBucket::FIELD.bucket,
                            format!("bucket `{bucket}` already exists in this account and is not owned by this stack; import it or pick another name"),
                        )),
                    }
                }
                Err(x) if x.is(&["BucketAlreadyExists"]) => Err(request(
                    a,
                    CreateBucket::FIELD.bucket,
                    format!("bucket name `{bucket}` is taken by another AWS account (bucket names are global); pick another"),
                )),
                Err(x) => Err(x),
            }
        }
        S3Kind::BucketTagging => {
            const TAGGING: &str = PutBucketTagging::FIELD.tagging;
            let q: PutBucketTagging = r.decode()?;
            let tagging = r.required(q.tagging, TAGGING)?;
            let set = tags(a, TAGGING, tagging.tag_set.unwrap_or_default())?;
            c.put_bucket_tagging()
                .bucket(&bucket)
                .tagging(
                    s3::Tagging::builder()
                        .set_tag_set(Some(set))
                        .build()
                        .map_err(|x| request(a, TAGGING, x))?,
                )
                .send()
                .await
                .map_err(s3_err(a, "PutBucketTagging"))?;
            Ok(Outcome::new(bucket))
        }
        S3Kind::PublicAccessBlock => {
            let q: PutPublicAccessBlock = r.decode()?;
            let p = r.required(
                q.public_access_block_configuration,
                PutPublicAccessBlock::FIELD.public_access_block_configuration,
            )?;
            c.put_public_access_block()
                .bucket(&bucket)
                .public_access_block_configuration(
                    s3::PublicAccessBlockConfiguration::builder()
                        .set_block_public_acls(p.block_public_acls)
                        .set_ignore_public_acls(p.ignore_public_acls)
                        .set_block_public_policy(p.block_public_policy)
                        .set_restrict_public_buckets(p.restrict_public_buckets)
                        .build(),
                )
                .send()
                .await
                .map_err(s3_err(a, "PutPublicAccessBlock"))?;
            Ok(Outcome::new(bucket))
        }
        S3Kind::BucketEncryption => {
            const CONFIG: &str = PutBucketEncryption::FIELD.server_side_encryption_configuration;
            let q: PutBucketEncryption = r.decode()?;
            let config = r.required(q.server_side_encryption_configuration, CONFIG)?;
            let mut rules = Vec::new();
            for rule in config.rules.unwrap_or_default() {
                let default = rule
                    .apply_server_side_encryption_by_default
                    .map(|d| {
                        s3::ServerSideEncryptionByDefault::builder()
                            .set_sse_algorithm(d.sse_algorithm.map(|s| s.as_str().into()))
                            .set_kms_master_key_id(d.kms_master_key_id)
                            .build()
                    })
                    .transpose()
                    .map_err(|x| request(a, CONFIG, x))?;
                rules.push(
                    s3::ServerSideEncryptionRule::builder()
                        .set_apply_server_side_encryption_by_default(default)
                        .set_bucket_key_enabled(rule.bucket_key_enabled)
                        .build(),
                );
            }
            c.put_bucket_encryption()
                .bucket(&bucket)
                .server_side_encryption_configuration(
                    s3::ServerSideEncryptionConfiguration::builder()
                        .set_rules(Some(rules))
                        .build()
                        .map_err(|x| request(a, CONFIG, x))?,
                )
                .send()
                .await
                .map_err(s3_err(a, "PutBucketEncryption"))?;
            Ok(Outcome::new(bucket))
        }
        S3Kind::BucketVersioning => {
            let q: PutBucketVersioning = r.decode()?;
            let status = q
                .versioning_configuration
                .and_then(|v| v.status)
                .unwrap_or_else(|| "Enabled".into());
            put_versioning(aws, a, &bucket, &status).await?;
            Ok(Outcome::new(bucket))
        }
        S3Kind::BucketLifecycle => {
            const CONFIG: &str = PutBucketLifecycleConfiguration::FIELD.lifecycle_configuration;
            let q: PutBucketLifecycleConfiguration = r.decode()?;
            let config = r.required(q.lifecycle_configuration, CONFIG)?;
            let rules = config
                .rules
                .unwrap_or_default()
                .into_iter()
                .map(lifecycle_rule)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|x| {
                    let rules = q::LifecycleConfiguration::FIELD.rules;
                    request(a, &format!("{CONFIG}.{rules}"), x)
                })?;
            c.put_bucket_lifecycle_configuration()
                .bucket(&bucket)
                .lifecycle_configuration(
                    s3::BucketLifecycleConfiguration::builder()
                        .set_rules(Some(rules))
                        .build()
                        .map_err(|x| request(a, CONFIG, x))?,
                )
                .send()
                .await
                .map_err(s3_err(a, "PutBucketLifecycleConfiguration"))?;
            Ok(Outcome::new(bucket))
        }
        S3Kind::BucketPolicy => {
            let q: PutBucketPolicy = r.decode()?;
            c.put_bucket_policy()
                .bucket(&bucket)
                .policy(r.required(q.policy, PutBucketPolicy::FIELD.policy)?)
                .send()
                .await
                .map_err(s3_err(a, "PutBucketPolicy"))?;
            Ok(Outcome::new(bucket))
        }
    }
}

async fn put_versioning(
    aws: &Aws,
    address: &str,
    bucket: &str,
    status: &str,
) -> Result<(), ProviderError> {
    aws.c
        .s3
        .put_bucket_versioning()
        .bucket(bucket)
        .versioning_configuration(
            s3::VersioningConfiguration::builder()
                .status(status.into())
                .build(),
        )
        .send()
        .await
        .map(drop)
        .map_err(s3_err(address, "PutBucketVersioning"))
}

/// One rendered lifecycle rule as the SDK's.
fn lifecycle_rule(rule: q::LifecycleRule) -> Result<s3::LifecycleRule, String> {
    let prefix = rule.filter.and_then(|f| f.prefix).unwrap_or_default();
    let transitions = rule
        .transitions
        .unwrap_or_default()
        .into_iter()
        .map(|tr| {
            s3::Transition::builder()
                .set_days(tr.days)
                .set_storage_class(tr.storage_class.map(|s| s.as_str().into()))
                .build()
        })
        .collect::<Vec<_>>();
    s3::LifecycleRule::builder()
        .set_id(rule.id)
        .status(
            rule.status
                .unwrap_or_else(|| "Enabled".into())
                .as_str()
                .into(),
        )
        .filter(s3::LifecycleRuleFilter::builder().prefix(prefix).build())
        .set_expiration(
            rule.expiration
                .and_then(|e| e.days)
                .map(|d| s3::LifecycleExpiration::builder().days(d).build()),
        )
        .set_noncurrent_version_expiration(
            rule.noncurrent_version_expiration
                .and_then(|e| e.noncurrent_days)
                .map(|d| {
                    s3::NoncurrentVersionExpiration::builder()
                        .noncurrent_days(d)
                        .build()
                }),
        )
        .set_abort_incomplete_multipart_upload(
            rule.abort_incomplete_multipart_upload
                .and_then(|e| e.days_after_initiation)
                .map(|d| {
                    s3::AbortIncompleteMultipartUpload::builder()
                        .days_after_initiation(d)
                        .build()
                }),
        )
        .set_transitions((!transitions.is_empty()).then_some(transitions))
        .build()
        .map_err(|e| e.to_string())
}

/// A lifecycle rule S3 reports, in the shape the request has.
fn lifecycle_request(rule: &s3::LifecycleRule) -> q::LifecycleRule {
    let prefix = rule
        .filter()
        .and_then(|f| f.prefix())
        .or(
            #[allow(deprecated)]
            rule.prefix(),
        )
        .unwrap_or_default();
    let transitions: Vec<q::Transition> = rule
        .transitions()
        .iter()
        .map(|t| q::Transition {
            days: t.days(),
            storage_class: t.storage_class().map(|s| s.as_str().to_string()),
        })
        .collect();
    q::LifecycleRule {
        id: rule.id().map(str::to_string),
        status: Some(rule.status().as_str().to_string()),
        filter: Some(q::LifecycleRuleFilter {
            prefix: Some(prefix.to_string()),
        }),
        expiration: rule
            .expiration()
            .and_then(|e| e.days())
            .map(|days| q::LifecycleExpiration { days: Some(days) }),
        noncurrent_version_expiration: rule
            .noncurrent_version_expiration()
            .and_then(|e| e.noncurrent_days())
            .map(|days| q::NoncurrentVersionExpiration {
                noncurrent_days: Some(days),
            }),
        abort_incomplete_multipart_upload: rule
            .abort_incomplete_multipart_upload()
            .and_then(|e| e.days_after_initiation())
            .map(|days| q::AbortIncompleteMultipartUpload {
                days_after_initiation: Some(days),
            }),
        transitions: (!transitions.is_empty()).then_some(transitions),
    }
}

/// Changes who owns uploaded objects.
pub(super) async fn update(
    aws: &Aws,
    k: S3Kind,
    t: &Target<'_>,
    e: &Existing<'_>,
) -> Result<Outcome, ProviderError> {
    let a = t.address;
    if k != S3Kind::Bucket {
        return Err(not_supported(a, t.kind, "modify"));
    }
    const OWNERSHIP: &str = CreateBucket::FIELD.object_ownership;
    let q: CreateBucket = t.req.decode()?;
    let ownership = t.req.required(q.object_ownership, OWNERSHIP)?;
    aws.c
        .s3
        .put_bucket_ownership_controls()
        .bucket(e.id)
        .ownership_controls(
            s3::OwnershipControls::builder()
                .rules(
                    s3::OwnershipControlsRule::builder()
                        .object_ownership(ownership.as_str().into())
                        .build()
                        .map_err(|x| request(a, OWNERSHIP, x))?,
                )
                .build()
                .map_err(|x| request(a, OWNERSHIP, x))?,
        )
        .send()
        .await
        .map_err(s3_err(a, "PutBucketOwnershipControls"))?;
    Ok(e.unchanged())
}

/// What S3 has now, in the request's shape; `None` when the bucket or the setting is
/// gone.
pub(super) async fn observe(
    aws: &Aws,
    k: S3Kind,
    e: &Existing<'_>,
    applied: &Value,
) -> Result<Option<Value>, ProviderError> {
    let (c, a) = (&aws.c.s3, e.address);
    let bucket = e.id;
    let gone = |x: &ProviderError| x.is(&NO_BUCKET) || x.is(&[not_set(k)]);
    macro_rules! read {
        ($call:expr, $op:literal) => {
            match $call.send().await.map_err(s3_err(a, $op)) {
                Err(x) if gone(&x) => return Ok(None),
                other => other?,
            }
        };
    }
    let bucket_name = Some(bucket.to_string());
    let seen = match k {
        S3Kind::Bucket => {
            read!(c.head_bucket().bucket(bucket), "HeadBucket");
            let ownership = c
                .get_bucket_ownership_controls()
                .bucket(bucket)
                .send()
                .await
                .map_err(s3_err(a, "GetBucketOwnershipControls"));
            let ownership = match ownership {
                Err(x) if x.is(&["OwnershipControlsNotFoundError"]) => None,
                other => other?
                    .ownership_controls()
                    .and_then(|o| o.rules().first())
                    .map(|r| r.object_ownership().as_str().to_string()),
            };
            // The location and the ownership tags are fixed at create.
            let configuration = applied
                .get(CreateBucket::FIELD.create_bucket_configuration)
                .and_then(|c| serde_json::from_value(c.clone()).ok());
            observed(
                a,
                &CreateBucket {
                    bucket: bucket_name,
                    create_bucket_configuration: configuration,
                    object_ownership: ownership,
                },
            )?
        }
        S3Kind::BucketTagging => {
            let out = read!(c.get_bucket_tagging().bucket(bucket), "GetBucketTagging");
            let tags: Vec<q::Tag> = out
                .tag_set()
                .iter()
                .map(|t| q::Tag {
                    key: t.key().to_string(),
                    value: t.value().to_string(),
                })
                .collect();
            observed(
                a,
                &PutBucketTagging {
                    bucket: bucket_name,
                    tagging: Some(q::Tagging {
                        tag_set: Some(tags),
                    }),
                },
            )?
        }
        S3Kind::PublicAccessBlock => {
            let out = read!(
                c.get_public_access_block().bucket(bucket),
                "GetPublicAccessBlock"
            );
            let p = out.public_access_block_configuration();
            let on = |v: Option<bool>| Some(v.unwrap_or(false));
            observed(
                a,
                &PutPublicAccessBlock {
                    bucket: bucket_name,
                    public_access_block_configuration: Some(q::PublicAccessBlockConfiguration {
                        block_public_acls: on(p.and_then(|p| p.block_public_acls())),
                        ignore_public_acls: on(p.and_then(|p| p.ignore_public_acls())),
                        block_public_policy: on(p.and_then(|p| p.block_public_policy())),
                        restrict_public_buckets: on(p.and_then(|p| p.restrict_public_buckets())),
                    }),
                },
            )?
        }
        S3Kind::BucketEncryption => {
            let out = read!(
                c.get_bucket_encryption().bucket(bucket),
                "GetBucketEncryption"
            );
            let rules: Vec<q::ServerSideEncryptionRule> = out
                .server_side_encryption_configuration()
                .map(|c| c.rules())
                .unwrap_or_default()
                .iter()
                .map(|rule| q::ServerSideEncryptionRule {
                    apply_server_side_encryption_by_default: Some(
                        rule.apply_server_side_encryption_by_default()
                            .map(|d| q::ServerSideEncryptionByDefault {
                                sse_algorithm: Some(d.sse_algorithm().as_str().to_string()),
                                kms_master_key_id: d.kms_master_key_id().map(str::to_string),
                            })
                            .unwrap_or_default(),
                    ),
                    // AWS reports `false` for rules that never asked for Bucket Keys.
                    bucket_key_enabled: (rule.bucket_key_enabled() == Some(true)).then_some(true),
                })
                .collect();
            observed(
                a,
                &PutBucketEncryption {
                    bucket: bucket_name,
                    server_side_encryption_configuration: Some(
                        q::ServerSideEncryptionConfiguration { rules: Some(rules) },
                    ),
                },
            )?
        }
        S3Kind::BucketVersioning => {
            let out = c
                .get_bucket_versioning()
                .bucket(bucket)
                .send()
                .await
                .map_err(s3_err(a, "GetBucketVersioning"));
            let out = match out {
                Err(x) if gone(&x) => return Ok(None),
                // An answer without an error code that the SDK cannot read: moto names
                // the document's root `GetBucketVersioningResponse` instead of AWS's
                // `VersioningConfiguration`. Versioning is then taken as applied.
                Err(x) if x.is(&["Unknown"]) => {
                    tracing::warn!(address = %a, error = %x, "GetBucketVersioning answered a document the SDK cannot read; versioning is not compared");
                    return Ok(Some(applied.clone()));
                }
                other => other?,
            };
            match out.status() {
                None => return Ok(None),
                Some(status) => observed(
                    a,
                    &PutBucketVersioning {
                        bucket: bucket_name,
                        versioning_configuration: Some(q::VersioningConfiguration {
                            status: Some(status.as_str().to_string()),
                        }),
                    },
                )?,
            }
        }
        S3Kind::BucketLifecycle => {
            let out = read!(
                c.get_bucket_lifecycle_configuration().bucket(bucket),
                "GetBucketLifecycleConfiguration"
            );
            let rules: Vec<q::LifecycleRule> = out.rules().iter().map(lifecycle_request).collect();
            observed(
                a,
                &PutBucketLifecycleConfiguration {
                    bucket: bucket_name,
                    lifecycle_configuration: Some(q::LifecycleConfiguration { rules: Some(rules) }),
                },
            )?
        }
        S3Kind::BucketPolicy => {
            let out = read!(c.get_bucket_policy().bucket(bucket), "GetBucketPolicy");
            observed(
                a,
                &PutBucketPolicy {
                    bucket: bucket_name,
                    policy: out.policy().map(str::to_string),
                },
            )?
        }
    };
    Ok(Some(seen))
}

/// The bucket of this stack and address: its name, if its tags say it is ours.
pub(super) async fn find(
    aws: &Aws,
    k: S3Kind,
    t: &Target<'_>,
) -> Result<Option<Outcome>, ProviderError> {
    if k != S3Kind::Bucket {
        return Ok(None);
    }
    let bucket = bucket_of(&t.req)?;
    Ok((ownership(aws, t, &bucket).await? == Some(true)).then(|| bucket_outcome(aws, &bucket)))
}

/// Whether the bucket `bucket` of this account is this stack's and address's by its
/// tags; `None` when this account has no such bucket.
async fn ownership(aws: &Aws, t: &Target<'_>, bucket: &str) -> Result<Option<bool>, ProviderError> {
    let a = t.address;
    match aws
        .c
        .s3
        .head_bucket()
        .bucket(bucket)
        .send()
        .await
        .map_err(s3_err(a, "HeadBucket"))
    {
        Err(x) if x.is(&NO_BUCKET) => return Ok(None),
        // Another account's bucket.
        Err(x) if x.is(&["Forbidden", "AccessDenied", "403"]) => return Ok(Some(false)),
        other => other?,
    };
    let tags = aws
        .c
        .s3
        .get_bucket_tagging()
        .bucket(bucket)
        .send()
        .await
        .map_err(s3_err(a, "GetBucketTagging"));
    let tags = match tags {
        Err(x) if x.is(&["NoSuchTagSet"]) => return Ok(Some(false)),
        other => other?,
    };
    Ok(Some(owned(
        tags.tag_set().iter().map(|t| (t.key(), t.value())),
        t.stack,
        t.address,
    )))
}

/// Deletes a bucket (emptied first when the state says it may be, else only when empty)
/// or removes a setting (versioning is suspended: S3 cannot turn it off).
pub(super) async fn delete(aws: &Aws, k: S3Kind, e: &Existing<'_>) -> Result<(), ProviderError> {
    let (c, a, bucket) = (&aws.c.s3, e.address, e.id);
    let res = match k {
        S3Kind::Bucket => delete_bucket(aws, e).await,
        S3Kind::BucketTagging => c
            .delete_bucket_tagging()
            .bucket(bucket)
            .send()
            .await
            .map(drop)
            .map_err(s3_err(a, "DeleteBucketTagging")),
        S3Kind::PublicAccessBlock => c
            .delete_public_access_block()
            .bucket(bucket)
            .send()
            .await
            .map(drop)
            .map_err(s3_err(a, "DeletePublicAccessBlock")),
        S3Kind::BucketEncryption => c
            .delete_bucket_encryption()
            .bucket(bucket)
            .send()
            .await
            .map(drop)
            .map_err(s3_err(a, "DeleteBucketEncryption")),
        S3Kind::BucketVersioning => put_versioning(aws, a, bucket, "Suspended").await,
        S3Kind::BucketLifecycle => c
            .delete_bucket_lifecycle()
            .bucket(bucket)
            .send()
            .await
            .map(drop)
            .map_err(s3_err(a, "DeleteBucketLifecycle")),
        S3Kind::BucketPolicy => c
            .delete_bucket_policy()
            .bucket(bucket)
            .send()
            .await
            .map(drop)
            .map_err(s3_err(a, "DeleteBucketPolicy")),
    };
    match res {
        Err(x) if x.is(&NO_BUCKET) || x.is(&[not_set(k)]) => Ok(()),
        other => gone_is_deleted(other),
    }
}

async fn delete_bucket(aws: &Aws, e: &Existing<'_>) -> Result<(), ProviderError> {
    let (c, a, bucket) = (&aws.c.s3, e.address, e.id);
    let first = c
        .delete_bucket()
        .bucket(bucket)
        .send()
        .await
        .map(drop)
        .map_err(s3_err(a, "DeleteBucket"));
    match first {
        Err(x) if x.is(&["BucketNotEmpty"]) => {}
        other => return other,
    }
    if !e.deletion.empty_first {
        return Err(request(
            a,
            CreateBucket::FIELD.bucket,
            format!("bucket `{bucket}` still holds objects, so it is not deleted; empty it (`aws s3 rm s3://{bucket} --recursive`, and every version of a versioned bucket), or add `.empty_on_delete()` to the bucket and apply before deleting it"),
        ));
    }
    empty(aws, a, bucket).await?;
    c.delete_bucket()
        .bucket(bucket)
        .send()
        .await
        .map(drop)
        .map_err(s3_err(a, "DeleteBucket"))
}

/// Deletes every object version and delete marker of `bucket`, 1000 at a time.
async fn empty(aws: &Aws, address: &str, bucket: &str) -> Result<(), ProviderError> {
    let c = &aws.c.s3;
    loop {
        let page = c
            .list_object_versions()
            .bucket(bucket)
            .send()
            .await
            .map_err(s3_err(address, "ListObjectVersions"))?;
        let versions = page
            .versions()
            .iter()
            .map(|v| (v.key(), v.version_id()))
            .chain(
                page.delete_markers()
                    .iter()
                    .map(|m| (m.key(), m.version_id())),
            );
        let ids = versions
            .filter_map(|(key, version)| {
                s3::ObjectIdentifier::builder()
                    .set_key(key.map(str::to_string))
                    .set_version_id(version.map(str::to_string))
                    .build()
                    .ok()
            })
            .take(1000)
            .collect::<Vec<_>>();
        if ids.is_empty() {
            return Ok(());
        }
        let out = c
            .delete_objects()
            .bucket(bucket)
            .delete(
                s3::Delete::builder()
                    .set_objects(Some(ids))
                    .quiet(true)
                    .build()
                    .map_err(|x| request(address, CreateBucket::FIELD.bucket, x))?,
            )
            .send()
            .await
            .map_err(s3_err(address, "DeleteObjects"))?;
        if let Some(err) = out.errors().first() {
            return Err(request(
                address,
                CreateBucket::FIELD.bucket,
                format!(
                    "emptying bucket `{bucket}`: object `{}` was not deleted: {}",
                    err.key().unwrap_or_default(),
                    err.message().unwrap_or_default()
                ),
            ));
        }
    }
}

/// Usable once the call returns.
pub(super) async fn wait_ready(
    _aws: &Aws,
    _k: S3Kind,
    _t: &Target<'_>,
    _o: &mut Outcome,
) -> Result<(), ProviderError> {
    Ok(())
}
