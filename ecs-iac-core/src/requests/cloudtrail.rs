//! CloudTrail requests.

use crate::request::request;

request! {
    /// `cloudtrail:CreateTrail`; `UpdateTrail` is sent from the same body.
    pub struct CreateTrail, CreateTrailFields {
        /// The trail's name.
        name: String = "Name",
        /// The bucket the logs go to.
        s3_bucket_name: String = "S3BucketName",
        /// The key prefix of the log files.
        s3_key_prefix: String = "S3KeyPrefix",
        /// Records every region.
        is_multi_region_trail: bool = "IsMultiRegionTrail",
        /// Digest files that prove the logs unchanged.
        enable_log_file_validation: bool = "EnableLogFileValidation",
        /// Records global services (IAM, STS, …).
        include_global_service_events: bool = "IncludeGlobalServiceEvents",
        /// The KMS key the logs are encrypted with.
        kms_key_id: String = "KmsKeyId",
    }
}

request! {
    /// `cloudtrail:StartLogging`.
    pub struct StartLogging, StartLoggingFields {
        /// The trail's name.
        name: String = "Name",
    }
}

request! {
    /// `cloudtrail:PutInsightSelectors`.
    pub struct PutInsightSelectors, PutInsightSelectorsFields {
        /// The trail's name.
        trail_name: String = "TrailName",
        /// The Insights types recorded.
        insight_selectors: Vec<InsightSelector> = "InsightSelectors",
    }
}

request! {
    /// One Insights type a trail records.
    pub struct InsightSelector, InsightSelectorFields {
        /// `ApiCallRateInsight` or `ApiErrorRateInsight`.
        insight_type: String = "InsightType",
    }
}
