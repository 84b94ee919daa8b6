//! CloudTrail trails: multi-region, log file validation, KMS encryption and Insights,
//! delivering to a bucket of the stack whose policy the library writes for it (and, with
//! a key of the stack, the key policy statements CloudTrail needs).

use super::kms::KmsKey;
use super::s3::Bucket;
use crate::diagnostic::Rule;
use crate::kind::Kind;
use crate::lower::{placeholder, tag_setter, Cx, ResourceSpec, ACCOUNT_ID};
use crate::requests::cloudtrail::{
    CreateTrail, CreateTrailFields, InsightSelector, PutInsightSelectors, StartLogging,
};
use crate::stack::{Meta, Ref};

/// The AWS names of a trail's request fields.
const TRAIL: CreateTrailFields = CreateTrail::FIELD;

/// A CloudTrail trail, started on create.
///
/// ```
/// use ecs_iac_core::prelude::*;
///
/// let mut stack = Stack::new("shop").region("eu-west-1");
/// let logs = stack.add(Bucket::new("audit-logs", "shop-audit-logs-0042"));
/// let key = stack.add(KmsKey::new("trail-key"));
/// stack.add(
///     Trail::new("trail", "shop-trail", &logs)
///         .kms_key(&key)
///         .insight(InsightType::ApiCallRate)
///         .insight(InsightType::ApiErrorRate),
/// );
/// let synth = synth(&stack).unwrap();
/// let trail = &synth.node("trail").unwrap().body;
/// assert_eq!(trail["IsMultiRegionTrail"], true);
/// assert_eq!(trail["EnableLogFileValidation"], true);
/// // The bucket policy lets CloudTrail write, and the trail waits for it.
/// let policy = synth.node("audit-logs#policy").unwrap().body["Policy"].as_str().unwrap().to_string();
/// assert!(policy.contains("AWSCloudTrailWrite"));
/// assert!(synth.node("trail").unwrap().depends_on.contains(&"audit-logs#policy".to_string()));
/// ```
#[derive(Debug, Clone)]
pub struct Trail {
    pub(crate) meta: Meta,
    pub(crate) trail_name: String,
    pub(crate) bucket: Ref<Bucket>,
    pub(crate) key_prefix: Option<String>,
    pub(crate) multi_region: bool,
    pub(crate) log_file_validation: bool,
    pub(crate) global_service_events: bool,
    pub(crate) kms_key: Option<Ref<KmsKey>>,
    pub(crate) insights: Vec<InsightType>,
    pub(crate) logging: bool,
}

/// A kind of unusual activity CloudTrail Insights looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum InsightType {
    /// Unusual volumes of write API calls.
    ApiCallRate,
    /// Unusual rates of API calls that fail.
    ApiErrorRate,
}

impl InsightType {
    fn as_str(self) -> &'static str {
        match self {
            InsightType::ApiCallRate => "ApiCallRateInsight",
            InsightType::ApiErrorRate => "ApiErrorRateInsight",
        }
    }
}

impl Trail {
    /// A trail named `trail_name` delivering to `bucket`: multi-region, with log file
    /// validation and global service events, logging once created.
    pub fn new(
        name: impl Into<String>,
        trail_name: impl Into<String>,
        bucket: &Ref<Bucket>,
    ) -> Trail {
        Trail {
            meta: Meta::new(name),
            trail_name: trail_name.into(),
            bucket: bucket.clone(),
            key_prefix: None,
            multi_region: true,
            log_file_validation: true,
            global_service_events: true,
            kms_key: None,
            insights: Vec::new(),
            logging: true,
        }
    }

    /// Log files go under `prefix/` in the bucket.
    #[must_use]
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Trail {
        self.key_prefix = Some(prefix.into());
        self
    }

    /// Records every region's events (on by default).
    #[must_use]
    pub fn multi_region(mut self, enabled: bool) -> Trail {
        self.multi_region = enabled;
        self
    }

    /// Writes signed digest files so tampering with a log file can be detected (on by
    /// default).
    #[must_use]
    pub fn log_file_validation(mut self, enabled: bool) -> Trail {
        self.log_file_validation = enabled;
        self
    }

    /// Records the events of global services such as IAM (on by default).
    #[must_use]
    pub fn global_service_events(mut self, enabled: bool) -> Trail {
        self.global_service_events = enabled;
        self
    }

    /// Encrypts log files with a key of the stack; its key policy gains the statements
    /// CloudTrail needs.
    #[must_use]
    pub fn kms_key(mut self, key: &Ref<KmsKey>) -> Trail {
        self.kms_key = Some(key.clone());
        self
    }

    /// Turns on an Insights type.
    #[must_use]
    pub fn insight(mut self, insight: InsightType) -> Trail {
        if !self.insights.contains(&insight) {
            self.insights.push(insight);
        }
        self
    }

    /// Whether the trail logs (on by default; off creates it stopped).
    #[must_use]
    pub fn logging(mut self, enabled: bool) -> Trail {
        self.logging = enabled;
        self
    }

    /// Whether log file validation is on.
    pub fn validates_log_files(&self) -> bool {
        self.log_file_validation
    }

    /// Whether it records every region.
    pub fn is_multi_region(&self) -> bool {
        self.multi_region
    }

    /// The trail's name.
    pub fn trail_name(&self) -> &str {
        &self.trail_name
    }

    /// Whether the trail delivers to the bucket named `bucket` (its logical name).
    pub(crate) fn delivers_to(&self, bucket: &str) -> bool {
        self.bucket.name() == bucket
    }

    /// Whether the trail encrypts with the key named `key` (its logical name).
    pub(crate) fn encrypts_with(&self, key: &str) -> bool {
        self.kms_key.as_ref().is_some_and(|k| k.name() == key)
    }

    /// The trail's ARN, known before apply but for the account.
    pub(crate) fn arn_in(&self, cx: &Cx<'_>) -> String {
        format!(
            "arn:{}:cloudtrail:{}:{ACCOUNT_ID}:trail/{}",
            cx.partition(),
            cx.region(),
            self.trail_name
        )
    }

    /// Where CloudTrail writes in the bucket: `[prefix/]AWSLogs/ACCOUNT/*`.
    pub(crate) fn log_objects(&self) -> String {
        match &self.key_prefix {
            Some(prefix) => format!("{prefix}/AWSLogs/{ACCOUNT_ID}/*"),
            None => format!("AWSLogs/{ACCOUNT_ID}/*"),
        }
    }
}

impl ResourceSpec for Trail {
    fn meta(&self) -> &Meta {
        &self.meta
    }

    fn validate(&self, cx: &mut Cx<'_>) {
        let name = &self.trail_name;
        let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        let fine = (3..=128).contains(&name.len())
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
            && edge(name.chars().next())
            && edge(name.chars().last())
            && !["..", "._", "_.", ".-", "-.", "__", "--", "_-", "-_"]
                .iter()
                .any(|pair| name.contains(pair));
        if !fine {
            cx.error(
                Rule::AwsName,
                TRAIL.name,
                format!("`{name}` is not a trail name CloudTrail accepts: 3 to 128 letters, digits, `.`, `_` and `-`, starting and ending with a letter or digit, no two of `._-` in a row"),
            );
        }
        if let Some(prefix) = &self.key_prefix {
            if prefix.is_empty() || prefix.len() > 200 || prefix.ends_with('/') {
                cx.error(
                    Rule::AwsString,
                    TRAIL.s3_key_prefix,
                    "a key prefix has 1 to 200 characters and no trailing `/` (CloudTrail adds it)",
                );
            }
        }
    }

    fn lower(&self, cx: &mut Cx<'_>) {
        let mut n = cx.node("", Kind::TRAIL);
        let bucket_name = n
            .target(TRAIL.s3_bucket_name, &self.bucket)
            .map(|b| b.bucket_name.clone())
            .unwrap_or_default();
        // CreateTrail checks that the bucket policy lets CloudTrail write.
        n.depend_on_node(format!("{}#policy", self.bucket.name()));
        let kms_key_id = self.kms_key.as_ref().map(|k| {
            n.target(TRAIL.kms_key_id, k);
            placeholder(k.name(), "arn")
        });
        let request = CreateTrail {
            name: Some(self.trail_name.clone()),
            s3_bucket_name: Some(bucket_name),
            s3_key_prefix: self.key_prefix.clone(),
            is_multi_region_trail: Some(self.multi_region),
            enable_log_file_validation: Some(self.log_file_validation),
            include_global_service_events: Some(self.global_service_events),
            kms_key_id,
        };
        cx.push_request(n, request);
        if self.logging {
            let n = cx.node("logging", Kind::TRAIL_LOGGING);
            let request = StartLogging {
                name: Some(self.trail_name.clone()),
            };
            cx.push_request(n, request);
        }
        if !self.insights.is_empty() {
            let mut insights = self.insights.clone();
            insights.sort();
            let selectors = insights
                .iter()
                .map(|i| InsightSelector {
                    insight_type: Some(i.as_str().into()),
                })
                .collect();
            let n = cx.node("insights", Kind::INSIGHT_SELECTORS);
            let request = PutInsightSelectors {
                trail_name: Some(self.trail_name.clone()),
                insight_selectors: Some(selectors),
            };
            cx.push_request(n, request);
        }
    }
}

tag_setter!(Trail);
