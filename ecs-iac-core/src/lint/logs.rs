//! CloudWatch Logs checks: log group retention and encryption.

use super::{LintRule, Lx};
use crate::requests::logs::{CreateLogGroup, PutRetentionPolicy};
use crate::resources::*;

impl Lx<'_> {
    /// A log group: retention and its KMS key.
    pub(super) fn log_group(&mut self, g: &LogGroup) {
        if g.retention_days.is_none() {
            self.emit(
                LintRule::LogGroupNoRetention,
                "retention",
                PutRetentionPolicy::FIELD.retention_in_days,
                format!(
                    "log group `{}` has no retention; its events never expire",
                    g.log_group_name
                ),
            );
        }
        if g.kms_key_arn.is_none() {
            self.emit(
                LintRule::LogGroupUnencrypted,
                "",
                CreateLogGroup::FIELD.kms_key_id,
                format!(
                    "log group `{}` has no customer managed KMS key",
                    g.log_group_name
                ),
            );
        }
    }
}
