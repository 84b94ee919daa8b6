//! CloudWatch Logs (log groups, subscription filters) requests.

use crate::request::request;

request! {
    /// `logs:CreateLogGroup`.
    pub struct CreateLogGroup, CreateLogGroupFields {
        /// The log group's name.
        log_group_name: String = "logGroupName",
        /// The KMS key's ARN events are encrypted with.
        kms_key_id: String = "kmsKeyId",
    }
}

request! {
    /// `logs:PutRetentionPolicy`.
    pub struct PutRetentionPolicy, PutRetentionPolicyFields {
        /// The log group's name.
        log_group_name: String = "logGroupName",
        /// Days to keep events.
        retention_in_days: i32 = "retentionInDays",
    }
}

request! {
    /// `logs:PutSubscriptionFilter` (creates or overwrites).
    pub struct PutSubscriptionFilter, PutSubscriptionFilterFields {
        /// The log group's name.
        log_group_name: String = "logGroupName",
        /// The filter's name.
        filter_name: String = "filterName",
        /// The filter pattern (`""` matches every event).
        filter_pattern: String = "filterPattern",
        /// Where matching events go.
        destination_arn: String = "destinationArn",
        /// The role CloudWatch Logs writes to the destination with.
        role_arn: String = "roleArn",
        /// `Random` or `ByLogStream` (Kinesis destinations).
        distribution: String = "distribution",
    }
}
