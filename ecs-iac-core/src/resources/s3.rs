//! S3 buckets: public access blocked, default encryption, versioning, object ownership,
//! lifecycle rules and a bucket policy from typed statements, each a request of its own
//! (as S3's API has them), so each changes in place.

use super::iam::{HasArn, PolicyDocument, Principal, Statement};
use super::kms::KmsKey;
use crate::diagnostic::Rule;
use crate::kind::Kind;
use crate::lower::{placeholder, protection_setters, tag_setter, Cx, Protection, ResourceSpec};
use crate::requests::s3::{
    AbortIncompleteMultipartUpload, CreateBucket, CreateBucketConfiguration,
    LifecycleConfiguration, LifecycleExpiration, LifecycleRule, LifecycleRuleFilter,
    NoncurrentVersionExpiration, PublicAccessBlockConfiguration, PutBucketEncryption,
    PutBucketLifecycleConfiguration, PutBucketPolicy, PutBucketTagging, PutBucketVersioning,
    PutPublicAccessBlock, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration,
    ServerSideEncryptionRule, Tag, Tagging, Transition, VersioningConfiguration,
};
use crate::stack::{Meta, Ref};
use crate::value::Attr;

/// An S3 bucket (general purpose). Public access is blocked, objects are encrypted with
/// SSE-S3 and owned by the bucket owner (ACLs off) unless said otherwise. Its objects are
/// data: a plan that would replace or delete it is blocked unless `.allow_replacement()`
/// / `.allow_destroy()`, and a bucket that still holds objects is not deleted unless
/// [`Bucket::empty_on_delete`].
///
/// ```
/// use ecs_iac_core::prelude::*;
///
/// let mut stack = Stack::new("shop").region("eu-west-1");
/// let bucket = stack.add(
///     Bucket::new("app-bucket", "shop-app-bucket-0042")
///         .versioning(true)
///         .deny_insecure_transport()
///         .deny_unencrypted_uploads()
///         .lifecycle(BucketLifecycleRule::new("expire-tmp").prefix("tmp/").expire_after_days(7)),
/// );
/// let app = stack.add(Role::new("app", Principal::ecs_tasks()));
/// stack.grant(bucket.grant_read(&app)).unwrap();
/// let synth = synth(&stack).unwrap();
/// let block = &synth.node("app-bucket#public-access-block").unwrap().body;
/// assert_eq!(block["PublicAccessBlockConfiguration"]["BlockPublicPolicy"], true);
/// let policy = &synth.node("app-bucket#policy").unwrap().body["Policy"];
/// assert!(policy.as_str().unwrap().contains("aws:SecureTransport"));
/// ```
#[derive(Debug, Clone)]
pub struct Bucket {
    pub(crate) meta: Meta,
    pub(crate) bucket_name: String,
    pub(crate) encryption: BucketEncryption,
    pub(crate) versioning: bool,
    pub(crate) public_access: PublicAccessBlock,
    pub(crate) ownership: ObjectOwnership,
    pub(crate) lifecycle: Vec<BucketLifecycleRule>,
    pub(crate) policy: PolicyDocument,
    pub(crate) deny_insecure_transport: bool,
    pub(crate) deny_unencrypted_uploads: bool,
    pub(crate) protection: Protection,
}

/// How objects are encrypted at rest by default.
#[derive(Debug, Clone, PartialEq)]
pub enum BucketEncryption {
    /// SSE-S3: keys S3 manages (AES-256). AWS's default.
    S3Managed,
    /// SSE-KMS with AWS's `aws/s3` key.
    AwsManagedKms,
    /// SSE-KMS with a key of the stack (owned or existing), with S3 Bucket Keys on.
    Kms(Ref<KmsKey>),
}

impl BucketEncryption {
    /// SSE-KMS with `key`.
    pub fn kms(key: &Ref<KmsKey>) -> BucketEncryption {
        BucketEncryption::Kms(key.clone())
    }

    /// The `x-amz-server-side-encryption` value uploads use.
    fn header(&self) -> &'static str {
        match self {
            BucketEncryption::S3Managed => "AES256",
            BucketEncryption::AwsManagedKms | BucketEncryption::Kms(_) => "aws:kms",
        }
    }
}

/// The bucket's four block-public-access settings (all on by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicAccessBlock {
    /// Refuse requests that set public ACLs.
    pub block_public_acls: bool,
    /// Ignore public ACLs on the bucket and its objects.
    pub ignore_public_acls: bool,
    /// Refuse bucket policies that grant public access.
    pub block_public_policy: bool,
    /// Only AWS services and the owner's principals reach a bucket with a public policy.
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    /// All four on.
    pub const ALL: PublicAccessBlock = PublicAccessBlock {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
    };

    /// Whether all four are on.
    pub fn is_all(&self) -> bool {
        *self == PublicAccessBlock::ALL
    }
}

/// Who owns uploaded objects (and whether ACLs apply).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectOwnership {
    /// The bucket owner owns every object; ACLs are off (AWS's default, and what AWS
    /// recommends).
    BucketOwnerEnforced,
    /// The bucket owner owns objects uploaded with `bucket-owner-full-control`.
    BucketOwnerPreferred,
    /// The uploading account owns its objects; ACLs apply.
    ObjectWriter,
}

impl ObjectOwnership {
    fn as_str(self) -> &'static str {
        match self {
            ObjectOwnership::BucketOwnerEnforced => "BucketOwnerEnforced",
            ObjectOwnership::BucketOwnerPreferred => "BucketOwnerPreferred",
            ObjectOwnership::ObjectWriter => "ObjectWriter",
        }
    }
}

/// A storage class objects move to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum StorageClass {
    StandardIa,
    OnezoneIa,
    IntelligentTiering,
    GlacierInstantRetrieval,
    Glacier,
    DeepArchive,
}

impl StorageClass {
    fn as_str(self) -> &'static str {
        match self {
            StorageClass::StandardIa => "STANDARD_IA",
            StorageClass::OnezoneIa => "ONEZONE_IA",
            StorageClass::IntelligentTiering => "INTELLIGENT_TIERING",
            StorageClass::GlacierInstantRetrieval => "GLACIER_IR",
            StorageClass::Glacier => "GLACIER",
            StorageClass::DeepArchive => "DEEP_ARCHIVE",
        }
    }

    /// The fewest days after creation S3 accepts for a transition to this class.
    fn minimum_days(self) -> u32 {
        match self {
            StorageClass::StandardIa | StorageClass::OnezoneIa => 30,
            _ => 0,
        }
    }
}

/// One lifecycle rule: what happens to the objects under a prefix as they age.
#[derive(Debug, Clone, PartialEq)]
pub struct BucketLifecycleRule {
    pub(crate) id: String,
    pub(crate) prefix: String,
    pub(crate) expire_days: Option<u32>,
    pub(crate) noncurrent_expire_days: Option<u32>,
    pub(crate) abort_incomplete_upload_days: Option<u32>,
    pub(crate) transitions: Vec<(u32, StorageClass)>,
}

impl BucketLifecycleRule {
    /// A rule named `id` (unique in the bucket, at most 255 characters) for every object.
    pub fn new(id: impl Into<String>) -> BucketLifecycleRule {
        BucketLifecycleRule {
            id: id.into(),
            prefix: String::new(),
            expire_days: None,
            noncurrent_expire_days: None,
            abort_incomplete_upload_days: None,
            transitions: Vec::new(),
        }
    }

    /// Only objects whose key starts with `prefix`.
    #[must_use]
    pub fn prefix(mut self, prefix: impl Into<String>) -> BucketLifecycleRule {
        self.prefix = prefix.into();
        self
    }

    /// Deletes objects `days` after they were created (a versioned bucket keeps them as
    /// noncurrent versions).
    #[must_use]
    pub fn expire_after_days(mut self, days: u32) -> BucketLifecycleRule {
        self.expire_days = Some(days);
        self
    }

    /// Deletes noncurrent versions `days` after they became noncurrent.
    #[must_use]
    pub fn expire_noncurrent_after_days(mut self, days: u32) -> BucketLifecycleRule {
        self.noncurrent_expire_days = Some(days);
        self
    }

    /// Aborts multipart uploads still incomplete `days` after they started.
    #[must_use]
    pub fn abort_incomplete_uploads_after_days(mut self, days: u32) -> BucketLifecycleRule {
        self.abort_incomplete_upload_days = Some(days);
        self
    }

    /// Moves objects to `class` `days` after they were created.
    #[must_use]
    pub fn transition(mut self, days: u32, class: StorageClass) -> BucketLifecycleRule {
        self.transitions.push((days, class));
        self
    }

    fn problem(&self) -> Option<String> {
        if self.id.is_empty() || self.id.chars().count() > 255 {
            return Some("a rule id has 1 to 255 characters".into());
        }
        if self.expire_days.is_none()
            && self.noncurrent_expire_days.is_none()
            && self.abort_incomplete_upload_days.is_none()
            && self.transitions.is_empty()
        {
            return Some(format!("rule `{}` does nothing: give it an expiration, a transition or an abort of incomplete uploads", self.id));
        }
        let days = [
            self.expire_days,
            self.noncurrent_expire_days,
            self.abort_incomplete_upload_days,
        ];
        if days.iter().flatten().any(|d| *d == 0) {
            return Some(format!(
                "rule `{}` counts 0 days; S3 needs at least 1",
                self.id
            ));
        }
        for (days, class) in &self.transitions {
            if *days < class.minimum_days() {
                return Some(format!(
                    "rule `{}` moves objects to {} after {days} days; S3 needs at least {}",
                    self.id,
                    class.as_str(),
                    class.minimum_days()
                ));
            }
            if self.expire_days.is_some_and(|e| e <= *days) {
                return Some(format!(
                    "rule `{}` expires objects before (or when) they move to {}",
                    self.id,
                    class.as_str()
                ));
            }
        }
        None
    }

    /// The rule as `PutBucketLifecycleConfiguration` takes it.
    fn to_request(&self) -> LifecycleRule {
        let days = |d: u32| i32::try_from(d).ok();
        let transitions: Vec<Transition> = self
            .transitions
            .iter()
            .map(|(d, class)| Transition {
                days: days(*d),
                storage_class: Some(class.as_str().to_string()),
            })
            .collect();
        LifecycleRule {
            id: Some(self.id.clone()),
            status: Some("Enabled".into()),
            filter: Some(LifecycleRuleFilter {
                prefix: Some(self.prefix.clone()),
            }),
            expiration: self
                .expire_days
                .map(|d| LifecycleExpiration { days: days(d) }),
            noncurrent_version_expiration: self.noncurrent_expire_days.map(|d| {
                NoncurrentVersionExpiration {
                    noncurrent_days: days(d),
                }
            }),
            abort_incomplete_multipart_upload: self.abort_incomplete_upload_days.map(|d| {
                AbortIncompleteMultipartUpload {
                    days_after_initiation: days(d),
                }
            }),
            transitions: (!transitions.is_empty()).then_some(transitions),
        }
    }
}

impl Bucket {
    /// A bucket the stack owns, named `bucket_name`: 3 to 63 lower-case letters, digits,
    /// `.` and `-`, unique across all of AWS. It may hold `${aws.account_id}` (e.g.
    /// `"app-logs-${aws.account_id}"`, [`ACCOUNT_ID`](crate::ACCOUNT_ID)) and
    /// `${aws.region}`, filled in at apply.
    pub fn new(name: impl Into<String>, bucket_name: impl Into<String>) -> Bucket {
        Bucket {
            meta: Meta::new(name),
            bucket_name: bucket_name.into(),
            encryption: BucketEncryption::S3Managed,
            versioning: false,
            public_access: PublicAccessBlock::ALL,
            ownership: ObjectOwnership::BucketOwnerEnforced,
            lifecycle: Vec::new(),
            policy: PolicyDocument::new(),
            deny_insecure_transport: false,
            deny_unencrypted_uploads: false,
            protection: Protection::default(),
        }
    }

    /// Default encryption of new objects (SSE-S3 unless set).
    #[must_use]
    pub fn encryption(mut self, encryption: BucketEncryption) -> Bucket {
        self.encryption = encryption;
        self
    }

    /// Keeps every version of every object (once on, a bucket can only be suspended).
    #[must_use]
    pub fn versioning(mut self, enabled: bool) -> Bucket {
        self.versioning = enabled;
        self
    }

    /// The four block-public-access settings (all on unless set): turning one off is
    /// reported by lint.
    #[must_use]
    pub fn public_access_block(mut self, settings: PublicAccessBlock) -> Bucket {
        self.public_access = settings;
        self
    }

    /// Who owns uploaded objects ([`ObjectOwnership::BucketOwnerEnforced`] unless set).
    #[must_use]
    pub fn object_ownership(mut self, ownership: ObjectOwnership) -> Bucket {
        self.ownership = ownership;
        self
    }

    /// Adds a lifecycle rule.
    #[must_use]
    pub fn lifecycle(mut self, rule: BucketLifecycleRule) -> Bucket {
        self.lifecycle.push(rule);
        self
    }

    /// Adds a statement to the bucket policy. Each names its principal; one without
    /// resources applies to the bucket and its objects.
    #[must_use]
    pub fn policy(mut self, statement: Statement) -> Bucket {
        self.policy = self.policy.statement(statement);
        self
    }

    /// Denies every request not made over TLS (`aws:SecureTransport` false), for everyone.
    #[must_use]
    pub fn deny_insecure_transport(mut self) -> Bucket {
        self.deny_insecure_transport = true;
        self
    }

    /// Denies uploads that do not ask for the bucket's server-side encryption
    /// (`s3:x-amz-server-side-encryption` other than `AES256`, or `aws:kms` for a KMS
    /// bucket): seed 002's `DenyUnencryptedObjectUploads`. Clients must then send the
    /// header with every upload.
    #[must_use]
    pub fn deny_unencrypted_uploads(mut self) -> Bucket {
        self.deny_unencrypted_uploads = true;
        self
    }

    /// Lets a delete remove every object (and every version) first. Without it, deleting
    /// a bucket that still holds objects is refused, saying how to empty it. The state
    /// records it, so it also applies once the bucket has left the stack.
    #[must_use]
    pub fn empty_on_delete(mut self) -> Bucket {
        self.protection.deletion.empty_first = true;
        self
    }

    /// The bucket's name.
    pub fn bucket_name(&self) -> &str {
        &self.bucket_name
    }

    /// Whether all four block-public-access settings are on.
    pub fn blocks_public_access(&self) -> bool {
        self.public_access.is_all()
    }

    /// Whether the policy denies requests not made over TLS.
    pub fn requires_tls(&self) -> bool {
        self.deny_insecure_transport
    }

    /// Whether new objects are encrypted with a KMS key.
    pub fn uses_kms(&self) -> bool {
        !matches!(self.encryption, BucketEncryption::S3Managed)
    }

    /// The bucket's ARN, known before apply.
    fn arn_in(&self, cx: &Cx<'_>) -> String {
        format!("arn:{}:s3:::{}", cx.partition(), self.bucket_name)
    }

    /// The bucket policy: the library's statements, then the user's (a statement without
    /// resources covers the bucket and its objects).
    fn policy_document(&self, cx: &Cx<'_>) -> PolicyDocument {
        let arn = self.arn_in(cx);
        let objects = format!("{arn}/*");
        let mut document = PolicyDocument::new();
        if self.deny_insecure_transport {
            document = document.statement(
                Statement::deny(["s3:*"])
                    .sid("DenyInsecureTransport")
                    .principal(Principal::Any)
                    .resource(arn.clone())
                    .resource(objects.clone())
                    .condition("Bool", "aws:SecureTransport", ["false"]),
            );
        }
        if self.deny_unencrypted_uploads {
            document = document.statement(
                Statement::deny(["s3:PutObject"])
                    .sid("DenyUnencryptedObjectUploads")
                    .principal(Principal::Any)
                    .resource(objects.clone())
                    .condition(
                        "StringNotEquals",
                        "s3:x-amz-server-side-encryption",
                        [self.encryption.header()],
                    ),
            );
        }
        // What the stack's trails need to deliver here (as CloudTrail documents it).
        for trail in cx.stack.resources().filter_map(|r| match r {
            crate::stack::AnyResource::Trail(t) if t.delivers_to(&self.meta.name) => Some(t),
            _ => None,
        }) {
            let source = trail.arn_in(cx);
            document = document
                .statement(
                    Statement::allow(["s3:GetBucketAcl"])
                        .sid(format!("AWSCloudTrailAclCheck-{}", trail.trail_name()))
                        .principal(Principal::service("cloudtrail.amazonaws.com"))
                        .resource(arn.clone())
                        .condition("StringEquals", "aws:SourceArn", [source.clone()]),
                )
                .statement(
                    Statement::allow(["s3:PutObject"])
                        .sid(format!("AWSCloudTrailWrite-{}", trail.trail_name()))
                        .principal(Principal::service("cloudtrail.amazonaws.com"))
                        .resource(format!("{arn}/{}", trail.log_objects()))
                        .condition(
                            "StringEquals",
                            "s3:x-amz-acl",
                            ["bucket-owner-full-control"],
                        )
                        .condition("StringEquals", "aws:SourceArn", [source]),
                );
        }
        // What the stack's load balancers need to deliver their access logs here.
        for (lb, logs) in cx.stack.resources().filter_map(|r| match r {
            crate::stack::AnyResource::LoadBalancer(lb) => {
                lb.logs_to(&self.meta.name).map(|logs| (lb, logs))
            }
            _ => None,
        }) {
            document = document.statement(
                Statement::allow(["s3:PutObject"])
                    .sid(format!("AWSElbAccessLogs-{}", lb.lb_name()))
                    .principal(log_delivery_principal(&cx.region(), &cx.partition()))
                    .resource(format!("{arn}/{}", logs.log_objects())),
            );
        }
        for statement in &self.policy.statements {
            let mut statement = statement.clone();
            if statement.resources.is_empty() {
                statement = statement.resource(arn.clone()).resource(objects.clone());
            }
            document = document.statement(statement);
        }
        document
    }
}

/// Whether `name` is a bucket name S3 accepts; the problem otherwise. `${aws.account_id}`
/// and `${aws.region}` are checked as the values they stand for.
fn bucket_name_problem(name: &str) -> Option<String> {
    let shown = name;
    let name = &name
        .replace("${aws.account_id}", "123456789012")
        .replace("${aws.region}", "us-east-1");
    let fine_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-');
    let edges = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let looks_like_ip = name.split('.').count() == 4
        && name
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    let reserved = ["xn--", "sthree-", "amzn-s3-demo-"]
        .iter()
        .any(|p| name.starts_with(p))
        || ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"]
            .iter()
            .any(|s| name.ends_with(s));
    let ok = (3..=63).contains(&name.len())
        && fine_chars
        && edges(name.chars().next())
        && edges(name.chars().last())
        && !name.contains("..")
        && !looks_like_ip
        && !reserved;
    (!ok).then(|| format!("`{shown}` is not a bucket name S3 accepts: 3 to 63 lower-case letters, digits, `.` and `-`, starting and ending with a letter or digit, no `..`, not an IP address, no reserved prefix (`xn--`, `sthree-`) or suffix (`-s3alias`, `--ol-s3`)"))
}

impl ResourceSpec for Bucket {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn validate(&self, cx: &mut Cx<'_>) {
        if let Some(problem) = bucket_name_problem(&self.bucket_name) {
            cx.error(Rule::AwsName, CreateBucket::FIELD.bucket, problem);
        }
        if self.lifecycle.len() > 1000 {
            cx.error(
                Rule::BucketSettings,
                "LifecycleConfiguration.Rules",
                "a bucket has at most 1000 lifecycle rules",
            );
        }
        let mut ids = std::collections::BTreeSet::new();
        for (i, rule) in self.lifecycle.iter().enumerate() {
            let path = format!("LifecycleConfiguration.Rules[{i}]");
            if let Some(problem) = rule.problem() {
                cx.error(Rule::BucketSettings, &path, problem);
            }
            if !ids.insert(rule.id.as_str()) {
                cx.error(
                    Rule::DuplicateEntry,
                    &path,
                    format!("two lifecycle rules are named `{}`", rule.id),
                );
            }
        }
        self.policy
            .require_principals(cx, PutBucketPolicy::FIELD.policy);
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        let name = &self.bucket_name;
        let region = cx.region();
        let tags = cx.tags(false);
        let tag = |(key, value): (&str, &String)| Tag {
            key: key.to_string(),
            value: value.clone(),
        };
        let ownership_tags: Vec<Tag> = [crate::STACK_TAG, crate::ADDRESS_TAG]
            .iter()
            .map(|key| tag((key, &tags[*key])))
            .collect();
        let configuration = CreateBucketConfiguration {
            // us-east-1 takes no location constraint (the provider drops it when a
            // region known only at apply turns out to be us-east-1).
            location_constraint: (region != "us-east-1").then(|| region.to_string()),
            tags: Some(ownership_tags),
        };
        let n = cx.node("", Kind::BUCKET).protection(self.protection);
        let request = CreateBucket {
            bucket: Some(name.clone()),
            create_bucket_configuration: Some(configuration),
            object_ownership: Some(self.ownership.as_str().to_string()),
        };
        cx.push_request(n, request);
        // Every follow-up names the bucket by its name: known now, ordered after it.
        let tag_set: Vec<Tag> = tags.iter().map(|(k, v)| tag((k, v))).collect();
        let n = cx.node("tags", Kind::BUCKET_TAGGING);
        let request = PutBucketTagging {
            bucket: Some(name.clone()),
            tagging: Some(Tagging {
                tag_set: Some(tag_set),
            }),
        };
        cx.push_request(n, request);
        let p = self.public_access;
        let n = cx.node("public-access-block", Kind::PUBLIC_ACCESS_BLOCK);
        let request = PutPublicAccessBlock {
            bucket: Some(name.clone()),
            public_access_block_configuration: Some(PublicAccessBlockConfiguration {
                block_public_acls: Some(p.block_public_acls),
                ignore_public_acls: Some(p.ignore_public_acls),
                block_public_policy: Some(p.block_public_policy),
                restrict_public_buckets: Some(p.restrict_public_buckets),
            }),
        };
        cx.push_request(n, request);
        let mut n = cx.node("encryption", Kind::BUCKET_ENCRYPTION);
        let default = match &self.encryption {
            BucketEncryption::S3Managed => ServerSideEncryptionByDefault {
                sse_algorithm: Some("AES256".into()),
                kms_master_key_id: None,
            },
            BucketEncryption::AwsManagedKms => ServerSideEncryptionByDefault {
                sse_algorithm: Some("aws:kms".into()),
                kms_master_key_id: None,
            },
            BucketEncryption::Kms(key) => {
                n.target(
                    || {
                        format!(
                            "{}.{}",
                            PutBucketEncryption::FIELD.server_side_encryption_configuration,
                            ServerSideEncryptionByDefault::FIELD.kms_master_key_id
                        )
                    },
                    key,
                );
                ServerSideEncryptionByDefault {
                    sse_algorithm: Some("aws:kms".into()),
                    kms_master_key_id: Some(placeholder(key.name(), "arn")),
                }
            }
        };
        let rule = ServerSideEncryptionRule {
            apply_server_side_encryption_by_default: Some(default),
            bucket_key_enabled: self.uses_kms().then_some(true),
        };
        let request = PutBucketEncryption {
            bucket: Some(name.clone()),
            server_side_encryption_configuration: Some(ServerSideEncryptionConfiguration {
                rules: Some(vec![rule]),
            }),
        };
        cx.push_request(n, request);
        if self.versioning {
            let n = cx.node("versioning", Kind::BUCKET_VERSIONING);
            let request = PutBucketVersioning {
                bucket: Some(name.clone()),
                versioning_configuration: Some(VersioningConfiguration {
                    status: Some("Enabled".into()),
                }),
            };
            cx.push_request(n, request);
        }
        if !self.lifecycle.is_empty() {
            let n = cx.node("lifecycle", Kind::BUCKET_LIFECYCLE);
            let rules: Vec<LifecycleRule> = self
                .lifecycle
                .iter()
                .map(BucketLifecycleRule::to_request)
                .collect();
            let request = PutBucketLifecycleConfiguration {
                bucket: Some(name.clone()),
                lifecycle_configuration: Some(LifecycleConfiguration { rules: Some(rules) }),
            };
            cx.push_request(n, request);
        }
        let document = self.policy_document(cx);
        if !document.statements.is_empty() {
            let mut n = cx.node("policy", Kind::BUCKET_POLICY);
            let policy = document.render(cx, &mut n, PutBucketPolicy::FIELD.policy);
            let request = PutBucketPolicy {
                bucket: Some(name.clone()),
                policy: Some(policy),
            };
            cx.push_request(n, request);
        }
    }
}

tag_setter!(Bucket);
protection_setters!(Bucket);

impl HasArn for Bucket {}

impl Ref<Bucket> {
    /// The bucket's name.
    pub fn bucket_name(&self) -> Attr<String> {
        Attr::of(self, "name")
    }

    /// The bucket's regional domain name (`NAME.s3.REGION.amazonaws.com`).
    pub fn regional_domain_name(&self) -> Attr<String> {
        Attr::of(self, "regional_domain_name")
    }
}

/// The Elastic Load Balancing accounts that deliver access logs in the regions opened
/// before August 2022; later regions deliver as the service principal
/// `logdelivery.elasticloadbalancing.amazonaws.com` (AWS's "Enable access logs for your
/// Application Load Balancer").
const ELB_LOG_ACCOUNTS: &[(&str, &str)] = &[
    ("af-south-1", "098369216593"),
    ("ap-east-1", "754344448648"),
    ("ap-northeast-1", "582318560864"),
    ("ap-northeast-2", "600734575887"),
    ("ap-northeast-3", "383597477331"),
    ("ap-south-1", "718504428378"),
    ("ap-southeast-1", "114774131450"),
    ("ap-southeast-2", "783225319266"),
    ("ap-southeast-3", "589379963580"),
    ("ca-central-1", "985666609251"),
    ("cn-north-1", "638102146993"),
    ("cn-northwest-1", "037604701340"),
    ("eu-central-1", "054676820928"),
    ("eu-north-1", "897822967062"),
    ("eu-south-1", "635631232127"),
    ("eu-west-1", "156460612806"),
    ("eu-west-2", "652711504416"),
    ("eu-west-3", "009996457667"),
    ("me-south-1", "076674570225"),
    ("sa-east-1", "507241528517"),
    ("us-east-1", "127311923021"),
    ("us-east-2", "033677994240"),
    ("us-gov-east-1", "190560391635"),
    ("us-gov-west-1", "048591011584"),
    ("us-west-1", "027434742980"),
    ("us-west-2", "797873946194"),
];

/// Who writes a load balancer's access logs in `region`: the region's Elastic Load
/// Balancing account, or the log delivery service principal where there is none.
pub(crate) fn log_delivery_principal(region: &str, partition: &str) -> Principal {
    match ELB_LOG_ACCOUNTS.iter().find(|(r, _)| *r == region) {
        Some((_, account)) => Principal::Aws(format!("arn:{partition}:iam::{account}:root")),
        None => Principal::service("logdelivery.elasticloadbalancing.amazonaws.com"),
    }
}
